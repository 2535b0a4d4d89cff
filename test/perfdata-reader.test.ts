// The perf.data reader against Linux perf on recordings made here: report --stats count for count,
// per-sample fields against perf script, split input (1-byte and odd chunks) gives the same records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { compileWorkload, perfRecording, perfSkipReason, runKscope, runPerf, standardRecordings } from './helpers/fixtures.js';
import { encodeAttr } from '../src/formats/perfdata/attr.js';
import { formatTimeUs, isPerfData, openPerfData, type PerfRecord } from '../src/formats/perfdata/index.js';
import { decodeRecord } from '../src/formats/perfdata/records.js';
import { BufferSource, FileSource, type StreamSource } from '../src/util/byte-source.js';
import { RecordType } from '../src/formats/perfdata/constants.js';
import { PerfSample } from '../src/formats/perfdata/sample.js';

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

for (const name of ['fp', 'zstd', 'system']) {
  test(`scanRecords over a file in odd chunks sees the records records() yields: ${name}`, { skip }, () => {
    // scanRecords refills one buffer (FileSource.readInto); records straddling a refill move to its front.
    const file = (recs as Record<string, string>)[name];
    const whole = digest(openPerfData(new FileSource(file)).records());
    for (const chunk of [1, 7, 61, 4093, 65536]) {
      const seen: PerfRecord[] = [];
      openPerfData(new FileSource(file), file, { chunk }).scanRecords((type, buf, pos, size, fileOffset) => {
        seen.push({ type, misc: 0, size, fileOffset, bytes: buf.slice(pos, pos + size) });
      });
      const got = digest(seen).map((l) => l.split(' ').filter((_, i) => i !== 3).join(' '));
      assert.deepEqual(got, whole.map((l) => l.split(' ').filter((_, i) => i !== 3).join(' ')), `chunk ${chunk}`);
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

test('decodeSample with skipCallchain: no callchain, every other field as a full decode', { skip }, () => {
  const f = openPerfData(new FileSource((recs as Record<string, string>).fp));
  const skipping = new PerfSample();
  skipping.skipCallchain = true;
  let n = 0;
  for (const rec of f.records()) {
    if (rec.type !== RecordType.SAMPLE) continue;
    const full = f.decodeSample(rec);
    const s = f.decodeSample(rec, skipping);
    assert.ok(full.callchainNr > 0);
    assert.equal(s.callchainNr, 0);
    assert.equal(s.callchain.length, 0);
    for (const k of ['ipHi', 'ipLo', 'pid', 'tid', 'timeHi', 'timeLo', 'cpu', 'period', 'misc'] as const) assert.equal(s[k], full[k], k);
    n++;
  }
  f.close();
  assert.ok(n > 100);
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

test('report --header-only [-I] and --header --stats equal perf (file and pipe)', { skip }, () => {
  for (const name of ['fp', 'pipe', 'tracepoints']) {
    const file = (recs as Record<string, string>)[name];
    for (const args of [['--header-only'], ['--header-only', '-I'], ['--header', '--stats']]) {
      const perf = runPerf(['report', ...args, '-i', file]);
      const ours = runKscope(['report', ...args, '-i', file]);
      assert.equal(ours.status, 0, ours.stderr);
      assert.equal(ours.stdout, perf.stdout, `${name} ${args.join(' ')}`);
    }
  }
});

test('COMPRESSED and COMPRESSED2: one zstd stream across records, re-split at odd points', { skip }, () => {
  // Take the zstd recording's compressed payloads as one stream and cut it into many small
  // COMPRESSED (81) or COMPRESSED2 (83: u64 data_size, padded to 8) records of a pipe-mode stream,
  // so that decompressed records straddle compressed ones; the records must come out the same.
  const file = (recs as Record<string, string>).zstd;
  const f = openPerfData(new FileSource(file));
  const ev = f.events.events[0];
  const chunks: Uint8Array[] = [];
  const inner: string[] = [];
  for (const r of f.records()) {
    if (r.type === RecordType.COMPRESSED) chunks.push(r.bytes.slice(8));
    else if (r.decompressedOffset !== undefined) inner.push(Buffer.from(r.bytes).toString('hex'));
  }
  f.close();
  assert.ok(inner.length > 100);
  const stream = Buffer.concat(chunks);
  for (const type of [RecordType.COMPRESSED, RecordType.COMPRESSED2]) {
    const parts: Buffer[] = [];
    const hdr = Buffer.alloc(16); hdr.write('PERFILE2', 0, 'latin1'); hdr.writeBigUInt64LE(16n, 8); parts.push(hdr);
    const attrBytes = encodeAttr(ev.attr, 128);
    const attrRec = Buffer.alloc(8 + 128 + 8 * ev.ids.length);
    attrRec.writeUInt32LE(RecordType.HEADER_ATTR, 0); attrRec.writeUInt16LE(attrRec.length, 6);
    Buffer.from(attrBytes).copy(attrRec, 8); attrRec.writeUInt32LE(128, 12);
    ev.ids.forEach((id, i) => attrRec.writeBigUInt64LE(BigInt(id), 136 + 8 * i));
    parts.push(attrRec);
    for (let p = 0, k = 0; p < stream.length; k++) {
      const n = Math.min([97, 13, 1000, 5][k % 4], stream.length - p);
      const payload = stream.subarray(p, p + n);
      p += n;
      if (type === RecordType.COMPRESSED) {
        const h = Buffer.alloc(8); h.writeUInt32LE(type, 0); h.writeUInt16LE(8 + n, 6);
        parts.push(h, payload);
      } else {
        const size = (16 + n + 7) & ~7;
        const rec = Buffer.alloc(size); rec.writeUInt32LE(type, 0); rec.writeUInt16LE(size, 6); rec.writeBigUInt64LE(BigInt(n), 8);
        payload.copy(rec, 16);
        parts.push(rec);
      }
    }
    const g = openPerfData(new BufferSource(Buffer.concat(parts), 'resplit'));
    const got: string[] = [];
    let samples = 0;
    for (const r of g.records()) {
      if (r.decompressedOffset === undefined) continue;
      got.push(Buffer.from(r.bytes).toString('hex'));
      if (r.type === RecordType.SAMPLE) { g.decodeSample(r); samples++; }
    }
    assert.deepEqual(got, inner, `type ${type}`);
    assert.ok(samples > 100);
  }
});

test('perf record -z -a: many COMPRESSED records, stats equal perf', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const file = perfRecording('zstd-multi', ['record', '-z', '-a', '-g', '-F', '4000', '--', burn, '400']);
  const perf = runPerf(['report', '--stats', '-i', file]);
  assert.match(perf.stdout, /COMPRESSED events:\s+([2-9]|\d\d+)\s/);
  assert.equal(runKscope(['report', '--stats', '-i', file]).stdout, perf.stdout);
});
