// The `# key : value` lines `perf report --header-only` prints (perf 6.1: perf_session__fprintf_info,
// perf_header__fprintf_info and the print_* functions of tools/perf/util/header.c; pipe mode:
// perf_event__process_feature, which prints each HEADER_FEATURE record as it is processed).
//
// `perf report --header` prints exactly these lines and then the report (which begins with "#").
import { decodeFeature, featureName, type FeatureValueMap, type EventDescEntry } from '../formats/perfdata/features.js';
import { Feature, FEATURE_NAMES } from '../formats/perfdata/constants.js';
import { hasFlag, preciseIp, type PerfEventAttr, type AttrFlagName } from '../formats/perfdata/attr.js';
import { FormatError } from '../util/errors.js';
import type { PerfDataFile } from '../formats/perfdata/reader.js';

/** What headerLines needs, independent of the reader's own types. */
export interface HeaderInput {
  /** Pipe-mode stream (perf_pipe_file_header) rather than a perf.data file. */
  pipe: boolean;
  /** The file's modification time (perf prints fstat's st_mtime with ctime(3), in local time). */
  capturedOn: Date | number;
  /** perf_header.version: 1 for "PERFILE2" files and streams, 0 for legacy "PERFFILE". Default 1. */
  headerVersion?: number;
  /** perf_file_header.data.offset and .size (both 0 in pipe mode). feat offset = their sum. */
  dataOffset: number;
  dataSize: number;
  littleEndian?: boolean;
  file?: string;
  /**
   * Feature payloads. File mode: one per set bit of adds_features, in bit order. Pipe mode: the
   * HEADER_FEATURE records' payloads in stream order.
   */
  features: { id: number; bytes: Uint8Array; fileOffset?: number }[];
  /** The set bits of adds_features (file mode), for "# missing features"; defaults to the feature ids. */
  featureBits?: number[];
}

/**
 * The HeaderInput of an open perf.data file or stream. `capturedOn` is the input's mtime (the
 * caller stats the file; perf prints the fstat of its input fd, 1970 for a real pipe).
 */
export function headerInputOf(pf: PerfDataFile, capturedOn: Date | number): HeaderInput {
  const h = pf.header;
  const ids = [...pf.features.keys()];
  if (!h.pipe) ids.sort((a, b) => a - b);
  return {
    pipe: h.pipe, capturedOn, littleEndian: h.littleEndian, file: pf.name,
    dataOffset: h.pipe ? 0 : h.data.offset, dataSize: h.pipe ? 0 : h.data.size,
    features: ids.map((id) => ({ id, bytes: pf.readFeature(id) ?? new Uint8Array(0), fileOffset: pf.features.get(id)?.offset })),
    featureBits: h.pipe ? undefined : h.features,
  };
}

export interface HeaderOptions {
  /** `-I` / `--header-only -I`: print the full_only features instead of "info available". */
  full?: boolean;
}

/** perf 6.1's feat_ops[].full_only features. */
const FULL_ONLY = new Set<number>([Feature.CPU_TOPOLOGY, Feature.NUMA_TOPOLOGY, Feature.CACHE, Feature.MEM_TOPOLOGY, Feature.HYBRID_TOPOLOGY]);
/** perf 6.1's HEADER_LAST_FEATURE. */
const LAST_FEATURE = 32;

/** The lines perf prints for `perf report --header-only [-I]`, without trailing newlines. */
export function headerLines(input: HeaderInput, opts: HeaderOptions = {}): string[] {
  return headerText(input, opts).replace(/\n$/, '').split('\n');
}

/** The exact text perf prints for `perf report --header-only [-I]`. */
export function headerText(input: HeaderInput, opts: HeaderOptions = {}): string {
  const full = !!opts.full;
  const le = input.littleEndian ?? true;
  // perf first processes every section (building perf_env), then prints; pipe mode does both per record.
  const env = new Env();
  let out = '# ========\n';
  out += `# captured on    : ${ctime(input.capturedOn)}\n`;
  out += `# header version : ${input.headerVersion ?? 1}\n`;
  out += `# data offset    : ${input.dataOffset}\n`;
  out += `# data size      : ${input.dataSize}\n`;
  out += `# feat offset    : ${input.dataOffset + input.dataSize}\n`;
  const decode = (f: HeaderInput['features'][number]) => {
    try {
      return decodeFeature(f.id, f.bytes, { littleEndian: le, file: input.file, fileOffset: f.fileOffset, nrCpusAvail: env.nrCpus?.nrCpusAvailable });
    } catch (e) {
      if (e instanceof FormatError) return undefined; // perf's process_* fails and the print shows what env holds
      throw e;
    }
  };
  if (!input.pipe) {
    const values = new Map<number, unknown>();
    // NRCPUS first: CPU_TOPOLOGY's per-CPU arrays depend on it, as in perf's bit-order processing
    for (const f of [...input.features].sort((a, b) => a.id - b.id)) {
      const v = decode(f);
      if (v !== undefined) { values.set(f.id, v); env.add(f.id, v); }
    }
    for (const f of input.features) {
      if (f.id >= LAST_FEATURE || !PRINTERS[f.id]) continue;
      if (FULL_ONLY.has(f.id) && !full) out += `# ${featureName(f.id)} info available, use -I to display\n`;
      else out += PRINTERS[f.id]!(env, values.get(f.id));
    }
    out += '# missing features: ';
    const bits = new Set(input.featureBits ?? input.features.map((f) => f.id));
    for (let b = 1; b < LAST_FEATURE; b++) if (!bits.has(b)) out += `${FEATURE_NAMES[b]} `;
    out += '\n';
    out += '# ========\n#\n';
    return out;
  }
  out += '# ========\n#\n';
  for (const f of input.features) {
    if (f.id === 0 || f.id >= LAST_FEATURE) continue; // perf: "invalid record type" and stops
    const v = decode(f);
    if (v === undefined) continue;
    env.add(f.id, v);
    if (FULL_ONLY.has(f.id) && !full) { out += `# ${featureName(f.id)} info available, use -I to display\n`; continue; }
    const p = PRINTERS[f.id];
    out += p ? p(env, v) : `# ${featureName(f.id)}`;
  }
  return out;
}

/** The parts of perf_env the print functions read. */
class Env {
  nrCpus?: FeatureValueMap[Feature.NRCPUS];
  events?: EventDescEntry[];
  add(id: number, v: unknown): void {
    if (id === Feature.NRCPUS) this.nrCpus = v as FeatureValueMap[Feature.NRCPUS];
    if (id === Feature.EVENT_DESC) this.events = (v as FeatureValueMap[Feature.EVENT_DESC]).events;
  }
}

type Printer = (env: Env, v: any) => string; // eslint-disable-line @typescript-eslint/no-explicit-any

const str = (key: string) => (_: Env, v: string | undefined) => `# ${key} : ${v ?? '(null)'}\n`;

const PRINTERS: Partial<Record<number, Printer>> = {
  [Feature.HOSTNAME]: str('hostname'),
  [Feature.OSRELEASE]: str('os release'),
  [Feature.VERSION]: str('perf version'),
  [Feature.ARCH]: str('arch'),
  [Feature.CPUDESC]: str('cpudesc'),
  [Feature.CPUID]: str('cpuid'),
  [Feature.NRCPUS]: (env) => `# nrcpus online : ${env.nrCpus?.nrCpusOnline ?? 0}\n# nrcpus avail : ${env.nrCpus?.nrCpusAvailable ?? 0}\n`,
  [Feature.TOTAL_MEM]: (_, v: bigint | undefined) => `# total memory : ${v ?? 0n} kB\n`,
  [Feature.CMDLINE]: (_, v: string[] | undefined) => `# cmdline : ${(v ?? []).map((a) => `${a.split("'").join("\\'")} `).join('')}\n`,
  [Feature.EVENT_DESC]: (_, v: FeatureValueMap[Feature.EVENT_DESC] | undefined) => {
    if (!v) return '# event desc: not available or unable to read\n';
    let s = '';
    for (const e of v.events) {
      if (!e.attr.size) break; // perf's list ends at the first attr with size 0
      s += `# event : name = ${e.name}, `;
      if (e.ids.length) s += `, id = {${e.ids.map((x) => ` ${x}`).join(',')} }`;
      s += attrFields(e.attr).map(([k, val]) => `, ${k} = ${val}`).join('');
      s += '\n';
    }
    return s;
  },
  [Feature.CPU_TOPOLOGY]: (env, t: FeatureValueMap[Feature.CPU_TOPOLOGY] | undefined) => {
    const topo = t ?? { coreSiblings: [], threadSiblings: [] };
    let s = '';
    for (const x of topo.coreSiblings) s += `# sibling sockets : ${x}\n`;
    const dies = topo.dieSiblings?.length ? topo.dieSiblings : undefined;
    if (dies) for (const x of dies) s += `# sibling dies    : ${x}\n`;
    for (const x of topo.threadSiblings) s += `# sibling threads : ${x}\n`;
    const cpus = topo.cpus;
    const n = env.nrCpus?.nrCpusAvailable ?? 0;
    if (dies) {
      if (cpus) for (let i = 0; i < n; i++) s += `# CPU ${i}: Core ID ${i32(cpus[i].coreId)}, Die ID ${i32(cpus[i].dieId ?? 0)}, Socket ID ${i32(cpus[i].socketId)}\n`;
      else s += '# Core ID, Die ID and Socket ID information is not available\n';
    } else if (cpus) {
      for (let i = 0; i < n; i++) s += `# CPU ${i}: Core ID ${i32(cpus[i].coreId)}, Socket ID ${i32(cpus[i].socketId)}\n`;
    } else s += '# Core ID and Socket ID information is not available\n';
    return s;
  },
  [Feature.NUMA_TOPOLOGY]: (_, v: FeatureValueMap[Feature.NUMA_TOPOLOGY] | undefined) =>
    (v ?? []).map((n) => `# node${n.node} meminfo  : total = ${n.memTotal} kB, free = ${n.memFree} kB\n# node${n.node} cpu list : ${cpuListString(parseCpuList(n.cpus))}\n`).join(''),
  [Feature.PMU_MAPPINGS]: (_, v: FeatureValueMap[Feature.PMU_MAPPINGS] | undefined) =>
    v && v.length ? `# pmu mappings: ${v.map((p) => `${p.name} = ${p.type}`).join(', ')}\n` : '# pmu mappings: not available\n',
  [Feature.GROUP_DESC]: (env, v: FeatureValueMap[Feature.GROUP_DESC] | undefined) => {
    const events = env.events ?? [];
    let s = '';
    let nr = 0, g = 0;
    for (let idx = 0; idx < events.length; idx++) {
      const d = v?.[g];
      if (d && d.leaderIdx === idx && d.nrMembers > 1) {
        s += `# group: ${d.name === '{anon_group}' ? '' : d.name}{${events[idx].name}`;
        nr = d.nrMembers - 1;
        g++;
      } else if (nr) {
        s += `,${events[idx].name}`;
        if (--nr === 0) s += '}\n';
      }
    }
    return s;
  },
  [Feature.BRANCH_STACK]: () => '# contains samples with branch stack\n',
  [Feature.AUXTRACE]: () => '# contains AUX area data (e.g. instruction trace)\n',
  [Feature.STAT]: () => '# contains stat data\n',
  [Feature.CACHE]: (_, v: FeatureValueMap[Feature.CACHE] | undefined) =>
    '# CPU cache info:\n' + (v?.caches ?? []).map((c) => `#  L${c.level} ${c.type.padEnd(15)} ${c.size.padStart(8)} [${c.map}]\n`).join(''),
  [Feature.SAMPLE_TIME]: (_, v: FeatureValueMap[Feature.SAMPLE_TIME] | undefined) => {
    const first = v?.first ?? 0n, last = v?.last ?? 0n;
    const d = Number(BigInt.asUintN(64, last - first)) / 1e6;
    return `# time of first sample : ${usec(first)}\n# time of last sample : ${usec(last)}\n# sample duration : ${d.toFixed(3).padStart(10)} ms\n`;
  },
  [Feature.MEM_TOPOLOGY]: (_, v: FeatureValueMap[Feature.MEM_TOPOLOGY] | undefined) => {
    const nodes = v?.nodes ?? [];
    const bsize = v?.blockSize ?? 0n;
    let s = `# memory nodes (nr ${nodes.length}, block size 0x${bsize.toString(16)}):\n`;
    for (const n of nodes) {
      const bits = bitsOf(n.words, n.bits);
      s += `#  ${String(n.node).padStart(3)} [${unitNumber(bsize * BigInt(bits.length))}]: ${rangesString(bits).slice(0, 99)}\n`;
    }
    return s;
  },
  [Feature.CLOCKID]: (_, v: bigint | undefined) => `# clockid frequency: ${BigInt.asUintN(64, (v ?? 0n) * 1000n)} MHz\n`,
  [Feature.DIR_FORMAT]: (_, v: bigint | undefined) => `# directory data version : ${v ?? 0n}\n`,
  [Feature.BPF_BTF]: (_, v: FeatureValueMap[Feature.BPF_BTF] | undefined) =>
    [...(v ?? [])].sort((a, b) => a.id - b.id).map((b) => `# btf info of id ${b.id}\n`).join(''),
  [Feature.BPF_PROG_INFO]: () => '', // TODO(bpf): __bpf_event__print_bpf_prog_info needs bpf_prog_info + BTF names
  [Feature.COMPRESSED]: (_, v: FeatureValueMap[Feature.COMPRESSED] | undefined) =>
    `# compressed : ${v?.type === 1 ? 'Zstd' : 'Unknown'}, level = ${i32(v?.level ?? 0)}, ratio = ${i32(v?.ratio ?? 0)}\n`,
  [Feature.CPU_PMU_CAPS]: (_, v: FeatureValueMap[Feature.CPU_PMU_CAPS] | undefined) => pmuCaps('cpu', v ?? []),
  [Feature.PMU_CAPS]: (_, v: FeatureValueMap[Feature.PMU_CAPS] | undefined) => (v ?? []).map((p) => pmuCaps(p.pmuName, p.caps)).join(''),
  [Feature.CLOCK_DATA]: (_, v: FeatureValueMap[Feature.CLOCK_DATA] | undefined) => {
    if (!v) return '# reference time disabled\n';
    const todSec = v.todNs / 1_000_000_000n, todUsec = (v.todNs % 1_000_000_000n) / 1000n;
    const cSec = v.clockidNs / 1_000_000_000n, cNsec = v.clockidNs % 1_000_000_000n;
    const t = new Date(Number(todSec) * 1000);
    const date = `${t.getFullYear()}-${p2(t.getMonth() + 1)}-${p2(t.getDate())} ${p2(t.getHours())}:${p2(t.getMinutes())}:${p2(t.getSeconds())}`;
    const usecStr = String(todUsec).padStart(6, '0');
    const name = clockidName(v.clockid);
    return `# clockid: ${name} (${v.clockid})\n# reference time: ${date}.${usecStr} = ${todSec}.${usecStr} (TOD) = ${cSec}.${String(cNsec).padStart(9, '0')} (${name})\n`;
  },
  [Feature.HYBRID_TOPOLOGY]: (_, v: FeatureValueMap[Feature.HYBRID_TOPOLOGY] | undefined) =>
    '# hybrid cpu system:\n' + (v ?? []).map((n) => `# ${n.pmuName} cpu list : ${n.cpus}\n`).join(''),
};

function pmuCaps(pmu: string, caps: { name: string; value: string }[]): string {
  if (!caps.length) return `# ${pmu} pmu capabilities: not available\n`;
  return `# ${pmu} pmu capabilities: ${caps.map((c) => `${c.name}=${c.value}`).join(', ')}\n`;
}

// ---- perf_event_attr__fprintf (tools/perf/util/perf_event_attr_fprintf.c, perf 6.1) -----------

const SAMPLE_TYPE_NAMES: [number, string][] = [
  [1 << 0, 'IP'], [1 << 1, 'TID'], [1 << 2, 'TIME'], [1 << 3, 'ADDR'], [1 << 4, 'READ'],
  [1 << 5, 'CALLCHAIN'], [1 << 6, 'ID'], [1 << 7, 'CPU'], [1 << 8, 'PERIOD'], [1 << 9, 'STREAM_ID'],
  [1 << 10, 'RAW'], [1 << 11, 'BRANCH_STACK'], [1 << 12, 'REGS_USER'], [1 << 13, 'STACK_USER'],
  [1 << 16, 'IDENTIFIER'], [1 << 18, 'REGS_INTR'], [1 << 15, 'DATA_SRC'], [1 << 14, 'WEIGHT'],
  [1 << 19, 'PHYS_ADDR'], [1 << 20, 'AUX'], [1 << 21, 'CGROUP'], [1 << 22, 'DATA_PAGE_SIZE'],
  [1 << 23, 'CODE_PAGE_SIZE'], [1 << 24, 'WEIGHT_STRUCT'],
];
const READ_FORMAT_NAMES: [number, string][] = [
  [1, 'TOTAL_TIME_ENABLED'], [2, 'TOTAL_TIME_RUNNING'], [4, 'ID'], [8, 'GROUP'], [16, 'LOST'],
];
const BRANCH_SAMPLE_NAMES = [
  'USER', 'KERNEL', 'HV', 'ANY', 'ANY_CALL', 'ANY_RETURN', 'IND_CALL', 'ABORT_TX', 'IN_TX', 'NO_TX',
  'COND', 'CALL_STACK', 'IND_JUMP', 'CALL', 'NO_FLAGS', 'NO_CYCLES', 'TYPE_SAVE', 'HW_INDEX', 'PRIV_SAVE',
];
const FLAG_FIELDS: AttrFlagName[] = [
  'disabled', 'inherit', 'pinned', 'exclusive', 'exclude_user', 'exclude_kernel', 'exclude_hv',
  'exclude_idle', 'mmap', 'comm', 'freq', 'inherit_stat', 'enable_on_exec', 'task', 'watermark',
];
const FLAG_FIELDS2: AttrFlagName[] = [
  'mmap_data', 'sample_id_all', 'exclude_host', 'exclude_guest', 'exclude_callchain_kernel',
  'exclude_callchain_user', 'mmap2', 'comm_exec', 'use_clockid', 'context_switch', 'write_backward',
  'namespaces', 'ksymbol', 'bpf_event', 'aux_output', 'cgroup', 'text_poke', 'build_id',
  'inherit_thread', 'remove_on_exec', 'sigtrap',
];

function bitNames(value: number, names: [number, string][]): string {
  return names.filter(([bit]) => value & bit).map(([, n]) => n).join('|');
}

/** The `name = value` pairs perf_event_attr__fprintf prints for an attr, in its order (non-zero fields only). */
export function attrFields(attr: PerfEventAttr): [string, string][] {
  const out: [string, string][] = [];
  const hex = (v: bigint) => `0x${BigInt.asUintN(64, v).toString(16)}`;
  const put = (k: string, v: bigint | number, fmt: (x: bigint) => string = (x) => String(x)) => {
    if (v) out.push([k, fmt(BigInt(v))]);
  };
  put('type', attr.type);
  put('size', attr.size);
  put('config', attr.config, hex);
  put('{ sample_period, sample_freq }', attr.samplePeriod);
  if (attr.sampleType) out.push(['sample_type', bitNames(attr.sampleType, SAMPLE_TYPE_NAMES)]);
  if (attr.readFormat) out.push(['read_format', bitNames(attr.readFormat, READ_FORMAT_NAMES)]);
  for (const f of FLAG_FIELDS) if (hasFlag(attr, f)) out.push([f, '1']);
  put('precise_ip', preciseIp(attr));
  for (const f of FLAG_FIELDS2) if (hasFlag(attr, f)) out.push([f, '1']);
  put('{ wakeup_events, wakeup_watermark }', attr.wakeupEvents);
  put('bp_type', attr.bpType);
  put('{ bp_addr, config1 }', attr.config1, hex);
  put('{ bp_len, config2 }', attr.config2, hex);
  if (attr.branchSampleType) {
    const b = attr.branchSampleType;
    out.push(['branch_sample_type', BRANCH_SAMPLE_NAMES.filter((_, i) => (b >> BigInt(i)) & 1n).join('|')]);
  }
  put('sample_regs_user', attr.sampleRegsUser, hex);
  put('sample_stack_user', attr.sampleStackUser);
  put('clockid', attr.clockid);
  put('sample_regs_intr', attr.sampleRegsIntr, hex);
  put('aux_watermark', attr.auxWatermark);
  put('sample_max_stack', attr.sampleMaxStack);
  put('aux_sample_size', attr.auxSampleSize);
  put('sig_data', attr.sigData);
  return out;
}

// ---- small printf helpers ---------------------------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function p2(n: number): string { return String(n).padStart(2, '0'); }
function i32(n: number): number { return n | 0; }

/** ctime(3) without the newline: "Tue Nov 24 09:57:39 2026", local time. */
export function ctime(t: Date | number): string {
  const d = typeof t === 'number' ? new Date(t) : t;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

/** timestamp__scnprintf_usec: "sec.usec". */
function usec(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${String((ns % 1_000_000_000n) / 1000n).padStart(6, '0')}`;
}

/** unit_number__scnprintf: divides by 1024 while the quotient is above 1, up to G. */
function unitNumber(n: bigint): string {
  const units = 'BKMG';
  let i = 0;
  while (n / 1024n > 1n && i < 3) { n /= 1024n; i++; }
  return `${n}${units[i]}`;
}

function bitsOf(words: bigint[], nbits: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < nbits; i++) if ((words[i >> 6] ?? 0n) >> BigInt(i & 63) & 1n) out.push(i);
  return out;
}

/** bitmap_scnprintf / cpu_map__snprint: sorted numbers as "a-b,c" ranges. */
function rangesString(sorted: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** perf_cpu_map__new: "0-3,8" → sorted unique CPUs. */
export function parseCpuList(s: string): number[] {
  const set = new Set<number>();
  for (const part of s.trim().split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    for (let c = a; c <= b && c - a < 1 << 16; c++) set.add(c);
  }
  return [...set].sort((x, y) => x - y);
}

function cpuListString(cpus: number[]): string { return rangesString(cpus); }

/** clockid_name (tools/perf/util/clockid.c). */
function clockidName(id: number): string {
  const names: Record<number, string> = { 1: 'monotonic', 4: 'monotonic_raw', 0: 'realtime', 7: 'boottime', 11: 'tai' };
  return names[id] ?? '(not found)';
}
