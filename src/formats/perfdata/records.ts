// Typed bodies of every perf.data record type other than SAMPLE (sample.ts decodes that).
// Kernel records: include/uapi/linux/perf_event.h (Linux 6.18), enum perf_event_type; each is
// followed by `struct sample_id sample_id` when attr.sample_id_all is set. User records:
// tools/lib/perf/include/perf/event.h (perf 6.1).
//
//   MMAP             { u32 pid, tid; u64 addr, len, pgoff; char filename[]; }
//   LOST             { u64 id, lost; }
//   COMM             { u32 pid, tid; char comm[]; }                      misc & COMM_EXEC: exec
//   EXIT, FORK       { u32 pid, ppid, tid, ptid; u64 time; }
//   THROTTLE, UNTHROTTLE { u64 time, id, stream_id; }
//   READ             { u32 pid, tid; struct read_format values; }
//   MMAP2            { u32 pid, tid; u64 addr, len, pgoff;
//                      union { { u32 maj, min; u64 ino, ino_generation; }
//                              { u8 build_id_size, __reserved_1; u16 __reserved_2; u8 build_id[20]; } };  (misc & MMAP_BUILD_ID)
//                      u32 prot, flags; char filename[]; }
//   AUX              { u64 aux_offset, aux_size, flags; }
//   ITRACE_START     { u32 pid, tid; }
//   LOST_SAMPLES     { u64 lost; }
//   SWITCH           { }                                                  misc & SWITCH_OUT
//   SWITCH_CPU_WIDE  { u32 next_prev_pid, next_prev_tid; }
//   NAMESPACES       { u32 pid, tid; u64 nr_namespaces; { u64 dev, inode; } [nr_namespaces]; }
//   KSYMBOL          { u64 addr; u32 len; u16 ksym_type, flags; char name[]; }
//   BPF_EVENT        { u16 type, flags; u32 id; u8 tag[8]; }
//   CGROUP           { u64 id; char path[]; }
//   TEXT_POKE        { u64 addr; u16 old_len, new_len; u8 bytes[old_len + new_len]; }
//   AUX_OUTPUT_HW_ID { u64 hw_id; }
//   CALLCHAIN_DEFERRED { u64 cookie; u64 nr; u64 ips[nr]; }              (Linux 6.18)
//
//   HEADER_ATTR      { perf_event_attr attr; u64 id[]; }
//   HEADER_EVENT_TYPE { u64 event_id; char name[64]; }
//   HEADER_TRACING_DATA { u32 size; }  + size bytes after the record, padded to 8
//   HEADER_BUILD_ID  { s32 pid; union { u8 build_id[24]; { u8 data[20]; u8 size; u8 r1; u16 r2; } }; char filename[]; }
//                    (misc & (1<<15) PERF_RECORD_MISC_BUILD_ID_SIZE: `size` is valid, else 20)
//   FINISHED_ROUND, FINISHED_INIT { }
//   ID_INDEX         { u64 nr; { u64 id, idx, cpu, tid; } [nr]; { u64 machine_pid, vcpu; } [nr] (when present) }
//   AUXTRACE_INFO    { u32 type, reserved; u64 priv[]; }
//   AUXTRACE         { u64 size, offset, reference; u32 idx, tid, cpu, reserved; } + size bytes after
//   AUXTRACE_ERROR   { u32 type, code, cpu, pid, tid, fmt; u64 ip; u64 time; char msg[64]; u32 machine_pid, vcpu; }
//                    (fmt 0 has no time: msg follows ip)
//   THREAD_MAP       { u64 nr; { u64 pid; char comm[16]; } [nr]; }
//   CPU_MAP          { u16 type; packed union {
//                      0 CPUS:       { u16 nr; u16 cpu[nr]; }
//                      1 MASK:       { u16 nr; u16 long_size; u32 mask[nr] }  (long_size 4)
//                                    { u16 nr; u16 long_size; u32 pad; u64 mask[nr] } (long_size 8)
//                      2 RANGE_CPUS: { u8 any_cpu; u8 pad; u16 start_cpu, end_cpu; } } }
//   STAT_CONFIG      { u64 nr; { u64 tag, val; } [nr]; }
//   STAT             { u64 id; u32 cpu, thread; u64 val, ena, run; }
//   STAT_ROUND       { u64 type, time; }
//   EVENT_UPDATE     { u64 type, id; union { char unit[]; double scale; char name[]; cpu_map_data cpus; } }
//                    type 0 UNIT, 1 SCALE, 2 NAME, 3 CPUS
//   TIME_CONV        { u64 time_shift, time_mult, time_zero; [u64 time_cycles, time_mask; u8 cap_user_time_zero, cap_user_time_short, reserved[6]] }
//   HEADER_FEATURE   { u64 feat_id; char data[]; }
//   COMPRESSED       { char data[]; }       COMPRESSED2 { u64 data_size; char data[]; }
import { FormatError } from '../../util/errors.js';
import { Reader } from '../../util/reader.js';
import { decodeAttr, hasFlag, type PerfEventAttr } from './attr.js';
import { Misc, RECORD_NAMES, RecordType } from './constants.js';
import { decodeReadValues, decodeSampleId, sampleIdSize, type EventSet, type SampleId, type SampleRead } from './sample.js';
import type { PerfRecord } from './stream.js';

export type CpuMap =
  | { kind: 'cpus'; cpus: number[] }
  | { kind: 'mask'; longSize: number; cpus: number[] }
  | { kind: 'range'; anyCpu: boolean; startCpu: number; endCpu: number; cpus: number[] };

/** A decoded record: `type`, `name` ("MMAP2"), the body's fields, and `sampleId` when present. */
export interface DecodedRecord {
  type: number;
  name: string;
  misc: number;
  sampleId?: SampleId;
  [field: string]: unknown;
}

/** Kernel record types that carry a sample_id trailer when sample_id_all is set. */
function hasSampleIdTrailer(type: number): boolean {
  return type >= 1 && type <= 22 && type !== RecordType.SAMPLE;
}

/**
 * Decodes a record's body by its type. `events` gives the attr for the sample_id trailer (kernel
 * records) and for READ values. Throws FormatError naming the offset when the body is short.
 * A SAMPLE is not decoded here (use decodeSample); it returns only the header fields.
 */
export function decodeRecord(rec: PerfRecord, events: EventSet, file = events.file): DecodedRecord {
  const le = events.littleEndian;
  const type = rec.type;
  const out: DecodedRecord = { type, name: RECORD_NAMES[type] ?? `UNKNOWN(${type})`, misc: rec.misc };
  let bodyEnd = rec.bytes.byteLength;
  let attr: PerfEventAttr | undefined;
  if (type < 64) {
    const ev = events.eventOf(rec);
    attr = ev?.attr;
    if (ev && hasSampleIdTrailer(type) && hasFlag(ev.attr, 'sample_id_all')) {
      const n = sampleIdSize(ev.attr.sampleType);
      out.sampleId = decodeSampleId(rec.bytes, ev.attr.sampleType, le, file, rec.fileOffset);
      bodyEnd = rec.bytes.byteLength - ((rec.bytes.byteLength - 8) % 8) - n;
    }
  }
  if (type === RecordType.SAMPLE) return out;
  const r = new Reader(rec.bytes.subarray(0, Math.max(8, bodyEnd)), rec.fileOffset, file, le);
  r.pos = 8;
  const str = (what: string) => r.fixedString(r.remaining, what);
  switch (type) {
    case RecordType.MMAP:
      out.pid = r.i32('pid'); out.tid = r.i32('tid');
      out.addr = r.u64('addr'); out.len = r.u64('len'); out.pgoff = r.u64('pgoff');
      out.filename = str('filename');
      break;
    case RecordType.LOST: out.id = r.u64('id'); out.lost = r.u64('lost'); break;
    case RecordType.COMM:
      out.pid = r.i32('pid'); out.tid = r.i32('tid'); out.comm = str('comm');
      out.exec = (rec.misc & Misc.COMM_EXEC) !== 0;
      break;
    case RecordType.EXIT:
    case RecordType.FORK:
      out.pid = r.i32('pid'); out.ppid = r.i32('ppid'); out.tid = r.i32('tid'); out.ptid = r.i32('ptid');
      out.time = r.u64('time');
      break;
    case RecordType.THROTTLE:
    case RecordType.UNTHROTTLE:
      out.time = r.u64('time'); out.id = r.u64('id'); out.streamId = r.u64('stream_id');
      break;
    case RecordType.READ:
      out.pid = r.i32('pid'); out.tid = r.i32('tid');
      out.values = decodeReadValues(r.bytes, r.pos, attr?.readFormat ?? 0, le, file, rec.fileOffset) as SampleRead;
      break;
    case RecordType.MMAP2:
      out.pid = r.i32('pid'); out.tid = r.i32('tid');
      out.addr = r.u64('addr'); out.len = r.u64('len'); out.pgoff = r.u64('pgoff');
      if (rec.misc & Misc.MMAP_BUILD_ID) {
        const n = r.u8('build_id_size'); r.skip(3, 'reserved');
        const id = r.bytesN(20, 'build_id');
        if (n > 20) r.fail('build_id_size of at most 20', String(n), r.pos - 24);
        out.buildId = id.slice(0, n);
      } else {
        out.maj = r.u32('maj'); out.min = r.u32('min'); out.ino = r.u64('ino'); out.inoGeneration = r.u64('ino_generation');
      }
      out.prot = r.u32('prot'); out.flags = r.u32('flags');
      out.filename = str('filename');
      break;
    case RecordType.AUX: out.auxOffset = r.u64('aux_offset'); out.auxSize = r.u64('aux_size'); out.flags = r.u64('flags'); break;
    case RecordType.ITRACE_START: out.pid = r.i32('pid'); out.tid = r.i32('tid'); break;
    case RecordType.LOST_SAMPLES: out.lost = r.u64('lost'); break;
    case RecordType.SWITCH: out.out = (rec.misc & Misc.SWITCH_OUT) !== 0; break;
    case RecordType.SWITCH_CPU_WIDE:
      out.out = (rec.misc & Misc.SWITCH_OUT) !== 0;
      out.nextPrevPid = r.i32('next_prev_pid'); out.nextPrevTid = r.i32('next_prev_tid');
      break;
    case RecordType.NAMESPACES: {
      out.pid = r.i32('pid'); out.tid = r.i32('tid');
      const nr = count(r, 'nr_namespaces', 16);
      const ns: { dev: bigint; inode: bigint }[] = [];
      for (let i = 0; i < nr; i++) ns.push({ dev: r.u64('dev'), inode: r.u64('inode') });
      out.namespaces = ns;
      break;
    }
    case RecordType.KSYMBOL:
      out.addr = r.u64('addr'); out.len = r.u32('len'); out.ksymType = r.u16('ksym_type'); out.flags = r.u16('flags');
      out.symbol = str('name');
      break;
    case RecordType.BPF_EVENT:
      out.bpfType = r.u16('type'); out.flags = r.u16('flags'); out.id = r.u32('id'); out.tag = r.bytesN(8, 'tag').slice();
      break;
    case RecordType.CGROUP: out.id = r.u64('id'); out.path = str('path'); break;
    case RecordType.TEXT_POKE: {
      out.addr = r.u64('addr');
      const oldLen = r.u16('old_len'), newLen = r.u16('new_len');
      out.oldBytes = r.bytesN(oldLen, 'old bytes').slice(); out.newBytes = r.bytesN(newLen, 'new bytes').slice();
      break;
    }
    case RecordType.AUX_OUTPUT_HW_ID: out.hwId = r.u64('hw_id'); break;
    case RecordType.CALLCHAIN_DEFERRED: {
      out.cookie = r.u64('cookie');
      const nr = count(r, 'nr', 8);
      const ips: bigint[] = [];
      for (let i = 0; i < nr; i++) ips.push(r.u64('ip'));
      out.ips = ips;
      break;
    }
    case RecordType.HEADER_ATTR: {
      if (r.remaining < 64) r.fail('a perf_event_attr (64 bytes at least)', `${r.remaining} bytes`);
      let asz = r.view.getUint32(12, le);
      if (asz === 0) asz = 64;
      if (asz > r.remaining) r.fail(`perf_event_attr.size within the record (${r.remaining})`, String(asz), 12);
      out.attr = decodeAttr(r, asz);
      const ids: bigint[] = [];
      while (r.remaining >= 8) ids.push(r.u64('id'));
      out.ids = ids;
      break;
    }
    case RecordType.HEADER_EVENT_TYPE: out.eventId = r.u64('event_id'); out.eventName = r.fixedString(Math.min(64, r.remaining), 'name'); break;
    case RecordType.HEADER_TRACING_DATA: out.size = r.u32('size'); break;
    case RecordType.HEADER_BUILD_ID: {
      out.pid = r.i32('pid');
      const id = r.bytesN(24, 'build_id');
      const n = rec.misc & 0x8000 ? id[20] : 20;
      out.buildId = id.slice(0, Math.min(n, 20));
      out.filename = str('filename');
      break;
    }
    case RecordType.FINISHED_ROUND:
    case RecordType.FINISHED_INIT:
      break;
    case RecordType.ID_INDEX: {
      const nr = count(r, 'nr', 32);
      const entries: { id: bigint; idx: bigint; cpu: bigint; tid: bigint; machinePid?: bigint; vcpu?: bigint }[] = [];
      for (let i = 0; i < nr; i++) entries.push({ id: r.u64('id'), idx: r.u64('idx'), cpu: r.u64('cpu'), tid: r.u64('tid') });
      if (r.remaining >= nr * 16) for (const e of entries) { e.machinePid = r.u64('machine_pid'); e.vcpu = r.u64('vcpu'); }
      out.entries = entries;
      break;
    }
    case RecordType.AUXTRACE_INFO: {
      out.auxType = r.u32('type'); r.skip(4, 'reserved');
      const priv: bigint[] = [];
      while (r.remaining >= 8) priv.push(r.u64('priv'));
      out.priv = priv;
      break;
    }
    case RecordType.AUXTRACE:
      out.size = r.u64('size'); out.offset = r.u64('offset'); out.reference = r.u64('reference');
      out.idx = r.u32('idx'); out.tid = r.i32('tid'); out.cpu = r.i32('cpu');
      break;
    case RecordType.AUXTRACE_ERROR: {
      out.errType = r.u32('type'); out.code = r.u32('code'); out.cpu = r.i32('cpu'); out.pid = r.i32('pid'); out.tid = r.i32('tid');
      const fmt = r.u32('fmt'); out.fmt = fmt; out.ip = r.u64('ip');
      if (fmt >= 1) out.time = r.u64('time');
      out.msg = r.fixedString(Math.min(64, r.remaining), 'msg');
      if (fmt >= 2 && r.remaining >= 8) { out.machinePid = r.u32('machine_pid'); out.vcpu = r.u32('vcpu'); }
      break;
    }
    case RecordType.THREAD_MAP: {
      const nr = count(r, 'nr', 24);
      const threads: { pid: number; comm: string }[] = [];
      for (let i = 0; i < nr; i++) {
        const pid = Number(r.i64('pid'));
        threads.push({ pid, comm: r.fixedString(16, 'comm') });
      }
      out.threads = threads;
      break;
    }
    case RecordType.CPU_MAP: out.map = decodeCpuMap(r); break;
    case RecordType.STAT_CONFIG: {
      const nr = count(r, 'nr', 16);
      const cfg: { tag: number; val: bigint }[] = [];
      for (let i = 0; i < nr; i++) cfg.push({ tag: r.u64n('tag'), val: r.u64('val') });
      out.config = cfg;
      break;
    }
    case RecordType.STAT:
      out.id = r.u64('id'); out.cpu = r.i32('cpu'); out.thread = r.i32('thread');
      out.val = r.u64('val'); out.ena = r.u64('ena'); out.run = r.u64('run');
      break;
    case RecordType.STAT_ROUND: out.roundType = r.u64('type'); out.time = r.u64('time'); break;
    case RecordType.EVENT_UPDATE: {
      const t = r.u64n('type'); out.updateType = t; out.id = r.u64('id');
      if (t === 0) out.unit = str('unit');
      else if (t === 1) out.scale = r.view.getFloat64((r.need(8, 'scale'), r.pos), le);
      else if (t === 2) out.eventName = str('name');
      else if (t === 3) out.cpus = decodeCpuMap(r);
      break;
    }
    case RecordType.TIME_CONV:
      out.timeShift = r.u64('time_shift'); out.timeMult = r.u64('time_mult'); out.timeZero = r.u64('time_zero');
      if (r.remaining >= 24) {
        out.timeCycles = r.u64('time_cycles'); out.timeMask = r.u64('time_mask');
        out.capUserTimeZero = r.u8('cap_user_time_zero') !== 0; out.capUserTimeShort = r.u8('cap_user_time_short') !== 0;
      }
      break;
    case RecordType.HEADER_FEATURE: out.featId = r.u64n('feat_id'); out.data = r.bytesN(r.remaining, 'feature data'); break;
    case RecordType.COMPRESSED: out.dataSize = rec.size - 8; break;
    case RecordType.COMPRESSED2: out.dataSize = r.u64n('data_size'); if (out.dataSize as number > r.remaining) r.fail(`data_size within the record (${r.remaining})`, String(out.dataSize), 8); break;
    default:
      break;
  }
  return out;
}

function count(r: Reader, what: string, unit: number): number {
  const at = r.pos;
  const n = r.u64n(what);
  if (n * unit > r.remaining) r.fail(`${what} that fits the record (${Math.floor(r.remaining / unit)} at most)`, String(n), at);
  return n;
}

/** struct perf_record_cpu_map_data (perf 6.1, packed): the three encodings. */
export function decodeCpuMap(r: Reader): CpuMap {
  const type = r.u16('cpu map type');
  if (type === 0) {
    const nr = r.u16('nr');
    const cpus: number[] = [];
    r.need(nr * 2, 'cpu[]');
    for (let i = 0; i < nr; i++) { const c = r.u16('cpu'); cpus.push(c === 0xffff ? -1 : c); }
    return { kind: 'cpus', cpus };
  }
  if (type === 1) {
    const nr = r.u16('nr');
    const longSize = r.u16('long_size');
    if (longSize !== 4 && longSize !== 8) r.fail('mask long_size 4 or 8', String(longSize), r.pos - 2);
    if (longSize === 8) r.skip(4, 'pad');
    r.need(nr * longSize, 'mask[]');
    const cpus: number[] = [];
    for (let i = 0; i < nr; i++) {
      const lo = r.u32('mask'), hi = longSize === 8 ? r.u32('mask') : 0;
      const words = r.littleEndian ? [lo, hi] : [hi, lo];
      for (let w = 0; w < (longSize === 8 ? 2 : 1); w++) for (let b = 0; b < 32; b++) if (words[w] & (1 << b)) cpus.push(i * longSize * 8 + w * 32 + b);
    }
    return { kind: 'mask', longSize, cpus };
  }
  if (type === 2) {
    const anyCpu = r.u8('any_cpu') !== 0; r.skip(1, 'pad');
    const startCpu = r.u16('start_cpu'), endCpu = r.u16('end_cpu');
    if (endCpu < startCpu) r.fail('end_cpu >= start_cpu', `${startCpu}-${endCpu}`, r.pos - 4);
    const cpus: number[] = anyCpu ? [-1] : [];
    for (let c = startCpu; c <= endCpu; c++) cpus.push(c);
    return { kind: 'range', anyCpu, startCpu, endCpu, cpus };
  }
  throw new FormatError(r.file, r.absolute - 2, 'a cpu map type 0 (CPUS), 1 (MASK) or 2 (RANGE_CPUS)', String(type));
}
