// Recording overhead: a fixed amount of CPU work run bare, under `perf record -F 4000 -g` and under
// `kscope record -F 4000 -g`, in one run. Prints best-of-N wall time, each slowdown against the
// bare run, the recorder's own CPU time, samples and lost records.
//   npm run build && node dist/bench/record.js [--reps N] [--iters N]
// The workload (fixed work, unlike burn.c's fixed time) is compiled once into the fixture cache.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, repoRoot } from '../test/helpers/fixtures.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const reps = Number(opt('--reps', '3'));
const iters = opt('--iters', '300000');
const cache = process.env.KSCOPE_FIXTURE_CACHE ?? '/work/fixture-cache';

const SOURCE = `/* fixed CPU work: main -> run -> work_a/work_b -> leaf */
#include <stdio.h>
#include <stdlib.h>
static volatile unsigned long sink;
__attribute__((noinline)) unsigned long leaf(unsigned long x) { for (int i = 0; i < 2000; i++) x = x * 6364136223846793005UL + 1; return x; }
__attribute__((noinline)) unsigned long work_a(unsigned long x) { return leaf(x) + 1; }
__attribute__((noinline)) unsigned long work_b(unsigned long x) { return leaf(x) ^ leaf(x + 1); }
__attribute__((noinline)) void run(long n) { for (long i = 0; i < n; i++) sink += work_a(i) + work_b(i); }
int main(int argc, char **argv) { run(argc > 1 ? atol(argv[1]) : 40000); printf("%lu\\n", sink & 1); return 0; }
`;

function workload(): string {
  const dir = join(cache, 'bench');
  const bin = join(dir, 'record-work');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${bin}.c`, SOURCE);
  const r = spawnSync('gcc', ['-O1', '-g', '-fno-omit-frame-pointer', '-o', bin, `${bin}.c`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('gcc failed');
  return bin;
}

/** Wall seconds and the CPU seconds (user+sys) of the whole command, children included. */
function measure(cmd: string[]): { secs: number; cpu: number; stderr: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr)!;
  return { secs: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), stderr: r.stderr };
}

function stats(file: string): { samples: number; lost: number } {
  const r = spawnSync('perf', ['report', '--stats', '-i', file], { encoding: 'utf8' });
  const agg = r.stdout.split(/Aggregated stats:\n/)[1]?.split(/ stats:\n/)[0] ?? '';
  const n = (k: string) => Number(new RegExp(`${k} events:\\s+(\\d+)`).exec(agg)?.[1] ?? 0);
  return { samples: n('SAMPLE'), lost: n('LOST') + n('LOST_SAMPLES') };
}

function main(): void {
  if (!hasTool('perf') || !existsSync('/usr/bin/time')) {
    console.log('skipped: needs Linux perf and /usr/bin/time');
    return;
  }
  const bin = workload();
  const dir = mkdtempSync(join(tmpdir(), 'kscope-bench-'));
  try {
    const runs = {
      bare: [bin, iters],
      perf: ['perf', 'record', '-q', '-F', '4000', '-g', '-o', join(dir, 'perf.data'), '--', bin, iters],
      kscope: [process.execPath, join(repoRoot, 'bin/kscope.js'), 'record', '-q', '-F', '4000', '-g', '-o', join(dir, 'kscope.data'), '--', bin, iters],
    };
    const best: Record<string, { secs: number; cpu: number }> = {};
    for (let i = 0; i < reps; i++) {
      for (const [k, cmd] of Object.entries(runs)) {
        const m = measure(cmd);
        if (!best[k] || m.secs < best[k].secs) best[k] = m;
      }
    }
    const workCpu = best.bare.cpu;
    console.log(`recording ${bin} ${iters} (fixed work), best of ${reps}:`);
    console.log(`  bare    ${best.bare.secs.toFixed(3)} s`);
    for (const k of ['perf', 'kscope']) {
      const s = stats(join(dir, `${k}.data`));
      const b = best[k];
      console.log(`  ${k.padEnd(7)} ${b.secs.toFixed(3)} s  slowdown x${(b.secs / best.bare.secs).toFixed(3)}  ` +
        `recorder CPU ~${Math.max(0, b.cpu - workCpu).toFixed(3)} s  samples ${s.samples}  lost ${s.lost}`);
    }
    console.log(`  kscope/perf wall ratio x${(best.kscope.secs / best.perf.secs).toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
