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
  const sid = (time: bigint) => ({ pid: PID, tid: PID, time, id, cpu: 1 });
  const records: Uint8Array[] = [
    encodeComm({ ...sid(1000n), comm: 'burnwriter', exec: true }, attr),
    encodeMmap2({ ...sid(1001n), addr: BASE + 0x1000n, len: 0x1000n, pgoff: 0x1000n, maj: 8, min: 1, ino: 1234n,
      prot: 5, flags: 2, filename: binary }, attr),
  ];
  let nSamples = 0;
  for (let i = 0; i < 40; i++) {
    const inMul = i % 3 !== 0;
    const leaf = inMul ? BASE + 0x11a9n + 4n : BASE + 0x11d2n + 8n;
    const mid = inMul ? BASE + 0x11f4n + 8n : BASE + 0x1203n + 0xcn;
    const callchain = [PERF_CONTEXT_USER, leaf, mid, BASE + 0x1226n + 0x40n, BASE + 0x135fn + 0x10n];
    records.push(encodeSample({ ...sid(2000000n + BigInt(i) * 250000n), ip: leaf, period: 250000n, callchain }, attr, Misc.USER));
    nSamples++;
  }
  records.push(encodeExit({ ...sid(20000000n), ppid: 1, ptid: 1 }, attr));
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
