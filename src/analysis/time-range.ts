// perf's --time syntax (tools/perf/util/time-utils.c, perf 6.1): time ranges of interest.
//
//   "start,stop"               seconds[.fraction up to 9 digits]; either side may be empty
//   "a,b c,d"                  several ranges, separated by spaces (they must not overlap)
//   "10%/2"                    the second 10% slice of [first sample, last sample]
//   "10%/2,10%/3"              several slices
//   "0%-10%,30%-40%"           percent ranges
//   "50%"                      the first 50%
//
// Percent forms need the recording's first and last sample times (HEADER_SAMPLE_TIME). With
// --reltime every range is shifted by the first sample time, after the percent forms too (as perf
// does, so a percent range with --reltime lands past the recording).
//
// Times are u64 nanoseconds; ranges keep (high, low) u32 halves so per-sample checks allocate nothing.

import { Feature } from '../formats/perfdata/constants.js';
import { decodeFeature } from '../formats/perfdata/features.js';
import type { PerfDataFile } from '../formats/perfdata/index.js';

/** One range; a zero start or end means "open" on that side (perf_time_interval). */
export interface TimeRange {
  start: bigint;
  end: bigint;
  startHi: number; startLo: number;
  endHi: number; endLo: number;
}

export class TimeRangeError extends Error {}

const NSEC = 1000000000n;
const U64 = (1n << 64n) - 1n;

function range(start: bigint, end: bigint): TimeRange {
  start &= U64; end &= U64;
  return {
    start, end,
    startHi: Number(start >> 32n), startLo: Number(start & 0xffffffffn),
    endHi: Number(end >> 32n), endLo: Number(end & 0xffffffffn),
  };
}

/** strtoull(str, &end, 10) as perf calls it: leading spaces and a sign allowed, digits; returns [value, rest]. */
function strtoull(s: string): [bigint, string] {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s)!;
  if (!m[2]) return [0n, s];
  let v = BigInt(m[2]);
  if (v > U64) v = U64;
  if (m[1] === '-') v = (-v) & U64;
  return [v, s.slice(m[0].length)];
}

/** parse_nsec_time: "sec[.frac]" → ns, or undefined. */
export function parseNsecTime(str: string): bigint | undefined {
  const [sec, rest] = strtoull(str);
  if (rest !== '' && rest[0] !== '.') return undefined;
  let nsec = 0n;
  if (rest[0] === '.') {
    const frac = rest.slice(1);
    if (frac.length > 9) return undefined;
    const [v, after] = strtoull(frac.padEnd(9, '0'));
    if (after !== '') return undefined;
    nsec = v;
  }
  return (sec * NSEC + nsec) & U64;
}

/** perf_time__parse_str: "start,stop". */
function parseOne(s: string): TimeRange | undefined {
  if (s === '') return range(0n, 0n);
  const comma = s.indexOf(',');
  const a = comma < 0 ? s : s.slice(0, comma);
  const b = comma < 0 ? undefined : s.slice(comma + 1);
  let start = 0n, end = 0n;
  if (a !== '') { const v = parseNsecTime(a); if (v === undefined) return undefined; start = v; }
  if (b) { const v = parseNsecTime(b); if (v === undefined) return undefined; end = v; }
  if (end && end < start) return undefined;
  return range(start, end);
}

const isSpace = (c: string) => c === ' ' || (c >= '\t' && c <= '\r');

/** perf_time__parse_strs: one or more "start,stop" separated by spaces. */
function parseStrs(s: string): TimeRange[] | undefined {
  const num = [...s].filter((c) => c === ',').length;
  if (!num) return undefined;
  const out: TimeRange[] = [];
  let p = 0;
  for (let i = 0; i < num - 1; i++) {
    const arg = p;
    p = s.indexOf(',', p) + 1;
    while (p < s.length && isSpace(s[p])) p++;
    while (p < s.length && !isSpace(s[p])) if (s[p++] === ',') return undefined;
    const r = parseOne(s.slice(arg, p));
    if (!r) return undefined;
    out.push(r);
    if (p < s.length) p++;
  }
  const last = parseOne(s.slice(p));
  if (!last) return undefined;
  out.push(last);
  for (let i = 0; i < out.length - 1; i++) if (out[i].end >= out[i + 1].start) return undefined;
  return out;
}

/** strtod over the whole string, as parse_percent requires. */
function parsePercent(s: string): number | undefined {
  const c = s.indexOf('%');
  if (c < 0) return undefined;
  const t = s.slice(0, c);
  if (!/^[ \t\n\v\f\r]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t) / 100;
}

/** C's round(): half away from zero. */
const cRound = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

function percentTime(startPct: number, endPct: number, first: bigint, last: bigint): TimeRange | undefined {
  if (startPct < 0 || startPct > 1 || endPct < 0 || endPct > 1) return undefined;
  const total = Number((last - first) & U64);
  const start = first + BigInt(cRound(startPct * total));
  let end = first + BigInt(cRound(endPct * total));
  if (end > start && end !== last) end -= 1n;
  return range(start, end);
}

function slashSplit(s: string, first: bigint, last: bigint): TimeRange | undefined {
  const p = s.indexOf('/');
  if (p < 0) return undefined;
  const pct = parsePercent(s.slice(0, p));
  if (pct === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)?(.*)$/.exec(s.slice(p + 1))!;
  if (m[2] !== '') return undefined;
  const i = m[1] ? Number(m[1]) | 0 : 0;
  if (pct <= 0) return undefined;
  return percentTime(pct * (i - 1), pct * i, first, last);
}

function dashSplit(s: string, first: bigint, last: bigint): TimeRange | undefined {
  if (s === '') return range(0n, 0n);
  const d = s.indexOf('-');
  const a = parsePercent(d < 0 ? s : s.slice(0, d));
  const b = d < 0 ? undefined : parsePercent(s.slice(d + 1));
  if (a === undefined || b === undefined) return undefined;
  return percentTime(a, b, first, last);
}

function percentRanges(s: string, first: bigint, last: bigint): TimeRange[] | undefined {
  const split = s.includes('/') ? slashSplit : s.includes('-') ? dashSplit : undefined;
  if (!split) {
    // one percent: "xx%" must end the string, read as "xx%/1"
    if (s.indexOf('%') !== s.length - 1) return undefined;
    const r = slashSplit(`${s}/1`, first, last);
    return r ? [r] : undefined;
  }
  // perf walks the comma-separated parts; a trailing comma adds nothing
  const parts = s.split(',');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const out: TimeRange[] = [];
  for (const part of parts) {
    const r = split(part, first, last);
    if (!r) return undefined;
    out.push(r);
  }
  return out;
}

/**
 * perf_time__parse_for_ranges_reltime. `sampleTime` is HEADER_SAMPLE_TIME's first and last
 * sample times, when the recording has them. Throws TimeRangeError with perf's message.
 */
export function parseTimeRanges(str: string, sampleTime: { first: bigint; last: bigint } | undefined, reltime = false): TimeRange[] {
  const pct = str.includes('%');
  const first = sampleTime?.first ?? 0n, last = sampleTime?.last ?? 0n;
  if ((pct || reltime) && first === 0n && last === 0n) {
    throw new TimeRangeError("HINT: no first/last sample time found in perf data. Please use latest perf binary to execute 'perf record' (if '--buildid-all' is enabled, please set '--timestamp-boundary').");
  }
  const ranges = pct ? percentRanges(str, first, last) : parseStrs(str);
  if (!ranges) throw new TimeRangeError('Invalid time string');
  return reltime ? ranges.map((r) => range(r.start + first, r.end + first)) : ranges;
}

/** (hi, lo) < (hi2, lo2) as u64. */
const lt = (ah: number, al: number, bh: number, bl: number) => ah < bh || (ah === bh && al < bl);

/** perf_time__ranges_skip_sample: whether a sample at (hi, lo) ns falls outside every range. */
export function skipTime(ranges: readonly TimeRange[], hi: number, lo: number): boolean {
  if (ranges.length === 0 || (hi === 0 && lo === 0)) return false;
  if (ranges.length === 1) {
    const r = ranges[0];
    const startSet = r.startHi !== 0 || r.startLo !== 0, endSet = r.endHi !== 0 || r.endLo !== 0;
    return (startSet && lt(hi, lo, r.startHi, r.startLo)) || (endSet && lt(r.endHi, r.endLo, hi, lo));
  }
  for (const r of ranges) {
    const endSet = r.endHi !== 0 || r.endLo !== 0;
    if (!lt(hi, lo, r.startHi, r.startLo) && (!endSet || !lt(r.endHi, r.endLo, hi, lo))) return false;
  }
  return true;
}

/**
 * parseTimeRanges with the recording's HEADER_SAMPLE_TIME (first and last sample times), as
 * perf report and perf script read it for --time.
 */
export function recordingTimeRanges(file: PerfDataFile, str: string, reltime = false): TimeRange[] {
  let st: { first: bigint; last: bigint } | undefined;
  try {
    const b = file.features.has(Feature.SAMPLE_TIME) ? file.readFeature(Feature.SAMPLE_TIME) : undefined;
    if (b) st = decodeFeature(Feature.SAMPLE_TIME, b, { littleEndian: file.littleEndian, file: file.name });
  } catch { st = undefined; }
  return parseTimeRanges(str, st, reltime);
}
