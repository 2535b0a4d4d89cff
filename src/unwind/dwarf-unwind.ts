// DWARF CFI unwinding of `perf record --call-graph dwarf` samples on x86_64: the sampled user
// registers (PERF_SAMPLE_REGS_USER) and a copy of the user stack (PERF_SAMPLE_STACK_USER, starting at
// the sampled sp) are walked frame by frame with each DSO's .eh_frame (or .debug_frame).
//
// perf's x86_64 register order (arch/x86/include/uapi/asm/perf_regs.h): AX BX CX DX SI DI BP SP IP
// FLAGS CS SS DS ES FS GS (0..15), R8..R15 (16..23). perf's default sample_regs_user for
// --call-graph dwarf is PERF_REGS_MASK minus the segment registers = 0xff0fff. A sample carries the
// registers whose mask bit is set, in bit order.
import { rowAt, Rule, UnwindRow } from '../formats/dwarf/cfi.js';
import { readDebugFrame, readEhFrame, type Fde, type FrameSection } from '../formats/dwarf/eh-frame.js';
import { findFdeWithHdr, readEhFrameHdr, type EhFrameHdr } from '../formats/dwarf/eh-frame-hdr.js';
import type { ElfFile } from '../formats/elf/elf.js';

export const PERF_REG_X86_AX = 0, PERF_REG_X86_BX = 1, PERF_REG_X86_CX = 2, PERF_REG_X86_DX = 3, PERF_REG_X86_SI = 4,
  PERF_REG_X86_DI = 5, PERF_REG_X86_BP = 6, PERF_REG_X86_SP = 7, PERF_REG_X86_IP = 8, PERF_REG_X86_R8 = 16;
/** perf's sample_regs_user for --call-graph dwarf on x86_64. */
export const PERF_REGS_X86_64_DWARF_MASK = 0xff0fff;

/** DWARF x86_64 register number (SysV psABI table 3.36) → PERF_REG_X86_* index. */
const DWARF_TO_PERF_X86_64 = [
  PERF_REG_X86_AX, PERF_REG_X86_DX, PERF_REG_X86_CX, PERF_REG_X86_BX, PERF_REG_X86_SI, PERF_REG_X86_DI, PERF_REG_X86_BP,
  PERF_REG_X86_SP, 16, 17, 18, 19, 20, 21, 22, 23, PERF_REG_X86_IP,
];
export const X86_64_DWARF_BP = 6;
export const X86_64_DWARF_RSP = 7;
export const X86_64_DWARF_RIP = 16;
const NREGS = 17;

/** The call frame information of one DSO, with addresses at link time. */
export interface CfiModule {
  ehFrame?: FrameSection;
  ehFrameHdr?: EhFrameHdr;
  debugFrame?: FrameSection;
}

/**
 * A loaded DSO: its CFI and the load bias (runtime address − link-time address). `ehFrameMisplaced`:
 * perf would search .eh_frame_hdr at another base (see analysis/machine.ts), so no FDE is found there.
 */
export interface MappedModule { cfi: CfiModule; bias: number; ehFrameMisplaced?: boolean }

/** Builds the CFI of an ELF file from its .eh_frame, .eh_frame_hdr and .debug_frame. */
export function cfiModuleFromElf(elf: ElfFile): CfiModule {
  const addressSize = elf.header.bits === 32 ? 4 : 8;
  const le = elf.header.littleEndian;
  const got = elf.findSection('.got');
  const addr = (a: bigint): number => Number(a); // user-space link addresses are far below 2^53
  const mod: CfiModule = {};
  const eh = elf.findSection('.eh_frame');
  if (eh && eh.type !== 8 /* SHT_NOBITS */) {
    mod.ehFrame = readEhFrame({ bytes: elf.sectionData(eh), address: addr(eh.addr), fileOffset: eh.offset, file: elf.name, addressSize, littleEndian: le, dataBase: got ? addr(got.addr) : undefined });
    const hdr = elf.findSection('.eh_frame_hdr');
    if (hdr && hdr.type !== 8) {
      mod.ehFrameHdr = readEhFrameHdr({ bytes: elf.sectionData(hdr), address: addr(hdr.addr), fileOffset: hdr.offset, file: elf.name, addressSize, littleEndian: le });
    }
  }
  const df = elf.findSection('.debug_frame');
  if (df && df.type !== 8) {
    mod.debugFrame = readDebugFrame({ bytes: elf.sectionData(df), address: addr(df.addr), fileOffset: df.offset, file: elf.name, addressSize, littleEndian: le });
  }
  return mod;
}

/** The FDE for a link-time pc: .eh_frame (through the header when present), then .debug_frame. */
export function findFde(mod: CfiModule, pc: number, noEhFrame = false): { section: FrameSection; fde: Fde } | undefined {
  if (mod.ehFrame && !noEhFrame) {
    const fde = findFdeWithHdr(mod.ehFrameHdr, mod.ehFrame, pc);
    if (fde) return { section: mod.ehFrame, fde };
  }
  if (mod.debugFrame) {
    const fde = mod.debugFrame.findFde(pc);
    if (fde) return { section: mod.debugFrame, fde };
  }
  return undefined;
}

export interface UnwindSample {
  /** PERF_SAMPLE_REGS_USER values in mask bit order. */
  regs: ArrayLike<bigint>;
  /** sample_regs_user of the event. */
  mask: number;
  /** The user stack copy; bytes [0, stackSize) are valid and byte 0 is at the sampled sp. */
  stack: Uint8Array;
  stackSize: number;
}

/** Why unwinding stopped. */
export type UnwindStop = 'end' | 'no-module' | 'no-fde' | 'no-memory' | 'bad-rule' | 'no-progress' | 'max-frames';

/** A register's state, as libunwind's locations: none (a NULL location), a value, or a location we cannot read. */
const NONE = 0, KNOWN = 1, UNREADABLE = 2;
/** libunwind's frame-chain guess accepts an rbp at most this far above the CFA (x86_64/Gstep.c). */
const FRAME_CHAIN_REACH = 0x4000;

/**
 * A reusable DWARF unwinder. `findModule(pc)` maps a runtime pc to its DSO's CFI and load bias.
 * unwind() returns the frames' runtime pcs: the sampled ip, then each caller's return address.
 */
export class DwarfUnwinder {
  private regs = new Float64Array(NREGS);
  private valid = new Uint8Array(NREGS);
  private next = new Float64Array(NREGS);
  private nextValid = new Uint8Array(NREGS);
  private row = new UnwindRow(32);
  private perfRegs = new Float64Array(32);
  private perfValid = new Uint8Array(32);
  /** libunwind's c->dwarf.cfa: the sampled sp, then each DWARF step's CFA, +16 after a frame-chain guess. */
  private cfa = 0;
  private stackView: DataView = new DataView(new ArrayBuffer(0));
  private stackSize = 0;
  private stackBase = 0;
  lastStop: UnwindStop = 'end';
  /**
   * Per frame unwind() returned, 1 when the step that found it went through a signal frame's FDE
   * (CIE augmentation 'S', e.g. glibc's __restore_rt): the frame's pc is the interrupted
   * instruction, not a return address. libunwind's unw_is_signal_frame says so (its
   * sigcontext_format is set by the step from such a frame), and perf then does not decrement it.
   */
  readonly interrupted: number[] = [];
  /** Values of 2^53 or more read in this unwind (garbage return addresses), by their rounded double: exact u32 halves. */
  private big = new Map<number, [number, number]>();

  /** The exact [hi, lo] of a value >= 2^53 that unwind() returned, if it was read from the stack copy. */
  exact(v: number): [number, number] | undefined { return this.big.get(v); }

  /**
   * `readMemory(addr)` answers reads outside the stack copy as perf's access_dso_mem does: undefined
   * (an error: no map there), or the u64 there (a file-backed map's bytes; 0 where perf cannot read,
   * e.g. [stack] beyond the copy: perf's access_mem then returns a positive "error" that libunwind
   * takes for success).
   */
  constructor(private readonly findModule: (pc: number) => MappedModule | undefined, private readonly maxFrames = 127,
    private readonly readMemory?: (addr: number) => number | undefined) {}

  unwind(sample: UnwindSample, out: number[] = []): number[] {
    out.length = 0;
    this.interrupted.length = 0;
    if (this.big.size) this.big.clear();
    this.valid.fill(0);
    let bit = 0;
    const perfRegs = this.perfRegs, perfValid = this.perfValid;
    perfValid.fill(0);
    for (let i = 0; i < 32; i++) {
      if (!((sample.mask >>> i) & 1)) continue;
      if (bit >= sample.regs.length) break;
      perfRegs[i] = Number(sample.regs[bit++]);
      perfValid[i] = 1;
    }
    for (let d = 0; d < NREGS; d++) {
      const p = DWARF_TO_PERF_X86_64[d];
      this.regs[d] = perfRegs[p];
      this.valid[d] = perfValid[p] ? KNOWN : NONE;
    }
    if (this.valid[X86_64_DWARF_RIP] !== KNOWN || this.valid[X86_64_DWARF_RSP] !== KNOWN) { this.lastStop = 'bad-rule'; return out; }
    this.stackView = new DataView(sample.stack.buffer, sample.stack.byteOffset, sample.stack.byteLength);
    this.stackSize = Math.min(sample.stackSize, sample.stack.byteLength);
    this.stackBase = this.regs[X86_64_DWARF_RSP];
    this.cfa = this.stackBase;
    out.push(this.regs[X86_64_DWARF_RIP]);
    this.interrupted.push(0);
    this.signalFrame = false;
    let isFirst = true;
    this.lastStop = 'max-frames';
    while (out.length < this.maxFrames) {
      const pc = this.regs[X86_64_DWARF_RIP];
      const stop = this.step(pc, isFirst);
      if (stop) { this.lastStop = stop; break; }
      isFirst = false;
      out.push(this.regs[X86_64_DWARF_RIP]);
      this.interrupted.push(this.signalFrame ? 1 : 0);
    }
    return out;
  }

  /**
   * One frame: replaces regs with the caller's. Returns why it can't, or undefined. This is libunwind
   * 1.6.2's unw_step on x86_64 as perf 6.1 drives it (perf's find_proc_info and access_mem): a DWARF
   * step, else, where the DSO has unwind tables but no FDE for pc, libunwind's frame-chain guess.
   */
  private step(pc: number, isFirst: boolean): UnwindStop | undefined {
    // A return address points after the call; the call itself may be the function's last byte.
    let lookup = isFirst || this.signalFrame ? pc : pc - 1;
    const m = this.findModule(lookup);
    if (!m) return 'no-module';
    lookup -= m.bias;
    const found = findFde(m.cfi, lookup, m.ehFrameMisplaced);
    if (!found) {
      // perf's find_proc_info answers -EINVAL (no guess) for a DSO without .eh_frame_hdr or
      // .debug_frame, and UNW_ENOINFO (libunwind guesses) when the tables lack pc.
      if (!m.cfi.ehFrameHdr && !m.cfi.debugFrame) return 'no-fde';
      return this.frameChain();
    }
    const row = this.row;
    if (!rowAt(found.section, found.fde, lookup, row)) return 'no-fde';
    this.signalFrame = found.fde.cie.signalFrame;
    let cfa: number;
    if (row.cfaIsExpression) {
      const v = this.evaluate(row.bytes, row.cfaExprStart, row.cfaExprEnd, undefined, m.bias);
      if (v === undefined) return 'no-memory';
      cfa = v;
    } else {
      if (row.cfaRegister >= NREGS || this.valid[row.cfaRegister] !== KNOWN) return 'bad-rule';
      cfa = this.regs[row.cfaRegister] + row.cfaOffset;
    }
    const ra = row.returnAddressRegister;
    const raRule = row.rule(ra);
    if (raRule === Rule.Undefined) return 'end';
    const next = this.next, nextValid = this.nextValid;
    for (let reg = 0; reg < NREGS; reg++) {
      const k = row.rule(reg);
      const v = row.value[reg];
      switch (k) {
        case Rule.Unspecified:
          // Callee-saved registers keep their value; rsp becomes the CFA (psABI: CFA = caller's rsp).
          if (reg === X86_64_DWARF_RSP) { next[reg] = cfa; nextValid[reg] = KNOWN; }
          else if (reg === X86_64_DWARF_RIP && ra !== X86_64_DWARF_RIP) { nextValid[reg] = NONE; }
          else { next[reg] = this.regs[reg]; nextValid[reg] = this.valid[reg]; }
          break;
        case Rule.SameValue: next[reg] = this.regs[reg]; nextValid[reg] = this.valid[reg]; break;
        case Rule.Undefined: nextValid[reg] = NONE; break;
        case Rule.Offset: {
          const x = this.read64(cfa + v);
          if (x === undefined) { if (reg === ra) return 'no-memory'; nextValid[reg] = UNREADABLE; } else { next[reg] = x; nextValid[reg] = KNOWN; }
          break;
        }
        case Rule.ValOffset: next[reg] = cfa + v; nextValid[reg] = KNOWN; break;
        case Rule.Register:
          // libunwind copies from the locations being updated, so lower-numbered registers are the caller's
          if (v < reg) { next[reg] = next[v]; nextValid[reg] = nextValid[v]; }
          else if (v < NREGS) { next[reg] = this.regs[v]; nextValid[reg] = this.valid[v]; } else nextValid[reg] = NONE;
          break;
        case Rule.Expression:
        case Rule.ValExpression: {
          const addr = this.evaluate(row.bytes, v, row.exprEnd[reg], cfa, m.bias);
          const x = addr === undefined ? undefined : k === Rule.Expression ? this.read64(addr) : addr;
          if (x === undefined) { if (reg === ra) return 'no-memory'; nextValid[reg] = UNREADABLE; } else { next[reg] = x; nextValid[reg] = KNOWN; }
          break;
        }
      }
    }
    if (ra !== X86_64_DWARF_RIP) {
      if (ra >= NREGS || nextValid[ra] !== KNOWN) return 'bad-rule';
      next[X86_64_DWARF_RIP] = next[ra]; nextValid[X86_64_DWARF_RIP] = KNOWN;
    }
    if (nextValid[X86_64_DWARF_RIP] !== KNOWN) return 'bad-rule';
    const newPc = next[X86_64_DWARF_RIP];
    // libunwind's apply_reg_state: the same pc and CFA again would loop forever.
    if (newPc === pc && cfa === this.cfa) return 'no-progress';
    // unw_step: "x86_64 ABI specifies that end of call-chain is marked with a NULL RBP".
    if (nextValid[X86_64_DWARF_BP] === NONE) return 'end';
    // A return address of 0 is still a frame (apply_reg_state returns 1; perf prints 0 - 1 as
    // ffffffffffffffff); the step after it finds no module and ends the chain.
    this.regs.set(next);
    this.valid.set(nextValid);
    this.cfa = cfa;
    return undefined;
  }

  /**
   * libunwind 1.6.2's guess for a frame without CFI (x86_64/Gstep.c): if rbp is readable, nonzero
   * and within [CFA, CFA + 0x4000] with [rbp] readable, the caller's pc is [rbp + 8], its rbp is
   * [rbp], every other register is lost, and the CFA advances by 16 (libunwind 1.6.2 reads rsp as
   * the CFA, so the caller's sp is taken to be CFA + 16, not rbp + 16). Not modelled: the lazy-PLT-stub
   * pattern libunwind tests first (binutils gives PLTs CFI; its signal-frame test there is always
   * false in 1.6.2, the step having just reset sigcontext_format). A guessed pc of 0 is a frame (unw_step returns 1; perf prints it as ffffffffffffffff),
   * and the step after it finds no module.
   */
  private frameChain(): UnwindStop | undefined {
    if (this.valid[X86_64_DWARF_BP] !== KNOWN) return this.valid[X86_64_DWARF_BP] === NONE ? 'end' : 'no-memory';
    const rbp = this.regs[X86_64_DWARF_BP];
    if (rbp === 0) return 'end';
    const savedRbp = this.read64(rbp);
    if (savedRbp === undefined || rbp < this.cfa || rbp - this.cfa > FRAME_CHAIN_REACH) return 'end';
    const pc = this.read64(rbp + 8);
    if (pc === undefined) return 'no-memory';
    this.cfa += 16;
    this.valid.fill(NONE);
    this.regs[X86_64_DWARF_BP] = savedRbp; this.valid[X86_64_DWARF_BP] = KNOWN;
    this.regs[X86_64_DWARF_RSP] = this.cfa; this.valid[X86_64_DWARF_RSP] = KNOWN;
    this.regs[X86_64_DWARF_RIP] = pc; this.valid[X86_64_DWARF_RIP] = KNOWN;
    this.signalFrame = false;
    return undefined;
  }

  private signalFrame = false;

  /**
   * A u64 of the stack copy, else readMemory's answer (undefined: unreadable). Values of 2^53 or
   * more are rounded doubles (never real addresses); exact() keeps the halves of those read from
   * the copy, for printing. perf's access_mem takes the copy's last 8 bytes as outside it
   * (`addr + 8 >= end`), and so do we.
   */
  private read64(addr: number): number | undefined {
    const off = addr - this.stackBase;
    if (!(off >= 0 && off + 8 < this.stackSize)) return this.readMemory?.(addr);
    const hi = this.stackView.getUint32(off + 4, true), lo = this.stackView.getUint32(off, true);
    if (hi >= 0x200000) { const v = hi * 0x100000000 + lo; this.big.set(v, [hi, lo]); return v; }
    return hi * 0x100000000 + lo;
  }

  /**
   * Evaluates a CFI DWARF expression (DWARF 5 2.5) with 64-bit BigInt arithmetic: rare (PLT entries,
   * signal trampolines), so exactness beats speed here. `cfa` is pushed first for register rules.
   */
  private evaluate(bytes: Uint8Array, start: number, end: number, cfa: number | undefined, _bias: number): number | undefined {
    const M = (1n << 64n) - 1n;
    const st: bigint[] = [];
    if (cfa !== undefined) st.push(BigInt(cfa));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let p = start;
    let steps = 0;
    const uleb = (): bigint => { let r = 0n, s = 0n, b: number; do { if (p >= end) throw new RangeError(); b = bytes[p++]; r |= BigInt(b & 0x7f) << s; s += 7n; } while (b & 0x80); return r; };
    const sleb = (): bigint => { let r = 0n, s = 0n, b: number; do { if (p >= end) throw new RangeError(); b = bytes[p++]; r |= BigInt(b & 0x7f) << s; s += 7n; } while (b & 0x80); if (b & 0x40) r -= 1n << s; return r; };
    const need = (n: number) => { if (p + n > end) throw new RangeError(); };
    const pop = (): bigint => { const v = st.pop(); if (v === undefined) throw new RangeError(); return v; };
    const reg = (r: number): bigint => { if (r >= NREGS || this.valid[r] !== KNOWN) throw new RangeError(); return BigInt(this.regs[r]); };
    const signed = (v: bigint) => BigInt.asIntN(64, v);
    try {
      while (p < end) {
        if (++steps > 10000) return undefined;
        const op = bytes[p++];
        if (op >= 0x30 && op <= 0x4f) { st.push(BigInt(op - 0x30)); continue; } // DW_OP_lit0..31
        if (op >= 0x70 && op <= 0x8f) { st.push((reg(op - 0x70) + sleb()) & M); continue; } // DW_OP_breg0..31
        switch (op) {
          case 0x06: { const x = this.read64(Number(pop())); if (x === undefined) return undefined; st.push(BigInt(x)); break; } // deref
          case 0x94: { // deref_size
            need(1); const n = bytes[p++]; const a = Number(pop()); const x = this.read64(a);
            if (x === undefined) return undefined;
            st.push(BigInt(x) & ((1n << BigInt(8 * n)) - 1n)); break;
          }
          case 0x08: need(1); st.push(BigInt(bytes[p])); p += 1; break;
          case 0x09: need(1); st.push(BigInt(dv.getInt8(p)) & M); p += 1; break;
          case 0x0a: need(2); st.push(BigInt(dv.getUint16(p, true))); p += 2; break;
          case 0x0b: need(2); st.push(BigInt(dv.getInt16(p, true)) & M); p += 2; break;
          case 0x0c: need(4); st.push(BigInt(dv.getUint32(p, true))); p += 4; break;
          case 0x0d: need(4); st.push(BigInt(dv.getInt32(p, true)) & M); p += 4; break;
          case 0x0e: need(8); st.push(dv.getBigUint64(p, true)); p += 8; break;
          case 0x0f: need(8); st.push(dv.getBigUint64(p, true)); p += 8; break;
          case 0x10: st.push(uleb() & M); break;
          case 0x11: st.push(sleb() & M); break;
          case 0x12: { const v = pop(); st.push(v, v); break; } // dup
          case 0x13: pop(); break; // drop
          case 0x14: { if (st.length < 2) return undefined; st.push(st[st.length - 2]); break; } // over
          case 0x15: { need(1); const i = bytes[p++]; if (i >= st.length) return undefined; st.push(st[st.length - 1 - i]); break; } // pick
          case 0x16: { const a = pop(), b = pop(); st.push(a, b); break; } // swap
          case 0x17: { const a = pop(), b = pop(), c = pop(); st.push(a, c, b); break; } // rot
          case 0x19: { const a = signed(pop()); st.push((a < 0n ? -a : a) & M); break; }
          case 0x1a: { const a = pop(), b = pop(); st.push(b & a); break; }
          case 0x1b: { const a = signed(pop()), b = signed(pop()); if (a === 0n) return undefined; st.push((b / a) & M); break; }
          case 0x1c: { const a = pop(), b = pop(); st.push((b - a) & M); break; }
          case 0x1d: { const a = pop(), b = pop(); if (a === 0n) return undefined; st.push(b % a); break; }
          case 0x1e: { const a = pop(), b = pop(); st.push((b * a) & M); break; }
          case 0x1f: st.push(-pop() & M); break;
          case 0x20: st.push(~pop() & M); break;
          case 0x21: { const a = pop(), b = pop(); st.push(b | a); break; }
          case 0x22: { const a = pop(), b = pop(); st.push((b + a) & M); break; }
          case 0x23: st.push((pop() + uleb()) & M); break;
          case 0x24: { const a = pop(), b = pop(); st.push(a >= 64n ? 0n : (b << a) & M); break; }
          case 0x25: { const a = pop(), b = pop(); st.push(a >= 64n ? 0n : b >> a); break; }
          case 0x26: { const a = pop(), b = signed(pop()); st.push((b >> (a >= 64n ? 63n : a)) & M); break; }
          case 0x27: { const a = pop(), b = pop(); st.push(b ^ a); break; }
          case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: {
            const a = signed(pop()), b = signed(pop());
            const r = op === 0x29 ? b === a : op === 0x2a ? b >= a : op === 0x2b ? b > a : op === 0x2c ? b <= a : op === 0x2d ? b < a : b !== a;
            st.push(r ? 1n : 0n); break;
          }
          case 0x2f: { need(2); const d = dv.getInt16(p, true); p += 2 + d; if (p < start || p > end) return undefined; break; } // skip
          case 0x28: { need(2); const d = dv.getInt16(p, true); p += 2; if (pop() !== 0n) { p += d; if (p < start || p > end) return undefined; } break; } // bra
          case 0x92: { const r = Number(uleb()); st.push((reg(r) + sleb()) & M); break; } // bregx
          case 0x96: break; // nop
          case 0x9c: if (cfa === undefined) return undefined; st.push(BigInt(cfa)); break; // call_frame_cfa
          default: return undefined; // DW_OP_reg*, piece, calls: not meaningful in CFI
        }
      }
    } catch (e) {
      if (e instanceof RangeError) return undefined;
      throw e;
    }
    const top = st.pop();
    return top === undefined ? undefined : Number(top);
  }
}

/** The CFA rule and return-address rule at a link-time pc, for tools that print them. */
export function describeRowAt(mod: CfiModule, pc: number): UnwindRow | undefined {
  const f = findFde(mod, pc);
  if (!f) return undefined;
  const row = new UnwindRow();
  return rowAt(f.section, f.fde, pc, row) ? row : undefined;
}
