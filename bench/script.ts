// `kscope script` vs `perf script`, in one run: best-of-N wall time and peak RSS of each (Node
// start-up included) and their ratios, on
//   - the ~100 MB system-wide recording with call chains (perf record -a -g -F 20000; the same
//     cached file bench/report-stats.ts makes and uses), and
//   - the standard tracepoints recording (sched_switch + sys_enter_write, print fmt evaluation).
// Output goes to /dev/null while timing; a separate run per tool checks the texts agree (line
// count and how many lines differ, for the large one by hashing in a pipeline).
//   npm run build && node dist/bench/script.js [--reps N] [--file perf.data]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool, repoRoot, standardRecordings } from '../test/helpers/fixtures.js';
import { benchRecording, opt } from './common.js';

const reps = Number(opt('--reps', '3'));

/** Runs a command under /usr/bin/time with stdout to /dev/null; wall seconds, CPU seconds and peak RSS in KiB. */
function measure(cmd: string[]): { secs: number; cpu: number; rssKb: number } {
  const nul = openSync('/dev/null', 'w');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...cmd], { stdio: ['ignore', nul, 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
    const last = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return { secs: last[0], cpu: last[1] + last[2], rssKb: last[3] };
  } finally { closeSync(nul); }
}

/** Lines of both outputs and how many differ (a diff of the two texts, in a shell pipeline). */
function agreement(perf: string[], kscope: string[]): string {
  const q = (c: string[]) => c.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const sh = `diff <(${q(perf)} 2>/dev/null) <(${q(kscope)}) | grep -c '^<'; ${q(perf)} 2>/dev/null | wc -l`;
  const r = spawnSync('bash', ['-c', sh], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const [differ, lines] = r.stdout.trim().split('\n');
  return `${differ} of ${lines} perf lines differ`;
}

function bench(label: string, file: string): void {
  const mb = statSync(file).size / 1e6;
  const kscope = [process.execPath, join(repoRoot, 'bin/kscope.js'), 'script', '-i', file];
  const perf = ['perf', 'script', '-i', file];
  measure(perf); measure(kscope); // warm the page cache
  let pBest = Infinity, kBest = Infinity, pCpu = Infinity, kCpu = Infinity, pRss = 0, kRss = 0;
  for (let i = 0; i < reps; i++) {
    const p = measure(perf), k = measure(kscope);
    pBest = Math.min(pBest, p.secs); kBest = Math.min(kBest, k.secs);
    pCpu = Math.min(pCpu, p.cpu); kCpu = Math.min(kCpu, k.cpu);
    pRss = Math.max(pRss, p.rssKb); kRss = Math.max(kRss, k.rssKb);
  }
  console.log(`script on ${label}: ${file} (${mb.toFixed(1)} MB), best of ${reps}:`);
  console.log(`  perf   ${pBest.toFixed(3)} s (cpu ${pCpu.toFixed(2)} s)  peak RSS ${(pRss / 1024).toFixed(1)} MiB`);
  console.log(`  kscope ${kBest.toFixed(3)} s (cpu ${kCpu.toFixed(2)} s)  peak RSS ${(kRss / 1024).toFixed(1)} MiB`);
  console.log(`  time ratio kscope/perf ${(kBest / Math.max(pBest, 0.001)).toFixed(2)}x (cpu ${(kCpu / Math.max(pCpu, 0.001)).toFixed(2)}x), RSS ratio ${(kRss / pRss).toFixed(2)}x; ${agreement(perf, kscope)}`);
}

function main(): void {
  if (!hasTool('perf') || !existsSync('/usr/bin/time')) {
    console.log('skipped: needs Linux perf and /usr/bin/time');
    return;
  }
  const node = Math.min(...Array.from({ length: 3 }, () => measure([process.execPath, '-e', '0']).secs));
  console.log(`bare node start-up ${node.toFixed(3)} s`);
  bench('tracepoints', standardRecordings().tracepoints);
  bench('system-wide -g', benchRecording());
}

main();
