// Hostile input for the perf.data reader (CONVENTIONS.md 14): every truncation of small real
// recordings and thousands of seeded bit flips give a FormatError naming an offset, or a clean
// read; never another exception, a hang or a huge allocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileWorkload, perfRecording, perfSkipReason } from './helpers/fixtures.js';
import { openPerfData } from '../src/formats/perfdata/index.js';
import { decodeRecord } from '../src/formats/perfdata/records.js';
import { RecordType } from '../src/formats/perfdata/constants.js';
import { BufferSource, FormatError, type StreamSource } from '../src/util/index.js';
import { computeStats } from '../src/analysis/stats.js';

process.env.KSCOPE_FIXTURE_CACHE ??= '/work/fixture-cache';
const skip = perfSkipReason();

function small(kind: 'file' | 'pipe' | 'zstd'): Uint8Array {
  const burn = compileWorkload('burn.c');
  const args = ['record', '-g', '-F', '1000', ...(kind === 'zstd' ? ['-z'] : []), '--', burn, '30'];
  return new Uint8Array(readFileSync(perfRecording(`fuzz-${kind}`, args, { pipe: kind === "pipe" }))); // a copy: Buffer.slice would share memory
}

class OnceStream implements StreamSource {
  private done = false;
  constructor(private b: Uint8Array, readonly name = '<fuzz>') {}
  next(max: number): Uint8Array {
    if (this.done) return new Uint8Array(0);
    this.done = true;
    return this.b.subarray(0, Math.min(max, this.b.byteLength));
  }
}

/** Reads everything a consumer could ask for; returns 'ok' or the FormatError. Other throws fail the test. */
function readAll(bytes: Uint8Array, asStream = false): 'ok' | FormatError {
  try {
    const f = asStream ? openPerfData(new OnceStream(bytes), '<fuzz>') : openPerfData(new BufferSource(bytes, '<fuzz>'));
    for (const id of f.features.keys()) f.readFeature(id);
    let n = 0;
    for (const r of f.orderedRecords()) {
      if (r.type === RecordType.SAMPLE) {
        const ev = f.eventOf(r);
        if (ev) f.decodeSample(r);
      } else decodeRecord(r, f.events);
      if (++n > 1e6) throw new Error('runaway record walk');
    }
    if (!asStream) computeStats(openPerfData(new BufferSource(bytes, '<fuzz>')));
    return 'ok';
  } catch (e) {
    if (e instanceof FormatError) {
      assert.ok(Number.isInteger(e.offset) && e.offset >= 0, `offset ${e.offset}`);
      assert.equal(e.file, '<fuzz>');
      return e;
    }
    throw e;
  }
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the small fixtures read cleanly', { skip }, () => {
  for (const k of ['file', 'pipe', 'zstd'] as const) assert.equal(readAll(small(k)), 'ok', k);
  assert.equal(readAll(small('pipe'), true), 'ok');
});

test('every truncation gives a FormatError or a clean read', { skip }, () => {
  for (const k of ['file', 'pipe', 'zstd'] as const) {
    const b = small(k);
    const f = openPerfData(new BufferSource(b));
    // Every cut inside the header, attrs and the first records; a stride through the rest.
    const dense = Math.max(f.header.data.offset + 4096, f.header.attrs.offset + f.header.attrs.size);
    let errors = 0;
    for (let cut = 0; cut < b.byteLength; cut += cut < dense ? 1 : 13) {
      const r = readAll(b.subarray(0, cut), k === 'pipe');
      if (r !== 'ok') errors++;
    }
    assert.ok(errors > 0, k);
  }
});

test('seeded bit flips give a FormatError or a clean read', { skip }, () => {
  const rnd = mulberry32(20261124);
  for (const k of ['file', 'pipe', 'zstd'] as const) {
    const orig = small(k);
    const n = k === 'file' ? 2000 : 1000;
    let errors = 0;
    for (let i = 0; i < n; i++) {
      const b = orig.slice();
      const flips = 1 + Math.floor(rnd() * 3);
      // Half the flips land in the first 1 KiB (header, attrs, first records) where damage matters most.
      for (let j = 0; j < flips; j++) {
        const at = rnd() < 0.5 ? Math.floor(rnd() * Math.min(1024, b.byteLength)) : Math.floor(rnd() * b.byteLength);
        b[at] ^= 1 << Math.floor(rnd() * 8);
      }
      if (readAll(b, k === 'pipe' && i % 2 === 0) !== 'ok') errors++;
    }
    // Flips in sample bodies often leave a valid file; flips in headers and sizes must be caught.
    assert.ok(errors > n / 20, `${k}: only ${errors} of ${n} flips were noticed`);
    console.log(`# ${k}: ${errors} of ${n} bit-flipped files gave a FormatError`);
  }
});
