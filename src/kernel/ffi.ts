// The FFI boundary: libc functions loaded through koffi (shared/DESIGN.md: kernel/ is the only
// folder that loads it). Loaded lazily so that importing kernel/ costs nothing until first use.
import koffi from 'koffi';

/** x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
export const SYS_perf_event_open = 298;

export interface Libc {
  /** long syscall(long n, ...): variadic, call as syscall(n, 'type', value, ...). */
  syscall: (...args: unknown[]) => number | bigint;
  ioctl: (...args: unknown[]) => number;
  mmap: (addr: null, len: number, prot: number, flags: number, fd: number, off: number) => unknown;
  munmap: (addr: unknown, len: number) => number;
  close: (fd: number) => number;
  poll: ((fds: Uint8Array, n: number, timeout: number) => number) & {
    async: (fds: Uint8Array, n: number, timeout: number, cb: (err: unknown, res: number) => void) => void;
  };
  errnoLocation: () => unknown;
  clockGettime: (clockid: number, ts: BigInt64Array) => number;
  clockGetres: (clockid: number, ts: BigInt64Array) => number;
  strerror: (e: number) => string;
}

let libc: Libc | undefined;

export function getLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    syscall: lib.func('long syscall(long n, ...)') as Libc['syscall'],
    ioctl: lib.func('int ioctl(int fd, unsigned long req, ...)') as Libc['ioctl'],
    mmap: lib.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)') as Libc['mmap'],
    munmap: lib.func('int munmap(void *addr, size_t len)') as Libc['munmap'],
    close: lib.func('int close(int fd)') as Libc['close'],
    poll: lib.func('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)') as unknown as Libc['poll'],
    errnoLocation: lib.func('int *__errno_location(void)') as Libc['errnoLocation'],
    clockGettime: lib.func('int clock_gettime(int clockid, _Out_ int64_t *ts)') as Libc['clockGettime'],
    clockGetres: lib.func('int clock_getres(int clockid, _Out_ int64_t *ts)') as Libc['clockGetres'],
    strerror: lib.func('const char *strerror(int errnum)') as Libc['strerror'],
  };
  return libc;
}

/** errno of the calling thread, read right after a failed call. */
export function lastErrno(): number {
  const l = getLibc();
  return koffi.decode(l.errnoLocation(), 'int') as number;
}

/** A view of `len` bytes of native memory at `ptr` (no copy: it aliases the mapping). */
export function viewMemory(ptr: unknown, len: number): Uint8Array {
  return new Uint8Array(koffi.view(ptr, len));
}

/** The numeric address of a native pointer (for MAP_FAILED checks). */
export function addressOf(ptr: unknown): bigint {
  return koffi.address(ptr);
}
