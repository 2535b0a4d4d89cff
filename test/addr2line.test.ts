// `kscope addr2line -f -i -C` against binutils addr2line on binaries compiled here: thousands of
// addresses inside the functions of each binary (from the symbol table), one process each, fed on
// stdin. At least 99.9% of lines must match; mismatches are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compileWorkload, hasTool, repoRoot } from './helpers/fixtures.js';

const skip = !hasTool('addr2line') || !hasTool('readelf') || !hasTool('g++') ? 'binutils or gcc missing' : undefined;

/** Random addresses inside FUNC symbols (readelf -s), deterministic. */
export function functionAddresses(bin: string, count: number, seed = 1): string[] {
  const out = execFileSync('readelf', ['-sW', bin], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const funcs: [bigint, number][] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[3] === 'FUNC' && f[6] !== 'UND' && Number(f[2]) > 0) funcs.push([BigInt('0x' + f[1]), Number(f[2])]);
  }
  const addrs: string[] = [];
  let s = seed >>> 0;
  const rnd = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
  for (let i = 0; i < count && funcs.length; i++) {
    const [v, size] = funcs[rnd() % funcs.length];
    addrs.push('0x' + (v + BigInt(rnd() % size)).toString(16));
  }
  return addrs;
}

/** Answers per address: blocks of lines split on the -a address line. */
function answers(text: string): string[] {
  return text.split(/^(?=0x[0-9a-f]{8,16}$)/m);
}

export function compareWithBinutils(bin: string, addrs: string[], flags = ['-a', '-f', '-i', '-C']): { total: number; mismatches: string[] } {
  const input = addrs.join('\n') + '\n';
  const exp = execFileSync('addr2line', [...flags, '-e', bin], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/kscope.js'), 'addr2line', ...flags, '-e', bin], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr);
  const e = answers(exp), g = answers(r.stdout);
  const mismatches: string[] = [];
  for (let i = 0; i < Math.max(e.length, g.length); i++) {
    if (e[i] !== g[i]) mismatches.push(`binutils:\n${e[i]}kscope:\n${g[i]}`);
  }
  return { total: e.length, mismatches };
}

// C++ included: -C goes through symbols/demangle-itanium.ts, which prints what libiberty prints.
const cases: [string, string, string[]][] = [
  ['C -O0', 'symbolize.c', ['-g', '-O0']],
  ['C -O2', 'symbolize.c', ['-g', '-O2']],
  ['C -O2 DWARF 4', 'symbolize.c', ['-gdwarf-4', '-O2']],
  ['C -O2 -gz=zlib', 'symbolize.c', ['-g', '-O2', '-gz=zlib']],
  ['C++ -O2', 'symbolize.cc', ['-g', '-O2']],
  ['C++ -O2 DWARF 4', 'symbolize.cc', ['-gdwarf-4', '-O2']],
];

for (const [name, src, flags] of cases) {
  test(`addr2line -a -f -i -C matches binutils: ${name}`, { skip }, () => {
    const bin = compileWorkload(src, flags);
    const { total, mismatches } = compareWithBinutils(bin, functionAddresses(bin, 3000), ['-a', '-f', '-i', '-C']);
    if (mismatches.length) console.log(`${name}: ${mismatches.length}/${total} differ\n${mismatches.slice(0, 10).join('\n')}`);
    assert.ok(total >= 3000);
    assert.ok(mismatches.length <= total / 1000, `${mismatches.length} of ${total} differ`);
  });
}

test('addr2line -p -s and command-line addresses match binutils', { skip }, () => {
  const bin = compileWorkload('symbolize.cc', ['-g', '-O2']);
  const addrs = functionAddresses(bin, 200, 7);
  for (const flags of [['-p', '-f', '-i', '-a'], ['-s', '-f'], ['-p', '-s', '-i']]) {
    const exp = execFileSync('addr2line', [...flags, '-e', bin, ...addrs, 'zz', '0x0'], { encoding: 'utf8' });
    const got = execFileSync(process.execPath, [join(repoRoot, 'bin/kscope.js'), 'addr2line', ...flags, '-e', bin, ...addrs, 'zz', '0x0'], { encoding: 'utf8' });
    assert.equal(got, exp, flags.join(' '));
  }
});
