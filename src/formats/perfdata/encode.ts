// Record encoders: typed fields → the bytes the kernel (or perf) would have produced. Used to
// synthesize records while recording and to build test files. Layouts follow
// include/uapi/linux/perf_event.h (Linux 6.18), enum perf_event_type comments:
//
//   PERF_RECORD_SAMPLE  { header;
//     u64 id          if IDENTIFIER;   u64 ip       if IP;      u32 pid, tid  if TID;
//     u64 time        if TIME;         u64 addr     if ADDR;    u64 id        if ID;
//     u64 stream_id   if STREAM_ID;    u32 cpu, res if CPU;     u64 period    if PERIOD;
//     read_format     if READ;         u64 nr, ips[nr] if CALLCHAIN;
//     u32 size; u8 data[size] if RAW (size+4 padded to 8);
//     u64 nr; [u64 hw_idx]; {u64 from, to, flags}[nr] if BRANCH_STACK;
//     u64 abi; u64 regs[popcount(sample_regs_user)] if REGS_USER (regs only when abi != 0);
//     u64 size; u8 data[size]; u64 dyn_size if STACK_USER (dyn_size only when size != 0);
//     u64 weight if WEIGHT|WEIGHT_STRUCT; u64 data_src if DATA_SRC; u64 transaction if TRANSACTION;
//     u64 abi; u64 regs[] if REGS_INTR; u64 phys_addr if PHYS_ADDR; u64 cgroup if CGROUP;
//     u64 data_page_size if DATA_PAGE_SIZE; u64 code_page_size if CODE_PAGE_SIZE;
//     u64 size; u8 data[size] if AUX }
//   struct sample_id (after non-sample records when attr.sample_id_all):
//     { u32 pid, tid if TID; u64 time if TIME; u64 id if ID; u64 stream_id if STREAM_ID;
//       u32 cpu, res if CPU; u64 id if IDENTIFIER }
//   PERF_RECORD_COMM  { header; u32 pid, tid; char comm[] (NUL, padded to 8); sample_id }
//   PERF_RECORD_MMAP  { header; u32 pid, tid; u64 addr, len, pgoff; char filename[]; sample_id }
//   PERF_RECORD_MMAP2 { header; u32 pid, tid; u64 addr, len, pgoff;
//                       u32 maj, min; u64 ino, ino_generation  | u8 build_id_size, res[3], build_id[20];
//                       u32 prot, flags; char filename[]; sample_id }
//   PERF_RECORD_FORK/EXIT { header; u32 pid, ppid, tid, ptid; u64 time; sample_id }
import { hasFlag, popcount64, type PerfEventAttr } from './attr.js';
import { BRANCH_SAMPLE_COUNTERS, BRANCH_SAMPLE_HW_INDEX, Misc, ReadFormat, RecordType, SampleType } from './constants.js';
import type { PerfSample, SampleRead } from './sample.js';

/** Values for one sample; fields the attr's sample_type does not select are ignored (missing → 0). */
export interface SampleFields {
  ip?: bigint;
  pid?: number;
  tid?: number;
  time?: bigint;
  addr?: bigint;
  id?: bigint;
  streamId?: bigint;
  cpu?: number;
  period?: bigint;
  /** PERF_SAMPLE_READ, as sample.ts decodes it (one value, or the group's values). */
  read?: SampleRead;
  /** PERF_SAMPLE_CALLCHAIN entries, context markers (PERF_CONTEXT_*) included. */
  callchain?: readonly bigint[];
  raw?: Uint8Array;
  branchStack?: { hwIdx?: bigint; entries: readonly { from: bigint; to: bigint; flags: bigint }[]; counters?: ArrayLike<bigint> };
  userRegs?: { abi: bigint; regs: ArrayLike<bigint> };
  userStack?: { data: Uint8Array; dynSize: bigint };
  weight?: bigint;
  dataSrc?: bigint;
  transaction?: bigint;
  intrRegs?: { abi: bigint; regs: ArrayLike<bigint> };
  physAddr?: bigint;
  cgroup?: bigint;
  dataPageSize?: bigint;
  codePageSize?: bigint;
  aux?: Uint8Array;
}

/** Fields of the sample_id trailer: the task and time the kernel was in when it made the record. */
export type SampleIdFields = Pick<SampleFields, 'pid' | 'tid' | 'time' | 'id' | 'streamId' | 'cpu'>;

/**
 * Non-sample records take their sample_id trailer in `sampleId`. Missing trailer pid/tid default
 * to the task the kernel reports from (the record's own pid/tid; a FORK's parent) and a missing
 * time to the record's own time field, if it has one.
 */
interface WithSampleId { sampleId?: SampleIdFields }

/** Appends little- or big-endian values to a growing byte array. */
class Out {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  len = 0;
  constructor(private le: boolean) {}
  private grow(n: number): void {
    if (this.len + n <= this.buf.byteLength) return;
    let cap = this.buf.byteLength * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u16(v: number): void { this.grow(2); this.view.setUint16(this.len, v, this.le); this.len += 2; }
  u32(v: number): void { this.grow(4); this.view.setUint32(this.len, v >>> 0, this.le); this.len += 4; }
  u64(v: bigint): void { this.grow(8); this.view.setBigUint64(this.len, BigInt.asUintN(64, v), this.le); this.len += 8; }
  bytes(b: Uint8Array): void { this.grow(b.byteLength); this.buf.set(b, this.len); this.len += b.byteLength; }
  zeros(n: number): void { this.grow(n); this.buf.fill(0, this.len, this.len + n); this.len += n; }
  /** A NUL-terminated string padded with NULs to a multiple of 8 bytes. */
  cstring8(s: string): void {
    const b = new TextEncoder().encode(s);
    this.bytes(b);
    this.zeros(((b.byteLength + 1 + 7) & ~7) - b.byteLength);
  }
  /** Finishes a record begun with the 8-byte header placeholder: fills in type, misc and size. */
  record(type: number, misc: number): Uint8Array {
    if (this.len > 0xffff) throw new RangeError(`record of ${this.len} bytes exceeds the u16 size field`);
    if (this.len % 8) throw new RangeError(`record size ${this.len} is not a multiple of 8`);
    this.view.setUint32(0, type, this.le);
    this.view.setUint16(4, misc, this.le);
    this.view.setUint16(6, this.len, this.le);
    return this.buf.slice(0, this.len);
  }
}

function startRecord(le: boolean): Out {
  const o = new Out(le);
  o.zeros(8);
  return o;
}

/** Writes the sample_id trailer that follows non-sample records when attr.sample_id_all is set. */
function sampleId(o: Out, attr: PerfEventAttr, f: SampleIdFields): void {
  if (!hasFlag(attr, 'sample_id_all')) return;
  const t = attr.sampleType;
  if (t & SampleType.TID) { o.u32(f.pid ?? 0); o.u32(f.tid ?? 0); }
  if (t & SampleType.TIME) o.u64(f.time ?? 0n);
  if (t & SampleType.ID) o.u64(f.id ?? 0n);
  if (t & SampleType.STREAM_ID) o.u64(f.streamId ?? 0n);
  if (t & SampleType.CPU) { o.u32(f.cpu ?? 0); o.u32(0); }
  if (t & SampleType.IDENTIFIER) o.u64(f.id ?? 0n);
}

/** struct read_format: { value; [enabled]; [running]; [id]; [lost] } or { nr; [enabled]; [running]; { value; [id]; [lost] }[nr] }. */
function readValues(o: Out, attr: PerfEventAttr, read: SampleRead | undefined): void {
  const rf = attr.readFormat;
  const values = read?.values ?? [];
  const one = (v: { value: bigint; id?: bigint; lost?: bigint } | undefined) => {
    o.u64(v?.value ?? 0n);
    if (rf & ReadFormat.ID) o.u64(v?.id ?? 0n);
    if (rf & ReadFormat.LOST) o.u64(v?.lost ?? 0n);
  };
  const times = () => {
    if (rf & ReadFormat.TOTAL_TIME_ENABLED) o.u64(read?.timeEnabled ?? 0n);
    if (rf & ReadFormat.TOTAL_TIME_RUNNING) o.u64(read?.timeRunning ?? 0n);
  };
  if (rf & ReadFormat.GROUP) {
    o.u64(BigInt(values.length));
    times();
    for (const v of values) one(v);
  } else {
    o.u64(values[0]?.value ?? 0n);
    times();
    if (rf & ReadFormat.ID) o.u64(values[0]?.id ?? 0n);
    if (rf & ReadFormat.LOST) o.u64(values[0]?.lost ?? 0n);
  }
}

function regs(o: Out, mask: bigint, r: { abi: bigint; regs: ArrayLike<bigint> } | undefined): void {
  const abi = r?.abi ?? 0n;
  o.u64(abi);
  if (abi === 0n) return; // PERF_SAMPLE_REGS_ABI_NONE: no registers follow
  const n = popcount64(mask);
  for (let i = 0; i < n; i++) o.u64(r!.regs[i] ?? 0n);
}

/** PERF_RECORD_SAMPLE for `attr`. `misc` defaults to user mode. */
export function encodeSample(f: SampleFields, attr: PerfEventAttr, misc: number = Misc.USER, littleEndian = true): Uint8Array {
  const o = startRecord(littleEndian);
  const t = attr.sampleType;
  if (t & SampleType.IDENTIFIER) o.u64(f.id ?? 0n);
  if (t & SampleType.IP) o.u64(f.ip ?? 0n);
  if (t & SampleType.TID) { o.u32(f.pid ?? 0); o.u32(f.tid ?? 0); }
  if (t & SampleType.TIME) o.u64(f.time ?? 0n);
  if (t & SampleType.ADDR) o.u64(f.addr ?? 0n);
  if (t & SampleType.ID) o.u64(f.id ?? 0n);
  if (t & SampleType.STREAM_ID) o.u64(f.streamId ?? 0n);
  if (t & SampleType.CPU) { o.u32(f.cpu ?? 0); o.u32(0); }
  if (t & SampleType.PERIOD) o.u64(f.period ?? 0n);
  if (t & SampleType.READ) readValues(o, attr, f.read);
  if (t & SampleType.CALLCHAIN) {
    const cc = f.callchain ?? [];
    o.u64(BigInt(cc.length));
    for (const ip of cc) o.u64(ip);
  }
  if (t & SampleType.RAW) {
    const raw = f.raw ?? new Uint8Array(0);
    const size = ((raw.byteLength + 4 + 7) & ~7) - 4; // the kernel pads so that u32 size + data ends 8-aligned
    o.u32(size);
    o.bytes(raw);
    o.zeros(size - raw.byteLength);
  }
  if (t & SampleType.BRANCH_STACK) {
    const bs = f.branchStack ?? { entries: [] };
    o.u64(BigInt(bs.entries.length));
    if (attr.branchSampleType & BRANCH_SAMPLE_HW_INDEX) o.u64(bs.hwIdx ?? 0n);
    for (const e of bs.entries) { o.u64(e.from); o.u64(e.to); o.u64(e.flags); }
    if (attr.branchSampleType & BRANCH_SAMPLE_COUNTERS) for (let i = 0; i < bs.entries.length; i++) o.u64(bs.counters?.[i] ?? 0n);
  }
  if (t & SampleType.REGS_USER) regs(o, attr.sampleRegsUser, f.userRegs);
  if (t & SampleType.STACK_USER) {
    const st = f.userStack;
    const size = st ? st.data.byteLength : 0;
    o.u64(BigInt(size));
    if (size) {
      o.bytes(st!.data);
      o.zeros(((size + 7) & ~7) - size);
      o.u64(st!.dynSize);
    }
  }
  if (t & (SampleType.WEIGHT | SampleType.WEIGHT_STRUCT)) o.u64(f.weight ?? 0n);
  if (t & SampleType.DATA_SRC) o.u64(f.dataSrc ?? 0n);
  if (t & SampleType.TRANSACTION) o.u64(f.transaction ?? 0n);
  if (t & SampleType.REGS_INTR) regs(o, attr.sampleRegsIntr, f.intrRegs);
  if (t & SampleType.PHYS_ADDR) o.u64(f.physAddr ?? 0n);
  if (t & SampleType.CGROUP) o.u64(f.cgroup ?? 0n);
  if (t & SampleType.DATA_PAGE_SIZE) o.u64(f.dataPageSize ?? 0n);
  if (t & SampleType.CODE_PAGE_SIZE) o.u64(f.codePageSize ?? 0n);
  if (t & SampleType.AUX) {
    const aux = f.aux ?? new Uint8Array(0);
    o.u64(BigInt(aux.byteLength));
    o.bytes(aux);
    o.zeros(((aux.byteLength + 7) & ~7) - aux.byteLength);
  }
  return o.record(RecordType.SAMPLE, misc);
}

/** The fields of a decoded sample (sample.ts), ready for encodeSample: decode → encode is identity. */
export function sampleFieldsOf(s: PerfSample): SampleFields {
  const f: SampleFields = {
    ip: s.ip, pid: s.pid, tid: s.tid, time: s.time, addr: s.addr, id: BigInt(s.id), streamId: BigInt(s.streamId),
    cpu: s.cpu, period: BigInt(s.period), read: s.read, raw: s.raw, userRegs: s.regsUser, weight: s.weight,
    dataSrc: s.dataSrc, transaction: s.transaction, intrRegs: s.regsIntr, physAddr: s.physAddr, cgroup: s.cgroup,
    dataPageSize: s.dataPageSize, codePageSize: s.codePageSize, aux: s.aux,
  };
  if (s.sampleType & SampleType.CALLCHAIN) f.callchain = s.callchainBigInts();
  if (s.branchStack) f.branchStack = { hwIdx: s.branchHwIdx, entries: s.branchStack, counters: s.branchCounters };
  if (s.stackUser && s.stackUser.byteLength) f.userStack = { data: s.stackUser, dynSize: BigInt(s.stackUserDynSize) };
  return f;
}

export interface CommFields extends WithSampleId { pid: number; tid: number; comm: string; exec?: boolean }

/** PERF_RECORD_COMM; `exec` sets PERF_RECORD_MISC_COMM_EXEC. */
export function encodeComm(f: CommFields, attr: PerfEventAttr, littleEndian = true): Uint8Array {
  const o = startRecord(littleEndian);
  o.u32(f.pid); o.u32(f.tid);
  o.cstring8(f.comm);
  sampleId(o, attr, { pid: f.pid, tid: f.tid, ...f.sampleId });
  return o.record(RecordType.COMM, (f.exec ? Misc.COMM_EXEC : 0) | Misc.USER);
}

export interface MmapFields extends WithSampleId {
  pid: number; tid: number; addr: bigint; len: bigint; pgoff: bigint; filename: string;
  /** PERF_RECORD_MISC_* cpumode and flags; default user. */
  misc?: number;
}

/** PERF_RECORD_MMAP. */
export function encodeMmap(f: MmapFields, attr: PerfEventAttr, littleEndian = true): Uint8Array {
  const o = startRecord(littleEndian);
  o.u32(f.pid); o.u32(f.tid); o.u64(f.addr); o.u64(f.len); o.u64(f.pgoff);
  o.cstring8(f.filename);
  sampleId(o, attr, { pid: f.pid, tid: f.tid, ...f.sampleId });
  return o.record(RecordType.MMAP, f.misc ?? Misc.USER);
}

export interface Mmap2Fields extends MmapFields {
  maj?: number; min?: number; ino?: bigint; inoGeneration?: bigint;
  /** When given, the record carries a build-id (PERF_RECORD_MISC_MMAP_BUILD_ID) instead of maj/min/ino. */
  buildId?: Uint8Array;
  prot: number; flags: number;
}

/** PERF_RECORD_MMAP2. */
export function encodeMmap2(f: Mmap2Fields, attr: PerfEventAttr, littleEndian = true): Uint8Array {
  const o = startRecord(littleEndian);
  o.u32(f.pid); o.u32(f.tid); o.u64(f.addr); o.u64(f.len); o.u64(f.pgoff);
  let misc = f.misc ?? Misc.USER;
  if (f.buildId) {
    if (f.buildId.byteLength > 20) throw new RangeError(`build-id of ${f.buildId.byteLength} bytes; MMAP2 holds at most 20`);
    const b = new Uint8Array(24);
    b[0] = f.buildId.byteLength;
    b.set(f.buildId, 4);
    o.bytes(b);
    misc |= Misc.MMAP_BUILD_ID;
  } else {
    o.u32(f.maj ?? 0); o.u32(f.min ?? 0); o.u64(f.ino ?? 0n); o.u64(f.inoGeneration ?? 0n);
  }
  o.u32(f.prot); o.u32(f.flags);
  o.cstring8(f.filename);
  sampleId(o, attr, { pid: f.pid, tid: f.tid, ...f.sampleId });
  return o.record(RecordType.MMAP2, misc);
}

export interface TaskFields extends WithSampleId { pid: number; ppid: number; tid: number; ptid: number; time?: bigint; misc?: number }

/** PERF_RECORD_FORK. */
export function encodeFork(f: TaskFields, attr: PerfEventAttr, littleEndian = true): Uint8Array {
  return task(RecordType.FORK, f, attr, littleEndian);
}

/** PERF_RECORD_EXIT. */
export function encodeExit(f: TaskFields, attr: PerfEventAttr, littleEndian = true): Uint8Array {
  return task(RecordType.EXIT, f, attr, littleEndian);
}

function task(type: number, f: TaskFields, attr: PerfEventAttr, le: boolean): Uint8Array {
  const o = startRecord(le);
  o.u32(f.pid); o.u32(f.ppid); o.u32(f.tid); o.u32(f.ptid); o.u64(f.time ?? 0n);
  const task = type === RecordType.FORK ? { pid: f.ppid, tid: f.ptid } : { pid: f.pid, tid: f.tid };
  sampleId(o, attr, { ...task, time: f.time, ...f.sampleId });
  return o.record(type, f.misc ?? 0);
}

/** PERF_RECORD_LOST { header; u64 id; u64 lost; sample_id }. */
export function encodeLost(f: WithSampleId & { lostId: bigint; lost: bigint }, attr: PerfEventAttr, littleEndian = true): Uint8Array {
  const o = startRecord(littleEndian);
  o.u64(f.lostId); o.u64(f.lost);
  sampleId(o, attr, f.sampleId ?? {});
  return o.record(RecordType.LOST, 0);
}

/** A record that is only a header: FINISHED_ROUND, FINISHED_INIT. */
export function encodeHeaderOnly(type: RecordType, littleEndian = true): Uint8Array {
  return startRecord(littleEndian).record(type, 0);
}
