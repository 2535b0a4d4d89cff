// kscope addr2line vs binutils addr2line vs llvm-symbolizer on the same addresses of the same
// binaries, in one run (CONVENTIONS.md 15): libsqlite3.so (SQLite amalgamation, -O2 -g) and a
// generated 40-unit C++ program. Each tool is one process reading every address on stdin; we
// print wall time, CPU time (user+sys; steadier on a shared machine) and peak RSS (GNU time's
// %U %S %M) and the ratios against kscope.
//
//   node dist/bench/addr2line.js [addresses-per-binary=20000]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool, repoRoot } from '../test/helpers/fixtures.js';
import { answers, functionAddresses } from '../test/helpers/addr2line-oracle.js';
import { manyUnitProgram, sqliteLibrary } from '../test/helpers/third-party.js';

interface Run { seconds: number; cpu: number; rssMiB: number; stdout: string }

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs argv with `input` on stdin; peak RSS from GNU time when present, else NaN. */
function measure(argv: string[], input: string): Run {
  const full = TIME ? [TIME, '-f', '%U %S %M', ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  const [user, sys, kb] = TIME ? r.stderr.trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN, NaN];
  return { seconds, cpu: user + sys, rssMiB: kb / 1024, stdout: r.stdout };
}

function main(): void {
  const count = Number(process.argv[2]) || 20000;
  if (!hasTool('addr2line')) { console.log('binutils addr2line is not installed: nothing to compare with'); return; }
  const llvm = ['llvm-symbolizer-14', 'llvm-symbolizer'].find(hasTool);
  const bins: [string, string][] = [];
  const sq = sqliteLibrary();
  if (typeof sq === 'string') bins.push(['libsqlite3.so', sq]); else console.log(`skipping libsqlite3.so: ${sq.error}`);
  bins.push(['40-unit C++', manyUnitProgram(40)]);
  const kscope = [process.execPath, join(repoRoot, 'bin/kscope.js'), 'addr2line'];
  console.log(`${count} random addresses in FUNC symbols per binary, -f -i -C, one process per tool (stdin)`);
  for (const [name, bin] of bins) {
    const addrs = functionAddresses(bin, count, 99);
    const input = addrs.join('\n') + '\n';
    const k = measure([...kscope, '-a', '-f', '-i', '-C', '-e', bin], input);
    const b = measure(['addr2line', '-a', '-f', '-i', '-C', '-e', bin], input);
    const l = llvm ? measure([llvm, '--obj=' + bin, '--functions=linkage', '--inlining', '--demangle'], input) : undefined;
    const ek = answers(k.stdout), eb = answers(b.stdout);
    let same = 0;
    for (let i = 0; i < eb.length; i++) if (ek[i] === eb[i]) same++;
    const row = (tool: string, r: Run): string =>
      `  ${tool.padEnd(20)} wall ${r.seconds.toFixed(3).padStart(7)} s  cpu ${r.cpu.toFixed(2).padStart(5)} s  peak ${r.rssMiB.toFixed(0).padStart(4)} MiB   ` +
      `wall x${(r.seconds / k.seconds).toFixed(2)}  cpu x${(r.cpu / k.cpu).toFixed(2)}  rss x${(r.rssMiB / k.rssMiB).toFixed(2)}`;
    console.log(`${name} (${bin})`);
    console.log(row('kscope addr2line', k));
    console.log(row('binutils addr2line', b));
    if (l) console.log(row(llvm!, l));
    console.log(`  answers equal to binutils: ${same}/${eb.length}; ratios are other tool / kscope (>1: kscope is faster or smaller)`);
    // The fixed cost (start-up, headers, unit index, one unit's tables): one address on the command line.
    const one = addrs[0];
    const k1 = measure([...kscope, '-f', '-i', '-C', '-e', bin, one], '');
    const b1 = measure(['addr2line', '-f', '-i', '-C', '-e', bin, one], '');
    const l1 = llvm ? measure([llvm, '--obj=' + bin, '--functions=linkage', '--inlining', '--demangle', one], '') : undefined;
    const row1 = (tool: string, r: Run): string =>
      `  ${tool.padEnd(20)} one address: cpu ${r.cpu.toFixed(2).padStart(5)} s  peak ${r.rssMiB.toFixed(0).padStart(4)} MiB   cpu x${(r.cpu / k1.cpu).toFixed(2)}  rss x${(r.rssMiB / k1.rssMiB).toFixed(2)}`;
    console.log(row1('kscope addr2line', k1));
    console.log(row1('binutils addr2line', b1));
    if (l1) console.log(row1(llvm!, l1));
  }
}

main();
