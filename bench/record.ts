// Recording overhead: a fixed amount of CPU work run bare, under `perf record -F 4000 -g` and under
// `kscope record -F 4000 -g`, in one run. Prints best-of-N wall time, each slowdown against the
// bare run, the recorder's own CPU time, samples and lost records.
// Then a frequency sweep (-F 4000, 8000, ... up to kernel.perf_event_max_sample_rate, which is
// raised to --max-rate for the run when it is lower and we may write it, and restored after): per
// step and tool, samples, lost samples, THROTTLE records and slowdown, and the highest -F at which
// each tool lost nothing. The kernel lowers perf_event_max_sample_rate by itself when sampling
// interrupts take more than perf_cpu_time_max_percent of the CPU: the sweep prints it per step.
//   npm run build && node dist/bench/record.js [--reps N] [--iters N] [--sweep-iters N] [--max-rate HZ] [--no-sweep]
// The workload (fixed work, unlike burn.c's fixed time) is compiled once into the fixture cache.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, repoRoot } from '../test/helpers/fixtures.js';
import { openPerfData } from '../src/formats/perfdata/reader.js';
import { RecordType } from '../src/formats/perfdata/constants.js';
import { FileSource } from '../src/util/byte-source.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const reps = Number(opt('--reps', '3'));
const iters = opt('--iters', '300000');
const sweepIters = opt('--sweep-iters', '40000');
const maxRateWanted = Number(opt('--max-rate', '100000'));
const sweep = !args.includes('--no-sweep');
const cache = process.env.KSCOPE_FIXTURE_CACHE ?? '/work/fixture-cache';
const MAX_RATE = '/proc/sys/kernel/perf_event_max_sample_rate';
const CPU_PCT = '/proc/sys/kernel/perf_cpu_time_max_percent';

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

/** perf report --stats counts (it must read the file); lost samples and THROTTLEs from our own reader. */
function stats(file: string): { samples: number; lost: number; lostRecords: number; throttles: number } {
  const r = spawnSync('perf', ['report', '--stats', '-i', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`perf report --stats -i ${file}: ${r.stderr}`);
  const agg = r.stdout.split(/Aggregated stats:\n/)[1]?.split(/ stats:\n/)[0] ?? '';
  const samples = Number(/^\s*SAMPLE events:\s+(\d+)/m.exec(agg)?.[1] ?? 0);
  // LOST.lost (ring buffer full) + LOST_SAMPLES.lost (samples the kernel dropped): samples, not records
  let lost = 0, lostRecords = 0, throttles = 0;
  const src = new FileSource(file);
  try {
    openPerfData(src).scanRecords((type, buf, pos) => {
      const v = new DataView(buf.buffer, buf.byteOffset + pos);
      if (type === RecordType.LOST) { lostRecords++; lost += Number(v.getBigUint64(16, true)); }
      else if (type === RecordType.LOST_SAMPLES) { lostRecords++; lost += Number(v.getBigUint64(8, true)); }
      else if (type === RecordType.THROTTLE) throttles++;
    });
  } finally {
    src.close();
  }
  return { samples, lost, lostRecords, throttles };
}

function readNum(path: string): number | undefined {
  try { return Number(readFileSync(path, 'utf8').trim()); } catch { return undefined; }
}

function writeNum(path: string, n: number): boolean {
  try { writeFileSync(path, `${n}\n`); return readNum(path) === n; } catch { return false; }
}

/** -F sweep: one run per step and tool (one, to keep the bench under a few minutes). */
function frequencySweep(bin: string, dir: string): void {
  const original = readNum(MAX_RATE);
  if (original === undefined) { console.log('sweep skipped: no ' + MAX_RATE); return; }
  let limit = original;
  if (original < maxRateWanted && writeNum(MAX_RATE, maxRateWanted)) limit = maxRateWanted;
  try {
    const steps = [4000, 8000, 16000, 32000, 50000, 100000, 200000].filter((f) => f <= limit);
    if (!steps.includes(limit) && limit > steps[steps.length - 1]) steps.push(limit);
    console.log(`\n-F sweep with -g (${bin} ${sweepIters}; perf_event_max_sample_rate ${limit}${limit !== original ? `, raised from ${original}` : ''}, ` +
      `perf_cpu_time_max_percent ${readNum(CPU_PCT) ?? '?'}):`);
    let bare = Infinity;
    for (let i = 0; i < 2; i++) bare = Math.min(bare, measure([bin, sweepIters]).secs);
    console.log(`  bare ${bare.toFixed(3)} s`);
    console.log('  -F        tool    samples  samples/s    lost (records)  throttle  slowdown  max_rate after');
    const clean: Record<string, number> = { perf: 0, kscope: 0 };
    for (const f of steps) {
      // the kernel may have lowered the limit during the last step: put it back so each step asks for what it says
      if ((readNum(MAX_RATE) ?? limit) < limit) writeNum(MAX_RATE, limit);
      for (const tool of ['perf', 'kscope']) {
        const out = join(dir, `sweep-${tool}.data`);
        const rec = tool === 'perf' ? ['perf', 'record'] : [process.execPath, join(repoRoot, 'bin/kscope.js'), 'record'];
        const m = measure([...rec, '-q', '-F', String(f), '-g', '-o', out, '--', bin, sweepIters]);
        const s = stats(out);
        const rate = s.samples / m.secs; // per second of the recorded run (the kernel lowers periods under load)
        if (s.lost === 0 && f > clean[tool]) clean[tool] = f;
        console.log(`  ${String(f).padEnd(9)} ${tool.padEnd(7)} ${String(s.samples).padStart(7)}  ${rate.toFixed(0).padStart(9)}  ${String(s.lost).padStart(7)} (${String(s.lostRecords).padStart(5)})  ` +
          `${String(s.throttles).padStart(8)}  x${(m.secs / bare).toFixed(3).padEnd(7)} ${readNum(MAX_RATE) ?? '?'}`);
      }
    }
    console.log(`  highest -F without lost samples: perf ${clean.perf || 'none'}, kscope ${clean.kscope || 'none'}`);
  } finally {
    if (readNum(MAX_RATE) !== original) writeNum(MAX_RATE, original);
  }
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
    if (sweep) frequencySweep(bin, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
