// The bpf(2) syscall: enumerate loaded programs and read their info (what perf's
// perf_event__synthesize_bpf_events needs), read BTF, and load a program (a socket filter
// suffices to test the enumeration). Layouts from include/uapi/linux/bpf.h (Linux 6.18), offsets
// checked with offsetof() against the installed header.
import koffi from 'koffi';
import { KscopeError } from '../util/errors.js';
import { getLibc, lastErrno, viewMemory } from './ffi.js';
import { errnoName, Errno } from './perf-event.js';

/** x86_64 syscall number of bpf (arch/x86/entry/syscalls/syscall_64.tbl). */
export const SYS_bpf = 321;

export const BpfCmd = {
  PROG_LOAD: 5, PROG_GET_NEXT_ID: 11, PROG_GET_FD_BY_ID: 13, OBJ_GET_INFO_BY_FD: 15, BTF_GET_FD_BY_ID: 19,
} as const;
export const BPF_PROG_TYPE_SOCKET_FILTER = 1;
export const BPF_TAG_SIZE = 8;

/** Native memory we own for the duration of one call (the kernel writes through pointers in attrs). */
class Native {
  readonly ptr: unknown;
  readonly addr: bigint;
  readonly bytes: Uint8Array;
  constructor(readonly size: number) {
    this.ptr = koffi.alloc('uint8_t', Math.max(8, size));
    this.addr = koffi.address(this.ptr) as bigint;
    this.bytes = viewMemory(this.ptr, Math.max(8, size));
    this.bytes.fill(0);
  }
  free(): void { koffi.free(this.ptr); }
}

function withNative<T>(sizes: number[], fn: (...mem: Native[]) => T): T {
  const mem = sizes.map((s) => new Native(s));
  try { return fn(...mem); } finally { for (const m of mem) m.free(); }
}

/** bpf(cmd, attr, size): returns the result, or -errno. */
function bpf(cmd: number, attr: Native): number {
  const r = Number(getLibc().syscall(SYS_bpf, 'int', cmd, 'void *', attr.ptr, 'unsigned int', attr.size));
  return r < 0 ? -lastErrno() : r;
}

function bpfError(what: string, errno: number): KscopeError {
  const hint = errno === Errno.EPERM || errno === Errno.EACCES
    ? 'bpf() needs root or CAP_BPF (with CAP_PERFMON for tracing programs); see /proc/sys/kernel/unprivileged_bpf_disabled'
    : errno === Errno.ENOSYS ? 'the kernel lacks CONFIG_BPF_SYSCALL' : undefined;
  return new KscopeError(`${what} failed: ${errnoName(errno)}`, hint, errno);
}

/**
 * The ids of all loaded BPF programs (BPF_PROG_GET_NEXT_ID until ENOENT). Like perf, an EPERM or
 * EINVAL (no permission, old kernel) gives an empty list rather than an error.
 */
export function listBpfProgIds(): number[] {
  const ids: number[] = [];
  withNative([12], (attr) => {
    const v = new DataView(attr.bytes.buffer, attr.bytes.byteOffset, 12);
    let id = 0;
    for (;;) {
      v.setUint32(0, id, true); // start_id
      const r = bpf(BpfCmd.PROG_GET_NEXT_ID, attr);
      if (r < 0) {
        if (r === -Errno.ENOENT || r === -Errno.EPERM || r === -Errno.EINVAL || r === -Errno.ENOSYS) return;
        throw bpfError('BPF_PROG_GET_NEXT_ID', -r);
      }
      id = v.getUint32(4, true); // next_id
      ids.push(id);
    }
  });
  return ids;
}

/** An fd for program `id`, or undefined when it went away meanwhile (or we may not open it). */
export function bpfProgFdById(id: number): number | undefined {
  return withNative([12], (attr) => {
    new DataView(attr.bytes.buffer, attr.bytes.byteOffset, 12).setUint32(0, id, true); // prog_id
    const r = bpf(BpfCmd.PROG_GET_FD_BY_ID, attr);
    return r < 0 ? undefined : r;
  });
}

/** What perf reads of struct bpf_prog_info for KSYMBOL and BPF_EVENT records. */
export interface BpfProgInfo {
  type: number;
  id: number;
  /** The program's tag (a hash of its instructions), 8 bytes. */
  tag: Uint8Array;
  /** The name given at load (at most 15 bytes), '' if none. */
  name: string;
  /** Start address and length of each jited (sub)program, and its tag. */
  jitedKsyms: bigint[];
  jitedFuncLens: number[];
  progTags: Uint8Array[];
  btfId: number;
  /** BTF type id of each function (struct bpf_func_info.type_id), when the program has BTF func info. */
  funcTypeIds: number[];
  /** struct bpf_prog_info as the kernel filled it (array pointers zero), and the func_info records. */
  raw: Uint8Array;
  funcInfo: Uint8Array;
  funcInfoRecSize: number;
}

/*
 * struct bpf_prog_info {              (offsets)
 *   __u32 type; __u32 id;              0, 4
 *   __u8  tag[8];                      8
 *   ...
 *   char  name[16];                    64
 *   ...
 *   __u32 nr_jited_ksyms;              104
 *   __u32 nr_jited_func_lens;          108
 *   __aligned_u64 jited_ksyms;         112  (u64 per function)
 *   __aligned_u64 jited_func_lens;     120  (u32 per function)
 *   __u32 btf_id;                      128
 *   __u32 func_info_rec_size;          132
 *   __aligned_u64 func_info;           136  (struct bpf_func_info { u32 insn_off; u32 type_id; })
 *   __u32 nr_func_info;                144
 *   ...
 *   __u32 nr_prog_tags;                180
 *   __aligned_u64 prog_tags;           184  (8 bytes per function)
 * };                                   size 232
 * union bpf_attr, BPF_OBJ_GET_INFO_BY_FD: { __u32 bpf_fd; __u32 info_len; __aligned_u64 info; }
 */
export const PROG_INFO_SIZE = 232;

function objGetInfo(fd: number, info: Native): number {
  return withNative([16], (attr) => {
    const v = new DataView(attr.bytes.buffer, attr.bytes.byteOffset, 16);
    v.setUint32(0, fd, true);
    v.setUint32(4, info.size, true);
    v.setBigUint64(8, info.addr, true);
    const r = bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr);
    return r < 0 ? r : v.getUint32(4, true);
  });
}

/** struct bpf_prog_info of an open program, with its per-function arrays (two calls, as libbpf does). */
export function bpfProgInfo(fd: number): BpfProgInfo {
  return withNative([PROG_INFO_SIZE], (info) => {
    const v = new DataView(info.bytes.buffer, info.bytes.byteOffset, PROG_INFO_SIZE);
    const r = objGetInfo(fd, info);
    if (r < 0) throw bpfError('BPF_OBJ_GET_INFO_BY_FD', -r);
    const nKsyms = v.getUint32(104, true), nLens = v.getUint32(108, true), nTags = v.getUint32(180, true);
    const btfId = v.getUint32(128, true);
    const nFunc = v.getUint32(144, true);
    const recSize = nFunc ? v.getUint32(132, true) || 8 : 8;
    return withNative([nKsyms * 8, nLens * 4, nTags * BPF_TAG_SIZE, nFunc * recSize], (ksyms, lens, tags, funcs) => {
      const nameBytes = info.bytes.slice(64, 80);
      const head = { type: v.getUint32(0, true), id: v.getUint32(4, true), tag: info.bytes.slice(8, 16), raw: info.bytes.slice(0, PROG_INFO_SIZE) };
      info.bytes.fill(0);
      v.setUint32(104, nKsyms, true); v.setBigUint64(112, nKsyms ? ksyms.addr : 0n, true);
      v.setUint32(108, nLens, true); v.setBigUint64(120, nLens ? lens.addr : 0n, true);
      v.setUint32(180, nTags, true); v.setBigUint64(184, nTags ? tags.addr : 0n, true);
      if (nFunc) { v.setUint32(144, nFunc, true); v.setUint32(132, recSize, true); v.setBigUint64(136, funcs.addr, true); }
      const r2 = objGetInfo(fd, info);
      if (r2 < 0) throw bpfError('BPF_OBJ_GET_INFO_BY_FD', -r2);
      const kv = new DataView(ksyms.bytes.buffer, ksyms.bytes.byteOffset);
      const lv = new DataView(lens.bytes.buffer, lens.bytes.byteOffset);
      const fv = new DataView(funcs.bytes.buffer, funcs.bytes.byteOffset);
      const end = nameBytes.indexOf(0);
      return {
        ...head,
        name: new TextDecoder().decode(nameBytes.subarray(0, end < 0 ? 16 : end)),
        jitedKsyms: Array.from({ length: nKsyms }, (_, i) => kv.getBigUint64(i * 8, true)),
        jitedFuncLens: Array.from({ length: nLens }, (_, i) => lv.getUint32(i * 4, true)),
        progTags: Array.from({ length: nTags }, (_, i) => tags.bytes.slice(i * 8, i * 8 + 8)),
        btfId,
        funcTypeIds: Array.from({ length: nFunc }, (_, i) => fv.getUint32(i * recSize + 4, true)),
        funcInfo: funcs.bytes.slice(0, nFunc * recSize),
        funcInfoRecSize: recSize,
      };
    });
  });
}

/**
 * The raw BTF blob of BTF object `id` (BPF_BTF_GET_FD_BY_ID, then BPF_OBJ_GET_INFO_BY_FD with
 * struct bpf_btf_info { __aligned_u64 btf; __u32 btf_size; __u32 id; ... }, 32 bytes), or
 * undefined when it can't be read.
 */
export function readBtf(id: number): Uint8Array | undefined {
  const fd = withNative([12], (attr) => {
    new DataView(attr.bytes.buffer, attr.bytes.byteOffset, 12).setUint32(0, id, true); // btf_id
    return bpf(BpfCmd.BTF_GET_FD_BY_ID, attr);
  });
  if (fd < 0) return undefined;
  try {
    return withNative([32], (info) => {
      const v = new DataView(info.bytes.buffer, info.bytes.byteOffset, 32);
      if (objGetInfo(fd, info) < 0) return undefined;
      const size = v.getUint32(8, true);
      return withNative([size], (blob) => {
        info.bytes.fill(0);
        v.setBigUint64(0, blob.addr, true);
        v.setUint32(8, size, true);
        if (objGetInfo(fd, info) < 0) return undefined;
        return blob.bytes.slice(0, size);
      });
    });
  } finally {
    getLibc().close(fd);
  }
}

/*
 * union bpf_attr, BPF_PROG_LOAD:
 *   __u32 prog_type; __u32 insn_cnt;   0, 4
 *   __aligned_u64 insns;               8   (struct bpf_insn, 8 bytes each)
 *   __aligned_u64 license;             16  (NUL-terminated string)
 *   __u32 log_level; __u32 log_size;   24, 28
 *   __aligned_u64 log_buf;             32
 *   __u32 kern_version; __u32 prog_flags; 40, 44
 *   char prog_name[16];                48
 *   __u32 prog_ifindex; __u32 expected_attach_type; 64, 68
 */
/** Loads a BPF program and returns its fd (close it to unload). `insns` are 8-byte bpf_insn. */
export function bpfProgLoad(progType: number, insns: Uint8Array, name: string, license = 'GPL'): number {
  const lic = new TextEncoder().encode(license + '\0');
  return withNative([72, insns.length, lic.length, 4096], (attr, code, licMem, log) => {
    code.bytes.set(insns);
    licMem.bytes.set(lic);
    const v = new DataView(attr.bytes.buffer, attr.bytes.byteOffset, 72);
    v.setUint32(0, progType, true);
    v.setUint32(4, insns.length / 8, true);
    v.setBigUint64(8, code.addr, true);
    v.setBigUint64(16, licMem.addr, true);
    v.setUint32(24, 1, true);
    v.setUint32(28, 4096, true);
    v.setBigUint64(32, log.addr, true);
    attr.bytes.set(new TextEncoder().encode(name).subarray(0, 15), 48);
    const r = bpf(BpfCmd.PROG_LOAD, attr);
    if (r < 0) {
      const end = log.bytes.indexOf(0);
      const text = new TextDecoder().decode(log.bytes.subarray(0, end < 0 ? 4096 : end)).trim();
      const err = bpfError('BPF_PROG_LOAD', -r);
      if (text) err.message += `: ${text.split('\n').slice(-2).join(' ')}`;
      throw err;
    }
    return r;
  });
}

/** "mov r0, 0; exit": a socket filter that drops every packet (the smallest valid program). */
export function trivialSocketFilter(): Uint8Array {
  // bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; }
  return new Uint8Array([0xb7, 0x00, 0, 0, 0, 0, 0, 0, /* BPF_ALU64|BPF_MOV|BPF_K r0 = 0 */
    0x95, 0x00, 0, 0, 0, 0, 0, 0 /* BPF_JMP|BPF_EXIT */]);
}
