// perf report --stdio text (perf 6.1: builtin-report.c, ui/stdio/hist.c, util/hist.c): per event
// "# Samples: N of event 'NAME'", "# Event count (approx.): PERIOD", the column header with its
// dotted underline (column width = max of header and every entry's text), rows "  %7.2f%%" per
// percentage column, then the call graph under each row when asked. Trailing spaces are trimmed
// from rows as perf does; perf's random tip lines are not printed.
import { CallNode, Hists, INLINED, LAZY_KEYS, SortKey, sortText, type HistEntry } from './hist.js';

export interface GraphOptions {
  /** 'graph' (perf's default), 'flat', 'folded', 'fractal'; 'none' prints no call graphs. */
  mode: 'graph' | 'flat' | 'folded' | 'fractal' | 'none';
  /** Minimum percent of a branch to print (perf's default 0.5). */
  threshold: number;
  /** 'callee' (perf's default order: the sampled function first) or 'caller'. */
  order: 'callee' | 'caller';
}

export interface SectionOptions {
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
const CUT: ReadonlySet<SortKey> = new Set(['srcline', 'srcfile', 'trace']);

/** perf's convert_unit: 55808 → 55 'K'. */
export function convertUnit(n: number): [number, string] {
  let unit = ' ';
  if (n > 1000) { n = Math.floor(n / 1000); unit = 'K'; }
  if (n > 1000) { n = Math.floor(n / 1000); unit = 'M'; }
  if (n > 1000) { n = Math.floor(n / 1000); unit = 'G'; }
  return [n, unit];
}

function pct(v: number, total: number): string {
  return (total ? (100 * v) / total : 0).toFixed(2).padStart(7) + '%';
}

/**
 * The width of each key column as perf 6.1 sizes it (hists__calc_col_len over every entry, then
 * at least the header): symbols by name length + 4 (an inline symbol's " (inlined)" overflows),
 * cpu a fixed 3, srcline and srcfile only from the texts perf has computed by then (Hists.textKnown).
 */
export function columnWidths(h: Hists, keys: SortKey[], entries: readonly HistEntry[]): number[] {
  const widths = keys.map((k) => HEADERS[k].length);
  for (const e of entries) {
    keys.forEach((k, i) => {
      if (k === 'cpu') return;
      if (LAZY_KEYS.has(k) && !h.textKnown(e, k)) return;
      if (k === 'trace' && e.trace === undefined) return; // perf prints "N/A" without sizing it
      const l = sortText(e, k, h.sources).length - (k === 'sym' && e.loc.sym?.inlined ? INLINED.length : 0);
      if (l > widths[i]) widths[i] = l;
    });
  }
  return widths;
}

/** One event's section: the "# Samples" lines, column header and rows. */
export function sectionLines(h: Hists, eventName: string, o: SectionOptions): string[] {
  const lines: string[] = [];
  const [n, unit] = convertUnit(h.nrSamples);
  lines.push(`# Samples: ${n}${unit} of event '${eventName}'`);
  lines.push(`# Event count (approx.): ${h.totalPeriod}`);
  lines.push('#');
  const keys = o.sort.filter((k) => !o.elide?.has(k));
  const entries = h.sorted();
  const widths = columnWidths(h, keys, entries);
  const head: string[] = [], dots: string[] = [];
  if (o.children) { head.push('Children', '    Self'); dots.push('........', '........'); } else { head.push('Overhead'); dots.push('........'); }
  // perf's hpp columns "Samples" and "Period": 12 wide, right-aligned
  if (o.showNrSamples) { head.push('Samples'.padStart(12)); dots.push('.'.repeat(12)); }
  if (o.showTotalPeriod) { head.push('Period'.padStart(12)); dots.push('.'.repeat(12)); }
  keys.forEach((k, i) => { head.push(HEADERS[k].padEnd(widths[i])); dots.push('.'.repeat(widths[i])); });
  lines.push('# ' + head.join('  '));
  lines.push('# ' + dots.join('  '));
  lines.push('#');
  const total = h.totalPeriod;
  for (const e of entries) {
    const v = o.children ? e.children : e.self;
    if (total && (100 * v) / total < o.percentLimit) continue;
    if (v === 0 && !o.children) continue;
    const cols: string[] = [];
    if (o.children) cols.push(pct(e.children, total), pct(e.self, total)); else cols.push(pct(e.self, total));
    if (o.showNrSamples) cols.push(String(e.samples).padStart(12));
    if (o.showTotalPeriod) cols.push(String(e.self).padStart(12));
    keys.forEach((k, i) => {
      let t = sortText(e, k, h.sources);
      if (CUT.has(k) && t.length > widths[i]) t = t.slice(0, widths[i]);
      cols.push(i < keys.length - 1 || SELF_PADDED.has(k) ? t.padEnd(widths[i]) : t);
    });
    lines.push('  ' + cols.join('  '));
    const root = o.graph.mode !== 'none' ? h.graphOf(e, o.graph.mode === 'graph' || o.graph.mode === 'fractal' ? (o.graph.threshold / 100) * total : 0) : undefined;
    if (root) {
      const g = graphLines(root, total, o.graph, o.children);
      if (g.length) { lines.push(...g); lines.push(''); }
    }
  }
  lines.push('');
  lines.push('');
  return lines;
}

/**
 * The call graph under an entry as perf's ui/stdio/hist.c callchain__fprintf_graph prints it in
 * graph mode (absolute percentages of the total period): the first level without a percentage
 * when it is the only child ("---name"), branches as "|--P%--name" / "--P%--name".
 */
export function graphLines(root: CallNode, total: number, g: GraphOptions, children: boolean): string[] {
  const out: string[] = [];
  const indent = ' '.repeat(12); // perf's stdio graph starts at column 12 in both modes
  void children;
  if (g.mode === 'flat' || g.mode === 'folded') return flatLines(root, total, g, indent);
  const rootTotal = root.total;
  void rootTotal;
  const kids = visible(root, total, g);
  if (!kids.length) return out;
  // perf: a single top-level chain starts with "|" and "---"; several start with "|--P%--"
  // (callchain__fprintf_graph prints the "|" line only for a lone first child)
  if (kids.length === 1 && root.self === 0) {
    out.push(indent + '|');
    const c = kids[0];
    printChain(out, c, indent, '---', total, g, true);
  } else {
    printChildren(out, root, indent, total, g, 0);
  }
  return out;
}

function visible(n: CallNode, total: number, g: GraphOptions): CallNode[] {
  const min = (g.threshold / 100) * total;
  return [...n.children.values()].filter((c) => c.total >= min && c.total > 0).sort((a, b) => b.total - a.total);
}

/** A straight run of single-child nodes printed one name per line, then its branches. */
function printChain(out: string[], start: CallNode, indent: string, lead: string, total: number, g: GraphOptions, first: boolean): void {
  let node = start;
  let prefix = indent + lead;
  const cont = indent + ' '.repeat(lead.length);
  out.push(prefix + node.name);
  void first;
  for (;;) {
    const kids = visible(node, total, g);
    if (kids.length === 1 && node.self === 0 && node.children.size === 1) {
      node = kids[0];
      out.push(cont + node.name);
      continue;
    }
    if (kids.length === 0) return;
    printChildren(out, node, cont, total, g, 0);
    return;
  }
  void prefix;
}

function printChildren(out: string[], node: CallNode, indent: string, total: number, g: GraphOptions, depth: number): void {
  const kids = visible(node, total, g);
  for (let i = 0; i < kids.length; i++) {
    const c = kids[i];
    // perf's graph mode drops the pipe for the last child always; fractal (relative) mode keeps it
    // while filtered or self hits remain (ui/stdio/hist.c __callchain__fprintf_graph).
    const last = i === kids.length - 1 && (g.mode !== 'fractal' || node.self === 0);
    const p = ((100 * c.total) / total).toFixed(2) + '%';
    out.push(indent + '|          '); // perf's spacer line keeps its trailing spaces
    const lead = last ? ` --${p}--` : `|--${p}--`;
    const sub = indent + (last ? ' ' : '|') + ' '.repeat(10); // each depth is 11 columns, whatever the percentage's width
    out.push(indent + lead + c.name);
    let n = c;
    for (;;) {
      const k = visible(n, total, g);
      if (k.length === 1 && n.self === 0 && n.children.size === 1) { n = k[0]; out.push(sub + n.name); continue; }
      if (k.length) printChildren(out, n, sub, total, g, depth + 1);
      break;
    }
    if (!last) { /* perf leaves a "|" spacer line between siblings */ }
  }
}

function flatLines(root: CallNode, total: number, g: GraphOptions, indent: string): string[] {
  const out: string[] = [];
  const walk = (n: CallNode, path: string[]) => {
    if (n.self > 0 && path.length) {
      if (g.mode === 'folded') out.push(`${pct(n.self, total).trim()} ${path.join(';')}`);
      else { out.push(indent + pct(n.self, total).trim()); for (const p of path) out.push(indent + '        ' + p); out.push(''); }
    }
    for (const c of [...n.children.values()].sort((a, b) => b.total - a.total)) walk(c, [...path, c.name]);
  };
  walk(root, []);
  return out;
}
