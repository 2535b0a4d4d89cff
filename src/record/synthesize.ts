// Records perf synthesizes at the start of a recording (tools/perf/util/synthetic-events.c, 6.1):
//
//   PERF_RECORD_ID_INDEX   { header; u64 nr; struct id_index_entry { u64 id, idx, cpu, tid; } entries[nr]; }
//   PERF_RECORD_THREAD_MAP { header; u64 nr; struct { u64 pid; char comm[16]; } entries[nr]; }
//   PERF_RECORD_CPU_MAP    { header; u16 type; ... }  type 0 PERF_CPU_MAP__CPUS: u16 nr; u16 cpu[nr];
//                          type 2 PERF_CPU_MAP__RANGE_CPUS: u8 any_cpu; u8 pad; u16 start_cpu, end_cpu;
//                          (the record is padded to 8 bytes)
//   the kernel map: PERF_RECORD_MMAP pid -1, tid 0, misc KERNEL, start = _text, len = _etext - _text,
//   pgoff = _text, "[kernel.kallsyms]_text" (perf_event__synthesize_kernel_mmap with the ref_reloc_sym)
//   per existing thread: COMM, and per executable mapping of its process: MMAP2 (from /proc/PID/maps)
//   per loaded BPF program (perf_event__synthesize_bpf_events, util/bpf-event.c):
//   PERF_RECORD_KSYMBOL   { header; u64 addr; u32 len; u16 ksym_type; u16 flags; char name[]; }
//                         one per jited function, ksym_type 1 (BPF), name padded to 8 bytes
//   PERF_RECORD_BPF_EVENT { header; u16 type; u16 flags; u32 id; u8 tag[8]; }  type 1 (PROG_LOAD)
//   both followed by a zeroed sample_id trailer, as perf leaves it (machine->id_hdr_size of zeros).
import { encodeComm, encodeFork, encodeMmap, encodeMmap2 } from '../formats/perfdata/encode.js';
import { Misc, RecordType, SampleType } from '../formats/perfdata/constants.js';
import { hasFlag, type PerfEventAttr } from '../formats/perfdata/attr.js';
import { readdirSync } from 'node:fs';
import { readKallsymsAddresses, readMaps, readTaskStatus, type TaskStatus } from '../kernel/procfs.js';
import { bpfProgFdById, bpfProgInfo, listBpfProgIds, readBtf, type BpfProgInfo } from '../kernel/bpf.js';
import { closeFd } from '../kernel/perf-event.js';
import { btfTypeNames } from '../formats/btf.js';

function record(type: number, body: number): { out: Uint8Array; v: DataView } {
  const size = (8 + body + 7) & ~7;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint16(6, size, true);
  return { out, v };
}

export interface IdIndexEntry { id: bigint; idx: number; cpu: number; tid: number }

export function encodeIdIndex(entries: readonly IdIndexEntry[]): Uint8Array {
  const { out, v } = record(RecordType.ID_INDEX, 8 + entries.length * 32);
  v.setBigUint64(8, BigInt(entries.length), true);
  entries.forEach((e, i) => {
    const o = 16 + i * 32;
    v.setBigUint64(o, e.id, true);
    v.setBigUint64(o + 8, BigInt(e.idx), true);
    v.setBigInt64(o + 16, BigInt(e.cpu), true);
    v.setBigInt64(o + 24, BigInt(e.tid), true);
  });
  return out;
}

export function encodeThreadMap(threads: readonly { pid: number; comm: string }[]): Uint8Array {
  const { out, v } = record(RecordType.THREAD_MAP, 8 + threads.length * 24);
  v.setBigUint64(8, BigInt(threads.length), true);
  threads.forEach((t, i) => {
    const o = 16 + i * 24;
    v.setBigInt64(o, BigInt(t.pid), true);
    out.set(new TextEncoder().encode(t.comm).subarray(0, 15), o + 8);
  });
  return out;
}

/** cpus: the CPU list, or [-1] for "any CPU" (per-thread events). */
export function encodeCpuMap(cpus: readonly number[]): Uint8Array {
  const contiguous = cpus.length > 1 && cpus[0] >= 0 && cpus.every((c, i) => c === cpus[0] + i);
  if (contiguous) {
    const { out, v } = record(RecordType.CPU_MAP, 8);
    v.setUint16(8, 2, true);
    v.setUint16(12, cpus[0], true);
    v.setUint16(14, cpus[cpus.length - 1], true);
    return out;
  }
  const { out, v } = record(RecordType.CPU_MAP, 4 + cpus.length * 2);
  v.setUint16(8, 0, true);
  v.setUint16(10, cpus.length, true);
  cpus.forEach((c, i) => v.setUint16(12 + i * 2, c & 0xffff, true));
  return out;
}

/** The kernel map record, or undefined when kallsyms hides addresses (kptr_restrict). */
export function synthesizeKernelMmap(attr: PerfEventAttr): Uint8Array | undefined {
  const k = readKallsymsAddresses(['_text', '_stext', '_etext']);
  const text = k.get('_text') || k.get('_stext');
  const etext = k.get('_etext');
  if (!text) return undefined;
  return encodeMmap({
    pid: -1 >>> 0, tid: 0, addr: text, len: etext && etext > text ? etext - text : (1n << 64n) - text,
    pgoff: text, filename: '[kernel.kallsyms]_text', misc: Misc.KERNEL, sampleId: ZERO_ID,
  }, attr);
}

const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_SHARED = 1, MAP_PRIVATE = 2;
const PERF_RECORD_MISC_FORK_EXEC = 1 << 13;
/** perf zeroes the sample_id trailer of what it synthesizes (machine->id_hdr_size bytes of 0). */
const ZERO_ID = { pid: 0, tid: 0, time: 0n, id: 0n, cpu: 0 };

/**
 * MMAP2 for each mapping of process `pid` perf would synthesize (perf_event__synthesize_mmap_events):
 * executable ones, and with `dataMaps` also readable data ones (misc MMAP_DATA); anonymous
 * mappings are named //anon.
 */
export function synthesizeMmaps(pid: number, attr: PerfEventAttr, dataMaps = false): Uint8Array[] {
  const out: Uint8Array[] = [];
  let maps;
  try { maps = readMaps(pid); } catch { return out; }
  for (const m of maps) {
    const prot = (m.perms[0] === 'r' ? PROT_READ : 0) | (m.perms[1] === 'w' ? PROT_WRITE : 0) | (m.perms[2] === 'x' ? PROT_EXEC : 0);
    const exec = (prot & PROT_EXEC) !== 0;
    if (!exec && !(dataMaps && prot & PROT_READ)) continue;
    out.push(encodeMmap2({
      pid, tid: pid, addr: m.start, len: m.end - m.start, pgoff: m.pgoff, maj: m.major, min: m.minor,
      ino: BigInt(m.inode), inoGeneration: 0n, prot, flags: m.perms[3] === 's' ? MAP_SHARED : MAP_PRIVATE,
      filename: m.path ? m.path.replace(/ \(deleted\)$/, '') : '//anon', misc: Misc.USER | (exec ? 0 : Misc.MMAP_DATA),
      sampleId: ZERO_ID,
    }, attr));
  }
  return out;
}

/**
 * The records perf synthesizes for a thread map (-p, -t: perf_event__synthesize_thread_map): per
 * thread a COMM (pid = its process), the process's maps after its leader's COMM, and a thread
 * whose leader is not in the map brings the leader's COMM and maps too. No FORK records.
 */
export function synthesizeThreadMap(tids: readonly number[], attr: PerfEventAttr, dataMaps = false): Uint8Array[] {
  const out: Uint8Array[] = [];
  const inMap = new Set(tids);
  const one = (tid: number): number | undefined => {
    let st: TaskStatus;
    try { st = readTaskStatus(tid, tid); } catch { return undefined; }
    if (st.tgid < 0) return undefined;
    out.push(encodeComm({ pid: st.tgid, tid, comm: st.name, sampleId: ZERO_ID }, attr));
    if (tid === st.tgid) out.push(...synthesizeMmaps(tid, attr, dataMaps));
    return st.tgid;
  };
  for (const tid of tids) {
    const tgid = one(tid);
    if (tgid !== undefined && tgid !== tid && !inMap.has(tgid)) one(tgid);
  }
  return out;
}

/**
 * The records perf synthesizes for one process when recording system-wide
 * (perf_event__synthesize_threads → __event__synthesize_thread with full=1): per thread a FORK
 * (from the parent process for the leader, from the leader for the others; misc FORK_EXEC) and a
 * COMM, and after the leader's COMM its maps unless it is a kernel thread.
 */
export function synthesizeProcess(pid: number, attr: PerfEventAttr, dataMaps = false): Uint8Array[] {
  const out: Uint8Array[] = [];
  let tids: number[];
  try { tids = readdirSync(`/proc/${pid}/task`).filter((n) => /^\d/.test(n)).map(Number).sort((a, b) => a - b); } catch { return out; }
  for (const tid of tids) {
    let st: TaskStatus;
    try { st = readTaskStatus(pid, tid); } catch { continue; }
    if (st.tgid < 0) continue;
    const parent = tid === st.tgid ? st.ppid : st.tgid;
    out.push(encodeFork({ pid: st.tgid, tid, ppid: parent, ptid: parent, misc: PERF_RECORD_MISC_FORK_EXEC, sampleId: ZERO_ID }, attr));
    out.push(encodeComm({ pid: st.tgid, tid, comm: st.name, sampleId: ZERO_ID }, attr));
    if (tid === pid && !st.kernelThread) out.push(...synthesizeMmaps(pid, attr, dataMaps));
  }
  return out;
}

/** Bytes of the sample_id trailer that `attr` puts after non-sample records. */
export function idHeaderSize(attr: PerfEventAttr): number {
  if (!hasFlag(attr, 'sample_id_all')) return 0;
  const t = attr.sampleType;
  let n = 0;
  for (const bit of [SampleType.TID, SampleType.TIME, SampleType.ID, SampleType.STREAM_ID, SampleType.CPU, SampleType.IDENTIFIER]) if (t & bit) n += 8;
  return n;
}

export const PERF_RECORD_KSYMBOL_TYPE_BPF = 1;
export const PERF_BPF_EVENT_PROG_LOAD = 1;

/** PERF_RECORD_KSYMBOL with a zeroed sample_id trailer. */
export function encodeKsymbol(f: { addr: bigint; len: number; ksymType: number; flags: number; name: string }, attr: PerfEventAttr): Uint8Array {
  const name = new TextEncoder().encode(f.name);
  const nameLen = (name.length + 1 + 7) & ~7;
  const { out, v } = record(RecordType.KSYMBOL, 16 + nameLen + idHeaderSize(attr));
  v.setBigUint64(8, f.addr, true);
  v.setUint32(16, f.len, true);
  v.setUint16(20, f.ksymType, true);
  v.setUint16(22, f.flags, true);
  out.set(name, 24);
  return out;
}

/** PERF_RECORD_BPF_EVENT with a zeroed sample_id trailer. */
export function encodeBpfEvent(f: { type: number; flags: number; id: number; tag: Uint8Array }, attr: PerfEventAttr): Uint8Array {
  const { out, v } = record(RecordType.BPF_EVENT, 16 + idHeaderSize(attr));
  v.setUint16(8, f.type, true);
  v.setUint16(10, f.flags, true);
  v.setUint32(12, f.id, true);
  out.set(f.tag.subarray(0, 8), 16);
  return out;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The kernel symbol name of BPF function `sub` of a program, as perf's synthesize_bpf_prog_name
 * (and the kernel's bpf_get_prog_name) make it: bpf_prog_<tag>_<name>, the name from BTF func
 * info when the program has it, else the program's name when it has one function, else "F".
 */
export function bpfProgSymbolName(info: BpfProgInfo, sub: number, btfNames?: Map<number, string>): string {
  let name = `bpf_prog_${hex(info.progTags[sub] ?? new Uint8Array(8))}`;
  let short: string | undefined;
  if (btfNames) short = btfNames.get(info.funcTypeIds[sub]) ?? '';
  else if (sub === 0 && info.jitedKsyms.length === 1) short = info.name || undefined;
  else short = 'F';
  if (short !== undefined) name += `_${short}`;
  return name;
}

/**
 * KSYMBOL (per jited function) and BPF_EVENT PROG_LOAD records for every BPF program loaded now,
 * as perf_event__synthesize_bpf_events writes them. Programs that vanish meanwhile, or that we
 * may not open, are skipped; no permission to list them gives nothing (perf does the same).
 */
export function synthesizeBpfEvents(attr: PerfEventAttr): { records: Uint8Array[]; progs: BpfProgInfo[] } {
  const records: Uint8Array[] = [];
  const progs: BpfProgInfo[] = [];
  for (const id of listBpfProgIds()) {
    const fd = bpfProgFdById(id);
    if (fd === undefined) continue;
    let info: BpfProgInfo;
    try { info = bpfProgInfo(fd); } catch { continue; } finally { closeFd(fd); }
    const n = info.jitedKsyms.length;
    // perf gives up on a program whose arrays disagree (number of ksyms, lengths and tags)
    if (n !== info.jitedFuncLens.length || n !== info.progTags.length) continue;
    let btfNames: Map<number, string> | undefined;
    if (info.btfId && info.funcTypeIds.length) {
      if (info.funcTypeIds.length !== n) continue;
      const blob = readBtf(info.btfId);
      if (!blob) continue;
      try { btfNames = btfTypeNames(blob, info.funcTypeIds, `btf ${info.btfId}`); } catch { continue; }
    }
    for (let i = 0; i < n; i++) {
      records.push(encodeKsymbol({ addr: info.jitedKsyms[i], len: info.jitedFuncLens[i], ksymType: PERF_RECORD_KSYMBOL_TYPE_BPF, flags: 0, name: bpfProgSymbolName(info, i, btfNames) }, attr));
    }
    records.push(encodeBpfEvent({ type: PERF_BPF_EVENT_PROG_LOAD, flags: 0, id: info.id, tag: info.tag }, attr));
    progs.push(info);
  }
  return { records, progs };
}

/* perf's struct perf_bpil (util/bpf-utils.h), the HEADER_BPF_PROG_INFO entry per program:
 *   { __u32 info_len; __u32 data_len; __u64 arrays; struct bpf_prog_info info; __u8 data[]; }
 * `arrays` has bit N for each array copied into data (enum bpil_array: JITED_KSYMS 3,
 * JITED_FUNC_LENS 4, FUNC_INFO 5, PROG_TAGS 8), each 8-byte aligned in enum order, and the info's
 * pointer to it holds its offset in data (bpil_addr_to_offs). We copy the arrays perf needs to
 * name and place the functions; the instruction and line arrays are left out (counts zeroed).
 */
export function bpfProgInfoFeatureEntry(p: BpfProgInfo): { infoLen: number; dataLen: number; arrays: bigint; info: Uint8Array; data: Uint8Array } {
  const info = p.raw.slice();
  const v = new DataView(info.buffer);
  // zero the arrays we do not copy: jited/xlated insns, map ids, line info, jited line info
  for (const off of [16, 20, 52, 148, 168, 172, 176]) v.setUint32(off, 0, true);
  for (const off of [24, 32, 56, 152, 160]) v.setBigUint64(off, 0n, true);
  const parts: { bit: number; ptrOff: number; bytes: Uint8Array }[] = [];
  const u64s = new Uint8Array(p.jitedKsyms.length * 8);
  p.jitedKsyms.forEach((a, i) => new DataView(u64s.buffer).setBigUint64(i * 8, a, true));
  const u32s = new Uint8Array(p.jitedFuncLens.length * 4);
  p.jitedFuncLens.forEach((l, i) => new DataView(u32s.buffer).setUint32(i * 4, l, true));
  const tags = new Uint8Array(p.progTags.length * 8);
  p.progTags.forEach((t, i) => tags.set(t, i * 8));
  parts.push({ bit: 3, ptrOff: 112, bytes: u64s }, { bit: 4, ptrOff: 120, bytes: u32s });
  if (p.funcInfo.length) parts.push({ bit: 5, ptrOff: 136, bytes: p.funcInfo });
  else { v.setUint32(144, 0, true); v.setUint32(132, 0, true); v.setBigUint64(136, 0n, true); }
  parts.push({ bit: 8, ptrOff: 184, bytes: tags });
  let arrays = 0n, dataLen = 0;
  for (const part of parts) dataLen += (part.bytes.length + 7) & ~7;
  const data = new Uint8Array(dataLen);
  let off = 0;
  for (const part of parts) {
    arrays |= 1n << BigInt(part.bit);
    data.set(part.bytes, off);
    v.setBigUint64(part.ptrOff, BigInt(off), true);
    off += (part.bytes.length + 7) & ~7;
  }
  return { infoLen: info.length, dataLen, arrays, info, data };
}

/** HEADER_BPF_BTF entries: the BTF objects of the programs (deduplicated by id). */
export function bpfBtfFeatureEntries(progs: readonly BpfProgInfo[]): { id: number; data: Uint8Array }[] {
  const out: { id: number; data: Uint8Array }[] = [];
  for (const id of new Set(progs.map((p) => p.btfId).filter((id) => id))) {
    const data = readBtf(id);
    if (data) out.push({ id, data });
  }
  return out;
}
