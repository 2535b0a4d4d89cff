// speedscope's file format (https://www.speedscope.app/file-format-schema.json): one "sampled"
// profile per thread, all sharing one frame table. Each sample is a stack of frame indices, root
// first, with a weight: the period in nanoseconds when the profile's period measures time, else 1
// per sample ("none"). Samples keep their time order within a thread.
import { processNames, type StackProfile } from '../analysis/stack-profile.js';

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

export function toSpeedscope(p: StackProfile, opts: { name?: string } = {}): string {
  return JSON.stringify(toSpeedscopeObject(p, opts));
}
