// Sorted address → symbol tables with binary search, following perf's rules (tools/perf/util/symbol.c,
// symbol-elf.c): keep FUNC/GNU_IFUNC symbols and named NOTYPE labels of executable sections; a
// zero-sized symbol ends where the next one (in address, then table order) begins
// (symbols__fixup_end), and only then, at equal start addresses, the best one is kept as
// choose_best_symbol does (sized over zero-sized, non-WEAK over WEAK, GLOBAL over others, fewer
// leading underscores, longer name) — so of zero-sized aliases the last one listed wins, as
// it is the only one with a length; an address at or past a sized symbol's end has no symbol.
//
// Starts and ends are a Float64Array when every address is below 2^53 (all user space), else a
// BigUint64Array (kernel images): lookups never allocate in the first case.
import {
  type ElfFile, type ElfSymbolTable, STT_FUNC, STT_GNU_IFUNC, STT_NOTYPE, STB_GLOBAL, STB_WEAK,
  SHN_ABS, SHF_EXECINSTR, SHN_LORESERVE,
} from '../formats/elf/index.js';

export interface SymbolEntry {
  name: string;
  start: bigint;
  /** Exclusive end. */
  end: bigint;
  /** st_bind, or -1 when unknown (kallsyms, perf maps). */
  bind: number;
}

/** Input row for building an index from any source. */
export interface SymbolRow { name: string; start: bigint; size: number; bind: number }

export class SymbolIndex {
  private constructor(
    private readonly starts: Float64Array | BigUint64Array,
    private readonly ends: Float64Array | BigUint64Array,
    private readonly names: string[],
    private readonly binds: Int8Array,
    /** Decodes names[i] on first use when the builder left it empty (symbol-table.ts). */
    private readonly nameOf?: (i: number) => string,
  ) {}

  get size(): number { return this.names.length; }

  /**
   * An index from final columns: sorted by start, fixed up and deduplicated (symbol-table.ts builds
   * them). A hole in `names` is filled by `nameOf` when first asked for.
   */
  static fromColumns(starts: Float64Array | BigUint64Array, ends: Float64Array | BigUint64Array, names: string[], binds: Int8Array, nameOf?: (i: number) => string): SymbolIndex {
    return new SymbolIndex(starts, ends, names, binds, nameOf);
  }

  /**
   * Builds from rows (any order). `fixupEnd`: zero-sized symbols end at the next start; the last
   * zero-sized one gets `lastEnd` (or stays 1 byte long).
   */
  static fromRows(rows: SymbolRow[], lastEnd?: bigint, extra: SymbolRow[] = []): SymbolIndex {
    // Sort on (high, low) 32-bit halves (BigInt comparisons in the comparator cost seconds on big
    // tables); ties keep input order (symbol table / kallsyms order), the in-order order of perf's
    // rbtree, which inserts an equal start to the right.
    const hi = new Float64Array(rows.length), lo = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) { const s = rows[i].start; hi[i] = Number(s >> 32n); lo[i] = Number(s & 0xffffffffn); }
    const order = Array.from(rows.keys()).sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b] || a - b);
    rows = order.map((i) => rows[i]);
    // symbols__fixup_end runs before symbols__fixup_duplicate (dso__load_sym, __dso__load_kallsyms):
    // a zero-sized symbol ends where the next one in order begins, so of several zero-sized
    // symbols at one address only the last gets a length, and choose_best_symbol prefers it.
    const m = rows.length;
    const endOf: bigint[] = new Array(m);
    for (let i = 0; i < m; i++) {
      const r = rows[i];
      if (r.size > 0) endOf[i] = r.start + BigInt(r.size);
      else if (i + 1 < m) endOf[i] = rows[i + 1].start;
      else endOf[i] = lastEnd !== undefined && lastEnd > r.start ? lastEnd : r.start + 1n;
    }
    // symbols__fixup_duplicate: one symbol per start address, the best one.
    const kept: number[] = [];
    const sized = (i: number): SymbolRow => ({ ...rows[i], size: Number(endOf[i] - rows[i].start) });
    let best: SymbolRow | undefined;
    for (let i = 0; i < m; i++) {
      const prev = kept[kept.length - 1];
      if (prev !== undefined && rows[prev].start === rows[i].start) {
        best ??= sized(prev);
        const cand = sized(i);
        if (chooseBest(best, cand) === cand) { kept[kept.length - 1] = i; best = cand; }
      } else { kept.push(i); best = undefined; }
    }
    // Final [start, end) of the kept symbols; then `extra` (sized, e.g. PLT entries), added after
    // the fixups as perf adds them, skipped where a kept symbol starts at the same address.
    type Final = { name: string; start: bigint; end: bigint; bind: number };
    let fin: Final[] = kept.map((i, k) => {
      const r = rows[i];
      let end = endOf[i];
      if (end === r.start) end = k + 1 < kept.length ? rows[kept[k + 1]].start : lastEnd !== undefined && lastEnd > r.start ? lastEnd : r.start + 1n;
      return { name: r.name, start: r.start, end, bind: r.bind };
    });
    if (extra.length) {
      const have = new Set(fin.map((x) => x.start));
      const add = extra.filter((x) => x.size > 0 && !have.has(x.start)).map((x) => ({ name: x.name, start: x.start, end: x.start + BigInt(x.size), bind: x.bind }));
      fin = fin.concat(add).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    }
    const n = fin.length;
    let big = false;
    for (const x of fin) if (x.end >= 1n << 53n) { big = true; break; }
    const starts = big ? new BigUint64Array(n) : new Float64Array(n);
    const ends = big ? new BigUint64Array(n) : new Float64Array(n);
    const names = new Array<string>(n), binds = new Int8Array(n);
    for (let k = 0; k < n; k++) {
      const r = fin[k], end = r.end;
      if (big) { (starts as BigUint64Array)[k] = r.start; (ends as BigUint64Array)[k] = end; }
      else { (starts as Float64Array)[k] = Number(r.start); (ends as Float64Array)[k] = Number(end); }
      names[k] = r.name;
      binds[k] = r.bind;
    }
    return new SymbolIndex(starts, ends, names, binds);
  }

  /**
   * Index of the symbol containing `address`, or -1. With `nearest`, the closest symbol starting at
   * or below the address even past its end, as addr2line does for the alignment padding between
   * functions (binutils' symbol-table fallback); perf (the default) says "no symbol" there.
   */
  findIndex(address: number | bigint, nearest = false): number {
    const s = this.starts, e = this.ends;
    let lo = 0, hi = this.names.length - 1, at = -1;
    if (s instanceof Float64Array) {
      const a = typeof address === 'bigint' ? Number(address) : address;
      while (lo <= hi) { const mid = (lo + hi) >>> 1; if (s[mid] <= a) { at = mid; lo = mid + 1; } else hi = mid - 1; }
      return at >= 0 && (nearest || a < (e as Float64Array)[at]) ? at : -1;
    }
    const a = typeof address === 'bigint' ? address : BigInt(address);
    const bs = s as BigUint64Array;
    while (lo <= hi) { const mid = (lo + hi) >>> 1; if (bs[mid] <= a) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    return at >= 0 && (nearest || a < (e as BigUint64Array)[at]) ? at : -1;
  }

  find(address: number | bigint, nearest = false): SymbolEntry | undefined {
    const i = this.findIndex(address, nearest);
    return i < 0 ? undefined : this.entry(i);
  }

  entry(i: number): SymbolEntry {
    return { name: this.name(i), start: BigInt(this.starts[i]), end: BigInt(this.ends[i]), bind: this.binds[i] };
  }

  name(i: number): string { return this.names[i] ?? (this.names[i] = this.nameOf!(i)); }
}

function leadingUnderscores(s: string): number { let i = 0; while (s.charCodeAt(i) === 95) i++; return i; }

/** perf's choose_best_symbol (tools/perf/util/symbol.c): returns the row to keep. */
export function chooseBest(a: SymbolRow, b: SymbolRow): SymbolRow {
  if (b.size === 0 && a.size > 0) return a;
  if (a.size === 0 && b.size > 0) return b;
  const aw = a.bind === STB_WEAK, bw = b.bind === STB_WEAK;
  if (bw && !aw) return a;
  if (aw && !bw) return b;
  const ag = a.bind === STB_GLOBAL, bg = b.bind === STB_GLOBAL;
  if (ag && !bg) return a;
  if (bg && !ag) return b;
  const au = leadingUnderscores(a.name), bu = leadingUnderscores(b.name);
  if (bu > au) return a;
  if (au > bu) return b;
  if (a.name.length > b.name.length) return a;
  if (a.name.length < b.name.length) return b;
  return a;
}

/**
 * The function symbols of an ELF symbol table as rows: FUNC and GNU_IFUNC with a name in a real
 * section, and named NOTYPE labels in executable sections (perf's elf_sym__is_function / is_label).
 * `sectionsFrom` gives section flags (the binary's, when the table comes from a debug file whose
 * sections are NOBITS copies with the same flags).
 */
export function functionRows(table: ElfSymbolTable, sectionsFrom: ElfFile): SymbolRow[] {
  const rows: SymbolRow[] = [];
  for (let i = 0; i < table.count; i++) {
    const type = table.type(i), shndx = table.shndx[i];
    if (shndx === 0 || table.nameOffset[i] === 0) continue;
    if (type === STT_FUNC || type === STT_GNU_IFUNC) {
      if (shndx >= SHN_LORESERVE && shndx !== SHN_ABS) continue;
    } else if (type === STT_NOTYPE) {
      if (shndx >= SHN_LORESERVE) continue;
      const sec = sectionsFrom.sections[shndx];
      if (!sec || !(sec.flags & SHF_EXECINSTR)) continue;
      const name = table.name(i);
      if (name.startsWith('.L') || name.startsWith('$')) continue; // local labels, ARM mapping symbols
    } else continue;
    rows.push({ name: table.name(i), start: table.value(i), size: table.size[i], bind: table.bind(i) });
  }
  return rows;
}

/**
 * perf's dso__synthesize_plt_symbols (perf 6.1, symbol-elf.c): one "NAME@plt" symbol per
 * .rela.plt entry, the entry's .dynsym name (undemangled here; "" for IRELATIVE slots), at
 * .plt + (i + 1) * sh_entsize (entry 0 is the PLT header), sh_entsize long. ELF64 RELA only.
 *
 *   Elf64_Rela { u64 r_offset; u64 r_info (symbol index << 32 | type); s64 r_addend }   24 bytes
 */
export function pltRows(elf: ElfFile): SymbolRow[] {
  if (elf.header.bits !== 64) return [];
  const plt = elf.findSection('.plt'), rela = elf.findSection('.rela.plt');
  const dyn = elf.dynsym();
  if (!plt || !rela || !dyn || !plt.entsize || rela.type !== 4 /* SHT_RELA */) return [];
  const data = elf.sectionData(rela);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.header.littleEndian;
  const rows: SymbolRow[] = [];
  for (let i = 0, off = 0; off + 24 <= data.byteLength; i++, off += 24) {
    const symIdx = le ? v.getUint32(off + 12, true) : v.getUint32(off + 8, false);
    const name = symIdx > 0 && symIdx < dyn.count ? dyn.name(symIdx) : '';
    rows.push({ name: `${name}@plt`, start: plt.addr + BigInt((i + 1) * plt.entsize), size: plt.entsize, bind: STB_GLOBAL });
  }
  return rows;
}
