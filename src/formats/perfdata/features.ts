// perf.data feature sections (the `adds_features` bitmap's payloads), decoded and encoded.
// Source: tools/perf/util/header.c of perf 6.1 (write_* / process_* per feature). Each section is
// written in the file's byte order; in pipe mode the same bytes travel inside
// PERF_RECORD_HEADER_FEATURE records (struct perf_record_header_feature { header; u64 feat_id; data }).
//
// Building blocks shared by many sections:
//   perf string: u32 len (strlen+1 rounded up to NAME_ALIGN = 64); char str[len] (NUL-padded)
//   bitmap:      u64 nbits; u64 words[(nbits+63)/64]
import { Reader } from '../../util/reader.js';
import { FormatError } from '../../util/errors.js';
import { Feature, FEATURE_NAMES } from './constants.js';
import { decodeAttr, encodeAttr, type PerfEventAttr } from './attr.js';
import { decodeTracingData, encodeTracingData, type TracingData } from './tracing-data.js';

/** Alignment of perf strings and build-id filenames (NAME_ALIGN in header.h). */
export const NAME_ALIGN = 64;
/** PERF_RECORD_MISC_BUILD_ID_SIZE: the build_id_event's size byte is valid (perf ≥ 5.12). */
export const PERF_RECORD_MISC_BUILD_ID_SIZE = 1 << 15;
/** enum perf_compress_type. */
export const PERF_COMP_ZSTD = 1;

export interface FeatureContext {
  littleEndian: boolean;
  /** File name, for error messages. */
  file?: string;
  /** Absolute offset of the section's first byte, for error messages. */
  fileOffset?: number;
  /** The file's attrs (not needed by any decoder today; accepted for symmetry with the reader). */
  attrs?: readonly PerfEventAttr[];
  /**
   * NRCPUS' nr_cpus_avail: CPU_TOPOLOGY's per-CPU arrays have this many entries (perf's
   * process_cpu_topology uses env->nr_cpus_avail). When absent, the count is inferred from the size.
   */
  nrCpusAvail?: number;
}

// ---- typed values ---------------------------------------------------------------------------

/** struct perf_record_header_build_id: { perf_event_header header; pid_t pid; u8 build_id[24] | { u8 data[20]; u8 size; u8 reserved[3] }; char filename[] } */
export interface BuildIdEntry {
  /** header.misc: cpumode bits, PERF_RECORD_MISC_BUILD_ID_SIZE. */
  misc: number;
  pid: number;
  /** The build-id bytes: `size` bytes when misc has BUILD_ID_SIZE, else the 20-byte field. */
  buildId: Uint8Array;
  filename: string;
}

export interface CpuTopologyCpu { coreId: number; socketId: number; dieId?: number }
/** HEADER_CPU_TOPOLOGY. The trailing parts are optional, as old perf versions stop earlier. */
export interface CpuTopology {
  /** package_cpus_list: printed as "sibling sockets". */
  coreSiblings: string[];
  /** core_cpus_list: printed as "sibling threads". */
  threadSiblings: string[];
  /** Per CPU core and socket ids (absent in very old files). Die ids only when dieSiblings is present. */
  cpus?: CpuTopologyCpu[];
  /** die_cpus_list (perf ≥ 5.2). */
  dieSiblings?: string[];
}

export interface NumaNode { node: number; memTotal: bigint; memFree: bigint; cpus: string }
export interface PmuMapping { type: number; name: string }
export interface GroupDesc { name: string; leaderIdx: number; nrMembers: number }
export interface CacheLevel {
  level: number; lineSize: number; sets: number; ways: number; type: string; size: string; map: string;
}
export interface MemoryNode {
  node: number;
  /** Number of bits in the bitmap (memory block indexes). */
  bits: number;
  /** The bitmap's u64 words. */
  words: bigint[];
}
export interface MemTopology { version: bigint; blockSize: bigint; nodes: MemoryNode[] }
export interface ClockData { version: number; clockid: number; todNs: bigint; clockidNs: bigint }
export interface Compressed { version: number; type: number; level: number; ratio: number; mmapLen: number }
export interface PmuCap { name: string; value: string }
export interface PmuCaps { caps: PmuCap[]; pmuName: string }
export interface HybridNode { pmuName: string; cpus: string }
/** struct perf_bpil header + bpf_prog_info bytes + the arrays' data, kept raw. */
export interface BpfProgInfo { infoLen: number; dataLen: number; arrays: bigint; info: Uint8Array; data: Uint8Array }
export interface BpfBtf { id: number; data: Uint8Array }
export interface AuxtraceIndexEntry { fileOffset: bigint; size: bigint }
export interface EventDescEntry { attr: PerfEventAttr; name: string; ids: bigint[] }
export interface EventDesc {
  /** The on-file sizeof(perf_event_attr) each attr slot takes. */
  attrSize: number;
  events: EventDescEntry[];
}
export interface NrCpus { nrCpusAvailable: number; nrCpusOnline: number }
export interface SampleTime { first: bigint; last: bigint }
/** A feature this code does not know (or HEADER_RESERVED): its bytes, untouched. */
export interface RawFeature { raw: Uint8Array }
export type EmptyFeature = Record<string, never>;

/** The decoded value of each feature id. */
export interface FeatureValueMap {
  [Feature.TRACING_DATA]: TracingData;
  [Feature.BUILD_ID]: BuildIdEntry[];
  [Feature.HOSTNAME]: string;
  [Feature.OSRELEASE]: string;
  [Feature.VERSION]: string;
  [Feature.ARCH]: string;
  [Feature.NRCPUS]: NrCpus;
  [Feature.CPUDESC]: string;
  [Feature.CPUID]: string;
  /** kB, as /proc/meminfo's MemTotal. */
  [Feature.TOTAL_MEM]: bigint;
  /** argv: the perf binary's path, then the arguments. */
  [Feature.CMDLINE]: string[];
  [Feature.EVENT_DESC]: EventDesc;
  [Feature.CPU_TOPOLOGY]: CpuTopology;
  [Feature.NUMA_TOPOLOGY]: NumaNode[];
  [Feature.BRANCH_STACK]: EmptyFeature;
  [Feature.PMU_MAPPINGS]: PmuMapping[];
  [Feature.GROUP_DESC]: GroupDesc[];
  [Feature.AUXTRACE]: AuxtraceIndexEntry[];
  [Feature.STAT]: EmptyFeature;
  [Feature.CACHE]: { version: number; caches: CacheLevel[] };
  [Feature.SAMPLE_TIME]: SampleTime;
  [Feature.MEM_TOPOLOGY]: MemTopology;
  /** clockid_res_ns. */
  [Feature.CLOCKID]: bigint;
  /** perf_data's dir.version. */
  [Feature.DIR_FORMAT]: bigint;
  [Feature.BPF_PROG_INFO]: BpfProgInfo[];
  [Feature.BPF_BTF]: BpfBtf[];
  [Feature.COMPRESSED]: Compressed;
  [Feature.CPU_PMU_CAPS]: PmuCap[];
  [Feature.CLOCK_DATA]: ClockData;
  [Feature.HYBRID_TOPOLOGY]: HybridNode[];
  [Feature.PMU_CAPS]: PmuCaps[];
}
export type FeatureValue<F extends number> = F extends keyof FeatureValueMap ? FeatureValueMap[F] : RawFeature;

export function featureName(id: number): string { return FEATURE_NAMES[id] ?? `feature ${id}`; }

// ---- decoding -------------------------------------------------------------------------------

/** Reads a perf string (u32 len; char[len], NUL-padded). */
export function readPerfString(r: Reader, what = 'perf string'): string {
  const len = r.u32(`${what} length`);
  return r.fixedString(len, what);
}

function list<T>(r: Reader, n: number, what: string, item: () => T): T[] {
  // Every item takes at least 4 bytes: refuse counts the section cannot hold before allocating.
  if (n * 4 > r.remaining) r.fail(`${n} ${what} (at least ${n * 4} bytes)`, `${r.remaining} bytes left`, r.pos - 4);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item());
  return out;
}

/**
 * Decodes one feature section's bytes into its typed value. Unknown ids give `{ raw }`.
 * Malformed bytes throw FormatError at the absolute offset (ctx.fileOffset + position).
 */
export function decodeFeature<F extends number>(id: F, bytes: Uint8Array, ctx: FeatureContext): FeatureValue<F>;
export function decodeFeature(id: number, bytes: Uint8Array, ctx: FeatureContext): unknown {
  const r = new Reader(bytes, ctx.fileOffset ?? 0, ctx.file ?? '<bytes>', ctx.littleEndian);
  const name = featureName(id);
  switch (id) {
    case Feature.TRACING_DATA:
      return decodeTracingData(bytes, { file: ctx.file, fileOffset: ctx.fileOffset });
    case Feature.BUILD_ID:
      return decodeBuildIds(r);
    case Feature.HOSTNAME: case Feature.OSRELEASE: case Feature.VERSION: case Feature.ARCH:
    case Feature.CPUDESC: case Feature.CPUID:
      return readPerfString(r, name);
    case Feature.NRCPUS:
      return { nrCpusAvailable: r.u32('nr_cpus_avail'), nrCpusOnline: r.u32('nr_cpus_online') };
    case Feature.TOTAL_MEM:
      return r.u64('total_mem');
    case Feature.CMDLINE: {
      const nr = r.u32('cmdline nr');
      return list(r, nr, 'cmdline strings', () => readPerfString(r, 'cmdline argument'));
    }
    case Feature.EVENT_DESC: {
      const nre = r.u32('EVENT_DESC nr events');
      const attrSize = r.u32('EVENT_DESC attr size');
      if (attrSize < 64) r.fail('an attr size of at least 64', String(attrSize), r.pos - 4);
      const events = list(r, nre, 'event descriptions', () => {
        const attr = decodeAttr(r, attrSize);
        const nrIds = r.u32('event nr_ids');
        const evName = readPerfString(r, 'event name');
        if (nrIds * 8 > r.remaining) r.fail(`${nrIds} event ids`, `${r.remaining} bytes left`);
        const ids: bigint[] = [];
        for (let i = 0; i < nrIds; i++) ids.push(r.u64('event id'));
        return { attr, name: evName, ids };
      });
      return { attrSize, events };
    }
    case Feature.CPU_TOPOLOGY:
      return decodeCpuTopology(r, ctx.nrCpusAvail);
    case Feature.NUMA_TOPOLOGY: {
      const nr = r.u32('numa nr nodes');
      return list(r, nr, 'numa nodes', () => ({
        node: r.u32('numa node'), memTotal: r.u64('numa mem_total'), memFree: r.u64('numa mem_free'),
        cpus: readPerfString(r, 'numa cpu list'),
      }));
    }
    case Feature.PMU_MAPPINGS: {
      const nr = r.u32('pmu_num');
      return list(r, nr, 'pmu mappings', () => ({ type: r.u32('pmu type'), name: readPerfString(r, 'pmu name') }));
    }
    case Feature.GROUP_DESC: {
      const nr = r.u32('nr_groups');
      return list(r, nr, 'group descriptions', () => ({
        name: readPerfString(r, 'group name'), leaderIdx: r.u32('leader_idx'), nrMembers: r.u32('nr_members'),
      }));
    }
    case Feature.AUXTRACE: {
      const nr = r.u64n('auxtrace index nr');
      if (nr * 16 > r.remaining) r.fail(`${nr} auxtrace index entries`, `${r.remaining} bytes left`, r.pos - 8);
      const out: AuxtraceIndexEntry[] = [];
      for (let i = 0; i < nr; i++) out.push({ fileOffset: r.u64('auxtrace file_offset'), size: r.u64('auxtrace sz') });
      return out;
    }
    case Feature.BRANCH_STACK: case Feature.STAT:
      return {};
    case Feature.CACHE: {
      const version = r.u32('CACHE version');
      if (version !== 1) r.fail('CACHE version 1', String(version), r.pos - 4);
      const cnt = r.u32('CACHE count');
      const caches = list(r, cnt, 'cache levels', () => ({
        level: r.u32('cache level'), lineSize: r.u32('cache line_size'), sets: r.u32('cache sets'),
        ways: r.u32('cache ways'), type: readPerfString(r, 'cache type'), size: readPerfString(r, 'cache size'),
        map: readPerfString(r, 'cache map'),
      }));
      return { version, caches };
    }
    case Feature.SAMPLE_TIME:
      return { first: r.u64('first_sample_time'), last: r.u64('last_sample_time') };
    case Feature.MEM_TOPOLOGY: {
      const version = r.u64('MEM_TOPOLOGY version');
      if (version !== 1n) r.fail('MEM_TOPOLOGY version 1', String(version), r.pos - 8);
      const blockSize = r.u64('block size');
      const nr = r.u64n('memory nodes nr');
      if (nr * 24 > r.remaining) r.fail(`${nr} memory nodes`, `${r.remaining} bytes left`, r.pos - 8);
      const nodes: MemoryNode[] = [];
      for (let i = 0; i < nr; i++) {
        const node = r.u64n('memory node');
        r.u64n('memory node size'); // n->size, repeated as the bitmap's own size below
        const bits = r.u64n('bitmap size');
        const nw = Math.ceil(bits / 64);
        if (nw * 8 > r.remaining) r.fail(`a bitmap of ${bits} bits`, `${r.remaining} bytes left`);
        const words: bigint[] = [];
        for (let w = 0; w < nw; w++) words.push(r.u64('bitmap word'));
        nodes.push({ node, bits, words });
      }
      return { version, blockSize, nodes };
    }
    case Feature.CLOCKID:
      return r.u64('clockid_res_ns');
    case Feature.DIR_FORMAT:
      return r.u64('dir format version');
    case Feature.CLOCK_DATA: {
      const version = r.u32('CLOCK_DATA version');
      if (version !== 1) r.fail('CLOCK_DATA version 1', String(version), r.pos - 4);
      return { version, clockid: r.u32('clockid'), todNs: r.u64('tod_ns'), clockidNs: r.u64('clockid_ns') };
    }
    case Feature.COMPRESSED:
      return {
        version: r.u32('comp_ver'), type: r.u32('comp_type'), level: r.u32('comp_level'),
        ratio: r.u32('comp_ratio'), mmapLen: r.u32('comp_mmap_len'),
      };
    case Feature.CPU_PMU_CAPS:
      return readPmuCaps(r);
    case Feature.PMU_CAPS: {
      const nr = r.u32('nr_pmu');
      return list(r, nr, 'pmus with caps', () => ({ caps: readPmuCaps(r), pmuName: readPerfString(r, 'pmu name') }));
    }
    case Feature.HYBRID_TOPOLOGY: {
      const nr = r.u32('hybrid nr nodes');
      return list(r, nr, 'hybrid nodes', () => ({ pmuName: readPerfString(r, 'pmu name'), cpus: readPerfString(r, 'cpus') }));
    }
    case Feature.BPF_PROG_INFO: {
      const count = r.u32('bpf prog count');
      return list(r, count, 'bpf prog infos', () => {
        const infoLen = r.u32('info_len');
        const dataLen = r.u32('data_len');
        const arrays = r.u64('arrays');
        return { infoLen, dataLen, arrays, info: r.bytesN(infoLen, 'bpf_prog_info').slice(), data: r.bytesN(dataLen, 'bpf prog data').slice() };
      });
    }
    case Feature.BPF_BTF: {
      const count = r.u32('btf count');
      return list(r, count, 'btfs', () => {
        const btfId = r.u32('btf id');
        const size = r.u32('btf data_size');
        return { id: btfId, data: r.bytesN(size, 'btf data').slice() };
      });
    }
    default:
      return { raw: bytes.slice() };
  }
}

function readPmuCaps(r: Reader): PmuCap[] {
  const nr = r.u32('nr_pmu_caps');
  return list(r, nr, 'pmu caps', () => ({ name: readPerfString(r, 'cap name'), value: readPerfString(r, 'cap value') }));
}

// perf_header__read_build_ids, including the a1645ce1 ABI quirk: records without the pid field,
// recognised by the kernel's "[kernel.kallsyms]" name losing its first 4 characters to the pid.
const BUILD_ID_EVENT_SIZE = 36; // header 8 + pid 4 + build_id 24
function decodeBuildIds(r: Reader): BuildIdEntry[] {
  const out: BuildIdEntry[] = [];
  const start = r.pos;
  while (r.remaining > 0) {
    const recStart = r.pos;
    r.u32('build_id_event type');
    const misc = r.u16('build_id_event misc');
    const size = r.u16('build_id_event size');
    if (size < BUILD_ID_EVENT_SIZE || recStart + size > r.length) r.fail(`a build_id_event size between ${BUILD_ID_EVENT_SIZE} and the section end`, String(size), recStart + 6);
    const pid = r.i32('pid');
    const raw = r.bytesN(24, 'build_id');
    const filename = r.fixedString(size - BUILD_ID_EVENT_SIZE, 'build-id filename');
    if (out.length === 0 && filename.startsWith('nel.kallsyms]')) {
      r.seek(start);
      return decodeBuildIdsOld(r);
    }
    const n = misc & PERF_RECORD_MISC_BUILD_ID_SIZE ? Math.min(raw[20], 20) : 20;
    out.push({ misc, pid, buildId: raw.slice(0, n), filename });
  }
  return out;
}

/** Old build_id_event (before pid): { header; u8 build_id[24]; char filename[] }. pid as perf fills it. */
function decodeBuildIdsOld(r: Reader): BuildIdEntry[] {
  const out: BuildIdEntry[] = [];
  while (r.remaining > 0) {
    const recStart = r.pos;
    r.u32('build_id_event type');
    const misc = r.u16('build_id_event misc');
    const size = r.u16('build_id_event size');
    if (size < 32 || recStart + size > r.length) r.fail('an old build_id_event size between 32 and the section end', String(size), recStart + 6);
    const raw = r.bytesN(24, 'build_id');
    const filename = r.fixedString(size - 32, 'build-id filename');
    // HOST_KERNEL_ID = -1, DEFAULT_GUEST_KERNEL_ID = 0 (machine.h)
    const pid = misc === 5 || misc === 4 ? 0 : -1;
    out.push({ misc, pid, buildId: raw.slice(0, 20), filename });
  }
  return out;
}

// process_cpu_topology: the section may stop after the sibling lists (old perf) or after the
// per-CPU core/socket ids (before die support); perf compares the bytes consumed with the size.
function decodeCpuTopology(r: Reader, nrCpusAvail: number | undefined): CpuTopology {
  const readLists = (what: string) => {
    const nr = r.u32(`${what} count`);
    return list(r, nr, what, () => readPerfString(r, what));
  };
  const coreSiblings = readLists('sibling cores');
  const threadSiblings = readLists('sibling threads');
  const topo: CpuTopology = { coreSiblings, threadSiblings };
  if (r.remaining === 0) return topo;
  const afterLists = r.pos;
  const tryCount = (n: number, strict: boolean): CpuTopology | undefined => {
    r.seek(afterLists);
    if (r.remaining < n * 8) { if (strict) r.need(n * 8, `core and socket ids of ${n} CPUs`); return undefined; }
    const cpus: CpuTopologyCpu[] = [];
    for (let i = 0; i < n; i++) cpus.push({ coreId: r.u32('core_id'), socketId: r.u32('socket_id') });
    if (r.remaining === 0) return { ...topo, cpus };
    try {
      const dieSiblings = readLists('sibling dies');
      for (let i = 0; i < n; i++) cpus[i].dieId = r.u32('die_id');
      // Guessing the CPU count: the die part must end the section and hold CPU lists.
      if (!strict && (r.remaining !== 0 || !dieSiblings.every((s) => /^[0-9][0-9,-]*$/.test(s)))) return undefined;
      return { ...topo, cpus, dieSiblings };
    } catch (e) {
      if (strict || !(e instanceof FormatError)) throw e;
      return undefined;
    }
  };
  if (nrCpusAvail !== undefined) return tryCount(nrCpusAvail, true)!;
  for (let n = 1; n * 8 <= r.length - afterLists; n++) {
    const t = tryCount(n, false);
    if (t) return t;
  }
  return tryCount(Math.floor((r.length - afterLists) / 8), true)!;
}

// ---- encoding -------------------------------------------------------------------------------

/** A growable little/big-endian byte writer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;
  constructor(readonly littleEndian = true) {}
  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number): this { this.grow(1); this.view.setUint8(this.length, v); this.length += 1; return this; }
  u16(v: number): this { this.grow(2); this.view.setUint16(this.length, v, this.littleEndian); this.length += 2; return this; }
  u32(v: number): this { this.grow(4); this.view.setUint32(this.length, v >>> 0, this.littleEndian); this.length += 4; return this; }
  i32(v: number): this { this.grow(4); this.view.setInt32(this.length, v, this.littleEndian); this.length += 4; return this; }
  u64(v: bigint | number): this {
    this.grow(8); this.view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), this.littleEndian); this.length += 8; return this;
  }
  bytes(b: Uint8Array): this { this.grow(b.length); this.buf.set(b, this.length); this.length += b.length; return this; }
  zeros(n: number): this { this.grow(n); this.buf.fill(0, this.length, this.length + n); this.length += n; return this; }
  /** A NUL-terminated string. */
  cstring(s: string): this { return this.bytes(utf8(s)).u8(0); }
  /** do_write_string: u32 len (strlen+1 aligned to 64), string, NUL padding. */
  perfString(s: string): this {
    const b = utf8(s);
    const len = alignUp(b.length + 1, NAME_ALIGN);
    return this.u32(len).bytes(b).zeros(len - b.length);
  }
  finish(): Uint8Array { return this.buf.slice(0, this.length); }
}

const textEncoder = new TextEncoder();
function utf8(s: string): Uint8Array { return textEncoder.encode(s); }
function alignUp(n: number, a: number): number { return Math.ceil(n / a) * a; }

/** Encodes a feature value into section bytes as perf writes them (write_* in header.c). */
export function encodeFeature<F extends number>(id: F, value: FeatureValue<F>, littleEndian = true): Uint8Array {
  const w = new ByteWriter(littleEndian);
  const v = value as unknown;
  switch (id as number) {
    case Feature.TRACING_DATA:
      return encodeTracingData(v as TracingData);
    case Feature.BUILD_ID:
      for (const e of v as BuildIdEntry[]) {
        const name = utf8(e.filename);
        const len = alignUp(name.length + 1, NAME_ALIGN);
        // perf_session__write_buildid_table leaves header.type 0
        w.u32(0).u16(e.misc).u16(BUILD_ID_EVENT_SIZE + len).i32(e.pid);
        const id24 = new Uint8Array(24);
        id24.set(e.buildId.subarray(0, 20));
        if (e.misc & PERF_RECORD_MISC_BUILD_ID_SIZE) id24[20] = e.buildId.length;
        w.bytes(id24).bytes(name).zeros(len - name.length);
      }
      break;
    case Feature.HOSTNAME: case Feature.OSRELEASE: case Feature.VERSION: case Feature.ARCH:
    case Feature.CPUDESC: case Feature.CPUID:
      w.perfString(v as string);
      break;
    case Feature.NRCPUS: { const n = v as NrCpus; w.u32(n.nrCpusAvailable).u32(n.nrCpusOnline); break; }
    case Feature.TOTAL_MEM: case Feature.CLOCKID: case Feature.DIR_FORMAT:
      w.u64(v as bigint);
      break;
    case Feature.CMDLINE: {
      const argv = v as string[];
      w.u32(argv.length);
      for (const a of argv) w.perfString(a);
      break;
    }
    case Feature.EVENT_DESC: {
      const d = v as EventDesc;
      w.u32(d.events.length).u32(d.attrSize);
      for (const e of d.events) {
        w.bytes(encodeAttr(e.attr, d.attrSize, littleEndian)).u32(e.ids.length).perfString(e.name);
        for (const x of e.ids) w.u64(x);
      }
      break;
    }
    case Feature.CPU_TOPOLOGY: {
      const t = v as CpuTopology;
      w.u32(t.coreSiblings.length); for (const s of t.coreSiblings) w.perfString(s);
      w.u32(t.threadSiblings.length); for (const s of t.threadSiblings) w.perfString(s);
      if (t.cpus) {
        for (const c of t.cpus) w.u32(c.coreId).u32(c.socketId);
        if (t.dieSiblings) {
          w.u32(t.dieSiblings.length); for (const s of t.dieSiblings) w.perfString(s);
          for (const c of t.cpus) w.u32(c.dieId ?? 0);
        }
      }
      break;
    }
    case Feature.NUMA_TOPOLOGY: {
      const nodes = v as NumaNode[];
      w.u32(nodes.length);
      for (const n of nodes) w.u32(n.node).u64(n.memTotal).u64(n.memFree).perfString(n.cpus);
      break;
    }
    case Feature.PMU_MAPPINGS: {
      const m = v as PmuMapping[];
      w.u32(m.length);
      for (const p of m) w.u32(p.type).perfString(p.name);
      break;
    }
    case Feature.GROUP_DESC: {
      const g = v as GroupDesc[];
      w.u32(g.length);
      for (const d of g) w.perfString(d.name).u32(d.leaderIdx).u32(d.nrMembers);
      break;
    }
    case Feature.AUXTRACE: {
      const ents = v as AuxtraceIndexEntry[];
      w.u64(ents.length);
      for (const e of ents) w.u64(e.fileOffset).u64(e.size);
      break;
    }
    case Feature.BRANCH_STACK: case Feature.STAT:
      break;
    case Feature.CACHE: {
      const c = v as FeatureValueMap[Feature.CACHE];
      w.u32(c.version).u32(c.caches.length);
      for (const l of c.caches) w.u32(l.level).u32(l.lineSize).u32(l.sets).u32(l.ways).perfString(l.type).perfString(l.size).perfString(l.map);
      break;
    }
    case Feature.SAMPLE_TIME: { const t = v as SampleTime; w.u64(t.first).u64(t.last); break; }
    case Feature.MEM_TOPOLOGY: {
      const m = v as MemTopology;
      w.u64(m.version).u64(m.blockSize).u64(m.nodes.length);
      for (const n of m.nodes) {
        w.u64(n.node).u64(n.bits).u64(n.bits);
        for (let i = 0; i < Math.ceil(n.bits / 64); i++) w.u64(n.words[i] ?? 0n);
      }
      break;
    }
    case Feature.CLOCK_DATA: { const c = v as ClockData; w.u32(c.version).u32(c.clockid).u64(c.todNs).u64(c.clockidNs); break; }
    case Feature.COMPRESSED: { const c = v as Compressed; w.u32(c.version).u32(c.type).u32(c.level).u32(c.ratio).u32(c.mmapLen); break; }
    case Feature.CPU_PMU_CAPS: writePmuCaps(w, v as PmuCap[]); break;
    case Feature.PMU_CAPS: {
      const p = v as PmuCaps[];
      w.u32(p.length);
      for (const x of p) { writePmuCaps(w, x.caps); w.perfString(x.pmuName); }
      break;
    }
    case Feature.HYBRID_TOPOLOGY: {
      const h = v as HybridNode[];
      w.u32(h.length);
      for (const n of h) w.perfString(n.pmuName).perfString(n.cpus);
      break;
    }
    case Feature.BPF_PROG_INFO: {
      const p = v as BpfProgInfo[];
      w.u32(p.length);
      for (const x of p) w.u32(x.info.length).u32(x.data.length).u64(x.arrays).bytes(x.info).bytes(x.data);
      break;
    }
    case Feature.BPF_BTF: {
      const b = v as BpfBtf[];
      w.u32(b.length);
      for (const x of b) w.u32(x.id).u32(x.data.length).bytes(x.data);
      break;
    }
    default:
      return (v as RawFeature).raw.slice();
  }
  return w.finish();
}

function writePmuCaps(w: ByteWriter, caps: PmuCap[]): void {
  w.u32(caps.length);
  for (const c of caps) w.perfString(c.name).perfString(c.value);
}
