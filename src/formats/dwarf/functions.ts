// Functions and inline trees of one unit: DW_TAG_subprogram, DW_TAG_entry_point and
// DW_TAG_inlined_subroutine DIEs with their names (through DW_AT_abstract_origin and
// DW_AT_specification, across units by DW_FORM_ref_addr), address ranges, call sites and the
// nearest enclosing function (the inline caller). Names and best-fit rules follow binutils'
// bfd/dwarf2.c (scan_unit_for_symbols, find_abstract_instance, lookup_address_in_function_table)
// so that addr2line's answers can be reproduced.
import { Cursor } from './cursor.js';
import { DwarfInfo, Unit, V_ADDR, V_REF, V_REF_ALT, V_STR, num } from './info.js';
import * as C from './constants.js';

export interface FunctionInfo {
  tag: number;
  /** Linkage name or name as binutils picks it (may be mangled); undefined when the DIE has none. */
  name: string | undefined;
  /** True when `name` is a linkage name (or a name in a language without mangling). */
  isLinkage: boolean;
  /** False until resolveFunctionName has filled `name` and `isLinkage`. */
  resolved: boolean;
  /** DIE offset in .debug_info. */
  offset: number;
  callFile: number;
  callLine: number;
  callColumn: number;
  /** Index of the nearest enclosing function DIE, or -1. */
  caller: number;
  /** Address ranges, flat [low, high) pairs, merged as binutils' arange_add merges adjacent ones. */
  ranges: number[];
}

export interface UnitFunctions {
  funcs: FunctionInfo[];
  /**
   * The best-fit answer precomputed per elementary segment: from segStart[k] up to
   * segStart[k + 1], findFunction answers segFunc[k] (-1: no function).
   */
  segStart: Float64Array;
  segFunc: Int32Array;
}

function addRange(r: number[], low: number, high: number): void {
  if (low === high) return;
  // binutils' arange_add scans every range for an adjacent one; past 512 ranges (only damaged
  // lists get there) we append, so a hostile list costs linear, not quadratic, time.
  if (r.length > 1024) { r.push(low, high); return; }
  for (let i = 0; i < r.length; i += 2) {
    if (low === r[i + 1]) { r[i + 1] = high; return; }
    if (high === r[i]) { r[i] = low; return; }
  }
  r.push(low, high);
}

const abstractCache = new WeakMap<DwarfInfo, Map<number, { name: string | undefined; isLinkage: boolean }>>();

/** binutils' find_abstract_instance: the name (and linkage flag) a DIE referenced by an origin gives. */
export function abstractName(info: DwarfInfo, offset: number, depth = 0): { name: string | undefined; isLinkage: boolean } {
  let cache = abstractCache.get(info);
  if (!cache) abstractCache.set(info, (cache = new Map()));
  const hit = cache.get(offset);
  if (hit) return hit;
  const res = { name: undefined as string | undefined, isLinkage: false };
  const u = info.unitAt(offset);
  if (!u || depth > 100) return res;
  const c = new Cursor(info.info, '.debug_info', offset, u.end);
  const code = c.uleb();
  const ab = code ? info.abbrevs(u).get(code) : undefined;
  if (!ab) return res;
  const unmangled = C.UNMANGLED_LANGUAGES.has(u.language);
  const a = ab.attrs;
  for (let i = 0; i < a.length; i += 2) {
    const at = a[i];
    if (at === C.DW_AT_name) {
      const v = info.readValue(c, a[i + 1], u);
      if (res.name === undefined && info.vclass === V_STR) { res.name = v as string; if (unmangled) res.isLinkage = true; }
    } else if (at === C.DW_AT_linkage_name || at === C.DW_AT_MIPS_linkage_name) {
      const v = info.readValue(c, a[i + 1], u);
      if (info.vclass === V_STR) { res.name = v as string; res.isLinkage = true; }
    } else if (at === C.DW_AT_specification) {
      const v = info.readValue(c, a[i + 1], u);
      const target = info.vclass === V_REF ? info : info.vclass === V_REF_ALT ? info.alt : undefined;
      if (target) {
        const r = abstractName(target, v as number, depth + 1);
        res.name = r.name;
        if (r.isLinkage) res.isLinkage = true;
      }
    } else info.skipValue(c, a[i + 1], u);
  }
  cache.set(offset, res);
  return res;
}

/**
 * Fills `f.name` and `f.isLinkage` from its DIE the way scan_unit_for_symbols does: attributes in
 * order, an abstract origin or specification giving the name of the DIE it points to, DW_AT_name
 * only while no name is set, a linkage name always winning.
 */
export function resolveFunctionName(info: DwarfInfo, u: Unit, f: FunctionInfo): void {
  if (f.resolved) return;
  f.resolved = true;
  const c = new Cursor(info.info, '.debug_info', f.offset, u.end);
  const ab = info.abbrevs(u).get(c.uleb());
  if (!ab) return c.fail(`abbreviation code in the table at .debug_abbrev offset ${u.abbrevOffset}`, f.offset);
  const unmangled = C.UNMANGLED_LANGUAGES.has(u.language);
  const a = ab.attrs;
  for (let i = 0; i < a.length; i += 2) {
    const at = a[i], form = a[i + 1];
    switch (at) {
      case C.DW_AT_abstract_origin: case C.DW_AT_specification: {
        const v = info.readValue(c, form, u);
        const target = info.vclass === V_REF ? info : info.vclass === V_REF_ALT ? info.alt : undefined;
        if (target) {
          const r = abstractName(target, v as number);
          f.name = r.name;
          if (r.isLinkage) f.isLinkage = true;
        }
        break;
      }
      case C.DW_AT_name: {
        const v = info.readValue(c, form, u);
        if (f.name === undefined && info.vclass === V_STR) { f.name = v as string; if (unmangled) f.isLinkage = true; }
        break;
      }
      case C.DW_AT_linkage_name: case C.DW_AT_MIPS_linkage_name: {
        const v = info.readValue(c, form, u);
        if (info.vclass === V_STR) { f.name = v as string; f.isLinkage = true; }
        break;
      }
      default: info.skipValue(c, form, u);
    }
  }
}

/** Walks every DIE of unit `u` and collects its functions and inlined subroutines. */
export function readUnitFunctions(info: DwarfInfo, u: Unit): UnitFunctions {
  const funcs: FunctionInfo[] = [];
  const abbrevs = info.abbrevs(u);
  const c = new Cursor(info.info, '.debug_info', u.dieOffset, u.end);
  // Function index per nesting level, -1 for other DIEs (a typed array: growing a JS array by
  // index deoptimizes the walk).
  let nested = new Int32Array(64);
  let depth = 0;
  while (c.pos < c.end) {
    const dieOffset = c.pos;
    const code = c.uleb();
    if (code === 0) {
      if (depth === 0) break;
      depth--;
      continue;
    }
    const ab = abbrevs.get(code);
    if (!ab) return c.fail(`abbreviation code ${code} in the table at .debug_abbrev offset ${u.abbrevOffset}`, dieOffset);
    const a = ab.attrs;
    const tag = ab.tag;
    if (tag === C.DW_TAG_subprogram || tag === C.DW_TAG_inlined_subroutine || tag === C.DW_TAG_entry_point) {
      // Names are resolved lazily (resolveFunctionName): most functions are never asked about.
      const f: FunctionInfo = { tag, name: undefined, isLinkage: false, resolved: false, offset: dieOffset, callFile: 0, callLine: 0, callColumn: 0, caller: -1, ranges: [] };
      let low = 0, high = 0, highIsOffset = false;
      for (let i = 0; i < a.length; i += 2) {
        const at = a[i], form = a[i + 1];
        switch (at) {
          case C.DW_AT_low_pc: low = num(info.readValue(c, form, u), 0); break;
          case C.DW_AT_high_pc: high = num(info.readValue(c, form, u, ab.consts?.[i / 2]), 0); highIsOffset = info.vclass !== V_ADDR; break;
          case C.DW_AT_ranges: {
            const v = num(info.readValue(c, form, u, ab.consts?.[i / 2]), -1);
            if (v >= 0) info.readRanges(u, v, form === C.DW_FORM_rnglistx, (lo, hi) => addRange(f.ranges, lo, hi));
            break;
          }
          case C.DW_AT_call_file: f.callFile = num(info.readValue(c, form, u, ab.consts?.[i / 2]), 0); break;
          case C.DW_AT_call_line: f.callLine = num(info.readValue(c, form, u, ab.consts?.[i / 2]), 0) >>> 0; break; // unsigned, as binutils stores it
          case C.DW_AT_call_column: f.callColumn = num(info.readValue(c, form, u, ab.consts?.[i / 2]), 0); break;
          default: info.skipValue(c, form, u);
        }
      }
      if (highIsOffset) high += low;
      if (high !== 0) addRange(f.ranges, low, high);
      if (f.ranges.length === 0 && !ab.hasChildren) {
        // No address and nothing inside (a C++ member declaration): no lookup can reach it.
        nested[depth] = -1;
        continue;
      }
      if (tag === C.DW_TAG_inlined_subroutine) {
        for (let d = depth - 1; d >= 0; d--) if (nested[d] >= 0) { f.caller = nested[d]; break; }
      }
      nested[depth] = funcs.length;
      funcs.push(f);
    } else {
      info.skipAttributes(c, ab, u);
      nested[depth] = -1;
    }
    if (ab.hasChildren && ++depth === nested.length) {
      const g = new Int32Array(nested.length * 2);
      g.set(nested);
      nested = g;
    }
  }
  return { funcs, ...bestFitSegments(funcs) };
}

/**
 * Sweeps the functions' ranges once and records, for each elementary segment between range
 * boundaries, the range binutils' best fit picks there: the shortest containing range, on equal
 * lengths the later DIE. A binary heap ordered by (length, -function) with lazy removal of ended
 * ranges keeps this O(R log R), whatever the nesting.
 */
function bestFitSegments(funcs: FunctionInfo[]): { segStart: Float64Array; segFunc: Int32Array } {
  let n = 0;
  for (const f of funcs) n += f.ranges.length / 2;
  const low = new Float64Array(n), high = new Float64Array(n), fn = new Int32Array(n);
  let k = 0;
  for (let fi = 0; fi < funcs.length; fi++) {
    const r = funcs[fi].ranges;
    for (let i = 0; i < r.length; i += 2) { low[k] = r[i]; high[k] = r[i + 1]; fn[k] = fi; k++; }
  }
  // Ranges come mostly in address order (DIE order follows the source, and so does the layout):
  // an insertion sort is linear then and needs no comparator calls; else a full sort.
  const byLow = new Int32Array(n);
  let moves = 0;
  for (let i = 0; i < n; i++) {
    const x = low[i];
    let j = i;
    while (j > 0 && low[byLow[j - 1]] > x && moves < 8 * n) { byLow[j] = byLow[j - 1]; j--; moves++; }
    byLow[j] = i;
  }
  if (moves >= 8 * n) {
    for (let i = 0; i < n; i++) byLow[i] = i;
    byLow.sort((x, y) => low[x] - low[y] || x - y);
  }
  const points = new Float64Array(2 * n);
  points.set(low); points.set(high, n);
  points.sort();
  // Heap of range indices; `better(x, y)`: x is the better fit.
  const heap = new Int32Array(n);
  let hn = 0;
  const better = (x: number, y: number): boolean => {
    const lx = high[x] - low[x], ly = high[y] - low[y];
    return lx < ly || (lx === ly && fn[x] > fn[y]);
  };
  const push = (x: number): void => {
    let i = hn++;
    while (i > 0) { const p = (i - 1) >> 1; if (!better(x, heap[p])) break; heap[i] = heap[p]; i = p; }
    heap[i] = x;
  };
  const pop = (): void => {
    const x = heap[--hn];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= hn) break;
      if (c + 1 < hn && better(heap[c + 1], heap[c])) c++;
      if (!better(heap[c], x)) break;
      heap[i] = heap[c]; i = c;
    }
    heap[i] = x;
  };
  const segStart: number[] = [], segFunc: number[] = [];
  let next = 0;
  for (let p = 0; p < points.length; p++) {
    const x = points[p];
    if (p > 0 && points[p - 1] === x) continue;
    while (next < n && low[byLow[next]] <= x) push(byLow[next++]);
    while (hn > 0 && high[heap[0]] <= x) pop();
    const best = hn > 0 ? fn[heap[0]] : -1;
    if (segFunc.length && segFunc[segFunc.length - 1] === best) continue;
    segStart.push(x); segFunc.push(best);
  }
  return { segStart: Float64Array.from(segStart), segFunc: Int32Array.from(segFunc) };
}

/**
 * The function binutils picks for `addr`: of all ranges containing it, the shortest; on equal
 * lengths the later DIE (the innermost inline). Returns -1 when none contains it.
 */
export function findFunction(uf: UnitFunctions, addr: number): number {
  const st = uf.segStart;
  let lo = 0, hi = st.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (st[mid] <= addr) lo = mid + 1; else hi = mid; }
  return lo > 0 ? uf.segFunc[lo - 1] : -1;
}
