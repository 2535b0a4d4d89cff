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
import type { DsoInfo, Loc, ResolvedSample, SymInfo, Thread } from './machine.js';
import { F64Column, I32Column, PairIndex, PairTable } from './pair-table.js';
import { SourceLines } from './srcline.js';
import { buildCallchainTree, buildLazyCallchainTree, compareFrameLocs, frameText, type ChainNode, type LazyCallchainTree } from './callchain.js';

/**
 * Sort keys (perf 6.1's sort.c sort_dimension names). `tid` is kscope's name for perf's `pid` key
 * (which keys by thread id and prints "TID:comm"); `symoff` is perf 6.9's key (symbol, then address:
 * "[.] name+0xOFF"), which perf 6.1 lacks.
 */
export type SortKey = 'comm' | 'pid' | 'dso' | 'sym' | 'cpu' | 'srcline' | 'srcfile' | 'symoff' | 'trace';
export const SORT_KEYS: readonly string[] = ['comm', 'pid', 'tid', 'dso', 'sym', 'symbol', 'cpu', 'srcline', 'srcfile', 'symoff', 'trace'];
const ALIASES: Record<string, SortKey> = { symbol: 'sym', tid: 'pid' };

/** Keys perf computes lazily in se_cmp (their text exists only once compared: see Hists.textKnown). */
export const LAZY_KEYS: ReadonlySet<SortKey> = new Set(['srcline', 'srcfile', 'trace']);

/** Parses perf's --sort list ("comm,dso,sym"). Throws with perf's message on an unknown key. */
export function parseSortKeys(s: string): SortKey[] {
  const out: SortKey[] = [];
  for (const raw of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const k = ALIASES[raw] ?? raw;
    if (!SORT_KEYS.includes(k)) throw new Error(`Unknown --sort key: \`${raw}'`);
    if (!out.includes(k as SortKey)) out.push(k as SortKey);
  }
  return out;
}

export interface HistEntry {
  /** Dense index of the entry in its Hists. */
  idx: number;
  comm: string;
  thread: Thread;
  cpu: number;
  /** The location the entry stands for (sym, dso, level, addr). */
  loc: Loc;
  level: string;
  self: number;
  children: number;
  samples: number;
  /** The last sample that added to this entry (the cumulative iterator's "seen" check). */
  stamp: number;
  /** The longest callchain cursor recorded for the entry (perf's callchain_root max_depth; with graphs). */
  maxDepth: number;
  /** Per lazy sort key (srcline, srcfile) in sort order: the id of the entry's key prefix before it. */
  prefixes?: number[];
  /** The srcline and srcfile texts (with those sort keys). */
  srcline?: string;
  /**
   * The srcline came with the callchain node that made the entry (perf's append_inlines gives each
   * inline-list node its record's srcline, copied into the entry): known without a comparison.
   */
  srclineGiven?: boolean;
  srcfile?: string;
  /** The trace text (perf's trace_output) of the entry's first sample; undefined: not a tracepoint ("N/A"). */
  trace?: string;
  /**
   * The sample that made the entry was filtered out (--comm, --pid, --tid, --dso, --symbols):
   * perf's he->filtered, set when the entry is made and kept when later samples add to it, so an
   * entry prints (with every sample's period) or not by its first sample alone.
   */
  filtered: boolean;
}

export interface HistOptions {
  sort: SortKey[];
  children: boolean;
  /** Keep per-entry call graphs (for -g graph/flat/folded/...). */
  graph: boolean;
  /** perf's callchain order: 'callee' (the chain as sampled, innermost first) or 'caller' (reversed). */
  order?: 'callee' | 'caller';
  /** The name a frame has in the call graph (perf's callchain_list__sym_name by default). */
  frameName?: (loc: Loc) => string;
  /** srcline/srcfile texts (shared between an event's Hists; made when omitted). */
  sources?: SourceLines;
  /**
   * Sort keys perf elides (a --comm/--dso filter of one value): hist_entry__sort skips them
   * (perf_hpp__should_skip), so they do not order the output; entries are still told apart by them.
   */
  elide?: ReadonlySet<SortKey>;
}

/** perf's symbol column text: "[.] name", "[k] 0x...", with perf's %-#.*llx for unresolved addresses. */
export function symText(loc: Loc, level = loc.level): string {
  if (loc.sym) return `[${level}] ${symName(loc.sym)}`;
  const hi = loc.addrHi;
  if (hi !== undefined) { // from the halves: no hex text kept on the Loc
    const lo = loc.addrLo!;
    if (hi === 0 && lo === 0) return `[${level}] 0000000000000000`;
    return `[${level}] 0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`;
  }
  const h = loc.addrHex;
  return `[${level}] ${/^0*$/.test(h) ? '0'.repeat(16) : '0x' + h.padStart(16, '0')}`;
}

/** symText(loc).length without making the text: what a column width needs. */
export function symTextLength(loc: Loc): number {
  if (loc.sym) return 4 + symName(loc.sym).length;
  const hi = loc.addrHi;
  if (hi !== undefined) return hi === 0 && loc.addrLo === 0 ? 20 : 22;
  const h = loc.addrHex;
  return 4 + (/^0*$/.test(h) ? 16 : 2 + Math.max(16, h.length));
}

/** A symbol's name as perf's columns and call graphs print it: inline symbols get " (inlined)". */
export function symName(s: SymInfo): string { return s.inlined ? s.name + INLINED : s.name; }
export const INLINED = ' (inlined)';

export function dsoText(loc: Loc): string { return loc.dso ? loc.dso.shortName : '[unknown]'; }

let histsMade = 0;

/** Per-Loc cached small ints (Loc ids are dense): 0 = not computed, else value + 1. */
class LocInts {
  private data = new Int32Array(4096);
  get(id: number): number { return id < this.data.length ? this.data[id] - 1 : -1; }
  set(id: number, v: number): void {
    if (id >= this.data.length) { const n = new Int32Array(Math.max(id + 1, this.data.length * 2)); n.set(this.data); this.data = n; }
    this.data[id] = v + 1;
  }
}

/**
 * One event's histogram. Entries are interned by their sort-key tuple through a PairTable of small
 * ints (no string per sample). Call graphs are kept compactly: every sample's callchain cursor is
 * interned in a trie whose nodes are the cursor's suffixes (node_i = (node_{i+1}, frame i)), and an
 * entry records (suffix node, period) pairs; graphOf() replays an entry's pairs into perf's callchain radix tree
 * when it is printed.
 */
export class Hists {
  readonly list: HistEntry[] = [];
  totalPeriod = 0;
  nrSamples = 0;
  /** Some entry was made by a filtered sample (see add). */
  anyFiltered = false;
  private filtering = false;
  private readonly name: (loc: Loc) => string;
  private readonly keys = new PairTable(12);
  /** Per key: the idx + 1 of its entry (0: none yet). */
  private idxOfKey = new Int32Array(1024);
  /**
   * Per entry idx: self period and samples added since the entry objects were last brought up to
   * date (flushCounts): the per-sample path adds into these compact columns, not into an object
   * somewhere on the heap (a cache miss per sample).
   */
  /** At [2 idx]: the self period added, at [2 idx + 1] the samples (one cache line for both). */
  private counts = new Float64Array(2 * 1024);
  /** Per entry idx: its comm's Thread.commId (equal texts, equal ids), for entries made by entryIdx (the first commIdsMade). */
  private commIdOf = new Int32Array(1024);
  private commIdsMade = 0;
  private pending = false;
  private readonly commIds = new Map<string, number>();
  /** Unresolved addresses as ids: by their halves where the Loc has them, else by their text. */
  private readonly addrIds = new Map<string, number>();
  private readonly addrPairs = new PairIndex(1024);
  private nextAddrId = 0;
  private readonly pids = new PairTable(8);
  private readonly symKeys = new LocInts();
  private readonly nameOfLoc = new LocInts();
  private readonly names: string[] = [];
  private readonly nameLocs: Loc[] = [];
  private readonly nameIds = new Map<string, number>();
  /** Per frame id: how it compares (0 symbol, 1 unresolved, 2 through compareFrameLocs), its DSO rank, address halves. */
  private readonly frameKind: number[] = [];
  private readonly frameDso: number[] = [];
  private readonly frameHi: number[] = [];
  private readonly frameLo: number[] = [];
  /** Cursor trie: node id x (1-based; 0 is the root) → frame name id at [2x - 2], parent node at [2x - 1]. */
  private readonly trie = new PairTable(14);
  private readonly trieNodes = new I32Column();
  /** (entry idx, suffix node) → slot; per slot its entry, node, period, count. */
  private readonly graphs = new PairTable(14);
  private readonly slotEntry = new I32Column();
  private readonly slotNode = new I32Column();
  private readonly slotPeriod = new F64Column();
  private readonly slotCount = new F64Column();
  private slotsByEntry: Int32Array | undefined;
  private slotsStart: Int32Array | undefined;
  private sfx = new Int32Array(256);
  private cursor: Loc[] = [];
  private stamp = 0;
  readonly sources: SourceLines;
  private readonly textIds = new Map<string, number>();
  private readonly symoffs = new PairTable(10);
  /** Positions of lazy keys in opts.sort, and per key prefix id the number of insertions with it. */
  private readonly lazyAt: number[];
  private readonly prefixCounts: Map<number, number>[];
  private readonly prefixScratch: number[] = [];
  /** Per lazy key position: insertions with the prefix before this one (perf compared the text iff > 0). */
  private readonly seenScratch: number[] = [];
  /** Per lazy key position: the prefixes of the entries added for the current sample (perf's he_cache). */
  private readonly samplePrefixes: number[][];
  /** Per lazy key position: the location of a prefix group's only entry, until a second insertion compares it. */
  private readonly groupFirst: Map<number, [Loc, number | undefined]>[];
  private lastRaw: number | undefined;
  private lastSrcline: string | undefined;
  private lastSrclineGiven = false;
  private lastSrcfile: string | undefined;
  private trace: string | undefined;

  /** Tags this Hists' memo words in the machine's slots (ResolvedSample.selfMemo). */
  private readonly serial = ++histsMade;

  constructor(readonly opts: HistOptions) {
    const codes = opts.sort.map((k) => ['comm', 'dso', 'sym'].indexOf(k));
    this.simpleSort = codes.every((c) => c >= 0) ? Int8Array.from(codes) : undefined;
    this.simpleComm = codes.includes(0);
    this.name = opts.frameName ?? frameText;
    this.sources = opts.sources ?? new SourceLines();
    this.lazyAt = opts.sort.flatMap((k, i) => (LAZY_KEYS.has(k) ? [i] : []));
    this.prefixCounts = this.lazyAt.map(() => new Map<number, number>());
    this.samplePrefixes = this.lazyAt.map(() => []);
    this.groupFirst = this.lazyAt.map(() => new Map());
  }

  /**
   * Whether perf 6.1 has computed the lazy key text (srcline, srcfile) of the entry by the time it
   * sizes the columns (hists__calc_col_len counts only texts already computed). perf computes them
   * in se_cmp, reached only when the keys before it are equal: when an insertion (a sample, or a
   * children-mode callchain entry, the "already added for this sample" check included) meets an
   * entry with the same earlier keys. Every entry of a prefix group that saw two or more insertions
   * was compared (a new entry is compared with both of its in-order neighbours in the rb-tree, and
   * copies the text of its template); an entry alone in its group with one insertion never is, and
   * perf prints its text cut to the column width ("%-.*s"). A srcline that came with the entry's
   * callchain node (srclineGiven) is known from the start.
   */
  textKnown(e: HistEntry, key: SortKey): boolean {
    const j = this.lazyAt.findIndex((i) => this.opts.sort[i] === key);
    if (j < 0 || !e.prefixes || (key === 'srcline' && e.srclineGiven)) return true;
    return (this.prefixCounts[j].get(e.prefixes[j]) ?? 0) >= 2;
  }

  private textId(s: string): number {
    let id = this.textIds.get(s);
    if (id === undefined) { id = this.textIds.size; this.textIds.set(s, id); }
    return id;
  }

  /** Entries in creation order. */
  get entries(): readonly HistEntry[] { this.flushCounts(); return this.list; }

  /** Adds the counts gathered in the columns into the entry objects. */
  private flushCounts(): void {
    if (!this.pending) return;
    this.pending = false;
    const list = this.list, c = this.counts, n = Math.min(list.length, c.length >> 1);
    for (let i = 0; i < n; i++) {
      if (c[2 * i + 1] === 0) continue;
      const e = list[i];
      e.self += c[2 * i]; e.samples += c[2 * i + 1] | 0; // an int: `samples` stays a small-int field (no entry migrated)
      c[2 * i] = 0; c[2 * i + 1] = 0;
    }
  }

  private symKey(loc: Loc): number {
    let k = this.symKeys.get(loc.id);
    if (k < 0) {
      if (loc.sym) k = loc.sym.id * 2;
      else if (loc.addrHi !== undefined) {
        // by the address's halves (no hex text made); ids shared with the texts' below
        let a = this.addrPairs.get(loc.addrHi | 0, loc.addrLo! | 0);
        if (a < 0) { a = this.nextAddrId++; this.addrPairs.set(loc.addrHi | 0, loc.addrLo! | 0, a); }
        k = a * 2 + 1;
      } else {
        let a = this.addrIds.get(loc.addrHex);
        if (a === undefined) { a = this.nextAddrId++; this.addrIds.set(loc.addrHex, a); }
        k = a * 2 + 1;
      }
      this.symKeys.set(loc.id, k);
    }
    return k;
  }

  /** The key of the entry for `loc`: the sample's own (at < 0) or chain entry `at` of the sample. */
  private keyOf(r: ResolvedSample, loc: Loc, at = -1): number {
    if (this.simpleSort) return this.simpleKeyOf(loc, this.simpleComm ? r.thread.commId : -1);
    let k = 0;
    let lazy = 0;
    this.lastRaw = at < 0 ? undefined : r.chainIps[at];
    for (const s of this.opts.sort) {
      let c: number;
      if (LAZY_KEYS.has(s)) { // prefix ids of different positions may be equal numbers: one count map per position
        const counts = this.prefixCounts[lazy];
        const seen = counts.get(k) ?? 0;
        counts.set(k, seen + 1);
        this.seenScratch[lazy] = seen;
        this.prefixScratch[lazy++] = k;
      }
      switch (s) {
        case 'comm': {
          const comm = r.thread.comm;
          let id = this.commIds.get(comm);
          if (id === undefined) { id = this.commIds.size; this.commIds.set(comm, id); }
          c = id;
          break;
        }
        case 'pid': c = this.pids.intern(r.thread.tid, r.thread.pid); break;
        case 'cpu': c = r.cpu; break;
        case 'dso': c = loc.dso ? loc.dso.id : -1; break;
        case 'sym': c = this.symKey(loc); break;
        case 'symoff': c = this.symoffs.intern(this.symKey(loc), this.textId(loc.addrHex)); break;
        case 'srcline': {
          const given = at < 0 ? undefined : r.chainSrclines?.[at];
          const t = at < 0 ? this.sources.srcline(loc) : given ?? this.sources.srclineAt(loc, r.chainIps[at]);
          this.lastSrcline = t;
          this.lastSrclineGiven = given !== undefined;
          c = this.textId(t);
          break;
        }
        case 'trace': c = this.trace === undefined ? -1 : this.textId(this.trace); break;
        case 'srcfile': {
          const t = at < 0 ? this.sources.srcfile(loc) : this.sources.srcfileAt(loc, r.chainIps[at]);
          this.lastSrcfile = t;
          c = this.textId(t);
          break;
        }
      }
      k = this.keys.intern(k, c);
    }
    return k;
  }

  /** Sort keys of only comm, dso and sym (perf's default and the usual ones) as codes 0, 1, 2: keyOf's fast path. */
  private readonly simpleSort: Int8Array | undefined;
  private readonly simpleComm: boolean = false;
  /** Per Loc id: the id of its (dso, sym) part of the key in sort order (locKeys), comm left out. */
  private readonly locParts = new LocInts();
  private readonly locKeys = new PairTable(12);
  /** Per Loc id at [2 id, 2 id + 2): the comm id + 2 it was last met with (0: never), and that entry's idx. */
  private lastIdx = new Int32Array(8192);

  /**
   * The entry idx for `loc` (its id `id`; a new entry's level `level`, else the Loc's) with simpleSort: a Loc met again with the comm it had
   * last time (Thread.commId; -1 without a comm key) gives its entry from lastIdx, without a
   * probe; else through simpleKeyOf and entryIdx.
   */
  private simpleIdx(r: ResolvedSample, loc: Loc, id: number, level: string | undefined): number {
    const comm = this.simpleComm ? r.thread.commId : -1;
    let last = this.lastIdx;
    if (2 * id + 1 < last.length && last[2 * id] === comm + 2) return last[2 * id + 1];
    const idx = this.entryIdx(r, loc, this.simpleKeyOf(loc, comm), level ?? loc.level);
    if (2 * id + 1 >= last.length) {
      const n = new Int32Array(Math.max(2 * id + 2, last.length * 2));
      n.set(last);
      this.lastIdx = last = n;
    }
    last[2 * id] = comm + 2; last[2 * id + 1] = idx;
    return idx;
  }

  /**
   * keyOf for simpleSort: the key is (the comm id or -1, the Loc's dso/sym part), the part
   * interned once per Loc: no string work (Thread.commId is the comm's id).
   */
  private simpleKeyOf(loc: Loc, comm: number): number {
    const id = loc.id;
    let part = this.locParts.get(id);
    if (part < 0) {
      const codes = this.simpleSort!;
      part = 0;
      for (let i = 0; i < codes.length; i++) {
        const code = codes[i];
        if (code === 1) part = this.locKeys.intern(part, loc.dso ? loc.dso.id : -1);
        else if (code === 2) part = this.locKeys.intern(part, this.symKey(loc));
      }
      this.locParts.set(id, part);
    }
    return this.keys.intern(comm, part);
  }

  private entry(r: ResolvedSample, loc: Loc, at: number, level: string): HistEntry {
    return this.list[this.simpleSort ? this.simpleIdx(r, loc, loc.id, level) : this.entryIdx(r, loc, this.keyOf(r, loc, at), level)];
  }

  /** The idx of the entry for `key`, made (with `loc`, `level`) when new. */
  private entryIdx(r: ResolvedSample, loc: Loc, key: number, level: string): number {
    let of = this.idxOfKey;
    if (key < of.length) { const i = of[key]; if (i !== 0) return i - 1; }
    const idx = this.list.length;
    const e: HistEntry = { idx, comm: r.thread.comm, thread: r.thread, cpu: r.cpu, loc, level, self: 0, children: 0, samples: 0, stamp: 0, maxDepth: 0, filtered: this.filtering };
    if (this.filtering) this.anyFiltered = true;
    if (this.lazyAt.length) {
      e.prefixes = this.prefixScratch.slice(0, this.lazyAt.length);
      e.srcline = this.lastSrcline;
      if (this.lastSrclineGiven) e.srclineGiven = true;
      e.srcfile = this.lastSrcfile;
      e.trace = this.trace;
    }
    if (idx === 0) {
      // Make `self` a double field from the first entry on: a sum first passing 2^31 at flushCounts
      // would change the shape of every entry (each one migrated, ~230 bytes apiece).
      e.self = 2 ** 53; e.self = 0;
    }
    this.list.push(e);
    if (idx === this.commIdsMade && r.thread.commId >= 0) { this.commIdsMade++; if (idx >= this.commIdOf.length) { const c = new Int32Array(idx * 2); c.set(this.commIdOf); this.commIdOf = c; } this.commIdOf[idx] = r.thread.commId; }
    if (key >= of.length) { const g = new Int32Array(Math.max(key + 1, of.length * 2)); g.set(of); this.idxOfKey = of = g; }
    of[key] = idx + 1;
    if (2 * idx >= this.counts.length) {
      const c = new Float64Array(this.counts.length * 2);
      c.set(this.counts);
      this.counts = c;
    }
    return idx;
  }


  /**
   * A frame's id in the call graphs: frames are one when perf's match_chain finds them equal
   * (symbols by DSO and start, inlined ones by name, unresolved ones by DSO and ip).
   */
  private nameId(loc: Loc): number {
    let id = this.nameOfLoc.get(loc.id);
    if (id < 0) {
      const s = loc.sym;
      const key = s ? (s.inlined ? 'i' + s.name : `s${s.dso.id}:${s.startHex}`) : `a${loc.dso ? loc.dso.id : -1}:${loc.addrHex}`;
      const known = this.nameIds.get(key);
      if (known === undefined) {
        id = this.names.length; this.names.push(this.name(loc)); this.nameLocs.push(loc); this.nameIds.set(key, id);
        // numeric match_chain keys: kind 0 symbol (by dso, start), 1 unresolved (by dso, ip), 2 other (compareFrameLocs)
        const hex = s ? s.startHex : loc.addrHex;
        const ok = (!s || !s.inlined) && hex.length <= 16 && /^[0-9a-f]*$/.test(hex);
        const h = hex.padStart(16, '0');
        this.frameKind.push(ok ? (s ? 0 : 1) : 2);
        this.frameDso.push(loc.dso ? loc.dso.rank : -1); // perf's dso pointer order
        this.frameHi.push(ok ? parseInt(h.slice(0, 8), 16) : 0);
        this.frameLo.push(ok ? parseInt(h.slice(8), 16) : 0);
      } else id = known;
      this.nameOfLoc.set(loc.id, id);
    }
    return id;
  }

  /** The printed name of a call graph frame id. */
  frameName(id: number): string { return this.names[id]; }

  /**
   * The frame id stands for an unresolved address at or above PERF_CONTEXT_MAX (-4095), such as
   * the ffffffffffffffff of a return address 0: perf's flat and folded call graphs leave it out.
   */
  readonly contextFrame = (id: number): boolean => this.frameKind[id] === 1 && this.frameHi[id] === 0xffffffff && this.frameLo[id] >= 0xfffff001;

  /** perf's match_chain order of two frame ids. */
  readonly compareFrames = (a: number, b: number): number => {
    if (a === b) return 0;
    const k = this.frameKind[a];
    if (k !== 2 && k === this.frameKind[b]) {
      return this.frameDso[a] - this.frameDso[b] || this.frameHi[a] - this.frameHi[b] || this.frameLo[a] - this.frameLo[b] || a - b;
    }
    return compareFrameLocs(this.nameLocs[a], this.nameLocs[b]) || a - b;
  };

  /** Interns the sample's cursor suffixes: sfx[i] is the trie node of cursor[i..n), sfx[n] = 0. */
  private internCursor(cur: Loc[], n: number): void {
    if (this.sfx.length <= n) this.sfx = new Int32Array(n * 2 + 1);
    const sfx = this.sfx;
    sfx[n] = 0;
    for (let i = n - 1; i >= 0; i--) {
      const name = this.nameId(cur[i]);
      const node = this.trie.intern(sfx[i + 1], name) + 1;
      if (node * 2 > this.trieNodes.length) { this.trieNodes.push(name); this.trieNodes.push(sfx[i + 1]); }
      sfx[i] = node;
    }
  }

  /**
   * Adds one resolved sample; `trace` is its trace text (for the trace key; tracepoint samples
   * only). A `filtered` sample (perf's al->filtered: a --comm/--pid/--tid/--dso/--symbols filter
   * left it out) still counts in the totals and adds to the entries it meets, as in perf
   * (hists__findnew_entry keeps an entry's filtered flag); entries it makes are not printed.
   */
  add(r: ResolvedSample, trace?: string, filtered = false): void {
    this.trace = trace;
    this.filtering = filtered;
    const period = r.period;
    this.totalPeriod += period;
    this.nrSamples++;
    const stamp = ++this.stamp;
    const self = r.frames[0];
    // the id without reading the Loc object when the machine set it (ResolvedSample.selfId)
    let idx: number;
    if (!this.simpleSort) idx = this.entryIdx(r, self, this.keyOf(r, self), self.level);
    else if (r.selfLoc !== self) idx = this.simpleIdx(r, self, self.id, undefined);
    else {
      // the entry kept beside the machine's cache slot of the sample ip (same cache line): (this
      // Hists' serial, the comm id, the idx)
      const memo = r.selfMemo, at = r.selfMemoAt, comm = this.simpleComm ? r.thread.commId : -1;
      if (memo !== undefined && memo[at] === this.serial && memo[at + 1] === comm) idx = memo[at + 2];
      else if (memo === undefined) idx = this.simpleIdx(r, self, r.selfId, undefined);
      else { // the memo stands for lastIdx (not grown for these Locs)
        idx = this.entryIdx(r, self, this.simpleKeyOf(self, comm), self.level);
        memo[at] = this.serial; memo[at + 1] = comm; memo[at + 2] = idx;
      }
    }
    if (this.lazyAt.length) this.noteSrclineCalls(self, true, false);
    const c = this.counts;
    c[2 * idx] += period;
    c[2 * idx + 1]++;
    this.pending = true;
    if (!this.opts.graph && !this.opts.children) return;
    const e = this.list[idx];
    e.stamp = stamp;
    // perf's callchain cursor: callee order is the chain as sampled, caller order reversed
    const n = r.chainLength;
    let cur = r.chain;
    if (this.opts.order === 'caller' && n > 1) {
      cur = this.cursor;
      for (let i = 0; i < n; i++) cur[i] = r.chain[n - 1 - i];
    }
    if (this.opts.graph) {
      this.internCursor(cur, n);
      this.addGraph(e, 0, period);
      if (n > e.maxDepth) e.maxDepth = n;
    }
    if (!this.opts.children) return;
    e.children += period;
    // perf 6.1: fill_callchain_info leaves al->level alone for entries without a map, so they keep
    // the level of the entry before them in cursor order, the sample's for the first (seen as
    // "[k] 0x00007f..." rows under kernel samples in caller order, "[.]" after user frames in callee order).
    let level = self.level;
    const caller = cur !== r.chain;
    for (let i = 0; i < n; i++) {
      const loc = cur[i];
      if (loc.dso) level = loc.level;
      const ce = this.entry(r, loc, caller ? n - 1 - i : i, level);
      if (this.lazyAt.length) this.noteSrclineCalls(loc, false, ce.stamp === stamp);
      if (ce.stamp === stamp) continue; // hist_entry__cmp equal to an entry already added for this sample
      ce.stamp = stamp;
      ce.children += period;
      if (this.opts.graph) { // perf's cursor snapshot starts at the entry itself
        this.addGraph(ce, i, period);
        if (n - i > ce.maxDepth) ce.maxDepth = n - i;
      }
    }
  }

  /**
   * Counts the __get_srcline calls perf 6.1 makes for the insertion just keyed (keyOf), for its
   * per-DSO addr2line failure limit (SourceLines.noteCalls): se_cmp computes an entry's srcline or
   * srcfile when the keys before it are equal — in hists__findnew_entry when an entry with the same
   * prefix exists (the new entry's text, and at the group's second insertion the first entry's),
   * and for a children-mode callchain entry also in the "already added for this sample" check
   * against the sample's earlier entries (he_tmp's text; a duplicate stops there).
   */
  private noteSrclineCalls(loc: Loc, sampleEntry: boolean, duplicate: boolean): void {
    for (let j = 0; j < this.lazyAt.length; j++) {
      const key = this.opts.sort[this.lazyAt[j]];
      if (key !== 'srcline' && key !== 'srcfile') continue;
      const prefix = this.prefixScratch[j], seen = this.seenScratch[j];
      const mine = this.samplePrefixes[j];
      if (sampleEntry) mine.length = 0;
      const given = key === 'srcline' && this.lastSrclineGiven;
      let calls = !sampleEntry && mine.includes(prefix) ? 1 : 0;
      if (!duplicate) {
        if (seen === 0) { if (!given) this.groupFirst[j].set(prefix, [loc, this.lastRaw]); }
        else {
          const first = seen === 1 ? this.groupFirst[j].get(prefix) : undefined;
          if (first) { this.groupFirst[j].delete(prefix); this.sources.noteCalls(first[0], first[1], 1); }
          calls++;
        }
        mine.push(prefix);
      }
      if (calls && !given) this.sources.noteCalls(loc, this.lastRaw, calls);
    }
  }

  /** Records the cursor from index `from` for an entry (perf's callchain_append of the remaining nodes). */
  private addGraph(e: HistEntry, from: number, period: number): void {
    const slot = this.graphs.intern(e.idx, this.sfx[from]);
    if (slot === this.slotEntry.length) { this.slotEntry.push(e.idx); this.slotNode.push(this.sfx[from]); this.slotsByEntry = undefined; }
    this.slotPeriod.add(slot, period);
    this.slotCount.add(slot, 1);
  }

  /** The entry's call graph slots, grouped by entry (built once after the last add). */
  private slotIndex(): void {
    if (!this.slotsByEntry) {
      const ns = this.slotEntry.length, ents = this.slotEntry.data;
      const start = new Int32Array(this.list.length + 1);
      for (let s = 0; s < ns; s++) start[ents[s] + 1]++;
      for (let i = 0; i < this.list.length; i++) start[i + 1] += start[i];
      const fill = start.slice(0, this.list.length);
      const by = new Int32Array(ns);
      for (let s = 0; s < ns; s++) by[fill[ents[s]]++] = s;
      this.slotsByEntry = by; this.slotsStart = start;
    }
  }

  /**
   * The period of an entry's call graph (its root's cumulative hits: the sum of the periods of the
   * chains recorded for it) without building the tree; 0 without graphs.
   */
  graphPeriod(e: HistEntry): number {
    if (!this.opts.graph) return 0;
    this.slotIndex();
    const by = this.slotsByEntry!, start = this.slotsStart!, period = this.slotPeriod.data;
    let sum = 0;
    for (let j = start[e.idx]; j < start[e.idx + 1]; j++) sum += period[by[j]];
    return sum;
  }

  /**
   * The callchain tree of an entry's samples (perf's he->callchain; undefined without graphs): its
   * root. Branches whose cumulative period is below `minHit` (with `relPercent`: below that share of
   * their parent's children period) are left unbuilt (buildCallchainTree).
   */
  graphOf(e: HistEntry, minHit = 0, relPercent?: number): ChainNode | undefined {
    const c = this.chainsOf(e);
    return c && buildCallchainTree(c.trie, c.nodes, c.periods, c.counts, this.compareFrames, minHit, relPercent);
  }

  /** graphOf's tree built lazily, branch by branch as a printer expands it (buildLazyCallchainTree). */
  lazyGraphOf(e: HistEntry): LazyCallchainTree | undefined {
    const c = this.chainsOf(e);
    return c && buildLazyCallchainTree(c.trie, c.nodes, c.periods, c.counts, this.compareFrames);
  }

  /** An entry's recorded chains (their trie nodes), periods and counts. */
  private chainsOf(e: HistEntry): { trie: { nodes: Int32Array }; nodes: Int32Array; periods: Float64Array; counts: Float64Array } | undefined {
    if (!this.opts.graph) return undefined;
    this.slotIndex();
    const by = this.slotsByEntry!, start = this.slotsStart!;
    const lo = start[e.idx], n = start[e.idx + 1] - lo;
    const nodes = new Int32Array(n), periods = new Float64Array(n), counts = new Float64Array(n);
    const sn = this.slotNode.data, sp = this.slotPeriod.data, sc = this.slotCount.data;
    for (let j = 0; j < n; j++) { const s = by[lo + j]; nodes[j] = sn[s]; periods[j] = sp[s]; counts[j] = sc[s]; }
    return { trie: { nodes: this.trieNodes.data }, nodes, periods, counts };
  }

  /**
   * perf 6.1's se_sort order of two entries (hist_entry__sort over the sort keys; negative: `a`
   * first): comm, dso and symbol names ascending (strcmp; an inline symbol by its bare name), tid
   * and cpu ascending; entries without a DSO or symbol after the others. Two unresolved symbols are
   * equal here (sort__sym_sort: cmp_null), as are any entries whose keys print alike: their order
   * is then their order in perf's input tree (collapseOrder), kept by the output rb-tree.
   */
  private keyOrder(a: HistEntry, b: HistEntry): number {
    const elide = this.opts.elide;
    for (const k of this.opts.sort) {
      if (elide?.has(k)) continue;
      const d = this.keyCmp(k, a, b);
      if (d) return d;
    }
    return 0;
  }

  /** keyOrder for one sort key. */
  private keyCmp(k: SortKey, a: HistEntry, b: HistEntry): number {
    let d = 0;
    const r = this.ranks;
    switch (k) {
      case 'comm': d = r ? r.comm[a.idx] - r.comm[b.idx] : strcmp(a.comm, b.comm); break;
      case 'pid': d = a.thread.tid - b.thread.tid; break;
      case 'cpu': d = a.cpu - b.cpu; break;
      case 'dso': d = r ? r.dso[a.idx] - r.dso[b.idx] : dsoOrder(a.loc, b.loc); break;
      case 'sym': {
        if (r) { d = r.sym[a.idx] - r.sym[b.idx]; break; }
        const x = a.loc.sym, y = b.loc.sym;
        if (x && y) d = strcmp(x.name, y.name);
        else if (x || y) d = x ? -1 : 1;
        break;
      }
      case 'symoff': { // sort__symoff_sort: the symbol's name, then `left->ip - right->ip` (higher addresses first)
        const x = a.loc.sym, y = b.loc.sym;
        if (x && y) d = strcmp(x.name, y.name);
        else if (x || y) d = x ? -1 : 1;
        if (!d) d = -signedOrder(a.loc.addrHex, b.loc.addrHex, this.halves);
        break;
      }
      case 'srcline': d = strcmp(sortText(a, 'srcline', this.sources), sortText(b, 'srcline', this.sources)); break;
      case 'srcfile': d = strcmp(sortText(a, 'srcfile', this.sources), sortText(b, 'srcfile', this.sources)); break;
      case 'trace': d = a.trace === undefined || b.trace === undefined ? 0 : strcmp(a.trace, b.trace); break;
    }
    return d;
  }

  /**
   * The in-order position of entries in perf's input tree (hists->entries_collapsed, or entries_in
   * without a collapsing key; both ordered by se_collapse/se_cmp, the new entry going left when
   * cmp(iter, new) < 0, so x precedes y when cmp(x, y) > 0): comm, dso ascending; symbols by dso
   * name, then start address ascending (_sort__sym_cmp); unresolved symbols by `(int64_t)(right->ip
   * - left->ip)` (_sort__addr_cmp: a signed 64-bit difference, so 0xdfdfdfdf00000003 precedes 0).
   */
  private collapseOrder(a: HistEntry, b: HistEntry): number {
    for (const k of this.opts.sort) {
      let d = 0;
      switch (k) {
        case 'sym': case 'symoff': {
          const x = a.loc.sym, y = b.loc.sym;
          if (!x && !y) d = signedOrder(a.loc.addrHex, b.loc.addrHex, this.halves);
          else {
            d = this.ranks ? this.ranks.dso[a.idx] - this.ranks.dso[b.idx] : dsoOrder(a.loc, b.loc);
            if (!d) {
              if (!x || !y) d = x ? -1 : 1;
              else if (x !== y) {
                if (x.inlined || y.inlined) d = strcmp(y.name, x.name);
                // starts as doubles order as the exact ones do but for ties (kernel starts round)
                if (!d) d = (x.start < y.start ? -1 : x.start > y.start ? 1 : unsignedHexOrder(x.startHex, y.startHex)) || x.id - y.id;
              }
            }
            // sort__symoff_cmp then `left->ip - right->ip`: higher addresses first
            if (!d && k === 'symoff') d = -signedOrder(a.loc.addrHex, b.loc.addrHex, this.halves);
          }
          break;
        }
        default: d = this.keyCmp(k, a, b);
      }
      if (d) return d;
    }
    return a.idx - b.idx;
  }

  /**
   * Entries in perf's output order (hists__output_resort): each entry of the input tree, in its
   * order (collapseOrder), inserted into a red-black tree by hist_entry__sort — children (when on),
   * then self, descending; then the sort keys (keyOrder) — going left only when it sorts strictly
   * before the node (__hists__insert_output_entry), so ties keep the input order. In children mode
   * with call graphs __hpp__sort_acc puts, among entries of equal children of one thread, callers
   * above callees (by their longest callchain, longer first in caller order, shorter first in callee
   * order); that comparison says nothing across threads, so the order is not a total one and the
   * result depends on the tree's shape: the tree is rebuilt as lib/rbtree.c balances it.
   */
  sorted(): HistEntry[] {
    this.flushCounts();
    return this.sortedByColumns() ?? this.sortedByTrees();
  }

  /** sorted() with perf's comparisons as written (closures over the entries), every tree built: the reference the columns must agree with. */
  sortedByTrees(): HistEntry[] {
    this.flushCounts();
    this.halves = new AddrHalves();
    this.ranks = this.textRanks();
    // perf inserts the entries as made into hists->entries_in (se_cmp), then, when a sort key has
    // se_collapse (comm), that tree's in-order into entries_collapsed: two red-black trees built
    // with a comparison that is no total order for unresolved symbols (the signed 64-bit address
    // difference wraps for far-apart addresses, as a frame-pointer walk's garbage "return
    // addresses"), so their order depends on the trees' shapes, which rbTreeOrder rebuilds.
    const order = (a: HistEntry, b: HistEntry): number => this.collapseOrder(a, b);
    let input = rbTreeOrder(this.list, order);
    if (this.opts.sort.includes('comm')) input = rbTreeOrder(input, order);
    const children = this.opts.children;
    const depth = children && this.opts.graph;
    const caller = this.opts.order === 'caller';
    const cmp = (a: HistEntry, b: HistEntry): number => {
      if (children) {
        const d = b.children - a.children;
        if (d) return d;
        if (depth && a.thread === b.thread) {
          const m = caller ? b.maxDepth - a.maxDepth : a.maxDepth - b.maxDepth;
          if (m) return m;
        }
      }
      return b.self - a.self || this.keyOrder(a, b);
    };
    const out = rbTreeOrder(input, cmp);
    this.halves = this.ranks = undefined;
    return out;
  }

  /**
   * sorted() over per-entry numeric columns (typed arrays by entry idx) instead of the entries'
   * texts and objects: the same three red-black trees with the same comparisons, each a few array
   * reads. Undefined where the columns cannot express perf's order: lazy text keys (srcline,
   * srcfile, trace) and inline symbols (compared by name before their start) in sym/symoff.
   */
  private sortedByColumns(): HistEntry[] | undefined {
    const keys = this.opts.sort, list = this.list, n = list.length;
    if (keys.some((k) => LAZY_KEYS.has(k))) return undefined;
    if (this.opts.elide?.size) return undefined; // the trees' keyOrder skips elided keys; the columns do not

    const fast = this.sortedByKeyRuns();
    if (fast) return fast;
    const symKeys = keys.includes('sym') || keys.includes('symoff');
    const syms = symKeys ? distinctObjects(list, (e) => e.loc.sym) : undefined;
    if (syms?.items.some((s) => s.inlined)) return undefined;
    const cols = new SortColumns(list, keys, syms, this.commIdsMade === n ? this.commIdOf : undefined, this.opts.children, this.opts.graph);
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) ids[i] = i;
    // As in sorted(): entries_in, then entries_collapsed with a comm key, then the output tree.
    // When the comparison is a total order the trees' in-order is the sorted order, whatever
    // their shape: then a sort stands for them.
    const collapse = (a: number, b: number): number => cols.collapse(a, b);
    let input: Int32Array;
    if (cols.collapseIsTotal(keys)) input = cols.collapseSorted() ?? ids.sort(collapse);
    else {
      input = rbTreePositions(ids, collapse);
      if (keys.includes('comm')) { const again = rbTreePositions(input, collapse); for (let i = 0; i < n; i++) again[i] = input[again[i]]; input = again; }
    }
    const out = this.opts.children ? cols.outputChildren(input, this.opts.graph, this.opts.order === 'caller') : cols.output(input);
    const res = new Array<HistEntry>(n);
    for (let i = 0; i < n; i++) res[i] = list[input[out[i]]];
    return res;
  }

  /**
   * sortedByColumns for the usual keys (comm, dso, sym; sym last and after dso) without children,
   * in two native sorts: the entries by (their keys' packed ranks, idx), each run of equal keys
   * then put in perf's input order (collapseOrder: symbols by start, unresolved addresses by
   * address, then idx), then a stable sort by self descending. That is the output tree's order:
   * the stable sort of the input order by (self, keyOrder), where entries of equal keys keep their
   * input order. Undefined where that shortcut does not hold (the input order is no sort: unresolved
   * addresses 2^63 or more apart in one group) or the packed numbers would pass 2^53.
   */
  private sortedByKeyRuns(): HistEntry[] | undefined {
    const keys = this.opts.sort, list = this.list, n = list.length;
    if (this.opts.children || n === 0 || keys.some((k) => k !== 'comm' && k !== 'dso' && k !== 'sym')) return undefined;
    const symAt = keys.indexOf('sym'), dsoAt = keys.indexOf('dso');
    if (symAt >= 0 && (symAt !== keys.length - 1 || dsoAt < 0 || dsoAt > symAt)) return undefined;
    // One walk over the entries (objects spread over the heap: each walk is cache misses):
    // self, the distinct DSOs and symbols (by their dense ids), unresolved addresses as halves.
    const self = new Float64Array(n), dsoOf = new Int32Array(n), symOf = new Int32Array(n);
    const hi = new Uint32Array(n), lo = new Uint32Array(n);
    const dsos = new DistinctById<DsoInfo>(), syms = new DistinctById<SymInfo>();
    for (let i = 0; i < n; i++) {
      const e = list[i], loc = e.loc, d = loc.dso, sym = loc.sym;
      self[i] = e.self;
      dsoOf[i] = d ? dsos.slot(d) : -1;
      if (sym) { symOf[i] = syms.slot(sym); continue; }
      symOf[i] = -1;
      if (loc.addrHi !== undefined) { hi[i] = loc.addrHi; lo[i] = loc.addrLo!; } else { hi[i] = hexHi(loc.addrHex); lo[i] = hexLo(loc.addrHex); }
    }
    if (syms.items.some((x) => x.inlined)) return undefined; // compared by name before start: the columns path
    // per key the rank column and its range
    const cols: Int32Array[] = [], ranges: number[] = [];
    for (const k of keys) {
      const r = k === 'comm' ? (this.commIdsMade === n ? commRanks(list, this.commIdOf) : rankTexts(list.map((e) => e.comm)))
        : k === 'dso' ? entryRanks({ items: dsos.items, at: dsoOf }, (d: DsoInfo) => d.shortName)
          : entryRanks({ items: syms.items, at: symOf }, (x: SymInfo) => x.name);
      cols.push(r.rank); ranges.push(r.count + 1);
    }
    let span = 1;
    for (const r of ranges) span *= r;
    if (span * n >= 2 ** 53) return undefined;
    // kv: the packed key; group: the keys before sym (perf's collapse groups unresolved addresses in)
    const kv = new Float64Array(n), group = new Float64Array(n), sorted = new Float64Array(n);
    const c0 = cols[0], r1 = ranges.length > 1 ? ranges[1] : 1, c1 = cols.length > 1 ? cols[1] : c0, c2 = cols.length > 2 ? cols[2] : c0;
    const m = cols.length, last = symAt >= 0 ? m - 1 : m;
    for (let i = 0; i < n; i++) {
      let v = c0[i], g = v;
      if (m > 1) { v = v * r1 + c1[i]; if (last > 1) g = v; }
      if (m > 2) { v = v * ranges[2] + c2[i]; if (last > 2) g = v; }
      kv[i] = v; group[i] = g;
      sorted[i] = v * n + i;
    }
    sorted.sort();
    const order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[k] = sorted[k] % n;
    if (symAt >= 0) {
      // unresolved addresses as halves, and per group their span (under 2^63: the signed
      // difference perf compares orders them as unsigned numbers do)
      if (!unresolvedSpansUnder2p63(n, (i) => symOf[i] < 0, group, hi, lo)) return undefined;
      // a run of equal keys is all resolved (one symbol name) or all unresolved
      const items = syms.items;
      const bySym = (x: number, y: number): number => {
        const s = items[symOf[x]], t = items[symOf[y]];
        if (s === t) return x - y;
        return (s.start < t.start ? -1 : s.start > t.start ? 1 : unsignedHexOrder(s.startHex, t.startHex)) || s.id - t.id || x - y;
      };
      const byAddr = (x: number, y: number): number => hi[x] - hi[y] || lo[x] - lo[y] || x - y;
      for (let k = 0; k < n;) {
        const v = kv[order[k]];
        let j = k + 1;
        while (j < n && kv[order[j]] === v) j++;
        if (j - k > 1) order.subarray(k, j).sort(symOf[order[k]] >= 0 ? bySym : byAddr);
        k = j;
      }
    }
    // stable by self, descending
    let max = 0, ints = true;
    for (let i = 0; i < n; i++) { const v = self[i]; if (v > max) max = v; if (!Number.isInteger(v) || v < 0) ints = false; }
    if (ints && (max + 1) * n < 2 ** 53) {
      for (let p = 0; p < n; p++) sorted[p] = (max - self[order[p]]) * n + p;
    } else {
      const r = descRanks(self).rank;
      for (let p = 0; p < n; p++) sorted[p] = r[order[p]] * n + p;
    }
    sorted.sort();
    const res = new Array<HistEntry>(n);
    for (let k = 0; k < n; k++) res[k] = list[order[sorted[k] % n]];
    return res;
  }

  /**
   * While sorting: per entry (by idx) the rank of its comm, DSO short name and symbol name among
   * the distinct ones in strcmp order (equal texts equal ranks; no DSO or no symbol after all), so
   * that comparisons of entries compare numbers: the same order as the strcmp of the texts.
   */
  private ranks: { comm: Int32Array; dso: Int32Array; sym: Int32Array } | undefined;

  private textRanks(): { comm: Int32Array; dso: Int32Array; sym: Int32Array } {
    const n = this.list.length;
    // rankTexts over the entries that have a text; those without one rank after all
    const rank = (text: (e: HistEntry) => string | undefined): Int32Array => {
      const at: number[] = [], texts: string[] = [];
      for (let i = 0; i < n; i++) { const t = text(this.list[i]); if (t !== undefined) { at.push(i); texts.push(t); } }
      const r = rankTexts(texts), out = new Int32Array(n).fill(r.count);
      for (let k = 0; k < at.length; k++) out[at[k]] = r.rank[k];
      return out;
    };
    const keys = this.opts.sort;
    const none = new Int32Array(n);
    return {
      comm: keys.includes('comm') ? rank((e) => e.comm) : none,
      dso: keys.some((k) => k === 'dso' || k === 'sym' || k === 'symoff') ? rank((e) => e.loc.dso?.shortName) : none,
      sym: keys.includes('sym') || keys.includes('symoff') ? rank((e) => e.loc.sym?.name) : none,
    };
  }

  /** While sorting: addresses (hex) as 32-bit halves, parsed once each. */
  private halves: AddrHalves | undefined;
}

/** _sort__dso_cmp order: by short name ascending, entries without a DSO last. */
function dsoOrder(a: Loc, b: Loc): number {
  const x = a.dso, y = b.dso;
  return x && y ? strcmp(x.shortName, y.shortName) : x ? -1 : y ? 1 : 0;
}

/** The upper 32 bits of a hex address of up to 16 digits (no 0x). */
function hexHi(h: string): number { const n = h.length; return n > 8 ? parseInt(h.slice(0, n - 8), 16) >>> 0 : 0; }
/** The lower 32 bits of a hex address of up to 16 digits (no 0x). */
function hexLo(h: string): number { const n = h.length; return n === 0 ? 0 : parseInt(n > 8 ? h.slice(n - 8) : h, 16); }

/** Hex addresses as 32-bit halves (hi * 2^32 + lo would round), parsed once each. */
class AddrHalves {
  private readonly at = new Map<string, number>();
  private readonly hi: number[] = [];
  private readonly lo: number[] = [];

  /** The slot of address `h` (up to 16 hex digits): hiAt(slot), loAt(slot). */
  slot(h: string): number {
    let i = this.at.get(h);
    if (i === undefined) {
      i = this.hi.length;
      this.hi.push(hexHi(h));
      this.lo.push(hexLo(h));
      this.at.set(h, i);
    }
    return i;
  }

  hiAt(i: number): number { return this.hi[i]; }
  loAt(i: number): number { return this.lo[i]; }
}

/**
 * Distinct objects in order of first slot() call, found by their dense `id` (no hashing of
 * objects); objects whose ids are not small distinct integers go through a Map.
 */
class DistinctById<T extends { id: number }> {
  readonly items: T[] = [];
  /** Per id: its slot + 1 (0: none). */
  private byId = new Int32Array(256);
  private map: Map<T, number> | undefined;

  slot(x: T): number {
    const id = x.id;
    if (this.map === undefined && Number.isInteger(id) && id >= 0 && id < 1 << 24) {
      let b = this.byId;
      if (id >= b.length) { const g = new Int32Array(Math.max(id + 1, b.length * 2)); g.set(b); this.byId = b = g; }
      const j = b[id] - 1;
      if (j < 0) { b[id] = this.items.length + 1; this.items.push(x); return this.items.length - 1; }
      if (this.items[j] === x) return j;
    }
    if (this.map === undefined) { this.map = new Map(); for (let k = 0; k < this.items.length; k++) this.map.set(this.items[k], k); }
    let j = this.map.get(x);
    if (j === undefined) { j = this.items.length; this.items.push(x); this.map.set(x, j); }
    return j;
  }
}

/** The distinct objects `of` the entries gives (by identity), and per entry the index of its own (-1: none). */
function distinctObjects<T extends { id: number }>(list: readonly HistEntry[], of: (e: HistEntry) => T | undefined): { items: T[]; at: Int32Array } {
  const d = new DistinctById<T>();
  const at = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const x = of(list[i]);
    at[i] = x === undefined ? -1 : d.slot(x);
  }
  return { items: d.items, at };
}

/**
 * Per text its rank among the distinct texts in strcmp order (the default sort compares UTF-16
 * code units as `<` does), equal texts equal ranks; and the number of distinct texts.
 */
function rankTexts(texts: readonly string[]): { rank: Int32Array; count: number } {
  const at = new Map<string, number>();
  const distinct: string[] = [];
  const id = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    let j = at.get(t);
    if (j === undefined) { j = distinct.length; distinct.push(t); at.set(t, j); }
    id[i] = j;
  }
  const sorted = distinct.slice().sort();
  const rankOf = new Int32Array(distinct.length);
  for (let r = 0; r < sorted.length; r++) rankOf[at.get(sorted[r])!] = r;
  for (let i = 0; i < id.length; i++) id[i] = rankOf[id[i]];
  return { rank: id, count: sorted.length };
}

/** rankTexts of the entries' comms, from their comm ids (`ids` by entry idx: equal texts, equal ids): one text per distinct id. */
function commRanks(list: readonly HistEntry[], ids: Int32Array): { rank: Int32Array; count: number } {
  const n = list.length;
  let max = -1;
  for (let i = 0; i < n; i++) if (ids[i] > max) max = ids[i];
  const slot = new Int32Array(max + 1).fill(-1), texts: string[] = [];
  for (let i = 0; i < n; i++) { const c = ids[i]; if (slot[c] < 0) { slot[c] = texts.length; texts.push(list[i].comm); } }
  const r = rankTexts(texts), out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = r.rank[slot[ids[i]]];
  return { rank: out, count: r.count };
}

/** Per entry the rank of its object's text (`at` from distinctObjects); entries without one after all. */
function entryRanks<T extends object>(d: { items: T[]; at: Int32Array }, text: (x: T) => string): { rank: Int32Array; count: number } {
  const r = rankTexts(d.items.map(text));
  const out = new Int32Array(d.at.length);
  for (let i = 0; i < out.length; i++) out[i] = d.at[i] < 0 ? r.count : r.rank[d.at[i]];
  return { rank: out, count: r.count };
}

const OP_NUM = 0, OP_SYM = 1, OP_SYMOFF = 2, OP_NEG_ADDR = 3;

/**
 * Hists.sorted()'s comparisons (collapseOrder, then the output order with keyOrder) over per-entry
 * columns indexed by entry idx. Each sort key is one op; runs of keys that compare plain numbers
 * are packed into one exact double per entry, so the default comm,dso,sym compares one number
 * per key order (and one plus the symbol op for the input order).
 */
class SortColumns {
  private readonly hasSym: Uint8Array;
  private readonly dso: Int32Array;
  /** Symbols in _sort__sym_cmp order (start, then id): equal only for the same symbol. */
  private readonly symAt: Int32Array;
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly self: Float64Array;
  private readonly children: Float64Array;
  private readonly thread: Int32Array;
  private readonly depth: Int32Array;
  private readonly cOps: Int8Array;
  private readonly cCols: Float64Array[];
  private readonly kOps: Int8Array;
  private readonly kCols: Float64Array[];
  /** Per kCols column: its values lie in [0, range). */
  private readonly kRanges: number[];

  constructor(list: readonly HistEntry[], keys: readonly SortKey[], syms: { items: SymInfo[]; at: Int32Array } | undefined,
    commIds: Int32Array | undefined, children: boolean, graph: boolean) {
    const n = list.length;
    const none = new Int32Array(n);
    // Texts as ranks (textRanks' order), from each distinct comm, DSO and symbol once.
    const comm = !keys.includes('comm') ? none : commIds ? commRanks(list, commIds).rank : rankTexts(list.map((e) => e.comm)).rank;
    const dso = keys.some((k) => k === 'dso' || k === 'sym' || k === 'symoff') ? entryRanks(distinctObjects(list, (e) => e.loc.dso), (d: DsoInfo) => d.shortName).rank : none;
    const symName = syms ? entryRanks(syms, (s: SymInfo) => s.name).rank : none;
    this.hasSym = new Uint8Array(n); this.dso = dso; this.symAt = new Int32Array(n);
    this.hi = new Uint32Array(n); this.lo = new Uint32Array(n);
    this.self = new Float64Array(n); this.children = new Float64Array(n);
    this.thread = new Int32Array(n); this.depth = new Int32Array(n);
    const threads = new Map<Thread, number>();
    const tid = new Float64Array(n), cpu = new Float64Array(n);
    const byThread = children && graph, byTid = keys.includes('pid'), byCpu = keys.includes('cpu');
    // Addresses are compared for unresolved entries, and with symoff for all.
    const allAddrs = keys.includes('symoff');
    for (let i = 0; i < n; i++) {
      const e = list[i], loc = e.loc;
      if (loc.sym) this.hasSym[i] = 1;
      if (allAddrs || !loc.sym) {
        if (loc.addrHi !== undefined) { this.hi[i] = loc.addrHi; this.lo[i] = loc.addrLo!; } else {
          const h = loc.addrHex, len = h.length;
        this.hi[i] = len > 8 ? parseInt(h.slice(0, len - 8), 16) >>> 0 : 0;
          this.lo[i] = len === 0 ? 0 : parseInt(len > 8 ? h.slice(len - 8) : h, 16);
        }
      }
      this.self[i] = e.self;
      if (children) this.children[i] = e.children;
      if (byThread) {
        this.depth[i] = e.maxDepth;
        let t = threads.get(e.thread);
        if (t === undefined) { t = threads.size; threads.set(e.thread, t); }
        this.thread[i] = t;
      }
      if (byTid) tid[i] = e.thread.tid;
      if (byCpu) cpu[i] = e.cpu;
    }
    if (syms && syms.items.length) {
      // _sort__sym_cmp: start (doubles order as the exact starts do but for ties: kernel starts
      // round), then the exact start, then id. A native sort of the starts, ties resolved apart.
      const items = syms.items, m = items.length, start = new Float64Array(m);
      for (let j = 0; j < m; j++) start[j] = items[j].start;
      const sortedStarts = start.slice().sort();
      const rank = new Int32Array(m);
      const ties = new Map<number, number[]>();
      for (let j = 0; j < m; j++) {
        const v = start[j];
        let a = 0, b = m;
        while (a < b) { const mid = (a + b) >>> 1; if (sortedStarts[mid] < v) a = mid + 1; else b = mid; }
        rank[j] = a;
        if ((a + 1 < m && sortedStarts[a + 1] === v)) { const g = ties.get(a); if (g) g.push(j); else ties.set(a, [j]); }
      }
      for (const [a, g] of ties) {
        g.sort((x, y) => unsignedHexOrder(items[x].startHex, items[y].startHex) || items[x].id - items[y].id);
        for (let k = 0; k < g.length; k++) rank[g[k]] = a + k;
      }
      for (let i = 0; i < n; i++) { const j = syms.at[i]; if (j >= 0) this.symAt[i] = rank[j]; }
    }
    const ranks = { comm, dso, sym: symName };
    const num = (k: SortKey): Int32Array | Float64Array =>
      k === 'comm' ? ranks.comm : k === 'dso' ? ranks.dso : k === 'pid' ? tid : k === 'cpu' ? cpu : ranks.sym;
    // collapseOrder: sym and symoff by (dso, symbol start) or unresolved address; the rest as keyOrder.
    const c = compile(n, keys.map((k) => (k === 'sym' ? { op: OP_SYM } : k === 'symoff' ? { op: OP_SYMOFF } : { op: OP_NUM, col: num(k) })));
    this.cOps = c.ops; this.cCols = c.cols;
    // keyOrder: sym by name (none last); symoff by name, then higher addresses first.
    const k = compile(n, keys.flatMap((key): OpSpec[] => (key === 'symoff' ? [{ op: OP_NUM, col: ranks.sym }, { op: OP_NEG_ADDR }] : [{ op: OP_NUM, col: num(key) }])));
    this.kOps = k.ops; this.kCols = k.cols; this.kRanges = k.ranges;
  }

  /** signedOrder of the entries' addresses: the sign of (int64_t)(b - a), negative when a comes first. */
  private signed(a: number, b: number): number {
    let lo = this.lo[b] - this.lo[a], borrow = 0;
    if (lo < 0) { lo += 0x100000000; borrow = 1; }
    const hi = (this.hi[b] - this.hi[a] - borrow) | 0;
    return hi > 0 ? -1 : hi < 0 ? 1 : lo > 0 ? -1 : 0;
  }

  private run(ops: Int8Array, cols: Float64Array[], a: number, b: number): number {
    for (let j = 0; j < ops.length; j++) {
      let d: number;
      const op = ops[j];
      if (op === OP_NUM) { const col = cols[j]; d = col[a] - col[b]; }
      else if (op === OP_NEG_ADDR) d = -this.signed(a, b);
      else {
        const sa = this.hasSym[a], sb = this.hasSym[b];
        if (!sa && !sb) d = this.signed(a, b);
        else {
          d = this.dso[a] - this.dso[b];
          if (!d) d = !sa || !sb ? (sa ? -1 : 1) : this.symAt[a] - this.symAt[b];
          if (!d && op === OP_SYMOFF) d = -this.signed(a, b);
        }
      }
      if (d) return d;
    }
    return 0;
  }

  /**
   * Whether collapse() is a total order on these entries, so that perf's trees (whose shape
   * matters only when it is not) can be replaced by a sort. Its only inconsistent part is the
   * signed 64-bit difference of unresolved addresses (sym), which orders as the unsigned addresses
   * do among entries it compares when these lie within 2^63 of each other; and the DSO compared
   * only when one symbol is resolved, which a dso key before sym makes equal. symoff: not checked.
   */
  collapseIsTotal(keys: readonly SortKey[]): boolean {
    const ops = this.cOps;
    const at = ops.indexOf(OP_SYM);
    if (ops.includes(OP_SYMOFF)) return false;
    if (at < 0) return true;
    if (ops.lastIndexOf(OP_SYM) !== at || at !== 1 || ops[0] !== OP_NUM) return false;
    const dsoAt = keys.indexOf('dso'), symAt = keys.indexOf('sym');
    if (dsoAt < 0 || dsoAt > symAt) return false;
    // Per group of equal keys before sym, the span of its unresolved entries' addresses.
    const group = this.cCols[0], hasSym = this.hasSym, hi = this.hi, lo = this.lo;
    if (!unresolvedSpansUnder2p63(hasSym.length, (i) => !hasSym[i], group, hi, lo)) return false;
    return true;
  }

  /**
   * When collapseIsTotal() holds, the entries (idx) in collapse() order through a native sort of
   * one packed number per entry: the keys before sym (one packed column), resolved before
   * unresolved, the symbol's rank, the idx; then each run of unresolved entries of one group by
   * address. Undefined when the keys do not have that shape or the numbers do not fit 2^53.
   */
  collapseSorted(): Int32Array | undefined {
    const ops = this.cOps, n = this.hasSym.length;
    const sym = ops.length === 2 && ops[0] === OP_NUM && ops[1] === OP_SYM;
    if (!(sym || (ops.length === 1 && ops[0] === OP_NUM)) || n === 0) return undefined;
    const c0 = this.cCols[0], has = this.hasSym, at = this.symAt;
    let groups = 0, syms = 1;
    for (let i = 0; i < n; i++) { if (c0[i] >= groups) groups = c0[i] + 1; if (at[i] >= syms) syms = at[i] + 1; }
    const span = sym ? groups * 2 * syms : groups;
    if (span * n >= 2 ** 53) return undefined;
    const key = new Float64Array(n);
    for (let i = 0; i < n; i++) key[i] = (sym ? (c0[i] * 2 + (has[i] ? 0 : 1)) * syms + (has[i] ? at[i] : 0) : c0[i]) * n + i;
    key.sort();
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[k] = key[k] % n;
    if (!sym) return out;
    // Unresolved entries of one group: by address (unsigned, which the signed difference matches
    // within the group: collapseIsTotal checked it), then idx.
    const hi = this.hi, lo = this.lo;
    const byAddr = (a: number, b: number): number => hi[a] - hi[b] || lo[a] - lo[b] || a - b;
    for (let k = 0; k < n;) {
      const i = out[k];
      if (has[i]) { k++; continue; }
      let j = k + 1;
      while (j < n && !has[out[j]] && c0[out[j]] === c0[i]) j++;
      if (j - k > 1) out.subarray(k, j).sort(byAddr);
      k = j;
    }
    return out;
  }

  /** collapseOrder, by entry idx. */
  collapse(a: number, b: number): number { return this.run(this.cOps, this.cCols, a, b) || a - b; }

  /** The output tree's in-order (positions in `input`, entry idxs in input order) without children: self descending, then keyOrder. */
  output(input: Int32Array): Int32Array {
    const self = this.self, ops = this.kOps, cols = this.kCols;
    if (this.keysAreWeakOrder()) return this.packedOrder(input, [self]) ?? sortPositions(input, (a, b) => self[b] - self[a] || this.run(ops, cols, a, b));
    return rbTreePositions(input, (a: number, b: number): number => self[b] - self[a] || this.run(ops, cols, a, b));
  }

  /**
   * The stable sort of `input` by `desc` (each descending, in turn), then keyOrder, as one native sort
   * of exact doubles: per entry (the ranks of its desc values among the distinct ones, its packed
   * key, its position) in mixed radix. Undefined unless keyOrder is one packed column and the
   * product of the ranges stays below 2^53.
   */
  private packedOrder(input: Int32Array, desc: Float64Array[]): Int32Array | undefined {
    const n = input.length;
    if (this.kOps.length > 1 || (this.kOps.length === 1 && this.kOps[0] !== OP_NUM) || n === 0) return undefined;
    const col = this.kOps.length ? this.kCols[0] : undefined, range = col ? this.kRanges[0] : 1;
    let span = range * n;
    const ranks: Int32Array[] = [], counts: number[] = [];
    for (const c of desc) {
      const r = descRanks(c);
      ranks.push(r.rank); counts.push(r.count);
      span *= r.count;
    }
    if (span >= 2 ** 53) return undefined;
    const key = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      const x = input[p];
      let v = 0;
      for (let j = 0; j < ranks.length; j++) v = v * counts[j] + ranks[j][x];
      key[p] = (v * range + (col ? col[x] : 0)) * n + p;
    }
    key.sort();
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[k] = key[k] % n;
    return out;
  }

  /**
   * Whether keyOrder is a strict weak order (numbers only; symoff's signed address difference is
   * not checked): then the output tree, where equal entries go right, keeps them in input order, as
   * a stable sort does.
   */
  private keysAreWeakOrder(): boolean { return !this.kOps.includes(OP_NEG_ADDR); }

  /** The same in children mode: children descending; with graphs callers above callees of one thread; then self, keyOrder. */
  outputChildren(input: Int32Array, graph: boolean, caller: boolean): Int32Array {
    const self = this.self, ch = this.children, th = this.thread, depth = this.depth, ops = this.kOps, cols = this.kCols;
    // With graphs the callers-above-callees rule holds within a thread only: no order; trees.
    if (!graph && this.keysAreWeakOrder()) return this.packedOrder(input, [ch, self]) ?? sortPositions(input, (a, b) => ch[b] - ch[a] || self[b] - self[a] || this.run(ops, cols, a, b));
    return rbTreePositions(input, (a: number, b: number): number => {
      const d = ch[b] - ch[a];
      if (d) return d;
      if (graph && th[a] === th[b]) {
        const m = caller ? depth[b] - depth[a] : depth[a] - depth[b];
        if (m) return m;
      }
      return self[b] - self[a] || this.run(ops, cols, a, b);
    });
  }
}

/**
 * Ops with their columns, runs of OP_NUM packed into one column (mixed radix over each column's
 * range, when the product stays exact below 2^53): comparing the packed value orders as the run.
 */
type OpSpec = { op: number; col?: Int32Array | Float64Array };

function compile(n: number, spec: OpSpec[]): { ops: Int8Array; cols: Float64Array[]; ranges: number[] } {
  const ops: number[] = [], cols: Float64Array[] = [], ranges: number[] = [];
  const empty = new Float64Array(0);
  for (let j = 0; j < spec.length;) {
    if (spec[j].op !== OP_NUM) { ops.push(spec[j].op); cols.push(empty); ranges.push(1); j++; continue; }
    let packed: Float64Array | undefined, range = 1;
    for (; j < spec.length && spec[j].op === OP_NUM; j++) {
      const col = spec[j].col!;
      let min = Infinity, max = -Infinity;
      for (let i = 0; i < n; i++) { const v = col[i]; if (v < min) min = v; if (v > max) max = v; }
      const r = n ? max - min + 1 : 1;
      if (packed && range * r < 2 ** 53) {
        for (let i = 0; i < n; i++) packed[i] = packed[i] * r + (col[i] - min);
        range *= r;
      } else {
        if (packed) { ops.push(OP_NUM); cols.push(packed); ranges.push(range); }
        packed = new Float64Array(n);
        for (let i = 0; i < n; i++) packed[i] = col[i] - min;
        range = r;
      }
    }
    ops.push(OP_NUM); cols.push(packed!); ranges.push(range);
  }
  return { ops: Int8Array.from(ops), cols, ranges };
}

/** Order of two addresses (hex) by the sign of the 64-bit difference `(int64_t)(b - a)`: negative when a comes first. */
export function signedOrder(a: string, b: string, memo: AddrHalves = new AddrHalves()): number {
  if (a === b) return 0;
  const x = memo.slot(a), y = memo.slot(b);
  // b - a modulo 2^64 through 32-bit halves; the high half as int32 gives the sign unless it is 0
  let lo = memo.loAt(y) - memo.loAt(x), borrow = 0;
  if (lo < 0) { lo += 0x100000000; borrow = 1; }
  const hi = (memo.hiAt(y) - memo.hiAt(x) - borrow) | 0;
  return hi > 0 ? -1 : hi < 0 ? 1 : lo > 0 ? -1 : 0;
}

function unsignedHexOrder(a: string, b: string): number {
  const p = a.padStart(16, '0'), q = b.padStart(16, '0');
  return p < q ? -1 : p > q ? 1 : 0;
}

/**
 * The in-order sequence of a red-black tree (Linux lib/rbtree.c insertion and rebalancing) built by
 * inserting `items` in order, each going left of a node when cmp(item, node) < 0, else right.
 */
export function rbTreeOrder<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const at = rbTreePositions(items, cmp);
  const out = new Array<T>(at.length);
  for (let i = 0; i < at.length; i++) out[i] = items[at[i]];
  return out;
}

/** Per index the rank of col[i] among col's distinct values, highest first (equal values, equal ranks), and their number. */
function descRanks(col: Float64Array): { rank: Int32Array; count: number } {
  const n = col.length, d = col.slice().sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (m === 0 || d[i] !== d[m - 1]) d[m++] = d[i];
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = col[i];
    let a = 0, b = m;
    while (a < b) { const mid = (a + b) >>> 1; if (d[mid] < v) a = mid + 1; else b = mid; }
    rank[i] = m - 1 - a;
  }
  return { rank, count: m };
}

/** Positions in `items` in the order of a stable sort by cmp (what rbTreePositions gives for a strict weak order). */
function sortPositions(items: Int32Array, cmp: (a: number, b: number) => number): Int32Array {
  const pos = new Int32Array(items.length);
  for (let i = 0; i < pos.length; i++) pos[i] = i;
  return pos.sort((x, y) => cmp(items[x], items[y]) || x - y);
}

/** rbTreeOrder as positions in `items`. */
function rbTreePositions<T>(items: ArrayLike<T>, cmp: (a: T, b: T) => number): Int32Array {
  const n = items.length;
  const left = new Int32Array(n).fill(-1), right = new Int32Array(n).fill(-1), parent = new Int32Array(n).fill(-1);
  const red = new Uint8Array(n);
  let root = -1;
  const rotateLeft = (x: number): void => {
    const y = right[x];
    right[x] = left[y];
    if (left[y] >= 0) parent[left[y]] = x;
    parent[y] = parent[x];
    if (parent[x] < 0) root = y;
    else if (x === left[parent[x]]) left[parent[x]] = y;
    else right[parent[x]] = y;
    left[y] = x;
    parent[x] = y;
  };
  const rotateRight = (x: number): void => {
    const y = left[x];
    left[x] = right[y];
    if (right[y] >= 0) parent[right[y]] = x;
    parent[y] = parent[x];
    if (parent[x] < 0) root = y;
    else if (x === right[parent[x]]) right[parent[x]] = y;
    else left[parent[x]] = y;
    right[y] = x;
    parent[x] = y;
  };
  for (let i = 0; i < n; i++) {
    let p = -1, goLeft = false;
    for (let c = root; c >= 0;) {
      p = c;
      goLeft = cmp(items[i], items[c]) < 0;
      c = goLeft ? left[c] : right[c];
    }
    parent[i] = p;
    if (p < 0) root = i;
    else if (goLeft) left[p] = i;
    else right[p] = i;
    red[i] = 1;
    // __rb_insert: recolour while the uncle is red, else one or two rotations
    let z = i;
    while (parent[z] >= 0 && red[parent[z]]) {
      const pz = parent[z], g = parent[pz];
      if (pz === left[g]) {
        const u = right[g];
        if (u >= 0 && red[u]) { red[pz] = 0; red[u] = 0; red[g] = 1; z = g; continue; }
        if (z === right[pz]) { z = pz; rotateLeft(z); }
        red[parent[z]] = 0; red[parent[parent[z]]] = 1; rotateRight(parent[parent[z]]);
      } else {
        const u = left[g];
        if (u >= 0 && red[u]) { red[pz] = 0; red[u] = 0; red[g] = 1; z = g; continue; }
        if (z === left[pz]) { z = pz; rotateRight(z); }
        red[parent[z]] = 0; red[parent[parent[z]]] = 1; rotateLeft(parent[parent[z]]);
      }
    }
    red[root] = 0;
  }
  const out = new Int32Array(n);
  const stack = new Int32Array(n + 1);
  let sp = 0, k = 0;
  for (let c = root; c >= 0 || sp > 0;) {
    if (c >= 0) { stack[sp++] = c; c = left[c]; continue; }
    c = stack[--sp];
    out[k++] = c;
    c = right[c];
  }
  return out;
}

function strcmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

/** The text of a sort key column for an entry (srcline and srcfile need the entry's Hists' texts). */
export function sortText(e: HistEntry, key: SortKey, sources?: SourceLines): string {
  switch (key) {
    case 'srcline': return e.srcline ?? (sources ?? defaultSources()).srcline(e.loc);
    case 'srcfile': return e.srcfile ?? (sources ?? defaultSources()).srcfile(e.loc);
    case 'trace': return e.trace ?? 'N/A';
    case 'symoff': {
      const l = e.loc;
      return l.sym ? `[${e.level}] ${l.sym.name}+0x${l.offset.toString(16)}` : symText(l, e.level);
    }
    case 'comm': return e.comm;
    case 'pid': return `${String(e.thread.tid).padStart(7)}:${e.thread.comm}`;
    case 'cpu': return (e.cpu < 0 ? '-' : '') + String(Math.abs(e.cpu)).padStart(3, '0'); // printf("%3.3d")
    case 'dso': return dsoText(e.loc);
    case 'sym': return symText(e.loc, e.level);
  }
}

let shared: SourceLines | undefined;
function defaultSources(): SourceLines { return (shared ??= new SourceLines()); }

/**
 * Whether, per group (equal keys before sym), the unresolved entries' addresses (u32 halves) span
 * less than 2^63: then perf's signed 64-bit difference orders them as unsigned numbers do.
 */
function unresolvedSpansUnder2p63(n: number, unresolved: (i: number) => boolean, group: ArrayLike<number>, hi: ArrayLike<number>, lo: ArrayLike<number>): boolean {
  const minOf = new Map<number, number>(), maxOf = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (!unresolved(i)) continue;
    const g = group[i], a = minOf.get(g);
    if (a === undefined) { minOf.set(g, i); maxOf.set(g, i); continue; }
    if (hi[i] < hi[a] || (hi[i] === hi[a] && lo[i] < lo[a])) minOf.set(g, i);
    const b = maxOf.get(g)!;
    if (hi[i] > hi[b] || (hi[i] === hi[b] && lo[i] > lo[b])) maxOf.set(g, i);
  }
  for (const [g, a] of minOf) {
    const b = maxOf.get(g)!;
    if (hi[b] - hi[a] - (lo[b] < lo[a] ? 1 : 0) >= 0x80000000) return false;
  }
  return true;
}
