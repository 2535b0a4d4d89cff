// The data a flame graph page embeds: the profile's stacks merged by frame name and kind under one
// root ("all", as flamegraph.pl names it), as parallel arrays, plus self weights per (node, thread)
// so the page can show all threads, one process or one thread without one object per sample.
import { processNames, type StackProfile } from '../analysis/stack-profile.js';
import { PairIndex } from '../analysis/pair-table.js';

export interface FlameData {
  v: 1;
  title: string;
  subtitle: string;
  /** What the values count, for tooltips: "samples". */
  unit: string;
  names: string[];
  modules: string[];
  /** Node 0 is the root; a parent always precedes its children. */
  parent: number[];
  name: number[];
  kind: number[];
  module: number[];
  /** [pid, tid, comm] per thread. */
  threads: Array<[number, number, string]>;
  /** pid → process name. */
  processes: Array<[number, string]>;
  /** Flat triples: node, thread index, self weight. */
  self: number[];
}

export interface FlameOptions {
  title?: string;
  subtitle?: string;
}

export function flameData(p: StackProfile, opts: FlameOptions = {}): FlameData {
  const names: string[] = ['all'];
  const nameIds = new Map<string, number>([['all', 0]]);
  const nameId = (s: string): number => {
    let id = nameIds.get(s);
    if (id === undefined) {
      id = names.length;
      names.push(s);
      nameIds.set(s, id);
    }
    return id;
  };
  const modules: string[] = p.modules.map((m) => m.name);
  // Merged nodes in typed arrays, keyed (merged parent, name id * 4 + kind) through a PairIndex.
  let cap = 1024;
  let mParent: Int32Array = new Int32Array(cap);
  let mName: Int32Array = new Int32Array(cap);
  let mKind: Int32Array = new Int32Array(cap);
  let mModule: Int32Array = new Int32Array(cap);
  mParent[0] = -1;
  mModule[0] = -1;
  let count = 1;
  const merged = new PairIndex(1024);
  const frameName = new Int32Array(p.frames.length).fill(-1); // names are numbered in node order
  const nodeMap = new Int32Array(p.stacks.length);
  for (let n = 0; n < p.stacks.length; n++) {
    const f = p.stacks.frame[n];
    const up = p.stacks.parent[n] < 0 ? 0 : nodeMap[p.stacks.parent[n]];
    let nm = frameName[f];
    if (nm < 0) nm = frameName[f] = nameId(p.strings[p.frames.name[f]]);
    const k = p.frames.kind[f];
    let m = merged.get(up, nm * 4 + k);
    if (m < 0) {
      if (count === cap) {
        cap *= 2;
        const grow = (a: Int32Array): Int32Array => {
          const b = new Int32Array(cap);
          b.set(a);
          return b;
        };
        mParent = grow(mParent);
        mName = grow(mName);
        mKind = grow(mKind);
        mModule = grow(mModule);
      }
      m = count++;
      mParent[m] = up;
      mName[m] = nm;
      mKind[m] = k;
      mModule[m] = p.frames.module[f];
      merged.set(up, nm * 4 + k, m);
    }
    nodeMap[n] = m;
  }
  // Self weight per (merged node, thread), listed by node then thread.
  const selfIndex = new PairIndex(1024);
  let selfKeys = new Float64Array(1024);
  let selfWeight = new Float64Array(1024);
  let nSelf = 0;
  const nThreads = Math.max(1, p.threads.length);
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const s = p.samples.stack[i];
    const node = s < 0 ? 0 : nodeMap[s];
    const th = p.samples.thread[i];
    let e = selfIndex.get(node, th);
    if (e < 0) {
      if (nSelf === selfKeys.length) {
        const k2 = new Float64Array(nSelf * 2);
        k2.set(selfKeys);
        selfKeys = k2;
        const w2 = new Float64Array(nSelf * 2);
        w2.set(selfWeight);
        selfWeight = w2;
      }
      e = nSelf++;
      selfKeys[e] = node * nThreads + th;
      selfIndex.set(node, th, e);
    }
    selfWeight[e] += p.samples.weight[i];
    total += p.samples.weight[i];
  }
  const sortedKeys = selfKeys.slice(0, nSelf).sort();
  const self: number[] = new Array(nSelf * 3);
  for (let e = 0; e < nSelf; e++) {
    const key = sortedKeys[e];
    const node = Math.floor(key / nThreads);
    const th = key % nThreads;
    self[e * 3] = node;
    self[e * 3 + 1] = th;
    self[e * 3 + 2] = selfWeight[selfIndex.get(node, th)];
  }
  const parent = Array.from(mParent.subarray(0, count));
  const name = Array.from(mName.subarray(0, count));
  const kind = Array.from(mKind.subarray(0, count));
  const module = Array.from(mModule.subarray(0, count));
  const procs = processNames(p);
  const nProcs = procs.size;
  return {
    v: 1,
    title: opts.title ?? 'Flame Graph',
    subtitle: opts.subtitle ?? `${p.eventName ? `${p.eventName}: ` : ''}${total} samples, ${nProcs} process${nProcs === 1 ? '' : 'es'}, ${p.threads.length} thread${p.threads.length === 1 ? '' : 's'}`,
    unit: 'samples',
    names,
    modules,
    parent,
    name,
    kind,
    module,
    threads: p.threads.map((t) => [t.pid, t.tid, t.comm]),
    processes: [...procs].sort((a, b) => a[0] - b[0]),
    self,
  };
}
