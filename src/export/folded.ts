// Folded stacks: one line per distinct stack, `comm;root;...;leaf count`, sorted by the stack text.
// This is the input of flamegraph.pl and many other tools. Conventions follow Linux's
// tools/perf/scripts/python/stackcollapse.py (itself after Brendan Gregg's stackcollapse-perf.pl):
//   - the comm comes first, spaces replaced by '_'; with pid/tid it reads `comm-pid/tid`
//   - an unknown function prints as `[unknown]`; ';' inside names becomes ':'
//   - kernel frames get `_[k]` only when asked (stackcollapse.py --kernel), JIT frames `_[j]`
//     likewise (stackcollapse-perf.pl --jit)
//   - lines are sorted by the stack text; counts are summed sample weights
import { FrameKind, type StackProfile } from '../analysis/stack-profile.js';
import { PairIndex } from '../analysis/pair-table.js';

export interface FoldedOptions {
  /** Put the comm first (default true), like stackcollapse.py without --no-comm. */
  includeComm?: boolean;
  /** Append `-pid` to the comm (stackcollapse.py --include-pid). */
  includePid?: boolean;
  /** Append the tid (`-tid`, or `/tid` after a pid) to the comm (stackcollapse.py --include-tid). */
  includeTid?: boolean;
  /** Annotate kernel frames with `_[k]` (stackcollapse.py --kernel; off by default). */
  annotateKernel?: boolean;
  /** Annotate JIT frames with `_[j]` (stackcollapse-perf.pl --jit; off by default). */
  annotateJit?: boolean;
  /** Use the period (for example nanoseconds) instead of the sample count as each line's value. */
  usePeriod?: boolean;
}

function frameText(p: StackProfile, f: number, opts: FoldedOptions): string {
  let s = p.strings[p.frames.name[f]].replace(/;/g, ':');
  const k = p.frames.kind[f];
  if (opts.annotateKernel && k === FrameKind.Kernel) s += '_[k]';
  else if (opts.annotateJit && k === FrameKind.Jit) s += '_[j]';
  return s;
}

function threadText(p: StackProfile, t: number, opts: FoldedOptions): string {
  const th = p.threads[t];
  let s = th.comm.replace(/ /g, '_');
  let sep = '-';
  if (opts.includePid) {
    s += `${sep}${th.pid >>> 0}`; // stackcollapse.py prints perf's u32 pid: -1 is 4294967295
    sep = '/';
  }
  if (opts.includeTid) s += `${sep}${th.tid >>> 0}`;
  return s;
}

/** Maps stack and thread to the lines' values; returned sorted, as `[stackText, value]`. */
export function foldStacks(p: StackProfile, opts: FoldedOptions = {}): Array<[string, number]> {
  const includeComm = opts.includeComm ?? true;
  if (!includeComm && (opts.includePid || opts.includeTid)) {
    throw new RangeError('folded stacks: a pid or tid needs the comm (includeComm)');
  }
  const frameTexts: string[] = new Array(p.frames.length);
  for (let f = 0; f < p.frames.length; f++) frameTexts[f] = frameText(p, f, opts);
  // Text of each stack node, built once per node from its parent's text.
  const nodeText: string[] = new Array(p.stacks.length);
  for (let n = 0; n < p.stacks.length; n++) {
    const parent = p.stacks.parent[n];
    const own = frameTexts[p.stacks.frame[n]];
    nodeText[n] = parent < 0 ? own : `${nodeText[parent]};${own}`;
  }
  const threadTexts = p.threads.map((_, t) => threadText(p, t, opts));
  // Sum per (stack node, thread) with numeric keys first; texts are built once per distinct pair.
  const nThreads = Math.max(1, p.threads.length);
  const pairs = new Map<number, number>();
  const { stack, thread, weight, period } = p.samples;
  for (let i = 0; i < p.samples.length; i++) {
    const v = opts.usePeriod ? (Number.isNaN(period[i]) ? 0 : period[i]) : weight[i];
    const key = (stack[i] + 1) * nThreads + thread[i];
    pairs.set(key, (pairs.get(key) ?? 0) + v);
  }
  const sums = new Map<string, number>();
  for (const [key, v] of pairs) {
    const n = Math.floor(key / nThreads) - 1;
    const t = key % nThreads;
    const frames = n < 0 ? '' : nodeText[n];
    const text = includeComm ? (frames ? `${threadTexts[t]};${frames}` : threadTexts[t]) : frames;
    if (text === '') continue; // nothing to print for a frameless sample without comm
    sums.set(text, (sums.get(text) ?? 0) + v);
  }
  // Code-point order, as Python's sorted() in stackcollapse.py and `sort` under LC_ALL=C.
  return [...sums].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Receives output bytes; must use or copy them before returning (the buffer is reused). */
export type ByteSink = (chunk: Uint8Array) => void;

/** Buffers small writes into large chunks for a ByteSink. */
export class ChunkWriter {
  private buf: Uint8Array;
  private n = 0;
  private readonly enc = new TextEncoder();
  constructor(private readonly sink: ByteSink, size = 1 << 16) {
    this.buf = new Uint8Array(size);
  }
  bytes(b: Uint8Array): void {
    if (this.n + b.length > this.buf.length) {
      this.flush();
      if (b.length > this.buf.length) {
        this.sink(b);
        return;
      }
    }
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  /** Writes `s`, which must be ASCII (numbers, punctuation). */
  ascii(s: string): void {
    if (this.n + s.length > this.buf.length) this.flush();
    if (s.length > this.buf.length) {
      this.sink(this.enc.encode(s));
      return;
    }
    for (let i = 0; i < s.length; i++) this.buf[this.n++] = s.charCodeAt(i);
  }
  text(s: string): void {
    if (this.n + s.length * 3 > this.buf.length) {
      this.flush();
      if (s.length * 3 > this.buf.length) {
        this.sink(this.enc.encode(s));
        return;
      }
    }
    this.n += this.enc.encodeInto(s, this.buf.subarray(this.n)).written;
  }
  flush(): void {
    if (this.n > 0) this.sink(this.buf.subarray(0, this.n));
    this.n = 0;
  }
}

const SEMI = 0x3b;

/**
 * Order of two sibling entries of the merged tree: `a`/`b` are component texts (no ';'), `subA`/`subB`
 * say whether the entry stands for the lines below the component (their text continues with ';')
 * or for the component's own line (its text ends there). This is exactly the code-unit order of the
 * full line texts, which share everything before these components.
 */
function compareEntries(a: string, subA: boolean, b: string, subB: boolean): number {
  if (a === b) return subA === subB ? 0 : subA ? 1 : -1;
  if (b.startsWith(a)) return !subA ? -1 : SEMI - b.charCodeAt(a.length);
  if (a.startsWith(b)) return !subB ? 1 : a.charCodeAt(b.length) - SEMI;
  return a < b ? -1 : 1;
}

/**
 * Writes the folded-stacks text (what toFolded returns) to `sink` in chunks, without building the
 * text or one string per line: the stacks are merged into a tree of line components in typed arrays
 * (node = (parent, text), keyed through a PairIndex), which is walked depth-first with each node's
 * children in the order their line texts sort, so lines come out sorted as stackcollapse's.
 */
export function writeFolded(p: StackProfile, opts: FoldedOptions, sink: ByteSink): void {
  const includeComm = opts.includeComm ?? true;
  if (!includeComm && (opts.includePid || opts.includeTid)) {
    throw new RangeError('folded stacks: a pid or tid needs the comm (includeComm)');
  }
  const out = new ChunkWriter(sink);
  const texts: string[] = [];
  const textIds = new Map<string, number>();
  const textId = (s: string): number => {
    let id = textIds.get(s);
    if (id === undefined) {
      id = texts.length;
      texts.push(s);
      textIds.set(s, id);
    }
    return id;
  };
  let plain = true; // every component non-empty and free of ';': component paths and texts correspond
  const frameTextId = new Int32Array(p.frames.length);
  for (let f = 0; f < p.frames.length; f++) {
    const s = frameText(p, f, opts);
    if (s === '') plain = false;
    frameTextId[f] = textId(s);
  }
  const threadTextId = new Int32Array(p.threads.length);
  if (includeComm) {
    for (let t = 0; t < p.threads.length; t++) {
      const s = threadText(p, t, opts);
      if (s === '' || s.includes(';')) plain = false;
      threadTextId[t] = textId(s);
    }
  }
  if (!plain) {
    for (const [k, v] of foldStacks(p, opts)) out.text(`${k} ${v}\n`);
    out.flush();
    return;
  }

  // The merged tree: node 0 is the root (no text); a line is a node that some sample ends at.
  // Sized for about one merged node per stack node (what a profile usually gives), so that the
  // arrays and the index rarely grow (each growth leaves the old buffers as garbage).
  let cap = Math.max(1024, p.stacks.length + p.threads.length + 1);
  let mParent = new Int32Array(cap);
  let mText = new Int32Array(cap);
  let mValue = new Float64Array(cap);
  let mLine = new Uint8Array(cap);
  let mCount = 1;
  mParent[0] = -1;
  mText[0] = -1;
  const childOf = new PairIndex(cap);
  const child = (parent: number, text: number): number => {
    let m = childOf.get(parent, text);
    if (m < 0) {
      if (mCount === cap) {
        cap *= 2;
        const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
        mParent = grow(mParent, new Int32Array(cap));
        mText = grow(mText, new Int32Array(cap));
        mValue = grow(mValue, new Float64Array(cap));
        mLine = grow(mLine, new Uint8Array(cap));
      }
      m = mCount++;
      mParent[m] = parent;
      mText[m] = text;
      childOf.set(parent, text, m);
    }
    return m;
  };
  // A stack node's merged node under a thread's top node, memoized per stack node for the top it
  // was last placed under (memoTop); samples are visited grouped by top (a stable counting sort),
  // so each (stack node, top) pair is placed once without a pair-keyed index.
  const memo = new Int32Array(p.stacks.length);
  const memoTop = new Int32Array(p.stacks.length).fill(-1);
  const path: number[] = [];
  const place = (node: number, top: number): number => {
    let n = node;
    while (n >= 0 && memoTop[n] !== top) {
      path.push(n);
      n = p.stacks.parent[n];
    }
    let m = n < 0 ? top : memo[n];
    while (path.length > 0) {
      const k = path.pop()!;
      m = child(m, frameTextId[p.stacks.frame[k]]);
      memo[k] = m;
      memoTop[k] = top;
    }
    return m;
  };
  const threadTop = new Int32Array(p.threads.length);
  for (let t = 0; t < p.threads.length; t++) threadTop[t] = includeComm ? child(0, threadTextId[t]) : 0;
  const { stack, thread, weight, period } = p.samples;
  const ns = p.samples.length, nTop = mCount;
  const groupAt = new Int32Array(nTop + 1);
  for (let i = 0; i < ns; i++) groupAt[threadTop[thread[i]] + 1]++;
  for (let k = 0; k < nTop; k++) groupAt[k + 1] += groupAt[k];
  const order = new Int32Array(ns);
  for (let i = 0; i < ns; i++) order[groupAt[threadTop[thread[i]]]++] = i;
  for (let k = 0; k < ns; k++) {
    const i = order[k];
    const v = opts.usePeriod ? (Number.isNaN(period[i]) ? 0 : period[i]) : weight[i];
    const m = place(stack[i], threadTop[thread[i]]);
    if (m === 0) continue; // nothing to print for a frameless sample without comm
    mValue[m] += v;
    mLine[m] = 1;
  }

  // Children lists (CSR), then a depth-first walk in line order.
  const first = new Int32Array(mCount + 1);
  for (let m = 1; m < mCount; m++) first[mParent[m] + 1]++;
  for (let m = 0; m < mCount; m++) first[m + 1] += first[m];
  const kids = new Int32Array(Math.max(1, mCount - 1));
  const fill = first.slice(0, mCount);
  for (let m = 1; m < mCount; m++) kids[fill[mParent[m]]++] = m;
  const hasKids = (m: number): boolean => first[m + 1] > first[m];
  const entriesOf = (m: number): Int32Array => {
    // Entry = child * 2 + (1: the lines below it, 0: its own line).
    const e: number[] = [];
    for (let k = first[m]; k < first[m + 1]; k++) {
      const c = kids[k];
      if (mLine[c]) e.push(c * 2);
      if (hasKids(c)) e.push(c * 2 + 1);
    }
    const ea = Int32Array.from(e);
    ea.sort((x, y) => compareEntries(texts[mText[x >> 1]], (x & 1) === 1, texts[mText[y >> 1]], (y & 1) === 1));
    return ea;
  };
  const enc = new TextEncoder();
  const textBytes: Array<Uint8Array | undefined> = [];
  let prefix = new Uint8Array(4096);
  const levels: Array<{ entries: Int32Array; at: number; prefixLen: number }> = [{ entries: entriesOf(0), at: 0, prefixLen: 0 }];
  while (levels.length > 0) {
    const top = levels[levels.length - 1];
    if (top.at === top.entries.length) {
      levels.pop();
      continue;
    }
    const e = top.entries[top.at++];
    const c = e >> 1;
    const tb = (textBytes[mText[c]] ??= enc.encode(texts[mText[c]]));
    if ((e & 1) === 0) {
      out.bytes(prefix.subarray(0, top.prefixLen));
      out.bytes(tb);
      out.ascii(` ${mValue[c]}\n`);
    } else {
      const len = top.prefixLen + tb.length + 1;
      if (len > prefix.length) {
        const b = new Uint8Array(Math.max(len, prefix.length * 2));
        b.set(prefix.subarray(0, top.prefixLen));
        prefix = b;
      }
      prefix.set(tb, top.prefixLen);
      prefix[len - 1] = SEMI;
      levels.push({ entries: entriesOf(c), at: 0, prefixLen: len });
    }
  }
  out.flush();
}

/** The folded-stacks text, one `stack count` line per distinct stack, newline-terminated. */
export function toFolded(p: StackProfile, opts: FoldedOptions = {}): string {
  return collectText((sink) => writeFolded(p, opts, sink));
}

/** The UTF-8 text a writer produces, as one string. */
export function collectText(write: (sink: ByteSink) => void): string {
  const chunks: Uint8Array[] = [];
  let total = 0;
  write((c) => {
    chunks.push(c.slice());
    total += c.length;
  });
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}
