// Address → function, file:line and inline chain from an ELF file's DWARF, answering exactly as
// binutils addr2line 2.40 does (bfd/dwarf2.c _bfd_dwarf2_find_nearest_line and
// _bfd_dwarf2_find_inliner_info, bfd/elf.c _bfd_elf_find_function): the same unit choice,
// best-fit function, line row, path formation, symbol-table fallbacks and their quirks.
// Addresses are numbers wrapped to 53 bits (see formats/dwarf/cursor.ts).
import type { ElfFile, ElfSection, ElfSymbolTable } from '../formats/elf/index.js';
import { SHF_ALLOC, STB_LOCAL, STT_FILE, STT_FUNC, STT_NOTYPE, STT_GNU_IFUNC, STV_HIDDEN } from '../formats/elf/index.js';
import { DwarfInfo, type Unit } from '../formats/dwarf/info.js';
import { FormatError } from '../util/errors.js';
import { readLineTable, findRow, filePath, type LineTable } from '../formats/dwarf/line.js';
import { readUnitFunctions, findFunction, resolveFunctionName, type FunctionInfo, type UnitFunctions } from '../formats/dwarf/functions.js';
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

export interface SymbolizerOptions {
  /** DWARF sections to use instead of the ELF file's own (tests of damaged input). */
  sections?: DwarfSections;
  /** Called once per piece of damaged DWARF met; the symbolizer then answers without it. */
  onWarning?: (e: FormatError) => void;
  /**
   * Finds the supplementary file a .gnu_debugaltlink section names (dwz -m), checking its
   * build-id; undefined when it cannot be found (names it holds then print as "??").
   */
  loadSupplementary?: (link: { file: string; buildId: Uint8Array }) => ElfFile | undefined;
}

/** The DWARF sections of an ELF file, decompressed; a section that fails to decompress is skipped and reported. */
function dwarfSections(elf: ElfFile, warn: (e: unknown) => void): DwarfSections {
  const sections: DwarfSections = {};
  for (const n of DWARF_SECTION_NAMES) {
    // Location lists, type units and aranges are never read here: not reading them saves their memory.
    if (n === 'debug_loclists' || n === 'debug_types' || n === 'debug_aranges') continue;
    try {
      const d = elf.sectionDataByName('.' + n);
      if (d) sections[n] = d;
    } catch (e) {
      warn(e);
    }
  }
  return sections;
}

const EMPTY_FUNCTIONS: UnitFunctions = {
  funcs: [], segStart: new Float64Array(0), segFunc: new Int32Array(0),
};

export class DwarfSymbolizer {
  readonly info: DwarfInfo;
  private sections: ElfSection[];
  private secLow: number[] = [];
  private secHigh: number[] = [];
  private lineTables = new Map<number, LineTable | null>();
  private unitFuncs = new Map<number, UnitFunctions>();
  /** Elementary address segments, each with the units whose ranges cover it (in unit order). */
  private unitSegments: Segments;
  private paths = new Map<number, (string | undefined)[]>();
  private rangeless: Unit[] = [];
  private symtab: ElfSymbolTable | undefined;
  private symBySection = new Map<number, { value: Float64Array; idx: Int32Array }>();
  private symFile: (string | undefined)[] = [];

  /** DWARF damage met so far (each also passed to `onWarning`); answers then come from the symbol table. */
  readonly warnings: FormatError[] = [];
  private onWarning: ((e: FormatError) => void) | undefined;

  constructor(readonly elf: ElfFile, options: SymbolizerOptions = {}) {
    this.onWarning = options.onWarning;
    const sections = options.sections ?? dwarfSections(elf, (e) => this.warn(e));
    this.info = new DwarfInfo(sections, elf.name);
    for (const e of this.info.errors) this.warn(e);
    if (options.loadSupplementary) {
      let link: { file: string; buildId: Uint8Array } | undefined;
      try { link = elf.debugAltLink(); } catch (e) { this.warn(e); }
      const altElf = link && options.loadSupplementary(link);
      if (altElf) {
        this.info.alt = new DwarfInfo(dwarfSections(altElf, (e) => this.warn(e)), altElf.name);
        for (const e of this.info.alt.errors) this.warn(e);
      }
    }
    this.sections = elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0);
    for (const s of this.sections) { this.secLow.push(toAddress53(s.addr)); this.secHigh.push(toAddress53(s.addr) + s.size); }
    // Unit index over the units' own ranges; units without ranges are tried last (as binutils does).
    const lows: number[] = [], highs: number[] = [], us: number[] = [];
    for (const u of this.info.units) {
      if (u.unitType === DW_UT_type || u.unitType === DW_UT_split_type) continue;
      if (u.broken) continue;
      if (u.ranges.length === 0) { this.rangeless.push(u); continue; }
      for (let i = 0; i < u.ranges.length; i += 2) { lows.push(u.ranges[i]); highs.push(u.ranges[i + 1]); us.push(u.index); }
    }
    this.unitSegments = buildSegments(lows, highs, us);
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

  private warn(e: unknown): void {
    if (!(e instanceof FormatError)) throw e;
    this.warnings.push(e);
    this.onWarning?.(e);
  }

  /** The unit's line table; a damaged one is remembered as absent (and warned about once). */
  private lineTable(u: Unit): LineTable | undefined {
    if (u.stmtList < 0 || !this.info.sections.debug_line) return undefined;
    let t = this.lineTables.get(u.stmtList);
    if (t === undefined) {
      try {
        t = readLineTable(this.info.sections, u.stmtList, u.addressSize);
      } catch (e) {
        this.warn(e);
        t = null;
      }
      this.lineTables.set(u.stmtList, t);
    }
    return t ?? undefined;
  }

  /** The unit's functions; a damaged DIE tree counts as none (and is warned about once). */
  private functions(u: Unit): UnitFunctions {
    let f = this.unitFuncs.get(u.index);
    if (!f) {
      try {
        f = readUnitFunctions(this.info, u);
      } catch (e) {
        this.warn(e);
        f = EMPTY_FUNCTIONS;
      }
      this.unitFuncs.set(u.index, f);
    }
    return f;
  }

  /**
   * addr2line's answer for `pc` (with -i, every frame of the inline chain; the caller keeps only
   * the first without -i). Undefined when addr2line prints "??" and "??:0".
   */
  findFrames(pc: number): SourceFrame[] | undefined {
    if (!(pc >= 0 && pc < ADDR53)) return undefined;
    const sec = this.sectionFor(pc);
    if (!sec) return undefined;
    const sg = this.unitSegments;
    let lo = 0, hi = sg.start.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (sg.start[mid] <= pc) lo = mid + 1; else hi = mid; }
    if (lo > 0) {
      for (let k = sg.off[lo - 1], e = sg.off[lo]; k < e; k++) {
        const r = this.answerFromUnit(this.info.units[sg.unit[k]], sec, pc);
        if (r) return r;
      }
    }
    for (const u of this.rangeless) {
      const r = this.answerFromUnit(u, sec, pc);
      if (r) return r;
    }
    const sym = this.findSymbol(sec, pc);
    if (!sym) return undefined;
    return [{ functionName: sym.name, file: sym.file, line: 0, discriminator: 0 }];
  }

  /** The function's name from its DIE; damage there leaves it nameless (and is warned about). */
  private resolve(u: Unit, f: FunctionInfo): void {
    if (f.resolved) return;
    try {
      resolveFunctionName(this.info, u, f);
    } catch (e) {
      this.warn(e);
    }
  }

  /** filePath, cached per unit and file index. */
  private path(u: Unit, t: LineTable, index: number): string | undefined {
    let a = this.paths.get(u.index);
    if (!a) this.paths.set(u.index, (a = []));
    if (index >= 0 && index <= t.files.length) {
      let p = a[index];
      if (p === undefined) a[index] = p = filePath(t, index, u.compDir);
      return p;
    }
    return filePath(t, index, u.compDir);
  }

  private answerFromUnit(u: Unit, sec: ElfSection, pc: number): SourceFrame[] | undefined {
    const t = this.lineTable(u);
    const uf = this.functions(u);
    const fi = findFunction(uf, pc);
    const row = t ? findRow(t, pc) : -1;
    if (fi < 0 && row < 0) return undefined;
    let file = row >= 0 ? this.path(u, t!, t!.file[row]) : undefined;
    const line = row >= 0 ? t!.line[row] : 0;
    const disc = row >= 0 ? t!.discriminator[row] : 0;
    let name: string | undefined;
    const f = fi >= 0 ? uf.funcs[fi] : undefined;
    if (f) this.resolve(u, f);
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
        this.resolve(u, caller);
        frames.push({ functionName: caller.name, file: t ? this.path(u, t, cur.callFile) : undefined, line: cur.callLine, discriminator: disc });
        cur = caller;
      }
    }
    return frames;
  }
}

interface Segments {
  /** Start address of each segment; segment k runs to start[k + 1] (the last one is empty). */
  start: Float64Array;
  /** Units covering segment k: unit[off[k] .. off[k + 1]). */
  off: Int32Array;
  unit: Int32Array;
}

/**
 * Cuts the units' ranges into non-overlapping segments, each listing the units that cover it in
 * unit order (the order binutils tries them), so a lookup is one binary search.
 */
function buildSegments(lows: number[], highs: number[], units: number[]): Segments {
  const n = lows.length;
  const ev = new Float64Array(2 * n), evIdx = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) { ev[2 * i] = lows[i]; ev[2 * i + 1] = highs[i]; }
  const order = Array.from({ length: 2 * n }, (_, i) => i).sort((a, b) => ev[a] - ev[b]);
  for (let i = 0; i < order.length; i++) evIdx[i] = order[i];
  const active = new Map<number, number>(); // unit -> number of its ranges covering the point
  const starts: number[] = [], offs: number[] = [0], list: number[] = [];
  for (let i = 0; i < evIdx.length;) {
    const at = ev[evIdx[i]];
    for (; i < evIdx.length && ev[evIdx[i]] === at; i++) {
      const e = evIdx[i], u = units[e >> 1];
      if ((e & 1) === 0) active.set(u, (active.get(u) ?? 0) + 1);
      else { const c = active.get(u)! - 1; if (c === 0) active.delete(u); else active.set(u, c); }
    }
    starts.push(at);
    for (const u of [...active.keys()].sort((a, b) => a - b)) list.push(u);
    offs.push(list.length);
    if (list.length > 1 << 22) {
      // Only hostile files nest thousands of units: then every unit is tried, in unit order.
      const all = [...new Set(units)].sort((a, b) => a - b);
      return { start: Float64Array.of(0, 2 ** 53), off: Int32Array.of(0, all.length, all.length), unit: Int32Array.from(all) };
    }
  }
  return { start: Float64Array.from(starts), off: Int32Array.from(offs), unit: Int32Array.from(list) };
}
