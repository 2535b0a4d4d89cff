// The Symbolizer with DWARF plugged in answers like binutils `addr2line -f` (innermost frame).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Symbolizer, dwarfDebugInfo } from '../src/symbols/index.js';
import { nodeFileLoader } from '../src/util/node-loader.js';
import { compileWorkload, hasTool } from './helpers/fixtures.js';

test('Symbolizer + dwarfDebugInfo gives the function and file:line addr2line gives', { skip: hasTool('addr2line') ? undefined : 'binutils addr2line is not installed' }, () => {
  const bin = compileWorkload('burn.c', ['-O2', '-g']);
  const syms = execFileSync('readelf', ['-Ws', bin], { encoding: 'utf8' }).split('\n')
    .map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === 'FUNC' && Number(f[2]) > 0)
    .map((f) => ({ value: parseInt(f[1], 16), size: Number(f[2]) }));
  assert.ok(syms.length > 3);
  const addrs: number[] = [];
  for (const s of syms) for (let k = 0; k < 5; k++) addrs.push(s.value + Math.floor((k * s.size) / 5));
  const want = execFileSync('addr2line', ['-f', '-e', bin, ...addrs.map((a) => '0x' + a.toString(16))], { encoding: 'utf8' }).trim().split('\n');
  const sym = new Symbolizer(nodeFileLoader(), { debugInfo: dwarfDebugInfo });
  let diff = 0;
  addrs.forEach((a, i) => {
    const fr = sym.symbolize(bin, BigInt(a));
    // binutils prints ??:0 or ??:? where it knows no file; both mean "no location" here.
    const got = [fr[0]?.function ?? '??', fr[0]?.file ? `${fr[0].file}:${fr[0].line ?? '?'}` : '??'];
    const loc = want[2 * i + 1].replace(/ \(discriminator \d+\)$/, '');
    const exp = [want[2 * i], loc.startsWith('??:') ? '??' : loc];
    if (got[1] !== exp[1] || got[0] !== exp[0]) { diff++; if (diff < 5) console.log(a.toString(16), got, exp); }
  });
  assert.equal(diff, 0);
});
