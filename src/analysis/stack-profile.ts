// A compact model of sampled call stacks, the common input of every stack exporter (folded, pprof,
// speedscope, the HTML flame graph). It is neutral about where samples came from: the perf.data
// analysis, a live session or a test fill it through StackProfileBuilder.
//
// Layout (after the Firefox Profiler's processed profile and pprof's tables):
//   strings   interned text; every name below is an index into it
//   frames    one row per distinct (function name, module, file, line, kind)
//   stacks    a prefix tree: node i = (parent node or -1, frame); a parent always precedes its
//             children, so one backwards pass accumulates totals from leaves to the root
//   samples   one row per sample: (stack node or -1 for an empty stack, weight, thread, time, period)
//   threads   one row per (pid, tid, comm) seen: a thread that changes comm (exec) gets one row per
//             comm, as perf script and stackcollapse key stacks by the comm at sample time
// Per-sample and per-node data live in typed arrays, never one object per sample (DESIGN.md).
import { PairIndex } from './pair-table.js';

/** What ran the frame's code: compiled user code, the kernel, or code generated at run time. */
export const enum FrameKind {
  User = 0,
  Kernel = 1,
  Jit = 2,
}

export const FRAME_KIND_NAMES = ['user', 'kernel', 'jit'] as const;
export type FrameKindName = (typeof FRAME_KIND_NAMES)[number];

/** A binary or other code container frames belong to (an ELF file, [kernel.kallsyms], a JIT map). */
export interface StackModule {
  /** Path or perf's name for it: `/usr/lib/x86_64-linux-gnu/libc.so.6`, `[kernel.kallsyms]`. */
  name: string;
  /** Build-id as lowercase hex, when known. */
  buildId?: string;
}

export interface StackThread {
  pid: number;
  tid: number;
  /** The thread's comm at the time of its samples. */
  comm: string;
}

/** How to read the per-sample period column, when the event has one that means time. */
export interface PeriodType {
  /** What the period measures, pprof-style: `cpu`, `wall`, `events`. */
  type: string;
  /** Its unit: `nanoseconds`, `count`. */
  unit: string;
}

export interface StackProfile {
  strings: string[];
  frames: {
    length: number;
    name: Int32Array; // string index
    module: Int32Array; // index into modules, or -1
    file: Int32Array; // string index, or -1
    line: Int32Array; // 0 when unknown
    kind: Uint8Array; // FrameKind
  };
  modules: StackModule[];
  stacks: {
    length: number;
    parent: Int32Array; // node index, or -1 for a root frame
    frame: Int32Array; // frame index
  };
  samples: {
    length: number;
    stack: Int32Array; // node index, or -1 when the sample has no frames
    weight: Float64Array; // how many samples this row stands for (usually 1)
    thread: Int32Array; // index into threads
    time: Float64Array; // nanoseconds (perf clock), NaN when unknown
    period: Float64Array; // the event's period (ns for cpu-clock), NaN when unknown
  };
  threads: StackThread[];
  /** Set when the period column measures something (cpu-clock: cpu/nanoseconds). */
  periodType?: PeriodType;
  /** The event's name, for titles: `cpu-clock`. */
  eventName?: string;
}

/** One frame as given to the builder. Unknown names should be passed as undefined, not '[unknown]'. */
export interface FrameInput {
  name?: string;
  module?: string;
  buildId?: string;
  file?: string;
  line?: number;
  kind?: FrameKind | FrameKindName;
}

export interface SampleInput {
  /** Frame ids from `internFrame`, or frame descriptions. */
  frames: ReadonlyArray<FrameInput | number>;
  /** Order of `frames`: perf's callchains are leaf first. Default 'leafToRoot'. */
  order?: 'rootToLeaf' | 'leafToRoot';
  weight?: number;
  pid: number;
  tid: number;
  comm: string;
  time?: number;
  period?: number;
}

/** Text shown for a frame whose function is not known, as perf and stackcollapse print it. */
export const UNKNOWN_NAME = '[unknown]';

class GrowI32 {
  a = new Int32Array(64);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  /** A view of the values so far: they never change once pushed, and growing moves to a new buffer. */
  done(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

class GrowF64 {
  a = new Float64Array(64);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): Float64Array {
    return this.a.subarray(0, this.n);
  }
}


/** Builds a StackProfile one sample at a time, interning strings, frames, stack nodes and threads. */
export class StackProfileBuilder {
  private strings: string[] = [];
  private stringIds = new Map<string, number>();
  private modules: StackModule[] = [];
  private moduleIds = new Map<string, number>();
  private frameIds = new Map<string, number>();
  private fName = new GrowI32();
  private fModule = new GrowI32();
  private fFile = new GrowI32();
  private fLine = new GrowI32();
  private fKind: number[] = [];
  private nodeIds = new PairIndex();
  private sParent = new GrowI32();
  private sFrame = new GrowI32();
  private smStack = new GrowI32();
  private smWeight = new GrowF64();
  private smThread = new GrowI32();
  private smTime = new GrowF64();
  private smPeriod = new GrowF64();
  private threads: StackThread[] = [];
  private threadIds = new Map<string, number>();
  private scratch: number[] = [];

  constructor(private readonly meta: { periodType?: PeriodType; eventName?: string } = {}) {}

  internString(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  internModule(name: string, buildId?: string): number {
    let id = this.moduleIds.get(name);
    if (id === undefined) {
      id = this.modules.length;
      this.modules.push(buildId ? { name, buildId: buildId.toLowerCase() } : { name });
      this.moduleIds.set(name, id);
    } else if (buildId && !this.modules[id].buildId) {
      this.modules[id].buildId = buildId.toLowerCase();
    }
    return id;
  }

  /** Returns the frame id for a frame description, adding it on first sight. */
  internFrame(f: FrameInput): number {
    const kind = typeof f.kind === 'string' ? FRAME_KIND_NAMES.indexOf(f.kind) : (f.kind ?? FrameKind.User);
    if (kind < 0) throw new RangeError(`unknown frame kind ${String(f.kind)}`);
    const name = f.name === undefined || f.name === '' ? UNKNOWN_NAME : f.name;
    const key = `${name}\0${f.module ?? ''}\0${f.file ?? ''}\0${f.line ?? 0}\0${kind}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.fName.n;
      this.fName.push(this.internString(name));
      this.fModule.push(f.module === undefined ? -1 : this.internModule(f.module, f.buildId));
      this.fFile.push(f.file === undefined ? -1 : this.internString(f.file));
      this.fLine.push(f.line ?? 0);
      this.fKind.push(kind);
      this.frameIds.set(key, id);
    } else if (f.module !== undefined && f.buildId) {
      this.internModule(f.module, f.buildId);
    }
    return id;
  }

  /** Returns the stack node for `frame` called from `parent` (-1: a root frame). */
  internStackNode(parent: number, frame: number): number {
    let id = this.nodeIds.get(parent, frame);
    if (id < 0) {
      id = this.sParent.n;
      this.sParent.push(parent);
      this.sFrame.push(frame);
      this.nodeIds.set(parent, frame, id);
    }
    return id;
  }

  internThread(pid: number, tid: number, comm: string): number {
    const key = `${pid}/${tid}/${comm}`;
    let id = this.threadIds.get(key);
    if (id === undefined) {
      id = this.threads.length;
      this.threads.push({ pid, tid, comm });
      this.threadIds.set(key, id);
    }
    return id;
  }

  addSample(s: SampleInput): void {
    const ids = this.scratch;
    ids.length = 0;
    for (const f of s.frames) ids.push(typeof f === 'number' ? f : this.internFrame(f));
    let node = -1;
    if ((s.order ?? 'leafToRoot') === 'leafToRoot') {
      for (let i = ids.length - 1; i >= 0; i--) node = this.internStackNode(node, ids[i]);
    } else {
      for (let i = 0; i < ids.length; i++) node = this.internStackNode(node, ids[i]);
    }
    this.addSampleAtNode(node, this.internThread(s.pid, s.tid, s.comm), s.weight ?? 1, s.time ?? NaN, s.period ?? NaN);
  }

  /**
   * The fast path for callers that cache their own callchain → stack node and thread ids
   * (from internStackNode and internThread): no per-frame work.
   */
  addSampleAtNode(node: number, thread: number, weight = 1, time = NaN, period = NaN): void {
    if (node < -1 || node >= this.sParent.n) throw new RangeError(`no stack node ${node}`);
    if (thread < 0 || thread >= this.threads.length) throw new RangeError(`no thread ${thread}`);
    this.smStack.push(node);
    this.smWeight.push(weight);
    this.smThread.push(thread);
    this.smTime.push(time);
    this.smPeriod.push(period);
  }

  /** The profile so far; the builder may keep adding samples for a later, larger snapshot. */
  build(): StackProfile {
    return {
      strings: this.strings.slice(),
      frames: {
        length: this.fName.n,
        name: this.fName.done(),
        module: this.fModule.done(),
        file: this.fFile.done(),
        line: this.fLine.done(),
        kind: Uint8Array.from(this.fKind),
      },
      modules: this.modules.map((m) => ({ ...m })),
      stacks: { length: this.sParent.n, parent: this.sParent.done(), frame: this.sFrame.done() },
      samples: {
        length: this.smStack.n,
        stack: this.smStack.done(),
        weight: this.smWeight.done(),
        thread: this.smThread.done(),
        time: this.smTime.done(),
        period: this.smPeriod.done(),
      },
      threads: this.threads.map((t) => ({ ...t })),
      ...(this.meta.periodType ? { periodType: { ...this.meta.periodType } } : {}),
      ...(this.meta.eventName ? { eventName: this.meta.eventName } : {}),
    };
  }
}

/** Frame ids of a stack node from root to leaf. */
export function stackFrames(p: StackProfile, node: number): number[] {
  const out: number[] = [];
  for (let n = node; n >= 0; n = p.stacks.parent[n]) out.push(p.stacks.frame[n]);
  return out.reverse();
}

/** Sum of sample weights, and of periods over samples that have one. */
export function profileTotals(p: StackProfile): { weight: number; period: number; periodSamples: number } {
  let weight = 0;
  let period = 0;
  let periodSamples = 0;
  for (let i = 0; i < p.samples.length; i++) {
    weight += p.samples.weight[i];
    const q = p.samples.period[i];
    if (!Number.isNaN(q)) {
      period += q;
      periodSamples++;
    }
  }
  return { weight, period, periodSamples };
}

/** The name a process goes by: the comm of its main thread (tid == pid), else of its first thread. */
export function processNames(p: StackProfile): Map<number, string> {
  const names = new Map<number, string>();
  for (const t of p.threads) {
    if (t.tid === t.pid) names.set(t.pid, t.comm);
    else if (!names.has(t.pid)) names.set(t.pid, t.comm);
  }
  return names;
}
