// kscope record: sample a command, processes or the whole system into perf.data (perf record's flags).
import { Command, Option } from 'commander';
import { KscopeError } from '../util/errors.js';
import { parseEvent, splitEventList } from '../record/events.js';
import { record, DEFAULT_DWARF_STACK, type RecordOptions } from '../record/session.js';
import { parseCpuList } from '../kernel/procfs.js';
import { parseClockId } from '../kernel/clock.js';

export const summary = 'Record samples of a command, processes or the system into perf.data';

function intList(what: string) {
  return (v: string, prev: number[] = []) => {
    const out = v.split(',').map((x) => Number(x.trim()));
    if (out.some((n) => !Number.isInteger(n) || n <= 0)) throw new KscopeError(`bad ${what} list '${v}'`);
    return [...prev, ...out];
  };
}

function parseCallGraph(v: string): RecordOptions['callGraph'] {
  const [mode, size] = v.split(',');
  if (mode === 'fp') return { mode: 'fp' };
  if (mode === 'dwarf') {
    const n = size ? Number(size) : DEFAULT_DWARF_STACK;
    if (!Number.isInteger(n) || n <= 0 || n > 65528 || n % 8) throw new KscopeError(`bad dwarf stack size '${size}'`, 'a multiple of 8 up to 65528, e.g. --call-graph dwarf,8192');
    return { mode: 'dwarf', stackSize: n };
  }
  throw new KscopeError(`unknown call-graph mode '${mode}'`, 'use fp or dwarf[,size]');
}

export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('kscope record')
    .description(summary)
    .usage('[options] [--] [command [args...]]')
    .option('-e, --event <event>', 'event to sample (repeatable; comma lists): cpu-clock, task-clock, page-faults, context-switches, cycles, SUBSYS:NAME', (v: string, p: string[] = []) => [...p, v])
    .option('-F, --freq <hz>', 'samples per second', (v) => Number(v))
    .option('--strict-freq', 'fail instead of lowering -F above kernel.perf_event_max_sample_rate')
    .option('-c, --count <n>', 'sample every n events (period)', (v) => Number(v))
    .option('-g', 'record call chains through frame pointers')
    .option('--call-graph <mode>', 'fp, or dwarf[,stack-size] (default size 8192)')
    .option('-p, --pid <pids>', 'record existing processes (all their threads)', intList('pid'))
    .option('-t, --tid <tids>', 'record existing threads', intList('tid'))
    .option('-a, --all-cpus', 'system-wide: every task on every CPU')
    .option('-C, --cpu <cpus>', 'system-wide on these CPUs (e.g. 0-1,3)')
    .option('-o, --output <file>', "output file ('-' for pipe mode on stdout)", 'perf.data')
    .option('-m, --mmap-pages <n>', 'data pages per ring buffer (power of two)', (v) => Number(v))
    .option('--no-inherit', 'do not follow child tasks')
    .option('-k, --clockid <clock>', 'timestamps from this clock: monotonic, monotonic_raw, realtime, boottime, tai')
    .option('-v, --verbose', 'say more (event fallbacks)')
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .argument('[command...]', 'the command to run and record')
    .passThroughOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    return code ?? 1;
  }
  const f = cmd.opts();
  const workload = cmd.args;
  const opts: RecordOptions = {
    events: splitEventList(f.event ?? []).map(parseEvent),
    freq: f.freq,
    strictFreq: !!f.strictFreq,
    period: f.count,
    callGraph: f.callGraph ? parseCallGraph(f.callGraph) : f.g ? { mode: 'fp' } : undefined,
    workload: workload.length ? workload : undefined,
    pids: f.pid,
    tids: f.tid,
    allCpus: !!f.allCpus,
    cpus: f.cpu ? parseCpuList(f.cpu) : undefined,
    inherit: f.inherit,
    clockid: f.clockid !== undefined ? parseClockId(f.clockid) : undefined,
    output: f.output,
    mmapPages: f.mmapPages,
    verbose: !!f.verbose,
    cmdline: [process.argv[1] ?? 'kscope', 'record', ...argv],
    version: 'kscope 0.1.0',
    log: (l) => { if (!f.quiet) process.stderr.write(l + '\n'); },
  };
  if (opts.freq !== undefined && !(opts.freq > 0)) throw new KscopeError(`bad frequency '${f.freq}'`);
  if (opts.period !== undefined && !(opts.period > 0)) throw new KscopeError(`bad period '${f.count}'`);

  // SIGINT/SIGTERM stop the recording; the file is finished before we exit.
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  const tty = process.stderr.isTTY && !f.quiet;
  if (tty) opts.onProgress = (p) => process.stderr.write(`\r[ kscope record: ${p.samples} samples, ${(p.bytes / 1048576).toFixed(3)} MB${p.lost ? `, ${p.lost} lost` : ''} ]\x1b[K`);
  opts.signal = ac.signal;
  try {
    const r = await record(opts);
    if (tty) process.stderr.write('\r\x1b[K');
    if (!f.quiet) {
      process.stderr.write(`[ kscope record: Woken up ${r.wakeups} times to write data ]\n`);
      if (r.lost) process.stderr.write(`Warning:\nLost ${r.lost} samples in ${r.lostRecords} LOST records: raise -m (ring buffer pages) or lower -F\n`);
      process.stderr.write(`[ kscope record: Captured and wrote ${(r.bytes / 1048576).toFixed(3)} MB ${r.output === '-' ? '<stdout>' : r.output} (${r.samples} samples) ]\n`);
    }
    return r.exitStatus ?? 0;
  } finally {
    // Impatient Ctrl-Cs that land just after the file is finished must not kill us before we exit
    // (the file is complete; the exit status stays ours): swallow signals for a moment, then give
    // them back (`kscope demo` goes on in this process, where Ctrl-C must work again). Once Node
    // tears down, its signal handles are gone and a signal kills the process: so after a stop by
    // signal the process stays until signals have stopped coming for 300 ms (a ref'd timer, re-armed
    // by each one); after a normal end the window does not hold the exit back.
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
    const byUser = ac.signal.aborted;
    let timer: NodeJS.Timeout | undefined;
    const giveBack = () => { process.off('SIGINT', swallow); process.off('SIGTERM', swallow); };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(giveBack, byUser ? 300 : 1000);
      if (!byUser) timer.unref();
    };
    const swallow = () => { if (byUser) arm(); };
    process.on('SIGINT', swallow);
    process.on('SIGTERM', swallow);
    arm();
  }
}
