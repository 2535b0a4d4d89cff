// Sorted address → symbol tables, following perf's rules (tools/perf/util/symbol.c, symbol-elf.c).
// Two builders:
//  - fromPerfPasses (perf-compatible outputs: report/script/flame): perf 6.1's own symbol set
//    (perfSymbolColumnsOf: FUNC/IFUNC/OBJECT and non-hidden NOTYPE labels in text/data sections), the
//    .symtab pass then the .dynsym pass each followed by symbols__fixup_end and
//    symbols__fixup_duplicate, PLT entries last, and lookups descending perf's red-black tree, so
//    that overlapping symbols (a label inside a sized FUNC) resolve as perf's symbols__find does.
//  - fromRows (addr2line mode, kallsyms): FUNC/GNU_IFUNC symbols and named NOTYPE labels of
//    executable sections (functionRows); a zero-sized symbol ends where the next one (in address,
//    then table order) begins (symbols__fixup_end), and only then, at equal start addresses, the
//    best one is kept as choose_best_symbol does (sized over zero-sized, non-WEAK over WEAK, GLOBAL
//    over others, fewer leading underscores, longer name) — so of zero-sized aliases the last one
//    listed wins, as it is the only one with a length; binary search, no overlaps considered.
// In both, an address at or past a sized symbol's end has no symbol (addr2line mode: the nearest).
//
// Starts and ends are a Float64Array when every address is below 2^53 (all user space), else a
// BigUint64Array (kernel images): lookups never allocate in the first case.
import {
  type ElfFile, type ElfSymbolTable, pickSymbols, keepsSymbol, symbolTableCount, symbolNamesOf, symbolNameOffsets, STT_FUNC, STT_GNU_IFUNC, STT_NOTYPE, STB_GLOBAL, STB_WEAK,
  SHN_ABS, SHF_EXECINSTR, SHN_LORESERVE, SHF_ALLOC, SHT_NOBITS, SHT_DYNSYM,
} from '../formats/elf/index.js';
import type { SymbolColumns } from './symbol-table.js';

export interface SymbolEntry {
  name: string;
  start: bigint;
  /** Exclusive end. */
  end: bigint;
  /** st_bind, or -1 when unknown (kallsyms, perf maps). */
  bind: number;
}

/**
 * The form of a name choose_best_symbol compares (perf's demangled one). `sameRank`, when given,
 * says without that form that two names (ASCII bytes) rank as equals with the first kept
 * (symbols/demangle.ts Demangler.sameRank); `sameText`, that b's form is a's.
 */
export type RankName = ((name: string) => string) & {
  sameRank?: (a: Uint8Array, b: Uint8Array) => boolean;
  /** True when b's form is a's (Demangler.sameText). */
  sameText?: (a: string, b: string) => boolean;
  /** True when the two rank as equals with a kept, without a's form (Demangler.sameRankText). */
  sameRankText?: (a: string, b: string) => boolean;
};

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
    if ((this.pm || this.tree) && !nearest) return this.perfFind(address);
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

  /** symbols__find: the first symbol on the descent path whose [start, end) holds the address. */
  private descend(address: number | bigint): number {
    const { left, right } = this.tree!;
    let n = this.tree!.root;
    if (this.starts instanceof Float64Array) {
      const s = this.starts, e = this.ends as Float64Array;
      const a = typeof address === 'bigint' ? Number(address) : address;
      while (n !== -1) {
        if (a < s[n]) n = left[n];
        else if (a > e[n] || (a === e[n] && a !== s[n])) n = right[n];
        else return n;
      }
      return -1;
    }
    const s = this.starts, e = this.ends as BigUint64Array;
    const a = typeof address === 'bigint' ? address : BigInt(address);
    while (n !== -1) {
      if (a < s[n]) n = left[n];
      else if (a > e[n] || (a === e[n] && a !== s[n])) n = right[n];
      else return n;
    }
    return -1;
  }

  /**
   * The index perf 6.1 builds for a user-space DSO (symbol-elf.c dso__load_sym, symbol.c): each
   * pass (the .symtab rows, then the .dynsym rows of the same file, see perfSymbolColumns) inserted
   * in table order then symbols__fixup_end and symbols__fixup_duplicate, then `extra` (PLT
   * entries, dso__synthesize_plt_symbols) inserted without fixups. Lookups answer as a descent of
   * perf's red-black tree does, so overlapping symbols resolve as in perf.
   */
  static fromPerfPasses(passes: SymbolRow[][], extra: SymbolRow[] = [], rankName?: RankName): SymbolIndex {
    return SymbolIndex.fromPerfColumns(passes.map(rowsToPass), extra, { rankName });
  }

  /**
   * fromPerfPasses over columns (perfSymbolColumns), names decoded when a lookup returns them. The
   * tree's in-order sequence (what survives the fixups, sorted by start) is computed with sorted
   * merges; the tree itself is built only when a lookup lands where symbols overlap (see
   * PerfLookup). `eagerTree` builds it at once and always descends it (tests compare the two).
   * `rankName` gives the form of a name that choose_best_symbol compares for aliases at one address
   * (perf's names are demangled by then); the index keeps the names as the passes give them.
   * Aliases that only their names tell apart are compared when a lookup returns one of them
   * (PerfNodes.defer); `eagerAliases` compares them all at once (tests compare the two).
   */
  static fromPerfColumns(passes: PerfPass[], extra: SymbolRow[] = [], opts: { eagerTree?: boolean; eagerAliases?: boolean; rankName?: RankName } = {}): SymbolIndex {
    const eagerTree = opts.eagerTree ?? false;
    const nodes = new PerfNodes(passes, extra, opts.rankName, opts.eagerAliases);
    if (nodes.big) {
      const t = nodes.tree();
      const seq = new Int32Array(t.count), S = new BigUint64Array(t.count), E = new BigUint64Array(t.count);
      let n = 0;
      for (let x = t.first(); x !== -1; x = t.next(x), n++) {
        seq[n] = t.idAt[x];
        S[n] = (t.start as BigUint64Array)[x]; E[n] = (t.end as BigUint64Array)[x];
      }
      return nodes.index(seq.subarray(0, n), S.subarray(0, n), E.subarray(0, n), (ix) => ix.attachTree(nodes, t, seq.subarray(0, n)));
    }
    const [seq, starts, ends] = nodes.inOrder();
    return nodes.index(seq, starts.slice(), ends.slice(), (ix) => {
      if (eagerTree) ix.attachTree(nodes, nodes.treeFor(seq), seq);
      else ix.lazyTree(nodes, seq);
    });
  }

  // perf-mode lookup state (fromPerfColumns): the prefix maximum of ends, and perf's tree (children
  // as indexes into the arrays above, in-order ranks, -1 for none) once built.
  private pm?: Float64Array;
  private tree?: { left: Int32Array; right: Int32Array; root: number };
  private makeTree?: () => void;

  private attachTree(nodes: PerfNodes, t: PerfSymbolTree, seq: Int32Array): void {
    const n = seq.length;
    // The tree may keep another alias of an open group than the sequence does (PerfNodes.treeFor):
    // the same start, end and binding, so ranks go by the tree's own in-order walk.
    // Tree nodes are positions (PerfSymbolTree.t); ranks by position.
    const rank = new Int32Array(nodes.total).fill(-1), ids = t.idAt;
    let k = 0;
    for (let x = t.first(); x !== -1; x = t.next(x), k++) {
      // The tree's in-order sequence is the one computed by merges (PerfNodes.inOrder).
      if (k >= n || !nodes.sameSymbol(ids[x], seq[k])) throw new Error('perf symbol tree: in-order sequence differs from the merged one');
      rank[x] = k;
    }
    if (k !== n) throw new Error('perf symbol tree: in-order sequence differs from the merged one');
    const left = new Int32Array(n), right = new Int32Array(n);
    k = 0;
    for (let x = t.first(); x !== -1; x = t.next(x), k++) {
      const l = t.left(x), r = t.right(x);
      left[k] = l === -1 ? -1 : rank[l];
      right[k] = r === -1 ? -1 : rank[r];
    }
    this.tree = { left, right, root: t.root === -1 ? -1 : rank[t.root] };
    this.makeTree = undefined;
    nodes.dropTreeInputs();
  }

  private lazyTree(nodes: PerfNodes, seq: Int32Array): void {
    const s = this.starts as Float64Array, e = this.ends as Float64Array, n = s.length;
    const pm = new Float64Array(n);
    let m = -Infinity;
    for (let k = 0; k < n; k++) { const x = e[k] > s[k] ? e[k] : s[k] + 1; if (x > m) m = x; pm[k] = m; }
    this.pm = pm;
    this.makeTree = () => this.attachTree(nodes, nodes.treeFor(seq), seq);
  }

  /**
   * symbols__find. With k the last symbol starting at or below the address: when every symbol
   * before k ends at or below the address, none of them holds it and the descent of any tree
   * with this in-order sequence steps right past them and left past the later ones, so k is the
   * answer if it holds the address, else there is none. Otherwise (overlaps) descend perf's tree.
   */
  private perfFind(address: number | bigint): number {
    const pm = this.pm;
    if (!pm) return this.descend(address);
    const s = this.starts as Float64Array, e = this.ends as Float64Array;
    const a = typeof address === 'bigint' ? Number(address) : address;
    let lo = 0, hi = s.length - 1, k = -1;
    while (lo <= hi) { const mid = (lo + hi) >>> 1; if (s[mid] <= a) { k = mid; lo = mid + 1; } else hi = mid - 1; }
    if (k < 0) return -1;
    if (k === 0 || pm[k - 1] <= a) return a < e[k] || (a === s[k] && a === e[k]) ? k : -1;
    if (!this.tree) this.makeTree!();
    return this.descend(a);
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

/** End minus start at `i`: subtracted before the conversion (two u64 near 2^64 as doubles lose the low bits). */
function sizeAt(S: Float64Array | BigUint64Array, E: Float64Array | BigUint64Array, i: number): number {
  return S instanceof BigUint64Array ? Number((E as BigUint64Array)[i] - S[i]) : (E as Float64Array)[i] - S[i];
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
  // arch__choose_best_symbol (the __weak default x86 uses): avoid "SyS" syscall aliases.
  if (a.name.startsWith('SyS') || a.name.startsWith('compat_SyS')) return b;
  return a;
}

/**
 * Whether entry i of an ELF symbol table is a function symbol for lookups: FUNC/IFUNC with a
 * section (or ABS), or a NOTYPE label in an executable section that is not a local label.
 */
export function isFunctionSymbol(table: ElfSymbolTable, i: number, sectionsFrom: ElfFile): boolean {
  const type = table.info[i] & 0xf, shndx = table.shndx[i];
  if (shndx === 0 || table.nameOffset[i] === 0) return false;
  if (type === STT_FUNC || type === STT_GNU_IFUNC) return shndx < SHN_LORESERVE || shndx === SHN_ABS;
  if (type !== STT_NOTYPE || shndx >= SHN_LORESERVE) return false;
  const sec = sectionsFrom.sections[shndx];
  if (!sec || !(sec.flags & SHF_EXECINSTR)) return false;
  const name = table.name(i);
  return !name.startsWith('.L') && !name.startsWith('$'); // local labels, ARM mapping symbols
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
    if (!isFunctionSymbol(table, i, sectionsFrom)) continue;
    rows.push({ name: table.name(i), start: table.value(i), size: table.size[i], bind: table.bind(i) });
  }
  return rows;
}

/**
 * Per section index of `syms` what it may hold (elf_sec__filter, decided once per section): 0
 * nothing (no section header, not SHF_ALLOC, reserved indexes: ABS, COMMON...), 1 FUNC/IFUNC/OBJECT
 * symbols, 3 also labels (a section name holding "text" or "data"; `runtime`'s header for a NOBITS copy).
 */
function sectionClasses(syms: ElfFile, runtime: ElfFile): Uint8Array {
  const secs = syms.sections, nsec = Math.min(secs.length, SHN_LORESERVE);
  const holds = new Uint8Array(nsec);
  for (let x = 1; x < nsec; x++) {
    let sec = secs[x];
    if (!sec || !(sec.flags & SHF_ALLOC)) continue;
    if (sec.type === SHT_NOBITS && runtime !== syms) sec = runtime.sections[x];
    if (!sec) continue;
    holds[x] = sec.name.includes('text') || sec.name.includes('data') ? 3 : 1;
  }
  return holds;
}

/**
 * perfSymbolColumns of `syms`' first symbol table of `type` (SHT_SYMTAB, SHT_DYNSYM) when it has
 * more than one entry (dso__load_sym's pass), else undefined: read in one pass from the table's
 * bytes (pickSymbols) when its layout allows, without decoding every row's columns first.
 */
export function perfSymbolColumnsOf(syms: ElfFile, type: number, runtime: ElfFile = syms): PerfPass | undefined {
  const input = syms.symbolTableInput(type);
  if (!input || symbolTableCount(input) <= 1) return undefined;
  const p = pickSymbols(input, sectionClasses(syms, runtime));
  if (!p) return perfSymbolColumns(type === SHT_DYNSYM ? syms.dynsym()! : syms.symtab()!, syms, runtime);
  const strings = p.strings, nameOff = p.nameOffset;
  return {
    count: p.count, hi: p.valueHi, lo: p.valueLo, size: p.size, bind: p.bind, big: p.big,
    name: (k) => strings.name(nameOff[k]), asciiName: (k) => strings.ascii(nameOff[k]),
  };
}

/**
 * The rows perf 6.1 takes from one symbol table of `syms` (symbol-elf.c dso__load_sym_internal):
 * FUNC, GNU_IFUNC and OBJECT symbols with a name in a section (elf_sym__filter), and NOTYPE labels
 * with a name, not ABS, not HIDDEN or INTERNAL (elf_sym__is_label) in a section whose name holds
 * "text" or "data" (elf_sec__filter; `runtime`'s section header when `syms` has a NOBITS copy, as
 * a separate debug file does); never SHN_ABS, never a section without SHF_ALLOC. Table order
 * kept: it shapes perf's tree (SymbolIndex.fromPerfPasses). As columns (a PerfPass), names
 * decoded when asked (their bounds are checked here).
 */
export function perfSymbolColumns(table: ElfSymbolTable, syms: ElfFile, runtime: ElfFile = syms): PerfPass {
  const pick = new Uint32Array(table.count + 1);
  const info = table.info, other = table.other, shndxs = table.shndx, nameOffset = table.nameOffset;
  const holds = sectionClasses(syms, runtime);
  // The two loops are separate functions (see PerfNodes.inOrder).
  const n = pickPerfRows(info, other, shndxs, nameOffset, holds, pick);
  // A name that would not decode throws its FormatError now, as eager decoding did, not at lookup
  // (pick[n] is the largest st_name picked).
  if (n > 0 && nameOffset[pick[n]] > table.lastNameOffset()) table.checkNames(pick.subarray(0, n));
  const hi = new Uint32Array(n), lo = new Uint32Array(n), size = new Float64Array(n), bind = new Int8Array(n);
  // Names through the string table alone: the symbol columns are not kept alive by the index.
  const nameOff = new Uint32Array(n);
  const big = copyPicked(pick.subarray(0, n), table, hi, lo, size, bind, nameOff);
  const strings = table.stringTable();
  return { count: n, hi, lo, size, bind, big, name: (k) => strings.name(nameOff[k]), asciiName: (k) => strings.ascii(nameOff[k]) };
}

/** perfSymbolColumns' filter: the picked rows into `pick`, their count n returned, and in pick[n] the row of the largest st_name picked. */
function pickPerfRows(info: Uint8Array, other: Uint8Array, shndxs: Uint32Array, nameOffset: Uint32Array, holds: Uint8Array, pick: Uint32Array): number {
  const nsec = holds.length;
  let n = 0, maxAt = -1;
  for (let i = 0; i < info.length; i++) {
    const shndx = shndxs[i];
    const h = shndx < nsec ? holds[shndx] : 0;
    if (!keepsSymbol(h, nameOffset[i], info[i], other[i])) continue;
    if (maxAt < 0 || nameOffset[i] > nameOffset[maxAt]) maxAt = i;
    pick[n++] = i;
  }
  pick[n] = maxAt < 0 ? 0 : maxAt; // pick has a slot past the table's rows
  return n;
}

/** perfSymbolColumns' copy of the picked rows: whether some start + size + 8192 reaches 2^53 (PerfNodes.big). */
function copyPicked(pick: Uint32Array, table: ElfSymbolTable, hi: Uint32Array, lo: Uint32Array, size: Float64Array, bind: Int8Array, nameOff: Uint32Array): boolean {
  const vHi = table.valueHi, vLo = table.valueLo, tSize = table.size, info = table.info, nameOffset = table.nameOffset;
  let big = false;
  for (let k = 0; k < pick.length; k++) {
    const i = pick[k];
    const h = vHi[i], l = vLo[i], z = tSize[i];
    hi[k] = h; lo[k] = l; size[k] = z; bind[k] = info[i] >> 4; nameOff[k] = nameOffset[i];
    if (h * TWO32 + l + z + 8192 >= TWO53) big = true;
  }
  return big;
}

/**
 * perf's dso__synthesize_plt_symbols (perf 6.1, symbol-elf.c): one "NAME@plt" symbol per
 * .rela.plt entry, the entry's .dynsym name (undemangled here; "" for IRELATIVE slots), at
 * .plt + (i + 1) * sh_entsize (entry 0 is the PLT header), sh_entsize long. ELF64 RELA only.
 * `dynsym`: `elf`'s .dynsym when already read, or the file to read it from, from another file
 * holding the same one (sameDynsym). Names are decoded when first asked for; one that would not
 * decode throws its FormatError here (either way), as eager decoding did.
 *
 *   Elf64_Rela { u64 r_offset; u64 r_info (symbol index << 32 | type); s64 r_addend }   24 bytes
 */
export function pltRows(elf: ElfFile, dynsym?: ElfSymbolTable | ElfFile): SymbolRow[] {
  if (elf.header.bits !== 64) return [];
  const plt = elf.findSection('.plt'), rela = elf.findSection('.rela.plt');
  const table = dynsym === undefined || isElfFile(dynsym) ? undefined : dynsym;
  const input = table ? undefined : ((dynsym as ElfFile | undefined) ?? elf).symbolTableInput(SHT_DYNSYM);
  const count = table ? table.count : input ? symbolTableCount(input) : 0;
  if (!plt || !rela || !(table || input) || !plt.entsize || rela.type !== 4 /* SHT_RELA */) return [];
  const data = elf.sectionData(rela);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.header.littleEndian;
  const n = Math.floor(data.byteLength / 24);
  const idx = new Uint32Array(n);
  for (let i = 0, off = 0; i < n; i++, off += 24) idx[i] = le ? v.getUint32(off + 12, true) : v.getUint32(off + 8, false);
  let nameOf: (i: number) => string; // entry i's symbol name
  if (table) {
    for (let i = 0; i < n; i++) if (idx[i] > 0 && idx[i] < count) table.checkName(idx[i]);
    nameOf = (i) => table.name(idx[i]);
  } else {
    // st_name of each entry's symbol read now: the names keep the string table alive, not the symbols'.
    const offs = symbolNameOffsets(input!), names = symbolNamesOf(input!), lastNul = input!.strings.lastIndexOf(0);
    const nameOff = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      if (!(idx[i] > 0 && idx[i] < count)) continue;
      nameOff[i] = offs(idx[i]);
      // a name that would not decode: the table's own decoder throws its error
      if (nameOff[i] > lastNul) ((dynsym as ElfFile | undefined) ?? elf).dynsym()!.name(idx[i]);
    }
    nameOf = (i) => names.name(nameOff[i]);
  }
  const rows: SymbolRow[] = [];
  for (let i = 0; i < n; i++) {
    const symIdx = idx[i];
    let name: string | undefined = symIdx > 0 && symIdx < count ? undefined : '@plt';
    rows.push({
      get name() { return name ??= `${nameOf(i)}@plt`; },
      start: plt.addr + BigInt((i + 1) * plt.entsize), size: plt.entsize, bind: STB_GLOBAL,
    });
  }
  return rows;
}

function isElfFile(x: ElfSymbolTable | ElfFile): x is ElfFile { return 'symbolTableInput' in x; }

/**
 * Whether `other` (a debug file or build-id cache copy of `elf`) holds the same .dynsym and .dynstr
 * as `elf`: one build-id and the same section headers, not NOBITS. The linker's build-id covers
 * both sections and strip/objcopy never rewrite allocated ones, so their bytes are the same.
 */
export function sameDynsym(elf: ElfFile, other: ElfFile): boolean {
  const id = elf.buildIdHex();
  if (id === undefined || other.buildIdHex() !== id) return false;
  const same = (a: ElfFile['sections'][number] | undefined, b: ElfFile['sections'][number] | undefined) =>
    a !== undefined && b !== undefined && a.type !== SHT_NOBITS && a.type === b.type && a.addr === b.addr && a.offset === b.offset &&
    a.size === b.size && a.entsize === b.entsize && a.name === b.name && a.flags === b.flags;
  const a = elf.sections.find((x) => x.type === SHT_DYNSYM), b = other.sections.find((x) => x.type === SHT_DYNSYM);
  return same(a, b) && a!.link === b!.link && same(elf.sections[a!.link], other.sections[b!.link]);
}

// ---- perf's symbol rb-tree -------------------------------------------------------------------
//
// perf 6.1 keeps a DSO's symbols in a red-black tree keyed on start (tools/perf/util/symbol.c:
// __symbols__insert puts an equal start to the right) and finds an address by descending it
// (symbols__find: left when ip < start, right when ip >= end unless ip == start == end, else this
// symbol). When symbols overlap — a NOTYPE label inside a sized FUNC, whose end symbols__fixup_end
// set to the next symbol's start — the answer is the first overlapping symbol on the descent path,
// so it depends on the tree's shape. The shape is reproduced here: the same insertions in the same
// order (symbol-table order, .symtab pass then .dynsym pass, then PLT entries), the same fixups
// after each pass, and the red-black insert/erase rebalancing of the kernel's lib/rbtree.c (the
// CLRS algorithms: same successor on erase, same rotations). Built once per DSO; lookups then
// descend the same tree in arrays.

class PerfSymbolTree {
  /**
   * Nodes by position (their rank by start, then insertion order): per position p, its left child,
   * right child, parent and colour (1 red) at 4p, 4p+1, 4p+2, 4p+3; -1 for none. As a node inserted
   * at an equal start goes right of those present, which were inserted before it, the tree's key
   * comparison (start, then insertion order) is the comparison of positions: the descent reads no
   * key, one record per level, and in-order neighbours are memory neighbours.
   */
  readonly t: Int32Array;
  /** Per position, its node (PerfNodes' id). */
  readonly idAt: Int32Array;
  /** Per node, its position. */
  private readonly pos: Int32Array;
  /**
   * Per position, whether its node is in the tree (bit p % 32 of word p >> 5): the nodes present
   * are found by position without descending, as in-order neighbours are position neighbours.
   */
  private readonly present: Int32Array;
  /** Per position, the first position of its start: equal starts, equal values. */
  private readonly grp: Int32Array;
  /** Per position, start and end, kept only when the tree fixes ends up itself (no inOrder answers: big nodes). */
  readonly start?: Float64Array | BigUint64Array;
  readonly end?: Float64Array | BigUint64Array;
  root = -1;
  count = 0;

  /** Tree nodes are positions in `idAt`, PerfNodes' ids sorted by (start, id); inserted in id order. */
  constructor(private readonly nodes: PerfNodes, idAt: Int32Array, withEnds: boolean) {
    const n = nodes.total, big = nodes.big;
    this.t = new Int32Array(n * 4);
    this.present = new Int32Array((n + 31) >>> 5);
    this.idAt = idAt;
    const pos = this.pos = new Int32Array(n), grp = this.grp = new Int32Array(n);
    const hi = nodes.hi, lo = nodes.lo;
    for (let p = 0; p < n; p++) {
      const x = idAt[p];
      pos[x] = p;
      const y = p > 0 ? idAt[p - 1] : -1;
      grp[p] = y >= 0 && hi[x] === hi[y] && lo[x] === lo[y] ? grp[p - 1] : p;
    }
    if (withEnds) {
      const S = this.start = big ? new BigUint64Array(n) : new Float64Array(n);
      const E = this.end = big ? new BigUint64Array(n) : new Float64Array(n);
      const size = nodes.size;
      for (let p = 0; p < n; p++) {
        const x = idAt[p];
        // symbol__new: end = start + size, or start when the size is 0.
        if (big) { const st = (BigInt(hi[x]) << 32n) | BigInt(lo[x]); (S as BigUint64Array)[p] = st; (E as BigUint64Array)[p] = st + BigInt(size[x]); }
        else { const st = hi[x] * TWO32 + lo[x]; S[p] = st; E[p] = st + size[x]; }
      }
    }
  }

  /**
   * __symbols__insert of the next node. Its descent ends below its in-order predecessor among the
   * nodes present, as that one's right child when it has none, else below its successor (then in
   * the predecessor's right subtree, with no left child; the minimum's left child when there is no
   * predecessor): the two are found by position.
   */
  insert(): number {
    const z = this.pos[this.count++];
    const T = this.t;
    let y = this.prevPresent(z), side = 1;
    if (y === -1 || T[(y << 2) + 1] !== -1) { y = this.nextPresent(z); side = 0; }
    this.present[z >>> 5] |= 1 << (z & 31);
    const b = z << 2;
    T[b] = -1; T[b + 1] = -1; T[b + 2] = y; T[b + 3] = 1;
    if (y === -1) this.root = z; else T[(y << 2) + side] = z;
    this.insertFixup(z);
    return z;
  }

  private rotateLeft(x: number): void {
    const T = this.t, xb = x << 2;
    const y = T[xb + 1], yb = y << 2;
    const yl = T[yb];
    T[xb + 1] = yl; if (yl !== -1) T[(yl << 2) + 2] = x;
    const p = T[xb + 2];
    T[yb + 2] = p;
    if (p === -1) this.root = y; else if (x === T[p << 2]) T[p << 2] = y; else T[(p << 2) + 1] = y;
    T[yb] = x; T[xb + 2] = y;
  }

  private rotateRight(x: number): void {
    const T = this.t, xb = x << 2;
    const y = T[xb], yb = y << 2;
    const yr = T[yb + 1];
    T[xb] = yr; if (yr !== -1) T[(yr << 2) + 2] = x;
    const p = T[xb + 2];
    T[yb + 2] = p;
    if (p === -1) this.root = y; else if (x === T[(p << 2) + 1]) T[(p << 2) + 1] = y; else T[p << 2] = y;
    T[yb + 1] = x; T[xb + 2] = y;
  }

  private insertFixup(z: number): void {
    const T = this.t;
    for (let p = T[(z << 2) + 2]; p !== -1 && T[(p << 2) + 3]; p = T[(z << 2) + 2]) {
      const g = T[(p << 2) + 2], gb = g << 2;
      if (p === T[gb]) {
        const u = T[gb + 1];
        if (u !== -1 && T[(u << 2) + 3]) { T[(p << 2) + 3] = 0; T[(u << 2) + 3] = 0; T[gb + 3] = 1; z = g; continue; }
        if (z === T[(p << 2) + 1]) { z = p; this.rotateLeft(z); p = T[(z << 2) + 2]; }
        T[(p << 2) + 3] = 0; T[gb + 3] = 1; this.rotateRight(g);
      } else {
        const u = T[gb];
        if (u !== -1 && T[(u << 2) + 3]) { T[(p << 2) + 3] = 0; T[(u << 2) + 3] = 0; T[gb + 3] = 1; z = g; continue; }
        if (z === T[p << 2]) { z = p; this.rotateRight(z); p = T[(z << 2) + 2]; }
        T[(p << 2) + 3] = 0; T[gb + 3] = 1; this.rotateLeft(g);
      }
    }
    T[(this.root << 2) + 3] = 0;
  }

  private transplant(u: number, v: number): void {
    const T = this.t, p = T[(u << 2) + 2];
    if (p === -1) this.root = v; else if (u === T[p << 2]) T[p << 2] = v; else T[(p << 2) + 1] = v;
    if (v !== -1) T[(v << 2) + 2] = p;
  }

  /** rb_erase: the node's in-order successor takes its place and colour when it has two children. */
  erase(z: number): void {
    this.present[z >>> 5] &= ~(1 << (z & 31));
    const T = this.t, zb = z << 2;
    let yRed = T[zb + 3], x: number, xp: number;
    if (T[zb] === -1) { x = T[zb + 1]; xp = T[zb + 2]; this.transplant(z, x); }
    else if (T[zb + 1] === -1) { x = T[zb]; xp = T[zb + 2]; this.transplant(z, x); }
    else {
      let y = T[zb + 1];
      while (T[y << 2] !== -1) y = T[y << 2];
      const yb = y << 2;
      yRed = T[yb + 3]; x = T[yb + 1];
      if (T[yb + 2] === z) xp = y;
      else { xp = T[yb + 2]; this.transplant(y, x); T[yb + 1] = T[zb + 1]; T[(T[yb + 1] << 2) + 2] = y; }
      this.transplant(z, y); T[yb] = T[zb]; T[(T[yb] << 2) + 2] = y; T[yb + 3] = T[zb + 3];
    }
    if (!yRed) this.eraseFixup(x, xp);
  }

  private eraseFixup(x: number, xp: number): void {
    const T = this.t;
    const black = (n: number) => n === -1 || !T[(n << 2) + 3];
    while (x !== this.root && black(x) && xp !== -1) {
      const pb = xp << 2;
      if (x !== T[pb + 1]) {
        let w = T[pb + 1];
        if (T[(w << 2) + 3]) { T[(w << 2) + 3] = 0; T[pb + 3] = 1; this.rotateLeft(xp); w = T[pb + 1]; }
        if (black(T[w << 2]) && black(T[(w << 2) + 1])) { T[(w << 2) + 3] = 1; x = xp; xp = T[(x << 2) + 2]; continue; }
        if (black(T[(w << 2) + 1])) { T[(T[w << 2] << 2) + 3] = 0; T[(w << 2) + 3] = 1; this.rotateRight(w); w = T[pb + 1]; }
        T[(w << 2) + 3] = T[pb + 3]; T[pb + 3] = 0; T[(T[(w << 2) + 1] << 2) + 3] = 0; this.rotateLeft(xp); x = this.root; break;
      } else {
        let w = T[pb];
        if (T[(w << 2) + 3]) { T[(w << 2) + 3] = 0; T[pb + 3] = 1; this.rotateRight(xp); w = T[pb]; }
        if (black(T[w << 2]) && black(T[(w << 2) + 1])) { T[(w << 2) + 3] = 1; x = xp; xp = T[(x << 2) + 2]; continue; }
        if (black(T[w << 2])) { T[(T[(w << 2) + 1] << 2) + 3] = 0; T[(w << 2) + 3] = 1; this.rotateLeft(w); w = T[pb]; }
        T[(w << 2) + 3] = T[pb + 3]; T[pb + 3] = 0; T[(T[w << 2] << 2) + 3] = 0; this.rotateRight(xp); x = this.root; break;
      }
    }
    if (x !== -1) T[(x << 2) + 3] = 0;
  }

  left(n: number): number { return this.t[n << 2]; }
  right(n: number): number { return this.t[(n << 2) + 1]; }

  first(): number { return this.nextPresent(-1); }

  /** rb_next: the next position present. */
  next(n: number): number { return this.nextPresent(n); }

  /** The last position below z present in the tree, or -1. */
  private prevPresent(z: number): number {
    const bitsOf = this.present;
    let w = z >>> 5, bits = bitsOf[w] & ((1 << (z & 31)) - 1);
    while (bits === 0) { if (--w < 0) return -1; bits = bitsOf[w]; }
    return (w << 5) + 31 - Math.clz32(bits);
  }

  /** The first position above z present in the tree, or -1. */
  private nextPresent(z: number): number {
    const bitsOf = this.present, b = z + 1;
    let w = b >>> 5;
    if (w >= bitsOf.length) return -1;
    let bits = bitsOf[w] & ~((1 << (b & 31)) - 1);
    while (bits === 0) { if (++w >= bitsOf.length) return -1; bits = bitsOf[w]; }
    return (w << 5) + 31 - Math.clz32(bits & -bits);
  }

  /**
   * symbols__fixup_end (user-space form): a zero-sized symbol ends where the next one in the tree
   * starts; the last one, zero-sized, ends at roundup(start, 4096) + 4096.
   */
  fixupEnd(): void {
    const S = this.start!, E = this.end!;
    let curr = this.first();
    if (curr === -1) return;
    for (let nd = this.next(curr); nd !== -1; nd = this.next(nd)) {
      const prev = curr; curr = nd;
      if (E[prev] === S[prev]) E[prev] = S[curr];
    }
    if (E[curr] === S[curr]) {
      if (this.nodes.big) { const s = (S as BigUint64Array)[curr]; (E as BigUint64Array)[curr] = ((s + 4095n) / 4096n) * 4096n + 4096n; }
      else { const s = (S as Float64Array)[curr]; (E as Float64Array)[curr] = Math.ceil(s / 4096) * 4096 + 4096; }
    }
  }

  /**
   * symbols__fixup_duplicate: of symbols with one start, keep choose_best_symbol's pick.
   * `decisions`: inOrder's answers in the order asked; `open`: per question the open alias
   * comparison it is (PerfNodes.defer), else -1. Such a question (two aliases of one start, end
   * and binding) is asked of the names only when the answer shapes the tree: when `curr` has a
   * right subtree (so `nd`, its successor, is that subtree's leftmost node), or when `curr` is the
   * red leaf that is `nd`'s only child, erasing either leaves the same shape and colours with
   * equal keys, and `curr` stays.
   */
  fixupDuplicate(decisions?: Uint8Array, open?: Int32Array): void {
    const T = this.t, G = this.grp, S = this.start, E = this.end, ids = this.idAt;
    let nd = this.first(), asked = 0;
    while (nd !== -1) {
      let curr = nd;
      for (;;) {
        nd = this.next(curr);
        if (nd === -1 || G[curr] !== G[nd]) break;
        const c = open ? open[asked] : -1;
        let d: boolean;
        if (c >= 0) {
          asked++;
          const cb = curr << 2, nb = nd << 2;
          // a red leaf under a black node with no other child: erasing the leaf or its parent leaves one black node
          const free = T[cb + 1] !== -1
            ? T[cb] !== -1 || (T[cb + 1] === nd && T[nb] === -1 && T[nb + 1] === -1 && T[nb + 3] === 1 && T[cb + 3] === 0)
            : T[nb] === curr && T[nb + 1] === -1 && T[cb] === -1 && T[cb + 3] === 1 && T[nb + 3] === 0;
          d = free ? false : this.nodes.openAnswer(c);
        } else d = decisions ? decisions[asked++] === 1 : this.nodes.better(ids[curr], sizeAt(S!, E!, curr), ids[nd], sizeAt(S!, E!, nd));
        if (!d) { this.erase(nd); continue; }
        nd = this.next(curr);
        this.erase(curr);
        break;
      }
    }
  }
}

const TWO32 = 0x100000000;
const TWO53 = 2 ** 53;

/** One pass of perf's symbol loading as columns, in table order (hi/lo: st_value). */
export interface PerfPass extends SymbolColumns {
  /** name(i)'s bytes when it is pure ASCII (then one char a byte), else undefined: compared without making strings. */
  asciiName?(i: number): Uint8Array | undefined;
  /**
   * Whether some row's start + size + 8192 (fixup_end's page and more) reaches 2^53 (PerfNodes.big);
   * when absent, PerfNodes checks the rows itself.
   */
  big?: boolean;
}

function rowsToPass(rows: SymbolRow[]): PerfPass {
  const n = rows.length;
  const hi = new Uint32Array(n), lo = new Uint32Array(n), size = new Float64Array(n), bind = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    hi[i] = Number(r.start >> 32n); lo[i] = Number(r.start & 0xffffffffn); size[i] = r.size; bind[i] = r.bind;
  }
  return { count: n, hi, lo, size, bind, name: (i) => rows[i].name };
}

/**
 * The symbols of all passes and the extra rows as nodes numbered in perf's insertion order, and
 * the two ways to find what perf's tree holds: inOrder (sorted merges and the fixups over the
 * sequence) and tree (the red-black tree itself).
 */
class PerfNodes {
  readonly total: number;
  readonly big: boolean;
  hi: Uint32Array;
  lo: Uint32Array;
  size: Float64Array;
  readonly bind: Int8Array;
  /** First node of each pass, then of the extra rows. */
  private readonly offsets: number[] = [];
  /** Per pass, inOrder's choose_best_symbol answers in the order fixup_duplicate asks them. */
  readonly decisions: (Uint8Array | undefined)[] = [];
  /** Per pass its name functions (the passes' columns are copied, not kept). */
  private readonly passes: { name(i: number): string; asciiName?(i: number): Uint8Array | undefined }[];

  /**
   * rankName's answers by raw name (only names that choose_best_symbol compares): a DSO's .dynsym
   * pass repeats most of its .symtab names, and identical-code-folded aliases share names.
   */
  private readonly ranked = new Map<string, string>();

  constructor(passes: PerfPass[], private readonly extra: SymbolRow[], private readonly rankName?: RankName, private readonly eagerAliases = false) {
    this.passes = passes.map((p) => ({ name: p.name, asciiName: p.asciiName }));
    let total = extra.length;
    for (const p of passes) total += p.count;
    this.total = total;
    const hi = this.hi = new Uint32Array(total), lo = this.lo = new Uint32Array(total);
    const size = this.size = new Float64Array(total), bind = this.bind = new Int8Array(total);
    let at = 0, big = false;
    for (const p of passes) {
      this.offsets.push(at);
      hi.set(p.hi.subarray(0, p.count), at); lo.set(p.lo.subarray(0, p.count), at);
      size.set(p.size.subarray(0, p.count), at); bind.set(p.bind.subarray(0, p.count), at);
      // As perf's fixup_end may push a last symbol's end a page and more past its start.
      if (p.big !== undefined) big ||= p.big;
      else if (!big) for (let i = at; i < at + p.count; i++) if (hi[i] * TWO32 + lo[i] + size[i] + 8192 >= TWO53) { big = true; break; }
      at += p.count;
    }
    this.offsets.push(at);
    for (const x of extra) {
      hi[at] = Number(x.start >> 32n); lo[at] = Number(x.start & 0xffffffffn); size[at] = x.size; bind[at] = x.bind;
      if (hi[at] * TWO32 + lo[at] + size[at] >= TWO53) big = true;
      at++;
    }
    this.big = big;
  }

  name(id: number): string {
    // The last two names asked (a fold compares its best so far with each next alias).
    if (id === this.lastId0) return this.lastName0;
    if (id === this.lastId1) return this.lastName1;
    const o = this.offsets;
    let name: string | undefined;
    for (let p = 0; p < this.passes.length && name === undefined; p++) if (id < o[p + 1]) name = this.passes[p].name(id - o[p]);
    name ??= this.extra[id - o[this.passes.length]].name;
    this.lastId1 = this.lastId0; this.lastName1 = this.lastName0;
    this.lastId0 = id; this.lastName0 = name;
    return name;
  }

  private lastId0 = -1;
  private lastName0 = '';
  private lastId1 = -1;
  private lastName1 = '';

  /** choose_best_symbol (chooseBest) between nodes a (kept so far) and b, given their sizes: true when b wins. */
  better(a: number, aSize: number, b: number, bSize: number): boolean {
    const q = this.byKind(a, aSize, b, bSize);
    return q < 0 ? this.byName(a, b) : q === 1;
  }

  /**
   * choose_best_symbol's questions before the names (sizes, then binding): 1 when b wins, 0 when
   * a does, -1 when only the names can tell.
   */
  private byKind(a: number, aSize: number, b: number, bSize: number): number {
    if (bSize === 0 && aSize > 0) return 0;
    if (aSize === 0 && bSize > 0) return 1;
    const ab = this.bind[a], bb = this.bind[b];
    const aw = ab === STB_WEAK, bw = bb === STB_WEAK;
    if (bw && !aw) return 0;
    if (aw && !bw) return 1;
    const ag = ab === STB_GLOBAL, bg = bb === STB_GLOBAL;
    if (ag && !bg) return 0;
    if (bg && !ag) return 1;
    return -1;
  }

  /** choose_best_symbol's questions on the names (underscores, length, SyS): true when b wins. */
  private byName(a: number, b: number): boolean {
    const ax = this.asciiName(a), bx = ax && this.asciiName(b);
    // rankName only matters when a name can demangle (_Z…, _R…) and the two names differ: a
    // .symtab symbol against its .dynsym copy, or two C names, compare as they are.
    if (ax && bx && (!this.rankName || (!mayDemangle(ax) && !mayDemangle(bx)) || sameBytes(ax, bx))) {
      // The same questions over the bytes of ASCII names (most ties are C++ aliases: C1/C2, D1/D2).
      let au = 0, bu = 0;
      while (au < ax.length && ax[au] === 95) au++;
      while (bu < bx.length && bx[bu] === 95) bu++;
      if (bu > au) return false;
      if (au > bu) return true;
      if (ax.length !== bx.length) return bx.length > ax.length;
      return startsWithAscii(ax, 'SyS') || startsWithAscii(ax, 'compat_SyS');
    }
    // Constructor/destructor aliases (C1/C2, D1/D2) rank as equals: the first is kept.
    if (ax && bx && this.rankName?.sameRank?.(ax, bx)) return false;
    // Template constructor/destructor aliases: read a's name without printing it, when its form is not known yet.
    // Each name decoded once here (they are long: the ranked map hashes each new string).
    const ra = this.name(a), rb = this.name(b);
    if (this.rankName?.sameRankText && !this.ranked.has(ra) && this.rankName.sameRankText(ra, rb)) return false;
    const an = this.rankedRaw(ra), bn = this.rankedTwin(ra, rb, an) ?? this.rankedRaw(rb);
    const au = leadingUnderscores(an), bu = leadingUnderscores(bn);
    if (bu > au) return false;
    if (au > bu) return true;
    if (an.length !== bn.length) return bn.length > an.length;
    return an.startsWith('SyS') || an.startsWith('compat_SyS');
  }

  // ---- aliases decided when first looked up ----
  //
  // Most ties at one start (a .symtab symbol and its .dynsym copy, C1/C2 and D1/D2 constructor
  // aliases, identical-code-folded functions) have the same size and binding: whichever name wins,
  // the surviving symbol has the same start, end and binding, and only its name (and node) depends
  // on the comparison. inOrder leaves those comparisons open: the group's first node stands for it
  // in the sequence, and the winner (choose_best_symbol's fold over the group, in the order the
  // fixups compared them) is found when a lookup returns the symbol, or when perf's tree is built.

  // Groups in typed arrays (a DSO has tens of thousands): per group the node standing for it, its
  // winner (-1 until decided) and its first and last comparison; per comparison the member compared,
  // where the tree replays its answer (pass, slot), the group's next comparison and the answer.
  private groupOfNode?: Int32Array;
  private gRep = new Int32Array(0);
  private gWinner = new Int32Array(0);
  private gFirst = new Int32Array(0);
  private gLast = new Int32Array(0);
  /** Of a group folded in part (openAnswer): its next comparison to fold and the best so far; -2 when not started. */
  private gAt = new Int32Array(0);
  private gBest = new Int32Array(0);
  private nGroups = 0;
  private cMember = new Int32Array(0);
  private cPass = new Int32Array(0);
  private cSlot = new Int32Array(0);
  private cNext = new Int32Array(0);
  private cBit = new Uint8Array(0);
  private cGroup = new Int32Array(0);
  private nCmps = 0;
  /**
   * Per node, the chain of open groups it belongs to (a decided group's winner starts the next
   * group at its start), -1 for none: nodes of one chain have one start, end and binding.
   */
  private chainOf?: Int32Array;
  private gChain = new Int32Array(0);

  /** Node `x` joins the open group of `best` (made when there is none or it was decided): returns the node standing for it. */
  private defer(best: number, x: number, pass: number, slot: number): number {
    const of = this.groupOfNode ??= new Int32Array(this.total).fill(-1);
    let g = of[best];
    if (g < 0 || this.gWinner[g] >= 0) {
      const w = g < 0 ? best : this.gWinner[g];
      if (g >= 0) of[best] = -1;
      if (this.nGroups === this.gRep.length) {
        const cap = Math.max(256, this.nGroups * 2);
        this.gRep = grow(this.gRep, cap); this.gWinner = grow(this.gWinner, cap);
        this.gFirst = grow(this.gFirst, cap); this.gLast = grow(this.gLast, cap); this.gChain = grow(this.gChain, cap);
        this.gAt = grow(this.gAt, cap); this.gBest = grow(this.gBest, cap);
      }
      const chainOf = this.chainOf ??= new Int32Array(this.total).fill(-1);
      const prev = g;
      g = this.nGroups++;
      this.gRep[g] = w; this.gWinner[g] = -1; this.gFirst[g] = -1; this.gLast[g] = -1; this.gAt[g] = -2;
      this.gChain[g] = prev >= 0 ? this.gChain[prev] : g;
      chainOf[w] = this.gChain[g];
      of[w] = g;
      best = w;
    }
    if (this.nCmps === this.cMember.length) {
      const cap = Math.max(256, this.nCmps * 2);
      this.cMember = grow(this.cMember, cap); this.cPass = grow(this.cPass, cap);
      this.cSlot = grow(this.cSlot, cap); this.cNext = grow(this.cNext, cap); this.cGroup = grow(this.cGroup, cap);
    }
    const c = this.nCmps++;
    this.cMember[c] = x; this.cPass[c] = pass; this.cSlot[c] = slot; this.cNext[c] = -1; this.cGroup[c] = g;
    this.chainOf![x] = this.gChain[g];
    if (this.gLast[g] < 0) this.gFirst[g] = c; else this.cNext[this.gLast[g]] = c;
    this.gLast[g] = c;
    return best;
  }

  /** The winner of the group `id` stands for (id itself when it stands for none). */
  winner(id: number): number {
    const g = this.groupOfNode ? this.groupOfNode[id] : -1;
    return g < 0 ? id : this.resolve(g);
  }

  private resolve(g: number): number {
    if (this.gWinner[g] < 0) this.fold(g, -1);
    return this.gWinner[g];
  }

  /**
   * choose_best_symbol's fold over group g's comparisons, from where an earlier call stopped
   * (gAt, gBest) through comparison `until` (-1: all of them, then the winner is known). A
   * group's comparisons are chained in increasing order, and all are made before any is folded.
   */
  private fold(g: number, until: number): void {
    if (this.cBit.length < this.cMember.length) this.cBit = growBytes(this.cBit, this.cMember.length);
    let c = this.gAt[g], best = this.gBest[g];
    if (c === -2) { c = this.gFirst[g]; best = this.gRep[g]; }
    while (c >= 0) {
      const x = this.cMember[c];
      if (this.byName(best, x)) { this.cBit[c] = 1; best = x; }
      const done = c;
      c = this.cNext[c];
      if (done === until) break;
    }
    if (c < 0) this.gWinner[g] = best;
    else { this.gAt[g] = c; this.gBest[g] = best; }
  }

  /**
   * The answer of open comparison c (its group decided by the names as far as c: the tree asks
   * some of a group's comparisons, lookups the winner of some groups).
   */
  openAnswer(c: number): boolean {
    const g = this.cGroup[c];
    if (this.gWinner[g] < 0 && (this.gAt[g] === -2 || c >= this.gAt[g])) this.fold(g, c);
    return this.cBit[c] === 1;
  }

  /** Whether nodes a and b stand for one symbol of the index: the same node, or aliases of one chain of open groups. */
  sameSymbol(a: number, b: number): boolean {
    return a === b || (this.chainOf !== undefined && this.chainOf[a] >= 0 && this.chainOf[a] === this.chainOf[b]);
  }

  /** A raw name as choose_best_symbol compares it (rankName's form when given). */
  private rankedRaw(raw: string): string {
    if (!this.rankName) return raw;
    let r = this.ranked.get(raw);
    if (r === undefined) { r = this.rankName(raw); this.ranked.set(raw, r); }
    return r;
  }

  /** rankedRaw(raw) when the demangler knows it from a's name ra (its form `an`): a constructor/destructor alias (RankName.sameText). */
  private rankedTwin(ra: string, raw: string, an: string): string | undefined {
    const same = this.rankName?.sameText;
    if (!same) return undefined;
    if (this.ranked.has(raw) || !same(ra, raw)) return undefined;
    this.ranked.set(raw, an);
    return an;
  }

  /** The node's name bytes when its pass gives them and they are all ASCII. */
  private asciiName(id: number): Uint8Array | undefined {
    // The last two asked (a fold compares its best so far with each next alias).
    if (id === this.lastAsciiId0) return this.lastAscii0;
    if (id === this.lastAsciiId1) return this.lastAscii1;
    const b = this.asciiNameOf(id);
    this.lastAsciiId1 = this.lastAsciiId0; this.lastAscii1 = this.lastAscii0;
    this.lastAsciiId0 = id; this.lastAscii0 = b;
    return b;
  }

  private lastAsciiId0 = -1;
  private lastAscii0: Uint8Array | undefined;
  private lastAsciiId1 = -1;
  private lastAscii1: Uint8Array | undefined;

  private asciiNameOf(id: number): Uint8Array | undefined {
    const o = this.offsets;
    for (let p = 0; p < this.passes.length; p++) {
      if (id < o[p + 1]) {
        const pass = this.passes[p];
        return pass.asciiName?.(id - o[p]);
      }
    }
    return undefined;
  }

  /**
   * tree() after inOrder, with its open alias comparisons: each is answered by the names only
   * where the answer shapes the tree (fixupDuplicate). The tree may then hold another alias of a
   * chain than inOrder's sequence (sameSymbol); names come from the sequence's groups.
   */
  treeFor(seq: Int32Array): PerfSymbolTree {
    void seq;
    if (this.nCmps > 0) {
      this.open = this.decisions.map((d) => (d ? new Int32Array(d.length).fill(-1) : undefined));
      for (let c = 0; c < this.nCmps; c++) this.open[this.cPass[c]]![this.cSlot[c]] = c;
    }
    return this.tree();
  }

  /**
   * Once the tree is built and attached: what only building it reads (insertions, fixup answers,
   * alias chains), so that the index keeps only what names and lookups need.
   */
  dropTreeInputs(): void {
    this.hi = new Uint32Array(0); this.lo = new Uint32Array(0); this.size = new Float64Array(0);
    this.decisions.length = 0;
    this.sorted.length = 0;
    this.open = undefined;
    this.chainOf = undefined;
  }

  /** inOrder's nodes of each pass, then of the extra rows, sorted by start (ties in node order). */
  private readonly sorted: Int32Array[] = [];

  /** All nodes sorted by start, ties in node order (the tree's positions). */
  private byStart(): Int32Array {
    const n = this.total, hi = this.hi, lo = this.lo;
    if (this.big) {
      const ids = new Int32Array(n);
      for (let i = 0; i < n; i++) ids[i] = i;
      return ids.sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b] || a - b);
    }
    const S = new Float64Array(n);
    for (let i = 0; i < n; i++) S[i] = hi[i] * TWO32 + lo[i];
    // A pass's nodes follow the earlier passes' ones: merging the sorted passes in order keeps ties in node order.
    if (this.sorted.length === 0) return sortedByStart(S, 0, n);
    let all: Int32Array = new Int32Array(0);
    for (const x of this.sorted) all = all.length === 0 ? x : mergeByStart(all, x, S);
    return all;
  }

  /** Per pass, the open comparison (or -1) of each question fixup_duplicate asks (treeFor). */
  private open?: (Int32Array | undefined)[];

  /** perf's tree: the same insertions and fixups, in the same order. */
  tree(): PerfSymbolTree {
    const o = this.offsets;
    // the tree fixes its ends up itself only without inOrder's answers, which big nodes never have
    const t = new PerfSymbolTree(this, this.byStart(), this.big);
    for (let p = 0; p < this.passes.length; p++) {
      if (o[p + 1] === o[p]) continue;
      while (t.count < o[p + 1]) t.insert();
      // With inOrder's answers the tree's ends are never read (fixupDuplicate replays them and
      // compares starts; the index takes its ends from inOrder): their fixup is skipped.
      const decisions = this.decisions[p];
      if (!decisions) t.fixupEnd();
      t.fixupDuplicate(decisions, this.open?.[p]);
    }
    while (t.count < this.total) t.insert();
    return t;
  }

  /**
   * The tree's in-order sequence of surviving nodes without the tree: a node inserted with an
   * equal start goes right of those present, so each pass (and the extra rows) is a stable merge
   * by start after what is there; rb_erase and rotations keep the in-order order of the rest.
   * Not for big nodes.
   */
  inOrder(): [Int32Array, Float64Array, Float64Array] {
    // Each loop of this one-shot build is its own small function: V8 compiles a hot loop on the
    // stack (OSR) of its function, and a big function is compiled slowly and thrown away when
    // a later loop meets code that never ran; the loops run in the interpreter meanwhile.
    const n = this.total;
    const S = new Float64Array(n);
    const o = this.offsets, np = this.passes.length;
    // Per pass (and the extra rows) whether its starts are sorted, else their [min, max].
    const ranges: ([number, number] | undefined)[] = [];
    const r = new Float64Array(3);
    for (let p = 0; p <= np; p++) {
      startsOf(this.hi, this.lo, S, o[p], p < np ? o[p + 1] : n, r);
      ranges.push(r[0] === 0 ? undefined : [r[1], r[2]]);
    }
    // The sequence's nodes and, in step, their starts and ends (read in order, not by node).
    let seq: Int32Array = new Int32Array(0), seqS: Float64Array = new Float64Array(0), seqE: Float64Array = new Float64Array(0);
    for (let p = 0; p <= np; p++) {
      const from = o[p], to = p < np ? o[p + 1] : n;
      if (to === from) continue;
      const sortedS = new Float64Array(to - from), sortedE = new Float64Array(to - from);
      const sorted = sortedByStart(S, from, to, sortedS, ranges[p]);
      this.sorted.push(sorted);
      endsOf(sorted, sortedS, this.size, sortedE);
      [seq, seqS, seqE] = mergeWithStarts(seq, seqS, seqE, sorted, sortedS, sortedE);
      // The extra rows (PLT entries) are inserted after the fixups, without any.
      if (p < np) [seq, seqS, seqE] = this.fixupPass(p, seq, seqS, seqE);
    }
    return [seq, seqS, seqE];
  }

  /**
   * inOrder's fixups of pass p over the merged sequence (nodes and their starts): the surviving
   * nodes and starts; the answers are kept in decisions[p].
   */
  private fixupPass(p: number, seq: Int32Array, seqS: Float64Array, seqE: Float64Array): [Int32Array, Float64Array, Float64Array] {
    const m = seq.length;
    const out = new Int32Array(m), outS = new Float64Array(m), outE = new Float64Array(m);
    this.passDecisions = new Uint8Array(64); this.passAsked = 0;
    const q = this.fixupWalk(p, seq, seqS, seqE, out, outS, outE);
    this.decisions[p] = this.passDecisions.subarray(0, this.passAsked);
    return [out.subarray(0, q), outS.subarray(0, q), outE.subarray(0, q)];
  }

  /** fixupPass' answers so far (grown as needed) and their count. */
  private passDecisions = new Uint8Array(0);
  private passAsked = 0;

  /**
   * fixupPass' walk: the survivors into out, outS, outE, their count returned. Its own method with
   * nothing made after the loop: optimized code entered in the loop (OSR) would have no feedback
   * there, give up (deopt) at its end and be compiled again for the next pass.
   */
  private fixupWalk(p: number, seq: Int32Array, seqS: Float64Array, seqE: Float64Array, out: Int32Array, outS: Float64Array, outE: Float64Array): number {
    // symbols__fixup_end (user-space form) then symbols__fixup_duplicate, in one walk over the
    // groups of one start: fixup_end gives a zero-sized symbol the next one's start, which
    // within a group is its own, so only a group's last symbol changes, and before the group is
    // compared. fixup_duplicate: left to right, the kept one against each next one at its start.
    // The comparisons are kept: the tree (tree()) makes the same ones in the same order.
    const m = seq.length;
    let q = 0, decisions = this.passDecisions, nd = 0;
    for (let k = 0; k < m;) {
      let best = seq[k], j = k + 1;
      const st = seqS[k];
      while (j < m && seqS[j] === st) j++;
      if (seqE[j - 1] === st) seqE[j - 1] = j < m ? seqS[j] : Math.ceil(st / 4096) * 4096 + 4096;
      // The kept node's end: an alias left open has its size (defer), so the end stays.
      let bestE = seqE[k];
      for (let i = k + 1; i < j; i++) {
        const x = seq[i], xE = seqE[i];
        const bs = bestE - st, xs = xE - st;
        if (decisions.length === nd) { decisions = growBytes(decisions, Math.max(64, nd * 2)); this.passDecisions = decisions; }
        let d: boolean;
        const kind = this.byKind(best, bs, x, xs);
        if (kind >= 0) d = kind === 1;
        else if (!this.eagerAliases && bs === xs && this.bind[best] === this.bind[x]) {
          // Only the name differs whichever wins: left open (see defer).
          best = this.defer(best, x, p, nd++);
          continue;
        } else d = this.better(this.winner(best), bs, x, xs);
        decisions[nd++] = d ? 1 : 0;
        if (d) { best = x; bestE = xE; }
      }
      outS[q] = st; outE[q] = bestE;
      out[q++] = best;
      k = j;
    }
    this.passAsked = nd;
    return q;
  }


  /** The index over the surviving nodes `seq` (in start order) with their starts and ends in the same order. */
  index(seq: Int32Array, starts: Float64Array | BigUint64Array, ends: Float64Array | BigUint64Array, attach: (ix: SymbolIndex) => void): SymbolIndex {
    const n = seq.length;
    const binds = new Int8Array(n), bind = this.bind;
    for (let k = 0; k < n; k++) binds[k] = bind[seq[k]];
    const ix = SymbolIndex.fromColumns(starts, ends, new Array<string>(n), binds, (k) => this.name(this.winner(seq[k])));
    attach(ix);
    this.ranked.clear();
    return ix;
  }
}

function grow(a: Int32Array, cap: number): Int32Array<ArrayBuffer> { const b = new Int32Array(cap); b.set(a); return b; }
function growBytes(a: Uint8Array, cap: number): Uint8Array<ArrayBuffer> { const b = new Uint8Array(cap); b.set(a); return b; }

function startsWithAscii(b: Uint8Array, s: string): boolean {
  if (b.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Nodes [from, to) sorted by start, ties in node order; `starts`, when given, gets their starts in
 * that order. Each loop is its own function (see inOrder).
 */
function sortedByStart(S: Float64Array, from: number, to: number, starts?: Float64Array, range: [number, number] | undefined = scanStarts(S, from, to)): Int32Array {
  const n = to - from;
  const ids = new Int32Array(n);
  if (range === undefined) {
    for (let i = 0; i < n; i++) ids[i] = from + i;
    if (starts) starts.set(S.subarray(from, to));
    return ids;
  }
  const [min, max] = range;
  let span = 1;
  while (span < n) span *= 2;
  if ((max - min) * span + span < TWO53) {
    // (start, order) packed in one double: a native sort, no comparator calls.
    const key = new Float64Array(n);
    packStarts(S, from, min, span, key);
    key.sort();
    unpackStarts(key, from, min, span, ids, starts);
    return ids;
  }
  ids.sort((a, b) => S[a] - S[b] || a - b);
  if (starts) for (let k = 0; k < n; k++) starts[k] = S[ids[k]];
  return ids;
}

/** Undefined when S[from, to) is sorted, else its [min, max]. */
function scanStarts(S: Float64Array, from: number, to: number): [number, number] | undefined {
  let sorted = true, min = Infinity, max = -Infinity;
  for (let i = from; i < to; i++) {
    const v = S[i];
    if (i > from && v < S[i - 1]) sorted = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return sorted ? undefined : [min, max];
}

function packStarts(S: Float64Array, from: number, min: number, span: number, key: Float64Array): void {
  for (let i = 0; i < key.length; i++) key[i] = (S[from + i] - min) * span + i;
}

/** From sorted packed keys: the nodes and (span a power of two: exact) their starts. */
function unpackStarts(key: Float64Array, from: number, min: number, span: number, ids: Int32Array, starts?: Float64Array): void {
  if (!starts) { for (let k = 0; k < key.length; k++) ids[k] = from + (key[k] % span); return; }
  for (let k = 0; k < key.length; k++) {
    const x = key[k], st = Math.floor(x / span);
    ids[k] = from + (x - st * span);
    starts[k] = st + min;
  }
}

/**
 * S[i] = hi:lo for i in [from, to) (inOrder); into r: unsorted (1), the least and greatest start
 * (numbers in a typed array: nothing made after the loop, where code entered in it has no feedback).
 */
function startsOf(hi: Uint32Array, lo: Uint32Array, S: Float64Array, from: number, to: number, r: Float64Array): void {
  let unsorted = 0, min = Number.POSITIVE_INFINITY, max = Number.NEGATIVE_INFINITY, prev = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const st = hi[i] * TWO32 + lo[i];
    S[i] = st;
    if (st < prev) unsorted = 1;
    if (st < min) min = st;
    if (st > max) max = st;
    prev = st;
  }
  r[0] = unsorted; r[1] = min; r[2] = max;
}

/** symbol__new's ends of sorted nodes: start + size (size 0: the start). */
function endsOf(ids: Int32Array, starts: Float64Array, size: Float64Array, ends: Float64Array): void {
  for (let k = 0; k < ids.length; k++) ends[k] = starts[k] + size[ids[k]];
}

/** mergeByStart over (node, start, end) triples: the merged nodes, starts and ends. */
function mergeWithStarts(a: Int32Array, aS: Float64Array, aE: Float64Array, b: Int32Array, bS: Float64Array, bE: Float64Array): [Int32Array, Float64Array, Float64Array] {
  // Nothing to merge into (the first pass): b as it is. Else the first call would run only the
  // tail loop, and optimized code for it would give up at the main loop on the next call.
  if (a.length === 0) return [b, bS, bE];
  const n = a.length + b.length;
  const out = new Int32Array(n), outS = new Float64Array(n), outE = new Float64Array(n);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    if (bS[j] < aS[i]) { outS[k] = bS[j]; outE[k] = bE[j]; out[k++] = b[j++]; } else { outS[k] = aS[i]; outE[k] = aE[i]; out[k++] = a[i++]; }
  }
  for (; i < a.length; i++, k++) { outS[k] = aS[i]; outE[k] = aE[i]; out[k] = a[i]; }
  for (; j < b.length; j++, k++) { outS[k] = bS[j]; outE[k] = bE[j]; out[k] = b[j]; }
  return [out, outS, outE];
}

/** Stable merge by start: on equal starts, `a`'s nodes first. */
function mergeByStart(a: Int32Array, b: Int32Array, S: Float64Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = S[b[j]] < S[a[i]] ? b[j++] : a[i++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Whether a symbol name in bytes may change when demangled (Itanium _Z…/__Z…, Rust v0 _R…; demangle.ts isMangled). */
function mayDemangle(b: Uint8Array): boolean {
  return b.length > 2 && b[0] === 95 && (b[1] === 90 || b[1] === 82 || (b[1] === 95 && b[2] === 90));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
