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
import { encodeComm, encodeMmap, encodeMmap2 } from '../formats/perfdata/encode.js';
import { Misc, RecordType } from '../formats/perfdata/constants.js';
import type { PerfEventAttr } from '../formats/perfdata/attr.js';
import { readComm, readKallsymsAddresses, readMaps, readThreads } from '../kernel/procfs.js';

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
    pgoff: text, filename: '[kernel.kallsyms]_text', misc: Misc.KERNEL,
  }, attr);
}

const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_SHARED = 1, MAP_PRIVATE = 2;

/**
 * COMM for each thread and MMAP2 for each executable mapping of process `pid`, as perf's
 * perf_event__synthesize_thread/..._mmap_events do. Processes that vanish meanwhile give nothing.
 */
export function synthesizeProcess(pid: number, attr: PerfEventAttr, threads?: readonly number[], dataMaps = false): Uint8Array[] {
  const out: Uint8Array[] = [];
  try {
    const tids = threads ?? readThreads(pid);
    for (const tid of tids) {
      let comm: string;
      try { comm = readComm(pid, tid); } catch { continue; }
      out.push(encodeComm({ pid, tid, comm }, attr));
    }
    for (const m of readMaps(pid)) {
      const exec = m.perms[2] === 'x';
      const isFile = m.path.startsWith('/');
      if (!exec && !(dataMaps && isFile)) continue;
      if (!isFile && m.path !== '[vdso]') continue;
      const prot = (m.perms[0] === 'r' ? PROT_READ : 0) | (m.perms[1] === 'w' ? PROT_WRITE : 0) | (m.perms[2] === 'x' ? PROT_EXEC : 0);
      out.push(encodeMmap2({
        pid, tid: pid, addr: m.start, len: m.end - m.start, pgoff: m.pgoff, maj: m.major, min: m.minor,
        ino: BigInt(m.inode), inoGeneration: 0n, prot, flags: m.perms[3] === 's' ? MAP_SHARED : MAP_PRIVATE,
        filename: m.path.replace(/ \(deleted\)$/, ''), misc: Misc.USER | (exec ? 0 : Misc.MMAP_DATA),
      }, attr));
    }
  } catch {
    // the process exited while we read it
  }
  return out;
}
