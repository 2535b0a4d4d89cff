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
import { Profile, StringTable, type FunctionInput, type LocationInput, type MappingInput, type SampleInput } from 'pprof-format';
import { processNames, type StackProfile } from '../analysis/stack-profile.js';

export interface PprofOptions {
  /** Leave the bytes uncompressed (profile.proto as is); default false: gzipped, as pprof tools expect. */
  raw?: boolean;
}

/** The pprof profile object, before encoding (tests and other exporters may inspect it). */
export function toPprofProfile(p: StackProfile): Profile {
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

  // Aggregate samples per (stack node, thread).
  const nThreads = Math.max(1, p.threads.length);
  const agg = new Map<number, number>(); // key → index into rows
  const rows: Array<{ node: number; thread: number; count: number; period: number }> = [];
  const { stack, thread, weight, period } = p.samples;
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let i = 0; i < p.samples.length; i++) {
    const key = (stack[i] + 1) * nThreads + thread[i];
    let r = agg.get(key);
    if (r === undefined) {
      r = rows.length;
      rows.push({ node: stack[i], thread: thread[i], count: 0, period: 0 });
      agg.set(key, r);
    }
    rows[r].count += weight[i];
    if (!Number.isNaN(period[i])) rows[r].period += period[i];
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
  const sample: SampleInput[] = rows.map((r) => {
    const locationId: number[] = [];
    for (let n = r.node; n >= 0; n = p.stacks.parent[n]) locationId.push(p.stacks.frame[n] + 1);
    const t = p.threads[r.thread];
    return {
      locationId,
      value: hasPeriod ? [Math.round(r.count), Math.round(r.period)] : [Math.round(r.count)],
      label: [
        { key: keyPid, num: t.pid },
        { key: keyTid, num: t.tid },
        { key: keyComm, str: st.dedup(procNames.get(t.pid) ?? t.comm) },
        { key: keyThreadComm, str: st.dedup(t.comm) },
      ],
    };
  });

  let firstPeriod = 0;
  for (let i = 0; i < p.samples.length; i++) {
    if (!Number.isNaN(period[i])) {
      firstPeriod = period[i];
      break;
    }
  }
  return new Profile({
    sampleType,
    sample,
    mapping,
    location,
    function: functions,
    stringTable: st,
    ...(hasPeriod ? { periodType: { type: st.dedup(p.periodType!.type), unit: st.dedup(p.periodType!.unit) }, period: Math.round(firstPeriod) } : {}),
    ...(tMax >= tMin ? { durationNanos: Math.round(tMax - tMin) } : {}),
    defaultSampleType: hasPeriod ? sampleType[1].type : 0,
    comment: p.eventName ? [st.dedup(`event: ${p.eventName}`)] : [],
  });
}

/** profile.proto bytes, gzipped unless `raw`. */
export function toPprof(p: StackProfile, opts: PprofOptions = {}): Uint8Array {
  const bytes = toPprofProfile(p).encode();
  return opts.raw ? bytes : new Uint8Array(gzipSync(bytes));
}
