// A recording session, in the order of perf's cmd_record/__cmd_record (tools/perf/builtin-record.c,
// 6.1): prepare the workload, open every event on every (thread, CPU), mmap one ring buffer per
// CPU (or per thread) and point the other fds at it, write attrs and the synthesized records,
// FINISHED_INIT, start the workload or enable the events, then drain all buffers after each
// wake-up (FINISHED_ROUND after each pass), and at the end write the feature sections.
import { existsSync, renameSync, statSync } from 'node:fs';
import { KscopeError } from '../util/errors.js';
import { FdStreamSink, FileSink } from '../util/byte-sink.js';
import { makeAttr, setFlag, setPreciseIp, type PerfEventAttr } from '../formats/perfdata/attr.js';
import { Feature, Misc, PerfType, RecordType, SampleType } from '../formats/perfdata/constants.js';
import { encodeComm, encodeHeaderOnly } from '../formats/perfdata/encode.js';
import { encodeFeature, PERF_RECORD_MISC_BUILD_ID_SIZE, type BuildIdEntry } from '../formats/perfdata/features.js';
import { PerfDataPipeWriter, PerfDataWriter } from '../formats/perfdata/writer.js';
import { perfEventOpen, perfEventId, perfEnable, perfDisable, perfSetOutput, closeFd, Errno } from '../kernel/perf-event.js';
import { RingBuffer } from '../kernel/ring-buffer.js';
import { clockGettimeNs, clockResolutionNs } from '../kernel/clock.js';
import { pollAsync, POLLHUP } from '../kernel/poll.js';
import { readOnlineCpus, readThreads, readComm, listPids, readMaxSampleRate, readParanoid } from '../kernel/procfs.js';
import { tracepointId } from '../kernel/tracefs.js';
import { defaultEvent, fallbackEvent, type EventSpec } from './events.js';
import { encodeCpuMap, encodeIdIndex, encodeThreadMap, synthesizeBpfEvents, bpfProgInfoFeatureEntry, bpfBtfFeatureEntries, synthesizeKernelMmap, synthesizeProcess, synthesizeThreadMap, type IdIndexEntry } from './synthesize.js';
import { hostFeatures } from '../kernel/host-info.js';
import { collectTracingData } from './tracing.js';
import { readFileBuildId, readKernelBuildId } from './build-id.js';
import { prepareWorkload, type Workload } from './workload.js';

/** perf's x86_64 PERF_REGS_MASK without the segment registers: what --call-graph dwarf samples. */
export const X86_64_DWARF_REGS_MASK = 0xff0fffn;
export const DEFAULT_DWARF_STACK = 8192;

export interface RecordOptions {
  events: EventSpec[];
  /** Samples per second (default 4000), unless `period` is given. */
  freq?: number;
  period?: number;
  callGraph?: { mode: 'fp' } | { mode: 'dwarf'; stackSize: number };
  workload?: string[];
  pids?: number[];
  tids?: number[];
  allCpus?: boolean;
  cpus?: number[];
  /** -k: sample times from this POSIX clock (attr.use_clockid), with CLOCKID and CLOCK_DATA. */
  clockid?: number;
  /** Refuse (instead of lowering) a frequency above kernel.perf_event_max_sample_rate. */
  strictFreq?: boolean;
  /** Follow children (default true). */
  inherit?: boolean;
  /** File name, or '-' for pipe mode on stdout. */
  output: string;
  /** Data pages per ring buffer, a power of two (default 128 = 512 KiB, perf's default). */
  mmapPages?: number;
  verbose?: boolean;
  /** argv for the CMDLINE feature. */
  cmdline: string[];
  version?: string;
  /** Messages for the user (perf prints them on stderr). */
  log?: (line: string) => void;
  /** Called about once a second with running totals (for a live status line). */
  onProgress?: (p: { samples: number; bytes: number; lost: number }) => void;
  /** An AbortSignal that stops the recording (SIGINT/SIGTERM handlers use it). */
  signal?: AbortSignal;
}

export interface RecordResult {
  output: string;
  samples: number;
  /** Samples the kernel dropped (sum of PERF_RECORD_LOST.lost and LOST_SAMPLES). */
  lost: number;
  lostRecords: number;
  wakeups: number;
  /** Bytes of the output file (or stream). */
  bytes: number;
  /** The workload's exit status. */
  exitStatus?: number;
  /** Names of the events as recorded (after fallbacks). */
  eventNames: string[];
}

interface OpenEvent { spec: EventSpec; attr: PerfEventAttr; ids: bigint[]; fds: number[] }

interface UserMap { start: number; end: number; path: string }

const utf8 = new TextDecoder();

/** Builds the perf_event_attr for one event (evsel__config in perf). */
export function buildAttr(spec: EventSpec, o: RecordOptions, nEvents: number, cpuWide: boolean, tracking: boolean, workload: boolean): PerfEventAttr {
  const attr = makeAttr({ size: 128 });
  attr.type = spec.type;
  attr.config = spec.config;
  let st = SampleType.IP | SampleType.TID | SampleType.TIME | SampleType.PERIOD;
  if (spec.type === PerfType.TRACEPOINT) {
    attr.config = BigInt(tracepointId(spec.tracepoint!.subsys, spec.tracepoint!.name));
    attr.samplePeriod = 1n;
    st |= SampleType.RAW | SampleType.CPU;
  } else if (o.period) {
    attr.samplePeriod = BigInt(o.period);
  } else {
    attr.samplePeriod = BigInt(o.freq ?? 4000);
    setFlag(attr, 'freq');
  }
  if (cpuWide) st |= SampleType.CPU;
  if (nEvents > 1) st |= SampleType.IDENTIFIER;
  else if (cpuWide) st |= SampleType.ID;
  if (o.callGraph) {
    st |= SampleType.CALLCHAIN;
    if (o.callGraph.mode === 'dwarf') {
      st |= SampleType.REGS_USER | SampleType.STACK_USER;
      attr.sampleRegsUser = X86_64_DWARF_REGS_MASK;
      attr.sampleStackUser = o.callGraph.stackSize;
      setFlag(attr, 'exclude_callchain_user');
    }
  }
  attr.sampleType = st;
  attr.readFormat = 4 | 16; // PERF_FORMAT_ID | PERF_FORMAT_LOST (dropped on kernels before 6.0)
  setFlag(attr, 'disabled');
  if (o.inherit !== false && !cpuWide) setFlag(attr, 'inherit');
  if (workload) setFlag(attr, 'enable_on_exec');
  setFlag(attr, 'sample_id_all');
  if (spec.excludeUser) setFlag(attr, 'exclude_user');
  if (spec.excludeKernel) { setFlag(attr, 'exclude_kernel'); setFlag(attr, 'exclude_hv'); }
  if (spec.precise) setPreciseIp(attr, spec.precise);
  if (o.clockid !== undefined) { setFlag(attr, 'use_clockid'); attr.clockid = o.clockid; }
  if (tracking) {
    for (const f of ['mmap', 'comm', 'task', 'mmap2', 'comm_exec', 'ksymbol', 'bpf_event'] as const) setFlag(attr, f);
    // DWARF unwinding reads .eh_frame_hdr from non-exec segments: perf records data maps too.
    if (o.callGraph?.mode === 'dwarf') setFlag(attr, 'mmap_data');
  }
  return attr;
}

class MissingThread extends Error {
  constructor(readonly tid: number) { super(`thread ${tid} exited`); }
}

function isFallbackErrno(e: number | undefined): boolean {
  return e === Errno.ENOENT || e === Errno.EOPNOTSUPP || e === Errno.ENODEV || e === 6 /* ENXIO */;
}

function backupOutput(path: string): void {
  try {
    if (existsSync(path) && statSync(path).size > 0) renameSync(path, `${path}.old`);
  } catch { /* perf ignores a failed backup too */ }
}

export async function record(options: RecordOptions): Promise<RecordResult> {
  let o = options;
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const cpuWide = !!(o.allCpus || o.cpus);
  // System-wide, perf tracks mmap/comm/fork with a dummy event that counts from the moment it is
  // opened, so processes started while we synthesize the existing ones are not missed.
  const specs = [...(o.events.length ? o.events : [defaultEvent()])];
  const trackingIdx = cpuWide ? specs.length : 0;
  if (cpuWide) specs.push({ name: 'dummy:HG', type: PerfType.SOFTWARE, config: 9n, excludeUser: false, excludeKernel: false, precise: 0 });
  if (cpuWide && (o.pids || o.tids)) throw new KscopeError('-a/-C and -p/-t are exclusive');
  if (!cpuWide && !o.pids && !o.tids && !o.workload?.length) {
    throw new KscopeError('nothing to record', 'give a command after --, or -p PID, -t TID, -a');
  }
  const pages = o.mmapPages ?? 128;
  // record_opts__config_freq: a frequency above the kernel's limit is lowered to it, with perf's warning.
  const maxRate = readMaxSampleRate();
  if (!o.period && maxRate && (o.freq ?? 4000) > maxRate) {
    if (o.strictFreq) {
      throw new KscopeError(`Maximum frequency rate (${maxRate} Hz) exceeded.`, 'use -F with a lower value or raise /proc/sys/kernel/perf_event_max_sample_rate');
    }
    log(`warning: Maximum frequency rate (${maxRate} Hz) exceeded, throttling from ${o.freq} Hz to ${maxRate} Hz.\n` +
      '         The limit can be raised via /proc/sys/kernel/perf_event_max_sample_rate.\n' +
      "         The kernel will lower it when kscope's interrupts take too long.\n" +
      '         Use --strict-freq to disable this throttling, refusing to record.');
    o = { ...o, freq: maxRate };
  }
  const online = readOnlineCpus();
  const cpus = o.cpus ?? online;
  for (const c of cpus) if (!online.includes(c)) throw new KscopeError(`CPU ${c} is not online`, `online CPUs: ${online.join(',')}`);

  let threads: number[];
  if (cpuWide) threads = [-1];
  else if (o.tids) threads = o.tids;
  else if (o.pids) threads = o.pids.flatMap((p) => readThreads(p));
  else threads = [];
  const workload: Workload | undefined = o.workload?.length ? prepareWorkload(o.workload, { stdoutToStderr: o.output === '-' }) : undefined;
  // With -a, -C, -p or -t a command only sets how long to record (perf runs it untraced).
  const workloadIsTarget = !!workload && !cpuWide && !o.pids && !o.tids;
  if (workloadIsTarget) threads = [workload!.pid];

  const events: OpenEvent[] = [];
  const buffers: RingBuffer[] = [];
  const idIndex: IdIndexEntry[] = [];
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    for (const b of buffers) b.close();
    for (const e of events) for (const fd of e.fds) closeFd(fd);
  };
  try {
    // Open: per CPU, per thread, per event; the first fd on each CPU (per thread when cpu is -1)
    // owns the ring buffer, the others SET_OUTPUT into it.
    const nEvents = specs.length;
    let readFormatLost = true;
    for (let i = 0; i < specs.length; i++) {
      let spec = specs[i];
      for (;;) {
        const attr = buildAttr(spec, o, nEvents, cpuWide, i === trackingIdx, workloadIsTarget);
        if (!readFormatLost) attr.readFormat &= ~16;
        if (cpuWide && i === trackingIdx) setFlag(attr, 'disabled', false);
        const ev: OpenEvent = { spec, attr, ids: [], fds: [] };
        try {
          for (const cpu of cpus) for (const tid of threads) {
            try {
              ev.fds.push(perfEventOpen(attr, { pid: tid, cpu }, spec.name));
            } catch (err) {
              // -p: a thread that exited since we listed /proc/PID/task is skipped, as perf's
              // ignore_missing_thread does; start over without it so every event has the same slots.
              if (o.pids && threads.length > 1 && err instanceof KscopeError && err.errno === Errno.ESRCH) {
                throw new MissingThread(tid);
              }
              throw err;
            }
          }
        } catch (err) {
          for (const fd of ev.fds) closeFd(fd);
          if (err instanceof MissingThread) {
            for (const e of events) for (const fd of e.fds) closeFd(fd);
            events.length = 0;
            threads = threads.filter((t) => t !== err.tid);
            i = -1;
            break;
          }
          if (err instanceof KscopeError && err.errno === Errno.EINVAL && (attr.readFormat & 16)) {
            readFormatLost = false; // perf_missing_features.read_lost
            continue;
          }
          // evsel__fallback: kernel.perf_event_paranoid > 1 forbids kernel samples to the unprivileged;
          // perf retries without them and names the event NAME:u (NAMEu after modifiers).
          if (err instanceof KscopeError && (err.errno === Errno.EACCES || err.errno === Errno.EPERM) && !spec.excludeKernel && !spec.excludeUser) {
            const paranoid = readParanoid();
            if (paranoid !== undefined && paranoid > 1) {
              if (o.verbose) log(`kernel.perf_event_paranoid=${paranoid}, trying to fall back to excluding kernel and hypervisor  samples`);
              spec = { ...spec, excludeKernel: true, name: spec.name + (spec.name.includes(':') ? 'u' : ':u') };
              continue;
            }
          }
          const fb = fallbackEvent(spec);
          if (fb && err instanceof KscopeError && isFallbackErrno(err.errno)) {
            if (o.verbose) log(`Warning:\nThe ${spec.name.split(':')[0]} event is not supported, trying to fall back to cpu-clock-ticks`);
            spec = fb;
            continue;
          }
          throw err;
        }
        events.push(ev);
        break;
      }
    }
    for (let c = 0; c < cpus.length; c++) {
      for (let t = 0; t < threads.length; t++) {
        const slot = c * threads.length + t;
        // one buffer per CPU for inherited or CPU-wide events; SET_OUTPUT needs the same CPU.
        const ownerFd = events[0].fds[c * threads.length + 0];
        for (let e = 0; e < events.length; e++) {
          const fd = events[e].fds[slot];
          if (fd === ownerFd) buffers.push(new RingBuffer(fd, pages));
          else perfSetOutput(fd, ownerFd);
          const id = perfEventId(fd);
          events[e].ids.push(id);
          idIndex.push({ id, idx: e, cpu: cpus[c], tid: threads[t] });
        }
      }
    }
  } catch (err) {
    cleanup();
    workload?.child.kill('SIGKILL');
    throw err;
  }

  try {
    return await writeSession();
  } catch (err) {
    // a failed write (disk full, closed pipe): release the kernel resources and the workload
    cleanup();
    if (workload && !workload.hasExited()) workload.child.kill('SIGKILL');
    throw err;
  }

  async function writeSession(): Promise<RecordResult> {
    // The writer, attrs and start-up records.
    const pipe = o.output === '-';
    if (!pipe) backupOutput(o.output);
    const sink = pipe ? new FdStreamSink(1, '<stdout>') : new FileSink(o.output);
    const track = events[trackingIdx].attr;
    const fileWriter = pipe ? undefined : new PerfDataWriter(sink as FileSink, events.map((e) => ({ attr: e.attr, ids: e.ids })));
    const pipeWriter = pipe ? new PerfDataPipeWriter(sink) : undefined;
    const write = (bytes: Uint8Array) => (fileWriter ? fileWriter.writeRecords(bytes) : pipeWriter!.writeRecords(bytes));

    const features = new Map<number, Uint8Array>();
    const host = hostFeatures(o.version ?? 'kscope 0.1.0', o.cmdline);
    for (const [k, v] of Object.entries(host)) features.set(Number(k), encodeFeature(Number(k), v as never));
    features.set(Feature.EVENT_DESC, encodeFeature(Feature.EVENT_DESC, {
      attrSize: 128, events: events.map((e) => ({ attr: e.attr, name: e.spec.name, ids: e.ids })),
    }));
    if (o.clockid !== undefined) {
      // record__init_clock: the clock's resolution, and one reading of it next to the time of day.
      features.set(Feature.CLOCKID, encodeFeature(Feature.CLOCKID, clockResolutionNs(o.clockid)));
      const todNs = BigInt(Date.now()) * 1000000n;
      features.set(Feature.CLOCK_DATA, encodeFeature(Feature.CLOCK_DATA, { version: 1, clockid: o.clockid, todNs, clockidNs: clockGettimeNs(o.clockid) }));
    }
    const tracepoints = events.filter((e) => e.spec.tracepoint).map((e) => e.spec.tracepoint!);
    if (tracepoints.length) features.set(Feature.TRACING_DATA, encodeFeature(Feature.TRACING_DATA, collectTracingData(tracepoints)));

    if (pipeWriter) {
      for (const e of events) pipeWriter.writeAttr(e.attr, e.ids);
      for (const [f, payload] of [...features].sort((a, b) => a[0] - b[0])) {
        if (f !== Feature.TRACING_DATA) pipeWriter.writeFeature(f, payload);
      }
      pipeWriter.writeFeaturesEnd();
      if (tracepoints.length) pipeWriter.writeTracingData(encodeFeature(Feature.TRACING_DATA, collectTracingData(tracepoints)));
    }

    // Maps of user processes, to find the DSOs samples hit (for BUILD_ID).
    const maps = new Map<number, UserMap[]>();
    const hitDsos = new Set<string>();
    let kernelHit = false;
    const noteRecords = (bytes: Uint8Array) => scan(bytes, true);

    write(encodeIdIndex(idIndex));
    const kmap = synthesizeKernelMmap(track);
    if (kmap) write(kmap);
    const threadMap = cpuWide ? [{ pid: -1, comm: '' }] : threads.map((t) => ({ pid: t, comm: safeComm(t) }));
    write(encodeThreadMap(threadMap));
    write(encodeCpuMap(cpus));
    // perf_event__synthesize_bpf_events: the BPF programs loaded now (later ones come as KSYMBOL
    // and BPF_EVENT records from the kernel, attr.ksymbol and attr.bpf_event on the tracking event).
    const bpf = synthesizeBpfEvents(track);
    for (const r of bpf.records) write(r);
    features.set(Feature.BPF_PROG_INFO, encodeFeature(Feature.BPF_PROG_INFO, bpf.progs.map(bpfProgInfoFeatureEntry)));
    features.set(Feature.BPF_BTF, encodeFeature(Feature.BPF_BTF, bpfBtfFeatureEntries(bpf.progs)));
    if (cpuWide) {
      // -a: every process, each thread with FORK and COMM, the leader's maps (perf_event__synthesize_threads)
      for (const pid of listPids()) {
        for (const r of synthesizeProcess(pid, track, o.callGraph?.mode === 'dwarf')) { write(r); noteRecords(r); }
      }
    } else if (!workloadIsTarget) {
      // -p/-t: the thread map, COMM per thread and the leaders' maps (perf_event__synthesize_thread_map)
      for (const r of synthesizeThreadMap(threads, track, o.callGraph?.mode === 'dwarf')) { write(r); noteRecords(r); }
    }
    // perf names its forked workload "perf-exec" until exec, and synthesizes that COMM whatever the
    // target. We use the same name: perf's own views show it only in --show-task-events, but
    // perf.data importers key on it (samply skips "perf-exec" when naming the profile).
    if (workload) write(encodeComm({ pid: workload.pid, tid: workload.pid, comm: 'perf-exec', sampleId: { pid: 0, tid: 0, time: 0n, id: 0n, cpu: 0 } }, track));
    write(encodeHeaderOnly(RecordType.FINISHED_INIT));

    // Sample layout, for counting and finding time/pid/ip without decoding whole samples.
    const st = track.sampleType;
    const ipOff = 8 + (st & SampleType.IDENTIFIER ? 8 : 0);
    const tidOff = ipOff + 8;
    const timeOff = tidOff + 8;
    let samples = 0, lost = 0, lostRecords = 0, firstTime = -1, lastTime = -1;

    function scan(bytes: Uint8Array, synthesized = false): void {
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let off = 0;
      while (off + 8 <= bytes.byteLength) {
        const type = v.getUint32(off, true);
        const misc = v.getUint16(off + 4, true);
        const size = v.getUint16(off + 6, true);
        if (size < 8) break;
        if (type === RecordType.SAMPLE) {
          samples++;
          const t = v.getUint32(off + timeOff, true) + v.getUint32(off + timeOff + 4, true) * 0x100000000;
          if (firstTime < 0) firstTime = t;
          lastTime = t;
          const mode = misc & Misc.CPUMODE_MASK;
          if (mode === Misc.KERNEL) kernelHit = true;
          else if (mode === Misc.USER) {
            const pid = v.getUint32(off + tidOff, true);
            const hi = v.getUint32(off + ipOff + 4, true);
            if (hi < 0x200000) {
              const ip = v.getUint32(off + ipOff, true) + hi * 0x100000000;
              const list = maps.get(pid);
              if (list) for (let i = list.length - 1; i >= 0; i--) {
                const m = list[i];
                if (ip >= m.start && ip < m.end) { hitDsos.add(m.path); break; }
              }
            }
          }
        } else if (type === RecordType.MMAP || type === RecordType.MMAP2) {
          if ((misc & Misc.CPUMODE_MASK) === Misc.USER && !(misc & Misc.MMAP_DATA)) {
            const pid = v.getUint32(off + 8, true);
            const start = v.getUint32(off + 16, true) + v.getUint32(off + 20, true) * 0x100000000;
            const len = v.getUint32(off + 24, true) + v.getUint32(off + 28, true) * 0x100000000;
            const nameOff = off + (type === RecordType.MMAP ? 40 : 72);
            let end = nameOff;
            while (end < off + size && bytes[end] !== 0) end++;
            const path = utf8.decode(bytes.subarray(nameOff, end));
            if (path.startsWith('/')) {
              let list = maps.get(pid);
              if (!list) maps.set(pid, (list = []));
              list.push({ start, end: start + len, path });
            }
          }
        } else if (type === RecordType.FORK) {
          const pid = v.getUint32(off + 8, true), ppid = v.getUint32(off + 12, true);
          if (pid !== ppid && maps.has(ppid) && !maps.has(pid)) maps.set(pid, [...maps.get(ppid)!]);
        } else if (type === RecordType.COMM && misc & Misc.COMM_EXEC) {
          maps.delete(v.getUint32(off + 8, true));
        } else if (type === RecordType.LOST && !synthesized) {
          lostRecords++;
          lost += v.getUint32(off + 16, true) + v.getUint32(off + 20, true) * 0x100000000;
        } else if (type === RecordType.LOST_SAMPLES && !synthesized) {
          lost += v.getUint32(off + 8, true) + v.getUint32(off + 12, true) * 0x100000000;
        }
        off += size;
      }
    }

    const drainAll = (): number => {
      let n = 0;
      for (const b of buffers) {
        const bytes = b.drain();
        if (!bytes.length) continue;
        scan(bytes);
        write(bytes);
        n += bytes.length;
      }
      if (n) write(encodeHeaderOnly(RecordType.FINISHED_ROUND));
      return n;
    };

    // Go.
    let stopping = false;
    const stop = () => { stopping = true; };
    o.signal?.addEventListener('abort', stop);
    if (o.signal?.aborted) stopping = true;
    // Task events of a workload enable themselves at exec (enable_on_exec); CPU-wide ones are
    // enabled here, before the workload starts, as perf does.
    if (!workloadIsTarget) for (const e of events) for (const fd of e.fds) perfEnable(fd);
    if (workload) {
      workload.start();
      void workload.exited.then(stop);
    }
    let wakeups = 0;
    let lastProgress = Date.now();
    const fds = buffers.map((b) => b.fd);
    let drained = 0;
    while (!stopping) {
      // perf's "Woken up N times": how often it had to sleep because the buffers were empty.
      if (drained === 0) wakeups++;
      const r = await pollAsync(fds, 100);
      // Every target task gone (POLLHUP on all buffers): nothing more can arrive (perf stops too).
      if (!cpuWide && r.ready === fds.length && r.revents.every((x) => x & POLLHUP)) stopping = true;
      drained = drainAll();
      if (o.onProgress && Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        o.onProgress({ samples, bytes: sink.position, lost });
      }
    }
    o.signal?.removeEventListener('abort', stop);

    // Stop: disable, kill a still-running workload (perf sends SIGTERM), drain what is left.
    for (const e of events) for (const fd of e.fds) perfDisable(fd);
    let exitStatus: number | undefined;
    if (workload) {
      if (!workload.hasExited()) workload.child.kill('SIGTERM');
      exitStatus = await workload.exited;
    }
    drainAll();
    cleanup();

    // Features known only at the end.
    const buildIds: BuildIdEntry[] = [];
    if (kernelHit) {
      const id = readKernelBuildId();
      if (id) buildIds.push({ misc: Misc.KERNEL | PERF_RECORD_MISC_BUILD_ID_SIZE, pid: -1, buildId: id, filename: '[kernel.kallsyms]' });
    }
    for (const path of [...hitDsos].sort()) {
      const id = readFileBuildId(path);
      if (id) buildIds.push({ misc: Misc.USER | PERF_RECORD_MISC_BUILD_ID_SIZE, pid: -1, buildId: id, filename: path });
    }
    if (buildIds.length) features.set(Feature.BUILD_ID, encodeFeature(Feature.BUILD_ID, buildIds));
    if (samples) features.set(Feature.SAMPLE_TIME, encodeFeature(Feature.SAMPLE_TIME, { first: BigInt(firstTime), last: BigInt(lastTime) }));

    if (fileWriter) {
      for (const [f, payload] of features) fileWriter.setFeature(f, payload);
      fileWriter.finish();
    } else {
      if (buildIds.length) pipeWriter!.writeBuildIds(features.get(Feature.BUILD_ID)!);
      pipeWriter!.finish();
    }
    const bytes = sink.position;
    sink.close();
    return { output: o.output, samples, lost, lostRecords, wakeups, bytes, exitStatus, eventNames: events.map((e) => e.spec.name) };
  }
}

function safeComm(tid: number): string {
  try { return readComm(tid); } catch { return ''; }
}

