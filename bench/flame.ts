// `kscope flame -o - (folded)` vs `perf script -s stackcollapse.py` on a large system-wide recording
// with call chains, in one run: best-of-N wall time and peak RSS of each (Node start-up included),
// ratios, and how many folded lines agree; then kscope's other formats (html, pprof, speedscope,
// written to files under the OS temp directory) against the same perf numbers.
//   npm run build && node dist/bench/flame.js [--reps N] [--file perf.data]
// Without --file it uses (and if needed makes) the recording bench/report-stats.ts uses:
// $KSCOPE_FIXTURE_CACHE/bench/system-g-100mb.data (perf record -a -g -F 20000, two burn workloads).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, repoRoot } from '../test/helpers/fixtures.js';
import { benchRecording, measure, opt } from './common.js';

const reps = Number(opt('--reps', '3'));

function main(): void {
  if (!hasTool('perf') || !existsSync('/usr/bin/time')) {
    console.log('skipped: needs Linux perf and /usr/bin/time');
    return;
  }
  const sc = join(spawnSync('perf', ['--exec-path'], { encoding: 'utf8' }).stdout.trim(), 'scripts/python/stackcollapse.py');
  const file = benchRecording();
  const mb = statSync(file).size / 1e6;
  const kscope = [process.execPath, join(repoRoot, 'bin/kscope.js'), 'flame', '-i', file, '-o', '-'];
  const perf = ['perf', 'script', '-s', sc, '-i', file];
  const p0 = measure(perf), k0 = measure(kscope);
  const pl = new Set(p0.stdout.split('\n')), kl = k0.stdout.split('\n');
  const same = kl.filter((l) => pl.has(l)).length;
  let pBest = p0.secs, kBest = k0.secs, pCpu = p0.cpuSecs, kCpu = k0.cpuSecs, pRss = p0.rssKb, kRss = k0.rssKb;
  for (let i = 1; i < reps; i++) {
    const p = measure(perf), k = measure(kscope);
    pBest = Math.min(pBest, p.secs); kBest = Math.min(kBest, k.secs);
    pCpu = Math.min(pCpu, p.cpuSecs); kCpu = Math.min(kCpu, k.cpuSecs);
    pRss = Math.max(pRss, p.rssKb); kRss = Math.max(kRss, k.rssKb);
  }
  console.log(`flame (folded) on ${file} (${mb.toFixed(1)} MB), best of ${reps}:`);
  console.log(`  perf script -s stackcollapse.py ${pBest.toFixed(3)} s (cpu ${pCpu.toFixed(2)} s)  peak RSS ${(pRss / 1024).toFixed(1)} MiB`);
  console.log(`  kscope flame -o -               ${kBest.toFixed(3)} s (cpu ${kCpu.toFixed(2)} s)  peak RSS ${(kRss / 1024).toFixed(1)} MiB`);
  console.log(`  time ratio kscope/perf ${(kBest / Math.max(pBest, 0.001)).toFixed(2)}x (cpu ${(kCpu / Math.max(pCpu, 0.001)).toFixed(2)}x), RSS ratio ${(kRss / pRss).toFixed(2)}x, ` +
    `${same}/${pl.size - 1} of perf's lines equal`);
  const dir = mkdtempSync(join(tmpdir(), 'kscope-bench-flame-'));
  try {
    for (const [format, name] of [['folded', 'out.folded'], ['html', 'out.html'], ['pprof', 'out.pb.gz'], ['speedscope', 'out.json']]) {
      const cmd = [process.execPath, join(repoRoot, 'bin/kscope.js'), 'flame', '-i', file, '--format', format, '-o', join(dir, name)];
      let secs = Infinity, rss = 0;
      for (let i = 0; i < reps; i++) {
        const m = measure(cmd);
        secs = Math.min(secs, m.secs);
        rss = Math.max(rss, m.rssKb);
      }
      console.log(`  kscope flame --format ${format.padEnd(10)} -o FILE ${secs.toFixed(3)} s  peak RSS ${(rss / 1024).toFixed(1)} MiB  ` +
        `(time ${(secs / Math.max(pBest, 0.001)).toFixed(2)}x, RSS ${(rss / pRss).toFixed(2)}x perf's)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
