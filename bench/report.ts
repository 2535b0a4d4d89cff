// `kscope report` vs `perf report` on a ~100 MB system-wide recording with call chains, in one run:
// the same sort keys and modes for both (default children with call graphs, --no-children -g none,
// --children -g none, --sort dso,sym -g none), best-of-N wall and CPU time (user + system) and peak
// RSS of each (Node start-up included), and ratios. CPU time is the steadier figure on a shared machine.
//   npm run build && node dist/bench/report.js [--reps N] [--file perf.data] [--only NAME]
// The recording is bench/report-stats.ts's (perf record -a -g -F 20000 with two burn workloads),
// cached under $KSCOPE_FIXTURE_CACHE/bench.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool, repoRoot } from '../test/helpers/fixtures.js';
import { benchRecording, measure, opt } from './common.js';

const reps = Number(opt('--reps', '3'));
const only = opt('--only', '');

/** Report rows (percentages and key columns, spaces collapsed), without call-graph lines and comments. */
function rows(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+\d+\.\d+%/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim());
}

const CASES: [string, string[]][] = [
  ['default (children, graph)', []],
  ['--no-children -g none', ['--no-children', '-g', 'none']],
  ['--children -g none', ['--children', '-g', 'none']],
  ['--sort dso,sym -g none', ['--sort', 'dso,sym', '-g', 'none']],
];

function main(): void {
  if (!hasTool('perf') || !existsSync('/usr/bin/time')) {
    console.log('skipped: needs Linux perf and /usr/bin/time');
    return;
  }
  const file = benchRecording();
  const mb = statSync(file).size / 1e6;
  const node = Math.min(...Array.from({ length: 3 }, () => measure([process.execPath, '-e', '0']).secs));
  console.log(`report on ${file} (${mb.toFixed(1)} MB), best of ${reps}; bare node start-up ${node.toFixed(3)} s`);
  for (const [name, extra] of CASES) {
    if (only && !name.includes(only)) continue;
    const kscope = [process.execPath, join(repoRoot, 'bin/kscope.js'), 'report', '--stdio', '-i', file, ...extra];
    const perf = ['perf', 'report', '--stdio', '-i', file, ...extra];
    const p0 = measure(perf), k0 = measure(kscope); // warms the page cache; compares the rows
    const pr = rows(p0.stdout), kr = rows(k0.stdout);
    const krs = new Set(kr);
    const same = pr.filter((r) => krs.has(r)).length;
    let pBest = p0.secs, kBest = k0.secs, pCpu = p0.cpuSecs, kCpu = k0.cpuSecs, pRss = p0.rssKb, kRss = k0.rssKb;
    for (let i = 1; i < reps; i++) {
      const p = measure(perf), k = measure(kscope);
      pBest = Math.min(pBest, p.secs); kBest = Math.min(kBest, k.secs);
      pCpu = Math.min(pCpu, p.cpuSecs); kCpu = Math.min(kCpu, k.cpuSecs);
      pRss = Math.max(pRss, p.rssKb); kRss = Math.max(kRss, k.rssKb);
    }
    console.log(`${name}:`);
    console.log(`  perf   ${pBest.toFixed(2)} s  cpu ${pCpu.toFixed(2)} s  peak RSS ${(pRss / 1024).toFixed(1)} MiB`);
    console.log(`  kscope ${kBest.toFixed(2)} s  cpu ${kCpu.toFixed(2)} s  peak RSS ${(kRss / 1024).toFixed(1)} MiB`);
    console.log(`  ratios kscope/perf: time ${(kBest / Math.max(pBest, 0.001)).toFixed(2)}x, cpu ${(kCpu / Math.max(pCpu, 0.001)).toFixed(2)}x, RSS ${(kRss / pRss).toFixed(2)}x; rows identical ${same}/${pr.length} (kscope ${kr.length})`);
  }
}

main();
