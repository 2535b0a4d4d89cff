// Report histograms as perf builds them (tools/perf/util/hist.c, perf 6.1): one entry per distinct
// value of the sort keys; `self` gets each sample's period in the entry of its ip; with children
// (perf's cumulative iterator, iter_add_single_cumulative_entry / iter_add_next_cumulative_entry)
// the sample's entry and every callchain entry that differs from the entries already added for
// this sample (hist_entry__cmp on all sort keys: recursion counts once) get the period in
// `children`. Percentages are period-weighted against the event's total period.
//
// Quirks kept from perf: unresolved sample ips key by their map-relative address, unresolved
// callchain entries by the raw ip (so they are different entries); a callchain entry without a map
// takes the level ('.'/'k') of the previous entry of the same sample (perf reuses its addr_location).
import type { Loc, ResolvedSample, Thread } from './machine.js';

export type SortKey = 'comm' | 'pid' | 'dso' | 'sym' | 'cpu';
export const SORT_KEYS: readonly string[] = ['comm', 'pid', 'dso', 'sym', 'symbol', 'cpu'];

/** Parses perf's --sort list ("comm,dso,sym"). Throws with perf's message on an unknown key. */
export function parseSortKeys(s: string): SortKey[] {
  const out: SortKey[] = [];
  for (const raw of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const k = raw === 'symbol' ? 'sym' : raw;
    if (!['comm', 'pid', 'dso', 'sym', 'cpu'].includes(k)) throw new Error(`Unknown --sort key: \`${raw}'`);
    if (!out.includes(k as SortKey)) out.push(k as SortKey);
  }
  return out;
}

/** A node of an entry's call graph (callee order: children are callers of their parent). */
export class CallNode {
  readonly children = new Map<string, CallNode>();
  /** Period of samples whose chain ends here (perf's hit). */
  self = 0;
  /** Period of samples through this node (perf's children_hit + hit). */
  total = 0;
  count = 0;
  constructor(readonly loc: Loc | undefined, readonly name: string) {}
}

export interface HistEntry {
  key: string;
  comm: string;
  thread: Thread;
  cpu: number;
  /** The location the entry stands for (sym, dso, level, addr). */
  loc: Loc;
  level: string;
  self: number;
  children: number;
  samples: number;
  /** Call graph of the samples counted in this entry (when built). */
  graph?: CallNode;
}

export interface HistOptions {
  sort: SortKey[];
  children: boolean;
  /** Build per-entry call graphs (for -g graph/flat/folded/...). */
  graph: boolean;
  /** The name a frame has in the call graph. */
  frameName?: (loc: Loc) => string;
}

/** perf's symbol column text: "[.] name", "[k] 0x...", with perf's %-#.*llx for unresolved addresses. */
export function symText(loc: Loc, level = loc.level): string {
  if (loc.sym) return `[${level}] ${loc.sym.name}`;
  const h = loc.addrHex;
  return `[${level}] ${/^0*$/.test(h) ? '0'.repeat(16) : '0x' + h.padStart(16, '0')}`;
}

export function dsoText(loc: Loc): string { return loc.dso ? loc.dso.shortName : '[unknown]'; }

/** One event's histogram. */
export class Hists {
  readonly entries = new Map<string, HistEntry>();
  totalPeriod = 0;
  nrSamples = 0;
  private readonly seen: string[] = [];
  private readonly name: (loc: Loc) => string;

  constructor(readonly opts: HistOptions) {
    this.name = opts.frameName ?? ((l) => (l.sym ? l.sym.name : symText(l).slice(4)));
  }

  private keyOf(r: ResolvedSample, loc: Loc): string {
    let k = '';
    for (const s of this.opts.sort) {
      switch (s) {
        case 'comm': k += r.thread.comm + '\0'; break;
        case 'pid': k += r.thread.tid + ':' + r.thread.pid + '\0'; break;
        case 'cpu': k += r.cpu + '\0'; break;
        case 'dso': k += (loc.dso ? loc.dso.id : -1) + '\0'; break;
        case 'sym': k += loc.sym ? 's' + loc.sym.id + '\0' : 'a' + loc.addrHex + '\0'; break;
      }
    }
    return k;
  }

  private entry(r: ResolvedSample, loc: Loc, key: string, level: string): HistEntry {
    let e = this.entries.get(key);
    if (!e) {
      e = { key, comm: r.thread.comm, thread: r.thread, cpu: r.cpu, loc, level, self: 0, children: 0, samples: 0 };
      this.entries.set(key, e);
    }
    return e;
  }

  /** Adds one resolved sample. */
  add(r: ResolvedSample): void {
    const period = r.period;
    this.totalPeriod += period;
    this.nrSamples++;
    const self = r.frames[0];
    const key = this.keyOf(r, self);
    const e = this.entry(r, self, key, self.level);
    e.self += period;
    e.samples++;
    if (this.opts.graph && !this.opts.children) this.addGraph(e, r, 0, period);
    if (!this.opts.children) return;
    e.children += period;
    if (this.opts.graph) this.addGraph(e, r, 0, period);
    const seen = this.seen;
    seen.length = 0;
    seen.push(key);
    // perf 6.1: fill_callchain_info leaves al->level alone for entries without a map, so they keep
    // the sample's level (seen as "[k] 0x00007f..." rows under kernel samples).
    const level = self.level;
    for (let i = 0; i < r.chainLength; i++) {
      const loc = r.chain[i];
      const k = this.keyOf(r, loc);
      let dup = false;
      for (let j = 0; j < seen.length; j++) if (seen[j] === k) { dup = true; break; }
      if (dup) continue;
      seen.push(k);
      const ce = this.entry(r, loc, k, loc.dso ? loc.level : level);
      ce.children += period;
      if (this.opts.graph) this.addGraph(ce, r, i + 1, period);
    }
  }

  /** Appends the chain from index `from` (perf's callchain_append of the cursor's remaining nodes). */
  private addGraph(e: HistEntry, r: ResolvedSample, from: number, period: number): void {
    let node = e.graph ??= new CallNode(undefined, '');
    node.total += period;
    node.count++;
    for (let i = from; i < r.chainLength; i++) {
      const loc = r.chain[i];
      const name = this.name(loc);
      let c = node.children.get(name);
      if (!c) { c = new CallNode(loc, name); node.children.set(name, c); }
      c.total += period;
      c.count++;
      node = c;
    }
    node.self += period;
  }

  /** Entries in perf's output order: children (when on) then self, descending; ties by the sort keys. */
  sorted(): HistEntry[] {
    const keyStr = (e: HistEntry) => this.opts.sort.map((s) => sortText(e, s)).join('\0');
    const arr = [...this.entries.values()];
    const ks = new Map(arr.map((e) => [e, keyStr(e)]));
    return arr.sort((a, b) => (this.opts.children ? b.children - a.children : 0) || b.self - a.self || (ks.get(a)! < ks.get(b)! ? -1 : ks.get(a)! > ks.get(b)! ? 1 : 0));
  }
}

/** The text of a sort key column for an entry. */
export function sortText(e: HistEntry, key: SortKey): string {
  switch (key) {
    case 'comm': return e.comm;
    case 'pid': return `${String(e.thread.tid).padStart(7)}:${e.thread.comm}`;
    case 'cpu': return (e.cpu < 0 ? '-' : '') + String(Math.abs(e.cpu)).padStart(3, '0'); // printf("%3.3d")
    case 'dso': return dsoText(e.loc);
    case 'sym': return symText(e.loc, e.level);
  }
}
