// POSIX clocks for perf's -k/--clockid: the clock ids, clock_gettime and clock_getres in ns.
import { KscopeError } from '../util/errors.js';
import { getLibc, lastErrno } from './ffi.js';
import { errnoName } from './perf-event.js';

/** Clock ids of <linux/time.h>, by the names perf's parse_clockid accepts. */
export const CLOCKS: Record<string, number> = {
  realtime: 0, monotonic: 1, monotonic_raw: 4, boottime: 7, tai: 11,
};

/** "monotonic", "CLOCK_MONOTONIC", "mono" prefixes as perf (exact names here) or a number. */
export function parseClockId(text: string): number {
  const t = text.toLowerCase().replace(/^clock_/, '');
  if (/^\d+$/.test(t)) return Number(t);
  if (t in CLOCKS) return CLOCKS[t];
  throw new KscopeError(`unknown clock '${text}'`, `use one of ${Object.keys(CLOCKS).join(', ')} or a number`);
}

function call(f: (id: number, ts: BigInt64Array) => number, clockid: number, what: string): bigint {
  const ts = new BigInt64Array(2);
  if (f(clockid, ts) < 0) throw new KscopeError(`${what}(${clockid}) failed: ${errnoName(lastErrno())}`);
  return ts[0] * 1000000000n + ts[1];
}

export function clockGettimeNs(clockid: number): bigint {
  return call(getLibc().clockGettime, clockid, 'clock_gettime');
}

export function clockResolutionNs(clockid: number): bigint {
  return call(getLibc().clockGetres, clockid, 'clock_getres');
}
