// The profile text of `kscope report` (perf report --stdio): machine model, histograms, layout.
// Kept apart from report.ts so that --stats and --header-only do not load the symbolizer.
import { keepYoungGenerationSmall } from './_young-gen.js';
import { recordingTimeRanges, skipTime, TimeRangeError, type TimeRange } from '../analysis/time-range.js';
import { Machine, ResolvedSample } from '../analysis/machine.js';
import { Hists, parseSortKeys, SORT_KEYS, type SortKey } from '../analysis/hist.js';
import { parseSampleFilter, sampleFilteredOut } from '../analysis/sample-filter.js';
import { SourceLines } from '../analysis/srcline.js';
import type { TraceOutput } from '../analysis/trace-output.js';
import { PerfType } from '../formats/perfdata/constants.js';
import { writeSection, type GraphOptions, type LineSink } from '../analysis/report-text.js';
import { PerfSample, decodeSample } from '../formats/perfdata/sample.js';
import { RecordType, SampleType } from '../formats/perfdata/constants.js';
import { nodeMachineIo } from '../util/node-machine-io.js';
import { readDemanglerWasm } from '../util/node-loader.js';
import { createDemangler } from '../symbols/demangle.js';
import { type PerfDataFile } from '../formats/perfdata/index.js';
import { KscopeError } from '../util/errors.js';
import { eventNames } from '../analysis/stats.js';
import { InlineFrames, recordedEntries } from '../analysis/inline-frames.js';
import type { Loc } from '../analysis/machine.js';
import { readFileSync } from 'node:fs';

export interface Opts {
  input: string; stats?: boolean; stdio?: boolean; tui?: boolean; sort?: string; children?: boolean;
  callGraph?: string | boolean; inverted?: boolean;
  /** --percent-limit was given after -g (true) or before it (false): perf's later option sets the call graph threshold. */
  percentLimitAfterGraph?: boolean; g?: string; percentLimit?: string; comm?: string; pid?: string; tid?: string; dso?: string; symbols?: string; percentage?: string; cpu?: string; time?: string;
  header?: boolean; headerOnly?: boolean; symfs?: string; showInfo?: boolean;
  showNrSamples?: boolean; showTotalPeriod?: boolean;
  /** false: perf's --no-inline (no inline frames on dwarf-unwound callchains). */
  inline?: boolean;
  /** --max-stack: callchain entries (and, apart, DWARF-unwound frames) taken per sample. */
  maxStack?: string;
}

/** perf report's default --max-stack: the running kernel's kernel.perf_event_max_stack (127 if unreadable). */
function defaultMaxStack(): number {
  try {
    const n = Number.parseInt(readFileSync('/proc/sys/kernel/perf_event_max_stack', 'utf8'), 10);
    return Number.isFinite(n) && n >= 0 ? n : 127;
  } catch { return 127; }
}

/** perf report's -g without a value (callchain_default_opt). */
export const CALLCHAIN_DEFAULT_OPT = 'graph,0.5,caller,function,percent';

/**
 * perf's -g/--call-graph "print_type,threshold,print_limit,order,sort_key,branch,value"
 * (util/callchain.c __parse_callchain_report_opt): every word may be abbreviated (perf compares
 * the given prefix), the first number is the threshold, the second the print limit; "none" ends
 * the list. The sort keys are accepted; kscope compares frames by function as perf's default.
 */
export function parseCallGraph(s: string | undefined, g: GraphOptions = { mode: 'graph', threshold: 0.5, order: 'callee' }): GraphOptions & { orderSet?: boolean; thresholdSet?: boolean } {
  const out: GraphOptions & { orderSet?: boolean; thresholdSet?: boolean } = { ...g };
  if (!s) return out;
  const is = (tok: string, word: string) => word.startsWith(tok);
  let minSet = false;
  for (const tok of s.split(',').filter(Boolean)) {
    if (is(tok, 'none')) { out.mode = 'none'; return out; }
    const mode = (['graph', 'flat', 'fractal', 'folded'] as const).find((w) => is(tok, w));
    if (mode) { out.mode = mode; continue; }
    const order = (['caller', 'callee'] as const).find((w) => is(tok, w));
    if (order) { out.order = order; out.orderSet = true; continue; }
    if (['function', 'address', 'srcline', 'branch'].some((w) => is(tok, w))) continue;
    const value = (['percent', 'period', 'count'] as const).find((w) => is(tok, w));
    if (value) { out.value = value; continue; }
    const n = Number.parseFloat(tok); // strtod/strtoul: a leading number is enough
    if (Number.isNaN(n)) throw new KscopeError(`invalid --call-graph option: ${tok}`, 'use e.g. -g none, -g graph,0.5,caller, -g folded,0,callee,period');
    if (!minSet) { out.threshold = n; minSet = out.thresholdSet = true; } else out.printLimit = Math.max(0, Math.trunc(n));
  }
  return out;
}

function list(s: string | undefined): string[] | undefined {
  return s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean);
}

/** The whole report text (writeReport's lines joined). */
export async function reportText(file: PerfDataFile, o: Opts): Promise<string> {
  const lines: string[] = [];
  await writeReport(file, o, (l) => lines.push(l));
  return lines.join('\n') + '\n';
}

/**
 * Writes the report line by line to `out` (each line once made: the text is never whole in
 * memory). Async only to load the trace key's formatter (tracepoint print formats) when asked.
 */
export async function writeReport(file: PerfDataFile, o: Opts, out: LineSink): Promise<void> {
  let sort: SortKey[];
  const evs = file.events.events;
  // perf's get_default_sort_order: "trace" when every event is a tracepoint
  const allTracepoints = evs.length > 0 && evs.every((e) => e.attr.type === PerfType.TRACEPOINT);
  try { sort = parseSortKeys(o.sort ?? (allTracepoints ? 'trace' : 'comm,dso,sym')); } catch (e) { throw new KscopeError((e as Error).message, `sort keys: ${SORT_KEYS.join(', ')}`); }
  const hasChain = evs.some((e) => e.attr.sampleType & SampleType.CALLCHAIN);
  // perf report on a pipe learns the events too late to set up cumulative (children) output
  // and without callchains it ignores --children (given or not)
  const children = file.pipe || !hasChain ? false : o.children !== false;
  const graph = parseCallGraph(o.callGraph === true ? CALLCHAIN_DEFAULT_OPT : o.callGraph || undefined);
  if (o.inverted) { graph.order = 'caller'; graph.orderSet = true; }
  if (o.percentLimitAfterGraph !== undefined && (o.percentLimitAfterGraph || !graph.thresholdSet)) graph.threshold = Number(o.percentLimit);
  // perf report: caller order by default in children mode (builtin-report.c: cumulate_callchain without an order given)
  if (children && !graph.orderSet) graph.order = 'caller';
  // perf skips a lone chain's first frame when --sort was given starting with "sym" (it repeats the entry)
  graph.skipFirst = o.sort !== undefined && o.sort.startsWith('sym');
  if (!hasChain) graph.mode = 'none';
  // no call graph trees: entries and caches only (_young-gen.ts)
  if (graph.mode === 'none') keepYoungGenerationSmall();
  if (o.percentage !== undefined && o.percentage !== 'relative' && o.percentage !== 'absolute') {
    throw new KscopeError(`invalid --percentage: ${o.percentage}`, '--percentage relative (of the samples the filters leave) or absolute (of all samples)');
  }
  // machine__resolve's filters: a filtered sample still counts and adds to entries (Hists.add)
  const flt = parseSampleFilter({ comms: o.comm, pid: o.pid, tid: o.tid, dsos: o.dso, symbols: o.symbols });
  const filtering = Object.keys(flt).length > 0;
  // the CPU list drops samples before any accounting (builtin-report.c process_sample_event)
  const cpus = list(o.cpu)?.flatMap(cpuRange);
  let timeRanges: TimeRange[] | undefined;
  try {
    if (o.time !== undefined) timeRanges = recordingTimeRanges(file, o.time);
  } catch (e) {
    if (e instanceof TimeRangeError) throw new KscopeError(e.message, e.message.startsWith('HINT') ? undefined : 'times are seconds as perf script prints them: --time start,stop (either may be empty), or percentages: 10%/2, 0%-10%');
    throw e;
  }
  let maxStack = defaultMaxStack();
  if (o.maxStack !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(o.maxStack)) throw new KscopeError("option `max-stack' expects a numerical value");
    maxStack = Math.max(0, Number(o.maxStack));
  }
  // the wasm (Rust names only) is compiled when a Rust name first needs it
  const demangle = createDemangler(readDemanglerWasm, { params: false });
  const machine = new Machine(file, { ...nodeMachineIo({ symfs: o.symfs }), demangle });
  // perf 6.1 adds inlined functions' frames to the entries the DWARF unwinder reports (machine.c:
  // unwind_entry → append_inlines); symbol names are demangled by the machine already
  const inlines = new InlineFrames((s) => s.name, demangle);
  const expanded: Loc[] = [], expandedIps: number[] = [], expandedSrc: (string | undefined)[] = [];
  const sources = new SourceLines();
  const traces: TraceOutput | undefined = sort.includes('trace') ? new (await import('../analysis/trace-output.js')).TraceOutput(file, machine) : undefined;
  // perf elides a sort key that a filter of one value leaves constant (and its output sort skips
  // it), printing "# dso: name" for it; all keys elided, none is (sort.c sort__setup_elide)
  const elide = new Set<SortKey>(), elideLines: string[] = [];
  for (const k of sort) {
    const one = k === 'comm' ? flt.comms : k === 'dso' ? flt.dsos : k === 'sym' ? flt.symbols : undefined;
    if (!one || one.size !== 1 || elide.has(k)) continue;
    elide.add(k);
    elideLines.push(`# ${k === 'sym' ? 'symbol' : k}: ${[...one][0]}`);
  }
  if (elide.size === sort.length) elide.clear();
  const hists = evs.map(() => new Hists({ sort, children, graph: graph.mode !== 'none', order: graph.order, sources, elide }));
  // perf resolves callchains only for children or call graphs (symbol_conf.use_callchain)
  const withChain = children || graph.mode !== 'none';
  const sample = new PerfSample();
  // without callchains in the output nothing reads them (the --dso filter looks at the sample ip)
  sample.skipCallchain = !withChain;
  const res = new ResolvedSample();
  let lostSamples = 0;
  const le = file.littleEndian;
  const nextRecord = file.orderedRecordPuller();
  for (let rec = nextRecord(); rec; rec = nextRecord()) {
    if (rec.type !== RecordType.SAMPLE) {
      if (rec.type === RecordType.LOST_SAMPLES) {
        const v = new DataView(rec.bytes.buffer, rec.bytes.byteOffset, rec.bytes.byteLength);
        lostSamples += le ? v.getUint32(12, true) * 2 ** 32 + v.getUint32(8, true) : v.getUint32(8, false) * 2 ** 32 + v.getUint32(12, false);
      }
      machine.process(rec);
      continue;
    }
    const ev = file.eventOf(rec);
    if (!ev) continue;
    decodeSample(rec, ev, file.name, le, sample);
    // perf report drops samples outside --time before any accounting (totals included)
    if (timeRanges && skipTime(timeRanges, sample.timeHi, sample.timeLo)) continue;
    machine.resolve(sample, res, withChain);
    const i = ev.index;
    if (cpus && !cpus.includes(res.cpu)) continue;
    const filtered = filtering && sampleFilteredOut(flt, res, sample.ipHi, sample.ipLo, (x) => x.name);
    const chain = res.chain, chainIps = res.chainIps;
    let recorded = withChain ? recordedEntries(sample) : 0;
    if (withChain && (recorded > maxStack || res.chainLength - recorded > maxStack)) recorded = limitStack(res, recorded, maxStack, graph.order === 'caller');
    if (withChain && o.inline !== false && sample.stackUser && sample.regsUser) expandInlines(res, recorded);
    hists[i].add(res, traces ? traces.text(ev, sample, res.thread) : undefined, filtered);
    res.chain = chain; res.chainIps = chainIps; res.chainSrclines = undefined;
  }
  /**
   * Replaces res.chain by `expanded`: each unwound user entry [recorded, n) by addr2line's records
   * (perf's append_inlines: inlined frames, each node carrying its record's srcline).
   */
  function expandInlines(r: ResolvedSample, recorded: number): void {
    const n = r.chainLength, c = r.chain, ips = r.chainIps;
    let m = 0, changed = false;
    for (let j = 0; j < n; j++) {
      const l = c[j];
      const e = j >= recorded && l.level === '.' ? inlines.records(l) : undefined;
      if (!e) { expandedSrc[m] = undefined; expandedIps[m] = ips[j]; expanded[m++] = l; continue; }
      changed = true;
      for (const x of e) { expandedSrc[m] = x.srcline; expandedIps[m] = ips[j]; expanded[m++] = x.inlined ? machine.inlinedLoc(l, x.name) : l; }
    }
    if (!changed) return;
    r.chain = expanded;
    r.chainIps = expandedIps;
    r.chainSrclines = expandedSrc;
    r.chainLength = m;
  }
  const names = eventNames(file);
  if (!o.header) { out('# To display the perf.data header info, please use --header/--header-only options.'); out('#'); }
  // perf counts hist entries (filtered ones too): none, and it says so instead of a report
  // (builtin-report.c __cmd_report; the CPU list or time ranges can leave none)
  if (hists.every((h) => h.list.length === 0)) {
    process.stderr.write(`Error:\nThe ${o.input} data has no samples!\n`);
    return;
  }
  for (const l of elideLines) out(l);
  out('#'); out(`# Total Lost Samples: ${lostSamples}`); out('#');
  for (let i = 0; i < evs.length; i++) {
    const h = hists[i];
    // perf's percentages are relative to all samples of the event, filtered ones included
    if (h.nrSamples === 0) continue;
    const pl = Number(o.percentLimit ?? 0);
    writeSection(h, names[i] ?? '', { sort, children, percentLimit: pl, graph, elide, showNrSamples: o.showNrSamples, showTotalPeriod: o.showTotalPeriod, timeStr: o.time, dsoList: o.dso !== undefined, relative: o.percentage === 'relative' }, out);
  }
}

/**
 * perf's max_stack in thread__resolve_callchain: at most `max` of the sample's callchain entries
 * (context markers not counted; the innermost in callee order, the outermost in caller order, as
 * perf walks the chain from that end) and at most `max` DWARF-unwound frames (the innermost: the
 * unwinder stops there). `recorded`: how many of r.chain's entries came from the callchain.
 * Returns the new count of callchain entries.
 */
function limitStack(r: ResolvedSample, recorded: number, max: number, caller: boolean): number {
  const c = r.chain, ips = r.chainIps;
  const unwound = r.chainLength - recorded;
  const keep = Math.min(recorded, max), from = caller ? recorded - keep : 0;
  let k = 0;
  for (let j = 0; j < keep; j++, k++) { c[k] = c[from + j]; ips[k] = ips[from + j]; }
  for (let j = 0, m = Math.min(unwound, max); j < m; j++, k++) { c[k] = c[recorded + j]; ips[k] = ips[recorded + j]; }
  r.chainLength = k;
  return keep;
}

function cpuRange(s: string): number[] {
  const m = /^(\d+)-(\d+)$/.exec(s);
  if (!m) return [Number(s)];
  const out: number[] = [];
  for (let c = Number(m[1]); c <= Number(m[2]); c++) out.push(c);
  return out;
}
