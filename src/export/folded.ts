// Folded stacks: one line per distinct stack, `comm;root;...;leaf count`, sorted by the stack text.
// This is the input of flamegraph.pl and many other tools. Conventions follow Linux's
// tools/perf/scripts/python/stackcollapse.py (itself after Brendan Gregg's stackcollapse-perf.pl):
//   - the comm comes first, spaces replaced by '_'; with pid/tid it reads `comm-pid/tid`
//   - an unknown function prints as `[unknown]`; ';' inside names becomes ':'
//   - kernel frames get `_[k]` only when asked (stackcollapse.py --kernel), JIT frames `_[j]`
//     likewise (stackcollapse-perf.pl --jit)
//   - lines are sorted by the stack text; counts are summed sample weights
import { FrameKind, type StackProfile } from '../analysis/stack-profile.js';

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

/** Maps stack and thread to the lines' values; returned sorted, as `[stackText, value]`. */
export function foldStacks(p: StackProfile, opts: FoldedOptions = {}): Array<[string, number]> {
  const includeComm = opts.includeComm ?? true;
  if (!includeComm && (opts.includePid || opts.includeTid)) {
    throw new RangeError('folded stacks: a pid or tid needs the comm (includeComm)');
  }
  const frameText: string[] = new Array(p.frames.length);
  for (let f = 0; f < p.frames.length; f++) {
    let s = p.strings[p.frames.name[f]].replace(/;/g, ':');
    const k = p.frames.kind[f];
    if (opts.annotateKernel && k === FrameKind.Kernel) s += '_[k]';
    else if (opts.annotateJit && k === FrameKind.Jit) s += '_[j]';
    frameText[f] = s;
  }
  // Text of each stack node, built once per node from its parent's text.
  const nodeText: string[] = new Array(p.stacks.length);
  for (let n = 0; n < p.stacks.length; n++) {
    const parent = p.stacks.parent[n];
    const own = frameText[p.stacks.frame[n]];
    nodeText[n] = parent < 0 ? own : `${nodeText[parent]};${own}`;
  }
  const threadText = p.threads.map((t) => {
    let s = t.comm.replace(/ /g, '_');
    let sep = '-';
    if (opts.includePid) {
      s += `${sep}${t.pid >>> 0}`; // stackcollapse.py prints perf's u32 pid: -1 is 4294967295
      sep = '/';
    }
    if (opts.includeTid) s += `${sep}${t.tid >>> 0}`;
    return s;
  });
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
    const text = includeComm ? (frames ? `${threadText[t]};${frames}` : threadText[t]) : frames;
    if (text === '') continue; // nothing to print for a frameless sample without comm
    sums.set(text, (sums.get(text) ?? 0) + v);
  }
  // Code-point order, as Python's sorted() in stackcollapse.py and `sort` under LC_ALL=C.
  return [...sums].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The folded-stacks text, one `stack count` line per distinct stack, newline-terminated. */
export function toFolded(p: StackProfile, opts: FoldedOptions = {}): string {
  let out = '';
  for (const [k, v] of foldStacks(p, opts)) out += `${k} ${v}\n`;
  return out;
}
