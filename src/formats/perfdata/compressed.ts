// PERF_RECORD_COMPRESSED (81) and PERF_RECORD_COMPRESSED2 (83), written by `perf record -z`:
//
//   struct perf_record_compressed  { struct perf_event_header header; char data[]; };          (perf 6.1)
//   struct perf_record_compressed2 { struct perf_event_header header; u64 data_size; char data[]; };
//       (data_size bytes of data; header.size is padded up to a multiple of 8)
//
// The payloads of all compressed records of a file form ONE zstd stream: perf decompresses them with
// a single ZSTD_DStream (tools/perf/util/zstd.c, session.c perf_session__process_compressed_event),
// so a decompressed record may straddle two compressed records. We keep the leftover bytes of a
// partial record and prepend them to the next output.
import { Decompress } from 'fzstd';
import { FormatError } from '../../util/errors.js';
import { RecordType } from './constants.js';
import { readU16, readU32, type PerfRecord } from './stream.js';

/** The zstd payload of a COMPRESSED or COMPRESSED2 record. */
export function compressedPayload(rec: PerfRecord, le: boolean, file: string): Uint8Array {
  if (rec.type === RecordType.COMPRESSED2) {
    if (rec.size < 16) throw new FormatError(file, rec.fileOffset, 'PERF_RECORD_COMPRESSED2 of at least 16 bytes', `size ${rec.size}`);
    const lo = readU32(rec.bytes, le ? 8 : 12, le), hi = readU32(rec.bytes, le ? 12 : 8, le);
    if (hi !== 0 || lo > rec.size - 16) throw new FormatError(file, rec.fileOffset + 8, `COMPRESSED2 data_size within the record (${rec.size - 16} bytes)`, String(hi * 0x100000000 + lo));
    return rec.bytes.subarray(16, 16 + lo);
  }
  return rec.bytes.subarray(8);
}

/** Turns compressed records into the records they hold, in order, across record boundaries. */
export class Decompressor {
  private pending: Uint8Array[] = [];
  private carry = new Uint8Array(0);
  /** Offset in the decompressed stream of carry[0]. */
  private carryOffset = 0;
  private zstd: Decompress;
  /** Total decompressed bytes seen, a guard against decompression bombs is the caller's limit. */
  total = 0;

  constructor(private file: string, private le: boolean, private maxBytes = Infinity) {
    this.zstd = new Decompress((chunk) => { this.pending.push(chunk); });
  }

  /** Feeds one COMPRESSED/COMPRESSED2 record; returns the complete records it finishes. */
  push(rec: PerfRecord): PerfRecord[] {
    const data = compressedPayload(rec, this.le, this.file);
    checkFrameHeader(data, this.file, rec.fileOffset + (rec.type === RecordType.COMPRESSED2 ? 16 : 8));
    try {
      this.zstd.push(data.slice()); // a copy: fzstd may keep a short chunk, and scan windows are reused
    } catch (e) {
      throw new FormatError(this.file, rec.fileOffset, 'a valid zstd stream in PERF_RECORD_COMPRESSED', (e as Error).message);
    }
    let n = this.carry.byteLength;
    for (const c of this.pending) n += c.byteLength;
    if (n === this.carry.byteLength) { this.pending = []; return []; }
    const buf = new Uint8Array(n);
    buf.set(this.carry, 0);
    let o = this.carry.byteLength;
    for (const c of this.pending) { buf.set(c, o); o += c.byteLength; }
    this.pending = [];
    this.total += n - this.carry.byteLength;
    if (this.total > this.maxBytes) throw new FormatError(this.file, rec.fileOffset, `decompressed data of at most ${this.maxBytes} bytes`, `${this.total}`);
    const out: PerfRecord[] = [];
    let p = 0;
    while (buf.byteLength - p >= 8) {
      const size = readU16(buf, p + 6, this.le);
      if (size < 8) throw new FormatError(this.file, rec.fileOffset, `perf_event_header with size >= 8 in the decompressed stream at ${this.carryOffset + p}`, `size ${size}`);
      if (p + size > buf.byteLength) break;
      const type = readU32(buf, p, this.le);
      out.push({
        type, misc: readU16(buf, p + 4, this.le), size, fileOffset: rec.fileOffset,
        bytes: buf.subarray(p, p + size), decompressedOffset: this.carryOffset + p,
      });
      p += size;
    }
    this.carry = buf.slice(p);
    this.carryOffset += p;
    return out;
  }

  /** Bytes of an unfinished record left at the end (non-zero means a truncated stream). */
  get leftover(): number { return this.carry.byteLength; }
}

/** Largest zstd window perf can ask for (level 22: windowLog 27); a bigger one is damage, not data. */
const MAX_WINDOW = 1 << 27;

/**
 * When a payload starts a zstd frame (magic 28 b5 2f fd), bound its window and content size before
 * fzstd allocates them, so that a damaged header cannot ask for gigabytes.
 */
function checkFrameHeader(d: Uint8Array, file: string, at: number): void {
  if (d.byteLength < 6 || d[0] !== 0x28 || d[1] !== 0xb5 || d[2] !== 0x2f || d[3] !== 0xfd) return;
  const fhd = d[4];
  const singleSegment = (fhd >> 5) & 1;
  const fcf = fhd >> 6;
  let size: number;
  if (!singleSegment) {
    const wb = 2 ** (10 + (d[5] >> 3));
    size = wb + (wb / 8) * (d[5] & 7);
  } else {
    const dictBytes = [0, 1, 2, 4][fhd & 3];
    const p = 5 + dictBytes;
    const n = fcf ? 1 << fcf : 1;
    if (d.byteLength < p + n) return;
    size = 0;
    for (let i = Math.min(n, 6) - 1; i >= 0; i--) size = size * 256 + d[p + i];
    if (n === 8 && (d[p + 6] || d[p + 7])) size = Infinity;
    if (fcf === 1) size += 256;
  }
  if (size > MAX_WINDOW) throw new FormatError(file, at, `a zstd frame window of at most ${MAX_WINDOW} bytes`, String(size));
}
