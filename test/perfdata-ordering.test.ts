// perf's delivery order two ways: orderedRecords() (records kept as read) and orderedRecords({ transient: true })
// (one reused read buffer, queued records copied into arena blocks) must deliver the same records in
// the same order, byte for byte, with any read chunk size (records straddling chunks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { perfSkipReason, standardRecordings } from './helpers/fixtures.js';
import { openPerfData, type PerfRecord } from '../src/formats/perfdata/index.js';
import { orderRecordsTransient } from '../src/formats/perfdata/ordering.js';
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
  });
}
