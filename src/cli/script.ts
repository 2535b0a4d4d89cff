// kscope script: the samples of a perf.data file as `perf script` prints them (export/perf-script.ts),
// with -F field lists and --ns. -D: one line per record (offset, size, type, decoded fields), for looking inside
// perf.data files. Offsets are perf's: absolute in file mode, from the end of the 16-byte header
// in pipe mode; records from inside COMPRESSED show the compressed record's offset, as perf does.
import { Command } from 'commander';
import { decodeSample, formatTimeUs, openPerfData, type PerfDataFile, type PerfRecord } from '../formats/perfdata/index.js';
import { decodeRecord, type CpuMap, type DecodedRecord } from '../formats/perfdata/records.js';
import { FEATURE_NAMES, Misc, PerfType, RECORD_NAMES, RecordType } from '../formats/perfdata/constants.js';
import { FdStreamSource, FileSource } from '../util/byte-source.js';
import { KscopeError } from '../util/errors.js';
import { Machine } from '../analysis/machine.js';
import { PerfScriptPrinter, ScriptOutput } from '../export/perf-script.js';
import { nodeMachineIo } from '../util/node-machine-io.js';
import { existsSync } from 'node:fs';
import { FdStreamSink } from '../util/byte-sink.js';

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
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
  const o = cmd.opts<{ input: string; dumpRawTrace?: boolean; ordered?: boolean; fields?: string; ns?: boolean; symfs?: string }>();
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

async function printSamples(o: { input: string; fields?: string; ns?: boolean; symfs?: string }): Promise<number> {
  if (o.input !== '-' && !existsSync(o.input)) throw new KscopeError(`${o.input}: no such file`, 'record one with: kscope record (or perf record), or pass -i FILE');
  const file = o.input === '-' ? openPerfData(new FdStreamSource(0, '<stdin>')) : openPerfData(new FileSource(o.input));
  const io = nodeMachineIo({ symfs: o.symfs });
  // DWARF for the inline chains perf 6.1 prints in unwound (--call-graph dwarf) callchains
  const machine = new Machine(file, io);
  // The demangler (~50 ms to load) only when symbols may be printed: not for tracepoint-only output.
  let demangle: ((n: string) => string) | undefined;
  const onlyTracepoints = file.events.events.every((e) => e.attr.type === PerfType.TRACEPOINT);
  if (!onlyTracepoints || /\b(ip|sym|symoff|addr|srcline)\b/.test(o.fields ?? '')) {
    try {
      const [{ createDemangler }, { readDemanglerWasm }] = await Promise.all([import('../symbols/demangle.js'), import('../util/node-loader.js')]);
      demangle = createDemangler(readDemanglerWasm(), { params: false });
    } catch { demangle = undefined; }
  }
  const printer = new PerfScriptPrinter(file, machine, { fields: o.fields, ns: o.ns, demangle });
  const out = stdoutOutput();
  try {
    const next = file.orderedRecords({ transient: true });
    for (const rec of next) {
      machine.process(rec);
      if (rec.type !== RecordType.SAMPLE) continue;
      const ev = file.eventOf(rec);
      if (!ev) continue;
      printer.appendSample(rec, ev, out);
    }
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
