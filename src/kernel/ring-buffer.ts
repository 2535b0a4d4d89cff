// The mmap'd perf ring buffer: one metadata page (struct perf_event_mmap_page) and 2^n data pages.
//
//   struct perf_event_mmap_page {            (include/uapi/linux/perf_event.h, Linux 6.18)
//     u32 version, compat_version; u32 lock; u32 index; s64 offset; u64 time_enabled, time_running;
//     u64 capabilities; u16 pmc_width; u16 time_shift; u32 time_mult; u64 time_offset, time_zero;
//     u32 size; ...  __u8 __reserved[...] (pads to 1024)
//     u64 data_head;    @1024  written by the kernel; read it, then read the data (smp_rmb)
//     u64 data_tail;    @1032  written by us after consuming (smp_mb before the store)
//     u64 data_offset;  @1040  where the data area starts (the page size)
//     u64 data_size;    @1048  its size, a power of two
//     ... aux_head/aux_tail/aux_offset/aux_size
//   };
//
// Ordering: on x86_64 (TSO) loads are not reordered with loads nor stores with earlier loads, so
// "read head, copy records, store tail" needs no fence there; JS has no fence over foreign memory.
// Records are 8-byte aligned and may straddle the end of the data area: we copy [tail, head) into
// one contiguous buffer, so a caller always sees whole records (the bytes the perf.data reader
// decodes, CONVENTIONS.md 4).
import { KscopeError } from '../util/errors.js';
import { addressOf, getLibc, lastErrno, viewMemory } from './ffi.js';
import { errnoName } from './perf-event.js';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
export const PAGE_SIZE = 4096;

export class RingBuffer {
  private ptr: unknown;
  private readonly mapLen: number;
  private readonly meta: DataView;
  private readonly data: Uint8Array;
  readonly dataSize: number;
  private tail = 0;
  /** Bytes copied out so far. */
  bytesRead = 0;

  /** Maps `1 + dataPages` pages of the event `fd`; dataPages must be a power of two. */
  constructor(readonly fd: number, dataPages = 128) {
    if (dataPages & (dataPages - 1)) throw new KscopeError(`ring buffer pages must be a power of two, got ${dataPages}`);
    this.mapLen = (1 + dataPages) * PAGE_SIZE;
    const libc = getLibc();
    const ptr = libc.mmap(null, this.mapLen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ptr === null || addressOf(ptr) === 0xffffffffffffffffn) {
      const e = lastErrno();
      throw new KscopeError(`mmap of the perf ring buffer (${this.mapLen} bytes) failed: ${errnoName(e)}`,
        e === 1 || e === 12 ? 'the locked-memory budget is exhausted: raise /proc/sys/kernel/perf_event_mlock_kb or use fewer pages (-m)' : undefined, e);
    }
    this.ptr = ptr;
    const all = viewMemory(ptr, this.mapLen);
    this.meta = new DataView(all.buffer, all.byteOffset, PAGE_SIZE);
    const off = Number(this.meta.getBigUint64(1040, true)) || PAGE_SIZE;
    const size = Number(this.meta.getBigUint64(1048, true)) || dataPages * PAGE_SIZE;
    this.dataSize = size;
    this.data = all.subarray(off, off + size);
    this.tail = this.readU64(1032);
  }

  private readU64(off: number): number {
    // Two u32 loads; the high word changes once per 4 GiB of data, so re-read if it moved.
    for (;;) {
      const hi = this.meta.getUint32(off + 4, true);
      const lo = this.meta.getUint32(off, true);
      if (this.meta.getUint32(off + 4, true) === hi) return hi * 0x100000000 + lo;
    }
  }

  /** Bytes waiting to be read. */
  pending(): number {
    return this.readU64(1024) - this.tail;
  }

  /**
   * Copies every complete record between data_tail and data_head into a new contiguous buffer,
   * then advances data_tail. Returns an empty array when nothing is waiting.
   */
  drain(): Uint8Array {
    const head = this.readU64(1024);
    const n = head - this.tail;
    if (n <= 0) return new Uint8Array(0);
    if (n > this.dataSize) throw new KscopeError(`perf ring buffer overrun: ${n} bytes pending in a ${this.dataSize}-byte buffer`);
    const out = new Uint8Array(n);
    const mask = this.dataSize - 1;
    const start = this.tail & mask;
    const first = Math.min(n, this.dataSize - start);
    out.set(this.data.subarray(start, start + first), 0);
    if (first < n) out.set(this.data.subarray(0, n - first), first);
    this.tail = head;
    this.bytesRead += n;
    // data_tail as two u32 stores, low word last is not needed: the kernel reads it with READ_ONCE
    // only when deciding whether there is room, and a torn value is at worst conservative.
    this.meta.setUint32(1036, Math.floor(head / 0x100000000), true);
    this.meta.setUint32(1032, head >>> 0, true);
    return out;
  }

  close(): void {
    if (this.ptr) {
      getLibc().munmap(this.ptr, this.mapLen);
      this.ptr = undefined;
    }
  }
}

/** Calls fn(offset, size, type, misc) for each perf_event_header in `bytes` (a drained chunk). */
export function forEachRecord(bytes: Uint8Array, fn: (offset: number, size: number, type: number, misc: number) => void): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off + 8 <= bytes.byteLength) {
    const type = v.getUint32(off, true);
    const misc = v.getUint16(off + 4, true);
    const size = v.getUint16(off + 6, true);
    if (size < 8 || off + size > bytes.byteLength) throw new KscopeError(`corrupt record in the perf ring buffer at ${off}: size ${size}`);
    fn(off, size, type, misc);
    off += size;
  }
}
