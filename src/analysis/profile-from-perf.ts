// perf.data → StackProfile: every record in perf's delivery order (orderedRecords) goes through the
// machine model (analysis/machine.ts: threads, comms, maps, DSOs, symbols, callchains, DWARF
// unwinding); each sample of the chosen event becomes one row of the profile, its callchain root
// first (perf's caller order) with the sampled ip as the leaf, as `perf script` hands samples to
// tools/perf/scripts/python/stackcollapse.py:
//   - frame name: the resolved symbol (demangled by the injected demangler: perf shows C++ names
//     without parameters), perf's `[unknown]` when unresolved; on --call-graph dwarf user frames,
//     the inline chain from DWARF as perf 6.1 adds it
//   - module: the DSO's path (perf's long name: /usr/lib/.../libc.so.6, [kernel.kallsyms],
//     /tmp/perf-PID.map) with its build-id when the recording or its MMAP2 records carry one
//   - kind: kernel for kernel/module/bpf code, jit for perf-PID.map code, user otherwise
//   - thread: the sample's pid/tid and the thread's comm at that moment (COMM records seen so far)
//   - weight 1 (a sample), period the sample's period (PERF_SAMPLE_PERIOD or attr.sample_period)
// Samples without a recorded callchain get the sampled ip as a one-frame stack (stackcollapse
// prints only the comm for those; a flame graph is more useful with the function).
import type { PerfDataFile } from '../formats/perfdata/reader.js';
import { PerfSample, type PerfEvent } from '../formats/perfdata/sample.js';
import type { PerfRecord } from '../formats/perfdata/stream.js';
import { decodeRecord } from '../formats/perfdata/records.js';
import { RecordType, SampleType } from '../formats/perfdata/constants.js';
import { KscopeError } from '../util/errors.js';
import { InlineFrames, recordedEntries } from './inline-frames.js';
import { Machine, ResolvedSample, samplePeriod, type Loc, type MachineOptions } from './machine.js';
import { FrameKind, StackProfileBuilder, type StackProfile } from './stack-profile.js';
import { eventNames } from './stats.js';

const TWO32 = 0x100000000;
/** perf_event_attr type/config of the `dummy` software event (side-band only, never sampled for stacks). */
const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_DUMMY = 9;

export interface ProfileFromPerfOptions {
  /** The machine's injected I/O (util/node-machine-io.ts gives Node's); or a machine to reuse. */
  machine: MachineOptions | Machine;
  /** The event to take samples of, by name (`cpu-clock`, or with modifiers `cpu-clock:ppp`); default the first. */
  event?: string;
  /** Keep only samples of these process ids. */
  pids?: readonly number[];
  /** Keep only samples of these thread ids. */
  tids?: readonly number[];
  /** Keep only samples whose thread's comm (at sample time) is one of these. */
  comms?: readonly string[];
  /** Drop kernel frames (user-only stacks; a sample entirely in the kernel keeps an empty stack). */
  excludeKernel?: boolean;
  /** Turns a raw symbol name into what to show (perf: C++/Rust demangled without parameters); identity when absent. */
  demangle?: (name: string) => string;
  /** Frames per stack at most, leaf side kept (perf's max_stack: sysctl kernel.perf_event_max_stack, 127). */
  maxStack?: number;
  /**
   * Expand inlined calls into frames from DWARF for the user frames of --call-graph dwarf samples,
   * as perf 6.1 does there (unwind_entry → append_inlines; its frame-pointer callchains get no
   * inline frames). Default true; false is perf --no-inline.
   */
  inline?: boolean;
}

export interface PerfProfileResult {
  profile: StackProfile;
  /** The event whose samples were taken. */
  event: { index: number; name: string } | undefined;
  /** All events' names in the file, in attr order. */
  eventNames: string[];
  /** Samples of the chosen event before the pid/tid/comm filters. */
  eventSamples: number;
}

function kindOf(loc: Loc): FrameKind {
  const d = loc.dso;
  if (d) {
    if (d.kind === 'kernel' || d.kind === 'bpf') return FrameKind.Kernel;
    if (d.kind === 'jit') return FrameKind.Jit;
    return FrameKind.User;
  }
  return loc.level === 'k' || loc.level === 'g' ? FrameKind.Kernel : FrameKind.User;
}

function matchesEventName(full: string, want: string): boolean {
  if (full === want) return true;
  const colon = full.lastIndexOf(':');
  // `cpu-clock:ppp` answers to `cpu-clock`; tracepoints (`sched:sched_switch`) only to their full name.
  return colon > 0 && /^[ukhHGIpPSDeW]+$/.test(full.slice(colon + 1)) && full.slice(0, colon) === want;
}

/** Walks a perf.data file through the machine model and builds the stack profile of one event's samples. */
export function profileFromPerf(file: PerfDataFile, opts: ProfileFromPerfOptions): PerfProfileResult {
  const machine = opts.machine instanceof Machine ? opts.machine : new Machine(file, opts.machine);
  const demangle = opts.demangle ?? ((s: string) => s);
  const maxStack = opts.maxStack ?? 127;
  const pidSet = opts.pids?.length ? new Set(opts.pids) : undefined;
  const tidSet = opts.tids?.length ? new Set(opts.tids) : undefined;
  const commSet = opts.comms?.length ? new Set(opts.comms) : undefined;

  // The event is chosen at the first sample: in pipe mode attrs and names arrive as records.
  let chosen: PerfEvent | undefined;
  let chosenName = '';
  let names: string[] = [];
  let builder: StackProfileBuilder | undefined;
  const choose = (): void => {
    names = eventNames(file);
    const evs = file.events.events;
    let i: number;
    if (opts.event !== undefined) {
      i = names.findIndex((n) => n === opts.event);
      if (i < 0) i = names.findIndex((n) => matchesEventName(n, opts.event!));
      if (i < 0) {
        throw new KscopeError(`no event '${opts.event}' in ${file.name}`, `it has: ${names.join(', ') || 'no events'}`);
      }
    } else {
      i = evs.findIndex((e) => !(e.attr.type === PERF_TYPE_SOFTWARE && e.attr.config === BigInt(PERF_COUNT_SW_DUMMY)));
      if (i < 0) i = 0;
    }
    chosen = evs[i];
    chosenName = names[i] ?? '';
    const baseName = chosenName.replace(/:[ukhHGIpPSDeW]+$/, '');
    const timeBased = chosen && chosen.attr.type === PERF_TYPE_SOFTWARE && (chosen.attr.config === 0n || chosen.attr.config === 1n);
    builder = new StackProfileBuilder({
      ...(timeBased ? { periodType: { type: 'cpu', unit: 'nanoseconds' } } : { periodType: { type: baseName || 'events', unit: 'count' } }),
      ...(chosenName ? { eventName: chosenName } : {}),
    });
  };

  // Loc.id → its frame ids, innermost first (one, or several when DWARF says the code was inlined).
  const locFrames: Array<number[] | undefined> = [];
  const locFramesInlined: Array<number[] | undefined> = [];
  const frameKernel: boolean[] = [];
  const inlines = new InlineFrames();
  const expandInlines = opts.inline ?? true;
  const internFrame = (b: StackProfileBuilder, loc: Loc, name: string | undefined, kind: FrameKind): number => {
    const dso = loc.dso;
    const id = b.internFrame({
      name,
      ...(dso ? { module: dso.longName, ...(dso.buildId ? { buildId: dso.buildId } : {}) } : {}),
      kind,
    });
    frameKernel[id] = kind === FrameKind.Kernel;
    return id;
  };
  const framesOf = (b: StackProfileBuilder, loc: Loc, inlined: boolean): number[] => {
    const cache = inlined ? locFramesInlined : locFrames;
    const cached = cache[loc.id];
    if (cached) return cached;
    const sym = loc.sym;
    const kind = kindOf(loc);
    let ids: number[] | undefined;
    if (inlined) {
      const names = inlines.names(loc);
      if (names) ids = names.map((n) => internFrame(b, loc, n === undefined ? '??' : demangle(n), kind));
    }
    ids ??= [internFrame(b, loc, sym ? demangle(sym.name) : undefined, kind)];
    cache[loc.id] = ids;
    return ids;
  };
  const pushFrames = (b: StackProfileBuilder, parent: number, ids: number[]): number => {
    let node = parent;
    for (let k = ids.length - 1; k >= 0; k--) {
      if (opts.excludeKernel && frameKernel[ids[k]]) continue;
      node = b.internStackNode(node, ids[k]);
    }
    return node;
  };
  // The callchain → stack node cache: per node, (Loc id, inlined) → the node after that Loc's frames.
  // Small-integer keys keep these maps fast; a path seen before costs one lookup per entry.
  const next: Array<Map<number, number> | undefined> = [];
  const step = (b: StackProfileBuilder, parent: number, loc: Loc, inlined: boolean): number => {
    let m = next[parent + 1];
    if (!m) next[parent + 1] = m = new Map();
    const key = loc.id * 2 + (inlined ? 1 : 0);
    let node = m.get(key);
    if (node === undefined) {
      node = pushFrames(b, parent, framesOf(b, loc, inlined));
      m.set(key, node);
    }
    return node;
  };
  const threadIds = new Map<string, number>();

  const sample = new PerfSample();
  const resolved = new ResolvedSample();
  let eventSamples = 0;
  // perf's delivery order: orderedRecords() sorts by time between FINISHED_ROUNDs.
  for (const rec of file.orderedRecords()) {
    const t = rec.type;
    if (t !== RecordType.SAMPLE) {
      if (t === RecordType.EVENT_UPDATE) noteEventName(file, rec);
      machine.process(rec);
      continue;
    }
    if (!builder) choose();
    const ev = file.eventOf(rec);
    if (ev !== chosen) continue;
    const s = file.decodeSample(rec, sample);
    eventSamples++;
    if (pidSet && !pidSet.has(s.pid)) continue;
    if (tidSet && !tidSet.has(s.tid)) continue;
    const r = machine.resolve(s, resolved);
    const comm = r.thread.comm;
    if (commSet && !commSet.has(comm)) continue;
    const b = builder!;
    let node = -1;
    const hasChain = (s.sampleType & SampleType.CALLCHAIN) !== 0 || r.chainLength > 0;
    if (hasChain) {
      const n = Math.min(r.chainLength, maxStack);
      // chain[0, recorded) came from the recorded callchain, chain[recorded, n) from DWARF unwinding.
      const recorded = expandInlines && s.stackUser ? recordedEntries(s) : n;
      for (let i = n - 1; i >= 0; i--) node = step(b, node, r.chain[i], i >= recorded);
    } else {
      node = step(b, -1, r.frames[0], false);
    }
    const tkey = `${s.pid}/${s.tid}/${comm}`;
    let th = threadIds.get(tkey);
    if (th === undefined) {
      th = b.internThread(s.pid, s.tid, comm);
      threadIds.set(tkey, th);
    }
    const time = s.sampleType & SampleType.TIME ? s.timeHi * TWO32 + s.timeLo : NaN;
    b.addSampleAtNode(node, th, 1, time, samplePeriod(s));
  }
  if (!builder) choose();
  return {
    profile: builder!.build(),
    event: chosen ? { index: chosen.index, name: chosenName } : undefined,
    eventNames: names,
    eventSamples,
  };
}

/** Pipe-mode event names come as EVENT_UPDATE NAME records; put them on the events. */
function noteEventName(file: PerfDataFile, rec: PerfRecord): void {
  try {
    const d = decodeRecord(rec, file.events, file.name) as { eventName?: string; id?: bigint | number };
    if (d.eventName === undefined || d.id === undefined) return;
    const ev = file.events.eventById(Number(d.id));
    if (ev && !ev.name) ev.name = d.eventName;
  } catch { /* a damaged update leaves the attr-derived name */ }
}
