import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAttr, encodeAttr, makeAttr, hasFlag, setFlag, preciseIp, setPreciseIp, PERF_ATTR_SIZE_VER7 } from '../src/formats/perfdata/attr.js';
import { Reader } from '../src/util/reader.js';
import { FormatError } from '../src/util/errors.js';

test('perf_event_attr encodes and decodes to the same values, in both byte orders', () => {
  const a = makeAttr({ type: 1, config: 0n, samplePeriod: 4000n, sampleType: 0x107 | (1 << 16), readFormat: 4,
    sampleRegsUser: 0xff0fffn, sampleStackUser: 8192, clockid: -1, sampleMaxStack: 127, config3: 5n });
  setFlag(a, 'freq'); setFlag(a, 'sample_id_all'); setPreciseIp(a, 2);
  for (const le of [true, false]) {
    const back = decodeAttr(new Reader(encodeAttr(a, a.size, le), 0, 't', le), a.size);
    assert.deepEqual(back, a);
  }
  assert.ok(hasFlag(a, 'freq') && !hasFlag(a, 'disabled'));
  assert.equal(preciseIp(a), 2);
});

test('a VER7 attr decodes with config3 zero; a short attr is a FormatError', () => {
  const a = makeAttr({ size: PERF_ATTR_SIZE_VER7, config3: 9n, sampleType: 1 });
  const back = decodeAttr(new Reader(encodeAttr(a)), PERF_ATTR_SIZE_VER7);
  assert.equal(back.config3, 0n);
  assert.throws(() => decodeAttr(new Reader(new Uint8Array(40)), 40), FormatError);
});
