// Orders perf's histogram sorts use, checked against their definition in 64-bit arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signedOrder } from '../src/analysis/hist.js';

test('signedOrder: the sign of (int64_t)(b - a) over hex addresses, as BigInt computes it', () => {
  const edge = ['0', '1', 'ffffffff', '100000000', '7fffffffffffffff', '8000000000000000', 'ffffffffffffffff',
    'dfdfdfdf00000003', '7f0000001000', 'ffffffff81000000', 'fffffffe', '80000000', '180000000'];
  let seed = 99;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
  const all = edge.concat(Array.from({ length: 60 }, () => (BigInt(rnd()) << BigInt(rnd() % 33) | BigInt(rnd())).toString(16).slice(0, 16)));
  const ref = (a: string, b: string) => { const d = BigInt.asIntN(64, BigInt('0x' + b) - BigInt('0x' + a)); return d > 0n ? -1 : d < 0n ? 1 : 0; };
  for (const a of all) for (const b of all) assert.equal(signedOrder(a, b), ref(a, b), `${a} vs ${b}`);
});
