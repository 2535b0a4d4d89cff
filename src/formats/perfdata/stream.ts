// Walking perf_event_header records through a bounded window over a chunked byte source.
//
//   struct perf_event_header { u32 type; u16 misc; u16 size; };   (include/uapi/linux/perf_event.h)
//
// A record is `size` bytes including its header, so never more than 65535 bytes; two user records
// carry payload AFTER their `size` bytes (tools/perf/util/session.c, perf 6.1):
//   PERF_RECORD_HEADER_TRACING_DATA { header; u32 size; }  then `size` bytes, padded to 8
//   PERF_RECORD_AUXTRACE { header; u64 size; u64 offset; u64 reference; u32 idx, tid, cpu, reserved; } then `size` bytes
// The window keeps at most max(chunk, record) bytes plus what is left of the previous chunk, so a
// stream of any length is read in bounded memory; a record may straddle chunks.
import { FormatError } from '../../util/errors.js';
import type { RandomAccessSource, StreamSource } from '../../util/byte-source.js';
import { PERF_EVENT_HEADER_SIZE, RecordType } from './constants.js';

/** One record as found in the file: cheap to make; decode the body lazily (decodeRecord, decodeSample). */
export interface PerfRecord {
  type: number;
  misc: number;
  size: number;
  /**
   * Absolute byte offset of the record's header in the file or stream. For a record that came out of
   * a COMPRESSED/COMPRESSED2 record, the offset of that compressed record (as perf reports it), with
   * `decompressedOffset` giving its position inside the decompressed stream.
   */
  fileOffset: number;
  /** The whole record, header included (`size` bytes), in the file's byte order. */
  bytes: Uint8Array;
  /** Position inside the concatenated decompressed stream; only for records from COMPRESSED. */
  decompressedOffset?: number;
  /** Bytes that followed the record (HEADER_TRACING_DATA payload); AUXTRACE payloads are skipped and not kept. */
  payload?: Uint8Array;
  /**
   * Set on transient records (WindowRecord): `bytes` is buf[pos, pos + size), made only when asked
   * for; hot paths read buf at pos instead (no view per record).
   */
  buf?: Uint8Array;
  pos?: number;
}

/**
 * A record that lives in a buffer at `pos` (a read window or an ordering arena), reused from one
 * record to the next by transient walks: no object and no Uint8Array view per record. `bytes` is
 * made on first use.
 */
export class WindowRecord implements PerfRecord {
  type = 0;
  misc = 0;
  size = 0;
  fileOffset = 0;
  decompressedOffset: number | undefined = undefined;
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  private view: Uint8Array | undefined = undefined;
  get bytes(): Uint8Array { return (this.view ??= this.buf.subarray(this.pos, this.pos + this.size)); }
  /** Points the record at buf[pos, pos + size) (type, misc read from its header). */
  set(buf: Uint8Array, pos: number, size: number, le: boolean, fileOffset: number, decompressedOffset: number | undefined): this {
    this.buf = buf; this.pos = pos; this.size = size; this.fileOffset = fileOffset; this.decompressedOffset = decompressedOffset;
    this.type = le ? (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0 : ((buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]) >>> 0;
    this.misc = le ? buf[pos + 4] | (buf[pos + 5] << 8) : (buf[pos + 4] << 8) | buf[pos + 5];
    this.view = undefined;
    return this;
  }
}

/** Reads from a random-access source in order between [start, end). */
export class RangeStream implements StreamSource {
  constructor(private src: RandomAccessSource, private offset: number, private end: number) {}
  get name(): string { return this.src.name; }
  next(max: number): Uint8Array {
    const n = Math.min(max, this.end - this.offset);
    if (n <= 0) return new Uint8Array(0);
    const b = this.src.read(this.offset, n);
    this.offset += b.byteLength;
    return b;
  }
  /** Fills `target` (up to the range's end) without allocating, when the source can; -1 when it can't. */
  nextInto(target: Uint8Array): number {
    if (!this.src.readInto) return -1;
    const n = Math.min(target.byteLength, this.end - this.offset);
    if (n <= 0) return 0;
    const got = this.src.readInto(this.offset, n === target.byteLength ? target : target.subarray(0, n));
    this.offset += got;
    return got;
  }
}

/**
 * The one buffer of scan mode, at most: small enough to stay in a core's L2 cache between the
 * kernel's copy into it and the walk (and the ordering's copy) out of it; 4 MiB evicted itself.
 */
const REUSE_CHUNK = 512 << 10;

/** A sliding window over a StreamSource. `buf[pos]` is at absolute offset `base + pos`. */
export class ByteWindow {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** Absolute offset of buf[0]. */
  base: number;
  private eof = false;

  constructor(readonly src: StreamSource, startOffset: number, readonly chunk = 4 << 20) {
    this.base = startOffset;
  }

  get offset(): number { return this.base + this.pos; }
  get available(): number { return this.end - this.pos; }

  /**
   * Bytes read from the source beyond the current buffer: after a record that straddled two chunks
   * is stitched into a small buffer of its own, the rest of the chunk waits here, so the big chunk
   * is never copied. pending[pendingPos] sits at absolute offset base + end.
   */
  private pending: Uint8Array | null = null;
  /** When set (scanRecords), the window refills one buffer: bytes are valid until the next ensure. */
  reuse = false;
  private reuseBuf: Uint8Array | undefined;
  /** Called in scan mode just before the one buffer is overwritten (records pointing into it go stale). */
  beforeRefill: (() => void) | undefined = undefined;
  private pendingPos = 0;

  /** Makes `n` bytes available at pos; false when the stream ends first. */
  ensure(n: number): boolean {
    for (;;) {
      if (this.end - this.pos >= n) return true;
      const left = this.end - this.pos;
      if (left === 0 && this.pending) {
        this.base += this.end - this.pendingPos;
        this.buf = this.pending;
        this.pos = this.pendingPos;
        this.end = this.pending.byteLength;
        this.pending = null;
        continue;
      }
      if (left === 0) {
        // Adopt the source's chunk as the window: no copy (records handed out earlier keep their buffer).
        if (this.eof) return n === 0;
        this.base += this.pos;
        this.pos = 0;
        this.end = 0;
        if (this.reuse && this.src instanceof RangeStream) {
          // Scan mode: refill one buffer (no allocation, no page faults); nothing handed out survives a call.
          const size = Math.max(Math.min(this.chunk, REUSE_CHUNK), n);
          if (!this.reuseBuf || this.reuseBuf.byteLength < size) this.reuseBuf = new Uint8Array(size);
          this.beforeRefill?.();
          const k = this.src.nextInto(this.reuseBuf);
          if (k >= 0) {
            if (k === 0) { this.eof = true; this.buf = this.reuseBuf.subarray(0, 0); return n === 0; }
            this.buf = this.reuseBuf;
            this.end = k;
            continue;
          }
        }
        const got = this.src.next(Math.max(this.chunk, n));
        if (got.byteLength === 0) { this.eof = true; this.buf = got; return n === 0; }
        this.buf = got;
        this.end = got.byteLength;
        continue;
      }
      if (this.reuse && !this.pending && this.buf === this.reuseBuf && this.src instanceof RangeStream) {
        // Scan mode: move the partial record to the front of the one buffer and refill behind it, so
        // a straddling record costs a short copy instead of a fresh multi-megabyte chunk.
        const size = Math.max(Math.min(this.chunk, REUSE_CHUNK), n);
        let rb = this.reuseBuf;
        this.beforeRefill?.();
        if (rb.byteLength < size) { rb = new Uint8Array(size); rb.set(this.buf.subarray(this.pos, this.end)); this.reuseBuf = rb; }
        else rb.copyWithin(0, this.pos, this.end);
        this.base += this.pos;
        this.buf = rb;
        this.pos = 0;
        this.end = left;
        const k = this.eof ? 0 : this.src.nextInto(rb.subarray(left));
        if (k > 0) { this.end += k; continue; }
        this.eof = true;
        return false;
      }
      // Stitch: the `left` bytes plus what follows, into a buffer of exactly n bytes.
      const stitch = new Uint8Array(n);
      stitch.set(this.buf.subarray(this.pos, this.end), 0);
      let have = left;
      while (have < n) {
        if (!this.pending) {
          if (this.eof) break;
          const got = this.src.next(Math.max(this.chunk, n - have));
          if (got.byteLength === 0) { this.eof = true; break; }
          this.pending = got;
          this.pendingPos = 0;
        }
        const take = Math.min(n - have, this.pending.byteLength - this.pendingPos);
        stitch.set(this.pending.subarray(this.pendingPos, this.pendingPos + take), have);
        have += take;
        this.pendingPos += take;
        if (this.pendingPos === this.pending.byteLength) this.pending = null;
      }
      this.base += this.pos;
      this.buf = stitch;
      this.pos = 0;
      this.end = have;
      return have >= n;
    }
  }

  /** Skips `n` bytes (possibly far beyond the window) without keeping them; false at a short stream. */
  skip(n: number): boolean {
    const inWin = Math.min(n, this.end - this.pos);
    this.pos += inWin;
    let left = n - inWin;
    if (left > 0 && this.pending) {
      // Move onto the pending chunk first.
      this.base += this.end - this.pendingPos;
      this.buf = this.pending;
      this.pos = this.pendingPos;
      this.end = this.pending.byteLength;
      this.pending = null;
      const k = Math.min(left, this.end - this.pos);
      this.pos += k;
      left -= k;
    }
    if (left > 0) {
      // Everything buffered is consumed: drop it and discard from the source.
      this.base += this.end;
      this.buf = new Uint8Array(0);
      this.pos = 0;
      this.end = 0;
    }
    while (left > 0) {
      if (this.eof) return false;
      const got = this.src.next(Math.min(left, this.chunk));
      if (got.byteLength === 0) { this.eof = true; return false; }
      this.base += got.byteLength;
      left -= got.byteLength;
    }
    return true;
  }
}

/** Reads the u16/u32 fields of a header in either byte order without a DataView per record. */
export function readU32(b: Uint8Array, i: number, le: boolean): number {
  return le
    ? (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0
    : ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}
export function readU16(b: Uint8Array, i: number, le: boolean): number {
  return le ? b[i] | (b[i + 1] << 8) : (b[i] << 8) | b[i + 1];
}

/**
 * Pulls records one at a time from a window. `limit` is the absolute offset where records end
 * (the end of the data section; Infinity for a stream). Throws FormatError on a bad header.
 */
export class RecordWalker {
  constructor(
    readonly win: ByteWindow,
    readonly file: string,
    readonly littleEndian: boolean,
    readonly limit = Infinity,
  ) {}

  /**
   * Visits records without making objects: `visit(type, buf, pos, size, fileOffset)` sees the record
   * at buf[pos, pos + size), valid only during the call. Records that need care (straddling the
   * window, trailing payloads, bad sizes) go through next(), which validates and throws the same way;
   * then `rec` is passed too. Stops at the end or when visit returns true.
   */
  scan(visit: (type: number, buf: Uint8Array, pos: number, size: number, fileOffset: number, rec: PerfRecord | null) => boolean | void): void {
    const w = this.win, le = this.littleEndian, limit = this.limit;
    for (;;) {
      const p = w.pos;
      const at = w.base + p;
      if (at >= limit) return;
      if (w.end - p >= 8) {
        const b = w.buf;
        const type = le ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0 : readU32(b, p, le);
        const size = le ? b[p + 6] | (b[p + 7] << 8) : readU16(b, p + 6, le);
        if (size >= 8 && p + size <= w.end && at + size <= limit && type !== RecordType.HEADER_TRACING_DATA && type !== RecordType.AUXTRACE) {
          w.pos = p + size;
          if (visit(type, b, p, size, at, null)) return;
          continue;
        }
      }
      const rec = this.next();
      if (!rec) return;
      if (visit(rec.type, rec.bytes, 0, rec.size, rec.fileOffset, rec)) return;
    }
  }

  /**
   * next() for a transient walk: a record wholly inside the window (no trailing payload) is
   * returned as `out` pointed at the window (valid until the window moves); others as next() makes them.
   */
  nextInto(out: WindowRecord): PerfRecord | null {
    const w = this.win, p = w.pos, at = w.base + p;
    if (at < this.limit && w.end - p >= 8) {
      const b = w.buf, le = this.littleEndian;
      const size = le ? b[p + 6] | (b[p + 7] << 8) : readU16(b, p + 6, le);
      if (size >= 8 && p + size <= w.end && at + size <= this.limit) {
        out.set(b, p, size, le, at, undefined);
        if (out.type !== RecordType.HEADER_TRACING_DATA && out.type !== RecordType.AUXTRACE) {
          w.pos = p + size;
          return out;
        }
      }
    }
    return this.next();
  }

  /** The next record, or null at the end. */
  next(): PerfRecord | null {
    const w = this.win;
    const at = w.offset;
    if (at >= this.limit) return null;
    if (!w.ensure(PERF_EVENT_HEADER_SIZE)) {
      if (w.available === 0) return null;
      throw new FormatError(this.file, at, 'a perf_event_header (8 bytes)', `${w.available} bytes before the end`);
    }
    const b = w.buf, p = w.pos, le = this.littleEndian;
    const type = readU32(b, p, le);
    const misc = readU16(b, p + 4, le);
    const size = readU16(b, p + 6, le);
    if (size < PERF_EVENT_HEADER_SIZE) {
      throw new FormatError(this.file, at, 'perf_event_header with size >= 8', `size ${size} (type ${type})`);
    }
    if (at + size > this.limit) {
      throw new FormatError(this.file, at, `perf_event_header with size within the data section (${this.limit - at} bytes left)`, `size ${size} (type ${type})`);
    }
    if (!w.ensure(size)) {
      throw new FormatError(this.file, at, `a record of ${size} bytes (perf_event_header.size)`, `${w.available} bytes before the end`);
    }
    const bytes = w.buf.subarray(w.pos, w.pos + size);
    w.pos += size;
    const rec: PerfRecord = { type, misc, size, fileOffset: at, bytes };
    if (type === RecordType.HEADER_TRACING_DATA) {
      if (size < 12) throw new FormatError(this.file, at, 'PERF_RECORD_HEADER_TRACING_DATA of at least 12 bytes', `size ${size}`);
      const n = readU32(bytes, 8, le);
      const padded = n + ((8 - (n % 8)) % 8);
      if (at + size + padded > this.limit) throw new FormatError(this.file, at + 8, 'tracing data size within the data section', `${n}`);
      if (!w.ensure(padded)) throw new FormatError(this.file, at + size, `${padded} bytes of tracing data`, `${w.available} bytes before the end`);
      rec.payload = w.buf.slice(w.pos, w.pos + n);
      w.pos += padded;
    } else if (type === RecordType.AUXTRACE) {
      if (size < 48) throw new FormatError(this.file, at, 'PERF_RECORD_AUXTRACE of at least 48 bytes', `size ${size}`);
      const lo = readU32(bytes, le ? 8 : 12, le), hi = readU32(bytes, le ? 12 : 8, le);
      const n = hi * 0x100000000 + lo;
      if (hi >= 0x200000 || at + size + n > this.limit) throw new FormatError(this.file, at + 8, 'AUXTRACE size within the data section', `${n}`);
      if (!w.skip(n)) throw new FormatError(this.file, at + size, `${n} bytes of AUX area data`, 'the end of the stream');
    }
    return rec;
  }
}
