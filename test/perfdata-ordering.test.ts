// perf's delivery order two ways: orderedRecords() (records kept as read) and orderedRecords({ transient: true })
// (one reused read buffer, queued records copied into arena blocks) must deliver the same records in
// the same order, byte for byte, with any read chunk size (records straddling chunks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { perfSkipReason, standardRecordings } from './helpers/fixtures.js';
import { openPerfData, type PerfRecord } from '../src/formats/perfdata/index.js';
import { orderRecords, orderRecordsTransient, orderedRecordPuller, type RecordPuller } from '../src/formats/perfdata/ordering.js';
import { makeAttr, setFlag } from '../src/formats/perfdata/attr.js';
import { PerfType, RecordType, SampleType } from '../src/formats/perfdata/constants.js';
import { encodeHeaderOnly, encodeSample } from '../src/formats/perfdata/encode.js';
import { EventSet } from '../src/formats/perfdata/sample.js';
import { WindowRecord } from '../src/formats/perfdata/stream.js';
import { FileSource } from '../src/util/index.js';

const skip = perfSkipReason();
const recs = skip ? {} : standardRecordings();

function digest(it: Iterable<PerfRecord>): string[] {
  const out: string[] = [];
  for (const r of it) {
    out.push(`${r.type} ${r.misc} ${r.size} ${r.fileOffset} ${r.decompressedOffset ?? '-'} ${createHash('md5').update(r.bytes).digest('hex')}`);
  }
  return out;
}

for (const name of ['system', 'zstd', 'pipe', 'tracepoints']) {
  test(`transient ordered delivery equals ordered delivery: ${name}`, { skip }, () => {
    const file = (recs as Record<string, string>)[name];
    const want = digest(openPerfData(new FileSource(file)).orderedRecords());
    assert.ok(want.length > 100);
    for (const chunk of [61, 1 << 20]) {
      assert.deepEqual(digest(openPerfData(new FileSource(file), file, { chunk }).orderedRecords({ transient: true })), want, `chunk ${chunk}`);
    }
    // Small arena blocks: blocks are filled, emptied by delivery and reused many times.
    const f = openPerfData(new FileSource(file), file, { chunk: 4093 });
    assert.deepEqual(digest(orderRecordsTransient(f.recordIterator({ transient: true }), f.events, 2048)), want, 'arena blocks of 2 KiB');
    // The pull function copies records into the arena a window span at a time, before each refill.
    for (const chunk of [61, 4093, 1 << 20]) {
      const g = openPerfData(new FileSource(file), file, { chunk });
      const pull = g.orderedRecordPuller();
      const got: PerfRecord[] = [];
      for (let r = pull(); r; r = pull()) got.push({ ...r, bytes: r.bytes.slice() });
      assert.deepEqual(digest(got), want, `puller, chunk ${chunk}`);
    }
  });
}

// Synthetic rounds (no perf needed): runs per "CPU", equal times across and within runs, times of
// 2^53 ns and more (doubles tie where the u64s differ), records without time (time 0), rounds in
// no order at all (more runs than the merge takes: the queue is sorted instead), and records of
// odd sizes (RAW data: not multiples of 8, copied one by one). The reference is orderRecords.
test('transient ordering equals the reference on synthetic rounds', () => {
  const attr = makeAttr({ type: PerfType.SOFTWARE, config: 0n, samplePeriod: 1n, sampleType: SampleType.IP | SampleType.TID | SampleType.TIME | SampleType.RAW });
  setFlag(attr, 'sample_id_all');
  const events = new EventSet('<synthetic>', true);
  events.add(attr, []);
  let seed = 12345;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const recs: PerfRecord[] = [];
  let fileOffset = 0, ip = 0;
  const push = (bytes: Uint8Array, type: number): void => { recs.push({ type, misc: bytes[4] | (bytes[5] << 8), size: bytes.byteLength, fileOffset, bytes }); fileOffset += bytes.byteLength; };
  const sample = (time: bigint): void => push(encodeSample({ ip: BigInt(ip++), pid: 1, tid: 1, time, raw: new Uint8Array(rnd(3) === 0 ? 4 : 12) }, attr), RecordType.SAMPLE);
  const round = (): void => push(encodeHeaderOnly(RecordType.FINISHED_ROUND), RecordType.FINISHED_ROUND);
  const big = 1n << 53n;
  let t = 1000n;
  for (let r = 0; r < 60; r++) {
    const kind = r % 4;
    if (kind === 3) { // no order: every record its own run
      for (let i = 0; i < 200; i++) sample(t + BigInt(rnd(400)));
    } else {
      for (let cpu = 0; cpu < 1 + rnd(4); cpu++) {
        let c = t + BigInt(rnd(50));
        for (let i = rnd(40); i > 0; i--) { sample(kind === 2 ? big + c : c); if (rnd(3)) c += BigInt(rnd(3)); if (rnd(20) === 0) sample(0n); }
      }
    }
    t += 300n;
    round();
  }
  const want = digest(orderRecords(recs, events));
  const next = (): (() => PerfRecord | null) => { let i = 0; return () => (i < recs.length ? recs[i++] : null); };
  assert.deepEqual(digest(orderRecordsTransient(next(), events, 512)), want, 'generator, 512-byte blocks');
  // WindowRecords over one buffer, with the refill hook called before the buffer is reused
  const whole = new Uint8Array(fileOffset);
  for (const r of recs) whole.set(r.bytes, r.fileOffset);
  for (const window of [64, 1000, 1 << 16]) {
    let i = 0;
    const buf = new Uint8Array(window + 256);
    let bufStart = -1, bufEnd = -1;
    const rec = new WindowRecord();
    let pull: RecordPuller | undefined;
    const windowed = (): PerfRecord | null => {
      if (i >= recs.length) return null;
      const r = recs[i++];
      if (r.fileOffset + r.size > bufEnd) {
        pull!.beforeRefill();
        buf.fill(0xee);
        bufStart = r.fileOffset; bufEnd = Math.min(fileOffset, bufStart + window);
        if (bufEnd < r.fileOffset + r.size) bufEnd = r.fileOffset + r.size;
        buf.set(whole.subarray(bufStart, bufEnd));
      }
      return rec.set(buf, r.fileOffset - bufStart, r.size, true, r.fileOffset, undefined);
    };
    pull = orderedRecordPuller(windowed, events, 512, true);
    const got: PerfRecord[] = [];
    for (let r = pull(); r; r = pull()) got.push({ type: r.type, misc: r.misc, size: r.size, fileOffset: r.fileOffset, bytes: r.bytes.slice() });
    assert.deepEqual(digest(got), want, `spans, window ${window}`);
  }
});
