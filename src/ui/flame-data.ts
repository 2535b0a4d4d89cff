// The data a flame graph page embeds: the profile's stacks merged by frame name and kind under one
// root ("all", as flamegraph.pl names it), as parallel arrays, plus self weights per (node, thread)
// so the page can show all threads, one process or one thread without one object per sample.
import { processNames, type StackProfile } from '../analysis/stack-profile.js';

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
  const parent = [-1];
  const name = [0];
  const kind = [0];
  const module = [-1];
  const merged = new Map<string, number>(); // `${parentMerged}/${name}/${kind}` → merged node
  const nodeMap = new Int32Array(p.stacks.length);
  for (let n = 0; n < p.stacks.length; n++) {
    const f = p.stacks.frame[n];
    const up = p.stacks.parent[n] < 0 ? 0 : nodeMap[p.stacks.parent[n]];
    const nm = nameId(p.strings[p.frames.name[f]]);
    const k = p.frames.kind[f];
    const key = `${up}/${nm}/${k}`;
    let m = merged.get(key);
    if (m === undefined) {
      m = parent.length;
      parent.push(up);
      name.push(nm);
      kind.push(k);
      module.push(p.frames.module[f]);
      merged.set(key, m);
    }
    nodeMap[n] = m;
  }
  const selfMap = new Map<number, number>();
  const nThreads = Math.max(1, p.threads.length);
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const s = p.samples.stack[i];
    const node = s < 0 ? 0 : nodeMap[s];
    const key = node * nThreads + p.samples.thread[i];
    selfMap.set(key, (selfMap.get(key) ?? 0) + p.samples.weight[i]);
    total += p.samples.weight[i];
  }
  const self: number[] = [];
  for (const [key, w] of [...selfMap].sort((a, b) => a[0] - b[0])) self.push(Math.floor(key / nThreads), key % nThreads, w);
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
