// pprof: the gzipped profile.proto of github.com/google/pprof (proto/profile.proto), encoded with the
// pprof-format package. What kscope puts where:
//   sample_type  samples/count, then PERIOD_TYPE (cpu/nanoseconds for cpu-clock) when periods are known
//   sample       one per distinct (stack, thread): location ids leaf first, summed values, and labels
//                pid, tid (numbers), comm (the process's name) and thread_comm (the thread's), the keys
//                Google's perf_data_converter uses
//   location     one per frame, with one line (function, line number); address 0 since frames are
//                functions, not instructions
//   function     one per distinct (name, file)
//   mapping      one per module, with its file name and build-id
import { gzipSync } from 'node:zlib';
import { Profile, Sample, StringTable, type FunctionInput, type LocationInput, type MappingInput, type SampleInput } from 'pprof-format';
import { processNames, type StackProfile } from '../analysis/stack-profile.js';
import { PairIndex } from '../analysis/pair-table.js';

export interface PprofOptions {
  /** Leave the bytes uncompressed (profile.proto as is); default false: gzipped, as pprof tools expect. */
  raw?: boolean;
}

/** A profile's pprof tables with its samples aggregated per (stack node, thread) in typed arrays. */
interface PprofParts {
  /** Every field but the samples (same string table, in the same order, as with them). */
  profile: Profile;
  rows: number;
  /** The pprof sample of row r. */
  sample(r: number): SampleInput;
}

function pprofParts(p: StackProfile): PprofParts {
  const st = new StringTable();
  const hasPeriod = p.periodType !== undefined && p.samples.period.some((v) => !Number.isNaN(v));
  const sampleType = [{ type: st.dedup('samples'), unit: st.dedup('count') }];
  if (hasPeriod) sampleType.push({ type: st.dedup(p.periodType!.type), unit: st.dedup(p.periodType!.unit) });

  const moduleHasFiles = new Uint8Array(p.modules.length);
  for (let f = 0; f < p.frames.length; f++) {
    const m = p.frames.module[f];
    if (m >= 0 && p.frames.file[f] >= 0) moduleHasFiles[m] = 1;
  }
  const mapping: MappingInput[] = p.modules.map((m, i) => ({
    id: i + 1,
    filename: st.dedup(m.name),
    buildId: st.dedup(m.buildId ?? ''),
    hasFunctions: true,
    hasFilenames: moduleHasFiles[i] === 1,
    hasLineNumbers: moduleHasFiles[i] === 1,
  }));

  const functions: FunctionInput[] = [];
  const functionIds = new Map<string, number>();
  const location: LocationInput[] = [];
  for (let f = 0; f < p.frames.length; f++) {
    const nameIdx = p.frames.name[f];
    const fileIdx = p.frames.file[f];
    const key = `${nameIdx}/${fileIdx}`;
    let fid = functionIds.get(key);
    if (fid === undefined) {
      fid = functions.length + 1;
      const name = st.dedup(p.strings[nameIdx]);
      functions.push({ id: fid, name, systemName: name, filename: fileIdx >= 0 ? st.dedup(p.strings[fileIdx]) : 0 });
      functionIds.set(key, fid);
    }
    location.push({ id: f + 1, mappingId: p.frames.module[f] + 1, address: 0, line: [{ functionId: fid, line: p.frames.line[f] }] });
  }

  // Aggregate samples per (stack node, thread), rows in order of first appearance.
  const agg = new PairIndex(1024);
  let cap = 1024;
  let rowNode: Int32Array = new Int32Array(cap);
  let rowThread: Int32Array = new Int32Array(cap);
  let rowCount: Float64Array = new Float64Array(cap);
  let rowPeriod: Float64Array = new Float64Array(cap);
  let rows = 0;
  const { stack, thread, weight, period } = p.samples;
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let i = 0; i < p.samples.length; i++) {
    let r = agg.get(stack[i], thread[i]);
    if (r < 0) {
      if (rows === cap) {
        cap *= 2;
        const i32 = (a: Int32Array): Int32Array => { const b = new Int32Array(cap); b.set(a); return b; };
        const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(cap); b.set(a); return b; };
        rowNode = i32(rowNode);
        rowThread = i32(rowThread);
        rowCount = f64(rowCount);
        rowPeriod = f64(rowPeriod);
      }
      r = rows++;
      rowNode[r] = stack[i];
      rowThread[r] = thread[i];
      agg.set(stack[i], thread[i], r);
    }
    rowCount[r] += weight[i];
    if (!Number.isNaN(period[i])) rowPeriod[r] += period[i];
    const t = p.samples.time[i];
    if (!Number.isNaN(t)) {
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
    }
  }
  const procNames = processNames(p);
  const keyPid = st.dedup('pid');
  const keyTid = st.dedup('tid');
  const keyComm = st.dedup('comm');
  const keyThreadComm = st.dedup('thread_comm');
  // Label strings enter the table in row order, as when the samples were built in one go.
  const commStr = new Int32Array(p.threads.length).fill(-1);
  const threadCommStr = new Int32Array(p.threads.length);
  for (let r = 0; r < rows; r++) {
    const th = rowThread[r];
    if (commStr[th] >= 0) continue;
    const t = p.threads[th];
    commStr[th] = st.dedup(procNames.get(t.pid) ?? t.comm);
    threadCommStr[th] = st.dedup(t.comm);
  }
  const sample = (r: number): SampleInput => {
    const locationId: number[] = [];
    for (let n = rowNode[r]; n >= 0; n = p.stacks.parent[n]) locationId.push(p.stacks.frame[n] + 1);
    const t = p.threads[rowThread[r]];
    return {
      locationId,
      value: hasPeriod ? [Math.round(rowCount[r]), Math.round(rowPeriod[r])] : [Math.round(rowCount[r])],
      label: [
        { key: keyPid, num: t.pid },
        { key: keyTid, num: t.tid },
        { key: keyComm, str: commStr[rowThread[r]] },
        { key: keyThreadComm, str: threadCommStr[rowThread[r]] },
      ],
    };
  };

  let firstPeriod = 0;
  for (let i = 0; i < p.samples.length; i++) {
    if (!Number.isNaN(period[i])) {
      firstPeriod = period[i];
      break;
    }
  }
  const profile = new Profile({
    sampleType,
    sample: [],
    mapping,
    location,
    function: functions,
    stringTable: st,
    ...(hasPeriod ? { periodType: { type: st.dedup(p.periodType!.type), unit: st.dedup(p.periodType!.unit) }, period: Math.round(firstPeriod) } : {}),
    ...(tMax >= tMin ? { durationNanos: Math.round(tMax - tMin) } : {}),
    defaultSampleType: hasPeriod ? sampleType[1].type : 0,
    comment: p.eventName ? [st.dedup(`event: ${p.eventName}`)] : [],
  });
  return { profile, rows, sample };
}

/** The pprof profile object, before encoding (tests and other exporters may inspect it). */
export function toPprofProfile(p: StackProfile): Profile {
  const parts = pprofParts(p);
  for (let r = 0; r < parts.rows; r++) parts.profile.sample.push(new Sample(parts.sample(r)));
  return parts.profile;
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 128) {
    out[at++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/**
 * profile.proto bytes, as Profile.encode() gives them, without a Sample object per row alive at once:
 * the profile is encoded without samples and each sample is encoded on its own into field 2's place
 * (right after the sample types, where pprof-format puts it).
 */
function encodePprof(p: StackProfile): Uint8Array {
  const parts = pprofParts(p);
  const rest = parts.profile.encode();
  let split = 0;
  for (const vt of parts.profile.sampleType) split += 1 + varintLength(vt.length) + vt.length;
  const chunks: Uint8Array[] = [];
  let total = rest.length;
  let buf = new Uint8Array(1 << 20);
  let n = 0;
  for (let r = 0; r < parts.rows; r++) {
    const body = new Sample(parts.sample(r)).encode();
    const need = 1 + varintLength(body.length) + body.length;
    if (n + need > buf.length) {
      chunks.push(buf.subarray(0, n));
      total += n;
      buf = new Uint8Array(Math.max(1 << 20, need));
      n = 0;
    }
    buf[n++] = 18; // (2 << 3) + length-delimited
    n = writeVarint(buf, n, body.length);
    buf.set(body, n);
    n += body.length;
  }
  chunks.push(buf.subarray(0, n));
  total += n;
  const out = new Uint8Array(total);
  out.set(rest.subarray(0, split), 0);
  let at = split;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  out.set(rest.subarray(split), at);
  return out;
}

/** profile.proto bytes, gzipped unless `raw`. */
export function toPprof(p: StackProfile, opts: PprofOptions = {}): Uint8Array {
  const bytes = encodePprof(p);
  return opts.raw ? bytes : new Uint8Array(gzipSync(bytes));
}
