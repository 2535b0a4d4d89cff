// read → write → read is identity: for every standard recording, rewriting it with the writer
// (rewriteToFile / rewriteToPipe) and reading the result back gives the same attrs, ids, records (in
// file order, byte for byte) and feature payloads. COMPRESSED records are expanded, so the
// expected records are the input's with the compressed containers left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAttr } from '../src/formats/perfdata/attr.js';
import { Feature, RecordType } from '../src/formats/perfdata/constants.js';
import { openPerfData, type PerfDataFile } from '../src/formats/perfdata/reader.js';
import { rewriteToFile, rewriteToPipe } from '../src/formats/perfdata/rewrite.js';
import { BufferSink } from '../src/util/byte-sink.js';
import { FileSource } from '../src/util/byte-source.js';
import { perfSkipReason, standardRecordings } from './helpers/fixtures.js';

const skip = perfSkipReason();
const recordings = skip ? {} : standardRecordings();

const PIPE_HEADER_RECORDS = new Set<number>([RecordType.HEADER_ATTR, RecordType.HEADER_FEATURE,
  RecordType.HEADER_TRACING_DATA, RecordType.HEADER_BUILD_ID, RecordType.HEADER_EVENT_TYPE]);

interface Snapshot {
  attrs: string[];
  records: Buffer[];
  features: Map<number, Buffer>;
}

function hex(b: Uint8Array): string { return Buffer.from(b).toString('hex'); }

/** What a file holds, in the terms a perf.data file and a pipe stream share. */
function snapshot(f: PerfDataFile, dropPipeHeaders: boolean): Snapshot {
  const records: Buffer[] = [];
  for (const r of f.records({ decompress: true })) {
    if (r.type === RecordType.COMPRESSED || r.type === RecordType.COMPRESSED2) continue;
    if (dropPipeHeaders && PIPE_HEADER_RECORDS.has(r.type)) continue;
    records.push(Buffer.from(r.bytes));
  }
  const features = new Map<number, Buffer>();
  for (const bit of f.features.keys()) {
    if (bit >= Feature.LAST || bit === Feature.COMPRESSED) continue;
    let b = Buffer.from(f.readFeature(bit)!);
    if (bit === Feature.BUILD_ID) { b = Buffer.from(b); for (let o = 0; o + 8 <= b.length && b.readUInt16LE(o + 6) >= 8; o += b.readUInt16LE(o + 6)) b.writeUInt32LE(0, o); }
    features.set(bit, b);
  }
  // attr.size is written as perf 6.1's 128, whatever the input said; compare the rest.
  const attrs = f.events.events.map((e) => `${hex(encodeAttr({ ...e.attr, size: 128 }, 128))} ids=${e.ids.join(',')}`);
  return { attrs, records, features };
}

function assertSame(a: Snapshot, b: Snapshot, what: string): void {
  assert.deepEqual(b.attrs, a.attrs, `${what}: attrs`);
  assert.equal(b.records.length, a.records.length, `${what}: record count`);
  for (let i = 0; i < a.records.length; i++) {
    if (!a.records[i].equals(b.records[i])) assert.fail(`${what}: record #${i} differs: ${a.records[i].toString('hex', 0, 64)} vs ${b.records[i].toString('hex', 0, 64)}`);
  }
  assert.deepEqual([...b.features.keys()].sort((x, y) => x - y), [...a.features.keys()].sort((x, y) => x - y), `${what}: feature bits`);
  for (const [bit, bytes] of a.features) {
    let got = b.features.get(bit)!;
    // Pipe mode pads the tracing data to 8 bytes (perf_event__synthesize_tracing_data).
    if (bit === Feature.TRACING_DATA && got.length > bytes.length && got.length - bytes.length < 8 && got.subarray(bytes.length).every((x) => x === 0)) got = got.subarray(0, bytes.length);
    assert.ok(bytes.equals(got), `${what}: feature ${bit} payload`);
  }
}

for (const name of ['fp', 'dwarf', 'tracepoints', 'pipe', 'zstd', 'system', 'node', 'stat']) {
  test(`${name}: read → write (file mode) → read gives the same attrs, records and features`, { skip }, () => {
    const path = recordings[name];
    const src = new FileSource(path);
    const input = openPerfData(src, path);
    const before = snapshot(input, input.pipe);
    input.close();

    const again = openPerfData(new FileSource(path), path);
    const sink = new BufferSink('<out>');
    const st = rewriteToFile(again, sink);
    again.close();
    assert.equal(st.records, before.records.length);
    const out = openPerfData(sink.bytes(), '<out>');
    assert.equal(out.pipe, false);
    assertSame(before, snapshot(out, false), name);
    if (name === 'zstd') {
      assert.ok(st.decompressed > 0, 'the zstd recording holds COMPRESSED records');
      assert.ok(!out.features.has(Feature.COMPRESSED), 'COMPRESSED feature dropped once expanded');
    }

    // and again through pipe mode: file → pipe → read
    const p = openPerfData(sink.bytes(), '<out>');
    const psink = new BufferSink('<pipe>');
    rewriteToPipe(p, psink);
    const piped = openPerfData(psink.bytes(), '<pipe>');
    assert.equal(piped.pipe, true);
    const ps = snapshot(piped, true);
    // Pipe mode carries only the features perf can synthesize (PIPE_FEATURES) plus TRACING_DATA and BUILD_ID.
    for (const bit of [...before.features.keys()]) if (!ps.features.has(bit)) before.features.delete(bit);
    assert.ok(ps.features.size > 0);
    assertSame(before, ps, `${name} via pipe`);
  });
}
