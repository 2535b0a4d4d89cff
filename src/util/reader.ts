// A bounded little/big-endian reader over one block of bytes. Reading past the block's end throws a
// FormatError with the absolute file offset (CONVENTIONS.md 7): never 0 for a read past the end.
import { FormatError } from './errors.js';

export class Reader {
  readonly view: DataView;
  /** Position relative to the start of `bytes`. */
  pos = 0;

  /**
   * @param bytes the block; the reader never reads outside it
   * @param fileOffset absolute file offset of bytes[0], for error messages
   * @param file name of the file, for error messages
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly fileOffset = 0,
    readonly file = '<bytes>',
    public littleEndian = true,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number { return this.bytes.byteLength; }
  get remaining(): number { return this.bytes.byteLength - this.pos; }
  get absolute(): number { return this.fileOffset + this.pos; }

  fail(expected: string, found?: string, at = this.pos): never {
    throw new FormatError(this.file, this.fileOffset + at, expected, found);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.bytes.byteLength) {
      this.fail(`${what} (${n} bytes)`, `${Math.max(0, this.bytes.byteLength - this.pos)} bytes left`);
    }
  }

  seek(pos: number): this {
    if (pos < 0 || pos > this.bytes.byteLength) this.fail(`a position within ${this.bytes.byteLength} bytes`, String(pos));
    this.pos = pos;
    return this;
  }

  skip(n: number, what = 'bytes to skip'): void { this.need(n, what); this.pos += n; }

  u8(what = 'u8'): number { this.need(1, what); return this.view.getUint8(this.pos++); }
  i8(what = 'i8'): number { this.need(1, what); return this.view.getInt8(this.pos++); }
  u16(what = 'u16'): number { this.need(2, what); const v = this.view.getUint16(this.pos, this.littleEndian); this.pos += 2; return v; }
  i16(what = 'i16'): number { this.need(2, what); const v = this.view.getInt16(this.pos, this.littleEndian); this.pos += 2; return v; }
  u32(what = 'u32'): number { this.need(4, what); const v = this.view.getUint32(this.pos, this.littleEndian); this.pos += 4; return v; }
  i32(what = 'i32'): number { this.need(4, what); const v = this.view.getInt32(this.pos, this.littleEndian); this.pos += 4; return v; }
  u64(what = 'u64'): bigint { this.need(8, what); const v = this.view.getBigUint64(this.pos, this.littleEndian); this.pos += 8; return v; }
  i64(what = 'i64'): bigint { this.need(8, what); const v = this.view.getBigInt64(this.pos, this.littleEndian); this.pos += 8; return v; }

  /** A u64 as a double when it is below 2^53 (sizes, offsets, counts); a FormatError otherwise. */
  u64n(what = 'u64'): number {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.view.getUint32(this.pos + (this.littleEndian ? 4 : 0), this.littleEndian);
    if (hi >= 0x200000) this.fail(`${what} below 2^53`, `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }

  /** Reads `n` bytes as a subarray (no copy). */
  bytesN(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A sub-reader over the next `n` bytes, advancing past them. */
  sub(n: number, what = 'block'): Reader {
    const start = this.pos;
    const b = this.bytesN(n, what);
    return new Reader(b, this.fileOffset + start, this.file, this.littleEndian);
  }

  /** A NUL-terminated string; fails if no NUL before the end. */
  cstring(what = 'NUL-terminated string'): string {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0) this.fail(what, 'no NUL before the end of the block');
    const s = latin1OrUtf8(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** A fixed-size field holding a NUL-padded string. */
  fixedString(n: number, what = 'string'): string {
    const b = this.bytesN(n, what);
    const end = b.indexOf(0);
    return latin1OrUtf8(end < 0 ? b : b.subarray(0, end));
  }

  uleb128(what = 'ULEB128'): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.u8(what);
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      else if ((byte & 0x7f) !== 0) this.fail(`${what} below 2^53`);
      shift += 7;
    } while (byte & 0x80);
    return result;
  }

  sleb128(what = 'SLEB128'): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.u8(what);
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 64 && (byte & 0x40)) result -= 2 ** Math.min(shift, 64);
    return result;
  }

  align(n: number): void {
    const r = this.pos % n;
    if (r) this.skip(n - r, 'alignment padding');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
function latin1OrUtf8(b: Uint8Array): string {
  if (b.length > 1024) return utf8.decode(b);
  for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) return utf8.decode(b);
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

/** Decodes a byte range as UTF-8 text (no NUL handling). */
export function decodeText(b: Uint8Array): string { return latin1OrUtf8(b); }
