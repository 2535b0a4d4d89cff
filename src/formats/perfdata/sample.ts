// PERF_RECORD_SAMPLE bodies and the sample_id_all trailer of other kernel records, decoded per
// attr.sample_type in the kernel's order (perf_output_sample, kernel/events/core.c, Linux 6.18):
//
//   { u64 id;          } && PERF_SAMPLE_IDENTIFIER
//   { u64 ip;          } && PERF_SAMPLE_IP
//   { u32 pid, tid;    } && PERF_SAMPLE_TID
//   { u64 time;        } && PERF_SAMPLE_TIME
//   { u64 addr;        } && PERF_SAMPLE_ADDR
//   { u64 id;          } && PERF_SAMPLE_ID
//   { u64 stream_id;   } && PERF_SAMPLE_STREAM_ID
//   { u32 cpu, res;    } && PERF_SAMPLE_CPU
//   { u64 period;      } && PERF_SAMPLE_PERIOD
//   { struct read_format values; } && PERF_SAMPLE_READ
//   { u64 nr; u64 ips[nr]; } && PERF_SAMPLE_CALLCHAIN
//   { u32 size; char data[size]; } && PERF_SAMPLE_RAW
//   { u64 nr; { u64 hw_idx; } && PERF_SAMPLE_BRANCH_HW_INDEX; { u64 from, to, flags; } lbr[nr];
//     { u64 counters; } cntr[nr] && PERF_SAMPLE_BRANCH_COUNTERS } && PERF_SAMPLE_BRANCH_STACK
//   { u64 abi; u64 regs[weight(mask)]; } && PERF_SAMPLE_REGS_USER
//   { u64 size; char data[size]; u64 dyn_size; } && PERF_SAMPLE_STACK_USER
//   { union perf_sample_weight weight; } && PERF_SAMPLE_WEIGHT_TYPE
//   { u64 data_src; } && PERF_SAMPLE_DATA_SRC
//   { u64 transaction; } && PERF_SAMPLE_TRANSACTION
//   { u64 abi; u64 regs[weight(mask)]; } && PERF_SAMPLE_REGS_INTR
//   { u64 phys_addr; } && PERF_SAMPLE_PHYS_ADDR
//   { u64 cgroup; } && PERF_SAMPLE_CGROUP
//   { u64 data_page_size; } && PERF_SAMPLE_DATA_PAGE_SIZE
//   { u64 code_page_size; } && PERF_SAMPLE_CODE_PAGE_SIZE
//   { u64 size; char data[size]; } && PERF_SAMPLE_AUX
//
// read_format: GROUP → { u64 nr; { u64 time_enabled; } && ENABLED; { u64 time_running; } && RUNNING;
//   { u64 value; { u64 id; } && ID; { u64 lost; } && LOST; } cntr[nr]; }
// otherwise { u64 value; { u64 time_enabled; } && ENABLED; { u64 time_running; } && RUNNING;
//   { u64 id; } && ID; { u64 lost; } && LOST; }
//
// 64-bit values that may exceed 2^53 (ip, addr, time) are kept as (hi, lo) u32 pairs so the hot
// path allocates no BigInt (CONVENTIONS.md 8); BigInt getters exist for the edges.
import { FormatError } from '../../util/errors.js';
import { ReadFormat, RecordType, SampleType } from './constants.js';
import { hasFlag, popcount64, type PerfEventAttr } from './attr.js';
import { BRANCH_SAMPLE_COUNTERS, BRANCH_SAMPLE_HW_INDEX } from './constants.js';

const TWO32 = 0x100000000;

/** One event of the file: its attr, the sample ids that belong to it, its index in the attrs. */
export interface PerfEvent {
  index: number;
  attr: PerfEventAttr;
  /** Sample ids (attr ids section, or HEADER_ATTR's ids); small kernel counters, exact as numbers. */
  ids: number[];
  /** Event name from EVENT_DESC / EVENT_UPDATE when someone fills it in; undefined here. */
  name?: string;
}

/** Sample layout facts shared by all events of a file (perf's evlist id_pos/is_pos, sample_id_all). */
export class EventSet {
  readonly events: PerfEvent[] = [];
  private byId = new Map<number, PerfEvent>();
  /** u64 index of the id inside a SAMPLE body (perf's id_pos), or -1. */
  idPos = -1;
  /** u64 index counted from the end of a non-sample record (perf's is_pos), or -1. */
  isPos = -1;
  /** The first event's sample_id_all (perf uses the evlist's, i.e. the first evsel's). */
  private firstIdAll = false;
  /** eventAt's last answer, by id (samples of one event come in long runs). */
  private lastId = -1;
  private lastEv: PerfEvent | undefined = undefined;

  constructor(readonly file = '<perf.data>', readonly littleEndian = true) {}

  add(attr: PerfEventAttr, ids: number[]): PerfEvent {
    const ev: PerfEvent = { index: this.events.length, attr, ids };
    this.events.push(ev);
    for (const id of ids) this.byId.set(id, ev);
    if (this.events.length === 1) {
      this.idPos = calcIdPos(attr.sampleType);
      this.isPos = calcIsPos(attr.sampleType);
      this.firstIdAll = hasFlag(attr, 'sample_id_all');
    }
    this.lastId = -1;
    return ev;
  }

  addIds(ev: PerfEvent, ids: number[]): void {
    for (const id of ids) { ev.ids.push(id); this.byId.set(id, ev); }
    this.lastId = -1;
  }

  eventById(id: number): PerfEvent | undefined { return this.byId.get(id); }

  /** Whether the first event has sample_id_all (perf uses the evlist's, i.e. the first evsel's). */
  get sampleIdAll(): boolean { return this.events.length > 0 && hasFlag(this.events[0].attr, 'sample_id_all'); }

  /**
   * The event a record belongs to, as perf's evlist__event2evsel: the only event, or the one whose
   * id sits at id_pos (samples) / is_pos from the end (other kernel records with sample_id_all).
   */
  eventOf(rec: { type: number; bytes: Uint8Array; buf?: Uint8Array; pos?: number; size?: number }): PerfEvent | undefined {
    if (this.events.length <= 1) return this.events[0];
    if (rec.buf !== undefined) return this.eventAt(rec.type, rec.buf, rec.pos!, rec.size!);
    return this.eventAt(rec.type, rec.bytes, 0, rec.bytes.byteLength);
  }

  /** eventOf for a record at buf[pos, pos + size), without making an object. */
  eventAt(type: number, buf: Uint8Array, pos: number, size: number): PerfEvent | undefined {
    const evs = this.events;
    if (evs.length <= 1) return evs[0];
    const first = evs[0];
    const isSample = type === RecordType.SAMPLE;
    if (!isSample && (type >= 64 || !this.firstIdAll)) return first;
    const n = (size - 8) >>> 3;
    let idx: number;
    if (isSample) {
      if (this.idPos < 0 || this.idPos >= n) return undefined;
      idx = this.idPos;
    } else {
      if (this.isPos < 0 || this.isPos > n) return undefined;
      idx = n - this.isPos;
    }
    const at = pos + 8 + idx * 8, le = this.littleEndian;
    const hi = le ? buf[at + 4] | buf[at + 5] | buf[at + 6] | buf[at + 7] : buf[at] | buf[at + 1] | buf[at + 2] | buf[at + 3];
    const id = hi === 0 ? (le ? (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0 : ((buf[at + 4] << 24) | (buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7]) >>> 0) : u64n(buf, at, le);
    if (id === 0) return first; // perf: "Synthesized events have an id of zero"
    if (id === this.lastId) return this.lastEv;
    const ev = this.byId.get(id);
    this.lastId = id; this.lastEv = ev;
    return ev;
  }
}

/** perf's __perf_evsel__calc_id_pos: u64 index of the sample id in a SAMPLE body. */
export function calcIdPos(sampleType: number): number {
  if (!(sampleType & (SampleType.ID | SampleType.IDENTIFIER))) return -1;
  if (sampleType & SampleType.IDENTIFIER) return 0;
  let idx = 0;
  if (sampleType & SampleType.IP) idx++;
  if (sampleType & SampleType.TID) idx++;
  if (sampleType & SampleType.TIME) idx++;
  if (sampleType & SampleType.ADDR) idx++;
  return idx;
}

/** perf's __perf_evsel__calc_is_pos: u64 index of the id counted back from the end of a non-sample record. */
export function calcIsPos(sampleType: number): number {
  if (!(sampleType & (SampleType.ID | SampleType.IDENTIFIER))) return -1;
  if (sampleType & SampleType.IDENTIFIER) return 1;
  let idx = 1;
  if (sampleType & SampleType.CPU) idx++;
  if (sampleType & SampleType.STREAM_ID) idx++;
  return idx;
}

/** A u64 as a double (exact below 2^53). */
export function u64n(b: Uint8Array, i: number, le: boolean): number {
  return le
    ? (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24)) * TWO32 + ((b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0) + ((b[i + 7] & 0x80) ? 2 ** 64 : 0)
    : ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) * TWO32 + (((b[i + 4] << 24) | (b[i + 5] << 16) | (b[i + 6] << 8) | b[i + 7]) >>> 0) + ((b[i] & 0x80) ? 2 ** 64 : 0);
}

export interface ReadValue { value: bigint; id?: bigint; lost?: bigint }
export interface SampleRead { timeEnabled?: bigint; timeRunning?: bigint; values: ReadValue[] }
export interface BranchEntry { from: bigint; to: bigint; flags: bigint }
export interface SampleRegs { abi: bigint; regs: BigUint64Array }

/**
 * A decoded sample. Fields absent from sample_type stay at their defaults (0, -1 for cpu, pid, tid).
 * 64-bit values are (hi, lo) u32 pairs; use the BigInt getters at the edges.
 */
export class PerfSample {
  event: PerfEvent | undefined = undefined;
  /** The sample_type the body was decoded with. */
  sampleType = 0;
  misc = 0;
  ipHi = 0; ipLo = 0;
  pid = -1; tid = -1;
  timeHi = 0; timeLo = 0;
  addrHi = 0; addrLo = 0;
  /** PERF_SAMPLE_ID or IDENTIFIER (a small kernel counter, exact as a double). */
  id = 0;
  streamId = 0;
  cpu = -1;
  /** Sampling period (exact below 2^53). */
  period = 0;
  read: SampleRead | undefined = undefined;
  /** Number of callchain entries (markers included). */
  callchainNr = 0;
  /** Callchain entries as (lo, hi) u32 pairs: entry i is callchain[2i] + callchain[2i+1] * 2^32. */
  callchain: Uint32Array = EMPTY_U32;
  /**
   * Set by the caller: decodeSample skips the callchain (callchainNr 0, callchain empty; its
   * bounds still checked) for a reader that does not look at it.
   */
  skipCallchain = false;
  raw: Uint8Array | undefined = undefined;
  branchHwIdx: bigint | undefined = undefined;
  branchStack: BranchEntry[] | undefined = undefined;
  branchCounters: BigUint64Array | undefined = undefined;
  regsUser: SampleRegs | undefined = undefined;
  /** User stack copy (the first dynSize bytes are valid). */
  stackUser: Uint8Array | undefined = undefined;
  stackUserDynSize = 0;
  weight = 0n;
  dataSrc = 0n;
  transaction = 0n;
  regsIntr: SampleRegs | undefined = undefined;
  physAddr = 0n;
  cgroup = 0n;
  dataPageSize = 0n;
  codePageSize = 0n;
  aux: Uint8Array | undefined = undefined;

  get ip(): bigint { return (BigInt(this.ipHi) << 32n) | BigInt(this.ipLo); }
  get time(): bigint { return (BigInt(this.timeHi) << 32n) | BigInt(this.timeLo); }
  get addr(): bigint { return (BigInt(this.addrHi) << 32n) | BigInt(this.addrLo); }
  /** Time in ns as a double: exact below 2^53 ns (104 days of uptime), else the nearest double. */
  get timeNs(): number { return this.timeHi * TWO32 + this.timeLo; }
  /** Callchain entry i as a BigInt. */
  callchainAt(i: number): bigint {
    return (BigInt(this.callchain[2 * i + 1]) << 32n) | BigInt(this.callchain[2 * i]);
  }
  /** The callchain as BigInts (for the edges: printing, tests). */
  callchainBigInts(): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < this.callchainNr; i++) out.push(this.callchainAt(i));
    return out;
  }
}

const EMPTY_U32 = new Uint32Array(0);

/**
 * Formats a time in ns as perf script does ("%5lu.%06lu": seconds and microseconds, truncated).
 */
export function formatTimeUs(hi: number, lo: number): string {
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  return `${(t / 1000000000n).toString().padStart(5)}.${((t % 1000000000n) / 1000n).toString().padStart(6, '0')}`;
}

class Cursor {
  p = 0;
  /** A view of b's whole ArrayBuffer (kept while records come from the same buffer); fields at o + p. */
  v: DataView = EMPTY_VIEW;
  o = 0;
  b: Uint8Array = EMPTY_U8;
  end = 0;
  le = true;
  file = '';
  fileOffset = 0;
  constructor(b?: Uint8Array, start = 0, end = 0, le = true, file = '', fileOffset = 0) { if (b) this.reset(b, start, end, le, file, fileOffset); }
  reset(b: Uint8Array, start: number, end: number, le: boolean, file: string, fileOffset: number): this {
    this.b = b; this.p = start; this.end = end; this.le = le; this.file = file; this.fileOffset = fileOffset;
    if (this.v.buffer !== b.buffer) this.v = new DataView(b.buffer);
    this.o = b.byteOffset;
    return this;
  }
  fail(what: string, n: number): never {
    throw new FormatError(this.file, this.fileOffset + this.p, `${what} (${n} bytes) inside the record`, `${this.end - this.p} bytes left`);
  }
  need(n: number, what: string): void { if (n < 0 || this.p + n > this.end) this.fail(what, n); }
  lo(): number { return this.v.getUint32(this.o + (this.le ? this.p : this.p + 4), this.le); }
  hi(): number { return this.v.getUint32(this.o + (this.le ? this.p + 4 : this.p), this.le); }
  u32(i: number): number { return this.v.getUint32(this.o + this.p + i, this.le); }
  num(what: string): number { this.need(8, what); const h = this.hi(); const l = this.lo(); this.p += 8; return h * TWO32 + l; }
  big(what: string): bigint { this.need(8, what); const x = this.v.getBigUint64(this.o + this.p, this.le); this.p += 8; return x; }
  /** A u64 count or size, guarded against the bytes left (each item `unit` bytes). */
  count(what: string, unit: number): number {
    this.need(8, what);
    const h = this.hi(), l = this.lo();
    if (h !== 0 || l * unit > this.end - this.p - 8) {
      throw new FormatError(this.file, this.fileOffset + this.p, `${what} that fits in the record (${Math.floor((this.end - this.p - 8) / unit)} at most)`, h ? `0x${h.toString(16)}${l.toString(16).padStart(8, '0')}` : String(l));
    }
    this.p += 8;
    return l;
  }
  bytes(n: number, what: string): Uint8Array { this.need(n, what); const r = this.b.subarray(this.p, this.p + n); this.p += n; return r; }
  regs(mask: bigint, what: string): SampleRegs {
    const abi = this.big(`${what} abi`);
    if (abi === 0n) return { abi, regs: new BigUint64Array(0) };
    const n = popcount64(mask);
    this.need(n * 8, what);
    const regs = new BigUint64Array(n);
    for (let i = 0; i < n; i++) { regs[i] = this.v.getBigUint64(this.o + this.p, this.le); this.p += 8; }
    return { abi, regs };
  }
}

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
const SAMPLE_CURSOR = new Cursor();

/** Where a record's bytes came from, for error messages; `buf`/`pos`/`size` as a WindowRecord gives them. */
export interface RecordPlace { fileOffset: number; bytes: Uint8Array; misc?: number; buf?: Uint8Array; pos?: number; size?: number }


/** Cursor.need's error for a field at buf[p] of a record at buf[base], ending at buf[end]. */
function tooShort(file: string, fileOffset: number, base: number, p: number, end: number, what: string, n: number): never {
  throw new FormatError(file, fileOffset + p - base, `${what} (${n} bytes) inside the record`, `${end - p} bytes left`);
}

const TAIL_TYPES = SampleType.RAW | SampleType.BRANCH_STACK | SampleType.REGS_USER | SampleType.STACK_USER | SampleType.WEIGHT
  | SampleType.WEIGHT_STRUCT | SampleType.DATA_SRC | SampleType.TRANSACTION | SampleType.REGS_INTR | SampleType.PHYS_ADDR
  | SampleType.CGROUP | SampleType.DATA_PAGE_SIZE | SampleType.CODE_PAGE_SIZE | SampleType.AUX;

/**
 * Decodes a PERF_RECORD_SAMPLE body per `ev.attr` (find it with EventSet.eventOf). Throws
 * FormatError when the body is shorter than sample_type says. Reuse `out` to avoid allocation.
 * The fixed fields up to the callchain are read straight from the bytes (no view per record); the
 * rarer ones after it through a cursor.
 */
export function decodeSample(rec: RecordPlace, ev: PerfEvent, file = '<perf.data>', le = true, out = new PerfSample()): PerfSample {
  const attr = ev.attr;
  const st = attr.sampleType;
  const win = rec.buf !== undefined;
  const b = win ? rec.buf! : rec.bytes;
  const base = win ? rec.pos! : 0;
  const end = win ? base + rec.size! : b.byteLength;
  const fo = rec.fileOffset;
  let p = base + 8;
  out.event = ev;
  out.sampleType = st;
  out.misc = rec.misc ?? (le ? b[base + 4] | (b[base + 5] << 8) : (b[base + 4] << 8) | b[base + 5]);
  const lo = le ? 0 : 4, hi = le ? 4 : 0;
  // The u32 reads below are written out, not calls to a helper: in a hot loop the caller inlines
  // this function and a helper's 20 call sites would exhaust TurboFan's inlining budget (measured:
  // ~15 ms more per 400k samples). Each is: le ? little-endian u32 at i : big-endian u32 at i.
  if (st & SampleType.IDENTIFIER) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample identifier', 8); out.id = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0) * TWO32 + (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0); p += 8; }
  if (st & SampleType.IP) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample ip', 8); out.ipHi = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0); out.ipLo = (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0); p += 8; }
  if (st & SampleType.TID) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample pid/tid', 8); out.pid = (le ? (b[(p)] | (b[(p) + 1] << 8) | (b[(p) + 2] << 16) | (b[(p) + 3] << 24)) >>> 0 : ((b[(p)] << 24) | (b[(p) + 1] << 16) | (b[(p) + 2] << 8) | b[(p) + 3]) >>> 0) | 0; out.tid = (le ? (b[(p + 4)] | (b[(p + 4) + 1] << 8) | (b[(p + 4) + 2] << 16) | (b[(p + 4) + 3] << 24)) >>> 0 : ((b[(p + 4)] << 24) | (b[(p + 4) + 1] << 16) | (b[(p + 4) + 2] << 8) | b[(p + 4) + 3]) >>> 0) | 0; p += 8; }
  if (st & SampleType.TIME) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample time', 8); out.timeHi = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0); out.timeLo = (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0); p += 8; }
  if (st & SampleType.ADDR) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample addr', 8); out.addrHi = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0); out.addrLo = (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0); p += 8; }
  if (st & SampleType.ID) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample id', 8); out.id = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0) * TWO32 + (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0); p += 8; }
  if (st & SampleType.STREAM_ID) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample stream_id', 8); out.streamId = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0) * TWO32 + (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0); p += 8; }
  if (st & SampleType.CPU) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample cpu', 8); out.cpu = (le ? (b[(p)] | (b[(p) + 1] << 8) | (b[(p) + 2] << 16) | (b[(p) + 3] << 24)) >>> 0 : ((b[(p)] << 24) | (b[(p) + 1] << 16) | (b[(p) + 2] << 8) | b[(p) + 3]) >>> 0); p += 8; }
  if (st & SampleType.PERIOD) { if (p + 8 > end) tooShort(file, fo, base, p, end, 'sample period', 8); out.period = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0) * TWO32 + (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0); p += 8; }
  if (st & SampleType.READ) p = decodeRead(b, base, p, end, fo, attr, file, le, out);
  if (st & SampleType.CALLCHAIN) {
    if (p + 8 > end) tooShort(file, fo, base, p, end, 'callchain nr', 8);
    const h = (le ? (b[(p + hi)] | (b[(p + hi) + 1] << 8) | (b[(p + hi) + 2] << 16) | (b[(p + hi) + 3] << 24)) >>> 0 : ((b[(p + hi)] << 24) | (b[(p + hi) + 1] << 16) | (b[(p + hi) + 2] << 8) | b[(p + hi) + 3]) >>> 0), nr = (le ? (b[(p + lo)] | (b[(p + lo) + 1] << 8) | (b[(p + lo) + 2] << 16) | (b[(p + lo) + 3] << 24)) >>> 0 : ((b[(p + lo)] << 24) | (b[(p + lo) + 1] << 16) | (b[(p + lo) + 2] << 8) | b[(p + lo) + 3]) >>> 0);
    p += 8;
    if (h !== 0 || nr * 8 > end - p) {
      throw new FormatError(file, fo + p - 8 - base, `callchain nr that fits in the record (${Math.floor((end - p) / 8)} at most)`, h ? `0x${h.toString(16)}${nr.toString(16).padStart(8, '0')}` : String(nr));
    }
    out.callchainNr = nr;
    const start = b.byteOffset + p;
    if (out.skipCallchain) {
      out.callchainNr = 0;
      out.callchain = EMPTY_U32;
    } else if (le && (start & 3) === 0) {
      out.callchain = new Uint32Array(b.buffer, start, nr * 2);
    } else {
      const a = new Uint32Array(nr * 2);
      for (let i = 0; i < nr; i++) { a[2 * i] = (le ? (b[(p + 8 * i + lo)] | (b[(p + 8 * i + lo) + 1] << 8) | (b[(p + 8 * i + lo) + 2] << 16) | (b[(p + 8 * i + lo) + 3] << 24)) >>> 0 : ((b[(p + 8 * i + lo)] << 24) | (b[(p + 8 * i + lo) + 1] << 16) | (b[(p + 8 * i + lo) + 2] << 8) | b[(p + 8 * i + lo) + 3]) >>> 0); a[2 * i + 1] = (le ? (b[(p + 8 * i + hi)] | (b[(p + 8 * i + hi) + 1] << 8) | (b[(p + 8 * i + hi) + 2] << 16) | (b[(p + 8 * i + hi) + 3] << 24)) >>> 0 : ((b[(p + 8 * i + hi)] << 24) | (b[(p + 8 * i + hi) + 1] << 16) | (b[(p + 8 * i + hi) + 2] << 8) | b[(p + 8 * i + hi) + 3]) >>> 0); }
      out.callchain = a;
    }
    p += nr * 8;
  } else { out.callchainNr = 0; out.callchain = EMPTY_U32; }
  if (st & TAIL_TYPES) decodeTail(b, base, p, end, fo, attr, file, le, out);
  return out;
}

function decodeRead(b: Uint8Array, base: number, p: number, end: number, fo: number, attr: PerfEventAttr, file: string, le: boolean, out: PerfSample): number {
  const c = SAMPLE_CURSOR.reset(b, p, end, le, file, fo - base);
  out.read = decodeReadFormat(c, attr.readFormat);
  return c.p;
}

/** decodeSample's fields after the callchain (RAW .. AUX), through the cursor; kept apart so the head inlines its reads. */
function decodeTail(b: Uint8Array, base: number, p: number, end: number, fo: number, attr: PerfEventAttr, file: string, le: boolean, out: PerfSample): void {
  const st = attr.sampleType;
  const c = SAMPLE_CURSOR.reset(b, p, end, le, file, fo - base);
  if (st & SampleType.RAW) {
    c.need(4, 'raw size');
    const n = c.u32(0);
    c.p += 4;
    out.raw = c.bytes(n, 'raw data');
  }
  if (st & SampleType.BRANCH_STACK) {
    const counters = (attr.branchSampleType & BRANCH_SAMPLE_COUNTERS) !== 0n;
    const nr = c.count('branch stack nr', counters ? 32 : 24);
    if (attr.branchSampleType & BRANCH_SAMPLE_HW_INDEX) out.branchHwIdx = c.big('branch hw_idx');
    const entries: BranchEntry[] = [];
    c.need(nr * 24, 'branch entries');
    for (let i = 0; i < nr; i++) entries.push({ from: c.big('from'), to: c.big('to'), flags: c.big('flags') });
    out.branchStack = entries;
    if (counters) {
      c.need(nr * 8, 'branch counters');
      const bc = new BigUint64Array(nr);
      for (let i = 0; i < nr; i++) bc[i] = c.big('branch counter');
      out.branchCounters = bc;
    }
  }
  if (st & SampleType.REGS_USER) out.regsUser = c.regs(attr.sampleRegsUser, 'user regs');
  if (st & SampleType.STACK_USER) {
    const size = c.count('user stack size', 1);
    if (size !== 0) {
      out.stackUser = c.bytes(size, 'user stack');
      const dyn = c.num('user stack dyn_size');
      out.stackUserDynSize = Math.min(dyn, size);
    } else { out.stackUser = new Uint8Array(0); out.stackUserDynSize = 0; }
  }
  if (st & (SampleType.WEIGHT | SampleType.WEIGHT_STRUCT)) out.weight = c.big('weight');
  if (st & SampleType.DATA_SRC) out.dataSrc = c.big('data_src');
  if (st & SampleType.TRANSACTION) out.transaction = c.big('transaction');
  if (st & SampleType.REGS_INTR) out.regsIntr = c.regs(attr.sampleRegsIntr, 'intr regs');
  if (st & SampleType.PHYS_ADDR) out.physAddr = c.big('phys_addr');
  if (st & SampleType.CGROUP) out.cgroup = c.big('cgroup');
  if (st & SampleType.DATA_PAGE_SIZE) out.dataPageSize = c.big('data_page_size');
  if (st & SampleType.CODE_PAGE_SIZE) out.codePageSize = c.big('code_page_size');
  if (st & SampleType.AUX) { const n = c.count('aux size', 1); out.aux = c.bytes(n, 'aux data'); }
}

function decodeReadFormat(c: Cursor, rf: number): SampleRead {
  const extra = (rf & ReadFormat.ID ? 8 : 0) + (rf & ReadFormat.LOST ? 8 : 0);
  const one = (): ReadValue => {
    const v: ReadValue = { value: c.big('read value') };
    if (rf & ReadFormat.ID) v.id = c.big('read id');
    if (rf & ReadFormat.LOST) v.lost = c.big('read lost');
    return v;
  };
  if (rf & ReadFormat.GROUP) {
    const hdr = (rf & ReadFormat.TOTAL_TIME_ENABLED ? 8 : 0) + (rf & ReadFormat.TOTAL_TIME_RUNNING ? 8 : 0);
    c.need(8 + hdr, 'group read header');
    const nr = c.count('read group nr', 8 + extra);
    const r: SampleRead = { values: [] };
    if (rf & ReadFormat.TOTAL_TIME_ENABLED) r.timeEnabled = c.big('time_enabled');
    if (rf & ReadFormat.TOTAL_TIME_RUNNING) r.timeRunning = c.big('time_running');
    for (let i = 0; i < nr; i++) r.values.push(one());
    return r;
  }
  const value = c.big('read value');
  const r: SampleRead = { values: [] };
  if (rf & ReadFormat.TOTAL_TIME_ENABLED) r.timeEnabled = c.big('time_enabled');
  if (rf & ReadFormat.TOTAL_TIME_RUNNING) r.timeRunning = c.big('time_running');
  const v: ReadValue = { value };
  if (rf & ReadFormat.ID) v.id = c.big('read id');
  if (rf & ReadFormat.LOST) v.lost = c.big('read lost');
  r.values.push(v);
  return r;
}

/** Decodes a READ record's read_format values (body after pid, tid). */
export function decodeReadValues(b: Uint8Array, start: number, rf: number, le: boolean, file: string, fileOffset: number): SampleRead {
  return decodeReadFormat(new Cursor(b, start, b.byteLength, le, file, fileOffset), rf);
}

/** The sample_id_all trailer of a non-sample kernel record (perf's perf_evsel__parse_id_sample). */
export interface SampleId {
  pid?: number; tid?: number;
  timeHi?: number; timeLo?: number;
  id?: number; streamId?: number; cpu?: number;
}

/** Bytes the sample_id trailer takes for this sample_type. */
export function sampleIdSize(sampleType: number): number {
  let n = 0;
  if (sampleType & SampleType.TID) n += 8;
  if (sampleType & SampleType.TIME) n += 8;
  if (sampleType & SampleType.ID) n += 8;
  if (sampleType & SampleType.STREAM_ID) n += 8;
  if (sampleType & SampleType.CPU) n += 8;
  if (sampleType & SampleType.IDENTIFIER) n += 8;
  return n;
}

/**
 * Reads the trailer from the end of a kernel non-sample record, as perf does: it sits at the last
 * u64s of the record, in the order TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER.
 */
export function decodeSampleId(b: Uint8Array, sampleType: number, le: boolean, file = '<perf.data>', fileOffset = 0): SampleId {
  const n = sampleIdSize(sampleType);
  const end = b.byteLength - (b.byteLength - 8) % 8;
  if (end - 8 < n) throw new FormatError(file, fileOffset, `a sample_id trailer of ${n} bytes`, `a record of ${b.byteLength} bytes`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = end - n;
  const out: SampleId = {};
  const hi = (i: number) => v.getUint32(le ? i + 4 : i, le);
  const lo = (i: number) => v.getUint32(le ? i : i + 4, le);
  if (sampleType & SampleType.TID) { out.pid = v.getInt32(p, le); out.tid = v.getInt32(p + 4, le); p += 8; }
  if (sampleType & SampleType.TIME) { out.timeHi = hi(p); out.timeLo = lo(p); p += 8; }
  if (sampleType & SampleType.ID) { out.id = hi(p) * TWO32 + lo(p); p += 8; }
  if (sampleType & SampleType.STREAM_ID) { out.streamId = hi(p) * TWO32 + lo(p); p += 8; }
  if (sampleType & SampleType.CPU) { out.cpu = v.getUint32(p, le); p += 8; }
  if (sampleType & SampleType.IDENTIFIER) { out.id = hi(p) * TWO32 + lo(p); p += 8; }
  return out;
}

/**
 * The record's timestamp as perf's evlist__parse_sample_timestamp finds it: SAMPLE's TIME field,
 * or the sample_id trailer's for other kernel records when sample_id_all is set. Returns false
 * when the record has none (perf then uses -1ULL and delivers it at once). Writes (hi, lo) to `out`.
 */
export function recordTime(events: EventSet, rec: { type: number; bytes: Uint8Array }, out: Uint32Array): boolean {
  return recordTimeAt(events, rec.type, rec.bytes, 0, rec.bytes.byteLength, out);
}

/** recordTime for a record at buf[pos, pos + size). */
export function recordTimeAt(events: EventSet, type: number, b: Uint8Array, pos: number, size: number, out: Uint32Array): boolean {
  if (type >= 64) return false;
  const ev = events.eventAt(type, b, pos, size);
  if (!ev) return false;
  const st = ev.attr.sampleType;
  if (!(st & SampleType.TIME)) return false;
  const le = events.littleEndian;
  let p: number;
  if (type === RecordType.SAMPLE) {
    p = 8;
    if (st & SampleType.IDENTIFIER) p += 8;
    if (st & SampleType.IP) p += 8;
    if (st & SampleType.TID) p += 8;
  } else {
    if (!hasFlag(ev.attr, 'sample_id_all')) return false;
    const end = size - (size - 8) % 8;
    const n = sampleIdSize(st);
    p = end - n;
    if (st & SampleType.TID) p += 8;
    if (p < 8) return false;
  }
  if (p + 8 > size) return false;
  p += pos;
  const h = le ? p + 4 : p, l = le ? p : p + 4;
  out[0] = le ? (b[h] | (b[h + 1] << 8) | (b[h + 2] << 16) | (b[h + 3] << 24)) >>> 0 : ((b[h] << 24) | (b[h + 1] << 16) | (b[h + 2] << 8) | b[h + 3]) >>> 0;
  out[1] = le ? (b[l] | (b[l + 1] << 8) | (b[l + 2] << 16) | (b[l + 3] << 24)) >>> 0 : ((b[l] << 24) | (b[l + 1] << 16) | (b[l + 2] << 8) | b[l + 3]) >>> 0;
  return true;
}
