// Call frame information records: CIEs and FDEs of .eh_frame (LSB 5.0 "Exception Frames") and of
// .debug_frame (DWARF 2/3/4/5 section 6.4.1), with every DW_EH_PE pointer encoding.
//
//   CIE                                  FDE
//   u32   length (0xffffffff: u64 next)  u32   length (0xffffffff: u64 next)
//   u32/64 CIE_id  (.eh_frame: 0;        u32/64 CIE_pointer (.eh_frame: distance back from this
//          .debug_frame: 0xffffffff           field to the CIE; .debug_frame: section offset)
//          or 0xffffffffffffffff)        [segment selector, segment_size bytes]   (.debug_frame v4)
//   u8    version (1, 3, 4)              enc   initial_location (CIE's 'R' encoding or address_size)
//   str   augmentation ("zR", "zPLR" ..) enc   address_range    (value format only, no base)
//   [u8 address_size, u8 segment_size]   [uleb augmentation length, 'L' → LSDA pointer]  if 'z'
//   [addr eh_ptr]       augmentation "eh" u8[] call frame instructions
//   uleb  code_alignment_factor
//   sleb  data_alignment_factor
//   u8 (v1) / uleb  return_address_register
//   [uleb length, then per letter: 'P' enc+ptr, 'L' enc, 'R' enc; 'S','B','G' no data]  if 'z'
//   u8[]  initial instructions
// In .eh_frame the CIE pointer is 4 bytes even after a 64-bit length (LSB; gimli and LLVM agree),
// and a zero length is a terminator that readelf and libgcc skip over.
import { FormatError } from '../../util/errors.js';
import { Reader } from '../../util/reader.js';

export const DW_EH_PE_absptr = 0x00;
export const DW_EH_PE_uleb128 = 0x01;
export const DW_EH_PE_udata2 = 0x02;
export const DW_EH_PE_udata4 = 0x03;
export const DW_EH_PE_udata8 = 0x04;
export const DW_EH_PE_signed = 0x08;
export const DW_EH_PE_sleb128 = 0x09;
export const DW_EH_PE_sdata2 = 0x0a;
export const DW_EH_PE_sdata4 = 0x0b;
export const DW_EH_PE_sdata8 = 0x0c;
export const DW_EH_PE_pcrel = 0x10;
export const DW_EH_PE_textrel = 0x20;
export const DW_EH_PE_datarel = 0x30;
export const DW_EH_PE_funcrel = 0x40;
export const DW_EH_PE_aligned = 0x50;
export const DW_EH_PE_indirect = 0x80;
export const DW_EH_PE_omit = 0xff;

/** Bases for the relative pointer encodings. Addresses are link-time virtual addresses. */
export interface PointerBases {
  /** Address of bytes[0] of the block being read (for DW_EH_PE_pcrel and _aligned). */
  section: number;
  /** DW_EH_PE_textrel base (the .text address; rarely used). */
  text?: number;
  /** DW_EH_PE_datarel base: the .eh_frame_hdr address inside the hdr, the GOT address in .eh_frame on i386/x86_64. */
  data?: number;
  /** DW_EH_PE_funcrel base: the FDE's initial location. */
  func?: number;
}

/** Byte size of an encoded value's format, or 0 for the LEB128 formats. */
export function encodedSize(enc: number, addressSize: number): number {
  switch (enc & 0x0f) {
    case DW_EH_PE_absptr: return addressSize;
    case DW_EH_PE_udata2: case DW_EH_PE_sdata2: return 2;
    case DW_EH_PE_udata4: case DW_EH_PE_sdata4: return 4;
    case DW_EH_PE_udata8: case DW_EH_PE_sdata8: return 8;
    default: return 0;
  }
}

/** Reads a u64 as a double: exact below 2^53, which every user-space address is. */
function u64Lossy(r: Reader, what: string): number {
  const lo = r.u32(what), hi = r.u32(what);
  return r.littleEndian ? hi * 0x100000000 + lo : lo * 0x100000000 + hi;
}
function i64Lossy(r: Reader, what: string): number {
  const lo = r.u32(what), hi = r.u32(what);
  const [h, l] = r.littleEndian ? [hi, lo] : [lo, hi];
  return (h | 0) * 0x100000000 + l;
}

/**
 * Reads one pointer in encoding `enc` and applies its base. With DW_EH_PE_indirect the result is the
 * address where the pointer is stored (dereferencing needs the loaded image; callers that care check
 * `enc & DW_EH_PE_indirect`). `applyBase: false` reads the value format only (FDE address_range).
 */
export function readEncodedPointer(r: Reader, enc: number, addressSize: number, bases: PointerBases, what = 'encoded pointer', applyBase = true): number {
  if (enc === DW_EH_PE_omit) return 0;
  const fieldPos = r.pos;
  let value: number;
  const app = enc & 0x70;
  if (app === DW_EH_PE_aligned && applyBase) {
    const addr = bases.section + r.pos;
    const pad = (addressSize - (addr % addressSize)) % addressSize;
    r.skip(pad, 'DW_EH_PE_aligned padding');
    value = addressSize === 8 ? u64Lossy(r, what) : r.u32(what);
    return value;
  }
  switch (enc & 0x0f) {
    case DW_EH_PE_absptr: value = addressSize === 8 ? u64Lossy(r, what) : addressSize === 4 ? r.u32(what) : r.u16(what); break;
    case DW_EH_PE_uleb128: value = r.uleb128(what); break;
    case DW_EH_PE_udata2: value = r.u16(what); break;
    case DW_EH_PE_udata4: value = r.u32(what); break;
    case DW_EH_PE_udata8: value = u64Lossy(r, what); break;
    case DW_EH_PE_sleb128: value = r.sleb128(what); break;
    case DW_EH_PE_sdata2: value = r.i16(what); break;
    case DW_EH_PE_sdata4: value = r.i32(what); break;
    case DW_EH_PE_sdata8: value = i64Lossy(r, what); break;
    default: r.fail(`a DW_EH_PE value format for ${what}`, `encoding 0x${enc.toString(16)}`, fieldPos);
  }
  if (!applyBase) return value;
  switch (app) {
    case 0: break;
    case DW_EH_PE_pcrel: value += bases.section + fieldPos; break;
    case DW_EH_PE_textrel:
      if (bases.text === undefined) r.fail(`a text base for DW_EH_PE_textrel ${what}`, 'none given', fieldPos);
      value += bases.text; break;
    case DW_EH_PE_datarel:
      if (bases.data === undefined) r.fail(`a data base for DW_EH_PE_datarel ${what}`, 'none given', fieldPos);
      value += bases.data; break;
    case DW_EH_PE_funcrel:
      if (bases.func === undefined) r.fail(`a function base for DW_EH_PE_funcrel ${what}`, 'none given', fieldPos);
      value += bases.func; break;
    default: r.fail(`a DW_EH_PE application for ${what}`, `encoding 0x${enc.toString(16)}`, fieldPos);
  }
  if (addressSize === 4) value = value >>> 0;
  return value;
}

/** A Common Information Entry. Instruction ranges are offsets into the section bytes. */
export interface Cie {
  offset: number;
  version: number;
  augmentation: string;
  addressSize: number;
  segmentSize: number;
  codeAlignmentFactor: number;
  dataAlignmentFactor: number;
  returnAddressRegister: number;
  /** Encoding of FDE initial_location/address_range and DW_CFA_set_loc ('R'); absptr when absent. */
  fdeEncoding: number;
  /** Encoding of the FDE's LSDA pointer ('L'), or DW_EH_PE_omit. */
  lsdaEncoding: number;
  personalityEncoding: number;
  /** Personality routine address ('P'); with an indirect encoding, the address of the pointer. */
  personality?: number;
  /** 'S': the FDEs describe signal trampolines (the pc is not a return address). */
  signalFrame: boolean;
  /** 'B' (aarch64 BTI) and 'G' (MTE tagged frames) seen. */
  flags: string;
  hasAugmentationData: boolean;
  instructionsStart: number;
  instructionsEnd: number;
  /** Offset just past the entry. */
  end: number;
}

/** A Frame Description Entry: the pc range [pcBegin, pcEnd) and its instructions. */
export interface Fde {
  offset: number;
  cie: Cie;
  pcBegin: number;
  pcEnd: number;
  /** Address of the language-specific data area ('L'), if any. */
  lsda?: number;
  instructionsStart: number;
  instructionsEnd: number;
  end: number;
}

export type FrameEntry = { kind: 'cie'; cie: Cie } | { kind: 'fde'; fde: Fde } | { kind: 'terminator'; offset: number; end: number };

export interface FrameSectionInput {
  bytes: Uint8Array;
  /** The section's virtual address (sh_addr): the base of pc-relative pointers. */
  address: number;
  /** The section's file offset (sh_offset), for error messages. */
  fileOffset?: number;
  file?: string;
  /** 8 for ELFCLASS64 (default), 4 for ELFCLASS32. */
  addressSize?: number;
  littleEndian?: boolean;
  /** DW_EH_PE_datarel base (the GOT address on i386/x86_64) */
  dataBase?: number;
  textBase?: number;
}

const MAX_SECTION = 0x7fffffff;

/**
 * One .eh_frame or .debug_frame section: parses entries on demand, caches CIEs and FDEs by offset,
 * and keeps a sorted pc index (built on first use when there is no .eh_frame_hdr).
 */
export class FrameSection {
  readonly bytes: Uint8Array;
  readonly address: number;
  readonly isEh: boolean;
  readonly addressSize: number;
  readonly file: string;
  readonly fileOffset: number;
  readonly dataBase?: number;
  readonly textBase?: number;
  /** Reader over the whole section, reused by the CFA interpreter. */
  readonly reader: Reader;
  private readonly cies = new Map<number, Cie>();
  private readonly fdes = new Map<number, Fde>();
  private indexBegin?: Float64Array;
  private indexEnd?: Float64Array;
  private indexOffset?: Float64Array;

  constructor(kind: 'eh_frame' | 'debug_frame', input: FrameSectionInput) {
    this.isEh = kind === 'eh_frame';
    this.bytes = input.bytes;
    this.address = input.address;
    this.addressSize = input.addressSize ?? 8;
    this.file = input.file ?? `<.${kind}>`;
    this.fileOffset = input.fileOffset ?? 0;
    this.dataBase = input.dataBase;
    this.textBase = input.textBase;
    if (this.bytes.byteLength > MAX_SECTION) throw new FormatError(this.file, this.fileOffset, `a .${kind} section below 2 GiB`, `${this.bytes.byteLength} bytes`);
    this.reader = new Reader(this.bytes, this.fileOffset, this.file, input.littleEndian ?? true);
  }

  private bases(func?: number): PointerBases {
    return { section: this.address, data: this.dataBase, text: this.textBase, func };
  }

  /** Parses the entry at `offset` (a CIE, an FDE or a zero terminator). */
  entryAt(offset: number): FrameEntry {
    const r = this.reader;
    r.seek(offset);
    let length = r.u32('CFI entry length');
    if (length === 0) return { kind: 'terminator', offset, end: r.pos };
    let is64 = false;
    if (length === 0xffffffff) {
      length = r.u64n('CFI entry 64-bit length');
      is64 = true;
    } else if (length >= 0xfffffff0) {
      r.fail('a CFI entry length (reserved values 0xfffffff0..0xfffffffe are invalid)', `0x${length.toString(16)}`, offset);
    }
    const bodyStart = r.pos;
    if (length > r.remaining) r.fail(`a CFI entry of ${length} bytes inside the section`, `${r.remaining} bytes left`, offset);
    const end = bodyStart + length;
    const idPos = r.pos;
    let id: number, isCie: boolean;
    if (this.isEh) {
      id = r.u32('CIE id / CIE pointer');
      isCie = id === 0;
    } else if (is64) {
      const lo = r.u32('CIE id'), hi = r.u32('CIE id');
      isCie = lo === 0xffffffff && hi === 0xffffffff;
      id = r.littleEndian ? hi * 0x100000000 + lo : lo * 0x100000000 + hi;
    } else {
      id = r.u32('CIE id / CIE pointer');
      isCie = id === 0xffffffff;
    }
    if (r.pos > end) r.fail('a CFI entry long enough for its CIE id', `length ${length}`, offset);
    if (isCie) return { kind: 'cie', cie: this.cieAt(offset) };
    const cieOffset = this.isEh ? idPos - id : id;
    if (cieOffset < 0 || cieOffset >= this.bytes.byteLength || cieOffset === offset) {
      r.fail('an FDE CIE pointer inside the section', String(cieOffset), idPos);
    }
    return { kind: 'fde', fde: this.fdeAt(offset) };
  }

  /** The CIE at `offset` (cached). */
  cieAt(offset: number): Cie {
    const cached = this.cies.get(offset);
    if (cached) return cached;
    const r = this.reader;
    r.seek(offset);
    let length = r.u32('CIE length');
    let is64 = false;
    if (length === 0xffffffff) { length = r.u64n('CIE 64-bit length'); is64 = true; }
    if (length === 0 || length > r.remaining) r.fail(`a CIE length within the section`, String(length), offset);
    const end = r.pos + length;
    const body = r.sub(length, 'CIE');
    const base = end - length; // section offset of body[0]
    let isCie: boolean;
    if (this.isEh) isCie = body.u32('CIE id') === 0;
    else if (is64) { const a = body.u32('CIE id'), b = body.u32('CIE id'); isCie = a === 0xffffffff && b === 0xffffffff; }
    else isCie = body.u32('CIE id') === 0xffffffff;
    if (!isCie) r.fail('a CIE (CIE id 0 in .eh_frame, all ones in .debug_frame)', 'an FDE', offset);
    const version = body.u8('CIE version');
    if (version !== 1 && version !== 3 && version !== 4) body.fail('CIE version 1, 3 or 4', String(version), body.pos - 1);
    const augmentation = body.cstring('CIE augmentation string');
    let addressSize = this.addressSize, segmentSize = 0;
    if (version >= 4) {
      addressSize = body.u8('CIE address_size');
      segmentSize = body.u8('CIE segment_size');
      if (addressSize !== 2 && addressSize !== 4 && addressSize !== 8) body.fail('CIE address_size 2, 4 or 8', String(addressSize), body.pos - 2);
      if (segmentSize > 8) body.fail('CIE segment_size of at most 8', String(segmentSize), body.pos - 1);
    }
    if (augmentation === 'eh') body.skip(addressSize, 'CIE eh_ptr');
    const codeAlignmentFactor = body.uleb128('CIE code_alignment_factor');
    const dataAlignmentFactor = body.sleb128('CIE data_alignment_factor');
    const returnAddressRegister = version === 1 ? body.u8('CIE return_address_register') : body.uleb128('CIE return_address_register');
    const cie: Cie = {
      offset, version, augmentation, addressSize, segmentSize, codeAlignmentFactor, dataAlignmentFactor, returnAddressRegister,
      fdeEncoding: DW_EH_PE_absptr, lsdaEncoding: DW_EH_PE_omit, personalityEncoding: DW_EH_PE_omit,
      signalFrame: false, flags: '', hasAugmentationData: false, instructionsStart: 0, instructionsEnd: end, end,
    };
    if (augmentation.startsWith('z')) {
      cie.hasAugmentationData = true;
      const augLen = body.uleb128('CIE augmentation length');
      const augStart = body.pos;
      const aug = body.sub(augLen, 'CIE augmentation data');
      const augBases: PointerBases = { ...this.bases(), section: this.address + base };
      for (let i = 1; i < augmentation.length; i++) {
        const c = augmentation[i];
        if (c === 'R') cie.fdeEncoding = aug.u8('CIE FDE pointer encoding');
        else if (c === 'L') cie.lsdaEncoding = aug.u8('CIE LSDA encoding');
        else if (c === 'P') {
          cie.personalityEncoding = aug.u8('CIE personality encoding');
          const sub = new Reader(body.bytes, body.fileOffset, body.file, body.littleEndian);
          sub.seek(augStart + aug.pos);
          cie.personality = readEncodedPointer(sub, cie.personalityEncoding, addressSize, augBases, 'CIE personality pointer');
          aug.pos = sub.pos - augStart;
          if (aug.pos > augLen) aug.fail('a personality pointer inside the augmentation data');
        } else if (c === 'S') cie.signalFrame = true;
        else if (c === 'B' || c === 'G') cie.flags += c;
        else break; // unknown letter: the augmentation length lets us skip the rest (LSB)
      }
      body.pos = augStart + augLen;
    } else if (augmentation !== '' && augmentation !== 'eh') {
      for (const c of augmentation) {
        if (c === 'S') cie.signalFrame = true;
        else if (c === 'B' || c === 'G') cie.flags += c;
        else body.fail('a CIE augmentation this reader knows ("z...", "eh", "S", "B", "G")', JSON.stringify(augmentation));
      }
    }
    for (const enc of [cie.fdeEncoding, cie.lsdaEncoding]) {
      if (enc !== DW_EH_PE_omit && ((enc & 0x0f) > 0x0c || (enc & 0x70) > DW_EH_PE_aligned)) {
        body.fail('a valid DW_EH_PE encoding in the CIE', `0x${enc.toString(16)}`);
      }
    }
    cie.instructionsStart = base + body.pos;
    this.cies.set(offset, cie);
    return cie;
  }

  /** The FDE at `offset` (cached). */
  fdeAt(offset: number): Fde {
    const cached = this.fdes.get(offset);
    if (cached) return cached;
    const r = this.reader;
    r.seek(offset);
    let length = r.u32('FDE length');
    let is64 = false;
    if (length === 0xffffffff) { length = r.u64n('FDE 64-bit length'); is64 = true; }
    if (length === 0 || length > r.remaining) r.fail('an FDE length within the section', String(length), offset);
    const end = r.pos + length;
    const idPos = r.pos;
    let cieOffset: number;
    if (this.isEh) {
      const id = r.u32('FDE CIE pointer');
      if (id === 0) r.fail('an FDE', 'a CIE', offset);
      cieOffset = idPos - id;
    } else {
      if (r.u32('FDE CIE pointer') === 0xffffffff && (!is64 || r.u32('FDE CIE pointer') === 0xffffffff)) r.fail('an FDE', 'a CIE', offset);
      r.seek(idPos);
      cieOffset = is64 ? r.u64n('FDE CIE pointer') : r.u32('FDE CIE pointer');
    }
    if (cieOffset < 0 || cieOffset >= this.bytes.byteLength || cieOffset === offset) r.fail('an FDE CIE pointer inside the section', String(cieOffset), idPos);
    const cie = this.cieAt(cieOffset);
    r.seek(idPos + (this.isEh || !is64 ? 4 : 8));
    const body = new Reader(this.bytes.subarray(0, end), this.fileOffset, this.file, r.littleEndian);
    body.pos = r.pos;
    if (cie.segmentSize) body.skip(cie.segmentSize, 'FDE segment selector');
    const bases = this.bases();
    const pcBegin = readEncodedPointer(body, cie.fdeEncoding, cie.addressSize, bases, 'FDE initial_location');
    const range = readEncodedPointer(body, cie.fdeEncoding & 0x0f, cie.addressSize, bases, 'FDE address_range', false);
    const fde: Fde = { offset, cie, pcBegin, pcEnd: pcBegin + range, instructionsStart: 0, instructionsEnd: end, end };
    if (cie.hasAugmentationData) {
      const augLen = body.uleb128('FDE augmentation length');
      const augEnd = body.pos + augLen;
      if (augEnd > end) body.fail(`FDE augmentation data of ${augLen} bytes inside the FDE`);
      if (cie.lsdaEncoding !== DW_EH_PE_omit && augLen > 0) {
        const lsda = readEncodedPointer(body, cie.lsdaEncoding, cie.addressSize, { ...bases, func: pcBegin }, 'FDE LSDA pointer');
        if (lsda !== 0) fde.lsda = lsda;
        if (body.pos > augEnd) body.fail('an LSDA pointer inside the FDE augmentation data');
      }
      body.pos = augEnd;
    }
    fde.instructionsStart = body.pos;
    this.fdes.set(offset, fde);
    return fde;
  }

  /** Every entry in section order. Terminators are reported and skipped over, as readelf does. */
  *entries(): Generator<FrameEntry> {
    let off = 0;
    const n = this.bytes.byteLength;
    while (off < n) {
      if (n - off < 4) {
        // Trailing padding shorter than a length field: accept only zeros.
        for (let i = off; i < n; i++) if (this.bytes[i] !== 0) this.reader.fail('a CFI entry length (4 bytes)', `${n - off} bytes left`, off);
        return;
      }
      const e = this.entryAt(off);
      yield e;
      const next = e.kind === 'cie' ? e.cie.end : e.kind === 'fde' ? e.fde.end : e.end;
      if (next <= off) this.reader.fail('CFI entries that advance', String(next), off);
      off = next;
    }
  }

  /** Every FDE in section order. */
  *allFdes(): Generator<Fde> {
    for (const e of this.entries()) if (e.kind === 'fde') yield e.fde;
  }

  /** Builds the sorted pc index (used when there is no .eh_frame_hdr). */
  private buildIndex(): void {
    const list: Fde[] = [];
    for (const f of this.allFdes()) if (f.pcEnd > f.pcBegin) list.push(f);
    list.sort((a, b) => a.pcBegin - b.pcBegin);
    this.indexBegin = new Float64Array(list.length);
    this.indexEnd = new Float64Array(list.length);
    this.indexOffset = new Float64Array(list.length);
    list.forEach((f, i) => { this.indexBegin![i] = f.pcBegin; this.indexEnd![i] = f.pcEnd; this.indexOffset![i] = f.offset; });
  }

  /** The FDE whose range holds `pc`, through the sorted index of this section. */
  findFde(pc: number): Fde | undefined {
    if (!this.indexBegin) this.buildIndex();
    const begin = this.indexBegin!;
    let lo = 0, hi = begin.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (begin[mid] <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // Ranges may nest or overlap (rare); walk back over earlier starts that may still cover pc.
    for (let i = found; i >= 0 && i > found - 8; i--) {
      if (pc < this.indexEnd![i]) return this.fdeAt(this.indexOffset![i]);
    }
    return undefined;
  }

  /** Number of FDEs with a non-empty range (builds the index). */
  get fdeCount(): number {
    if (!this.indexBegin) this.buildIndex();
    return this.indexBegin!.length;
  }
}

/** Wraps an .eh_frame section. */
export function readEhFrame(input: FrameSectionInput): FrameSection {
  return new FrameSection('eh_frame', input);
}

/** Wraps a .debug_frame section. */
export function readDebugFrame(input: FrameSectionInput): FrameSection {
  return new FrameSection('debug_frame', input);
}
