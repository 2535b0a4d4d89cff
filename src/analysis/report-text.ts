// perf report --stdio text (perf 6.1: builtin-report.c, ui/stdio/hist.c, util/hist.c): per event
// "# Samples: N of event 'NAME'", "# Event count (approx.): PERIOD", the column header with its
// dotted underline (column width = max of header and every entry's text), rows "  %7.2f%%" per
// percentage column, then the call graph under each row when asked. Trailing spaces are trimmed
// from rows as perf does; perf's random tip lines are not printed.
import { Hists, INLINED, LAZY_KEYS, SortKey, sortText, symTextLength, type HistEntry } from './hist.js';
import { ChainNode, pathOf, sortedFlat, sortedGraphAbs, sortedGraphRel } from './callchain.js';

/** perf's callchain_param as report prints with it (-g print_type,threshold,print_limit,order,sort_key,branch,value). */
export interface GraphOptions {
  /** 'graph' (perf's default, percentages of the total), 'fractal' (of the parent), 'flat', 'folded'; 'none' prints no call graphs. */
  mode: 'graph' | 'flat' | 'folded' | 'fractal' | 'none';
  /** Minimum percent of a branch to print (perf's default 0.5). */
  threshold: number;
  /** 'callee' (perf's default order: the sampled function first) or 'caller'. */
  order: 'callee' | 'caller';
  /** What a branch shows: its percentage (default), period, or sample count. */
  value?: 'percent' | 'period' | 'count';
  /** Print at most this many chains per level (0: all). */
  printLimit?: number;
  /**
   * perf leaves out the first frame of a lone top chain when --sort was given and starts with
   * "sym" (callchain__fprintf_graph: it repeats the entry's symbol).
   */
  skipFirst?: boolean;
}

export interface SectionOptions {
  /** perf report --time's argument, echoed after the event name. */
  timeStr?: string;
  sort: SortKey[];
  children: boolean;
  percentLimit: number;
  graph: GraphOptions;
  /** Sort keys not printed (a filter that leaves one value, as perf elides them). */
  elide?: Set<SortKey>;
  /** perf's -n/--show-nr-samples: a "Samples" column (the entry's own samples). */
  showNrSamples?: boolean;
  /** perf's --show-total-period: a "Period" column (the entry's own period). */
  showTotalPeriod?: boolean;
  /** A --dso filter was given (perf's symbol_conf.dso_list: no minimum DSO width for unresolved rows). */
  dsoList?: boolean;
  /** --percentage relative: percentages of the samples the filters left (perf's symbol_conf.filter_relative). */
  relative?: boolean;
}

/** perf 6.1's se_header of each sort key (sort.c). */
export const HEADERS: Record<SortKey, string> = {
  comm: 'Command', pid: '    Pid:Command', dso: 'Shared Object', sym: 'Symbol', cpu: 'CPU',
  srcline: 'Source:Line', srcfile: 'Source File', symoff: 'Symbol Offset', trace: 'Trace output',
};
/** Keys whose se_snprintf pads its text to the column width ("%-*.*s"); the others are padded
 * only when a column follows (hist_entry__snprintf_alignment), and the line keeps no trailing blanks. */
const SELF_PADDED: ReadonlySet<SortKey> = new Set(['comm', 'pid', 'dso', 'cpu']);
/** Keys printed with a precision of the column width ("%-.*s"): a longer text is cut. */
const CUT: ReadonlySet<SortKey> = new Set(['srcline', 'srcfile', 'trace', 'comm']);

/** perf's convert_unit: 55808 → 55 'K'. */
export function convertUnit(n: number): [number, string] {
  let unit = ' ';
  if (n > 1000) { n = Math.floor(n / 1000); unit = 'K'; }
  if (n > 1000) { n = Math.floor(n / 1000); unit = 'M'; }
  if (n > 1000) { n = Math.floor(n / 1000); unit = 'G'; }
  return [n, unit];
}

function pct(v: number, total: number): string {
  return fixed2(total ? (100 * v) / total : 0).padStart(7) + '%';
}

/** printf's %.2f: toFixed but for exact ties (x.xx5 is exact only for eighths), which printf rounds to even. */
export function fixed2(x: number): string {
  if (Number.isInteger(x * 8) && !Number.isInteger(x * 4) && Math.abs(x) < 2 ** 40) {
    const h = Math.floor(x * 100);
    return ((h % 2 === 0 ? h : h + 1) / 100).toFixed(2);
  }
  return x.toFixed(2);
}

/**
 * The width of each key column as perf 6.1 sizes it (hists__calc_col_len over every entry, then
 * at least the header): symbols by name length + 4 (an inline symbol's " (inlined)" overflows),
 * cpu a fixed 3, srcline and srcfile only from the texts perf has computed by then (Hists.textKnown).
 */
export function columnWidths(h: Hists, keys: SortKey[], entries: readonly HistEntry[], dsoList = false): number[] {
  const widths = keys.map((k) => HEADERS[k].length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === 'cpu') continue;
    let w = widths[i];
    const n = entries.length;
    // the usual keys by their texts' lengths, without making the texts (indexed loops: this runs
    // once, mostly unoptimized, where for-of makes an iterator result per step)
    // comm: perf sizes it by thread__comm_len, the length of the thread's comm when first asked
    // (at output: its last comm), and cuts each entry's comm to that width ("%-*.*s")
    if (k === 'comm') { for (let j = 0; j < n; j++) { const l = entries[j].thread.comm.length; if (l > w) w = l; } }
    else if (k === 'dso') {
      let unresolved = false;
      for (let j = 0; j < n; j++) { const loc = entries[j].loc, d = loc.dso, l = d ? d.shortName.length : 9; if (l > w) w = l; if (!loc.sym) unresolved = true; }
      // hists__set_unres_dso_col_len: an unresolved symbol widens the DSO column to 16 (BITS_PER_LONG / 4)
      if (unresolved && !dsoList && w < 16) w = 16;
    }
    else if (k === 'sym') { for (let j = 0; j < n; j++) { const loc = entries[j].loc, l = symTextLength(loc) - (loc.sym?.inlined ? INLINED.length : 0); if (l > w) w = l; } }
    else {
      for (let j = 0; j < n; j++) {
        const e = entries[j];
        if (LAZY_KEYS.has(k) && !h.textKnown(e, k)) continue;
        if (k === 'trace' && e.trace === undefined) continue; // perf prints "N/A" without sizing it
        const l = sortText(e, k, h.sources).length;
        if (l > w) w = l;
      }
    }
    widths[i] = w;
  }
  return widths;
}

/** Where report text goes, one line at a time (without its newline). */
export type LineSink = (line: string) => void;

/** One event's section: the "# Samples" lines, column header and rows (sectionText's lines, collected). */
export function sectionLines(h: Hists, eventName: string, o: SectionOptions): string[] {
  const lines: string[] = [];
  writeSection(h, eventName, o, (l) => lines.push(l));
  return lines;
}

/**
 * One event's section written line by line to `out` as each is made: an entry's call graph tree
 * is built, printed and dropped before the next entry's (a report can run to gigabytes of text).
 */
export function writeSection(h: Hists, eventName: string, o: SectionOptions, out: LineSink): void {
  // entries made by filtered samples stay in perf's output tree but print nothing and size no column
  const entries = h.anyFiltered ? h.sorted().filter((e) => !e.filtered) : h.sorted();
  // --percentage relative: the totals of the entries left (perf's total_non_filtered_period and
  // nr_non_filtered_samples: each sample counts in its own entry); else all samples', filtered ones included
  let total = h.totalPeriod, samples = h.nrSamples;
  if (o.relative && h.anyFiltered) {
    total = 0; samples = 0;
    for (let j = 0; j < entries.length; j++) { total += entries[j].self; samples += entries[j].samples; }
  }
  const [n, unit] = convertUnit(samples);
  out(`# Samples: ${n}${unit} of event '${eventName}'${o.timeStr !== undefined ? ` (time slices: ${o.timeStr})` : ''}`);
  out(`# Event count (approx.): ${total}`);
  out('#');
  const keys = o.sort.filter((k) => !o.elide?.has(k));
  const widths = columnWidths(h, keys, entries, o.dsoList);
  const head: string[] = [], dots: string[] = [];
  if (o.children) { head.push('Children', '    Self'); dots.push('........', '........'); } else { head.push('Overhead'); dots.push('........'); }
  // perf's hpp columns "Samples" and "Period": 12 wide, right-aligned
  if (o.showNrSamples) { head.push('Samples'.padStart(12)); dots.push('.'.repeat(12)); }
  if (o.showTotalPeriod) { head.push('Period'.padStart(12)); dots.push('.'.repeat(12)); }
  // perf formats each column header into hists__fprintf_headers' 1024-byte buffer (cut to 1023
  // characters: a 3600-wide Symbol column's header is not); the dots are printed one by one
  keys.forEach((k, i) => { head.push(HEADERS[k].padEnd(widths[i]).slice(0, 1023)); dots.push('.'.repeat(widths[i])); });
  out('# ' + head.join('  '));
  out('# ' + dots.join('  '));
  out('#');
  // graph, flat and folded print only branches reaching min_callchain_hits: an entry whose whole
  // graph is below it prints none, and its tree need not be built
  const minHit = Math.floor(total * (o.graph.threshold / 100));
  const fractal = o.graph.mode === 'fractal';
  const name = (id: number) => h.frameName(id);
  // Entries come sorted by their percentage column: consecutive ones often print the same one.
  let lastV = NaN, lastPct = '', lastS = NaN, lastSPct = '';
  const padded = keys.map((k, i) => i < keys.length - 1 || SELF_PADDED.has(k));
  // Padded comm and DSO texts, once per distinct text.
  const padMemo = keys.map(() => new Map<string, string>());
  for (let j = 0; j < entries.length; j++) {
    const e = entries[j];
    const v = o.children ? e.children : e.self;
    if (total && (100 * v) / total < o.percentLimit) continue;
    if (v === 0 && !o.children) continue;
    if (v !== lastV) { lastV = v; lastPct = pct(v, total); }
    let line = '  ' + lastPct;
    if (o.children) {
      if (e.self !== lastS) { lastS = e.self; lastSPct = pct(e.self, total); }
      line += '  ' + lastSPct;
    }
    if (o.showNrSamples) line += '  ' + String(e.samples).padStart(12);
    if (o.showTotalPeriod) line += '  ' + String(e.self).padStart(12);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      let t = sortText(e, k, h.sources);
      if (CUT.has(k) && t.length > widths[i]) t = t.slice(0, widths[i]);
      if (padded[i]) {
        if (k === 'comm' || k === 'dso') {
          const memo = padMemo[i];
          let p = memo.get(t);
          if (p === undefined) { p = t.padEnd(widths[i]); memo.set(t, p); }
          t = p;
        } else t = t.padEnd(widths[i]);
      }
      line += '  ' + t;
    }
    out(line);
    if (o.graph.mode === 'none' || (!fractal && h.graphPeriod(e) < minHit)) continue;
    if (fractal || o.graph.mode === 'graph') {
      // the tree is built as it prints, each branch dropped once printed: one path at a time
      const t = h.lazyGraphOf(e);
      if (t) writeCallchain(t.root, name, h.totalPeriod, v, o.graph, out, t.expand, total);
    } else {
      const root = h.graphOf(e, minHit);
      if (root) writeCallchain(root, name, h.totalPeriod, v, o.graph, out, undefined, total, h.contextFrame);
    }
  }
  out('');
  out('');
}

/**
 * The callchain text under an entry as perf 6.1's ui/stdio/hist.c prints it
 * (hist_entry_callchain__fprintf): `total` is the event's period, `entryPeriod` the entry's
 * (children or self, perf's parent_samples). Lines end as perf's do, trailing spaces included.
 */
export function callchainLines(root: ChainNode, name: (id: number) => string, total: number, entryPeriod: number, g: GraphOptions): string[] {
  const lines: string[] = [];
  writeCallchain(root, name, total, entryPeriod, g, (l) => lines.push(l));
  return lines;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * A frame name as perf's graph printer has it: callchain_list__sym_name into a 1024-byte buffer,
 * so at most 1023 bytes (long C++ template names are cut; seen on a system-wide node recording).
 */
export function graphName(s: string): string {
  if (s.length <= 341) return s; // 3 bytes a UTF-16 unit at most
  const b = utf8.encode(s);
  if (b.length <= 1023) return s;
  let end = 1023;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--; // a character cut in two is left out
  return fromUtf8.decode(b.subarray(0, end));
}

/**
 * callchainLines written line by line to `sink`. With `expand` (graph and fractal modes) the tree
 * is a lazy one (buildLazyCallchainTree): each node is expanded when reached, and its children
 * are dropped once printed.
 */
export function writeCallchain(root: ChainNode, name: (id: number) => string, total: number, entryPeriod: number, g: GraphOptions, sink: LineSink,
  expand?: (n: ChainNode) => void, hitTotal = total, contextFrame?: (id: number) => boolean): void {
  // perf's min_callchain_hits: a u64 share of the total period (graph and flat modes); with
  // --percentage relative of the unfiltered entries' (`hitTotal`) while percentages stay of all
  const minHit = Math.floor(hitTotal * (g.threshold / 100));
  const limit = g.printLimit ?? 0;
  const value = (n: ChainNode, t: number, folded = false) => {
    const p = folded ? n.hit : n.cumul, c = folded ? n.count : n.cumulCount;
    if (g.value === 'period') return String(p);
    if (g.value === 'count') return String(c);
    return fixed2(t ? (p * 100) / t : 0) + '%';
  };
  let printedLines = 0;
  const out = { push(l: string): void { printedLines++; sink(l); } };
  if (g.mode === 'flat' || g.mode === 'folded') {
    let printed = 0;
    for (const n of sortedFlat(root, minHit)) {
      // __callchain__fprintf_flat/_folded skip entries whose ip is >= PERF_CONTEXT_MAX
      const ids = pathOf(n);
      const names = (contextFrame ? ids.filter((id) => !contextFrame(id)) : ids).map(name);
      if (g.mode === 'folded') out.push(value(n, total, true) + ' ' + names.join(';'));
      else { out.push(' '.repeat(11) + value(n, total)); for (const x of names) out.push(' '.repeat(16) + x); out.push(''); }
      if (++printed === limit) break;
    }
    return;
  }
  const rel = g.mode === 'fractal';
  const full = name;
  name = (id) => graphName(full(id));
  const sorted = (n: ChainNode) => (rel ? sortedGraphRel(n, g.threshold) : sortedGraphAbs(n, minHit));
  const margin0 = ' '.repeat(12);
  let margin = margin0;
  let top = root;
  const first = sorted(root);
  // callchain__fprintf_graph: a lone top chain holding the whole entry prints without a percentage
  if (first.length === 1 && first[0].cumul === entryPeriod) {
    const c = first[0];
    expand?.(c);
    let printed = 0, started = false;
    for (let i = 0; i < c.val.length; i++) {
      if (i === 0 && g.skipFirst) continue;
      if (!started) { out.push(margin + '|'); out.push(margin + '---' + name(c.val[i])); margin += '   '; started = true; }
      else out.push(margin + name(c.val[i]));
      if (++printed === limit) break;
    }
    top = c;
  }
  const graphLine = (depth: number, mask: number) => {
    let s = margin;
    for (let i = 0; i < depth; i++) s += mask & (1 << i) ? '|          ' : '           ';
    out.push(s);
  };
  const chainLine = (text: string, v: string, depth: number, mask: number, withValue: boolean) => {
    let s = margin;
    for (let i = 0; i < depth; i++) {
      s += mask & (1 << i) ? '|' : ' ';
      s += withValue && i === depth - 1 ? '--' + v + '--' : '          ';
    }
    out.push(s + text);
  };
  // __callchain__fprintf_graph
  const level = (node: ChainNode, t: number, depth: number, mask: number) => {
    let remaining = t, cumulCount = 0, newMask = mask, printed = 0;
    const kids = sorted(node);
    let child: ChainNode | undefined;
    for (let k = 0; k < kids.length; k++) {
      child = kids[k];
      remaining -= child.cumul;
      cumulCount += child.cumulCount;
      // the last child drops its level's pipe, unless fractal mode still has filtered hits to show
      if (k === kids.length - 1 && (!rel || !remaining)) newMask &= ~(1 << (depth - 1));
      graphLine(depth, mask);
      const v = value(child, t);
      expand?.(child);
      child.val.forEach((id, i) => chainLine(name(id), v, depth, newMask, i === 0));
      level(child, rel ? child.childrenHit : t, depth + 1, newMask | (1 << depth));
      if (expand) child.children = [];
      if (++printed === limit) break;
    }
    if (rel && remaining && remaining !== t) {
      const rem = new ChainNode(undefined, []);
      rem.hit = remaining;
      if (g.value === 'count' && child) {
        rem.count = node.childrenCount - cumulCount;
        if (rem.count <= 0) return;
      }
      newMask &= ~(1 << (depth - 1));
      chainLine('[...]', value(rem, t), depth, newMask, true);
    }
  };
  level(top, rel ? entryPeriod : total, 1, 1);
  if (printedLines) sink(''); // perf: a blank line after a graph that printed anything
}
