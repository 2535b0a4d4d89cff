// The file-mode and pipe-mode writers, checked with Linux perf as the reader: a file built record by
// record (attr, COMM, MMAP2, samples with callchains) must show those samples in `perf script`, and
// `perf report --stats` must count what was written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeAttr, setFlag, type PerfEventAttr } from '../src/formats/perfdata/attr.js';
import { Feature, Misc, PERF_CONTEXT_USER, PerfType, SampleType, RecordType } from '../src/formats/perfdata/constants.js';
import { encodeComm, encodeExit, encodeHeaderOnly, encodeMmap2, encodeSample } from '../src/formats/perfdata/encode.js';
import { PerfDataPipeWriter, PerfDataWriter } from '../src/formats/perfdata/writer.js';
import { BufferSink, FileSink } from '../src/util/byte-sink.js';
import { compileWorkload, perfSkipReason, runPerf } from './helpers/fixtures.js';

const skip = perfSkipReason();
const BASE = 0x555555554000n;
const PID = 4242;

/** perf's string feature (do_write_string): u32 len (NUL included, padded to 64), then the bytes. */
function stringFeature(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const len = (b.byteLength + 1 + 63) & ~63;
  const out = new Uint8Array(4 + len);
  new DataView(out.buffer).setUint32(0, len, true);
  out.set(b, 4);
  return out;
}

function cpuClockAttr(): PerfEventAttr {
  const attr = makeAttr({
    type: PerfType.SOFTWARE, config: 0n, samplePeriod: 250000n,
    sampleType: SampleType.IDENTIFIER | SampleType.IP | SampleType.TID | SampleType.TIME | SampleType.CPU | SampleType.PERIOD | SampleType.CALLCHAIN,
  });
  for (const f of ['disabled', 'mmap', 'comm', 'sample_id_all', 'mmap2', 'comm_exec', 'exclude_kernel'] as const) setFlag(attr, f);
  return attr;
}

interface Built { records: Uint8Array[]; nSamples: number; binary: string }

/** The records of a small made-up run of burn: COMM, MMAP2, then samples in leaf_mul/leaf_add. */
function buildRecords(attr: PerfEventAttr): Built {
  const binary = compileWorkload('burn.c');
  const id = 77n;
  const sid = (time: bigint) => ({ sampleId: { pid: PID, tid: PID, time, id, cpu: 1 } });
  const records: Uint8Array[] = [
    encodeComm({ ...sid(1000n), pid: PID, tid: PID, comm: 'burnwriter', exec: true }, attr),
    encodeMmap2({ ...sid(1001n), pid: PID, tid: PID, addr: BASE + 0x1000n, len: 0x1000n, pgoff: 0x1000n, maj: 8, min: 1, ino: 1234n,
      prot: 5, flags: 2, filename: binary }, attr),
  ];
  let nSamples = 0;
  for (let i = 0; i < 40; i++) {
    const inMul = i % 3 !== 0;
    const leaf = inMul ? BASE + 0x11a9n + 4n : BASE + 0x11d2n + 8n;
    const mid = inMul ? BASE + 0x11f4n + 8n : BASE + 0x1203n + 0xcn;
    const callchain = [PERF_CONTEXT_USER, leaf, mid, BASE + 0x1226n + 0x40n, BASE + 0x135fn + 0x10n];
    records.push(encodeSample({ ...sid(2000000n + BigInt(i) * 250000n).sampleId, ip: leaf, period: 250000n, callchain }, attr, Misc.USER));
    nSamples++;
  }
  records.push(encodeExit({ ...sid(20000000n), pid: PID, tid: PID, ppid: 1, ptid: 1, time: 20000000n }, attr));
  return { records, nSamples, binary };
}

function stats(file: string): Map<string, number> {
  const r = runPerf(['report', '--stats', '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  const m = new Map<string, number>();
  const agg = r.stdout.split('Aggregated stats:')[1] ?? '';
  for (const line of agg.split('\n')) {
    const mm = /^\s*(\S+) events:\s+(\d+)/.exec(line);
    if (mm && !m.has(mm[1])) m.set(mm[1], Number(mm[2]));
  }
  return m;
}

test('a file written record by record is read by perf script and perf report', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kscope-writer-'));
  try {
    const attr = cpuClockAttr();
    const { records, nSamples } = buildRecords(attr);
    const file = join(dir, 'built.data');
    const sink = new FileSink(file);
    const w = new PerfDataWriter(sink, [{ attr, ids: [77n] }]);
    for (const r of records) w.writeRecord(r);
    w.writeRecord(encodeHeaderOnly(RecordType.FINISHED_ROUND));
    w.setFeature(Feature.HOSTNAME, stringFeature('kscope-test-host'));
    w.setFeature(Feature.ARCH, stringFeature('x86_64'));
    w.finish();
    sink.close();

    const s = stats(file);
    assert.equal(s.get('TOTAL'), records.length + 1);
    assert.equal(s.get('SAMPLE'), nSamples);
    assert.equal(s.get('COMM'), 1);
    assert.equal(s.get('MMAP2'), 1);
    assert.equal(s.get('EXIT'), 1);
    assert.equal(s.get('FINISHED_ROUND'), 1);
    const rs = runPerf(['report', '--stats', '-i', file]);
    assert.doesNotMatch(rs.stderr, /warning|error|invalid/i, rs.stderr);

    const hdr = runPerf(['report', '--header-only', '-i', file]);
    assert.match(hdr.stdout, /# hostname : kscope-test-host/);
    assert.match(hdr.stdout, /# arch : x86_64/);
    const ev = runPerf(['evlist', '-v', '-i', file]);
    assert.match(ev.stdout, /^cpu-clock:uh: .*sample_type: IP\|TID\|TIME\|CALLCHAIN\|CPU\|PERIOD\|IDENTIFIER/m, ev.stdout);

    const sc = runPerf(['script', '-F', 'comm,pid,tid,time,ip,sym,period', '-i', file]);
    assert.equal(sc.status, 0, sc.stderr);
    const blocks = sc.stdout.trim().split(/\n\s*\n/);
    assert.equal(blocks.length, nSamples, sc.stdout.slice(0, 2000));
    for (const [i, b] of blocks.entries()) {
      const inMul = i % 3 !== 0;
      const lines = b.trim().split('\n').map((l) => l.trim());
      assert.match(lines[0], new RegExp(`^burnwriter\\s+${PID}/${PID}\\s+\\d+\\.\\d+:\\s+250000\\b`));
      const syms = lines.slice(1).map((l) => l.split(/\s+/)[1]);
      assert.deepEqual(syms, inMul ? ['leaf_mul', 'compute_a', 'run', 'main'] : ['leaf_add', 'compute_b', 'run', 'main']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('header layout follows perf_session__do_write_header: ids, attrs, data, feature table', () => {
  const attr = cpuClockAttr();
  const sink = new BufferSink();
  const w = new PerfDataWriter(sink, [{ attr, ids: [5n, 6n] }]);
  const rec = encodeHeaderOnly(RecordType.FINISHED_ROUND);
  w.writeRecord(rec);
  w.setFeature(Feature.NRCPUS, new Uint8Array([2, 0, 0, 0, 2, 0, 0, 0]));
  w.setFeature(Feature.HOSTNAME, stringFeature('h'));
  w.finish();
  const b = sink.bytes();
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u64 = (o: number) => Number(v.getBigUint64(o, true));
  assert.equal(new TextDecoder().decode(b.subarray(0, 8)), 'PERFILE2');
  assert.equal(u64(8), 104);
  assert.equal(u64(16), 144); // perf 6.1: sizeof(perf_event_attr) 128 + perf_file_section
  assert.equal(u64(104), 5); // ids first, right after the header
  assert.equal(u64(112), 6);
  assert.equal(u64(24), 120); // attrs offset
  assert.equal(u64(32), 144);
  assert.equal(v.getUint32(120 + 4, true), 128); // attr.size
  assert.equal(u64(120 + 128), 104); // ids section of the attr
  assert.equal(u64(120 + 136), 16);
  assert.equal(u64(40), 264); // data offset
  assert.equal(u64(48), 8);
  assert.equal(u64(56) + u64(64), 0); // event_types: zeros
  assert.equal(u64(72), (1 << Feature.HOSTNAME) | (1 << Feature.NRCPUS));
  const table = 264 + 8;
  assert.equal(u64(table), table + 32); // HOSTNAME payload right after the 2-entry table
  assert.equal(u64(table + 8), 68);
  assert.equal(u64(table + 16), table + 32 + 68); // NRCPUS next
  assert.equal(u64(table + 24), 8);
  assert.equal(b.byteLength, table + 32 + 68 + 8);
});

test('pipe-mode output is read by perf script', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kscope-writer-'));
  try {
    const attr = cpuClockAttr();
    const { records, nSamples } = buildRecords(attr);
    const sink = new BufferSink();
    const w = new PerfDataPipeWriter(sink);
    w.writeAttr(attr, [77n]);
    w.writeFeature(Feature.HOSTNAME, stringFeature('kscope-pipe-host'));
    w.writeFeaturesEnd();
    w.writeRecord(records[0]);
    w.writeRecord(records[1]);
    w.writeFinishedInit();
    for (const r of records.slice(2)) w.writeRecord(r);
    w.finish();
    const file = join(dir, 'pipe.data');
    writeFileSync(file, sink.bytes());
    const sc = runPerf(['script', '-F', 'comm,pid,sym', '-i', '-'], readFileSync(file));
    assert.equal(sc.status, 0, sc.stderr);
    const blocks = sc.stdout.trim().split(/\n\s*\n/);
    assert.equal(blocks.length, nSamples);
    assert.match(blocks[1], /burnwriter\s+4242\s*\n\s+\S+ leaf_mul\n\s+\S+ compute_a/);
    const st = runPerf(['report', '--stats', '-i', '-'], readFileSync(file));
    assert.match(st.stdout, /SAMPLE events:\s+40\b/);
    assert.match(st.stdout, /FINISHED_INIT events:\s+1\b/);
    assert.match(st.stdout, /FEATURE events:\s+2\b/);
    assert.match(st.stdout, /ATTR events:\s+1\b/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('big-endian output reads back through the reader with the same attrs, ids and records', async () => {
  const { openPerfData } = await import('../src/formats/perfdata/reader.js');
  const attr = cpuClockAttr();
  const sink = new BufferSink();
  const w = new PerfDataWriter(sink, [{ attr, ids: [9n, 10n] }], { littleEndian: false });
  const recs = [
    encodeComm({ pid: 7, tid: 8, comm: 'be-task', sampleId: { pid: 7, tid: 8, time: 5n, id: 9n, cpu: 3 } }, attr, false),
    encodeSample({ id: 10n, ip: 0xffffffff81000000n, pid: 7, tid: 8, time: 6n, cpu: 3, period: 1n, callchain: [0xfffffffffffffe00n, 0x401000n] }, attr, Misc.USER, false),
  ];
  for (const r of recs) w.writeRecord(r);
  w.setFeature(Feature.HOSTNAME, new Uint8Array(8));
  w.finish();
  w.finish(); // idempotent: a signal handler and the normal path may both finish
  assert.equal(new TextDecoder().decode(sink.bytes().subarray(0, 8)), '2ELIFREP');
  const f = openPerfData(sink.bytes(), '<be>');
  assert.equal(f.littleEndian, false);
  assert.deepEqual(f.events.events[0].ids, [9, 10]);
  assert.equal(f.events.events[0].attr.sampleType, attr.sampleType);
  const got = [...f.records()];
  assert.deepEqual(got.map((r) => Buffer.from(r.bytes).toString('hex')), recs.map((r) => Buffer.from(r).toString('hex')));
  const s = f.decodeSample(got[1]);
  assert.equal(s.ip, 0xffffffff81000000n);
  assert.deepEqual(s.callchainBigInts(), [0xfffffffffffffe00n, 0x401000n]);
  assert.equal(s.cpu, 3);
  assert.deepEqual([...f.features.keys()], [Feature.HOSTNAME]);
});

test('attrs added after the data began are placed after the feature sections and still found', async () => {
  const { openPerfData } = await import('../src/formats/perfdata/reader.js');
  const a1 = cpuClockAttr();
  const a2 = { ...cpuClockAttr(), config: 1n };
  const sink = new BufferSink();
  const w = new PerfDataWriter(sink, [{ attr: a1, ids: [1n] }]);
  w.writeRecord(encodeHeaderOnly(RecordType.FINISHED_ROUND));
  w.addAttr(a2, [2n, 3n]);
  w.setFeature(Feature.NRCPUS, new Uint8Array(8));
  w.finish();
  const f = openPerfData(sink.bytes(), '<late>');
  assert.deepEqual(f.events.events.map((e) => [e.attr.config, e.ids]), [[0n, [1]], [1n, [2, 3]]]);
  assert.equal(f.header.data.offset, 104 + 8 + 144);
  assert.equal(f.header.data.size, 8);
  assert.ok(f.header.attrs.offset > f.header.data.offset);
  assert.equal(f.readFeature(Feature.NRCPUS)?.byteLength, 8);
});

test('perf reads a file whose attrs all came after the data (the late-attr layout)', { skip }, async () => {
  const { openPerfData } = await import('../src/formats/perfdata/reader.js');
  const { FileSource } = await import('../src/util/byte-source.js');
  const { standardRecordings } = await import('./helpers/fixtures.js');
  const fp = standardRecordings().fp;
  const dir = mkdtempSync(join(tmpdir(), 'kscope-writer-'));
  try {
    const f = openPerfData(new FileSource(fp), fp);
    const out = join(dir, 'late.data');
    const sink = new FileSink(out);
    const w = new PerfDataWriter(sink);
    for (const r of f.records()) w.writeRecord(r.bytes);
    for (const e of f.events.events) w.addAttr(e.attr, e.ids);
    for (const k of f.features.keys()) w.setFeature(k, f.readFeature(k)!);
    w.finish();
    sink.close();
    f.close();
    const a = runPerf(['script', '-i', fp]).stdout;
    assert.ok(a.length > 1000);
    assert.ok(runPerf(['script', '-i', out]).stdout === a);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
