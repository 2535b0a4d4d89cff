// perf_event_open(2) and its ioctls, with errno turned into errors that name the fix.
// Reference: include/uapi/linux/perf_event.h (Linux 6.18), tools/perf/util/evsel.c (perf 6.1:
// evsel__open_cpu retries with a smaller attr size on E2BIG; evsel__open_strerror's hints).
import { readFileSync } from 'node:fs';
import { KscopeError } from '../util/errors.js';
import { encodeAttr, PERF_ATTR_SIZE_VER8, type PerfEventAttr } from '../formats/perfdata/attr.js';
import { getLibc, lastErrno, SYS_perf_event_open } from './ffi.js';

export const PERF_FLAG_FD_NO_GROUP = 1;
export const PERF_FLAG_FD_OUTPUT = 2;
export const PERF_FLAG_PID_CGROUP = 4;
export const PERF_FLAG_FD_CLOEXEC = 8;

/** PERF_EVENT_IOC_* request numbers: _IO/_IOR/_IOW('$', n, ...). */
export const PerfIoc = {
  ENABLE: 0x2400, DISABLE: 0x2401, REFRESH: 0x2402, RESET: 0x2403, PERIOD: 0x40082404,
  SET_OUTPUT: 0x2405, SET_FILTER: 0x40082406, ID: 0x80082407, SET_BPF: 0x40042408,
  PAUSE_OUTPUT: 0x40042409,
} as const;

export const Errno = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13,
  EBUSY: 16, ENODEV: 19, EINVAL: 22, EMFILE: 24, E2BIG: 7, ENOSPC: 28, ENOSYS: 38,
  EOPNOTSUPP: 95,
} as const;

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Errno).map(([k, v]) => [v, k]));

export function errnoName(e: number): string {
  return ERRNO_NAMES[e] ?? `errno ${e}`;
}

/** The attr size the running kernel accepted last (perf remembers it the same way). */
let acceptedAttrSize = PERF_ATTR_SIZE_VER8;

export interface OpenTarget {
  /** Thread id, 0 for self, -1 for every task on `cpu`. */
  pid: number;
  /** CPU number, or -1 for any CPU the task runs on. */
  cpu: number;
  groupFd?: number;
  flags?: number;
}

function paranoid(): string {
  try {
    return readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Translates the errno of a failed perf_event_open into a KscopeError with the fix. */
export function perfOpenError(errno: number, eventName: string, target: OpenTarget): KscopeError {
  const what = `perf_event_open of ${eventName} (pid ${target.pid}, cpu ${target.cpu}) failed: ${errnoName(errno)}`;
  switch (errno) {
    case Errno.EACCES:
    case Errno.EPERM:
      return new KscopeError(what,
        `/proc/sys/kernel/perf_event_paranoid is ${paranoid()}; run as root or with CAP_PERFMON (CAP_SYS_ADMIN on kernels before 5.8), ` +
        `or lower the setting: sysctl kernel.perf_event_paranoid=${target.pid === -1 ? 0 : 1} ` +
        '(2 forbids kernel profiling, 1 CPU-wide (-a, -C) events, 0 raw tracepoints; -1 allows almost everything)', errno);
    case Errno.EMFILE:
      return new KscopeError(what, `too many open files: raise the limit with 'ulimit -n' (now ${process.env.KSCOPE_ULIMIT ?? 'see ulimit -n'}), or record fewer CPUs/threads`, errno);
    case Errno.ENOENT:
    case Errno.ENODEV:
      return new KscopeError(what, `the event ${eventName} is unknown or not supported by this kernel or CPU (try -e cpu-clock)`, errno);
    case Errno.EOPNOTSUPP:
      return new KscopeError(what, `sampling is not supported for ${eventName} here (hardware events need a PMU, which this machine or VM lacks); use -e cpu-clock`, errno);
    case Errno.ESRCH:
      return new KscopeError(what, `no such process or thread: ${target.pid}`, errno);
    case Errno.EINVAL:
      return new KscopeError(what, 'the kernel rejected the event settings (frequency above kernel.perf_event_max_sample_rate? unsupported sample_type or CPU?)', errno);
    case Errno.EBUSY:
      return new KscopeError(what, 'the event is in exclusive use by another tool', errno);
    default:
      return new KscopeError(what, undefined, errno);
  }
}

/**
 * Opens one event and returns its fd (with O_CLOEXEC). On E2BIG the kernel is older than our
 * attr: it writes the size it wants into attr.size; we retry with that (or smaller known sizes).
 */
export function perfEventOpen(attr: PerfEventAttr, target: OpenTarget, eventName = 'event'): number {
  const libc = getLibc();
  let size = Math.min(acceptedAttrSize, attr.size || PERF_ATTR_SIZE_VER8);
  for (;;) {
    const bytes = encodeAttr({ ...attr, size }, size);
    const fd = Number(libc.syscall(SYS_perf_event_open, 'uint8_t *', bytes, 'int', target.pid, 'int', target.cpu,
      'int', target.groupFd ?? -1, 'unsigned long', (target.flags ?? 0) | PERF_FLAG_FD_CLOEXEC));
    if (fd >= 0) {
      acceptedAttrSize = size;
      return fd;
    }
    const errno = lastErrno();
    if (errno === Errno.E2BIG && size > 64) {
      const wanted = new DataView(bytes.buffer).getUint32(4, true);
      size = wanted > 0 && wanted < size ? wanted : size - 8;
      continue;
    }
    throw perfOpenError(errno, eventName, target);
  }
}

function ioctlCheck(r: number, what: string): void {
  if (r < 0) {
    const e = lastErrno();
    throw new KscopeError(`ioctl ${what} failed: ${errnoName(e)}`, undefined, e);
  }
}

export function perfEnable(fd: number): void {
  ioctlCheck(getLibc().ioctl(fd, PerfIoc.ENABLE, 'int', 0), 'PERF_EVENT_IOC_ENABLE');
}
export function perfDisable(fd: number): void {
  ioctlCheck(getLibc().ioctl(fd, PerfIoc.DISABLE, 'int', 0), 'PERF_EVENT_IOC_DISABLE');
}
export function perfReset(fd: number): void {
  ioctlCheck(getLibc().ioctl(fd, PerfIoc.RESET, 'int', 0), 'PERF_EVENT_IOC_RESET');
}
/** Redirects fd's samples into the ring buffer of `targetFd` (same CPU or same task required). */
export function perfSetOutput(fd: number, targetFd: number): void {
  ioctlCheck(getLibc().ioctl(fd, PerfIoc.SET_OUTPUT, 'int', targetFd), 'PERF_EVENT_IOC_SET_OUTPUT');
}
export function perfSetBpf(fd: number, progFd: number): void {
  ioctlCheck(getLibc().ioctl(fd, PerfIoc.SET_BPF, 'int', progFd), 'PERF_EVENT_IOC_SET_BPF');
}
/** The kernel's unique id of the event (the id in samples with PERF_SAMPLE_ID/IDENTIFIER). */
export function perfEventId(fd: number): bigint {
  const out = new BigUint64Array(1);
  ioctlCheck(getLibc().ioctl(fd, PerfIoc.ID, '_Out_ uint64_t *', out), 'PERF_EVENT_IOC_ID');
  return out[0];
}

export function closeFd(fd: number): void {
  getLibc().close(fd);
}
