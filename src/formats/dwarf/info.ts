// .debug_info and .debug_abbrev (DWARF 2-5, sections 7.5 and 7.5.3): unit headers indexed eagerly,
// DIEs decoded lazily per unit, abbreviation tables cached per offset.
//
//   unit header, v2-4: unit_length u32|(0xffffffff u64); version u16; debug_abbrev_offset u32|u64;
//                      address_size u8
//   unit header, v5:   unit_length; version u16; unit_type u8; address_size u8;
//                      debug_abbrev_offset u32|u64; then by type: skeleton/split_compile: dwo_id u64;
//                      type/split_type: type_signature u64, type_offset u32|u64
//   DIE:               abbrev code ULEB (0 = end of siblings), then attribute values per the abbrev
//   abbrev:            code ULEB; tag ULEB; has_children u8; (name ULEB, form ULEB
//                      [, implicit_const SLEB if form is DW_FORM_implicit_const])* (0, 0); ... 0
import { FormatError } from '../../util/errors.js';
import { Cursor, stringAt } from './cursor.js';
import type { DwarfSections } from './sections.js';
import * as C from './constants.js';

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  /** name, form pairs */
  attrs: readonly number[];
  /** implicit_const values, parallel to attrs/2 */
  consts: number[] | undefined;
  /**
   * Size of the DIE's attribute values when every form has a fixed size: fixedBase bytes plus
   * one address per nAddr, one offset (4 or 8) per nOffset and one DW_FORM_ref_addr per nRefAddr;
   * fixedBase is -1 when some form has a variable size (LEB128, strings, blocks).
   */
  fixedBase: number;
  /**
   * How to skip the values of a DIE with variable-size forms, for units of one address and
   * offset size (skipKey): pairs (bytes to skip, then a variable form to skip, 0 for none).
   */
  skipKey: number;
  skipOps: Int32Array | undefined;
  nAddr: number;
  nOffset: number;
  nRefAddr: number;
}

/** Fixed size of a form independent of the unit, or -1 (variable), -2 (address), -3 (offset), -4 (ref_addr). */
function formSize(form: number): number {
  switch (form) {
    case C.DW_FORM_flag_present: case C.DW_FORM_implicit_const: return 0;
    case C.DW_FORM_data1: case C.DW_FORM_ref1: case C.DW_FORM_flag: case C.DW_FORM_strx1: case C.DW_FORM_addrx1: return 1;
    case C.DW_FORM_data2: case C.DW_FORM_ref2: case C.DW_FORM_strx2: case C.DW_FORM_addrx2: return 2;
    case C.DW_FORM_strx3: case C.DW_FORM_addrx3: return 3;
    case C.DW_FORM_data4: case C.DW_FORM_ref4: case C.DW_FORM_strx4: case C.DW_FORM_addrx4: case C.DW_FORM_ref_sup4: return 4;
    case C.DW_FORM_data8: case C.DW_FORM_ref8: case C.DW_FORM_ref_sig8: case C.DW_FORM_ref_sup8: return 8;
    case C.DW_FORM_data16: return 16;
    case C.DW_FORM_addr: return -2;
    case C.DW_FORM_strp: case C.DW_FORM_line_strp: case C.DW_FORM_sec_offset: case C.DW_FORM_GNU_ref_alt:
    case C.DW_FORM_strp_sup: case C.DW_FORM_GNU_strp_alt: return -3;
    case C.DW_FORM_ref_addr: return -4;
    default: return -1;
  }
}

/**
 * One abbreviation table, decoded as far as codes are asked for: the unit DIE needs only the
 * first entry, so indexing every unit does not decode every table (a binary's units share few
 * tables, or none, so these are as large as .debug_abbrev). Damage past the entries used so far
 * surfaces when a later code is asked for.
 */
export class AbbrevTable {
  readonly dense: (Abbrev | undefined)[] = [];
  readonly sparse = new Map<number, Abbrev>();
  /** Where decoding goes on; undefined once the table's terminating 0 was read. */
  private rest: Cursor | undefined;
  constructor(sec: Uint8Array, offset: number) { this.rest = new Cursor(sec, '.debug_abbrev', offset); }
  get(code: number): Abbrev | undefined {
    const a = code < 4096 ? this.dense[code] : this.sparse.get(code);
    if (a !== undefined || this.rest === undefined) return a;
    return this.decodeUntil(code);
  }
  private decodeUntil(want: number): Abbrev | undefined {
    const c = this.rest!;
    for (;;) {
      const code = c.uleb();
      if (code === 0) { this.rest = undefined; return undefined; }
      const a = readAbbrev(c, code);
      // Of duplicate codes the last decoded wins, as in binutils' lookup_abbrev (its hash chains
      // put later entries first). Only a hostile table has duplicates; there the unit DIE may
      // have been decoded with an earlier one.
      if (code < 4096) this.dense[code] = a; else this.sparse.set(code, a);
      if (code === want) return a;
    }
  }
}

export function readAbbrevTable(sec: Uint8Array, offset: number): AbbrevTable {
  return new AbbrevTable(sec, offset);
}

function readAbbrev(c: Cursor, code: number): Abbrev {
  const tag = c.uleb();
  const hasChildren = c.u8() !== 0;
  const attrs: number[] = [];
  let consts: number[] | undefined;
  for (;;) {
    const name = c.uleb(), form = c.uleb();
    if (name === 0 && form === 0) break;
    let k = 0;
    if (form === C.DW_FORM_implicit_const) k = c.sleb();
    if (k !== 0 || form === C.DW_FORM_implicit_const) { consts ??= []; consts[attrs.length / 2] = k; }
    attrs.push(name, form);
  }
  let fixedBase = 0, nAddr = 0, nOffset = 0, nRefAddr = 0;
  for (let i = 1; i < attrs.length && fixedBase >= 0; i += 2) {
    const z = formSize(attrs[i]);
    if (z >= 0) fixedBase += z;
    else if (z === -2) nAddr++;
    else if (z === -3) nOffset++;
    else if (z === -4) nRefAddr++;
    else fixedBase = -1;
  }
  return { code, tag, hasChildren, attrs, consts, fixedBase, skipKey: -1, skipOps: undefined, nAddr, nOffset, nRefAddr };
}

export interface Unit {
  index: number;
  offset: number;
  /** End of the unit (exclusive). */
  end: number;
  version: number;
  unitType: number;
  is64: boolean;
  addressSize: number;
  abbrevOffset: number;
  /** Offset of the unit's first DIE. */
  dieOffset: number;
  // From the unit DIE (filled by DwarfInfo.unitDie):
  tag: number;
  name?: string;
  compDir?: string;
  language: number;
  stmtList: number;
  lowPc: number;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  /** The unit's address ranges as flat [low, high) pairs. */
  ranges: number[];
  /** Set when the unit DIE could not be decoded (the error is in DwarfInfo.errors). */
  broken: boolean;
}

/** Form classes a reader cares about after reading a value. */
export const V_NONE = 0, V_NUM = 1, V_STR = 2, V_REF = 3, V_ADDR = 4, V_SEC = 5, V_BLOCK = 6;
/** A reference into the supplementary file's .debug_info (DW_FORM_GNU_ref_alt, DW_FORM_ref_sup4/8). */
export const V_REF_ALT = 7;

/**
 * Reads and decodes DIEs. Values come back as numbers or strings; `vclass` says which class of
 * form produced the last value (address, constant, reference, string, section offset).
 */
export class DwarfInfo {
  readonly units: Unit[] = [];
  /**
   * Damage found while indexing: a bad unit header ends the index there (units before it stay
   * usable); a bad unit DIE marks that unit broken. Lookups in good units still work.
   */
  readonly errors: FormatError[] = [];
  vclass = V_NONE;
  /**
   * The supplementary (dwz multifile, .gnu_debugaltlink) file's DWARF, when the caller found it:
   * DW_FORM_GNU_strp_alt strings and DW_FORM_GNU_ref_alt references point into it.
   */
  alt: DwarfInfo | undefined;
  private abbrevCache = new Map<number, AbbrevTable>();
  readonly info: Uint8Array;

  constructor(readonly sections: DwarfSections, readonly file = '<dwarf>') {
    this.info = sections.debug_info ?? new Uint8Array(0);
    const c = new Cursor(this.info, '.debug_info');
    try {
      this.indexUnits(c);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      this.errors.push(e);
    }
    for (const u of this.units) {
      try {
        this.readUnitDie(u);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        u.broken = true;
        u.ranges.length = 0;
        this.errors.push(e);
      }
    }
  }

  private indexUnits(c: Cursor): void {
    while (c.pos + 4 <= this.info.length) {
      const offset = c.pos;
      const [len, is64] = c.initialLength();
      const end = c.pos + len;
      if (end > this.info.length) c.fail(`a unit of ${len} bytes`, offset);
      const h = new Cursor(this.info, '.debug_info', c.pos, end);
      const version = h.u16();
      if (version < 2 || version > 5) h.fail(`a unit version 2-5 (found ${version})`, h.pos - 2);
      let unitType = C.DW_UT_compile, addressSize: number, abbrevOffset: number;
      if (version >= 5) {
        unitType = h.u8();
        addressSize = h.u8();
        abbrevOffset = h.offset(is64);
        if (unitType === C.DW_UT_skeleton || unitType === C.DW_UT_split_compile) h.skip(8);
        else if (unitType === C.DW_UT_type || unitType === C.DW_UT_split_type) { h.skip(8); h.offset(is64); }
      } else {
        abbrevOffset = h.offset(is64);
        addressSize = h.u8();
      }
      if (addressSize !== 4 && addressSize !== 8 && addressSize !== 2) h.fail(`an address size of 2, 4 or 8 (found ${addressSize})`, h.pos - 1);
      this.units.push({
        index: this.units.length, offset, end, version, unitType, is64, addressSize, abbrevOffset,
        dieOffset: h.pos, tag: 0, language: 0, stmtList: -1, lowPc: 0, strOffsetsBase: 0, addrBase: 0,
        rnglistsBase: 0, ranges: [], broken: false,
      });
      c.pos = end;
    }
  }

  abbrevs(u: Unit): AbbrevTable {
    let t = this.abbrevCache.get(u.abbrevOffset);
    if (!t) {
      if (!this.sections.debug_abbrev) throw new FormatError(this.file, u.offset, 'a .debug_abbrev section');
      t = readAbbrevTable(this.sections.debug_abbrev, u.abbrevOffset);
      this.abbrevCache.set(u.abbrevOffset, t);
    }
    return t;
  }

  /** The unit holding the DIE at `offset` of .debug_info. */
  unitAt(offset: number): Unit | undefined {
    let lo = 0, hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const u = this.units[mid];
      if (offset < u.offset) hi = mid - 1;
      else if (offset >= u.end) lo = mid + 1;
      else return u;
    }
    return undefined;
  }

  /** Size of a DW_FORM_ref_addr in this unit: address size in v2, offset size later. */
  refAddrSize(u: Unit): number { return u.version <= 2 ? u.addressSize : u.is64 ? 8 : 4; }

  /** Reads one attribute value of `form`; sets vclass. Strings resolve through the unit's bases. */
  readValue(c: Cursor, form: number, u: Unit, implicitConst = 0): number | string | undefined {
    switch (form) {
      case C.DW_FORM_addr: this.vclass = V_ADDR; return c.uN(u.addressSize);
      case C.DW_FORM_data1: this.vclass = V_NUM; return c.u8();
      case C.DW_FORM_data2: this.vclass = V_NUM; return c.u16();
      case C.DW_FORM_data4: this.vclass = V_NUM; return c.u32();
      case C.DW_FORM_data8: this.vclass = V_NUM; return c.u64();
      case C.DW_FORM_data16: this.vclass = V_BLOCK; c.skip(16); return undefined;
      case C.DW_FORM_sdata: this.vclass = V_NUM; return c.sleb();
      case C.DW_FORM_udata: this.vclass = V_NUM; return c.uleb();
      case C.DW_FORM_implicit_const: this.vclass = V_NUM; return implicitConst;
      case C.DW_FORM_flag: this.vclass = V_NUM; return c.u8();
      case C.DW_FORM_flag_present: this.vclass = V_NUM; return 1;
      case C.DW_FORM_string: this.vclass = V_STR; return c.cstr();
      case C.DW_FORM_strp: this.vclass = V_STR; return stringAt(this.sections.debug_str, c.offset(u.is64), '.debug_str');
      case C.DW_FORM_line_strp: this.vclass = V_STR; return stringAt(this.sections.debug_line_str, c.offset(u.is64), '.debug_line_str');
      case C.DW_FORM_strx: case C.DW_FORM_GNU_str_index: return this.strx(u, c.uleb());
      case C.DW_FORM_strx1: return this.strx(u, c.u8());
      case C.DW_FORM_strx2: return this.strx(u, c.u16());
      case C.DW_FORM_strx3: return this.strx(u, c.u24());
      case C.DW_FORM_strx4: return this.strx(u, c.u32());
      case C.DW_FORM_addrx: case C.DW_FORM_GNU_addr_index: return this.addrx(u, c.uleb());
      case C.DW_FORM_addrx1: return this.addrx(u, c.u8());
      case C.DW_FORM_addrx2: return this.addrx(u, c.u16());
      case C.DW_FORM_addrx3: return this.addrx(u, c.u24());
      case C.DW_FORM_addrx4: return this.addrx(u, c.u32());
      case C.DW_FORM_ref1: this.vclass = V_REF; return u.offset + c.u8();
      case C.DW_FORM_ref2: this.vclass = V_REF; return u.offset + c.u16();
      case C.DW_FORM_ref4: this.vclass = V_REF; return u.offset + c.u32();
      case C.DW_FORM_ref8: this.vclass = V_REF; return u.offset + c.u64();
      case C.DW_FORM_ref_udata: this.vclass = V_REF; return u.offset + c.uleb();
      case C.DW_FORM_ref_addr: this.vclass = V_REF; return c.uN(this.refAddrSize(u));
      case C.DW_FORM_ref_sig8: this.vclass = V_NONE; c.skip(8); return undefined; // type units: not followed
      case C.DW_FORM_ref_sup4: this.vclass = V_REF_ALT; return c.u32();
      case C.DW_FORM_ref_sup8: this.vclass = V_REF_ALT; return c.u64();
      case C.DW_FORM_GNU_ref_alt: this.vclass = V_REF_ALT; return c.offset(u.is64);
      case C.DW_FORM_strp_sup: case C.DW_FORM_GNU_strp_alt: {
        const off = c.offset(u.is64);
        if (!this.alt) { this.vclass = V_NONE; return undefined; } // supplementary file not found
        this.vclass = V_STR;
        return stringAt(this.alt.sections.debug_str, off, '.debug_str of the supplementary file');
      }
      case C.DW_FORM_sec_offset: this.vclass = V_SEC; return c.offset(u.is64);
      case C.DW_FORM_loclistx: case C.DW_FORM_rnglistx: this.vclass = V_SEC + 10; return c.uleb();
      case C.DW_FORM_exprloc: case C.DW_FORM_block: this.vclass = V_BLOCK; c.skip(c.uleb()); return undefined;
      case C.DW_FORM_block1: this.vclass = V_BLOCK; c.skip(c.u8()); return undefined;
      case C.DW_FORM_block2: this.vclass = V_BLOCK; c.skip(c.u16()); return undefined;
      case C.DW_FORM_block4: this.vclass = V_BLOCK; c.skip(c.u32()); return undefined;
      case C.DW_FORM_indirect: {
        const f = c.uleb();
        if (f === C.DW_FORM_indirect) return c.fail('a form other than DW_FORM_indirect after DW_FORM_indirect');
        return this.readValue(c, f, u, implicitConst);
      }
      default: return c.fail(`a known attribute form (found 0x${form.toString(16)})`);
    }
  }

  /** Skips the attribute values of a DIE with abbreviation `ab` (one step when all are fixed-size). */
  skipAttributes(c: Cursor, ab: Abbrev, u: Unit): void {
    if (ab.fixedBase >= 0) {
      const n = ab.fixedBase + ab.nAddr * u.addressSize + ab.nOffset * (u.is64 ? 8 : 4) + (ab.nRefAddr ? ab.nRefAddr * this.refAddrSize(u) : 0);
      if (c.pos + n > c.end) c.fail(`${n} bytes of attribute values`);
      c.pos += n;
      return;
    }
    // Runs of fixed-size values are skipped at once; strings and LEB128s must be read where they are.
    const key = u.addressSize * 64 + this.refAddrSize(u) * 2 + (u.is64 ? 1 : 0);
    let ops = ab.skipOps;
    if (ab.skipKey !== key || !ops) {
      const o: number[] = [];
      let run = 0;
      const a = ab.attrs;
      for (let i = 1; i < a.length; i += 2) {
        const z = formSize(a[i]);
        if (z >= 0) run += z;
        else if (z === -2) run += u.addressSize;
        else if (z === -3) run += u.is64 ? 8 : 4;
        else if (z === -4) run += this.refAddrSize(u);
        else { o.push(run, a[i]); run = 0; }
      }
      o.push(run, 0);
      ab.skipOps = ops = Int32Array.from(o);
      ab.skipKey = key;
    }
    for (let i = 0; i < ops.length; i += 2) {
      const n = ops[i];
      if (n) { if (c.pos + n > c.end) c.fail(`${n} bytes of attribute values`); c.pos += n; }
      if (ops[i + 1]) this.skipValue(c, ops[i + 1], u);
    }
  }

  /** Skips one attribute value of `form` (the fast path of DIE walks). */
  skipValue(c: Cursor, form: number, u: Unit): void {
    switch (form) {
      case C.DW_FORM_flag_present: case C.DW_FORM_implicit_const: return;
      case C.DW_FORM_data1: case C.DW_FORM_ref1: case C.DW_FORM_flag: case C.DW_FORM_strx1: case C.DW_FORM_addrx1: c.skip(1); return;
      case C.DW_FORM_data2: case C.DW_FORM_ref2: case C.DW_FORM_strx2: case C.DW_FORM_addrx2: c.skip(2); return;
      case C.DW_FORM_strx3: case C.DW_FORM_addrx3: c.skip(3); return;
      case C.DW_FORM_data4: case C.DW_FORM_ref4: case C.DW_FORM_strx4: case C.DW_FORM_addrx4: case C.DW_FORM_ref_sup4: c.skip(4); return;
      case C.DW_FORM_data8: case C.DW_FORM_ref8: case C.DW_FORM_ref_sig8: case C.DW_FORM_ref_sup8: c.skip(8); return;
      case C.DW_FORM_data16: c.skip(16); return;
      case C.DW_FORM_addr: c.skip(u.addressSize); return;
      case C.DW_FORM_strp: case C.DW_FORM_line_strp: case C.DW_FORM_sec_offset: case C.DW_FORM_GNU_ref_alt:
      case C.DW_FORM_strp_sup: case C.DW_FORM_GNU_strp_alt: c.skip(u.is64 ? 8 : 4); return;
      case C.DW_FORM_ref_addr: c.skip(this.refAddrSize(u)); return;
      case C.DW_FORM_sdata: case C.DW_FORM_udata: case C.DW_FORM_ref_udata: case C.DW_FORM_strx: case C.DW_FORM_addrx:
      case C.DW_FORM_loclistx: case C.DW_FORM_rnglistx: case C.DW_FORM_GNU_addr_index: case C.DW_FORM_GNU_str_index:
        c.skipLeb(); return;
      case C.DW_FORM_string: c.skipCstr(); return;
      case C.DW_FORM_exprloc: case C.DW_FORM_block: c.skip(c.uleb()); return;
      case C.DW_FORM_block1: c.skip(c.u8()); return;
      case C.DW_FORM_block2: c.skip(c.u16()); return;
      case C.DW_FORM_block4: c.skip(c.u32()); return;
      case C.DW_FORM_indirect: {
        const f = c.uleb();
        if (f === C.DW_FORM_indirect) c.fail('a form other than DW_FORM_indirect after DW_FORM_indirect');
        this.skipValue(c, f, u); return;
      }
      default: c.fail(`a known attribute form (found 0x${form.toString(16)})`);
    }
  }

  private strx(u: Unit, idx: number): string {
    this.vclass = V_STR;
    const so = this.sections.debug_str_offsets;
    const size = u.is64 ? 8 : 4;
    const base = u.strOffsetsBase || (u.is64 ? 16 : 8);
    const c = new Cursor(so ?? new Uint8Array(0), '.debug_str_offsets', base + idx * size);
    return stringAt(this.sections.debug_str, c.offset(u.is64), '.debug_str');
  }

  private addrx(u: Unit, idx: number): number {
    this.vclass = V_ADDR;
    const a = this.sections.debug_addr ?? new Uint8Array(0);
    const base = u.addrBase || 8;
    const c = new Cursor(a, '.debug_addr', base + idx * u.addressSize);
    return c.uN(u.addressSize);
  }

  /** Reads the unit DIE's attributes into `u` (two passes: bases first, then values needing them). */
  private readUnitDie(u: Unit): void {
    const c = new Cursor(this.info, '.debug_info', u.dieOffset, u.end);
    const code = c.uleb();
    if (code === 0) return;
    const ab = this.abbrevs(u).get(code);
    if (!ab) return c.fail(`abbreviation code ${code} in the table at .debug_abbrev offset ${u.abbrevOffset}`);
    u.tag = ab.tag;
    const start = c.pos;
    const a = ab.attrs;
    for (let i = 0; i < a.length; i += 2) {
      const name = a[i];
      if (name === C.DW_AT_str_offsets_base || name === C.DW_AT_addr_base || name === C.DW_AT_GNU_addr_base || name === C.DW_AT_rnglists_base || name === C.DW_AT_GNU_ranges_base) {
        const v = num(this.readValue(c, a[i + 1], u, ab.consts?.[i / 2]), 0);
        if (name === C.DW_AT_str_offsets_base) u.strOffsetsBase = v;
        else if (name === C.DW_AT_rnglists_base || name === C.DW_AT_GNU_ranges_base) u.rnglistsBase = v;
        else u.addrBase = v;
      } else this.skipValue(c, a[i + 1], u);
    }
    c.pos = start;
    let high = -1, highIsOffset = false, hasLow = false, rangesAttr = -1, rangesIsIndex = false;
    for (let i = 0; i < a.length; i += 2) {
      const name = a[i];
      switch (name) {
        case C.DW_AT_name: { const v = this.readValue(c, a[i + 1], u); if (typeof v === 'string') u.name = v; break; }
        case C.DW_AT_comp_dir: { const v = this.readValue(c, a[i + 1], u); if (typeof v === 'string') u.compDir = v; break; }
        case C.DW_AT_language: u.language = num(this.readValue(c, a[i + 1], u, ab.consts?.[i / 2]), 0); break;
        case C.DW_AT_stmt_list: u.stmtList = num(this.readValue(c, a[i + 1], u, ab.consts?.[i / 2]), -1); break;
        case C.DW_AT_low_pc: u.lowPc = num(this.readValue(c, a[i + 1], u), 0); hasLow = true; break;
        case C.DW_AT_high_pc: high = num(this.readValue(c, a[i + 1], u, ab.consts?.[i / 2]), -1); highIsOffset = this.vclass !== V_ADDR; break;
        case C.DW_AT_ranges: rangesAttr = num(this.readValue(c, a[i + 1], u, ab.consts?.[i / 2]), -1); rangesIsIndex = a[i + 1] === C.DW_FORM_rnglistx; break;
        default: this.skipValue(c, a[i + 1], u);
      }
    }
    if (hasLow && high >= 0) {
      const h = highIsOffset ? u.lowPc + high : high;
      if (h > u.lowPc) u.ranges.push(u.lowPc, h);
    }
    if (rangesAttr >= 0) this.readRanges(u, rangesAttr, rangesIsIndex, (lo, hi) => { if (hi > lo) u.ranges.push(lo, hi); });
  }

  /**
   * Calls `add(low, high)` for each range of a DW_AT_ranges value: .debug_ranges pairs (v2-4,
   * relative to the unit base with base-address selection entries) or .debug_rnglists entries (v5).
   */
  readRanges(u: Unit, value: number, isIndex: boolean, add: (low: number, high: number) => void): void {
    if (u.version < 5) {
      const sec = this.sections.debug_ranges;
      if (!sec) throw new FormatError(this.file, value, 'a .debug_ranges section');
      const c = new Cursor(sec, '.debug_ranges', value);
      let base = u.lowPc;
      const size = u.addressSize;
      for (;;) {
        const p = c.pos;
        const lo = c.uN(size), hi = c.uN(size);
        if (lo === 0 && hi === 0) break;
        if (isAllOnes(sec, p, size)) { base = hi; continue; }
        add(base + lo, base + hi);
      }
      return;
    }
    const sec = this.sections.debug_rnglists;
    if (!sec) throw new FormatError(this.file, value, 'a .debug_rnglists section');
    let offset = value;
    if (isIndex) {
      const size = u.is64 ? 8 : 4;
      const base = u.rnglistsBase || (u.is64 ? 20 : 12);
      offset = base + new Cursor(sec, '.debug_rnglists', base + value * size).offset(u.is64);
    }
    const c = new Cursor(sec, '.debug_rnglists', offset);
    let base = u.lowPc;
    for (;;) {
      const kind = c.u8();
      switch (kind) {
        case C.DW_RLE_end_of_list: return;
        case C.DW_RLE_base_addressx: base = this.addrx(u, c.uleb()); break;
        case C.DW_RLE_startx_endx: { const s = this.addrx(u, c.uleb()); const e = this.addrx(u, c.uleb()); add(s, e); break; }
        case C.DW_RLE_startx_length: { const s = this.addrx(u, c.uleb()); add(s, s + c.uleb()); break; }
        case C.DW_RLE_offset_pair: { const s = c.uleb(); const e = c.uleb(); add(base + s, base + e); break; }
        case C.DW_RLE_base_address: base = c.uN(u.addressSize); break;
        case C.DW_RLE_start_end: { const s = c.uN(u.addressSize); add(s, c.uN(u.addressSize)); break; }
        case C.DW_RLE_start_length: { const s = c.uN(u.addressSize); add(s, s + c.uleb()); break; }
        default: c.fail(`a DW_RLE_* entry kind (found ${kind})`, c.pos - 1);
      }
    }
  }
}

/** A value that must be a number (an offset, a constant): anything else (a string form) is `dflt`. */
export function num(v: number | string | undefined, dflt: number): number {
  return typeof v === 'number' ? v : dflt;
}

function isAllOnes(b: Uint8Array, p: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[p + i] !== 0xff) return false;
  return true;
}
