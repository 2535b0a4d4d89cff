// Builds a SymbolIndex from symbol columns (an ELF symbol table, kallsyms) with typed arrays: the
// same result as SymbolIndex.fromRows (perf's symbols__fixup_end, then symbols__fixup_duplicate with
// choose_best_symbol, then extra sized rows such as PLT entries), without a BigInt or an object per
// symbol, and decoding a name only when a lookup returns it (or a duplicate tie needs it).
//
// Addresses are handled as doubles relative to a page-aligned base (the lowest start): exact while
// the table spans less than 2^53 bytes, which every real table does (kernel addresses sit above
// 2^63 but span a few GB). A table that spans more falls back to fromRows.
import { type ElfFile, type ElfSymbolTable, STB_GLOBAL, STB_WEAK } from '../formats/elf/index.js';
import { SymbolIndex, isFunctionSymbol, type SymbolRow } from './symbol-index.js';

const TWO32 = 0x100000000;
const TWO53 = 2 ** 53;

/** Symbols as columns, in table order. */
export interface SymbolColumns {
  count: number;
  /** Start address, high and low 32 bits. */
  hi: Uint32Array;
  lo: Uint32Array;
  /** st_size (0: ends where the next symbol starts). */
  size: Float64Array;
  /** st_bind, or -1 when unknown. */
  bind: Int8Array;
  /** The name of row i (called for kept rows, and for duplicates when a tie needs it). */
  name(i: number): string;
}

export interface BuiltIndex {
  index: SymbolIndex;
  /** For each symbol of the index, its row in the columns (-1 for an `extra` row); undefined after a fallback. Read-only: the index's lazy names use it. */
  row?: Int32Array;
}

function leadingUnderscores(s: string): number { let i = 0; while (s.charCodeAt(i) === 95) i++; return i; }

/** SymbolIndex.fromRows over columns; see the file comment. */
export function buildSymbolIndex(c: SymbolColumns, extra: SymbolRow[] = []): BuiltIndex {
  const n = c.count;
  // Base: the lowest start, rounded down to a page (so that page arithmetic on relative values holds).
  let bHi = 0xffffffff, bLo = 0xffffffff, mHi = 0, mLo = 0;
  for (let i = 0; i < n; i++) {
    const h = c.hi[i], l = c.lo[i];
    if (h < bHi || (h === bHi && l < bLo)) { bHi = h; bLo = l; }
    if (h > mHi || (h === mHi && l > mLo)) { mHi = h; mLo = l; }
  }
  if (n === 0) { bHi = 0; bLo = 0; }
  bLo = (bLo & ~0xfff) >>> 0;
  if ((mHi - bHi) * TWO32 + (mLo - bLo) >= TWO53) return { index: SymbolIndex.fromRows(toRows(c), undefined, extra) };
  const base = (BigInt(bHi) << 32n) + BigInt(bLo);
  const rel = new Float64Array(n);
  for (let i = 0; i < n; i++) rel[i] = (c.hi[i] - bHi) * TWO32 + (c.lo[i] - bLo);
  // Sort by start, ties in table order (perf's rbtree puts an equal start to the right).
  const order = new Uint32Array(n);
  let sorted = true, maxRel = 0;
  for (let i = 0; i < n; i++) { order[i] = i; if (i > 0 && rel[i] < rel[i - 1]) sorted = false; if (rel[i] > maxRel) maxRel = rel[i]; }
  if (!sorted) {
    // Pack (start, row) into one double when it fits, and sort natively (no comparator calls).
    let span = 1;
    while (span < n) span *= 2;
    if (maxRel * span + span < TWO53) {
      const key = new Float64Array(n);
      for (let i = 0; i < n; i++) key[i] = rel[i] * span + i;
      key.sort();
      for (let k = 0; k < n; k++) order[k] = key[k] % span;
    } else order.sort((a, b) => rel[a] - rel[b] || a - b);
  }
  const s = new Float64Array(n), endOf = new Float64Array(n);
  for (let k = 0; k < n; k++) s[k] = rel[order[k]];
  // symbols__fixup_end: a zero-sized symbol ends where the next one in order begins.
  for (let k = 0; k < n; k++) {
    const sz = c.size[order[k]];
    endOf[k] = sz > 0 ? s[k] + sz : k + 1 < n ? s[k + 1] : s[k] + 1;
  }
  // symbols__fixup_duplicate: of the rows at one start keep choose_best_symbol's pick.
  const kept = new Uint32Array(n);
  let m = 0;
  for (let k = 0; k < n;) {
    let j = k + 1;
    while (j < n && s[j] === s[k]) j++;
    let best = k;
    for (let x = k + 1; x < j; x++) if (better(c, order, s, endOf, best, x)) best = x;
    kept[m++] = best;
    k = j;
  }
  // Final [start, end): a kept symbol still empty (it had a duplicate after it) ends at the next kept start.
  const fs = new Float64Array(m), fe = new Float64Array(m), fr = new Int32Array(m);
  for (let q = 0; q < m; q++) {
    const k = kept[q];
    let e = endOf[k];
    if (e === s[k]) e = q + 1 < m ? s[kept[q + 1]] : s[k] + 1;
    fs[q] = s[k]; fe[q] = e; fr[q] = order[k];
  }
  // Extra sized rows (PLT entries) where no kept symbol starts, merged in start order (kept first on ties).
  const add: { s: number; e: number; row: SymbolRow }[] = [];
  for (const x of extra) {
    if (!(x.size > 0)) continue;
    const r = Number(x.start - base);
    if (startsAt(fs, m, r)) continue;
    add.push({ s: r, e: r + x.size, row: x });
  }
  add.sort((a, b) => a.s - b.s);
  const total = m + add.length;
  const starts = new Float64Array(total), ends = new Float64Array(total), rows = new Int32Array(total);
  const names = new Array<string>(total), binds = new Int8Array(total);
  for (let q = 0, a = 0, t = 0; t < total; t++) {
    if (a < add.length && (q >= m || add[a].s < fs[q])) {
      const x = add[a++];
      starts[t] = x.s; ends[t] = x.e; rows[t] = -1; names[t] = x.row.name; binds[t] = x.row.bind;
    } else {
      starts[t] = fs[q]; ends[t] = fe[q]; rows[t] = fr[q]; binds[t] = c.bind[fr[q]];
      q++;
    }
  }
  // Names of kept rows are decoded (and demangled, if the columns do) when a lookup first needs them.
  const nameOf = (t: number) => c.name(rows[t]);
  // Absolute addresses: doubles when every end is below 2^53, else BigUint64.
  const bNum = bHi * TWO32 + bLo;
  let maxEnd = -Infinity;
  for (let t = 0; t < total; t++) if (ends[t] > maxEnd) maxEnd = ends[t];
  if (bNum + maxEnd < TWO53 && bHi < 0x200000) {
    for (let t = 0; t < total; t++) { starts[t] += bNum; ends[t] += bNum; }
    return { index: SymbolIndex.fromColumns(starts, ends, names, binds, nameOf), row: rows };
  }
  return { index: SymbolIndex.fromColumns(toBig(starts, bHi, bLo), toBig(ends, bHi, bLo), names, binds, nameOf), row: rows };
}

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** base (hi, lo) + rel[t] as u64 (mod 2^64), written through 32-bit halves rather than a BigInt each. */
function toBig(rel: Float64Array, bHi: number, bLo: number): BigUint64Array {
  const out = new BigUint64Array(rel.length);
  const w = new Uint32Array(out.buffer);
  const h = LITTLE ? 1 : 0, l = LITTLE ? 0 : 1;
  for (let t = 0; t < rel.length; t++) {
    const r = rel[t];
    if (!(r >= 0 && r < TWO53)) { out[t] = BigInt.asUintN(64, (BigInt(bHi) << 32n) + BigInt(bLo) + BigInt(r)); continue; }
    const sum = bLo + (r % TWO32);
    const carry = Math.floor(sum / TWO32);
    w[2 * t + l] = sum - carry * TWO32;
    w[2 * t + h] = (bHi + Math.floor(r / TWO32) + carry) >>> 0;
  }
  return out;
}

/** Whether sorted `a[0..m)` holds `v`. */
function startsAt(a: Float64Array, m: number, v: number): boolean {
  let lo = 0, hi = m - 1;
  while (lo <= hi) { const mid = (lo + hi) >>> 1; if (a[mid] < v) lo = mid + 1; else if (a[mid] > v) hi = mid - 1; else return true; }
  return false;
}

/** choose_best_symbol (symbol-index.ts chooseBest) between sorted rows `a` (the best so far) and `b`: true when b wins. */
function better(c: SymbolColumns, order: Uint32Array, s: Float64Array, endOf: Float64Array, a: number, b: number): boolean {
  const as = endOf[a] - s[a], bs = endOf[b] - s[b];
  if (bs === 0 && as > 0) return false;
  if (as === 0 && bs > 0) return true;
  const ab = c.bind[order[a]], bb = c.bind[order[b]];
  const aw = ab === STB_WEAK, bw = bb === STB_WEAK;
  if (bw && !aw) return false;
  if (aw && !bw) return true;
  const ag = ab === STB_GLOBAL, bg = bb === STB_GLOBAL;
  if (ag && !bg) return false;
  if (bg && !ag) return true;
  const an = c.name(order[a]), bn = c.name(order[b]);
  const au = leadingUnderscores(an), bu = leadingUnderscores(bn);
  if (bu > au) return false;
  if (au > bu) return true;
  return an.length < bn.length;
}

function toRows(c: SymbolColumns): SymbolRow[] {
  const rows: SymbolRow[] = [];
  for (let i = 0; i < c.count; i++) rows.push({ name: c.name(i), start: (BigInt(c.hi[i]) << 32n) | BigInt(c.lo[i]), size: c.size[i], bind: c.bind[i] });
  return rows;
}

/**
 * The function symbols of an ELF symbol table as columns (symbol-index.ts functionRows' filter:
 * FUNC and GNU_IFUNC with a name in a real section, named NOTYPE labels in executable sections of
 * `sectionsFrom`, no `.L` local labels or `$` mapping symbols). Names are decoded when asked (their
 * bounds are checked here).
 */
export function functionColumns(table: ElfSymbolTable, sectionsFrom: ElfFile): SymbolColumns {
  const pick = new Uint32Array(table.count);
  let n = 0;
  for (let i = 0; i < table.count; i++) {
    if (!isFunctionSymbol(table, i, sectionsFrom)) continue;
    // A name that would not decode throws its FormatError now, as eager decoding did, not at lookup.
    table.checkName(i);
    pick[n++] = i;
  }
  const hi = new Uint32Array(n), lo = new Uint32Array(n), size = new Float64Array(n), bind = new Int8Array(n);
  for (let k = 0; k < n; k++) {
    const i = pick[k];
    hi[k] = table.valueHi[i]; lo[k] = table.valueLo[i]; size[k] = table.size[i]; bind[k] = table.info[i] >> 4;
  }
  return { count: n, hi, lo, size, bind, name: (k) => table.name(pick[k]) };
}
