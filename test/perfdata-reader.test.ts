// The perf.data reader against Linux perf on recordings made here: report --stats count for count,
// per-sample fields against perf script, split input (1-byte and odd chunks) gives the same records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { perfSkipReason, runKscope, runPerf, standardRecordings } from './helpers/fixtures.js';
import { formatTimeUs, isPerfData, openPerfData, type PerfRecord } from '../src/formats/perfdata/index.js';
import { decodeRecord } from '../src/formats/perfdata/records.js';
import { BufferSource, FileSource, type StreamSource } from '../src/util/byte-source.js';
import { RecordType } from '../src/formats/perfdata/constants.js';

process.env.KSCOPE_FIXTURE_CACHE ??= '/work/fixture-cache';
const skip = perfSkipReason();
const recs = skip ? {} : standardRecordings();

for (const name of ['fp', 'dwarf', 'tracepoints', 'pipe', 'zstd', 'system', 'node', 'stat']) {
  test(`report --stats equals perf report --stats: ${name}`, { skip }, () => {
    const file = (recs as Record<string, string>)[name];
    const perf = runPerf(['report', '--stats', '-i', file]);
    assert.equal(perf.status, 0, perf.stderr);
    const ours = runKscope(['report', '--stats', '-i', file]);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stdout, perf.stdout);
  });
}

test('report --stats -i - reads a pipe-mode stream from stdin', { skip }, () => {
  const file = (recs as Record<string, string>).pipe;
  const perf = runPerf(['report', '--stats', '-i', file]);
  const ours = runKscope(['report', '--stats', '-i', '-'], readFileSync(file));
  assert.equal(ours.status, 0, ours.stderr);
  assert.equal(ours.stdout, perf.stdout);
});

test('report on a missing file: one line, non-zero exit', () => {
  const r = runKscope(['report', '--stats', '-i', '/nonexistent/perf.data']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /^kscope: .*nonexistent/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

/** A stream that hands out `sizes` bytes per call, cycling. */
class ChoppedStream implements StreamSource {
  private pos = 0;
  private i = 0;
  constructor(private bytes: Uint8Array, private sizes: number[], readonly name = '<chopped>') {}
  next(max: number): Uint8Array {
    const n = Math.min(max, this.sizes[this.i++ % this.sizes.length], this.bytes.byteLength - this.pos);
    const b = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

function digest(records: Iterable<PerfRecord>): string[] {
  const out: string[] = [];
  for (const r of records) {
    out.push(`${r.type} ${r.size} ${r.fileOffset} ${r.decompressedOffset ?? ''} ${createHash('md5').update(r.bytes).update(r.payload ?? new Uint8Array(0)).digest('hex')}`);
  }
  return out;
}

for (const name of ['fp', 'zstd', 'pipe']) {
  test(`chunked input gives identical records: ${name}`, { skip }, () => {
    const bytes = readFileSync((recs as Record<string, string>)[name]);
    const whole = digest(openPerfData(new BufferSource(bytes, name)).records());
    assert.ok(whole.length > 100);
    for (const chunk of [1, 7, 61, 4093]) {
      assert.deepEqual(digest(openPerfData(new BufferSource(bytes, name), name, { chunk }).records()), whole, `chunk ${chunk}`);
    }
    if (name === 'pipe') {
      for (const sizes of [[1], [3, 1, 250, 17], [8191]]) {
        const f = openPerfData(new ChoppedStream(bytes, sizes), name, { chunk: 61 });
        assert.deepEqual(digest(f.records()), whole, `stream pieces ${sizes}`);
        assert.ok(f.readFeature(12 /* EVENT_DESC */)!.byteLength > 0);
      }
    }
  });
}

test('isPerfData and the file header', { skip }, () => {
  const fp = readFileSync((recs as Record<string, string>).fp);
  assert.ok(isPerfData(fp));
  assert.ok(!isPerfData(new TextEncoder().encode('ELF....')));
  const f = openPerfData(new FileSource((recs as Record<string, string>).fp));
  assert.equal(f.header.pipe, false);
  assert.equal(f.header.size, 104);
  assert.equal(f.events.events.length, 1);
  assert.ok(f.events.events[0].ids.length >= 1);
  // perf report --header-only lists the features; every one we index must read back whole.
  for (const [id, sec] of f.features) assert.equal(f.readFeature(id)!.byteLength, sec.size);
  assert.ok(f.features.has(12));
  f.close();
});

function perfSampleLines(file: string, fields: string): string[][] {
  const r = runPerf(['script', '-G', '-F', fields, '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
}

for (const name of ['tracepoints', 'system']) {
  test(`every sample agrees with perf script -F ip,tid,time,cpu,period, in perf's order: ${name}`, { skip }, () => {
    const file = (recs as Record<string, string>)[name];
    const perf = perfSampleLines(file, 'ip,tid,time,cpu,period');
    const f = openPerfData(new FileSource(file));
    const ours: string[][] = [];
    for (const r of f.orderedRecords()) {
      if (r.type !== RecordType.SAMPLE) continue;
      const s = f.decodeSample(r);
      ours.push([String(s.tid), `[${String(s.cpu).padStart(3, '0')}]`, `${formatTimeUs(s.timeHi, s.timeLo).trim()}:`, String(s.period), s.ip.toString(16)]);
    }
    f.close();
    assert.equal(ours.length, perf.length);
    for (let i = 0; i < ours.length; i++) assert.deepEqual(ours[i], perf[i], `sample ${i}`);
  });
}

test('callchains agree with perf script -D (fp, pipe, zstd, system)', { skip }, () => {
  for (const name of ['fp', 'pipe', 'zstd', 'system']) {
    const file = (recs as Record<string, string>)[name];
    const r = runPerf(['script', '-D', '-i', file]);
    // "... FP chain: nr:N" then N lines ".....  i: %016lx", printed as perf delivers each sample.
    const chains: string[][] = [];
    let cur: string[] | undefined;
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('... FP chain: nr:')) { cur = []; chains.push(cur); continue; }
      const m = /^\.\.\.\.\. +\d+: ([0-9a-f]{16})$/.exec(line);
      if (m && cur) cur.push(m[1]); else cur = undefined;
    }
    const f = openPerfData(new FileSource(file));
    const ours: string[][] = [];
    for (const rec of f.orderedRecords()) {
      if (rec.type !== RecordType.SAMPLE) continue;
      const s = f.decodeSample(rec);
      ours.push(s.callchainBigInts().map((x) => x.toString(16).padStart(16, '0')));
    }
    f.close();
    assert.ok(ours.length > 100);
    assert.deepEqual(ours, chains, name);
  }
});

test('decodeRecord decodes every record of every fixture without error', { skip }, () => {
  for (const [name, file] of Object.entries(recs as Record<string, string>)) {
    const f = openPerfData(new FileSource(file));
    let n = 0;
    for (const r of f.records()) {
      const d = decodeRecord(r, f.events);
      assert.equal(d.type, r.type);
      if (r.type === RecordType.COMM) assert.equal(typeof d.comm, 'string');
      if (r.type === RecordType.MMAP2) assert.ok((d.filename as string).length > 0);
      n++;
    }
    assert.ok(n > 0, name);
    f.close();
  }
});

test('script -D prints one line per record', { skip }, () => {
  const file = (recs as Record<string, string>).zstd;
  const r = runKscope(['script', '-D', '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const perfTotal = Number(/TOTAL events:\s+(\d+)/.exec(runPerf(['report', '--stats', '-i', file]).stdout)![1]);
  assert.equal(lines.length, perfTotal);
  assert.ok(lines.some((l) => /PERF_RECORD_COMM exec: burn/.test(l)));
  assert.ok(lines.some((l) => /^0x[0-9a-f]+\+0x[0-9a-f]+ \[0x[0-9a-f]+\]: PERF_RECORD_SAMPLE/.test(l)));
});
