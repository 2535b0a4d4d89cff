// Sorted address → symbol tables, following perf's rules (tools/perf/util/symbol.c, symbol-elf.c).
// Two builders:
//  - fromPerfPasses (perf-compatible outputs: report/script/flame): perf 6.1's own symbol set
//    (perfSymbolRows: FUNC/IFUNC/OBJECT and non-hidden NOTYPE labels in text/data sections), the
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
  type ElfFile, type ElfSymbolTable, STT_FUNC, STT_GNU_IFUNC, STT_NOTYPE, STB_GLOBAL, STB_WEAK,
  SHN_ABS, SHF_EXECINSTR, SHN_LORESERVE, SHN_UNDEF, SHF_ALLOC, SHT_NOBITS, STT_OBJECT, STV_HIDDEN, STV_INTERNAL,
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
    /** perf's tree (fromPerfPasses): children as indexes into the arrays above (in-order ranks), -1 for none. */
    private readonly tree?: { left: Int32Array; right: Int32Array; root: number },
    /** Decodes names[i] on first use when the builder left it empty (symbol-table.ts). */
    private readonly nameOf?: (i: number) => string,
  ) {}

  get size(): number { return this.names.length; }

  /**
   * An index from final columns: sorted by start, fixed up and deduplicated (symbol-table.ts builds
   * them). A hole in `names` is filled by `nameOf` when first asked for.
   */
  static fromColumns(starts: Float64Array | BigUint64Array, ends: Float64Array | BigUint64Array, names: string[], binds: Int8Array, nameOf?: (i: number) => string): SymbolIndex {
    return new SymbolIndex(starts, ends, names, binds, undefined, nameOf);
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
    if (this.tree && !nearest) return this.descend(address);
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
   * pass (the .symtab rows, then the .dynsym rows of the same file, see perfSymbolRows) inserted
   * in table order then symbols__fixup_end and symbols__fixup_duplicate, then `extra` (PLT
   * entries, dso__synthesize_plt_symbols) inserted without fixups. Lookups descend the same
   * red-black tree perf does, so overlapping symbols resolve as in perf.
   */
  static fromPerfPasses(passes: SymbolRow[][], extra: SymbolRow[] = [], rankName?: (name: string) => string): SymbolIndex {
    let total = extra.length, big = false;
    for (const p of passes) {
      total += p.length;
      for (const r of p) if (r.start + BigInt(r.size) + 8192n >= 1n << 53n) { big = true; break; }
    }
    for (const r of extra) if (r.start + BigInt(r.size) >= 1n << 53n) big = true;
    const t = new PerfSymbolTree(total, big);
    for (const p of passes) {
      if (p.length === 0) continue;
      for (const r of p) t.insert(r);
      t.fixupEnd();
      t.fixupDuplicate(rankName);
    }
    for (const r of extra) t.insert(r);
    // Renumber the surviving nodes by in-order rank: the arrays are then sorted by start.
    const rank = new Int32Array(t.count).fill(-1);
    let n = 0;
    for (let x = t.first(); x !== -1; x = t.next(x)) rank[x] = n++;
    const starts = big ? new BigUint64Array(n) : new Float64Array(n);
    const ends = big ? new BigUint64Array(n) : new Float64Array(n);
    const names = new Array<string>(n), binds = new Int8Array(n);
    const left = new Int32Array(n), right = new Int32Array(n);
    for (let x = 0; x < t.count; x++) {
      const k = rank[x];
      if (k < 0) continue;
      if (big) { (starts as BigUint64Array)[k] = (t.start as BigUint64Array)[x]; (ends as BigUint64Array)[k] = (t.end as BigUint64Array)[x]; }
      else { (starts as Float64Array)[k] = (t.start as Float64Array)[x]; (ends as Float64Array)[k] = (t.end as Float64Array)[x]; }
      names[k] = t.name[x]; binds[k] = t.bind[x];
      left[k] = t.left[x] === -1 ? -1 : rank[t.left[x]];
      right[k] = t.right[x] === -1 ? -1 : rank[t.right[x]];
    }
    return new SymbolIndex(starts, ends, names, binds, { left, right, root: t.root === -1 ? -1 : rank[t.root] });
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
  // arch__choose_best_symbol (the __weak default x86 uses): avoid "SyS" syscall aliases.
  if (a.name.startsWith('SyS') || a.name.startsWith('compat_SyS')) return b;
  return a;
}

/**
 * The function symbols of an ELF symbol table as rows: FUNC and GNU_IFUNC with a name in a real
 * section, and named NOTYPE labels in executable sections (perf's elf_sym__is_function / is_label).
 * `sectionsFrom` gives section flags (the binary's, when the table comes from a debug file whose
 * sections are NOBITS copies with the same flags).
 */
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

export function functionRows(table: ElfSymbolTable, sectionsFrom: ElfFile): SymbolRow[] {
  const rows: SymbolRow[] = [];
  for (let i = 0; i < table.count; i++) {
    if (!isFunctionSymbol(table, i, sectionsFrom)) continue;
    rows.push({ name: table.name(i), start: table.value(i), size: table.size[i], bind: table.bind(i) });
  }
  return rows;
}

/**
 * The rows perf 6.1 takes from one symbol table of `syms` (symbol-elf.c dso__load_sym_internal):
 * FUNC, GNU_IFUNC and OBJECT symbols with a name in a section (elf_sym__filter), and NOTYPE labels
 * with a name, not ABS, not HIDDEN or INTERNAL (elf_sym__is_label) in a section whose name holds
 * "text" or "data" (elf_sec__filter; `runtime`'s section header when `syms` has a NOBITS copy, as
 * a separate debug file does); never SHN_ABS, never a section without SHF_ALLOC. Table order
 * kept: it shapes perf's tree (SymbolIndex.fromPerfPasses).
 */
export function perfSymbolRows(table: ElfSymbolTable, syms: ElfFile, runtime: ElfFile = syms): SymbolRow[] {
  const rows: SymbolRow[] = [];
  for (let i = 0; i < table.count; i++) {
    const type = table.type(i), shndx = table.shndx[i];
    if (shndx === SHN_UNDEF || table.nameOffset[i] === 0) continue;
    const label = type === STT_NOTYPE && shndx !== SHN_ABS && table.visibility(i) !== STV_HIDDEN && table.visibility(i) !== STV_INTERNAL;
    if (!label && type !== STT_FUNC && type !== STT_GNU_IFUNC && type !== STT_OBJECT) continue;
    // SHN_ABS is skipped; other reserved indexes (COMMON) have no section header (elf_getscn fails).
    if (shndx >= SHN_LORESERVE) continue;
    let sec = syms.sections[shndx];
    if (!sec || !(sec.flags & SHF_ALLOC)) continue;
    if (sec.type === SHT_NOBITS && runtime !== syms) sec = runtime.sections[shndx];
    if (!sec) continue;
    if (label && !sec.name.includes('text') && !sec.name.includes('data')) continue;
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
  readonly start: Float64Array | BigUint64Array;
  readonly end: Float64Array | BigUint64Array;
  readonly name: string[] = [];
  readonly bind: Int8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly parent: Int32Array;
  readonly red: Uint8Array;
  root = -1;
  count = 0;

  constructor(capacity: number, readonly big: boolean) {
    this.start = big ? new BigUint64Array(capacity) : new Float64Array(capacity);
    this.end = big ? new BigUint64Array(capacity) : new Float64Array(capacity);
    this.bind = new Int8Array(capacity);
    this.left = new Int32Array(capacity); this.right = new Int32Array(capacity);
    this.parent = new Int32Array(capacity); this.red = new Uint8Array(capacity);
  }

  /** symbol__new + __symbols__insert: end = start + size, or start when the size is 0. */
  insert(r: SymbolRow): number {
    const z = this.count++;
    if (this.big) {
      (this.start as BigUint64Array)[z] = r.start;
      (this.end as BigUint64Array)[z] = r.start + BigInt(r.size);
    } else {
      (this.start as Float64Array)[z] = Number(r.start);
      (this.end as Float64Array)[z] = Number(r.start) + r.size;
    }
    this.name[z] = r.name; this.bind[z] = r.bind;
    const S = this.start, L = this.left, R = this.right;
    let y = -1, x = this.root, goLeft = false;
    while (x !== -1) { y = x; goLeft = S[z] < S[x]; x = goLeft ? L[x] : R[x]; }
    this.parent[z] = y; L[z] = -1; R[z] = -1; this.red[z] = 1;
    if (y === -1) this.root = z; else if (goLeft) L[y] = z; else R[y] = z;
    this.insertFixup(z);
    return z;
  }

  private rotateLeft(x: number): void {
    const L = this.left, R = this.right, P = this.parent;
    const y = R[x];
    R[x] = L[y]; if (L[y] !== -1) P[L[y]] = x;
    P[y] = P[x];
    if (P[x] === -1) this.root = y; else if (x === L[P[x]]) L[P[x]] = y; else R[P[x]] = y;
    L[y] = x; P[x] = y;
  }

  private rotateRight(x: number): void {
    const L = this.left, R = this.right, P = this.parent;
    const y = L[x];
    L[x] = R[y]; if (R[y] !== -1) P[R[y]] = x;
    P[y] = P[x];
    if (P[x] === -1) this.root = y; else if (x === R[P[x]]) R[P[x]] = y; else L[P[x]] = y;
    R[y] = x; P[x] = y;
  }

  private insertFixup(z: number): void {
    const L = this.left, R = this.right, P = this.parent, red = this.red;
    for (let p = P[z]; p !== -1 && red[p]; p = P[z]) {
      const g = P[p];
      if (p === L[g]) {
        const u = R[g];
        if (u !== -1 && red[u]) { red[p] = 0; red[u] = 0; red[g] = 1; z = g; continue; }
        if (z === R[p]) { z = p; this.rotateLeft(z); p = P[z]; }
        red[p] = 0; red[g] = 1; this.rotateRight(g);
      } else {
        const u = L[g];
        if (u !== -1 && red[u]) { red[p] = 0; red[u] = 0; red[g] = 1; z = g; continue; }
        if (z === L[p]) { z = p; this.rotateRight(z); p = P[z]; }
        red[p] = 0; red[g] = 1; this.rotateLeft(g);
      }
    }
    red[this.root] = 0;
  }

  private transplant(u: number, v: number): void {
    const P = this.parent;
    if (P[u] === -1) this.root = v; else if (u === this.left[P[u]]) this.left[P[u]] = v; else this.right[P[u]] = v;
    if (v !== -1) P[v] = P[u];
  }

  /** rb_erase: the node's in-order successor takes its place and colour when it has two children. */
  erase(z: number): void {
    const L = this.left, R = this.right, P = this.parent, red = this.red;
    let yRed = red[z], x: number, xp: number;
    if (L[z] === -1) { x = R[z]; xp = P[z]; this.transplant(z, x); }
    else if (R[z] === -1) { x = L[z]; xp = P[z]; this.transplant(z, x); }
    else {
      let y = R[z];
      while (L[y] !== -1) y = L[y];
      yRed = red[y]; x = R[y];
      if (P[y] === z) xp = y;
      else { xp = P[y]; this.transplant(y, x); R[y] = R[z]; P[R[y]] = y; }
      this.transplant(z, y); L[y] = L[z]; P[L[y]] = y; red[y] = red[z];
    }
    if (!yRed) this.eraseFixup(x, xp);
  }

  private eraseFixup(x: number, xp: number): void {
    const L = this.left, R = this.right, P = this.parent, red = this.red;
    const black = (n: number) => n === -1 || !red[n];
    while (x !== this.root && black(x) && xp !== -1) {
      if (x !== R[xp]) {
        let w = R[xp];
        if (red[w]) { red[w] = 0; red[xp] = 1; this.rotateLeft(xp); w = R[xp]; }
        if (black(L[w]) && black(R[w])) { red[w] = 1; x = xp; xp = P[x]; continue; }
        if (black(R[w])) { red[L[w]] = 0; red[w] = 1; this.rotateRight(w); w = R[xp]; }
        red[w] = red[xp]; red[xp] = 0; red[R[w]] = 0; this.rotateLeft(xp); x = this.root; break;
      } else {
        let w = L[xp];
        if (red[w]) { red[w] = 0; red[xp] = 1; this.rotateRight(xp); w = L[xp]; }
        if (black(L[w]) && black(R[w])) { red[w] = 1; x = xp; xp = P[x]; continue; }
        if (black(L[w])) { red[R[w]] = 0; red[w] = 1; this.rotateLeft(w); w = L[xp]; }
        red[w] = red[xp]; red[xp] = 0; red[L[w]] = 0; this.rotateRight(xp); x = this.root; break;
      }
    }
    if (x !== -1) red[x] = 0;
  }

  first(): number {
    let n = this.root;
    if (n === -1) return -1;
    while (this.left[n] !== -1) n = this.left[n];
    return n;
  }

  /** rb_next */
  next(n: number): number {
    const L = this.left, R = this.right, P = this.parent;
    if (R[n] !== -1) { n = R[n]; while (L[n] !== -1) n = L[n]; return n; }
    let p = P[n];
    while (p !== -1 && n === R[p]) { n = p; p = P[n]; }
    return p;
  }

  /**
   * symbols__fixup_end (user-space form): a zero-sized symbol ends where the next one in the tree
   * starts; the last one, zero-sized, ends at roundup(start, 4096) + 4096.
   */
  fixupEnd(): void {
    const S = this.start, E = this.end;
    let curr = this.first();
    if (curr === -1) return;
    for (let nd = this.next(curr); nd !== -1; nd = this.next(nd)) {
      const prev = curr; curr = nd;
      if (E[prev] === S[prev]) E[prev] = S[curr];
    }
    if (E[curr] === S[curr]) {
      if (this.big) { const s = (S as BigUint64Array)[curr]; (E as BigUint64Array)[curr] = ((s + 4095n) / 4096n) * 4096n + 4096n; }
      else { const s = (S as Float64Array)[curr]; (E as Float64Array)[curr] = Math.ceil(s / 4096) * 4096 + 4096; }
    }
  }

  /**
   * symbols__fixup_duplicate: of symbols with one start, keep choose_best_symbol's pick, comparing
   * names as `rankName` gives them (perf's names are demangled by then).
   */
  fixupDuplicate(rankName?: (name: string) => string): void {
    const S = this.start;
    const row = (i: number): SymbolRow => ({ name: rankName ? rankName(this.name[i]) : this.name[i], start: 0n, size: Number(this.end[i]) - Number(S[i]), bind: this.bind[i] });
    let nd = this.first();
    while (nd !== -1) {
      let curr = nd;
      for (;;) {
        nd = this.next(curr);
        if (nd === -1 || S[curr] !== S[nd]) break;
        const a = row(curr), b = row(nd);
        if (chooseBest(a, b) === a) { this.erase(nd); continue; }
        nd = this.next(curr);
        this.erase(curr);
        break;
      }
    }
  }
}
