// A fast bounded cursor over one DWARF section. Hot loops (DIE walks, line programs) read through
// it, so it checks bounds with one comparison per read and throws FormatError past the end
// (CONVENTIONS.md 7). Addresses are returned as numbers wrapped to 53 bits (value mod 2^53): exact
// for user-space addresses, and order-preserving for kernel addresses (top 11 bits all ones).
import { FormatError } from '../../util/errors.js';

export const ADDR_MASK_HI = 0x1fffff; // the low 21 bits of the high word: 32 + 21 = 53 bits

export class Cursor {
  pos: number;
  readonly end: number;
  constructor(readonly bytes: Uint8Array, readonly section: string, start = 0, end = bytes.length) {
    // Offsets come from the data itself: a value of the wrong class (a string, NaN) must not
    // make reads silently return undefined.
    if (typeof start !== 'number' || !(start >= 0)) throw new FormatError(section, 0, 'a section offset', String(start));
    this.pos = start;
    this.end = end;
  }

  fail(expected: string, at = this.pos): never {
    throw new FormatError(this.section, at, expected, `${Math.max(0, this.end - at)} bytes left`);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('u8');
    return this.bytes[this.pos++];
  }
  i8(): number { const v = this.u8(); return v >= 0x80 ? v - 0x100 : v; }
  u16(): number {
    const p = this.pos;
    if (p + 2 > this.end) this.fail('u16');
    this.pos = p + 2;
    return this.bytes[p] | (this.bytes[p + 1] << 8);
  }
  u24(): number {
    const p = this.pos;
    if (p + 3 > this.end) this.fail('u24');
    this.pos = p + 3;
    return this.bytes[p] | (this.bytes[p + 1] << 8) | (this.bytes[p + 2] << 16);
  }
  u32(): number {
    const p = this.pos, b = this.bytes;
    if (p + 4 > this.end) this.fail('u32');
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  }
  /** A u64 wrapped to 53 bits (see the file comment). */
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    return (hi & ADDR_MASK_HI) * 0x100000000 + lo;
  }
  /** An unsigned value of `size` bytes (1, 2, 4 or 8). */
  uN(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: return this.fail(`an integer size of 1, 2, 4 or 8, not ${size}`);
    }
  }
  uleb(): number {
    const b = this.bytes;
    let p = this.pos;
    if (p < this.end && b[p] < 0x80) { this.pos = p + 1; return b[p]; }
    let result = 0, mul = 1, byte: number;
    do {
      if (p >= this.end) this.fail('ULEB128');
      byte = b[p++];
      if (mul < 2 ** 53) result += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    this.pos = p;
    return result;
  }
  sleb(): number {
    const b = this.bytes;
    let p = this.pos, result = 0, mul = 1, byte: number;
    do {
      if (p >= this.end) this.fail('SLEB128');
      byte = b[p++];
      if (mul < 2 ** 53) result += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    this.pos = p;
    if (byte & 0x40) result -= mul < 2 ** 64 ? mul : 2 ** 64;
    return result;
  }
  skip(n: number): void {
    if (!(n >= 0) || this.pos + n > this.end) this.fail(`${n} bytes to skip`);
    this.pos += n;
  }
  skipLeb(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < this.end && b[p] & 0x80) p++;
    if (p >= this.end) this.fail('LEB128');
    this.pos = p + 1;
  }
  /** Position of the NUL ending the string at pos; advances past it. Returns the string. */
  cstr(): string {
    const start = this.pos;
    const e = this.bytes.indexOf(0, start);
    if (e < 0 || e >= this.end) this.fail('NUL-terminated string');
    this.pos = e + 1;
    return decodeString(this.bytes, start, e);
  }
  skipCstr(): void {
    const e = this.bytes.indexOf(0, this.pos);
    if (e < 0 || e >= this.end) this.fail('NUL-terminated string');
    this.pos = e + 1;
  }
  /** An offset of 4 bytes (32-bit DWARF) or 8 bytes (64-bit DWARF). */
  offset(is64: boolean): number { return is64 ? this.u64() : this.u32(); }

  /**
   * Reads an initial length: returns [length, is64]. 0xffffffff announces 64-bit DWARF
   * (DWARF 5 section 7.4); 0xfffffff0-0xfffffffe are reserved.
   */
  initialLength(): [number, boolean] {
    const v = this.u32();
    if (v === 0xffffffff) return [this.u64(), true];
    if (v >= 0xfffffff0) this.fail('a unit length (reserved value 0x' + v.toString(16) + ')', this.pos - 4);
    return [v, false];
  }
}

const utf8 = new TextDecoder('utf-8');
export function decodeString(b: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let ascii = true;
    for (let i = start; i < end; i++) if (b[i] >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(b.subarray(start, end));
}

/** The NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(sec: Uint8Array | undefined, offset: number, name: string): string {
  if (!sec || offset >= sec.length) throw new FormatError(name, offset, `a string offset within ${sec?.length ?? 0} bytes`);
  const e = sec.indexOf(0, offset);
  if (e < 0) throw new FormatError(name, offset, 'NUL-terminated string');
  return decodeString(sec, offset, e);
}
