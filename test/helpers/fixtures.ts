// Recordings and binaries made by the real tools on this machine, at test time (CONVENTIONS.md 11).
// Each is built once per machine into a cache folder keyed by its command, so test files share
// them. When a tool is missing, `skipReason` says so and tests skip visibly.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * The pids of a recording none of whose sampled frames (callchains included) is in a DSO matching
 * `dso`, as a comma list for --pid. Used to keep perf's addr2line off huge binaries (the node
 * binary with its debug info takes perf minutes) in srcline tests on system-wide recordings,
 * which catch whatever else ran, the test runner included.
 */
export function pidsAvoiding(rec: string, dso: RegExp): string {
  const r = runPerf(['script', '-F', 'pid,ip,dso', '-i', rec]);
  if (r.status !== 0) throw new Error(`perf script -F pid,ip,dso failed: ${r.stderr}`);
  const all = new Set<string>(), bad = new Set<string>();
  let pid = '';
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(-?\d+)\s*$/.exec(line);
    if (m) { pid = m[1]; all.add(pid); continue; }
    const d = /\(([^()]*)\)\s*$/.exec(line);
    if (d && dso.test(d[1])) bad.add(pid);
  }
  const keep = [...all].filter((p) => !bad.has(p) && p !== '-1');
  if (!keep.length) throw new Error(`${rec}: every sampled process ran in a DSO matching ${dso}`);
  return keep.join(',');
}
