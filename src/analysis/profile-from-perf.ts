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

/** How a sample's frames become stack nodes. */
interface StackOptions {
  demangle: (name: string) => string;
  excludeKernel: boolean;
  inlines: InlineFrames;
}

/** One event's profile under construction, with its caches (frame and node ids are per builder). */
class EventStacks {
  readonly builder: StackProfileBuilder;
  samples = 0;
  /** Loc.id → its frame ids, innermost first (one, or several when DWARF says the code was inlined). */
  private readonly locFrames: Array<number[] | undefined> = [];
  private readonly locFramesInlined: Array<number[] | undefined> = [];
  private readonly frameKernel: boolean[] = [];
  /** Symbol (or DSO, for unresolved addresses) → the frame ids of its non-inlined Locs. */
  private readonly ownerFrames = new Map<object, { dso: Loc['dso']; buildId: string | undefined; kind: FrameKind; ids: number[] }>();
  private readonly threadIds = new Map<string, number>();
  /** The machine's thread object → (its comm, our thread id), so a sample costs no key string. */
  private readonly lastThread = new Map<object, { pid: number; tid: number; comm: string; id: number }>();

  constructor(readonly event: PerfEvent, readonly name: string, private readonly o: StackOptions) {
    const baseName = name.replace(/:[ukhHGIpPSDeW]+$/, '');
    const timeBased = event.attr.type === PERF_TYPE_SOFTWARE && (event.attr.config === 0n || event.attr.config === 1n);
    this.builder = new StackProfileBuilder({
      periodType: timeBased ? { type: 'cpu', unit: 'nanoseconds' } : { type: baseName || 'events', unit: 'count' },
      ...(name ? { eventName: name } : {}),
    });
  }

  private internFrame(loc: Loc, name: string | undefined, kind: FrameKind): number {
    const dso = loc.dso;
    const id = this.builder.internFrame({
      name,
      ...(dso ? { module: dso.longName, ...(dso.buildId ? { buildId: dso.buildId } : {}) } : {}),
      kind,
    });
    this.frameKernel[id] = kind === FrameKind.Kernel;
    return id;
  }

  private framesOf(loc: Loc, inlined: boolean): number[] {
    const cache = inlined ? this.locFramesInlined : this.locFrames;
    const cached = cache[loc.id];
    if (cached) return cached;
    const sym = loc.sym;
    const kind = kindOf(loc);
    const demangle = this.o.demangle;
    let ids: number[] | undefined;
    if (inlined) {
      const entries = this.o.inlines.expand(loc);
      if (entries) ids = entries.map((e) => this.internFrame(loc, e.name, kind));
    }
    if (!ids) {
      // Many Locs (one per distinct address) share a frame: look it up by symbol, or by DSO when
      // unresolved, before building the frame's description and key.
      const owner: object | undefined = sym ?? loc.dso;
      const known = owner ? this.ownerFrames.get(owner) : undefined;
      if (known && known.dso === loc.dso && known.kind === kind && known.buildId === loc.dso?.buildId) {
        ids = known.ids;
      } else {
        ids = [this.internFrame(loc, sym ? demangle(sym.name) : undefined, kind)];
        if (owner) this.ownerFrames.set(owner, { dso: loc.dso, buildId: loc.dso?.buildId, kind, ids });
      }
    }
    cache[loc.id] = ids;
    return ids;
  }

  /**
   * The node after calling into `loc` from `parent` (-1: the root; a Loc whose frames are all left
   * out keeps the parent). The Loc's frames are cached per Loc; each is one (parent, frame) lookup
   * in the builder's node index: no (node, Loc) cache beside it (as many entries as stack nodes).
   */
  step(parent: number, loc: Loc, inlined: boolean): number {
    const ids = (inlined ? this.locFramesInlined : this.locFrames)[loc.id] ?? this.framesOf(loc, inlined);
    let node = parent;
    for (let k = ids.length - 1; k >= 0; k--) {
      if (this.o.excludeKernel && this.frameKernel[ids[k]]) continue;
      node = this.builder.internStackNode(node, ids[k]);
    }
    return node;
  }

  /** Our thread id for a sample of the machine's thread `owner` with its current comm. */
  threadOf(owner: object, pid: number, tid: number, comm: string): number {
    const last = this.lastThread.get(owner);
    if (last && last.comm === comm && last.pid === pid && last.tid === tid) return last.id;
    const id = this.thread(pid, tid, comm);
    this.lastThread.set(owner, { pid, tid, comm, id });
    return id;
  }

  thread(pid: number, tid: number, comm: string): number {
    const key = `${pid}/${tid}/${comm}`;
    let th = this.threadIds.get(key);
    if (th === undefined) {
      th = this.builder.internThread(pid, tid, comm);
      this.threadIds.set(key, th);
    }
    return th;
  }
}

function isDummy(e: PerfEvent): boolean {
  return e.attr.type === PERF_TYPE_SOFTWARE && e.attr.config === BigInt(PERF_COUNT_SW_DUMMY);
}

/**
 * Walks a perf.data file through the machine model and builds the stack profile of one event's
 * samples: `opts.event`, else the first event (in attr order, dummy aside) that has samples.
 */
export function profileFromPerf(file: PerfDataFile, opts: ProfileFromPerfOptions): PerfProfileResult {
  const machine = opts.machine instanceof Machine ? opts.machine : new Machine(file, opts.machine);
  const maxStack = opts.maxStack ?? 127;
  const expandInlines = opts.inline ?? true;
  const pidSet = opts.pids?.length ? new Set(opts.pids) : undefined;
  const tidSet = opts.tids?.length ? new Set(opts.tids) : undefined;
  const commSet = opts.comms?.length ? new Set(opts.comms) : undefined;
  const demangle = opts.demangle ?? ((x: string) => x);
  const so: StackOptions = { demangle, excludeKernel: opts.excludeKernel ?? false, inlines: new InlineFrames((sym) => demangle(sym.name), demangle) };

  // Events are looked at from the first sample on: in pipe mode attrs and names arrive as records.
  let names: string[] | undefined;
  let wanted: PerfEvent | undefined;
  const lookUpEvents = (): void => {
    names = eventNames(file);
    if (opts.event === undefined) return;
    let i = names.findIndex((n) => n === opts.event);
    if (i < 0) i = names.findIndex((n) => matchesEventName(n, opts.event!));
    if (i < 0) throw new KscopeError(`no event '${opts.event}' in ${file.name}`, `it has: ${names.join(', ') || 'no events'}`);
    wanted = file.events.events[i];
  };
  const perEvent = new Map<PerfEvent, EventStacks>();
  const stacksOf = (ev: PerfEvent): EventStacks => {
    let st = perEvent.get(ev);
    if (!st) {
      names = eventNames(file);
      st = new EventStacks(ev, names[ev.index] ?? '', so);
      perEvent.set(ev, st);
    }
    return st;
  };

  const sample = new PerfSample();
  const resolved = new ResolvedSample();
  // perf's delivery order: orderedRecords() sorts by time between FINISHED_ROUNDs. Nothing here or
  // in the machine keeps a record past its turn, so records come through one reused read buffer
  // and the ordering window holds queued records in a compact arena (transient).
  for (const rec of file.orderedRecords({ transient: true })) {
    const t = rec.type;
    if (t !== RecordType.SAMPLE) {
      if (t === RecordType.EVENT_UPDATE) noteEventName(file, rec);
      machine.process(rec);
      continue;
    }
    if (!names) lookUpEvents();
    const ev = file.eventOf(rec);
    if (!ev || (wanted ? ev !== wanted : isDummy(ev))) continue;
    const st = stacksOf(ev);
    const s = file.decodeSample(rec, sample);
    st.samples++;
    if (pidSet || tidSet) {
      // perf's thread__is_filtered: the thread's pid, which for a tid seen before is the pid it was
      // first seen with (all tid -1 samples of a -a recording share one thread)
      const th = machine.findnewThread(s.pid, s.tid);
      if (pidSet && !pidSet.has(th.pid)) continue;
      if (tidSet && !tidSet.has(th.tid)) continue;
    }
    const r = machine.resolve(s, resolved);
    const comm = r.thread.comm;
    if (commSet && !commSet.has(comm)) continue;
    let node = -1;
    const hasChain = (s.sampleType & SampleType.CALLCHAIN) !== 0 || r.chainLength > 0;
    if (hasChain) {
      const n = Math.min(r.chainLength, maxStack);
      // chain[0, recorded) came from the recorded callchain, chain[recorded, n) from DWARF unwinding.
      const recorded = expandInlines && s.stackUser ? recordedEntries(s) : n;
      for (let i = n - 1; i >= 0; i--) node = st.step(node, r.chain[i], i >= recorded);
    } else {
      node = st.step(-1, r.frames[0], false);
    }
    const time = s.sampleType & SampleType.TIME ? s.timeHi * TWO32 + s.timeLo : NaN;
    st.builder.addSampleAtNode(node, st.threadOf(r.thread, s.pid, s.tid, comm), 1, time, samplePeriod(s));
  }
  if (!names) lookUpEvents();
  const evs = file.events.events;
  const pick = wanted ?? evs.find((e) => !isDummy(e) && (perEvent.get(e)?.samples ?? 0) > 0) ?? evs.find((e) => !isDummy(e)) ?? evs[0];
  const st = pick ? stacksOf(pick) : undefined;
  return {
    profile: st ? st.builder.build() : new StackProfileBuilder().build(),
    event: st ? { index: st.event.index, name: st.name } : undefined,
    eventNames: names ?? [],
    eventSamples: st?.samples ?? 0,
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
