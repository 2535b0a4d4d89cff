// .debug_line: the line-number program of one unit (DWARF 2-5, section 6.2), run into a row table.
//
//   unit_length            u32 (or 0xffffffff + u64: 64-bit DWARF)
//   version                u16                     2, 3, 4 or 5
//   address_size           u8     (v5 only)
//   segment_selector_size  u8     (v5 only)
//   header_length          u32/u64
//   minimum_instruction_length u8
//   maximum_operations_per_instruction u8 (v4+)
//   default_is_stmt        u8
//   line_base              i8
//   line_range             u8
//   opcode_base            u8
//   standard_opcode_lengths u8[opcode_base - 1]
//   v2-4: include_directories  (cstring)* "" ; file_names (cstring, uleb dir, uleb mtime, uleb length)* ""
//   v5:   directory_entry_format_count u8, (uleb content type, uleb form)*, directories_count uleb,
//         directories; file_name_entry_format_count u8, (type, form)*, file_names_count uleb, file_names
//   the line-number program, up to unit_length
//
// Rows are kept per sequence the way binutils' bfd/dwarf2.c keeps them, so that lookups answer as
// `addr2line` does: of several rows at one address in a sequence only the last is kept, sequences
// are sorted by start address (larger first on ties) and nested or overlapping ones are trimmed.
import { FormatError } from '../../util/errors.js';
import { Cursor, stringAt, decodeString } from './cursor.js';
import type { DwarfSections } from './sections.js';
import {
  DW_FORM_block, DW_FORM_data1, DW_FORM_data16, DW_FORM_data2, DW_FORM_data4, DW_FORM_data8,
  DW_FORM_line_strp, DW_FORM_sdata, DW_FORM_string, DW_FORM_strp, DW_FORM_udata, DW_FORM_strx,
  DW_FORM_strx1, DW_FORM_strx2, DW_FORM_strx3, DW_FORM_strx4,
  DW_LNCT_directory_index, DW_LNCT_path, DW_LNE_end_sequence, DW_LNE_set_address,
  DW_LNE_set_discriminator, DW_LNE_define_file, DW_LNS_advance_line, DW_LNS_advance_pc,
  DW_LNS_const_add_pc, DW_LNS_copy, DW_LNS_fixed_advance_pc, DW_LNS_negate_stmt, DW_LNS_set_column,
  DW_LNS_set_file,
} from './constants.js';

export interface LineFileEntry {
  name: string;
  dir: number;
}

/** Row flags. */
export const ROW_IS_STMT = 1, ROW_END_SEQUENCE = 2;

export interface LineTable {
  offset: number;
  version: number;
  /** Directory table as written (v2-4: entry 1 is index 0 here; v5: index 0 is the comp dir). */
  dirs: string[];
  /** File table as written (v2-4: file 1 is index 0 here; v5: index 0 is the primary file). */
  files: LineFileEntry[];
  /** True for DWARF 5, where directory and file 0 are used (binutils' use_dir_and_file_0). */
  useDirAndFile0: boolean;
  /** Rows of all kept sequences, in sequence order; each sequence ends with its end_sequence row. */
  address: Float64Array;
  file: Uint32Array;
  line: Uint32Array;
  column: Uint32Array;
  discriminator: Uint32Array;
  flags: Uint8Array;
  /** Sequences sorted for binary search: [lowPc, firstRow, endRow) with the end row at endRow - 1. */
  seqLow: Float64Array;
  seqFirst: Uint32Array;
  seqEnd: Uint32Array;
}

class Grow {
  n = 0;
  address = new Float64Array(256);
  file = new Uint32Array(256);
  line = new Uint32Array(256);
  column = new Uint32Array(256);
  disc = new Uint32Array(256);
  flags = new Uint8Array(256);
  push(a: number, f: number, l: number, c: number, d: number, fl: number): void {
    if (this.n === this.address.length) {
      const m = this.n * 2;
      const g = <T extends Float64Array | Uint32Array | Uint8Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(m); y.set(x); return y;
      };
      this.address = g(this.address); this.file = g(this.file); this.line = g(this.line);
      this.column = g(this.column); this.disc = g(this.disc); this.flags = g(this.flags);
    }
    const i = this.n++;
    this.address[i] = a; this.file[i] = f; this.line[i] = l; this.column[i] = c; this.disc[i] = d; this.flags[i] = fl;
  }
}

function readEntryValue(c: Cursor, form: number, sections: DwarfSections, is64: boolean): string | number | undefined {
  switch (form) {
    case DW_FORM_string: return c.cstr();
    case DW_FORM_line_strp: return stringAt(sections.debug_line_str, c.offset(is64), '.debug_line_str');
    case DW_FORM_strp: return stringAt(sections.debug_str, c.offset(is64), '.debug_str');
    case DW_FORM_udata: return c.uleb();
    case DW_FORM_sdata: return c.sleb();
    case DW_FORM_data1: return c.u8();
    case DW_FORM_data2: return c.u16();
    case DW_FORM_data4: return c.u32();
    case DW_FORM_data8: return c.u64();
    case DW_FORM_data16: c.skip(16); return undefined;
    case DW_FORM_block: c.skip(c.uleb()); return undefined;
    // str_offsets needs the unit's base, which a line table does not know; nobody emits these here.
    case DW_FORM_strx: case DW_FORM_strx1: case DW_FORM_strx2: case DW_FORM_strx3: case DW_FORM_strx4:
    default: return c.fail(`a supported form in a line table entry format (found 0x${form.toString(16)})`);
  }
}

function readEntries(c: Cursor, sections: DwarfSections, is64: boolean): LineFileEntry[] {
  const nfmt = c.u8();
  const fmt: number[] = [];
  for (let i = 0; i < nfmt; i++) fmt.push(c.uleb(), c.uleb());
  const count = c.uleb();
  // Every supported form takes at least one byte, so more entries than bytes left is damage (and
  // an empty format list must not make a count of 2^50 allocate).
  if (count > c.end - c.pos) c.fail(`at most ${c.end - c.pos} entries (count ${count})`);
  const out: LineFileEntry[] = [];
  for (let i = 0; i < count; i++) {
    let name = '', dir = 0;
    for (let k = 0; k < fmt.length; k += 2) {
      const v = readEntryValue(c, fmt[k + 1], sections, is64);
      if (fmt[k] === DW_LNCT_path && typeof v === 'string') name = v;
      else if (fmt[k] === DW_LNCT_directory_index && typeof v === 'number') dir = v;
    }
    out.push({ name, dir });
  }
  return out;
}

/** Parses the line program at `offset` of .debug_line. `addressSize` comes from the unit (v2-4). */
export function readLineTable(sections: DwarfSections, offset: number, addressSize = 8): LineTable {
  const sec = sections.debug_line;
  if (!sec) throw new FormatError('.debug_line', offset, 'a .debug_line section');
  const c = new Cursor(sec, '.debug_line', offset);
  const [unitLength, is64] = c.initialLength();
  const unitEnd = c.pos + unitLength;
  if (unitEnd > sec.length) c.fail(`a line program of ${unitLength} bytes`, offset);
  const u = new Cursor(sec, '.debug_line', c.pos, unitEnd);
  const version = u.u16();
  if (version < 2 || version > 5) u.fail(`a line table version 2-5 (found ${version})`, u.pos - 2);
  if (version >= 5) {
    addressSize = u.u8();
    u.u8(); // segment_selector_size
  }
  const headerLength = u.offset(is64);
  const programStart = u.pos + headerLength;
  if (programStart > unitEnd) u.fail('a header_length within the unit');
  const minInstLength = u.u8();
  const maxOps = version >= 4 ? u.u8() || 1 : 1;
  const defaultIsStmt = u.u8() !== 0;
  const lineBase = u.i8();
  const lineRange = u.u8();
  if (lineRange === 0) u.fail('a non-zero line_range', u.pos - 1);
  const opcodeBase = u.u8();
  const stdLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(u.u8());

  let dirs: string[] = [];
  let files: LineFileEntry[] = [];
  if (version >= 5) {
    const h = new Cursor(sec, '.debug_line', u.pos, programStart);
    dirs = readEntries(h, sections, is64).map((e) => e.name);
    files = readEntries(h, sections, is64);
  } else {
    const h = new Cursor(sec, '.debug_line', u.pos, programStart);
    for (;;) {
      const s = h.cstr();
      if (!s) break;
      dirs.push(s);
    }
    for (;;) {
      const s = h.cstr();
      if (!s) break;
      const dir = h.uleb(); h.uleb(); h.uleb();
      files.push({ name: s, dir });
    }
  }

  // Run the state machine (DWARF 5 section 6.2.5).
  const rows = new Grow();
  const seqStart: number[] = [];
  const curSeqFirst = runProgram(new Cursor(sec, '.debug_line', programStart, unitEnd), rows, seqStart, files,
    version >= 5 ? 0 : 1, addressSize, minInstLength, maxOps, defaultIsStmt, lineBase, lineRange, opcodeBase, stdLengths);
  // A trailing sequence without end_sequence is dropped, as binutils does.
  rows.n = curSeqFirst;

  // Sort sequences by (low, larger end first, original order) and trim nesting/overlaps (sort_line_sequences).
  const nseq = seqStart.length;
  const order: number[] = [];
  for (let i = 0; i < nseq; i++) order.push(i);
  const first = (i: number) => seqStart[i];
  const endRow = (i: number) => (i + 1 < nseq ? seqStart[i + 1] : rows.n) - 1;
  const lows = new Float64Array(nseq); // binutils' low_pc: the least address of the sequence's rows
  for (let i = 0; i < nseq; i++) {
    let m = Infinity;
    for (let r = first(i); r <= endRow(i); r++) if (rows.address[r] < m) m = rows.address[r];
    lows[i] = m;
  }
  order.sort((x, y) => {
    const lx = lows[x], ly = lows[y];
    if (lx !== ly) return lx - ly;
    const hx = rows.address[endRow(x)], hy = rows.address[endRow(y)];
    if (hx !== hy) return hy - hx;
    return x - y;
  });
  const seqLow: number[] = [], seqFirst: number[] = [], seqEnd: number[] = [];
  let lastHigh = -Infinity;
  for (const i of order) {
    let low = lows[i];
    const high = rows.address[endRow(i)];
    if (seqLow.length && low < lastHigh) {
      if (high <= lastHigh) continue;
      low = lastHigh;
    }
    lastHigh = high;
    seqLow.push(low); seqFirst.push(first(i)); seqEnd.push(endRow(i) + 1);
  }
  const n = rows.n;
  return {
    offset, version, dirs, files, useDirAndFile0: version >= 5,
    address: rows.address.slice(0, n), file: rows.file.slice(0, n), line: rows.line.slice(0, n),
    column: rows.column.slice(0, n), discriminator: rows.disc.slice(0, n), flags: rows.flags.slice(0, n),
    seqLow: Float64Array.from(seqLow), seqFirst: Uint32Array.from(seqFirst), seqEnd: Uint32Array.from(seqEnd),
  };
}

/**
 * Runs a line-number program into `rows`, pushing each finished sequence's first row to
 * `seqStart`; returns the row count after the last end_sequence. One flat loop without closures:
 * it runs cold in most processes (one pass per unit), where calls cost the most.
 */
function runProgram(
  p: Cursor, rows: Grow, seqStart: number[], files: LineFileEntry[], initialFile: number, addressSize: number,
  minInstLength: number, maxOps: number, defaultIsStmt: boolean, lineBase: number, lineRange: number,
  opcodeBase: number, stdLengths: number[],
): number {
  const b = p.bytes;
  let address = 0, opIndex = 0, file = initialFile, line = 1, column = 0, isStmt = defaultIsStmt, disc = 0;
  let curSeqFirst = 0;
  let emitRow = false, endSeq = false;
  let opAdvance = -1;
  const constAddAdvance = Math.floor((255 - opcodeBase) / lineRange);
  while (p.pos < p.end) {
    const op = b[p.pos++];
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      opAdvance = Math.floor(adj / lineRange);
      line += lineBase + (adj % lineRange);
      emitRow = true;
    } else if (op === 0) {
      const len = p.uleb();
      const eEnd = p.pos + len;
      if (len === 0 || eEnd > p.end) p.fail('an extended opcode within the program');
      const eop = p.u8();
      switch (eop) {
        case DW_LNE_end_sequence: emitRow = true; endSeq = true; break;
        case DW_LNE_set_address: {
          const size = eEnd - p.pos;
          address = size === 8 || size === 4 || size === 2 || size === 1 ? p.uN(size) : p.uN(addressSize);
          opIndex = 0;
          break;
        }
        case DW_LNE_define_file: {
          const name = p.cstr(); const dir = p.uleb(); p.uleb(); p.uleb();
          files.push({ name, dir });
          break;
        }
        case DW_LNE_set_discriminator: disc = p.uleb(); break;
        default: break; // unknown extended opcodes are skipped by their length
      }
      p.pos = eEnd;
    } else {
      switch (op) {
        case DW_LNS_copy: emitRow = true; break;
        case DW_LNS_advance_pc: opAdvance = p.uleb(); break;
        case DW_LNS_advance_line: line += p.sleb(); break;
        case DW_LNS_set_file: file = p.uleb(); break;
        case DW_LNS_set_column: column = p.uleb(); break;
        case DW_LNS_negate_stmt: isStmt = !isStmt; break;
        case DW_LNS_const_add_pc: opAdvance = constAddAdvance; break;
        case DW_LNS_fixed_advance_pc: address += p.u16(); opIndex = 0; break;
        default:
          // set_basic_block, prologue_end, epilogue_begin, set_isa, and unknown opcodes: skip their ULEB operands
          for (let i = 0; i < stdLengths[op]; i++) p.uleb();
      }
    }
    if (opAdvance >= 0) {
      if (maxOps === 1) address += minInstLength * opAdvance;
      else {
        address += minInstLength * Math.floor((opIndex + opAdvance) / maxOps);
        opIndex = (opIndex + opAdvance) % maxOps;
      }
      opAdvance = -1;
    }
    if (emitRow) {
      emitRow = false;
      const n = rows.n;
      // binutils keeps only the last row of several at one address (bfd/dwarf2.c add_line_info).
      if (n > curSeqFirst && rows.address[n - 1] === address && ((rows.flags[n - 1] & ROW_END_SEQUENCE) !== 0) === endSeq) rows.n--;
      rows.push(address, file, line, column, disc, (isStmt ? ROW_IS_STMT : 0) | (endSeq ? ROW_END_SEQUENCE : 0));
      disc = 0;
      if (endSeq) {
        endSeq = false;
        seqStart.push(curSeqFirst);
        curSeqFirst = rows.n;
        address = 0; opIndex = 0; file = initialFile; line = 1; column = 0; isStmt = defaultIsStmt;
      }
    }
  }
  return curSeqFirst;
}

/**
 * The row covering `address`, as binutils' lookup_address_in_line_info_table finds it: the row
 * with the greatest address <= `address` in the sequence containing it, never the end row.
 * Returns -1 when no sequence covers the address.
 */
export function findRow(t: LineTable, address: number): number {
  let lo = 0, hi = t.seqLow.length, s = -1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (address < t.seqLow[mid]) hi = mid;
    else if (address >= t.address[t.seqEnd[mid] - 1]) lo = mid + 1;
    else { s = mid; break; }
  }
  if (s < 0) return -1;
  let a = t.seqFirst[s], b = t.seqEnd[s] - 1; // rows [a, b) and b is the end row
  if (address < t.address[a]) return -1;
  while (b - a > 1) {
    const mid = (a + b) >>> 1;
    if (t.address[mid] <= address) a = mid; else b = mid;
  }
  return a;
}

/**
 * The path binutils prints for file `index` of a line table (bfd/dwarf2.c concat_filename):
 * absolute names as they are; otherwise comp_dir/dir/name, where dir is dropped when absent and
 * comp_dir is dropped when dir is absolute. v2-4 index 0 is "<unknown>".
 */
export function filePath(t: LineTable, index: number, compDir: string | undefined): string {
  let i = index;
  if (!t.useDirAndFile0) {
    if (i === 0) return '<unknown>';
    i--;
  }
  if (!(i >= 0 && i < t.files.length)) return '<unknown>'; // an unsigned index in binutils: negative wraps out of range
  const f = t.files[i];
  if (f.name.startsWith('/')) return f.name;
  let dir = f.dir;
  if (!t.useDirAndFile0) dir--;
  let sub: string | undefined = dir >= 0 && dir < t.dirs.length ? t.dirs[dir] : undefined;
  let base: string | undefined;
  if (sub === undefined || !sub.startsWith('/')) base = compDir;
  if (base === undefined) { base = sub; sub = undefined; }
  if (base === undefined) return f.name;
  return sub ? `${base}/${sub}/${f.name}` : `${base}/${f.name}`;
}

/** Offsets of every line program in .debug_line, walking unit lengths (for tools and tests). */
export function lineTableOffsets(sec: Uint8Array): number[] {
  const out: number[] = [];
  const c = new Cursor(sec, '.debug_line');
  while (c.pos < sec.length) {
    const off = c.pos;
    const [len] = c.initialLength();
    out.push(off);
    c.skip(len);
  }
  return out;
}

export { decodeString };
