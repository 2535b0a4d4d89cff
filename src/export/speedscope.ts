// speedscope's file format (https://www.speedscope.app/file-format-schema.json): one "sampled"
// profile per thread, all sharing one frame table. Each sample is a stack of frame indices, root
// first, with a weight: the period in nanoseconds when the profile's period measures time, else 1
// per sample ("none"). Samples keep their time order within a thread.
import { processNames, type StackProfile } from '../analysis/stack-profile.js';
import { ChunkWriter, collectText, type ByteSink } from './folded.js';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'none' | 'nanoseconds';
  startValue: number;
  endValue: number;
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name?: string;
  activeProfileIndex?: number;
  exporter?: string;
}

export function toSpeedscopeObject(p: StackProfile, opts: { name?: string } = {}): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  for (let f = 0; f < p.frames.length; f++) {
    const fr: SpeedscopeFrame = { name: p.strings[p.frames.name[f]] };
    const file = p.frames.file[f];
    const mod = p.frames.module[f];
    if (file >= 0) fr.file = p.strings[file];
    else if (mod >= 0) fr.file = p.modules[mod].name;
    if (p.frames.line[f] > 0) fr.line = p.frames.line[f];
    frames.push(fr);
  }
  const nanos = p.periodType?.unit === 'nanoseconds' && p.samples.period.some((v) => !Number.isNaN(v));

  // Group samples by (pid, tid); a thread that changed comm stays one profile, named by its last comm.
  const groups = new Map<string, { pid: number; tid: number; comm: string; rows: number[] }>();
  const threadGroup = p.threads.map((t) => {
    const key = `${t.pid}/${t.tid}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { pid: t.pid, tid: t.tid, comm: t.comm, rows: [] }));
    g.comm = t.comm;
    return g;
  });
  for (let i = 0; i < p.samples.length; i++) threadGroup[p.samples.thread[i]].rows.push(i);

  const stackCache = new Map<number, number[]>();
  const stackOf = (node: number): number[] => {
    let s = stackCache.get(node);
    if (!s) {
      s = [];
      for (let n = node; n >= 0; n = p.stacks.parent[n]) s.push(p.stacks.frame[n]);
      s.reverse();
      stackCache.set(node, s);
    }
    return s;
  };
  const procNames = processNames(p);
  const profiles: SpeedscopeSampledProfile[] = [];
  for (const g of groups.values()) {
    const time = p.samples.time;
    g.rows.sort((a, b) => (Number.isNaN(time[a]) || Number.isNaN(time[b]) ? a - b : time[a] - time[b] || a - b));
    const samples: number[][] = [];
    const weights: number[] = [];
    let total = 0;
    for (const i of g.rows) {
      const w = nanos ? (Number.isNaN(p.samples.period[i]) ? 0 : p.samples.period[i]) : p.samples.weight[i];
      samples.push(stackOf(p.samples.stack[i]));
      weights.push(w);
      total += w;
    }
    const proc = procNames.get(g.pid) ?? g.comm;
    profiles.push({
      type: 'sampled',
      name: g.pid === g.tid ? `${g.comm} (pid ${g.pid})` : `${g.comm} (tid ${g.tid}, ${proc} pid ${g.pid})`,
      unit: nanos ? 'nanoseconds' : 'none',
      startValue: 0,
      endValue: total,
      samples,
      weights,
    });
  }
  // The busiest thread first, so speedscope opens on it.
  profiles.sort((a, b) => b.endValue - a.endValue);
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles,
    name: opts.name ?? (p.eventName ? `kscope: ${p.eventName}` : 'kscope profile'),
    activeProfileIndex: 0,
    exporter: 'kscope',
  };
}

/**
 * Writes JSON.stringify(toSpeedscopeObject(p, opts)) to `sink` in chunks, without the object or the
 * text in memory: stacks are written from the profile's prefix tree sample by sample.
 */
export function writeSpeedscope(p: StackProfile, opts: { name?: string }, sink: ByteSink): void {
  const out = new ChunkWriter(sink);
  const json = (v: string | number): void => out.text(JSON.stringify(v));
  out.ascii('{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[');
  for (let f = 0; f < p.frames.length; f++) {
    if (f > 0) out.ascii(',');
    out.ascii('{"name":');
    json(p.strings[p.frames.name[f]]);
    const file = p.frames.file[f];
    const mod = p.frames.module[f];
    if (file >= 0 || mod >= 0) {
      out.ascii(',"file":');
      json(file >= 0 ? p.strings[file] : p.modules[mod].name);
    }
    if (p.frames.line[f] > 0) {
      out.ascii(',"line":');
      json(p.frames.line[f]);
    }
    out.ascii('}');
  }
  out.ascii(']},"profiles":[');
  const nanos = p.periodType?.unit === 'nanoseconds' && p.samples.period.some((v) => !Number.isNaN(v));
  const { time, period, weight, stack } = p.samples;
  const weightOf = (i: number): number => (nanos ? (Number.isNaN(period[i]) ? 0 : period[i]) : weight[i]);

  // Group samples by (pid, tid) as toSpeedscopeObject does: row lists in one Int32Array (CSR).
  const groupIds = new Map<string, number>();
  const groups: Array<{ pid: number; tid: number; comm: string; total: number; index: number }> = [];
  const threadGroup = new Int32Array(p.threads.length);
  p.threads.forEach((t, i) => {
    const key = `${t.pid}/${t.tid}`;
    let g = groupIds.get(key);
    if (g === undefined) {
      g = groups.length;
      groupIds.set(key, g);
      groups.push({ pid: t.pid, tid: t.tid, comm: t.comm, total: 0, index: g });
    }
    groups[g].comm = t.comm;
    threadGroup[i] = g;
  });
  const start = new Int32Array(groups.length + 1);
  for (let i = 0; i < p.samples.length; i++) start[threadGroup[p.samples.thread[i]] + 1]++;
  for (let g = 0; g < groups.length; g++) start[g + 1] += start[g];
  const rows = new Int32Array(p.samples.length);
  const fill = start.slice(0, groups.length);
  for (let i = 0; i < p.samples.length; i++) rows[fill[threadGroup[p.samples.thread[i]]]++] = i;
  for (const g of groups) {
    const r = rows.subarray(start[g.index], start[g.index + 1]);
    r.sort((a, b) => (Number.isNaN(time[a]) || Number.isNaN(time[b]) ? a - b : time[a] - time[b] || a - b));
    let total = 0;
    for (const i of r) total += weightOf(i);
    g.total = total;
  }
  const order = [...groups].sort((a, b) => b.total - a.total);
  const procNames = processNames(p);
  let chain = new Int32Array(256);
  order.forEach((g, k) => {
    if (k > 0) out.ascii(',');
    const proc = procNames.get(g.pid) ?? g.comm;
    out.ascii('{"type":"sampled","name":');
    json(g.pid === g.tid ? `${g.comm} (pid ${g.pid})` : `${g.comm} (tid ${g.tid}, ${proc} pid ${g.pid})`);
    out.ascii(`,"unit":"${nanos ? 'nanoseconds' : 'none'}","startValue":0,"endValue":`);
    json(g.total);
    out.ascii(',"samples":[');
    const r = rows.subarray(start[g.index], start[g.index + 1]);
    for (let j = 0; j < r.length; j++) {
      let depth = 0;
      for (let n = stack[r[j]]; n >= 0; n = p.stacks.parent[n]) {
        if (depth === chain.length) {
          const c = new Int32Array(depth * 2);
          c.set(chain);
          chain = c;
        }
        chain[depth++] = p.stacks.frame[n];
      }
      let line = j > 0 ? ',[' : '[';
      for (let d = depth - 1; d >= 0; d--) line += d === depth - 1 ? `${chain[d]}` : `,${chain[d]}`;
      out.ascii(`${line}]`);
    }
    out.ascii('],"weights":[');
    for (let j = 0; j < r.length; j++) {
      if (j > 0) out.ascii(',');
      json(weightOf(r[j]));
    }
    out.ascii(']}');
  });
  out.ascii('],"name":');
  json(opts.name ?? (p.eventName ? `kscope: ${p.eventName}` : 'kscope profile'));
  out.ascii(',"activeProfileIndex":0,"exporter":"kscope"}');
  out.flush();
}

export function toSpeedscope(p: StackProfile, opts: { name?: string } = {}): string {
  return collectText((sink) => writeSpeedscope(p, opts, sink));
}
