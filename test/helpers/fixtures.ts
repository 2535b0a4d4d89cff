// Recordings and binaries made by the real tools on this machine, at test time (CONVENTIONS.md 11).
// Each is built once per machine into a cache folder keyed by its command, so test files share
// them. When a tool is missing, `skipReason` says so and tests skip visibly.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPerfData } from '../../src/formats/perfdata/index.js';
import { rewriteToFile } from '../../src/formats/perfdata/rewrite.js';
import { PerfSample } from '../../src/formats/perfdata/sample.js';
import { RecordType } from '../../src/formats/perfdata/constants.js';
import { FileSource } from '../../src/util/byte-source.js';
import { FileSink } from '../../src/util/byte-sink.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const workloadsDir = join(repoRoot, 'test/workloads');
export const cacheDir = process.env.KSCOPE_FIXTURE_CACHE ?? join(repoRoot, 'dist/fixture-cache');

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

let perfCheck: string | undefined | null = null;
/** Why perf recordings can't be made here, or undefined when they can. */
export function perfSkipReason(): string | undefined {
  if (perfCheck !== null) return perfCheck;
  if (!hasTool('perf')) return (perfCheck = 'Linux perf is not installed (apt-get install linux-perf)');
  const r = spawnSync('perf', ['record', '-q', '-o', '/dev/null', '-e', 'cpu-clock', '--', 'true'], { encoding: 'utf8' });
  perfCheck = r.status === 0 ? undefined : `perf record does not work here: ${(r.stderr || '').trim().split('\n')[0]}`;
  return perfCheck;
}

function key(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** Compiles test/workloads/NAME (.c or .cc) with the given flags; returns the binary's path. */
export function compileWorkload(source: string, flags: string[] = ['-O1', '-g', '-fno-omit-frame-pointer']): string {
  const src = join(workloadsDir, source);
  const out = join(cacheDir, 'bin', `${source.replace(/\W/g, '_')}-${key([flags])}`);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const cc = source.endsWith('.c') ? 'gcc' : 'g++';
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync(cc, [...flags, '-o', tmp, src], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(tmp, out);
  return out;
}

/**
 * Runs `perf ARGS` once (cached by ARGS) with `-o FILE` appended after the subcommand, returning
 * the output file. `{out}` in args is not needed; use `pipe: true` for `perf record -o -`, whose
 * stdout becomes the file.
 */
export function perfRecording(name: string, args: string[], opts: { pipe?: boolean; env?: NodeJS.ProcessEnv } = {}): string {
  const out = join(cacheDir, 'perf', `${name}-${key([args, opts.pipe])}.data`);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const [sub, ...rest] = args;
  const full = [sub, '-o', opts.pipe ? '-' : tmp, ...rest];
  const r = spawnSync('perf', full, {
    env: { ...process.env, ...opts.env },
    maxBuffer: 1 << 30,
    stdio: ['ignore', opts.pipe ? 'pipe' : 'ignore', 'pipe'],
  });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`perf ${full.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  }
  if (opts.pipe) {
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', tmp], { input: r.stdout });
  }
  renameSync(tmp, out);
  return out;
}

/** Runs Linux perf and returns its stdout (stderr is returned too, for warnings). */
export function runPerf(args: string[], input?: Buffer): { stdout: string; stderr: string; status: number } {
  const r = spawnSync('perf', args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

/** Runs kscope's built CLI and returns its output. */
export function runKscope(args: string[], input?: Buffer): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/kscope.js'), ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

/** The standard set of recordings the perf.data issues test against, keyed by a short name. */
export function standardRecordings(): Record<string, string> {
  const burn = compileWorkload('burn.c');
  return {
    fp: perfRecording('fp', ['record', '-g', '-F', '2000', '--', burn, '300']),
    dwarf: perfRecording('dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', burn, '200']),
    tracepoints: perfRecording('tracepoints', ['record', '-a', '-e', 'sched:sched_switch', '-e', 'syscalls:sys_enter_write', '--', burn, '200']),
    pipe: perfRecording('pipe', ['record', '-g', '-F', '1000', '--', burn, '200'], { pipe: true }),
    zstd: perfRecording('zstd', ['record', '-z', '-g', '-F', '2000', '--', burn, '300']),
    system: perfRecording('system', ['record', '-a', '-g', '-F', '1000', '--', burn, '300']),
    node: perfRecording('node', ['record', '-g', '-F', '1000', '--', process.execPath, '--perf-basic-prof', '-e',
      'let s=0; const t=process.cpuUsage(); function hot(i){return Math.sqrt(i)*Math.sin(i)} while(process.cpuUsage(t).user<300e3){for(let i=0;i<1e5;i++)s+=hot(i)} console.log(s>0)']),
    stat: perfRecording('stat', ['stat', 'record', '-e', 'task-clock,context-switches,page-faults', '--', burn, '100']),
  };
}

// DSOs whose processes are cut out of the system-wide recording for the srcline tests (the
// recording catches whatever else ran on the machine, the test runner included):
// - node: perf's addr2line over the node binary's 99 MB of debug info takes minutes;
// - /usr/bin/perf (stripped, .dynsym only): binutils answers "FUNC / ??:?" for some addresses and
//   perf 6.1 reads that line-0 record as its sentinel, so its pipe to addr2line falls out of step
//   and the srclines it prints depend on the order of earlier queries;
// - /memfd:... (deleted) (chromium): addr2line cannot open it and exits, and perf dies of SIGPIPE.
export const UNSTABLE_SRCLINE_DSOS = /(^|\/)(node|perf)$|libnode\.so|^\/memfd:/;

/**
 * A copy of a recording (in the fixture cache) without the samples of the processes that ran in a
 * DSO matching `dso`: the system-wide recording catches the test runner, and perf's addr2line over
 * the node binary's 99 MB of debug info takes it minutes (perf computes srclines even for samples
 * --pid hides), so the srcline tests compare kscope and perf on this copy. Written with kscope's
 * own writer, whose output perf reads as it reads the original (test/perfdata-*.test.ts).
 */
export function recordingAvoiding(rec: string, dso: RegExp): string {
  const out = rec.replace(/\.data$/, `-no-${createHash('sha1').update(dso.source).digest('hex').slice(0, 8)}.data`);
  if (existsSync(out)) return out;
  const r = runPerf(['script', '-F', 'pid,ip,dso', '-i', rec]);
  if (r.status !== 0) throw new Error(`perf script -F pid,ip,dso failed: ${r.stderr}`);
  const bad = new Set<number>();
  let pid = 0, kept = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(-?\d+)\s*$/.exec(line);
    if (m) { pid = Number(m[1]); continue; }
    const d = / \(([/[].*)\)\s*$/.exec(line); // " (/path (deleted))", " ([kernel.kallsyms])"
    if (d && dso.test(d[1])) bad.add(pid);
  }
  const input = openPerfData(new FileSource(rec));
  const sample = new PerfSample();
  const tmp = `${out}.${process.pid}.tmp`;
  const sink = new FileSink(tmp);
  try {
    rewriteToFile(input, sink, {
      keep: (x) => {
        if (x.type !== RecordType.SAMPLE) return true;
        if (bad.has(input.decodeSample(x, sample).pid)) return false;
        kept++;
        return true;
      },
    });
  } finally {
    sink.close();
    input.close();
  }
  if (!kept) throw new Error(`${rec}: every sample is of a process that ran in a DSO matching ${dso}`);
  renameSync(tmp, out);
  return out;
}
