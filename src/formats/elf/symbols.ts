// ELF symbol tables (.symtab, .dynsym) decoded into columns.
//   Elf32_Sym (16 bytes): u32 st_name; u32 st_value; u32 st_size; u8 st_info; u8 st_other; u16 st_shndx
//   Elf64_Sym (24 bytes): u32 st_name; u8 st_info; u8 st_other; u16 st_shndx; u64 st_value; u64 st_size
// st_info = bind << 4 | type; st_other & 3 = visibility. st_shndx == SHN_XINDEX means the real index
// is in the SHT_SYMTAB_SHNDX section (u32 per symbol) linked to this table.
//
// Values are kept exact as (hi, lo) u32 columns: kernel symbols (0xffffffff8...) exceed 2^53.
// `allBelow2p53` says whether every value fits a double exactly; then `valueNumber(i)` is exact and
// a symbolizer can use a Float64Array, else it needs a BigUint64Array (see symbols/symbol-index.ts).
import { Reader } from '../../util/index.js';
import { SHN_XINDEX } from './constants.js';

export interface ElfSymbol {
  index: number;
  name: string;
  value: bigint;
  size: number;
  /** STT_* */
  type: number;
  /** STB_* */
  bind: number;
  /** STV_* */
  visibility: number;
  /** Section index (SHN_XINDEX already resolved). */
  shndx: number;
}

export interface SymbolTableInput {
  file: string;
  littleEndian: boolean;
  bits: 32 | 64;
  symbols: Uint8Array;
  symbolsOffset: number;
  entsize: number;
  strings: Uint8Array;
  stringsOffset: number;
  shndx?: Uint8Array;
  sectionName: string;
}

export class ElfSymbolTable {
  constructor(
    readonly count: number,
    readonly valueHi: Uint32Array,
    readonly valueLo: Uint32Array,
    readonly size: Float64Array,
    /** st_info */
    readonly info: Uint8Array,
    /** st_other */
    readonly other: Uint8Array,
    readonly shndx: Uint32Array,
    readonly nameOffset: Uint32Array,
    private readonly strings: Reader,
    readonly allBelow2p53: boolean,
  ) {}

  private names?: (string | undefined)[];

  /** The symbol's name (decoded on first use; a FormatError when st_name points outside the string table). */
  name(i: number): string {
    this.names ??= new Array(this.count);
    let n = this.names[i];
    if (n === undefined) {
      const off = this.nameOffset[i];
      if (off >= this.strings.length) this.strings.fail(`symbol ${i} name offset below ${this.strings.length}`, String(off), 0);
      this.strings.seek(off);
      n = this.strings.cstring(`symbol ${i} name`);
      this.names[i] = n;
    }
    return n;
  }

  /**
   * The string table alone, by st_name offset (name(i) and its ASCII bytes without the symbol
   * columns): a holder of a few names keeps only the strings alive.
   */
  stringTable(): SymbolNames {
    return symbolNames(this.strings);
  }

  private lastNul?: number;

  /** Throws the FormatError name(i) would throw, without decoding the name (for lazy decoders). */
  checkName(i: number): void {
    if (this.nameOffset[i] > this.lastNameOffset()) this.name(i);
  }

  /** The last st_name that can decode (the string table's last NUL): checkName passes below it. */
  lastNameOffset(): number {
    return (this.lastNul ??= this.strings.bytes.lastIndexOf(0));
  }

  /** checkName for each of `rows` in order (the first one that would not decode throws). */
  checkNames(rows: Uint32Array): void {
    for (let k = 0; k < rows.length; k++) this.checkName(rows[k]);
  }

  value(i: number): bigint { return (BigInt(this.valueHi[i]) << 32n) | BigInt(this.valueLo[i]); }
  /** st_value as a number: exact when valueHi[i] < 0x200000 (always, when allBelow2p53). */
  valueNumber(i: number): number { return this.valueHi[i] * 0x100000000 + this.valueLo[i]; }
  type(i: number): number { return this.info[i] & 0xf; }
  bind(i: number): number { return this.info[i] >> 4; }
  visibility(i: number): number { return this.other[i] & 3; }

  symbol(i: number): ElfSymbol {
    return {
      index: i, name: this.name(i), value: this.value(i), size: this.size[i],
      type: this.type(i), bind: this.bind(i), visibility: this.visibility(i), shndx: this.shndx[i],
    };
  }

  *[Symbol.iterator](): IterableIterator<ElfSymbol> {
    for (let i = 0; i < this.count; i++) yield this.symbol(i);
  }
}


/** Names of a string table by st_name offset (ElfSymbolTable.stringTable). */
export interface SymbolNames { name(offset: number): string; ascii(offset: number): Uint8Array | undefined }

function symbolNames(strings: Reader): SymbolNames {
  return {
    name: (off) => {
      if (off >= strings.length) strings.fail(`symbol name offset below ${strings.length}`, String(off), 0);
      strings.seek(off);
      return strings.cstring('symbol name');
    },
    // One loop to the NUL checking each byte: no builtin call (Uint8Array indexOf is a C++ one).
    ascii: (off) => {
      const b = strings.bytes, n = b.byteLength;
      for (let i = off; i < n; i++) {
        const c = b[i];
        if (c === 0) return b.subarray(off, i);
        if (c >= 0x80) return undefined;
      }
      return undefined;
    },
  };
}

const LITTLE_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function readSymbolTable(t: SymbolTableInput): ElfSymbolTable {
  const count = symbolTableCount(t);
  const ent = t.entsize === 0 ? (t.bits === 64 ? 24 : 16) : t.entsize;
  const valueHi = new Uint32Array(count), valueLo = new Uint32Array(count), size = new Float64Array(count);
  const info = new Uint8Array(count), other = new Uint8Array(count), shndx = new Uint32Array(count), nameOffset = new Uint32Array(count);
  let allBelow = true;
  const le = t.littleEndian;
  // count * ent <= symbols.length, so every field read below is in bounds: a DataView without
  // per-field checks (Reader's would cost a call and a check per field on 100k-symbol tables).
  const v = new DataView(t.symbols.buffer, t.symbols.byteOffset, t.symbols.byteLength);
  const xv = t.shndx ? new DataView(t.shndx.buffer, t.shndx.byteOffset, t.shndx.byteLength) : undefined;
  if (t.bits === 64 && le && LITTLE_HOST && t.symbols.byteOffset % 4 === 0 && ent % 4 === 0) {
    // ELF64 little-endian on a little-endian host, 4-aligned: whole-word reads through typed views
    // (the same fields as the DataView loop below, several times faster before the JIT warms up).
    const u32 = new Uint32Array(t.symbols.buffer, t.symbols.byteOffset, count * (ent >> 2));
    const u8 = t.symbols;
    const w = ent >> 2;
    for (let i = 0, o = 0; i < count; i++, o += w) {
      nameOffset[i] = u32[o];
      const b = o << 2;
      info[i] = u8[b + 4]; other[i] = u8[b + 5]; shndx[i] = u8[b + 6] | (u8[b + 7] << 8);
      valueLo[i] = u32[o + 2]; valueHi[i] = u32[o + 3];
      size[i] = u32[o + 5] * 0x100000000 + u32[o + 4];
      if (valueHi[i] >= 0x200000) allBelow = false;
    }
    if (xv) {
      for (let i = 0; i < count; i++) {
        if (shndx[i] !== SHN_XINDEX) continue;
        if (i * 4 + 4 > xv.byteLength) new Reader(t.shndx!, 0, t.file, le).seek(Math.min(i * 4, xv.byteLength)).u32('SHT_SYMTAB_SHNDX entry');
        shndx[i] = xv.getUint32(i * 4, le);
      }
    }
  } else for (let i = 0; i < count; i++) {
    const o = i * ent;
    nameOffset[i] = v.getUint32(o, le);
    if (t.bits === 64) {
      info[i] = v.getUint8(o + 4); other[i] = v.getUint8(o + 5); shndx[i] = v.getUint16(o + 6, le);
      const a = v.getUint32(o + 8, le), b = v.getUint32(o + 12, le);
      valueLo[i] = le ? a : b; valueHi[i] = le ? b : a;
      const sa = v.getUint32(o + 16, le), sb = v.getUint32(o + 20, le);
      // Sizes beyond 2^53 only come from corrupt tables; keep them as a (inexact) huge size rather than fail.
      size[i] = le ? sb * 0x100000000 + sa : sa * 0x100000000 + sb;
    } else {
      valueLo[i] = v.getUint32(o + 4, le); size[i] = v.getUint32(o + 8, le);
      info[i] = v.getUint8(o + 12); other[i] = v.getUint8(o + 13); shndx[i] = v.getUint16(o + 14, le);
    }
    if (valueHi[i] >= 0x200000) allBelow = false;
    if (shndx[i] === SHN_XINDEX && xv) {
      // A short SHT_SYMTAB_SHNDX section is a FormatError, as the bounded reader reported it.
      if (i * 4 + 4 > xv.byteLength) new Reader(t.shndx!, 0, t.file, le).seek(Math.min(i * 4, xv.byteLength)).u32('SHT_SYMTAB_SHNDX entry');
      shndx[i] = xv.getUint32(i * 4, le);
    }
  }
  const strings = new Reader(t.strings, t.stringsOffset, t.file, t.littleEndian);
  return new ElfSymbolTable(count, valueHi, valueLo, size, info, other, shndx, nameOffset, strings, allBelow);
}

/** The number of entries readSymbolTable(t) would decode (its sh_entsize check included). */
export function symbolTableCount(t: SymbolTableInput): number {
  const min = t.bits === 64 ? 24 : 16;
  const ent = t.entsize === 0 ? min : t.entsize;
  if (ent < min) new Reader(t.symbols, t.symbolsOffset, t.file, t.littleEndian).fail(`${t.sectionName} sh_entsize >= ${min}`, String(t.entsize), 0);
  return Math.floor(t.symbols.length / ent);
}

/** Some rows of a symbol table in table order (pickSymbols); `nameOffset` by row, names through `strings`. */
export interface PickedSymbols {
  count: number;
  valueHi: Uint32Array;
  valueLo: Uint32Array;
  size: Float64Array;
  /** st_info >> 4 */
  bind: Int8Array;
  nameOffset: Uint32Array;
  /** Whether some st_value + st_size + 8192 reaches 2^53. */
  big: boolean;
  strings: SymbolNames;
}

/**
 * The rows of t that keepsSymbol keeps, read in one pass over the table's bytes (no column of every
 * row decoded first), with a row's section class `holds[shndx]` (SHN_XINDEX resolved; indexes past
 * `holds` have none).
 * Undefined when the layout is not ELF64 little-endian on a little-endian host, 4-aligned, or a
 * kept name would not decode: readSymbolTable then says the same rows (and throws the same error).
 */
export function pickSymbols(t: SymbolTableInput, holds: Uint8Array): PickedSymbols | undefined {
  const count = symbolTableCount(t);
  const ent = t.entsize === 0 ? 24 : t.entsize;
  if (t.bits !== 64 || !t.littleEndian || !LITTLE_HOST || t.symbols.byteOffset % 4 !== 0 || ent % 4 !== 0) return undefined;
  const u32 = new Uint32Array(t.symbols.buffer, t.symbols.byteOffset, count * (ent >> 2));
  const xv = t.shndx ? new DataView(t.shndx.buffer, t.shndx.byteOffset, t.shndx.byteLength) : undefined;
  const hi = new Uint32Array(count), lo = new Uint32Array(count), size = new Float64Array(count), bind = new Int8Array(count), nameOffset = new Uint32Array(count);
  const r = pickRows(u32, t.symbols, ent >> 2, count, holds, xv, t, hi, lo, size, bind, nameOffset);
  const n = r.n;
  const lastNul = t.strings.lastIndexOf(0);
  if (n > 0 && r.maxName > lastNul) return undefined;
  const strings = symbolNamesOf(t);
  return { count: n, valueHi: hi.subarray(0, n), valueLo: lo.subarray(0, n), size: size.subarray(0, n), bind: bind.subarray(0, n), nameOffset: nameOffset.subarray(0, n), big: r.big, strings };
}

/**
 * pickSymbols' row filter, also the one symbols/symbol-index.ts applies to decoded tables: a named
 * row (st_name > 0) in a section of class `h` > 0 whose type is FUNC, GNU_IFUNC or OBJECT, or NOTYPE
 * with visibility DEFAULT or PROTECTED in a class-3 section (perf's elf_sym__filter and
 * elf_sym__is_label; `h` is elf_sec__filter's answer for the row's section).
 */
export function keepsSymbol(h: number, name: number, info: number, other: number): boolean {
  if (h === 0 || name === 0) return false;
  const type = info & 0xf;
  if (type === 0 /* STT_NOTYPE */) {
    const vis = other & 3;
    return h === 3 && vis !== 2 /* STV_HIDDEN */ && vis !== 1 /* STV_INTERNAL */;
  }
  return type === 2 /* STT_FUNC */ || type === 10 /* STT_GNU_IFUNC */ || type === 1 /* STT_OBJECT */;
}

/** pickSymbols' loop (its own function: V8 compiles a hot loop on the stack of a small function sooner). */
function pickRows(u32: Uint32Array, u8: Uint8Array, w: number, count: number, holds: Uint8Array, xv: DataView | undefined, t: SymbolTableInput,
  hi: Uint32Array, lo: Uint32Array, size: Float64Array, bind: Int8Array, nameOffset: Uint32Array): { n: number; maxName: number; big: boolean } {
  const nsec = holds.length;
  let n = 0, maxName = 0, big = false;
  for (let i = 0, o = 0; i < count; i++, o += w) {
    const b = o << 2;
    let shndx = u8[b + 6] | (u8[b + 7] << 8);
    if (shndx === SHN_XINDEX && xv) {
      // A short SHT_SYMTAB_SHNDX section is a FormatError, as readSymbolTable reports it.
      if (i * 4 + 4 > xv.byteLength) new Reader(t.shndx!, 0, t.file, true).seek(Math.min(i * 4, xv.byteLength)).u32('SHT_SYMTAB_SHNDX entry');
      shndx = xv.getUint32(i * 4, true);
    }
    const h = shndx < nsec ? holds[shndx] : 0;
    const name = u32[o];
    const info = u8[b + 4];
    if (!keepsSymbol(h, name, info, u8[b + 5])) continue;
    const l = u32[o + 2], hv = u32[o + 3], z = u32[o + 5] * 0x100000000 + u32[o + 4];
    hi[n] = hv; lo[n] = l; size[n] = z; bind[n] = info >> 4; nameOffset[n] = name;
    if (name > maxName) maxName = name;
    if (hv * 0x100000000 + l + z + 8192 >= 2 ** 53) big = true;
    n++;
  }
  return { n, maxName, big };
}

/** The names of t's string table by st_name offset (ElfSymbolTable.stringTable without decoding the table). */
export function symbolNamesOf(t: SymbolTableInput): SymbolNames {
  return symbolNames(new Reader(t.strings, t.stringsOffset, t.file, t.littleEndian));
}

/** st_name of entry i of t, for i below symbolTableCount(t) (the field opens Elf32_Sym and Elf64_Sym alike). */
export function symbolNameOffsets(t: SymbolTableInput): (i: number) => number {
  const ent = t.entsize === 0 ? (t.bits === 64 ? 24 : 16) : t.entsize, le = t.littleEndian;
  const v = new DataView(t.symbols.buffer, t.symbols.byteOffset, t.symbols.byteLength);
  return (i) => v.getUint32(i * ent, le);
}
