// kscope record against Linux perf: files we write must read in perf without warnings and give
// the same answers as perf's own recordings of the same workload.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWorkload, perfRecording, perfSkipReason, repoRoot, runKscope, runPerf } from './helpers/fixtures.js';
import { parseEvent, fallbackEvent, defaultEvent, splitEventList } from '../src/record/events.js';
import { encodeCpuMap, encodeThreadMap, encodeIdIndex } from '../src/record/synthesize.js';
import { buildIdFromNotes, readFileBuildId } from '../src/record/build-id.js';
import { bpfProgLoad, trivialSocketFilter, BPF_PROG_TYPE_SOCKET_FILTER } from '../src/kernel/bpf.js';
import { closeFd } from '../src/kernel/perf-event.js';
import { locateTracefs } from '../src/kernel/tracefs.js';
import { KscopeError } from '../src/util/errors.js';

const skip = perfSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'kscope-record-'));
const kscope = join(repoRoot, 'bin/kscope.js');
after(() => rmSync(dir, { recursive: true, force: true }));

function record(name: string, args: string[]): string {
  const out = join(dir, `${name}.data`);
  const r = runKscope(['record', '-q', '-o', out, ...args]);
  assert.equal(r.status, 0, `kscope record ${args.join(' ')} failed: ${r.stderr}`);
  return out;
}

/** perf report --stats: must read the whole file with nothing on stderr; returns counts by record name. */
function perfStats(file: string): Record<string, number> {
  const r = runPerf(['report', '--stats', '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', `perf report --stats warned: ${r.stderr}`);
  const counts: Record<string, number> = {};
  const agg = r.stdout.split(/Aggregated stats:\n/)[1]?.split(/ stats:\n/)[0] ?? '';
  for (const m of agg.matchAll(/^\s*(\w+) events:\s+(\d+)/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

function perfScript(file: string, extra: string[] = []): string {
  const r = runPerf(['script', '-i', file, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning|error|unexpected|failed/i, `perf script complained: ${r.stderr}`);
  return r.stdout;
}

/** Function names in perf report --no-children order (self overhead), user-space symbols of `dso` only. */
function topFunctions(file: string, dso: string): string[] {
  const r = runPerf(['report', '--no-children', '--stdio', '--sort', 'dso,sym', '-g', 'none', '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s+[\d.]+%\s+(\S+)\s+\[\.\]\s+(\S+)/.exec(line);
    if (m && m[1] === dso) out.push(m[2]);
  }
  return out;
}

test('event specs: software, hardware with fallback, tracepoints, modifiers', () => {
  assert.deepEqual(splitEventList(['cpu-clock,task-clock', 'sched:sched_switch']), ['cpu-clock', 'task-clock', 'sched:sched_switch']);
  const tc = parseEvent('task-clock');
  assert.equal(tc.type, 1); assert.equal(tc.config, 1n);
  assert.equal(parseEvent('major-faults').config, 6n);
  const u = parseEvent('cycles:u');
  assert.equal(u.type, 0); assert.ok(u.excludeKernel); assert.ok(!u.excludeUser);
  assert.equal(fallbackEvent(u)!.name, 'cpu-clock:u');
  assert.equal(fallbackEvent(defaultEvent())!.name, 'cpu-clock:ppp');
  assert.equal(fallbackEvent(parseEvent('instructions')), undefined);
  const tp = parseEvent('sched:sched_switch');
  assert.deepEqual(tp.tracepoint, { subsys: 'sched', name: 'sched_switch' });
  const tpk = parseEvent('sched:sched_switch:k');
  assert.ok(tpk.excludeUser);
  assert.throws(() => parseEvent('no-such-event'), /unknown event/);
});

test('synthesized map records have perf\'s layouts', () => {
  const range = encodeCpuMap([0, 1, 2, 3]);
  assert.deepEqual([...range], [74, 0, 0, 0, 0, 0, 16, 0, 2, 0, 0, 0, 0, 0, 3, 0]);
  const list = encodeCpuMap([0, 2]);
  assert.equal(list.length, 16);
  assert.deepEqual([...list.subarray(8, 16)], [0, 0, 2, 0, 0, 0, 2, 0]);
  const tm = encodeThreadMap([{ pid: 9121, comm: '' }]);
  assert.equal(tm.length, 40);
  assert.equal(encodeIdIndex([{ id: 296n, idx: 0, cpu: 0, tid: 9121 }, { id: 297n, idx: 0, cpu: 1, tid: 9121 }]).length, 80);
});

test('build-id from ELF notes matches readelf', { skip: spawnSync('readelf', ['--version']).status !== 0 ? 'readelf missing' : undefined }, () => {
  const bin = compileWorkload('burn.c');
  const r = spawnSync('readelf', ['-n', bin], { encoding: 'utf8' });
  const want = /Build ID: ([0-9a-f]+)/.exec(r.stdout)![1];
  assert.equal(Buffer.from(readFileBuildId(bin)!).toString('hex'), want);
  assert.equal(buildIdFromNotes(new Uint8Array(5)), undefined);
});

test('-g recording of burn: perf reads it cleanly and finds the same top functions as its own recording', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const ours = record('fp', ['-g', '-F', '2000', '--', burn, '300']);
  const stats = perfStats(ours);
  assert.ok(stats.SAMPLE > 50, `samples: ${stats.SAMPLE}`);
  for (const k of ['MMAP', 'COMM', 'MMAP2', 'FINISHED_ROUND', 'ID_INDEX', 'THREAD_MAP', 'CPU_MAP', 'FINISHED_INIT']) assert.ok(stats[k] >= 1, `${k} records`);
  const script = perfScript(ours);
  assert.match(script, /leaf_mul\+0x[0-9a-f]+ \(.*burn/);
  // leaf_mul keeps no frame of its own, so the chain skips compute_a, as in perf's own recording
  assert.match(script, /leaf_mul\+\S+ \(\S+\)\n\s+\S+ run\+\S+ \(\S+\)\n\s+\S+ main\+/, 'frame-pointer chains reach run and main');
  const theirs = perfRecording('fp', ['record', '-g', '-F', '2000', '--', burn, '300']);
  const dso = burn.split('/').pop()!;
  const a = topFunctions(ours, dso), b = topFunctions(theirs, dso);
  assert.deepEqual(a.slice(0, 2), b.slice(0, 2), `ours ${a.slice(0, 3)} vs perf ${b.slice(0, 3)}`);
  const header = runPerf(['report', '--header-only', '-i', ours]).stdout;
  assert.match(header, /# event : name = cpu-clock:ppp/);
  assert.match(header, /# hostname : \S+/);
  assert.match(header, /# cpuid : /);
  // host-description features print as in perf's own recording of this machine
  const hostLines = (f: string) => runPerf(['report', '--header-only', '-I', '-i', f]).stdout.split('\n')
    .filter((l) => /^# (hostname|os release|arch|nrcpus|cpudesc|cpuid|total memory|sibling|CPU: |node0 cpu list|memory nodes|\s+0 \[|\s+L\d)/.test(l));
  const perfHost = hostLines(theirs);
  assert.ok(perfHost.length >= 10, perfHost.join('\n'));
  assert.deepEqual(hostLines(ours), perfHost);
  const ids = runPerf(['buildid-list', '-i', ours]).stdout;
  assert.match(ids, new RegExp(`[0-9a-f]{40} ${burn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});

test('kscope report --stats and kscope script read our recording exactly as perf does', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const f = record('roundtrip', ['-g', '-F', '1000', '--', burn, '150']);
  for (const args of [['report', '--stats', '-i', f], ['script', '-i', f]]) {
    const k = runKscope(args), p = runPerf(args);
    assert.equal(k.status, 0, k.stderr);
    if (k.stdout !== p.stdout) {
      const a = k.stdout.split('\n'), b = p.stdout.split('\n');
      const i = a.findIndex((l, j) => l !== b[j]);
      assert.fail(`kscope ${args.join(' ')} differs from perf at line ${i + 1}:\n  kscope: ${a[i]}\n  perf:   ${b[i]}\n  context: ${b.slice(Math.max(0, i - 3), i + 2).join(' | ')}`);
    }
  }
});

test('-a -g: system-wide samples, kernel ones symbolized by perf', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const f = record('system', ['-a', '-g', '-F', '1000', '--', burn, '300']);
  perfStats(f);
  const r = runPerf(['report', '--no-children', '--stdio', '--sort', 'sym', '-g', 'none', '-i', f]);
  const kernelSyms = r.stdout.split('\n').filter((l) => /\[k\] [a-z_]\w+/.test(l));
  assert.ok(kernelSyms.length > 0, 'kernel symbols in the report');
  assert.match(r.stdout, /\[\.\] leaf_(add|mul)/);
  const comms = perfScript(f, ['-F', 'comm']);
  assert.ok(!/^\s*:\d+\s*$/m.test(comms), 'every sampled task has a name (synthesized COMM or tracked)');
});

test('--call-graph dwarf: perf unwinds through the workload\'s functions', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const f = record('dwarf', ['--call-graph', 'dwarf,4096', '-F', '1000', '--', burn, '300']);
  perfStats(f);
  const script = runPerf(['script', '-i', f]).stdout;
  assert.match(script, /leaf_mul\+\S+ \(\S+\)\n\s+\S+ compute_a\+\S+ \(\S+\)\n\s+\S+ run\+\S+ \(\S+\)\n\s+\S+ main\+/);
});

test('-e sched:sched_switch: perf script prints the formatted fields (TRACING_DATA)', { skip }, () => {
  const burn = compileWorkload('burn.c');
  // -m 512 (2 MiB a CPU): every context switch of a loaded machine is an event; at the default
  // 512 KiB a busy CI box (load ~8) overflowed the ring buffer once (perf: "lost 1 chunks")
  const f = record('tp', ['-a', '-m', '512', '-e', 'sched:sched_switch', '--', burn, '200']);
  perfStats(f);
  const script = perfScript(f);
  assert.match(script, /sched:sched_switch: prev_comm=\S+ prev_pid=\d+ prev_prio=\d+ prev_state=\S+ ==> next_comm=\S+ next_pid=\d+/);
});

test('-p attaches to a running process; SIGINT leaves a complete file', { skip }, async () => {
  const burn = compileWorkload('burn.c');
  const target = spawn(burn, ['4000'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const out = join(dir, 'attach.data');
    const rec = spawn(process.execPath, [kscope, 'record', '-g', '-p', String(target.pid), '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    rec.stderr.on('data', (d) => (err += d));
    await new Promise((r) => setTimeout(r, 2000));
    rec.kill('SIGINT');
    const code = await new Promise((r) => rec.on('exit', r));
    assert.equal(code, 0, err);
    assert.match(err, /Captured and wrote [\d.]+ MB .*attach\.data \((\d+) samples\)/);
    const stats = perfStats(out);
    assert.ok(stats.SAMPLE > 100, `samples ${stats.SAMPLE}`);
    assert.match(perfScript(out), /leaf_(add|mul)/);
    assert.ok(target.exitCode === null, 'the target keeps running after we detach');
  } finally {
    target.kill();
  }
});

test('pipe mode (-o -) reads in perf; an existing output becomes perf.data.old; exit status passes on', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const r = spawnSync(process.execPath, [kscope, 'record', '-q', '-g', '-o', '-', '--', burn, '100'], { maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr.toString());
  const pipeFile = join(dir, 'pipe.data');
  writeFileSync(pipeFile, r.stdout);
  const rep = runPerf(['report', '--stats', '-i', '-'], r.stdout);
  assert.equal(rep.status, 0, rep.stderr);
  assert.match(rep.stdout, /SAMPLE events:\s+\d+/);
  assert.match(perfScript(pipeFile), /leaf_(add|mul)/);

  const out = join(dir, 'backup.data');
  writeFileSync(out, 'old');
  const s = runKscope(['record', '-q', '-o', out, '--', 'sh', '-c', 'exit 7']);
  assert.equal(s.status, 7);
  assert.equal(readFileSync(`${out}.old`, 'utf8'), 'old');
  assert.ok(existsSync(out));
  perfStats(out);
});

test('-k monotonic_raw: use_clockid in the attr, CLOCKID and CLOCK_DATA as perf prints them', { skip }, () => {
  const f = record('clock', ['-k', 'monotonic_raw', '--', 'true']);
  perfStats(f);
  const h = runPerf(['report', '--header-only', '-I', '-i', f]).stdout;
  assert.match(h, /use_clockid = 1.*clockid = 4/);
  assert.match(h, /# clockid: monotonic_raw \(4\)/);
  assert.match(h, /# clockid frequency: \d+ MHz/);
  assert.doesNotMatch(h, /missing features:.*CLOCK_DATA/);
});

test('-C 1 samples only CPU 1; several events (-e a,b) are told apart by sample identifier', { skip: skip ?? (spawnSync('sh', ['-c', 'grep -q 1 /sys/devices/system/cpu/online']).status !== 0 ? 'needs CPU 1 online' : undefined) }, () => {
  const burn = compileWorkload('burn.c');
  const c1 = record('cpu1', ['-C', '1', '--', burn, '150']);
  perfStats(c1);
  const cpus = new Set(perfScript(c1, ['-F', 'cpu']).split('\n').map((l) => l.trim()).filter(Boolean));
  assert.deepEqual([...cpus], ['[001]']);
  const multi = record('multi', ['-e', 'task-clock,page-faults', '-e', 'context-switches', '--', burn, '150']);
  const r = runPerf(['report', '--stats', '-i', multi]);
  assert.equal(r.stderr.trim(), '');
  assert.match(r.stdout, /task-clock stats:\n\s+SAMPLE events:\s+[1-9]/);
  assert.match(r.stdout, /page-faults stats:\n\s+SAMPLE events:\s+[1-9]/);
  assert.match(runPerf(['evlist', '-i', multi]).stdout, /^task-clock\npage-faults\ncontext-switches\n/);
});

test('BPF programs loaded before recording: KSYMBOL, BPF_EVENT and bpf_prog_info as perf record -a writes them', { skip }, () => {
  const progFd = bpfProgLoad(BPF_PROG_TYPE_SOCKET_FILTER, trivialSocketFilter(), 'kscope_test');
  try {
    const ours = record('bpf', ['-a', '--', 'sleep', '0.1']);
    const theirs = join(dir, 'bpf-perf.data');
    const p = runPerf(['record', '-q', '-a', '-o', theirs, '--', 'sleep', '0.1']);
    assert.equal(p.status, 0, p.stderr);
    perfStats(ours);
    const bpfLines = (f: string) => perfScript(f, ['--show-bpf-events']).split('\n')
      .filter((l) => /PERF_RECORD_(KSYMBOL|BPF_EVENT)/.test(l)).map((l) => l.replace(/^.*?(PERF_RECORD)/, '$1')).sort();
    const a = bpfLines(ours), b = bpfLines(theirs);
    assert.ok(b.some((l) => /KSYMBOL .*type 1 .*name bpf_prog_[0-9a-f]{16}_kscope_test$/.test(l)), b.join('\n'));
    // programs may come and go between the two recordings: compare the ones in both
    const ids = (ls: string[]) => new Set(ls.map((l) => /id (\d+)/.exec(l)?.[1]).filter(Boolean));
    const common = [...ids(a)].filter((id) => ids(b).has(id));
    assert.ok(common.length >= 1);
    assert.deepEqual(a.filter((l) => /BPF_EVENT/.test(l) && common.includes(/id (\d+)/.exec(l)![1])), b.filter((l) => /BPF_EVENT/.test(l) && common.includes(/id (\d+)/.exec(l)![1])));
    assert.ok(a.includes(b.find((l) => /kscope_test$/.test(l))!), 'our KSYMBOL for the test program equals perf\'s');
    const info = (f: string) => runPerf(['report', '--header-only', '-I', '-i', f]).stdout.split('\n').filter((l) => /^# bpf_prog_info|kscope_test/.test(l) && /kscope_test/.test(l));
    assert.deepEqual(info(ours), info(theirs));
    assert.doesNotMatch(runPerf(['report', '--header-only', '-i', ours]).stdout, /missing features:.*BPF_PROG_INFO/);
  } finally {
    closeFd(progFd);
  }
});

test('-p on a multi-threaded node process: the same COMM/FORK/MMAP2 records as perf -p', { skip }, async () => {
  const target = spawn(process.execPath, ['-e', "const {Worker}=require('node:worker_threads');for(let i=0;i<2;i++)new Worker('for(;;){}',{eval:true});setInterval(()=>{},1000)"], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 700));
    const pid = target.pid!;
    const ours = record('node-p', ['-p', String(pid), '--', 'sleep', '0.3']);
    const theirs = join(dir, 'node-p-perf.data');
    const p = runPerf(['record', '-q', '-p', String(pid), '-o', theirs, '--', 'sleep', '0.3']);
    assert.equal(p.status, 0, p.stderr);
    // the synthesized ones (time 0) of the target process
    const lines = (f: string) => perfScript(f, ['--show-task-events', '--show-mmap-events']).split('\n')
      .filter((l) => /PERF_RECORD_(COMM|FORK|MMAP2)/.test(l) && / 0\.000000: /.test(l) && l.includes(`${pid}/`))
      .map((l) => l.trim().replace(/\s+/g, ' '));
    const a = lines(ours), b = lines(theirs);
    assert.ok(b.filter((l) => /COMM/.test(l)).length >= 3, b.join('\n'));
    assert.ok(b.some((l) => /MMAP2 .*\/\/anon/.test(l)), 'anonymous executable maps (the JIT) are synthesized too');
    assert.deepEqual(a, b);
  } finally {
    target.kill();
  }
});

/** kscope report --stats must equal perf's and perf must read the file without a warning. */
function assertComplete(file: string): void {
  const p = perfStats(file);
  assert.ok(p.SAMPLE > 0);
  const k = runKscope(['report', '--stats', '-i', file]), q = runPerf(['report', '--stats', '-i', file]);
  assert.equal(k.status, 0, k.stderr);
  assert.equal(k.stdout, q.stdout);
}

async function recordAndSignal(name: string, signals: { sig: NodeJS.Signals; afterMs: number }[]): Promise<string> {
  const burn = compileWorkload('burn.c');
  const out = join(dir, `${name}.data`);
  const busy = spawn(burn, ['3000'], { stdio: 'ignore' });
  const rec = spawn(process.execPath, [kscope, 'record', '-q', '-a', '-g', '-F', '10000', '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  rec.stderr.on('data', (d) => (err += d));
  let killedBy: string | null = null;
  const exited = new Promise<number | null>((r) => rec.on('exit', (c, sig) => { killedBy = sig; r(c); }));
  try {
    // Time the signals from when recording has begun (the output file exists), not from spawn: on a
    // loaded machine Node's start-up alone can outlast a fixed delay, and a signal before the
    // handlers exist just ends the process, as it would perf.
    for (let waited = 0; !existsSync(out); waited += 20) {
      if (waited > 30000) throw new Error(`kscope record did not start within 30 s: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    let t = 0;
    for (const s of signals) {
      await new Promise((r) => setTimeout(r, s.afterMs - t));
      t = s.afterMs;
      rec.kill(s.sig);
    }
    const code = await exited;
    assert.equal(code, 0, `${err}${killedBy ? `(killed by ${killedBy})` : ''}`);
    assert.equal(err, '');
  } finally {
    busy.kill();
  }
  return out;
}

test('SIGINT under load (-a -g -F 10000, busy workload) leaves a complete file', { skip }, async () => {
  assertComplete(await recordAndSignal('sigint', [{ sig: 'SIGINT', afterMs: 1500 }]));
});

test('SIGTERM leaves a complete file; a second SIGINT during finalization does not corrupt it', { skip }, async () => {
  assertComplete(await recordAndSignal('sigterm', [{ sig: 'SIGTERM', afterMs: 1200 }]));
  assertComplete(await recordAndSignal('sigint2', [{ sig: 'SIGINT', afterMs: 1200 }, { sig: 'SIGINT', afterMs: 1205 }, { sig: 'SIGINT', afterMs: 1260 }, { sig: 'SIGINT', afterMs: 1500 }]));
});

const setprivSkip = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status !== 0 ? 'needs setpriv and root' : undefined;
const asNobody = (args: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, kscope, ...args], { encoding: 'utf8', cwd: tmpdir() });

test('permission messages: paranoid 3 names the value and CAP_PERFMON; tracefs out of reach; unknown tracepoint', { skip: skip ?? setprivSkip }, () => {
  const PARANOID = '/proc/sys/kernel/perf_event_paranoid';
  const saved = readFileSync(PARANOID, 'utf8').trim();
  try {
    writeFileSync(PARANOID, '3\n');
    const r = asNobody(['record', '-q', '-a', '-o', join(tmpdir(), `kscope-nobody-${process.pid}.data`), '--', 'true']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /perf_event_open of \S+ \(pid -1, cpu \d+\) failed: EACCES/);
    assert.match(r.stderr, /perf_event_paranoid is 3/);
    assert.match(r.stderr, /CAP_PERFMON/);
    assert.match(r.stderr, /kernel\.perf_event_paranoid=0/, 'system-wide needs 0');
  } finally {
    writeFileSync(PARANOID, saved + '\n');
  }
  assert.equal(readFileSync(PARANOID, 'utf8').trim(), saved);
  const t = asNobody(['record', '-q', '-e', 'sched:sched_switch', '-o', join(tmpdir(), `kscope-nobody-${process.pid}.data`), '--', 'true']);
  assert.equal(t.status, 1);
  assert.match(t.stderr, /cannot access tracefs at \S+: permission denied\n\s+hint: tracepoints need root/);
  const u = runKscope(['record', '-q', '-a', '-e', 'sched:no_such_tp', '-o', join(dir, 'tp.data'), '--', 'true']);
  assert.equal(u.status, 1);
  assert.match(u.stderr, /unknown tracepoint sched:no_such_tp: \S+\/events\/sched\/no_such_tp\/id does not exist\n\s+hint: list tracepoints with 'ls \S+\/events'/);
});

test('a missing tracefs that cannot be mounted: the message says where we looked and how to mount it', () => {
  assert.throws(() => locateTracefs(['/nonexistent/tracing'], '/nonexistent/mnt'), (err: unknown) => {
    assert.ok(err instanceof KscopeError);
    assert.match(err.message, /tracefs is not mounted \(looked in \/nonexistent\/tracing\) and mounting it failed/);
    assert.match(err.hint!, /mount -t tracefs nodev \/nonexistent\/mnt/);
    return true;
  });
});

test('-e cycles without a PMU falls back to cpu-clock with perf\'s -v notice', { skip }, () => {
  const ours = runKscope(['record', '-v', '-e', 'cycles', '-o', join(dir, 'cycles.data'), '--', 'true']);
  assert.equal(ours.status, 0, ours.stderr);
  const theirs = runPerf(['record', '-v', '-e', 'cycles', '-o', join(dir, 'cycles-perf.data'), '--', 'true']);
  const notice = /Warning:\nThe cycles event is not supported, trying to fall back to cpu-clock-ticks\n/;
  if (!notice.test(theirs.stderr)) return; // a machine with a PMU: nothing to fall back from
  assert.match(ours.stderr, notice);
  assert.match(runPerf(['evlist', '-i', join(dir, 'cycles.data')]).stdout, /^cpu-clock$/m);
});
