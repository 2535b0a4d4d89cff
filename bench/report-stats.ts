// `kscope report --stats` vs `perf report --stats` on a ~100 MB system-wide recording with call
// chains, in one run: best-of-N wall time and peak RSS of each (Node start-up included), and ratios.
//   npm run build && node dist/bench/report-stats.js [--reps N] [--file perf.data]
// The recording is made once (perf record -a -g -F 20000 while two burn workloads run) and cached
// under $KSCOPE_FIXTURE_CACHE/bench (default /work/fixture-cache/bench).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileWorkload, hasTool, repoRoot } from '../test/helpers/fixtures.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const reps = Number(opt('--reps', '5'));
const cache = process.env.KSCOPE_FIXTURE_CACHE ?? '/work/fixture-cache';

/** The cached ~100 MB system-wide -g recording (made once). */
export function benchRecording(): string {
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

/** Runs a command under /usr/bin/time; returns wall seconds and peak RSS in KiB. */
function measure(cmd: string[]): { secs: number; rssKb: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  const last = r.stderr.trim().split('\n').pop()!.split(' ');
  return { secs: Number(last[0]), rssKb: Number(last[1]), stdout: r.stdout };
}

function main(): void {
  if (!hasTool('perf') || !existsSync('/usr/bin/time')) {
    console.log('skipped: needs Linux perf and /usr/bin/time');
    return;
  }
  const file = opt('--file', '') || benchRecording();
  const mb = statSync(file).size / 1e6;
  const kscope = [process.execPath, join(repoRoot, 'bin/kscope.js'), 'report', '--stats', '-i', file];
  const perf = ['perf', 'report', '--stats', '-i', file];
  const p0 = measure(perf), k0 = measure(kscope); // warm the page cache; check the outputs agree
  if (p0.stdout !== k0.stdout) console.log('WARNING: outputs differ');
  let pBest = Infinity, kBest = Infinity, pRss = 0, kRss = 0;
  for (let i = 0; i < reps; i++) {
    const p = measure(perf), k = measure(kscope);
    pBest = Math.min(pBest, p.secs); kBest = Math.min(kBest, k.secs);
    pRss = Math.max(pRss, p.rssKb); kRss = Math.max(kRss, k.rssKb);
  }
  const node = Math.min(...Array.from({ length: 3 }, () => measure([process.execPath, '-e', '0']).secs));
  console.log(`report --stats on ${file} (${mb.toFixed(1)} MB), best of ${reps}:`);
  console.log(`  perf   ${pBest.toFixed(3)} s  peak RSS ${(pRss / 1024).toFixed(1)} MiB`);
  console.log(`  kscope ${kBest.toFixed(3)} s  peak RSS ${(kRss / 1024).toFixed(1)} MiB  (bare node start-up ${node.toFixed(3)} s)`);
  console.log(`  time ratio kscope/perf ${(kBest / Math.max(pBest, 0.001)).toFixed(2)}x, RSS ratio ${(kRss / pRss).toFixed(2)}x, outputs ${p0.stdout === k0.stdout ? 'equal' : 'DIFFER'}`);
}

if (process.argv[1]?.endsWith('report-stats.js')) main();
