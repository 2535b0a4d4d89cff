// The call frame instruction interpreter (DWARF 5 section 6.4.2): runs a CIE's initial instructions
// and an FDE's instructions to the row that holds a pc. Byte layout of each instruction:
//
//   high 2 bits | low 6 bits | operands
//   0x40 advance_loc  delta          —
//   0x80 offset       register       uleb factored offset
//   0xc0 restore      register       —
//   0x00 primary ops: nop, set_loc addr, advance_loc1/2/4 u8/u16/u32, offset_extended uleb uleb,
//        restore_extended uleb, undefined uleb, same_value uleb, register uleb uleb,
//        remember_state, restore_state, def_cfa uleb uleb, def_cfa_register uleb,
//        def_cfa_offset uleb, def_cfa_expression block, expression uleb block,
//        offset_extended_sf uleb sleb, def_cfa_sf uleb sleb, def_cfa_offset_sf sleb,
//        val_offset uleb uleb, val_offset_sf uleb sleb, val_expression uleb block,
//        0x1d MIPS_advance_loc8 u64, 0x2d GNU_window_save (aarch64: negate_ra_state),
//        0x2e GNU_args_size uleb, 0x2f GNU_negative_offset_extended uleb uleb
// The interpreter writes into a caller-owned UnwindRow, so a query allocates nothing unless the FDE
// uses remember_state.
import { readEncodedPointer, type Cie, type Fde, type FrameSection } from './eh-frame.js';

export const DW_CFA_nop = 0x00;
export const DW_CFA_set_loc = 0x01;
export const DW_CFA_advance_loc1 = 0x02;
export const DW_CFA_advance_loc2 = 0x03;
export const DW_CFA_advance_loc4 = 0x04;
export const DW_CFA_offset_extended = 0x05;
export const DW_CFA_restore_extended = 0x06;
export const DW_CFA_undefined = 0x07;
export const DW_CFA_same_value = 0x08;
export const DW_CFA_register = 0x09;
export const DW_CFA_remember_state = 0x0a;
export const DW_CFA_restore_state = 0x0b;
export const DW_CFA_def_cfa = 0x0c;
export const DW_CFA_def_cfa_register = 0x0d;
export const DW_CFA_def_cfa_offset = 0x0e;
export const DW_CFA_def_cfa_expression = 0x0f;
export const DW_CFA_expression = 0x10;
export const DW_CFA_offset_extended_sf = 0x11;
export const DW_CFA_def_cfa_sf = 0x12;
export const DW_CFA_def_cfa_offset_sf = 0x13;
export const DW_CFA_val_offset = 0x14;
export const DW_CFA_val_offset_sf = 0x15;
export const DW_CFA_val_expression = 0x16;
export const DW_CFA_MIPS_advance_loc8 = 0x1d;
export const DW_CFA_GNU_window_save = 0x2d;
export const DW_CFA_GNU_args_size = 0x2e;
export const DW_CFA_GNU_negative_offset_extended = 0x2f;
export const DW_CFA_advance_loc = 0x40;
export const DW_CFA_offset = 0x80;
export const DW_CFA_restore = 0xc0;

/** Register rules (DWARF 5 6.4.1). */
export const enum Rule {
  /** No instruction mentioned the register: the ABI's default (callee-saved: same value). */
  Unspecified = 0,
  Undefined = 1,
  SameValue = 2,
  /** Saved at CFA + value. */
  Offset = 3,
  /** Its value is CFA + value. */
  ValOffset = 4,
  /** Saved in register `value`. */
  Register = 5,
  /** Saved at the address the expression bytes[value, exprEnd) computes (CFA pushed first). */
  Expression = 6,
  /** Its value is what the expression computes (CFA pushed first). */
  ValExpression = 7,
}

/** Register numbers above this are treated as corrupt input (PowerPC's largest is below 1200). */
export const MAX_REGISTER = 2047;

/**
 * One row of the CFA table: the CFA rule and a rule per register, valid for [startAddress, endAddress).
 * Expressions are byte ranges in `bytes` (the section), evaluated by the unwinder.
 */
export class UnwindRow {
  startAddress = 0;
  endAddress = 0;
  /** CFA = register value + cfaOffset, unless cfaExprStart ≥ 0. */
  cfaRegister = 0;
  cfaOffset = 0;
  cfaExprStart = -1;
  cfaExprEnd = -1;
  /** aarch64 DW_CFA_AARCH64_negate_ra_state toggles (pointer authentication). */
  raSigned = 0;
  returnAddressRegister = 0;
  /** 1 + the highest register with a rule other than Unspecified. */
  registerCount = 0;
  kind: Uint8Array;
  value: Float64Array;
  exprEnd: Int32Array;
  bytes: Uint8Array = new Uint8Array(0);

  constructor(capacity = 32) {
    this.kind = new Uint8Array(capacity);
    this.value = new Float64Array(capacity);
    this.exprEnd = new Int32Array(capacity);
  }

  get cfaIsExpression(): boolean { return this.cfaExprStart >= 0; }

  ensure(reg: number): void {
    if (reg < this.kind.length) return;
    let n = this.kind.length * 2;
    while (n <= reg) n *= 2;
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
    const v = new Float64Array(n); v.set(this.value); this.value = v;
    const e = new Int32Array(n); e.set(this.exprEnd); this.exprEnd = e;
  }

  rule(reg: number): Rule { return reg < this.registerCount ? this.kind[reg] as Rule : Rule.Unspecified; }

  setRule(reg: number, kind: Rule, value = 0, exprEnd = 0): void {
    this.ensure(reg);
    this.kind[reg] = kind;
    this.value[reg] = value;
    this.exprEnd[reg] = exprEnd;
    if (reg >= this.registerCount) {
      for (let i = this.registerCount; i < reg; i++) this.kind[i] = Rule.Unspecified;
      this.registerCount = reg + 1;
    }
  }

  copyFrom(o: UnwindRow): this {
    this.startAddress = o.startAddress;
    this.endAddress = o.endAddress;
    this.cfaRegister = o.cfaRegister;
    this.cfaOffset = o.cfaOffset;
    this.cfaExprStart = o.cfaExprStart;
    this.cfaExprEnd = o.cfaExprEnd;
    this.raSigned = o.raSigned;
    this.returnAddressRegister = o.returnAddressRegister;
    this.bytes = o.bytes;
    this.ensure(o.registerCount);
    const n = o.registerCount;
    this.registerCount = n;
    for (let i = 0; i < n; i++) {
      this.kind[i] = o.kind[i]; this.value[i] = o.value[i]; this.exprEnd[i] = o.exprEnd[i];
    }
    return this;
  }

  clone(): UnwindRow { return new UnwindRow(Math.max(8, this.registerCount)).copyFrom(this); }
}

const cieInitialRows = new WeakMap<Cie, UnwindRow>();

/** The row that a CIE's initial instructions define (cached per CIE). */
export function cieInitialRow(section: FrameSection, cie: Cie): UnwindRow {
  let row = cieInitialRows.get(cie);
  if (row) return row;
  row = new UnwindRow();
  row.bytes = section.bytes;
  row.returnAddressRegister = cie.returnAddressRegister;
  execute(section, cie, undefined, cie.instructionsStart, cie.instructionsEnd, row, null, Infinity, undefined);
  row.startAddress = 0;
  row.endAddress = 0;
  cieInitialRows.set(cie, row);
  return row;
}

/**
 * Fills `out` with the row of `fde` that holds `pc` and returns true, or returns false when pc is
 * outside the FDE. Allocation-free unless the FDE uses DW_CFA_remember_state.
 */
export function rowAt(section: FrameSection, fde: Fde, pc: number, out: UnwindRow): boolean {
  if (pc < fde.pcBegin || pc >= fde.pcEnd) return false;
  const initial = cieInitialRow(section, fde.cie);
  out.copyFrom(initial);
  out.startAddress = fde.pcBegin;
  out.endAddress = fde.pcEnd;
  execute(section, fde.cie, fde, fde.instructionsStart, fde.instructionsEnd, out, initial, pc, undefined);
  return true;
}

/**
 * Every row of an FDE's table the way readelf --debug-dump=frames-interp prints it: one row each time
 * an advance instruction moves the location (even when nothing changed), plus the final row unless
 * the FDE's instructions are all DW_CFA_nop. Rows are fresh copies.
 */
export function fdeRows(section: FrameSection, fde: Fde): UnwindRow[] {
  const initial = cieInitialRow(section, fde.cie);
  const row = new UnwindRow().copyFrom(initial);
  row.startAddress = fde.pcBegin;
  const rows: UnwindRow[] = [];
  const allNops = execute(section, fde.cie, fde, fde.instructionsStart, fde.instructionsEnd, row, initial, Infinity, (r, next) => {
    const c = r.clone();
    c.endAddress = next;
    rows.push(c);
  });
  if (!allNops) {
    const c = row.clone();
    c.endAddress = fde.pcEnd;
    rows.push(c);
  }
  return rows;
}

/** The rows of a CIE's initial instructions, as readelf prints them (location 0). */
export function cieRows(section: FrameSection, cie: Cie): UnwindRow[] {
  const row = new UnwindRow();
  row.bytes = section.bytes;
  row.returnAddressRegister = cie.returnAddressRegister;
  const rows: UnwindRow[] = [];
  const allNops = execute(section, cie, undefined, cie.instructionsStart, cie.instructionsEnd, row, null, Infinity, (r) => { rows.push(r.clone()); });
  if (!allNops) rows.push(row.clone());
  return rows;
}

/**
 * Runs instructions [start, end) on `row`. Stops before the first advance past `stopPc` (setting
 * row.endAddress to the advanced location). `onAdvance` sees the row before each advance. Returns
 * true when every instruction was DW_CFA_nop.
 */
function execute(
  section: FrameSection, cie: Cie, fde: Fde | undefined, start: number, end: number, row: UnwindRow,
  initial: UnwindRow | null, stopPc: number, onAdvance: ((row: UnwindRow, next: number) => void) | undefined,
): boolean {
  const r = section.reader;
  r.seek(start);
  const caf = cie.codeAlignmentFactor;
  const daf = cie.dataAlignmentFactor;
  let stack: UnwindRow[] | undefined;
  let allNops = true;
  while (r.pos < end) {
    const opPos = r.pos;
    const byte = r.u8('call frame instruction');
    const high = byte & 0xc0;
    let op = byte;
    let advance = -1;
    if (op !== DW_CFA_nop) allNops = false;
    if (high === DW_CFA_advance_loc) {
      advance = (byte & 0x3f) * caf;
    } else if (high === DW_CFA_offset) {
      const reg = byte & 0x3f;
      row.setRule(reg, Rule.Offset, r.uleb128('DW_CFA_offset offset') * daf);
    } else if (high === DW_CFA_restore) {
      restore(row, initial, byte & 0x3f);
    } else {
      switch (op) {
        case DW_CFA_nop: break;
        case DW_CFA_set_loc: {
          const bases = { section: section.address, data: section.dataBase, text: section.textBase, func: fde?.pcBegin };
          const loc = readEncodedPointer(r, cie.fdeEncoding, cie.addressSize, bases, 'DW_CFA_set_loc address');
          advance = loc - row.startAddress;
          if (advance < 0) r.fail('a DW_CFA_set_loc address at or after the current location', `0x${loc.toString(16)}`, opPos);
          break;
        }
        case DW_CFA_advance_loc1: advance = r.u8('DW_CFA_advance_loc1 delta') * caf; break;
        case DW_CFA_advance_loc2: advance = r.u16('DW_CFA_advance_loc2 delta') * caf; break;
        case DW_CFA_advance_loc4: advance = r.u32('DW_CFA_advance_loc4 delta') * caf; break;
        case DW_CFA_MIPS_advance_loc8: {
          const lo = r.u32('DW_CFA_MIPS_advance_loc8 delta'), hi = r.u32('DW_CFA_MIPS_advance_loc8 delta');
          advance = (r.littleEndian ? hi * 0x100000000 + lo : lo * 0x100000000 + hi) * caf;
          break;
        }
        case DW_CFA_offset_extended: { const reg = regOf(r); row.setRule(reg, Rule.Offset, r.uleb128('offset') * daf); break; }
        case DW_CFA_offset_extended_sf: { const reg = regOf(r); row.setRule(reg, Rule.Offset, r.sleb128('offset') * daf); break; }
        case DW_CFA_GNU_negative_offset_extended: { const reg = regOf(r); row.setRule(reg, Rule.Offset, -r.uleb128('offset') * daf); break; }
        case DW_CFA_val_offset: { const reg = regOf(r); row.setRule(reg, Rule.ValOffset, r.uleb128('offset') * daf); break; }
        case DW_CFA_val_offset_sf: { const reg = regOf(r); row.setRule(reg, Rule.ValOffset, r.sleb128('offset') * daf); break; }
        case DW_CFA_restore_extended: restore(row, initial, regOf(r)); break;
        case DW_CFA_undefined: row.setRule(regOf(r), Rule.Undefined); break;
        case DW_CFA_same_value: row.setRule(regOf(r), Rule.SameValue); break;
        case DW_CFA_register: { const reg = regOf(r); row.setRule(reg, Rule.Register, regOf(r)); break; }
        case DW_CFA_remember_state:
          (stack ??= []).push(row.clone());
          if (stack.length > 4096) r.fail('a DW_CFA_remember_state depth below 4096', undefined, opPos);
          break;
        case DW_CFA_restore_state: {
          const saved = stack?.pop();
          if (!saved) return r.fail('a DW_CFA_remember_state before DW_CFA_restore_state', undefined, opPos);
          // The location is not part of the saved state (DWARF 5 6.4.2.4).
          const loc = row.startAddress, endAddr = row.endAddress;
          row.copyFrom(saved);
          row.startAddress = loc; row.endAddress = endAddr;
          break;
        }
        case DW_CFA_def_cfa:
          row.cfaRegister = regOf(r); row.cfaOffset = r.uleb128('DW_CFA_def_cfa offset');
          row.cfaExprStart = row.cfaExprEnd = -1;
          break;
        case DW_CFA_def_cfa_sf:
          row.cfaRegister = regOf(r); row.cfaOffset = r.sleb128('DW_CFA_def_cfa_sf offset') * daf;
          row.cfaExprStart = row.cfaExprEnd = -1;
          break;
        case DW_CFA_def_cfa_register:
          row.cfaRegister = regOf(r);
          row.cfaExprStart = row.cfaExprEnd = -1;
          break;
        // Valid only with a register+offset CFA; like readelf and libgcc, an expression CFA stays one.
        case DW_CFA_def_cfa_offset: row.cfaOffset = r.uleb128('DW_CFA_def_cfa_offset offset'); break;
        case DW_CFA_def_cfa_offset_sf: row.cfaOffset = r.sleb128('DW_CFA_def_cfa_offset_sf offset') * daf; break;
        case DW_CFA_def_cfa_expression: {
          const len = r.uleb128('DW_CFA_def_cfa_expression length');
          row.cfaExprStart = r.pos;
          r.skip(len, 'DW_CFA_def_cfa_expression block');
          row.cfaExprEnd = r.pos;
          break;
        }
        case DW_CFA_expression:
        case DW_CFA_val_expression: {
          const reg = regOf(r);
          const len = r.uleb128('expression length');
          const s = r.pos;
          r.skip(len, 'expression block');
          row.setRule(reg, op === DW_CFA_expression ? Rule.Expression : Rule.ValExpression, s, r.pos);
          break;
        }
        case DW_CFA_GNU_args_size: r.uleb128('DW_CFA_GNU_args_size'); break;
        case DW_CFA_GNU_window_save: row.raSigned ^= 1; break;
        default:
          r.fail('a known DW_CFA instruction', `0x${op.toString(16)}`, opPos);
      }
    }
    if (r.pos > end) r.fail('call frame instructions that end inside their entry', `${r.pos - end} bytes past the end`, opPos);
    if (advance >= 0) {
      const next = row.startAddress + advance;
      if (onAdvance) onAdvance(row, next);
      if (next > stopPc) { row.endAddress = next; return allNops; }
      row.startAddress = next;
    }
  }
  return allNops;
}

function regOf(r: FrameSection['reader']): number {
  const reg = r.uleb128('register number');
  if (reg > MAX_REGISTER) r.fail(`a register number up to ${MAX_REGISTER}`, String(reg));
  return reg;
}

function restore(row: UnwindRow, initial: UnwindRow | null, reg: number): void {
  if (!initial) { if (reg < row.registerCount) row.setRule(reg, Rule.Unspecified); return; }
  const k = initial.rule(reg);
  if (k === Rule.Unspecified && reg >= row.registerCount) return;
  row.setRule(reg, k, initial.value[reg] ?? 0, initial.exprEnd[reg] ?? 0);
}
