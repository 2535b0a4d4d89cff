// struct perf_event_attr (include/uapi/linux/perf_event.h, Linux 6.18), decoded and encoded.
//
//   u32 type; u32 size; u64 config; u64 sample_period|sample_freq; u64 sample_type;
//   u64 read_format; u64 flags (bitfield below); u32 wakeup_events|wakeup_watermark; u32 bp_type;
//   u64 bp_addr|config1; u64 bp_len|config2; u64 branch_sample_type; u64 sample_regs_user;
//   u32 sample_stack_user; s32 clockid; u64 sample_regs_intr; u32 aux_watermark;
//   u16 sample_max_stack; u16 __reserved_2; u32 aux_sample_size; u32 aux_action;
//   u64 sig_data; u64 config3;
//
// Sizes by version: VER0 64, VER1 72, VER2 80, VER3 96, VER4 104, VER5 112, VER6 120, VER7 128,
// VER8 136. A shorter attr leaves the later fields zero; a longer one's extra bytes are skipped.
import { Reader } from '../../util/reader.js';

export const PERF_ATTR_SIZE_VER7 = 128;
export const PERF_ATTR_SIZE_VER8 = 136;

/** Bit numbers inside perf_event_attr's flags word. */
export const AttrFlag = {
  disabled: 0, inherit: 1, pinned: 2, exclusive: 3, exclude_user: 4, exclude_kernel: 5,
  exclude_hv: 6, exclude_idle: 7, mmap: 8, comm: 9, freq: 10, inherit_stat: 11,
  enable_on_exec: 12, task: 13, watermark: 14, /* precise_ip: 15-16 */ mmap_data: 17,
  sample_id_all: 18, exclude_host: 19, exclude_guest: 20, exclude_callchain_kernel: 21,
  exclude_callchain_user: 22, mmap2: 23, comm_exec: 24, use_clockid: 25, context_switch: 26,
  write_backward: 27, namespaces: 28, ksymbol: 29, bpf_event: 30, aux_output: 31, cgroup: 32,
  text_poke: 33, build_id: 34, inherit_thread: 35, remove_on_exec: 36, sigtrap: 37,
} as const;
export type AttrFlagName = keyof typeof AttrFlag;

export interface PerfEventAttr {
  type: number;
  /** The size field as found (or to be written). */
  size: number;
  config: bigint;
  /** sample_period, or sample_freq when the freq flag is set. */
  samplePeriod: bigint;
  /** Bits of SampleType; all defined bits fit in 32. */
  sampleType: number;
  readFormat: number;
  /** The raw flags bitfield; use hasFlag/setFlag and preciseIp(). */
  flags: bigint;
  wakeupEvents: number;
  bpType: number;
  config1: bigint;
  config2: bigint;
  branchSampleType: bigint;
  sampleRegsUser: bigint;
  sampleStackUser: number;
  clockid: number;
  sampleRegsIntr: bigint;
  auxWatermark: number;
  sampleMaxStack: number;
  auxSampleSize: number;
  auxAction: number;
  sigData: bigint;
  config3: bigint;
}

export function hasFlag(attr: Pick<PerfEventAttr, 'flags'>, name: AttrFlagName): boolean {
  return ((attr.flags >> BigInt(AttrFlag[name])) & 1n) === 1n;
}

export function setFlag(attr: Pick<PerfEventAttr, 'flags'>, name: AttrFlagName, on = true): void {
  const bit = 1n << BigInt(AttrFlag[name]);
  attr.flags = on ? attr.flags | bit : attr.flags & ~bit;
}

export function preciseIp(attr: Pick<PerfEventAttr, 'flags'>): number {
  return Number((attr.flags >> 15n) & 3n);
}

export function setPreciseIp(attr: Pick<PerfEventAttr, 'flags'>, v: number): void {
  attr.flags = (attr.flags & ~(3n << 15n)) | (BigInt(v & 3) << 15n);
}

/** An attr with every field zero except those given. */
export function makeAttr(fields: Partial<PerfEventAttr> = {}): PerfEventAttr {
  return {
    type: 0, size: PERF_ATTR_SIZE_VER8, config: 0n, samplePeriod: 0n, sampleType: 0, readFormat: 0,
    flags: 0n, wakeupEvents: 0, bpType: 0, config1: 0n, config2: 0n, branchSampleType: 0n,
    sampleRegsUser: 0n, sampleStackUser: 0, clockid: 0, sampleRegsIntr: 0n, auxWatermark: 0,
    sampleMaxStack: 0, auxSampleSize: 0, auxAction: 0, sigData: 0n, config3: 0n, ...fields,
  };
}

/**
 * Decodes one perf_event_attr of `size` bytes at the reader's position and advances past it.
 * `size` is the slot the container gives (perf.data's attr_size, or the attr's own size field).
 */
export function decodeAttr(r: Reader, size: number): PerfEventAttr {
  if (size < 64) r.fail('a perf_event_attr of at least 64 bytes (PERF_ATTR_SIZE_VER0)', `${size}`);
  const b = r.sub(size, 'perf_event_attr');
  const has = (end: number) => end <= size;
  const u64 = (off: number) => (has(off + 8) ? b.seek(off).u64() : 0n);
  const u32 = (off: number) => (has(off + 4) ? b.seek(off).u32() : 0);
  const type = u32(0);
  const attrSize = u32(4);
  const sampleType = u64(24);
  if (sampleType >> 32n) b.fail('sample_type with only known bits (below 2^32)', `0x${sampleType.toString(16)}`, 24);
  const readFormat = u64(32);
  if (readFormat >> 32n) b.fail('read_format with only known bits', `0x${readFormat.toString(16)}`, 32);
  return {
    type, size: attrSize, config: u64(8), samplePeriod: u64(16), sampleType: Number(sampleType),
    readFormat: Number(readFormat), flags: u64(40), wakeupEvents: u32(48), bpType: u32(52),
    config1: u64(56), config2: u64(64), branchSampleType: u64(72), sampleRegsUser: u64(80),
    sampleStackUser: u32(88), clockid: has(96) ? b.seek(92).i32() : 0, sampleRegsIntr: u64(96),
    auxWatermark: u32(104), sampleMaxStack: has(110) ? b.seek(108).u16() : 0,
    auxSampleSize: u32(112), auxAction: u32(116), sigData: u64(120), config3: u64(128),
  };
}

/** Encodes an attr into `size` bytes (default attr.size), zero-filling past the fields it knows. */
export function encodeAttr(attr: PerfEventAttr, size = attr.size, littleEndian = true): Uint8Array {
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  const u64 = (off: number, x: bigint) => { if (off + 8 <= size) v.setBigUint64(off, BigInt.asUintN(64, x), littleEndian); };
  const u32 = (off: number, x: number) => { if (off + 4 <= size) v.setUint32(off, x >>> 0, littleEndian); };
  u32(0, attr.type); u32(4, attr.size); u64(8, attr.config); u64(16, attr.samplePeriod);
  u64(24, BigInt(attr.sampleType)); u64(32, BigInt(attr.readFormat)); u64(40, attr.flags);
  u32(48, attr.wakeupEvents); u32(52, attr.bpType); u64(56, attr.config1); u64(64, attr.config2);
  u64(72, attr.branchSampleType); u64(80, attr.sampleRegsUser); u32(88, attr.sampleStackUser);
  if (96 <= size) v.setInt32(92, attr.clockid, littleEndian);
  u64(96, attr.sampleRegsIntr); u32(104, attr.auxWatermark);
  if (110 <= size) v.setUint16(108, attr.sampleMaxStack, littleEndian);
  u32(112, attr.auxSampleSize); u32(116, attr.auxAction); u64(120, attr.sigData); u64(128, attr.config3);
  return out;
}

/** Number of bits set in a u64 register mask (sample_regs_user): how many u64 values a sample holds. */
export function popcount64(mask: bigint): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1n) n++;
  return n;
}
