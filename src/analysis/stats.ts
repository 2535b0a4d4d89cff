// `report --stats`: record counts per type and per event, as perf's events_stats__fprintf and
// evlist__fprintf_nr_events compute them (tools/perf/util/events_stats.h, builtin-report.c; perf 6.1).
//
// perf counts every record perf_session__process_event sees: the records of the file in order, user
// records included, and the records decompressed from COMPRESSED records as well as the COMPRESSED
// records themselves. Per event (evsel) it counts SAMPLE and LOST_SAMPLES. Only headers are needed,
// plus the event id of samples when there are several events, so no body is decoded.
import { RECORD_NAMES, RecordType, Feature } from '../formats/perfdata/constants.js';
import type { PerfDataFile } from '../formats/perfdata/index.js';
import { Reader } from '../util/reader.js';
import { decodeAttr, hasFlag, preciseIp, type PerfEventAttr } from '../formats/perfdata/attr.js';
import { u64n } from '../formats/perfdata/sample.js';

export interface EventStats {
  name: string;
  samples: number;
  /** Sum of the `lost` fields of this event's LOST_SAMPLES records, as perf prints it. */
  lostSamples: number;
}

export interface RecordStats {
  /** Count per record type (index = perf_event_type), index 0 is the total. */
  counts: Float64Array;
  perEvent: EventStats[];
  /** perf prints a note when the file has AUX area data. */
  hasAuxtrace: boolean;
}

const PERF_RECORD_HEADER_MAX = 84;

/** Counts records per type and samples per event. */
export function computeStats(file: PerfDataFile): RecordStats {
  const counts = new Float64Array(PERF_RECORD_HEADER_MAX);
  const evs = file.events.events;
  const samples = new Float64Array(Math.max(evs.length, 1));
  const lost = new Float64Array(Math.max(evs.length, 1));
  const single = evs.length <= 1;
  const events = file.events;
  file.scanRecords((t, buf, pos, size) => {
    if (t < PERF_RECORD_HEADER_MAX) { counts[t]++; counts[0]++; }
    if (t === RecordType.SAMPLE || t === RecordType.LOST_SAMPLES) {
      let idx = 0;
      if (!single) {
        const ev = events.eventAt(t, buf, pos, size);
        if (!ev) return;
        idx = ev.index;
      }
      // perf adds up the `lost` field of LOST_SAMPLES (hists__inc_nr_lost_samples), not the records.
      if (t === RecordType.SAMPLE) samples[idx]++; else if (size >= 16) lost[idx] += u64n(buf, pos + 8, file.littleEndian);
    }
  });
  const names = eventNames(file);
  const perEvent = evs.map((e, i) => ({ name: names[i], samples: samples[i], lostSamples: lost[i] }));
  return { counts, perEvent, hasAuxtrace: file.features.has(Feature.AUXTRACE) };
}

/**
 * Event names: from the EVENT_DESC feature (file mode) or EVENT_UPDATE NAME records already seen
 * (pipe mode, set on events by whoever walks the records), else derived from the attr.
 *
 *   EVENT_DESC: { u32 nr; u32 attr_size; { attr[attr_size]; u32 nr_ids; perf_header_string name; u64 ids[nr_ids]; } [nr] }
 *   perf_header_string: { u32 len; char str[len]; }  (len includes NUL padding to 4... written padded to 64)
 */
export function eventNames(file: PerfDataFile): string[] {
  const evs = file.events.events;
  const out = evs.map((e) => e.name ?? '');
  const desc = file.readFeature(Feature.EVENT_DESC);
  if (desc) {
    try {
      const r = new Reader(desc, file.features.get(Feature.EVENT_DESC)?.offset ?? 0, file.name, file.littleEndian);
      const nr = r.u32('nr');
      const asz = r.u32('attr_size');
      for (let i = 0; i < nr && i < evs.length; i++) {
        decodeAttr(r, asz);
        const nrIds = r.u32('nr_ids');
        const len = r.u32('name length');
        const name = r.fixedString(len, 'name');
        r.skip(nrIds * 8, 'ids');
        if (!out[i]) out[i] = name;
      }
    } catch { /* a damaged EVENT_DESC leaves names from attrs */ }
  }
  return out.map((n, i) => n || attrName(evs[i].attr));
}

/** perf's evsel__name for an attr without a recorded name: hardware and software names get evsel__add_modifiers. */
function attrName(attr: PerfEventAttr): string {
  const { type, config } = attr;
  const base = attrBaseName(type, config);
  return type === 0 || type === 1 ? base + modifiers(attr) : base;
}

/**
 * evsel__add_modifiers: ":" then k, u, h for the contexts not excluded when any is excluded, the
 * precise_ip "p"s, and H, G for hosts/guests not excluded when exclude_host is set or
 * exclude_guest differs from its default (set when a context was excluded or precise_ip is on).
 */
function modifiers(attr: PerfEventAttr): string {
  let m = '';
  let guestDefault = false;
  if (hasFlag(attr, 'exclude_kernel') || hasFlag(attr, 'exclude_user') || hasFlag(attr, 'exclude_hv')) {
    if (!hasFlag(attr, 'exclude_kernel')) m += 'k';
    if (!hasFlag(attr, 'exclude_user')) m += 'u';
    if (!hasFlag(attr, 'exclude_hv')) m += 'h';
    guestDefault = true;
  }
  const p = preciseIp(attr);
  if (p) { m += 'ppp'.slice(0, p); guestDefault = true; }
  if (hasFlag(attr, 'exclude_host') || hasFlag(attr, 'exclude_guest') === guestDefault) {
    if (!hasFlag(attr, 'exclude_host')) m += 'H';
    if (!hasFlag(attr, 'exclude_guest')) m += 'G';
  }
  return m ? ':' + m : '';
}

function attrBaseName(type: number, config: bigint): string {
  const sw = ['cpu-clock', 'task-clock', 'page-faults', 'context-switches', 'cpu-migrations', 'minor-faults',
    'major-faults', 'alignment-faults', 'emulation-faults', 'dummy', 'bpf-output', 'cgroup-switches'];
  const hw = ['cycles', 'instructions', 'cache-references', 'cache-misses', 'branches', 'branch-misses',
    'bus-cycles', 'stalled-cycles-frontend', 'stalled-cycles-backend', 'ref-cycles'];
  if (type === 1 && config < BigInt(sw.length)) return sw[Number(config)];
  if (type === 0 && config < BigInt(hw.length)) return hw[Number(config)];
  return `unknown-${type}-0x${config.toString(16)}`;
}

/**
 * perf report --stats text: "\nAggregated stats:" then "%16s events: %10d  (%4.1f%%)" per non-empty
 * type (TOTAL without the percentage), then "<event> stats:" with SAMPLE and LOST_SAMPLES per event.
 */
export function formatStats(s: RecordStats): string {
  const lines: string[] = [''];
  lines.push(`Aggregated stats:${s.hasAuxtrace ? ' (excludes AUX area (e.g. instruction trace) decoded / synthesized events)' : ''}`);
  const total = s.counts[0];
  for (let i = 0; i < s.counts.length; i++) {
    const name = i === 0 ? 'TOTAL' : RECORD_NAMES[i];
    if (!name || !s.counts[i]) continue; // perf's skip_empty (the default)
    const n = String(s.counts[i]).padStart(10);
    if (i && total) lines.push(`${name.padStart(16)} events: ${n}  (${percent1(s.counts[i], total).padStart(4)}%)`);
    else lines.push(`${name.padStart(16)} events: ${n}`);
  }
  for (const e of s.perEvent) {
    if (!e.samples && !e.lostSamples) continue;
    lines.push(`${e.name} stats:`);
    if (e.samples) lines.push(`${'SAMPLE'.padStart(16)} events: ${String(e.samples).padStart(10)}`);
    if (e.lostSamples) lines.push(`${'LOST_SAMPLES'.padStart(16)} events: ${String(e.lostSamples).padStart(10)}`);
  }
  return lines.join('\n') + '\n';
}

/** printf("%.1f", n * 100.0 / total): like toFixed(1) but exact ties round to even, as glibc does. */
export function percent1(n: number, total: number): string {
  const x = (n * 100) / total;
  const t = x * 10;
  if (Number.isInteger(x * 4) && t - Math.floor(t) === 0.5) {
    const f = Math.floor(t);
    return ((f % 2 === 0 ? f : f + 1) / 10).toFixed(1);
  }
  return x.toFixed(1);
}
