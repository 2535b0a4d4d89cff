// kscope flame: perf.data → a flame graph (self-contained HTML) or another stack format (folded
// stacks for flamegraph.pl, pprof, speedscope). The format comes from --format, else from -o's
// extension; `-o -` writes to stdout (folded unless --format says otherwise).
import { closeSync, openSync, writeSync } from 'node:fs';
import { Command, Option } from 'commander';
import { openPerfData } from '../formats/perfdata/index.js';
import { profileFromPerf } from '../analysis/profile-from-perf.js';
import { processNames, profileTotals, type StackProfile } from '../analysis/stack-profile.js';
import { PROFILE_FORMATS, isProfileFormat, profileFormatForPath, writeProfile, type ProfileFormat } from '../ui/render.js';
import { FdStreamSource, FileSource } from '../util/byte-source.js';
import { KscopeError } from '../util/errors.js';
import { nodeMachineIo } from '../util/node-machine-io.js';
import { createDemangler } from '../symbols/demangle.js';
import { readDemanglerWasm } from '../util/node-loader.js';

/** Records are read through one reused 1 MiB buffer (transient): larger reads buy no speed. */
const READ_OPTS = { chunk: 1 << 20 };

export const summary = 'Flame graph of perf.data samples (HTML, or folded stacks, pprof, speedscope by -o extension)';

const DEFAULT_NAMES: Record<ProfileFormat, string> = {
  html: 'flame.html',
  folded: 'flame.folded',
  pprof: 'profile.pb.gz',
  speedscope: 'flame.speedscope.json',
};

interface FlameFlags {
  input: string;
  output?: string;
  format?: string;
  title?: string;
  pid?: string[];
  tid?: string[];
  comms?: string[];
  comm: boolean;
  kernel?: boolean;
  event?: string;
  weight: string;
  includePid?: boolean;
  includeTid?: boolean;
  demangle: boolean;
  inline: boolean;
  symfs?: string;
}

function ids(list: string[] | undefined, what: string): number[] | undefined {
  if (!list) return undefined;
  const out: number[] = [];
  for (const item of list) {
    for (const part of item.split(',')) {
      if (part === '') continue;
      if (!/^\d+$/.test(part)) throw new KscopeError(`--${what} takes numbers, got '${part}'`, `for example --${what} 1234,1235`);
      out.push(Number(part));
    }
  }
  return out;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** A profile whose weights are the samples' periods (nanoseconds for cpu-clock). */
function periodWeighted(p: StackProfile): StackProfile {
  const weight = p.samples.period.map((v) => (Number.isNaN(v) ? 0 : v));
  return { ...p, samples: { ...p.samples, weight } };
}

/** The flame graph's subtitle when widths are periods: the sum and its unit instead of a sample count. */
function periodSubtitle(p: StackProfile): string {
  const t = profileTotals(p);
  const unit = p.periodType?.unit === 'nanoseconds' ? 'ns' : 'events';
  const procs = processNames(p).size;
  return `${p.eventName ? `${p.eventName}: ` : ''}${t.period} ${unit} of period over ${t.weight} samples, ` +
    `${procs} process${procs === 1 ? '' : 'es'}, ${p.threads.length} thread${p.threads.length === 1 ? '' : 's'}`;
}

/** Writes all of `bytes` to `fd`, waiting out EAGAIN (stdout may be a non-blocking pipe). */
function writeAll(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('kscope flame')
    .description(summary)
    .option('-i, --input <file>', 'input perf.data ("-" reads pipe-mode perf.data from stdin)', 'perf.data')
    .option('-o, --output <file>', 'output file ("-" writes to stdout); default flame.html')
    .addOption(new Option('-f, --format <format>', 'output format (default: from -o\'s extension)').choices([...PROFILE_FORMATS]))
    .option('-t, --title <text>', 'title of the flame graph')
    .option('-e, --event <name>', 'the event to show when several were recorded (default: the first with samples)')
    .option('-p, --pid <pids>', 'only samples of these processes (comma-separated, repeatable)', collect)
    .option('--tid <tids>', 'only samples of these threads (comma-separated, repeatable)', collect)
    .option('--comms <comms>', 'only samples of threads with these comms (comma-separated, repeatable)', collect)
    .option('--kernel', 'annotate kernel frames with _[k] in folded output (stackcollapse --kernel)')
    .option('--no-kernel', 'leave kernel frames out: user-space stacks only')
    .addOption(new Option('--weight <what>', 'what a frame\'s width counts').choices(['samples', 'period']).default('samples'))
    .option('--include-pid', 'folded: add the pid to the comm (stackcollapse --include-pid)')
    .option('--include-tid', 'folded: add the tid to the comm (stackcollapse --include-tid)')
    .option('--no-comm', 'folded: do not start stacks with the comm (stackcollapse --no-comm)')
    .option('--no-inline', 'no frames for inlined calls (DWARF; perf adds them to --call-graph dwarf stacks)')
    .option('--no-demangle', 'show C++/Rust symbol names as they are in the binary')
    .option('--symfs <dir>', 'look for binaries and debug files under this directory (as perf --symfs)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
  const o = cmd.opts<FlameFlags>();
  const commFilter = o.comms?.flatMap((c) => c.split(',')).filter((c) => c !== '');
  const includeComm = o.comm;
  if (!includeComm && (o.includePid || o.includeTid)) {
    throw new KscopeError('--include-pid and --include-tid need the comm', 'drop --no-comm');
  }

  let format: ProfileFormat;
  let output = o.output;
  if (o.format !== undefined) {
    if (!isProfileFormat(o.format)) throw new KscopeError(`unknown format '${o.format}'`, `use one of ${PROFILE_FORMATS.join(', ')}`);
    format = o.format;
  } else if (output === undefined) {
    format = 'html';
  } else if (output === '-') {
    format = 'folded';
  } else {
    const f = profileFormatForPath(output);
    if (!f) {
      throw new KscopeError(`cannot tell the format from the name '${output}'`,
        'use --format html|folded|pprof|speedscope, or name it .html, .folded/.txt, .pb.gz/.pprof, .json/.speedscope.json');
    }
    format = f;
  }
  output ??= DEFAULT_NAMES[format];

  const file = o.input === '-' ? openPerfData(new FdStreamSource(0, '<stdin>'), undefined, READ_OPTS) : openPerfData(new FileSource(o.input), undefined, READ_OPTS);
  let result;
  // perf's default: demangled, without parameters (DMGL_NO_OPTS).
  const demangle = o.demangle ? createDemangler(readDemanglerWasm(), { params: false }) : undefined;
  try {
    result = profileFromPerf(file, {
      machine: { ...nodeMachineIo({ symfs: o.symfs }), rankName: demangle },
      event: o.event,
      pids: ids(o.pid, 'pid'),
      tids: ids(o.tid, 'tid'),
      comms: commFilter,
      excludeKernel: o.kernel === false,
      demangle,
      inline: o.inline,
    });
  } finally {
    file.close();
  }
  const p = result.profile;
  const shown = o.weight === 'period' && format !== 'pprof' ? periodWeighted(p) : p;
  const fd = output === '-' ? 1 : openSync(output, 'w');
  try {
    writeProfile(shown, format, {
    includeComm,
    includePid: o.includePid,
    includeTid: o.includeTid,
    annotateKernel: o.kernel === true,
    title: o.title,
    ...(o.weight === 'period' ? { usePeriod: true, subtitle: periodSubtitle(p) } : {}),
    }, (chunk) => writeAll(fd, chunk));
  } finally {
    if (fd !== 1) closeSync(fd);
  }
  const ev = result.event && result.eventNames.length > 1 ? `, event ${result.event.name}` : '';
  process.stderr.write(`kscope flame: wrote ${output === '-' ? 'stdout' : output} (${p.samples.length} samples, ${p.frames.length} frames${ev})\n`);
  return 0;
}
