// What the benchmarks share: the large system-wide recording they run on, and one timed run of a
// command (wall time and peak RSS through GNU time).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { compileWorkload } from '../test/helpers/fixtures.js';

export const benchArgs = process.argv.slice(2);
/** The value after `--name` on the command line, or `dflt`. */
export function opt(name: string, dflt: string): string {
  const i = benchArgs.indexOf(name);
  return i >= 0 ? benchArgs[i + 1] : dflt;
}

const cache = process.env.KSCOPE_FIXTURE_CACHE ?? '/work/fixture-cache';

/**
 * `--file F` when given; else a ~100 MB system-wide recording with call chains (perf record -a -g
 * -F 20000 while two burn workloads run for 10 s), made once and cached under $KSCOPE_FIXTURE_CACHE/bench.
 */
export function benchRecording(): string {
  const given = opt('--file', '');
  if (given) return given;
  const dir = join(cache, 'bench');
  const out = join(dir, 'system-g-100mb.data');
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const burn = compileWorkload('burn.c');
  const tmp = `${out}.${process.pid}.tmp`;
  process.stderr.write(`making ${out} (perf record -a -g -F 20000, ~10 s)...\n`);
  const r = spawnSync('perf', ['record', '-q', '-a', '-g', '-F', '20000', '-o', tmp, '--', 'sh', '-c', `${burn} 10000 & ${burn} 10000 & wait`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`perf record failed (${r.status})`);
  renameSync(tmp, out);
  return out;
}

/** Runs a command once under /usr/bin/time: wall seconds, peak RSS in KiB, and its stdout. */
/** Wall time, peak RSS and CPU time (user + system, all threads; steadier than wall time on a shared machine) of a command, and its stdout. */
export function measure(cmd: string[]): { secs: number; rssKb: number; cpuSecs: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  const last = r.stderr.trim().split('\n').pop()!.split(' ');
  return { secs: Number(last[0]), rssKb: Number(last[1]), cpuSecs: Number(last[2]) + Number(last[3]), stdout: r.stdout };
}
