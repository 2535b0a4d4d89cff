// Address → function, file:line and inline chain from an ELF file's DWARF, answering exactly as
// binutils addr2line 2.40 does (bfd/dwarf2.c _bfd_dwarf2_find_nearest_line and
// _bfd_dwarf2_find_inliner_info, bfd/elf.c _bfd_elf_find_function): the same unit choice,
// best-fit function, line row, path formation, symbol-table fallbacks and their quirks.
// Addresses are numbers wrapped to 53 bits (see formats/dwarf/cursor.ts).
import type { ElfFile, ElfSection, ElfSymbolTable } from '../formats/elf/index.js';
import { SHF_ALLOC, STB_LOCAL, STT_FILE, STT_FUNC, STT_NOTYPE, STT_GNU_IFUNC, STV_HIDDEN } from '../formats/elf/index.js';
import { DwarfInfo, type Unit } from '../formats/dwarf/info.js';
import { readLineTable, findRow, filePath, type LineTable } from '../formats/dwarf/line.js';
import { readUnitFunctions, findFunction, type UnitFunctions } from '../formats/dwarf/functions.js';
import { DWARF_SECTION_NAMES, type DwarfSections } from '../formats/dwarf/sections.js';
import { DW_TAG_inlined_subroutine, DW_UT_type, DW_UT_split_type } from '../formats/dwarf/constants.js';

/** One line of addr2line's answer: the innermost frame first, then each inlining caller. */
export interface SourceFrame {
  /** Function name as stored (possibly mangled); undefined prints as "??". */
  functionName: string | undefined;
  /** File path; undefined prints as "??". */
  file: string | undefined;
  /** 0 = unknown (printed "?"). */
  line: number;
  /** Discriminator of the line row (addr2line repeats it on every line of the chain). */
  discriminator: number;
}

const ADDR53 = 2 ** 53;

/** Converts a 64-bit address to the 53-bit number form the DWARF tables use. */
export function toAddress53(a: bigint): number { return Number(BigInt.asUintN(53, a)); }

interface SymbolHit { name: string; value: number; file: string | undefined }

export class DwarfSymbolizer {
  readonly info: DwarfInfo;
  private sections: ElfSection[];
  private secLow: number[] = [];
  private secHigh: number[] = [];
  private lineTables = new Map<number, LineTable>();
  private unitFuncs = new Map<number, UnitFunctions>();
  private unitIndex: { low: Float64Array; high: Float64Array; unit: Int32Array; max: Float64Array };
  private rangeless: Unit[] = [];
  private symtab: ElfSymbolTable | undefined;
  private symBySection = new Map<number, { value: Float64Array; idx: Int32Array }>();
  private symFile: (string | undefined)[] = [];

  constructor(readonly elf: ElfFile) {
    const sections: DwarfSections = {};
    for (const n of DWARF_SECTION_NAMES) {
      const d = elf.sectionDataByName('.' + n);
      if (d) sections[n] = d;
    }
    this.info = new DwarfInfo(sections, elf.name);
    this.sections = elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0);
    for (const s of this.sections) { this.secLow.push(toAddress53(s.addr)); this.secHigh.push(toAddress53(s.addr) + s.size); }
    // Unit index over the units' own ranges; units without ranges are tried last (as binutils does).
    const lows: number[] = [], highs: number[] = [], us: number[] = [];
    for (const u of this.info.units) {
      if (u.unitType === DW_UT_type || u.unitType === DW_UT_split_type) continue;
      if (u.ranges.length === 0) { this.rangeless.push(u); continue; }
      for (let i = 0; i < u.ranges.length; i += 2) { lows.push(u.ranges[i]); highs.push(u.ranges[i + 1]); us.push(u.index); }
    }
    const order = lows.map((_, i) => i).sort((a, b) => lows[a] - lows[b] || us[a] - us[b]);
    const max = new Float64Array(order.length);
    let m = -Infinity;
    order.forEach((o, i) => { if (highs[o] > m) m = highs[o]; max[i] = m; });
    this.unitIndex = {
      low: Float64Array.from(order.map((o) => lows[o])), high: Float64Array.from(order.map((o) => highs[o])),
      unit: Int32Array.from(order.map((o) => us[o])), max,
    };
    this.symtab = elf.symtab();
    if (!this.symtab || this.symtab.count <= 1) this.symtab = elf.dynsym();
    this.indexSymbols();
  }

  /** Candidate function symbols per section (bfd's _bfd_elf_maybe_function_sym), sorted by value. */
  private indexSymbols(): void {
    const t = this.symtab;
    if (!t) return;
    const per = new Map<number, number[]>();
    let file: string | undefined;
    let seenSymbol = false, fileAfterSymbol = false;
    this.symFile = new Array(t.count);
    for (let i = 1; i < t.count; i++) {
      const type = t.type(i);
      if (type === STT_FILE) { file = t.name(i); if (seenSymbol) fileAfterSymbol = true; continue; }
      seenSymbol = true;
      if (type !== STT_FUNC && type !== STT_NOTYPE && type !== STT_GNU_IFUNC) continue;
      const shndx = t.shndx[i];
      if (shndx === 0 || shndx >= 0xff00) continue;
      if (t.size[i] === 0 && t.bind(i) === STB_LOCAL && type === STT_NOTYPE && t.visibility(i) === STV_HIDDEN) continue;
      let list = per.get(shndx);
      if (!list) per.set(shndx, (list = []));
      list.push(i);
      if (file !== undefined && (t.bind(i) === STB_LOCAL || !fileAfterSymbol)) this.symFile[i] = file;
    }
    for (const [shndx, list] of per) {
      const v = list.map((i) => Number(BigInt.asUintN(53, t.value(i))));
      const order = list.map((_, k) => k).sort((a, b) => v[a] - v[b] || a - b);
      this.symBySection.set(shndx, { value: Float64Array.from(order.map((k) => v[k])), idx: Int32Array.from(order.map((k) => list[k])) });
    }
  }

  /** The allocated section containing `pc`, first in header order, as addr2line picks it. */
  sectionFor(pc: number): ElfSection | undefined {
    for (let i = 0; i < this.sections.length; i++) if (pc >= this.secLow[i] && pc < this.secHigh[i]) return this.sections[i];
    return undefined;
  }

  /** bfd's elf_find_function: the nearest function symbol at or below pc in the section (better_fit rules). */
  private findSymbol(sec: ElfSection, pc: number): SymbolHit | undefined {
    const s = this.symBySection.get(sec.index);
    const t = this.symtab;
    if (!s || !t) return undefined;
    let lo = 0, hi = s.value.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (s.value[mid] <= pc) lo = mid + 1; else hi = mid; }
    if (lo === 0) return undefined;
    const v = s.value[lo - 1];
    let first = lo - 1;
    while (first > 0 && s.value[first - 1] === v) first--;
    let best = -1, bestSize = 0;
    for (let k = first; k < lo; k++) {
      const i = s.idx[k];
      const size = t.size[i] || 1;
      if (best < 0) { best = i; bestSize = size; continue; }
      if (v + bestSize <= pc) { if (size > bestSize) { best = i; bestSize = size; } continue; }
      if (v + size > pc && size < bestSize) { best = i; bestSize = size; }
    }
    return { name: t.name(best), value: v, file: this.symFile[best] };
  }

  private lineTable(u: Unit): LineTable | undefined {
    if (u.stmtList < 0 || !this.info.sections.debug_line) return undefined;
    let t = this.lineTables.get(u.stmtList);
    if (!t) { t = readLineTable(this.info.sections, u.stmtList, u.addressSize); this.lineTables.set(u.stmtList, t); }
    return t;
  }

  private functions(u: Unit): UnitFunctions {
    let f = this.unitFuncs.get(u.index);
    if (!f) { f = readUnitFunctions(this.info, u); this.unitFuncs.set(u.index, f); }
    return f;
  }

  /**
   * addr2line's answer for `pc` (with -i, every frame of the inline chain; the caller keeps only
   * the first without -i). Undefined when addr2line prints "??" and "??:0".
   */
  findFrames(pc: number): SourceFrame[] | undefined {
    if (pc < 0 || pc >= ADDR53) return undefined;
    const sec = this.sectionFor(pc);
    if (!sec) return undefined;
    const ix = this.unitIndex;
    let lo = 0, hi = ix.low.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (ix.max[mid] > pc) hi = mid; else lo = mid + 1; }
    const cands: number[] = [];
    for (let i = lo; i < ix.low.length && ix.low[i] <= pc; i++) if (pc < ix.high[i]) cands.push(ix.unit[i]);
    cands.sort((a, b) => a - b);
    const units = cands.map((i) => this.info.units[i]).concat(this.rangeless);
    for (const u of units) {
      const t = this.lineTable(u);
      const uf = this.functions(u);
      const fi = findFunction(uf, pc);
      const row = t ? findRow(t, pc) : -1;
      if (fi < 0 && row < 0) continue;
      let file = row >= 0 ? filePath(t!, t!.file[row], u.compDir) : undefined;
      const line = row >= 0 ? t!.line[row] : 0;
      const disc = row >= 0 ? t!.discriminator[row] : 0;
      let name: string | undefined;
      const f = fi >= 0 ? uf.funcs[fi] : undefined;
      if (f && f.isLinkage) name = f.name;
      else {
        const sym = this.findSymbol(sec, pc);
        if (sym && file === undefined) file = sym.file;
        if (f) {
          if (!sym) name = f.name;
          else {
            name = sym.name;
            if (sym.value === f.ranges[0]) f.name = sym.name;
          }
          f.isLinkage = true; // binutils stops searching symbols for this function from now on
        } else if (sym) name = sym.name;
      }
      const frames: SourceFrame[] = [{ functionName: name, file, line, discriminator: disc }];
      if (f && f.tag === DW_TAG_inlined_subroutine) {
        let cur = f;
        while (cur.caller >= 0) {
          const caller = uf.funcs[cur.caller];
          frames.push({ functionName: caller.name, file: t ? filePath(t, cur.callFile, u.compDir) : undefined, line: cur.callLine, discriminator: disc });
          cur = caller;
        }
      }
      return frames;
    }
    const sym = this.findSymbol(sec, pc);
    if (!sym) return undefined;
    return [{ functionName: sym.name, file: sym.file, line: 0, discriminator: 0 }];
  }
}
