import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../src/util/reader.js';
import { FormatError } from '../src/util/errors.js';

test('Reader reads little- and big-endian values and LEB128', () => {
  const r = new Reader(Uint8Array.from([1, 0, 0, 0, 0xe5, 0x8e, 0x26, 0x7f, 0, 1]), 100, 'x');
  assert.equal(r.u32(), 1);
  assert.equal(r.uleb128(), 624485);
  assert.equal(r.sleb128(), -1);
  r.littleEndian = false;
  assert.equal(r.u16(), 1);
});

test('Reader past the end throws a FormatError naming file and absolute offset', () => {
  const r = new Reader(new Uint8Array(6), 4096, 'perf.data');
  r.u32();
  assert.throws(() => r.u32('sample ip'), (e: unknown) =>
    e instanceof FormatError && e.offset === 4100 && e.file === 'perf.data' && /sample ip/.test(e.message));
});
