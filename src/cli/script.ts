// kscope script: the samples of a perf.data file as `perf script` prints them (export/perf-script.ts),
// with perf 6.1's options: -F field lists, --ns, the sample filters (--comms, --pid, --tid, -C,
// --time, -S, --dsos, --switch-on/--switch-off), -G, --max-stack, --stop-bt, -L, --reltime,
// --deltatime, the side-band records (--show-task/mmap/switch/lost/namespace/cgroup-events) and
// --header/--header-only. Bad values fail with perf's one-line messages. -D: one line per record (offset, size, type, decoded fields), for looking inside
// perf.data files. Offsets are perf's: absolute in file mode, from the end of the 16-byte header
// in pipe mode; records from inside COMPRESSED show the compressed record's offset, as perf does.
import { Command, Option } from 'commander';
import { decodeSample, formatTimeUs, openPerfData, type PerfDataFile, type PerfRecord } from '../formats/perfdata/index.js';
import { decodeRecord, type CpuMap, type DecodedRecord } from '../formats/perfdata/records.js';
import { FEATURE_NAMES, Misc, PerfType, RECORD_NAMES, RecordType, SampleType } from '../formats/perfdata/constants.js';
import { FdStreamSource, FileSource } from '../util/byte-source.js';
import { KscopeError } from '../util/errors.js';
import { Machine } from '../analysis/machine.js';
import { PerfScriptPrinter, ScriptOutput, parseCpuList, type ScriptFilter } from '../export/perf-script.js';
import { parseSampleFilter, parseStrList } from '../analysis/sample-filter.js';
import { recordingTimeRanges, TimeRangeError } from '../analysis/time-range.js';
import { headerInputOf, headerText } from '../analysis/header.js';
import { nodeMachineIo } from '../util/node-machine-io.js';
import { existsSync, fstatSync, statSync } from 'node:fs';
import { FdStreamSink } from '../util/byte-sink.js';
import { keepYoungGenerationSmall } from './_young-gen.js';

/** Records are read through one reused 1 MiB buffer (transient): larger reads buy no speed. */
const READ_OPTS = { chunk: 1 << 20 };

export const summary = 'Print the samples of perf.data as perf script does (-F fields, --ns; -D dumps every record)';

export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('kscope script')
    .description(summary)
    .option('-i, --input <file>', 'input file name ("-" reads pipe-mode perf.data from stdin)', 'perf.data')
    .option('-D, --dump-raw-trace', 'one line per record: offset, size, type and decoded fields')
    .option('--ordered', 'with -D: records in perf\'s delivery order instead of file order')
    .option('-F, --fields <list>', 'fields to print: comm,tid,pid,time,cpu,event,ip,sym,symoff,dso,period,addr,trace,srcline; +f/-f adds/removes; TYPE:list for one event type (hw, sw, trace, raw)')
    .option('--ns', 'print times with nanoseconds')
    .option('--symfs <dir>', 'look for DSOs under this directory')
    .option('-c, --comms <comm[,comm...]>', 'only display events for these comms')
    .addOption(new Option('--comm <comm[,comm...]>', 'the same as --comms').hideHelp())
    .option('--pid <pid[,pid...]>', 'only consider samples of these pids')
    .option('--tid <tid[,tid...]>', 'only consider samples of these tids')
    .option('-C, --cpu <cpu>', 'only samples (and --show-* events) on these CPUs, e.g. 0-1,3')
    .option('--time <str>', 'time span of interest: start,stop (seconds; several separated by spaces), 10%/2, 0%-10%,30%-40%, 50%')
    .option('-S, --symbols <symbol[,symbol...]>', 'only samples at these symbols (names, or hex sample addresses)')
    .option('--dsos <dso[,dso...]>', 'only samples in these DSOs')
    .option('--addr-range <n>', 'with -S ADDRESS: samples in [ADDRESS, ADDRESS + n) too')
    .option('-G, --hide-call-graph', 'when printing symbols do not display call chain')
    .option('--max-stack <n>', 'at most this many callchain entries')
    .option('--reltime', 'show time stamps relative to start')
    .option('--deltatime', 'show time stamps relative to previous event')
    .option('--show-task-events', 'show the fork/comm/exit events')
    .option('--show-mmap-events', 'show the mmap events')
    .option('--show-switch-events', 'show context switch events (if recorded)')
    .option('--show-lost-events', 'show lost events (if recorded)')
    .option('--show-namespace-events', 'show namespace events (if recorded)')
    .option('--show-cgroup-events', 'show cgroup events (if recorded)')
    .option('--show-bpf-events', 'show bpf related events (if recorded)')
    .option('--show-round-events', 'show round events (records then come in file order, as perf does)')
    .option('-L, --Latency', 'latency format: comm as %8.8s, cpu as %3d')
    .option('--full-source-path', 'show full source file name path for source lines')
    .option('--stop-bt <symbol[,symbol...]>', 'stop display of callgraph at these symbols')
    .option('--no-demangle', 'print symbol names as they are in the symbol tables')
    .option('-I, --show-info', 'with --header/--header-only: also the extended header (topology, caches)')
    .option('--switch-on <event>', 'consider events after the occurrence of this event')
    .option('--switch-off <event>', 'stop considering events after the occurrence of this event')
    .option('--show-on-off-events', 'show the on/off switch events, used with --switch-on and --switch-off')
    .option('--header', 'show the data header, then the samples')
    .option('--header-only', 'show only the data header')
    .option('-f, --force', 'accepted for perf compatibility (kscope does not check file ownership)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
  const o = cmd.opts<ScriptOpts>();
  if (!o.dumpRawTrace) return printSamples(o);
  const file = o.input === '-' ? openPerfData(new FdStreamSource(0, '<stdin>')) : openPerfData(new FileSource(o.input));
  const out = stdoutOutput();
  try {
    for (const rec of o.ordered ? file.orderedRecords() : file.records()) out.text(dumpLine(file, rec) + '\n');
    out.flush();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw e;
  } finally {
    file.close();
  }
  return 0;
}

/**
 * Output to stdout in large synchronous writes (fs.writeSync through FdStreamSink): no stream
 * buffering, and a reader that went away (`| head`) surfaces here as EPIPE, synchronously.
 */
function stdoutOutput(): ScriptOutput {
  const sink = new FdStreamSink(1, '<stdout>', 1 << 12);
  return new ScriptOutput((b) => { sink.write(b); sink.flush(); });
}

interface ScriptOpts {
  input: string; dumpRawTrace?: boolean; ordered?: boolean; fields?: string; ns?: boolean; symfs?: string;
  comms?: string; comm?: string; addrRange?: string; pid?: string; tid?: string; cpu?: string; time?: string; symbols?: string; dsos?: string;
  hideCallGraph?: boolean; maxStack?: string; reltime?: boolean; deltatime?: boolean;
  showTaskEvents?: boolean; showMmapEvents?: boolean; showSwitchEvents?: boolean; showLostEvents?: boolean; showNamespaceEvents?: boolean; showCgroupEvents?: boolean; showRoundEvents?: boolean; showBpfEvents?: boolean;
  header?: boolean; headerOnly?: boolean; Latency?: boolean; stopBt?: string; demangle: boolean; showInfo?: boolean; fullSourcePath?: boolean;
  switchOn?: string; switchOff?: string; showOnOffEvents?: boolean;
}

/** The filters of perf script's options, checked as perf checks them (one-line errors). */
function scriptFilter(o: ScriptOpts, file: PerfDataFile): ScriptFilter | undefined {
  const flt: ScriptFilter = parseSampleFilter({ comms: o.comms ?? o.comm, pid: o.pid, tid: o.tid, dsos: o.dsos, symbols: o.symbols });
  if (o.addrRange !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(o.addrRange)) throw new KscopeError("option `addr-range' expects a numerical value");
    flt.addrRange = Number(o.addrRange);
  }
  if (o.cpu !== undefined) flt.cpus = parseCpuList(o.cpu, file.events.events);
  if (o.time !== undefined) {
    try {
      flt.time = recordingTimeRanges(file, o.time, !!o.reltime);
    } catch (e) {
      if (e instanceof TimeRangeError) throw new KscopeError(e.message, e.message.startsWith('HINT') ? undefined : 'times are seconds as perf script prints them: --time start,stop (either may be empty), or percentages: 10%/2, 0%-10%');
      throw e;
    }
  }
  return Object.keys(flt).length ? flt : undefined;
}

async function printSamples(o: ScriptOpts): Promise<number> {
  if (o.input !== '-' && !existsSync(o.input)) throw new KscopeError(`${o.input}: no such file`, 'record one with: kscope record (or perf record), or pass -i FILE');
  if (o.reltime && o.deltatime) throw new KscopeError("reltime and deltatime - the two don't get along well. Please limit to --reltime or --deltatime.");
  let maxStack: number | undefined;
  if (o.maxStack !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(o.maxStack)) throw new KscopeError("option `max-stack' expects a numerical value");
    maxStack = Math.max(0, Number(o.maxStack));
  }
  keepYoungGenerationSmall();
  const file = o.input === '-' ? openPerfData(new FdStreamSource(0, '<stdin>'), undefined, READ_OPTS) : openPerfData(new FileSource(o.input), undefined, READ_OPTS);
  let filter: ScriptFilter | undefined;
  try {
    filter = scriptFilter(o, file);
  } catch (e) {
    file.close();
    throw e;
  }
  // The demangler (~50 ms to load) only when symbols may be printed: not for tracepoint-only output.
  let demangle: ((n: string) => string) | undefined;
  // (tracepoints with call chains print their frames)
  const onlyTracepoints = file.events.events.every((e) => e.attr.type === PerfType.TRACEPOINT && !(Number(e.attr.sampleType) & SampleType.CALLCHAIN));
  if (o.demangle && (!onlyTracepoints || /\b(ip|sym|symoff|addr|srcline)\b/.test(o.fields ?? ''))) {
    try {
      const [{ createDemangler }, { readDemanglerWasm }] = await Promise.all([import('../symbols/demangle.js'), import('../util/node-loader.js')]);
      demangle = createDemangler(readDemanglerWasm(), { params: false });
    } catch { demangle = undefined; }
  }
  const io = nodeMachineIo({ symfs: o.symfs });
  // DWARF for the inline chains perf 6.1 prints in unwound (--call-graph dwarf) callchains
  const machine = new Machine(file, { ...io, rankName: demangle });
  let printer: PerfScriptPrinter;
  try {
    printer = new PerfScriptPrinter(file, machine, {
    fields: o.fields, ns: o.ns, demangle, filter, switchOn: o.switchOn, switchOff: o.switchOff, showOnOff: o.showOnOffEvents, latency: o.Latency, fullSourcePath: o.fullSourcePath, stopBt: o.stopBt === undefined ? undefined : parseStrList(o.stopBt), hideCallGraph: o.hideCallGraph, maxStack, reltime: o.reltime, deltatime: o.deltatime,
    show: { task: o.showTaskEvents, mmap: o.showMmapEvents, switch: o.showSwitchEvents, lost: o.showLostEvents, namespace: o.showNamespaceEvents, cgroup: o.showCgroupEvents, round: o.showRoundEvents, bpf: o.showBpfEvents },
    });
  } catch (e) {
    file.close();
    throw e;
  }
  const out = stdoutOutput();
  try {
    if (o.header || o.headerOnly) {
      // perf prints fstat's st_mtime of its input (a pipe's is its last write)
      const input = headerInputOf(file, (o.input === '-' ? fstatSync(0) : statSync(o.input)).mtime);
      // pipe mode: perf prints the HEADER_FEATURE records' lines as it meets them (at the start of
      // the stream), so --header-only, which stops before reading records, prints none
      if (file.pipe && o.headerOnly) input.features = [];
      out.text(headerText(input, { full: o.showInfo }));
      if (o.headerOnly) { out.flush(); return 0; }
    }
    // --show-round-events turns perf's ordered delivery off: records come in file order. The printer
    // and the machine keep nothing of a record: it is read through a reused buffer (transient).
    const nextRecord = o.showRoundEvents ? file.recordIterator({ transient: true }) : file.orderedRecordPuller();
    for (let rec = nextRecord(); rec; rec = nextRecord()) printer.appendRecord(rec, out);
    out.flush();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw e;
  } finally {
    file.close();
  }
  return 0;
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

/** One line describing a record, in the spirit of perf script -D's summary lines. */
export function dumpLine(file: PerfDataFile, rec: PerfRecord): string {
  const off = file.pipe ? rec.fileOffset - 16 : rec.fileOffset;
  const head = `${hex(off)}${rec.decompressedOffset !== undefined ? `+${hex(rec.decompressedOffset)}` : ''} [${hex(rec.size)}]: PERF_RECORD_${RECORD_NAMES[rec.type] ?? `UNKNOWN(${rec.type})`}`;
  if (rec.type === RecordType.SAMPLE) {
    const ev = file.eventOf(rec);
    if (!ev) return `${head}: (sample of an unknown event)`;
    const s = decodeSample(rec, ev, file.name, file.littleEndian);
    const parts = [`${head}(IP, ${hex(rec.misc)}): ${s.pid}/${s.tid}: ${hex(s.ip)} period: ${s.period} addr: ${hex(s.addr)}`];
    if (s.timeHi || s.timeLo) parts.push(`time: ${formatTimeUs(s.timeHi, s.timeLo).trim()}`);
    if (s.cpu >= 0) parts.push(`cpu: ${s.cpu}`);
    if (s.callchainNr) parts.push(`callchain: ${s.callchainNr}`);
    if (s.raw) parts.push(`raw: ${s.raw.byteLength}`);
    if (s.stackUser) parts.push(`user stack: ${s.stackUser.byteLength}/${s.stackUserDynSize}`);
    return parts.join(' ');
  }
  const d = decodeRecord(rec, file.events, file.name);
  return head + details(d) + sampleIdText(d);
}

function sampleIdText(d: DecodedRecord): string {
  const s = d.sampleId;
  if (!s) return '';
  const p: string[] = [];
  if (s.pid !== undefined) p.push(`${s.pid}/${s.tid}`);
  if (s.timeHi !== undefined) p.push(`time ${formatTimeUs(s.timeHi, s.timeLo!).trim()}`);
  if (s.cpu !== undefined) p.push(`cpu ${s.cpu}`);
  if (s.id !== undefined) p.push(`id ${s.id}`);
  return p.length ? `  {${p.join(' ')}}` : '';
}

function cpuMapText(m: CpuMap): string {
  if (m.kind === 'range') return `${m.anyCpu ? '-1,' : ''}${m.startCpu}-${m.endCpu}`;
  return m.cpus.join(',');
}

function details(d: DecodedRecord): string {
  const f = d as Record<string, any>;
  switch (d.type) {
    case RecordType.MMAP:
      return ` ${f.pid}/${f.tid}: [${hex(f.addr)}(${hex(f.len)}) @ ${hex(f.pgoff)}]: ${d.misc & Misc.MMAP_DATA ? 'r' : 'x'} ${f.filename}`;
    case RecordType.MMAP2: {
      const id = f.buildId ? `build-id ${Buffer.from(f.buildId).toString('hex')}` : `${(f.maj as number).toString(16).padStart(2, '0')}:${(f.min as number).toString(16).padStart(2, '0')} ${f.ino} ${f.inoGeneration}`;
      const prot = `${f.prot & 1 ? 'r' : '-'}${f.prot & 2 ? 'w' : '-'}${f.prot & 4 ? 'x' : '-'}${f.flags & 1 ? 's' : 'p'}`;
      return ` ${f.pid}/${f.tid}: [${hex(f.addr)}(${hex(f.len)}) @ ${hex(f.pgoff)} ${id}]: ${prot} ${f.filename}`;
    }
    case RecordType.COMM: return `${f.exec ? ' exec' : ''}: ${f.comm}:${f.pid}/${f.tid}`;
    case RecordType.FORK:
    case RecordType.EXIT: return `(${f.pid}:${f.tid}):(${f.ppid}:${f.ptid})`;
    case RecordType.LOST: return `: id ${f.id} lost ${f.lost}`;
    case RecordType.LOST_SAMPLES: return `: lost ${f.lost}`;
    case RecordType.THROTTLE:
    case RecordType.UNTHROTTLE: return `: time ${f.time} id ${f.id} stream_id ${f.streamId}`;
    case RecordType.SWITCH: return ` ${f.out ? 'OUT' : 'IN '}`;
    case RecordType.SWITCH_CPU_WIDE: return ` ${f.out ? 'OUT' : 'IN '} ${f.out ? 'next' : 'prev'} pid/tid: ${f.nextPrevPid}/${f.nextPrevTid}`;
    case RecordType.KSYMBOL: return ` addr ${hex(f.addr)} len ${f.len} type ${f.ksymType} flags ${hex(f.flags)} name ${f.symbol}`;
    case RecordType.BPF_EVENT: return ` type ${f.bpfType}, flags ${f.flags}, id ${f.id}`;
    case RecordType.CGROUP: return ` cgroup: ${f.id} ${f.path}`;
    case RecordType.TEXT_POKE: return ` addr ${hex(f.addr)} old len ${f.oldBytes.length} new len ${f.newBytes.length}`;
    case RecordType.NAMESPACES: return ` ${f.pid}/${f.tid} - nr_namespaces: ${f.namespaces.length}`;
    case RecordType.AUX: return ` offset: ${hex(f.auxOffset)} size: ${hex(f.auxSize)} flags: ${hex(f.flags)}`;
    case RecordType.ITRACE_START: return ` pid: ${f.pid} tid: ${f.tid}`;
    case RecordType.AUX_OUTPUT_HW_ID: return ` hw_id: ${hex(f.hwId)}`;
    case RecordType.CALLCHAIN_DEFERRED: return ` cookie ${hex(f.cookie)} nr ${f.ips.length}`;
    case RecordType.READ: return ` ${f.pid} ${f.tid} ${(f.values.values as { value: bigint }[]).map((v) => v.value).join(' ')}`;
    case RecordType.HEADER_ATTR: return ` type ${f.attr.type} config ${hex(f.attr.config)} sample_type ${hex(f.attr.sampleType)} ids ${f.ids.length}`;
    case RecordType.HEADER_FEATURE: return ` ${FEATURE_NAMES[f.featId] ?? f.featId} (${f.data.byteLength} bytes)`;
    case RecordType.HEADER_TRACING_DATA: return ` size ${f.size}`;
    case RecordType.HEADER_BUILD_ID: return ` ${f.pid} ${Buffer.from(f.buildId).toString('hex')} ${f.filename}`;
    case RecordType.HEADER_EVENT_TYPE: return ` ${f.eventId} ${f.eventName}`;
    case RecordType.ID_INDEX: return ` nr: ${f.entries.length}`;
    case RecordType.THREAD_MAP: return ` nr: ${f.threads.length} ${(f.threads as { pid: number; comm: string }[]).map((t) => `${t.pid}${t.comm ? `(${t.comm})` : ''}`).join(' ')}`;
    case RecordType.CPU_MAP: return `: ${cpuMapText(f.map)}`;
    case RecordType.STAT_CONFIG: return ` ${(f.config as { tag: number; val: bigint }[]).map((c) => `${c.tag}=${c.val}`).join(' ')}`;
    case RecordType.STAT: return ` id ${f.id} cpu ${f.cpu} thread ${f.thread} val ${f.val} ena ${f.ena} run ${f.run}`;
    case RecordType.STAT_ROUND: return ` type ${f.roundType} time ${f.time}`;
    case RecordType.EVENT_UPDATE: {
      const what = f.unit !== undefined ? `unit: ${f.unit}` : f.scale !== undefined ? `scale: ${f.scale}` : f.eventName !== undefined ? `name: ${f.eventName}` : f.cpus ? `cpus: ${cpuMapText(f.cpus)}` : `type ${f.updateType}`;
      return ` id ${f.id} ${what}`;
    }
    case RecordType.TIME_CONV: return ` shift ${f.timeShift} mult ${f.timeMult} zero ${f.timeZero}`;
    case RecordType.AUXTRACE: return ` size ${hex(f.size)} offset ${hex(f.offset)} ref ${hex(f.reference)} idx ${f.idx} tid ${f.tid} cpu ${f.cpu}`;
    case RecordType.AUXTRACE_INFO: return ` type ${f.auxType}`;
    case RecordType.AUXTRACE_ERROR: return ` type ${f.errType} code ${f.code} cpu ${f.cpu} pid ${f.pid} tid ${f.tid} ip ${hex(f.ip)} ${f.msg}`;
    case RecordType.COMPRESSED:
    case RecordType.COMPRESSED2: return ` ${f.dataSize} bytes of zstd data`;
    default: return '';
  }
}
