// `perf script` text: one header line per sample, the tracepoint's formatted fields, or the
// sample's symbol / callchain lines, as Linux perf 6.1 prints them (tools/perf/builtin-script.c:
// perf_sample__fprintf_start, process_event; util/evsel_fprintf.c: sample__fprintf_sym,
// sample__fprintf_callchain).
//
//   COMM   "%16s " ("%s " when the event has callchains and IP is printed)
//   PID/TID "%5d/%-5d " both, else "%5d "
//   CPU    "[%03d] "
//   TIME   "%5lu.%06lu: " (--ns: "%5lu.%09llu: ")
//   PERIOD "%10llu "
//   EVNAME "%*s: " padded to the longest event name of the file
//   TRACE  libtraceevent's pretty print of the print fmt (formats/tracefs/print-fmt.ts)
//   ADDR   "%16llx"
//   IP     " %16llx sym+0xoff (dso)" without callchain; with one, "\n" then per frame
//          "\t%16llx sym+0xoff (dso)\n"
//   SRCLINE "\n  file:line" after a frame's DSO (map__fprintf_srcline; "dso[addr]" for the kernel)
//   frames unwound from --call-graph dwarf samples are replaced by their inline chains
//          (analysis/inline-frames.ts): "name+0xoff" then " (inlined)" in place of the DSO
//   then "\n".
//
// Default fields per attr type (output[] in builtin-script.c): hardware, software, hw-cache, raw:
// comm tid cpu time evname ip sym symoff dso period; tracepoints: comm tid cpu time evname trace.
// A default field the samples lack (no PERF_SAMPLE_CPU without -a, ...) is dropped silently; a
// field asked for with -F that the samples lack is an error, as in perf.
import { Feature, Misc, RecordType, SampleType, PerfType as AttrType } from '../formats/perfdata/constants.js';
import { decodeRecord, type DecodedRecord } from '../formats/perfdata/records.js';
import { hasFlag } from '../formats/perfdata/attr.js';
import type { PerfRecord } from '../formats/perfdata/stream.js';
import { skipTime, type TimeRange } from '../analysis/time-range.js';
import { decodeFeature } from '../formats/perfdata/features.js';
import type { PerfDataFile } from '../formats/perfdata/reader.js';
import { decodeSample, PerfSample, type PerfEvent } from '../formats/perfdata/sample.js';
import { decodeTracingData } from '../formats/perfdata/tracing-data.js';
import { parseEventFormat } from '../formats/tracefs/event-format.js';
import { compilePrintFmt, parsePrintkFormats, type PrintFmtEvaluator } from '../formats/tracefs/print-fmt.js';
import { Machine, ResolvedSample, type Loc, type SymInfo, type Thread, type MapEntry } from '../analysis/machine.js';
import { KscopeError } from '../util/errors.js';
import { InlineFrames, type InlineEntry } from '../analysis/inline-frames.js';
import { addr2lineRecord } from '../analysis/srcline.js';
import { sampleFilteredOut, type SampleFilter } from '../analysis/sample-filter.js';
import { hexOfHalves } from '../util/hex.js';

export const FIELD_NAMES = ['comm', 'tid', 'pid', 'time', 'cpu', 'event', 'ip', 'sym', 'symoff', 'dso', 'period', 'addr', 'trace', 'srcline'] as const;
export type ScriptField = (typeof FIELD_NAMES)[number];

const F: Record<ScriptField, number> = {
  comm: 1, tid: 2, pid: 4, time: 8, cpu: 16, event: 32, ip: 64, sym: 128, symoff: 256, dso: 512, period: 1024, addr: 2048, trace: 4096, srcline: 8192,
};
const DEFAULT_SAMPLE = F.comm | F.tid | F.cpu | F.time | F.event | F.ip | F.sym | F.symoff | F.dso | F.period;
const DEFAULT_TRACEPOINT = F.comm | F.tid | F.cpu | F.time | F.event | F.trace;
/** Fields an event type cannot print (invalid_fields). */
const INVALID_SAMPLE = F.trace;

type TypeKey = 'hw' | 'sw' | 'trace' | 'raw' | 'cache' | 'breakpoint';
const TYPE_KEYS: Record<string, TypeKey> = { hw: 'hw', sw: 'sw', trace: 'trace', raw: 'raw', 'hw-cache': 'cache', cache: 'cache', breakpoint: 'breakpoint' };

function typeKeyOf(attrType: number): TypeKey {
  switch (attrType) {
    case AttrType.HARDWARE: return 'hw';
    case AttrType.SOFTWARE: return 'sw';
    case AttrType.TRACEPOINT: return 'trace';
    case AttrType.HW_CACHE: return 'cache';
    case AttrType.BREAKPOINT: return 'breakpoint';
    default: return 'raw';
  }
}

interface FieldSpec { set?: number; add: number; remove: number; userSet: number }

/**
 * Parses perf script's -F syntax: "comm,tid,time" (these fields for every event type),
 * "+field,..." / "-field,..." (added to / removed from the defaults), "trace:comm,tid" (one type).
 */
export function parseFieldSpec(spec: string | undefined): Map<TypeKey | '*', FieldSpec> {
  const out = new Map<TypeKey | '*', FieldSpec>();
  if (!spec) return out;
  for (const part of spec.split(/\s+/).filter(Boolean)) {
    let type: TypeKey | '*' = '*';
    let list = part;
    const m = /^([a-z-]+):(.*)$/.exec(part);
    if (m && TYPE_KEYS[m[1]]) { type = TYPE_KEYS[m[1]]; list = m[2]; }
    const fs: FieldSpec = out.get(type) ?? { add: 0, remove: 0, userSet: 0 };
    let mode: '=' | '+' | '-' = '=';
    for (let tok of list.split(',')) {
      tok = tok.trim();
      if (!tok) continue;
      if (tok[0] === '+' || tok[0] === '-') { mode = tok[0]; tok = tok.slice(1); }
      const bit = F[tok as ScriptField];
      if (bit === undefined) throw new KscopeError(`Invalid field requested: ${tok}`, `known fields: ${FIELD_NAMES.join(',')}`);
      fs.userSet |= bit;
      if (mode === '=') fs.set = (fs.set ?? 0) | bit;
      else if (mode === '+') fs.add |= bit;
      else fs.remove |= bit;
    }
    out.set(type, fs);
  }
  return out;
}

export interface PerfScriptOptions {
  /** perf script's -F argument. */
  fields?: string;
  /** Print times with nanoseconds (--ns). */
  ns?: boolean;
  /** Demangles symbol names (perf shows C++/Rust names demangled, without parameters). */
  demangle?: (name: string) => string;
  /**
   * Replace frames unwound from --call-graph dwarf samples by their inline chains, as perf 6.1
   * does (analysis/inline-frames.ts); needs the Machine's symbolizer to have debug info.
   * Default true.
   */
  inlineFrames?: boolean;
  /** -G: print samples without their call chains (one line, as if none were recorded). */
  hideCallGraph?: boolean;
  /** --max-stack: at most this many callchain entries (and as many DWARF-unwound frames). */
  maxStack?: number;
  /** --reltime: times relative to the first printed one. */
  reltime?: boolean;
  /** --deltatime: times relative to the previous printed one. */
  deltatime?: boolean;
  /** -L (--Latency): perf 6.1's latency format for the columns: comm "%8.8s ", cpu "%3d ". */
  latency?: boolean;
  /** --full-source-path: -F srcline prints the source file's path, not its base name. */
  fullSourcePath?: boolean;
  /** --stop-bt: end a printed call chain after the first frame at one of these symbols. */
  stopBt?: ReadonlySet<string>;
  /** --switch-on / --switch-off: event names; samples print only between an on and an off sample (evswitch). */
  switchOn?: string;
  switchOff?: string;
  /** --show-on-off-events: print the switching samples too. */
  showOnOff?: boolean;
  /** Which side-band records to print (--show-task-events, --show-mmap-events, ...). */
  show?: { task?: boolean; mmap?: boolean; switch?: boolean; lost?: boolean; namespace?: boolean; cgroup?: boolean; round?: boolean; bpf?: boolean };
  /** Sample filters (--comm, --pid, --tid, -C, --time, -S, --dsos). */
  filter?: ScriptFilter;
}

/**
 * perf script's sample filters: machine__resolve's (analysis/sample-filter.ts) plus the CPU list
 * and time ranges. Side-band records (--show-*-events) only obey `cpus`, as in perf.
 */
export interface ScriptFilter extends SampleFilter {
  cpus?: ReadonlySet<number>;
  time?: readonly TimeRange[];
}

interface EventOut {
  fields: number;
  name: string;
  tp?: PrintFmtEvaluator | null;
  callchain: boolean;
  /** The sample's user frames come from DWARF unwinding (PERF_SAMPLE_STACK_USER). */
  unwound: boolean;
}

/** Formats the samples of a recording as perf script prints them. Feed it records in delivery order. */
export class PerfScriptPrinter {
  private readonly perEvent = new Map<PerfEvent, EventOut>();
  private nameWidth = 0;
  private readonly spec: Map<TypeKey | '*', FieldSpec>;
  private readonly sample = new PerfSample();
  private readonly resolved = new ResolvedSample();
  private tracepoints: Map<number, PrintFmtEvaluator> | undefined;
  private useCallchain = false;
  private names: string[] | undefined;
  private readonly demangled = new Map<SymInfo, string>();
  private readonly frameLines = new Map<number, Map<Loc, Uint8Array>>();
  private readonly threadPrefix = new Map<Thread, { comm: string; key: number; pid: number; text: string }>();
  private readonly cpuText: string[] = [];
  private readonly inlines: InlineFrames | undefined;
  private readonly srclines = new Map<string, string | null>();
  /**
   * Callchain frame lines of the first field set used (nearly always the only one), by Loc id: the
   * UTF-8 bytes in 1 MiB arena blocks, each line's place (block * LINE_BLOCK + offset, plus 1; 0:
   * not yet made) and length in typed columns. No object per line: a system-wide recording has
   * ~100k locations. A line too long for a block goes to frameLines.
   */
  private linesFields = -1;
  /** The block being filled, and every block as a DataView (the sink's form) by number. */
  private lineBlock = new Uint8Array(0);
  private readonly lineViews: DataView[] = [];
  private lineBlockUsed = LINE_BLOCK;
  private lineAt = new Int32Array(1 << 12);
  private lineLen = new Int32Array(1 << 12);
  private readonly unresolved = new Map<Loc, { f: number; ip: number; map: MapEntry | undefined; bytes: Uint8Array }>();
  private readonly inlineText = new Map<Loc, { f: number; bytes: Uint8Array | null }>();
  /** evswitch: the on/off events and whether samples are being discarded. */
  private evOn: PerfEvent | undefined;
  private evOff: PerfEvent | undefined;
  private discarding = false;
  /** --reltime's first printed time and --deltatime's previous one, as u32 halves. */
  private baseHi = 0;
  private baseLo = 0;
  private readonly symName = (sym: SymInfo): string => {
    const d = this.opts.demangle;
    if (!d) return sym.name;
    let n = this.demangled.get(sym);
    if (n === undefined) {
      // synthesized PLT symbols: perf demangles the target's name, then appends "@plt"
      const plt = sym.name.endsWith('@plt') ? 4 : 0;
      try { n = plt ? d(sym.name.slice(0, -plt)) + '@plt' : d(sym.name); } catch { n = sym.name; }
      // the demangler builds a name piece by piece: kept as that tree of concatenations (up to
      // hundreds of 32-byte nodes per name, ~2 MB for a system-wide recording), not as one string
      if (n !== sym.name) n = flatString(n);
      this.demangled.set(sym, n);
    }
    return n;
  };

  constructor(readonly file: PerfDataFile, readonly machine: Machine, readonly opts: PerfScriptOptions = {}) {
    this.spec = parseFieldSpec(opts.fields);
    if (opts.inlineFrames !== false) this.inlines = new InlineFrames(this.symName, opts.demangle);
    // evswitch__init: the events by their exact names
    const find = (what: string, name: string) => {
      const ev = file.events.events.find((e) => this.nameOf(e) === name);
      if (!ev) throw new KscopeError(`${what} event not found (${name})`, `the recording's events: ${file.events.events.map((e) => this.nameOf(e)).join(', ')}`);
      return ev;
    };
    if (opts.switchOn !== undefined) { this.evOn = find('switch-on', opts.switchOn); this.discarding = true; }
    if (opts.switchOff !== undefined) this.evOff = find('switch-off', opts.switchOff);
  }

  /** evswitch__discard: whether the on/off switches drop this sample (and switch on or off). */
  private discard(ev: PerfEvent): boolean {
    if (this.evOn && this.discarding) {
      if (this.evOn !== ev) return true;
      this.discarding = false;
      return !this.opts.showOnOff;
    }
    if (this.evOff && !this.discarding) {
      if (this.evOff !== ev) return false;
      this.discarding = true;
      return !this.opts.showOnOff;
    }
    return false;
  }

  private eventNames(): string[] {
    if (this.names) return this.names;
    this.names = [];
    const f = this.file;
    if (f.features.has(Feature.EVENT_DESC)) {
      try {
        const b = f.readFeature(Feature.EVENT_DESC);
        if (b) {
          const d = decodeFeature(Feature.EVENT_DESC, b, { littleEndian: f.littleEndian, file: f.name, fileOffset: f.features.get(Feature.EVENT_DESC)?.offset });
          this.names = d.events.map((e) => e.name);
        }
      } catch { /* names from EVENT_UPDATE or the attr */ }
    }
    return this.names;
  }

  private nameOf(ev: PerfEvent): string {
    return ev.name ?? this.eventNames()[ev.index] ?? fallbackName(ev);
  }

  private setup(): void {
    const events = this.file.events.events;
    // -G: perf's no_callchain leaves symbol_conf.use_callchain off
    this.useCallchain = !this.opts.hideCallGraph && events.some((e) => (Number(e.attr.sampleType) & SampleType.CALLCHAIN) !== 0);
    for (const ev of events) this.nameWidth = Math.max(this.nameWidth, this.nameOf(ev).length);
  }

  private outFor(ev: PerfEvent): EventOut {
    let o = this.perEvent.get(ev);
    if (o) return o;
    if (this.perEvent.size === 0) this.setup();
    const st = Number(ev.attr.sampleType);
    const key = typeKeyOf(ev.attr.type);
    const isTp = key === 'trace';
    let fields = isTp ? DEFAULT_TRACEPOINT : DEFAULT_SAMPLE;
    let userSet = 0;
    for (const k of ['*', key] as const) {
      const s = this.spec.get(k);
      if (!s) continue;
      if (s.set !== undefined) fields = s.set;
      fields = (fields | s.add) & ~s.remove;
      userSet |= s.userSet;
    }
    if (isTp) fields &= ~(userSet & F.trace ? 0 : 0); else fields &= ~INVALID_SAMPLE;
    const need: [number, number, string][] = [
      [F.cpu, SampleType.CPU, 'CPU'], [F.time, SampleType.TIME, 'TIME'], [F.tid | F.pid, SampleType.TID, 'TID'],
      [F.ip, SampleType.IP, 'IP'], [F.period, SampleType.PERIOD, 'PERIOD'], [F.addr, SampleType.ADDR, 'ADDR'], [F.trace, SampleType.RAW, 'RAW'],
    ];
    for (const [bits, stBit, what] of need) {
      if (!(fields & bits) || st & stBit) continue;
      if (userSet & bits & fields) {
        throw new KscopeError(`Samples for '${this.nameOf(ev)}' event do not have ${what} attribute set. Cannot print '${FIELD_NAMES.find((n) => F[n] & bits & userSet)}' field.`);
      }
      fields &= ~bits;
    }
    // perf_session__check_output_opt: with call graphs in use, tracepoints whose fields the user did
    // not set (no -F for all types or for trace) print their call chains when a tracepoint has one
    if (isTp && this.useCallchain && !this.spec.has('*') && !this.spec.has('trace')
      && this.file.events.events.some((e) => e.attr.type === AttrType.TRACEPOINT && (Number(e.attr.sampleType) & SampleType.CALLCHAIN))) {
      fields |= F.ip | F.sym | F.symoff | F.dso;
    }
    if (!(fields & F.ip) && !(fields & F.addr)) fields &= ~(F.sym | F.symoff | F.dso | F.srcline);
    const unwound = (st & SampleType.STACK_USER) !== 0 && (st & SampleType.REGS_USER) !== 0;
    o = { fields, name: this.nameOf(ev), callchain: (st & SampleType.CALLCHAIN) !== 0, unwound };
    this.perEvent.set(ev, o);
    return o;
  }

  private tracepoint(ev: PerfEvent): PrintFmtEvaluator | null {
    if (!this.tracepoints) {
      this.tracepoints = new Map();
      const bytes = this.file.readFeature(Feature.TRACING_DATA);
      if (bytes) {
        const td = decodeTracingData(bytes, { file: this.file.name });
        const printk = parsePrintkFormats(td.printk);
        const resolveKernelSymbol = (addr: bigint) => {
          const hi = Number(addr >> 32n), lo = Number(addr & 0xffffffffn);
          const l = this.machine.locate(this.resolved.thread, Misc.KERNEL, hi, lo, false);
          return l.sym ? { name: l.sym.name, start: addr - BigInt(l.offset) } : undefined;
        };
        for (const sys of td.systems) {
          for (const text of sys.formats) {
            const fmt = parseEventFormat(text, this.file.name);
            this.tracepoints.set(fmt.id, compilePrintFmt(fmt, { longSize: td.longSize, bigEndian: td.bigEndian, printk, resolveKernelSymbol }));
          }
        }
      }
    }
    return this.tracepoints.get(Number(ev.attr.config)) ?? null;
  }

  /** The text for one SAMPLE record (with its trailing newline), or '' when it prints nothing. */
  formatSample(rec: { fileOffset: number; bytes: Uint8Array; misc?: number }, ev: PerfEvent): string {
    const chunks: Uint8Array[] = [];
    const out = new ScriptOutput((b) => chunks.push(b.slice()), 1 << 12);
    this.appendSample(rec, ev, out);
    out.flush();
    return UTF8.decode(Buffer.concat(chunks));
  }

  /** Appends a callchain frame's line ("\t%16llx sym+0xoff (dso)\n"), made once per location and field set. */
  private appendChainLine(sink: ScriptOutput, l: Loc, f: number): void {
    if (this.linesFields === -1) this.linesFields = f;
    const id = l.id;
    if (f === this.linesFields) {
      if (id >= this.lineAt.length) {
        const n = Math.max(id + 1, this.lineAt.length * 2);
        const at = new Int32Array(n), len = new Int32Array(n);
        at.set(this.lineAt); len.set(this.lineLen);
        this.lineAt = at; this.lineLen = len;
      }
      const at = this.lineAt[id] - 1;
      if (at >= 0) {
        const off = at % LINE_BLOCK;
        sink.rangeOf(this.lineViews[(at - off) / LINE_BLOCK], off, off + this.lineLen[id]);
        return;
      }
    }
    let c = this.frameLines.get(f);
    let t = c?.get(l);
    if (t === undefined) {
      const text = this.chainLineText(l, f);
      if (f === this.linesFields && text.length * 3 <= LINE_BLOCK) {
        if (this.lineBlockUsed + text.length * 3 > LINE_BLOCK) {
          this.lineBlock = new Uint8Array(LINE_BLOCK);
          this.lineViews.push(new DataView(this.lineBlock.buffer));
          this.lineBlockUsed = 0;
        }
        const b = this.lineViews.length - 1, block = this.lineBlock, off = this.lineBlockUsed;
        const n = UTF8_ENC.encodeInto(text, block.subarray(off)).written;
        this.lineBlockUsed += n;
        this.lineAt[id] = b * LINE_BLOCK + off + 1;
        this.lineLen[id] = n;
        sink.range(block, off, off + n);
        return;
      }
      if (!c) { c = new Map(); this.frameLines.set(f, c); }
      t = Buffer.from(text, 'utf8');
      c.set(l, t);
    }
    sink.bytes(t);
  }

  private chainLineText(l: Loc, f: number): string {
    const addr = locHex(l);
    return `\t${frameText(l, f, addr, this.symName, this.srcOf(l, f, addr))}\n`;
  }

  /**
   * perf 6.1 prints a user frame's address as the offset in its DSO (map_ip) whenever it has a
   * map, resolved or not (sample__fprintf_callchain); unresolved entries here carry the raw ip.
   */
  private unresolvedLine(th: Thread, l: Loc, f: number): Uint8Array {
    let c = this.unresolved.get(l);
    if (c && c.f === f) {
      const m = th.maps.find(c.ip);
      if (m === c.map) return c.bytes;
    }
    const raw = locHex(l);
    const ip = parseInt(raw, 16);
    const m = th.maps.find(ip);
    const addr = m ? (m.identity ? ip : ip - m.start + m.pgoff).toString(16) : raw;
    c = { f, ip, map: m, bytes: Buffer.from(`\t${frameText(l, f, addr, this.symName, this.srcOf(l, f, addr))}\n`, 'utf8') };
    this.unresolved.set(l, c);
    return c.bytes;
  }

  /**
   * -F srcline: what perf 6.1's map__fprintf_srcline prints under a frame: map__srcline(map, addr,
   * NULL), i.e. get_srcline with no symbol — "file:line" (basename) of addr2line's first record
   * for the address (util/srcline.c; ":0" for an empty file name), else the fallback
   * "dso[addr]" (DSOs addr2line is not run on: [kernel.kallsyms], [vdso], perf-PID.map; or
   * addr2line answering "??:0"). A text starting "??:0" (addr2line's "??:?": a function symbol
   * covers the address, no line does) is not printed, nor anything for a frame without a DSO.
   * `addr`: the address printed (hex).
   */
  private srcOf(l: Loc, f: number, addr = locHex(l)): string | undefined {
    if (!(f & F.srcline) || !l.dso) return undefined;
    const key = `${l.dso.id}:${addr}`;
    let t = this.srclines.get(key);
    if (t !== undefined) return t ?? undefined;
    const dso = l.dso;
    const a2l = dso.kind === 'user' && !dso.longName.startsWith('[') && !dso.longName.startsWith('/tmp/perf-');
    const at = a2l && dso.elf ? dso.elf.addressOfFileOffset(parseInt(addr, 16)) : undefined;
    const r = at === undefined ? undefined : addr2lineRecord(dso.elf!, at);
    // the fallback names the address addr2line was asked about (map__rip_2objdump: the ELF
    // address, which differs from the map-relative one in an ET_EXEC such as node)
    if (!r) t = `${dso.shortName}[${at !== undefined ? at.toString(16) : addr}]`;
    else if (r.file === undefined) t = null;
    else t = `${this.opts.fullSourcePath ? r.file : r.file.slice(r.file.lastIndexOf('/') + 1)}:${r.line}`;
    this.srclines.set(key, t);
    return t ?? undefined;
  }

  /**
   * The lines replacing an unwound frame by its inline chain, or undefined when it prints as itself.
   * With -F srcline a frame addr2line answered for (even with a lone record of its own symbol) is
   * printed from its records too: perf's append_inlines gave each cursor node the record's srcline,
   * and sample__fprintf_callchain prints node->srcline as it is ("??:0" included) in place of
   * map__fprintf_srcline.
   */
  private inlineLines(l: Loc, f: number): Uint8Array | undefined {
    let c = this.inlineText.get(l);
    if (c === undefined || c.f !== f) {
      const e = f & F.srcline ? this.inlines!.records(l) : this.inlines!.expand(l);
      // each entry prints its own record's location (the inline call site for outer ones)
      c = { f, bytes: e ? Buffer.from(e.map((x) => inlineText(l, x, f, this.symName, f & F.srcline ? (this.opts.fullSourcePath ? x.fullSrcline : x.srcline) : undefined)).join(''), 'utf8') : null };
      this.inlineText.set(l, c);
    }
    return c.bytes ?? undefined;
  }

  /**
   * Appends the text for one SAMPLE record to `out` (the header, then one cached string per
   * callchain frame: the caller joins them in large chunks).
   */
  appendSample(rec: { fileOffset: number; bytes: Uint8Array; misc?: number }, ev: PerfEvent, sink: ScriptOutput): void {
    const o = this.outFor(ev);
    const s = decodeSample(rec, ev, this.file.name, this.file.littleEndian, this.sample);
    const f = o.fields;
    const flt = this.opts.filter;
    // process_sample_event: the time ranges, then the CPU list, then machine__resolve's filters
    if (flt) {
      if (flt.time && skipTime(flt.time, s.timeHi, s.timeLo)) return;
      if (flt.cpus && s.cpu !== -1 && !flt.cpus.has(s.cpu)) return;
    }
    const locFilter = !!flt && (!!flt.symbols || !!flt.dsos);
    // Only the sample's thread is needed unless a location is printed (tracepoints by default).
    let r = this.resolved;
    if (f & F.ip || locFilter) r = this.machine.resolve(s, r, !!(f & F.ip) && !this.opts.hideCallGraph);
    else r.thread = this.machine.findnewThread(s.pid, s.tid);
    if (flt && this.filtered(flt, r, s)) return;
    if ((this.evOn || this.evOff) && this.discard(ev)) return;
    const withChain = !!(f & F.ip) && o.callchain && this.useCallchain;
    // comm and pid/tid: the same text for every sample of a thread (threads are per tid) while its comm and pid stay
    const th = r.thread;
    const key = (withChain ? 1 : 0) | (f & (F.comm | F.pid | F.tid));
    let pre = this.threadPrefix.get(th);
    if (!pre || pre.comm !== th.comm || pre.key !== key || pre.pid !== s.pid) {
      pre = { comm: th.comm, key, pid: s.pid, text: threadText(f, withChain, th.comm, s.pid, s.tid, !!this.opts.latency) };
      this.threadPrefix.set(th, pre);
    }
    let out = pre.text;
    if (f & F.cpu) out += this.cpuText[s.cpu] ??= this.cpuField(s.cpu);
    if (f & F.time) out += `${this.timeField(s.timeHi, s.timeLo)}: `;
    if (f & F.period) out += `${String(s.period).padStart(10)} `;
    if (f & F.event) out += `${o.name.padStart(this.nameWidth)}: `;
    if (f & F.trace && s.raw) {
      if (o.tp === undefined) o.tp = this.tracepoint(ev);
      if (o.tp) {
        // the record's bytes as they are (the evaluator's text holds one byte per char)
        sink.text(out);
        out = '';
        sink.latin1(o.tp.format(s.raw));
      }
    }
    if (f & F.addr) out += hexOfHalves(s.addrHi, s.addrLo).padStart(16);
    if (f & F.ip) {
      if (withChain) {
        sink.text(out + '\n');
        // --max-stack bounds the callchain's entries and, separately, the DWARF-unwound frames
        const max = this.opts.maxStack ?? Infinity;
        const fromCallchain = max === Infinity ? 0 : callchainEntries(s);
        const stopBt = this.opts.stopBt;
        for (let i = 0; i < r.chainLength; i++) {
          if (i < fromCallchain ? i >= max : i - fromCallchain >= max) continue;
          const l = r.chain[i];
          if (o.unwound && this.inlines && l.level === '.') {
            const e = this.inlineLines(l, f);
            if (e) {
              if (stopBt) {
                // each inline entry is a frame of its own for --stop-bt (perf's append_inlines nodes)
                const entries = this.inlines.expand(l) ?? [];
                const k = entries.findIndex((x) => stopBt.has(x.name));
                if (k >= 0) {
                  sink.text(entries.slice(0, k + 1).map((x) => inlineText(l, x, f, this.symName, f & F.srcline ? (this.opts.fullSourcePath ? x.fullSrcline : x.srcline) : undefined)).join(''));
                  break;
                }
              }
              sink.bytes(e);
              continue;
            }
          }
          if (l.sym === undefined && l.dso !== undefined && l.level === '.' && l.dso.kind !== 'jit') sink.bytes(this.unresolvedLine(th, l, f));
          else this.appendChainLine(sink, l, f);
          if (stopBt && l.sym && stopBt.has(this.symName(l.sym))) break;
        }
        sink.bytes(NEWLINE);
        return;
      }
      const ipHex = hexOfHalves(s.ipHi, s.ipLo);
      out += ` ${frameText(r.frames[0], f, ipHex, this.symName, this.srcOf(r.frames[0], f, r.frames[0].dso?.kind === 'kernel' ? ipHex : undefined))}`;
    }
    sink.text(out + '\n');
  }

  /** machine__resolve's filters (thread__is_filtered, the DSO list, the symbol list): true drops the sample. */
  private filtered(flt: ScriptFilter, r: ResolvedSample, s: PerfSample): boolean {
    return sampleFilteredOut(flt, r, s.ipHi, s.ipLo, this.symName);
  }

  /** The CPU field: "[%03d] ", or "%3d " with -L. */
  private cpuField(cpu: number): string {
    return this.opts.latency ? `${String(cpu).padStart(3)} ` : `[${String(cpu).padStart(3, '0')}] `;
  }

  /** The TIME field: the sample time, or --reltime's / --deltatime's difference (u64 arithmetic, as perf). */
  private timeField(hi: number, lo: number): string {
    const ns = !!this.opts.ns;
    if (this.opts.reltime) {
      if (this.baseHi === 0 && this.baseLo === 0) { this.baseHi = hi; this.baseLo = lo; }
      const [dh, dl] = sub64(hi, lo, this.baseHi, this.baseLo);
      return timeText(dh, dl, ns);
    }
    if (this.opts.deltatime) {
      const prevSet = this.baseHi !== 0 || this.baseLo !== 0;
      const [dh, dl] = prevSet ? sub64(hi, lo, this.baseHi, this.baseLo) : [0, 0];
      this.baseHi = hi; this.baseLo = lo;
      return timeText(dh, dl, ns);
    }
    return timeText(hi, lo, ns);
  }

  /**
   * Feeds one record in delivery order: the machine takes every side-band record; samples print
   * (appendSample); COMM/FORK/EXIT, MMAP/MMAP2, SWITCH and LOST records print when `show` asks,
   * as perf script's process_*_event handlers print them.
   */
  appendRecord(rec: PerfRecord, sink: ScriptOutput): void {
    const t = rec.type;
    if (t === RecordType.SAMPLE) {
      const ev = this.file.eventOf(rec);
      if (ev) this.appendSample(rec, ev, sink);
      return;
    }
    const show = this.opts.show;
    if (t === RecordType.FINISHED_ROUND) {
      if (show?.round) sink.text('PERF_RECORD_FINISHED_ROUND\n');
      return;
    }
    const wanted = !!show && (
      t === RecordType.COMM || t === RecordType.FORK || t === RecordType.EXIT ? !!show.task
        : t === RecordType.MMAP || t === RecordType.MMAP2 ? !!show.mmap
          : t === RecordType.SWITCH || t === RecordType.SWITCH_CPU_WIDE ? !!show.switch
            : t === RecordType.LOST ? !!show.lost
              : t === RecordType.NAMESPACES ? !!show.namespace
                : t === RecordType.CGROUP ? !!show.cgroup
                  : t === RecordType.KSYMBOL || t === RecordType.BPF_EVENT ? !!show.bpf : false);
    if (!wanted) { this.machine.process(rec); return; }
    const d = decodeRecord(rec, this.file.events, this.file.name);
    const ev = this.file.eventOf(rec);
    const f = d as Record<string, any>;
    const id = d.sampleId;
    // perf_evsel__parse_sample's defaults for a record without a sample_id trailer
    let pid = id?.pid ?? -1, tid = id?.tid ?? -1, cpu = id?.cpu ?? -1;
    let timeHi = id?.timeHi ?? 0xffffffff, timeLo = id?.timeLo ?? 0xffffffff;
    let thread: Thread | undefined;
    if (ev && !hasFlag(ev.attr, 'sample_id_all')) {
      cpu = 0; timeHi = 0; timeLo = 0;
      if (t === RecordType.FORK || t === RecordType.EXIT) { timeHi = Number(f.time >> 32n); timeLo = Number(f.time & 0xffffffffn); }
      if (t === RecordType.COMM || t === RecordType.FORK || t === RecordType.EXIT || t === RecordType.MMAP || t === RecordType.MMAP2 || t === RecordType.NAMESPACES) { pid = f.pid; tid = f.tid; }
    }
    switch (t) {
      case RecordType.COMM:
      case RecordType.EXIT:
      case RecordType.NAMESPACES:
        thread = this.machine.findnewThread(f.pid, f.tid);
        if (t === RecordType.NAMESPACES) this.machine.process(rec);
        if (t === RecordType.COMM) this.machine.process(rec);
        break;
      default:
        this.machine.process(rec);
        if (t === RecordType.FORK || t === RecordType.MMAP || t === RecordType.MMAP2) thread = this.machine.findnewThread(f.pid, f.tid);
        else if (tid !== -1) thread = this.machine.findnewThread(pid, tid);
    }
    const cpus = this.opts.filter?.cpus;
    if (!(cpus && cpu !== -1 && !cpus.has(cpu))) {
      const start = ev ? this.startText(ev, thread, pid, tid, cpu, timeHi, timeLo) : '';
      sink.text(start + sideBandText(d));
    }
    if (t === RecordType.EXIT) this.machine.process(rec);
  }

  /** perf_sample__fprintf_start for a side-band record: comm, pid/tid, cpu, time as the event's fields say. */
  private startText(ev: PerfEvent, thread: Thread | undefined, pid: number, tid: number, cpu: number, timeHi: number, timeLo: number): string {
    const o = this.outFor(ev);
    const f = o.fields;
    const withChain = !!(f & F.ip) && o.callchain && this.useCallchain;
    let out = threadText(f, withChain, thread ? thread.comm : ':-1', pid, tid, !!this.opts.latency);
    if (f & F.cpu) out += this.cpuField(cpu);
    if (f & F.time) out += `${this.timeField(timeHi, timeLo)}: `;
    return out;
  }
}

/** The comm and pid/tid columns. */
function threadText(f: number, withChain: boolean, comm: string, pid: number, tid: number, latency: boolean): string {
  let t = '';
  if (f & F.comm) t += latency ? `${comm.slice(0, 8).padStart(8)} ` : withChain ? `${comm} ` : `${comm.padStart(16)} `;
  if (f & F.pid && f & F.tid) t += `${String(pid).padStart(5)}/${String(tid).padEnd(5)} `;
  else if (f & F.pid) t += `${String(pid).padStart(5)} `;
  else if (f & F.tid) t += `${String(tid).padStart(5)} `;
  return t;
}

/** Callchain entries of a sample that are not context markers (what --max-stack counts). */
function callchainEntries(s: PerfSample): number {
  let n = 0;
  const cc = s.callchain;
  for (let i = 0; i < s.callchainNr; i++) if (!(cc[2 * i + 1] === 0xffffffff && cc[2 * i] >= 0xfffff001)) n++;
  return n;
}

/** a - b as u64 (wrapping, as perf's u64 subtraction), in u32 halves. */
function sub64(ah: number, al: number, bh: number, bl: number): [number, number] {
  let lo = al - bl, borrow = 0;
  if (lo < 0) { lo += 0x100000000; borrow = 1; }
  return [(ah - bh - borrow) >>> 0, lo];
}

/** perf_ns__names (util/namespaces.c). */
const NS_NAMES = ['net', 'uts', 'ipc', 'pid', 'user', 'mnt', 'cgroup'];

/** "%#lx": 0 prints as "0". */
const hexAlt = (v: bigint | number) => (v ? `0x${v.toString(16)}` : '0');

/**
 * perf_event__fprintf (util/event.c, perf 6.1): "PERF_RECORD_<name>" and the record's fields.
 *   COMM        ": %s:%d/%d" (" exec" before the colon for PERF_RECORD_MISC_COMM_EXEC)
 *   FORK, EXIT  "(%d:%d):(%d:%d)" pid, tid, ppid, ptid
 *   MMAP        " %d/%d: [%#lx(%#lx) @ %#lx]: %c %s" (x, or r for PERF_RECORD_MISC_MMAP_DATA)
 *   MMAP2       " %d/%d: [%#lx(%#lx) @ %#lx %02x:%02x %lu %lu]: %c%c%c%c %s" (or " <build-id>" for maj..gen)
 *   SWITCH      " IN         " / " OUT        " / " OUT preempt"
 *   SWITCH_CPU_WIDE  the same, then "  next pid/tid: %5d/%-5d" (prev for IN)
 *   LOST        " lost %lu"
 *   NAMESPACES  " %d/%d - nr_namespaces: %u\n\t\t[" then "%u/%s: %lu/%#lx" joined by ", " (a
 *               "\n\t\t " before every fourth), "]"
 *   CGROUP      " cgroup: %lu %s"
 *   KSYMBOL     " addr %lx len %u type %u flags 0x%x name %s"
 *   BPF_EVENT   " type %u, flags %u, id %u"
 */
export function sideBandText(d: DecodedRecord): string {
  const f = d as Record<string, any>;
  let t = `PERF_RECORD_${d.name}`;
  switch (d.type) {
    case RecordType.COMM: t += `${d.misc & Misc.COMM_EXEC ? ' exec' : ''}: ${f.comm}:${f.pid}/${f.tid}`; break;
    case RecordType.FORK:
    case RecordType.EXIT: t += `(${f.pid}:${f.tid}):(${f.ppid}:${f.ptid})`; break;
    case RecordType.MMAP:
      t += ` ${f.pid}/${f.tid}: [${hexAlt(f.addr)}(${hexAlt(f.len)}) @ ${hexAlt(f.pgoff)}]: ${d.misc & Misc.MMAP_DATA ? 'r' : 'x'} ${f.filename}`;
      break;
    case RecordType.MMAP2: {
      const id = f.buildId ? `<${Buffer.from(f.buildId as Uint8Array).toString('hex')}>`
        : `${(f.maj as number).toString(16).padStart(2, '0')}:${(f.min as number).toString(16).padStart(2, '0')} ${f.ino} ${f.inoGeneration}`;
      const prot = `${f.prot & 1 ? 'r' : '-'}${f.prot & 2 ? 'w' : '-'}${f.prot & 4 ? 'x' : '-'}${f.flags & 1 ? 's' : 'p'}`;
      t += ` ${f.pid}/${f.tid}: [${hexAlt(f.addr)}(${hexAlt(f.len)}) @ ${hexAlt(f.pgoff)} ${id}]: ${prot} ${f.filename}`;
      break;
    }
    case RecordType.SWITCH:
    case RecordType.SWITCH_CPU_WIDE: {
      const out = (d.misc & Misc.SWITCH_OUT) !== 0;
      const inOut = !out ? 'IN         ' : !(d.misc & Misc.SWITCH_OUT_PREEMPT) ? 'OUT        ' : 'OUT preempt';
      t += ` ${inOut}`;
      if (d.type === RecordType.SWITCH_CPU_WIDE) t += `  ${out ? 'next' : 'prev'} pid/tid: ${String(f.nextPrevPid).padStart(5)}/${String(f.nextPrevTid).padEnd(5)}`;
      break;
    }
    case RecordType.LOST: t += ` lost ${f.lost}`; break;
    case RecordType.NAMESPACES: {
      const ns = f.namespaces as { dev: bigint; inode: bigint }[];
      t += ` ${f.pid}/${f.tid} - nr_namespaces: ${ns.length}\n\t\t[`;
      ns.forEach((n, i) => {
        if (i && i % 4 === 0) t += '\n\t\t ';
        t += `${i}/${NS_NAMES[i] ?? 'UNKNOWN'}: ${n.dev}/${hexAlt(n.inode)}${i + 1 !== ns.length ? ', ' : ']'}`;
      });
      break;
    }
    case RecordType.CGROUP: t += ` cgroup: ${f.id} ${f.path}`; break;
    case RecordType.KSYMBOL: t += ` addr ${(f.addr as bigint).toString(16)} len ${f.len} type ${f.ksymType} flags 0x${(f.flags as number).toString(16)} name ${f.symbol}`; break;
    case RecordType.BPF_EVENT: t += ` type ${f.bpfType}, flags ${f.flags}, id ${f.id}`; break;
    default: break;
  }
  return t + '\n';
}

const UTF8 = new TextDecoder();
const UTF8_ENC = new TextEncoder();
/** Size of PerfScriptPrinter's frame line arena blocks. */
const LINE_BLOCK = 1 << 20;
/** Buffer's encoders without write()'s argument juggling (Node's own fast paths). */
interface FastWrite { utf8Write(s: string, offset: number): number; latin1Write(s: string, offset: number): number }
const NEWLINE = Uint8Array.of(10);

/**
 * UTF-8 output in one large buffer, handed to `flush` (which must consume the bytes before it
 * returns) whenever it fills: per-sample strings are encoded once, repeated lines are copied
 * as bytes.
 */
export class ScriptOutput {
  private buf: Buffer;
  private readonly view: DataView;
  private pos = 0;
  constructor(private readonly flushBytes: (bytes: Uint8Array) => void, size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
  /** A string as UTF-8. */
  text(s: string): void {
    if (this.pos + s.length * 3 > this.buf.length) {
      this.flush();
      if (s.length * 3 > this.buf.length) { this.flushBytes(Buffer.from(s, 'utf8')); return; }
    }
    this.pos += (this.buf as unknown as FastWrite).utf8Write(s, this.pos);
  }
  /** A string of bytes (each char one byte, < 256). */
  latin1(s: string): void {
    if (this.pos + s.length > this.buf.length) {
      this.flush();
      if (s.length > this.buf.length) { this.flushBytes(Buffer.from(s, 'latin1')); return; }
    }
    this.pos += (this.buf as unknown as FastWrite).latin1Write(s, this.pos);
  }
  /** The bytes b[start, end). */
  range(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) { this.flushBytes(b.subarray(start, end)); return; }
    }
    const o = this.buf, p = this.pos;
    if (n > 24) o.set(b.subarray(start, end), p); // (a byte loop is slower past a few words)
    else for (let i = 0; i < n; i++) o[p + i] = b[start + i];
    this.pos = p + n;
  }
  /**
   * The bytes [start, end) of `v`, four at a time: as fast as set() of a subarray for a frame
   * line, without the view object per call (one per printed frame, ~1 GB of short-lived objects
   * for a system-wide recording, which kept the scavenger busy).
   */
  rangeOf(v: DataView, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) { this.flushBytes(new Uint8Array(v.buffer, v.byteOffset + start, n)); return; }
    }
    const o = this.view, p = this.pos;
    let i = 0;
    for (; i + 4 <= n; i += 4) o.setUint32(p + i, v.getUint32(start + i, true), true);
    for (; i < n; i++) o.setUint8(p + i, v.getUint8(start + i));
    this.pos = p + n;
  }
  bytes(b: Uint8Array): void {
    if (this.pos + b.length > this.buf.length) {
      this.flush();
      if (b.length > this.buf.length) { this.flushBytes(b); return; }
    }
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  flush(): void {
    if (this.pos) { const n = this.pos; this.pos = 0; this.flushBytes(this.buf.subarray(0, n)); }
  }
}

/** A frame replaced by an inline-chain entry: the entry's name at the frame's offset, "(inlined)" for the DSO. */
function inlineText(l: Loc, e: InlineEntry, f: number, name: (s: SymInfo) => string, src?: string): string {
  if (!e.inlined) return `\t${frameText(l, f, locHex(l), name, src)}\n`;
  let t = locHex(l).padStart(16);
  if (f & F.sym) t += ` ${f & F.symoff ? `${e.name}+0x${l.offset.toString(16)}` : e.name}`;
  if (src !== undefined) t += `\n  ${src}`;
  return `\t${t} (inlined)\n`;
}

function frameText(l: Loc, f: number, addr: string, name: (s: SymInfo) => string, src?: string): string {
  let t = addr.padStart(16);
  if (f & F.sym) t += ` ${l.sym ? (f & F.symoff ? `${name(l.sym)}+0x${l.offset.toString(16)}` : name(l.sym)) : '[unknown]'}`;
  if (f & F.dso) t += ` (${l.dso ? l.dso.longName : '[unknown]'})`;
  if (src !== undefined) t += `\n  ${src}`;
  return t;
}

/** The same text as one sequential string (V8 keeps `a + b` as a node pointing at both). */
function flatString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/**
 * A Loc's address as hex, made from its halves when it has them: the text is used once (the line
 * made from it is kept), so it is not left on the Loc (`addrHex` keeps what it makes: ~3 MB of
 * strings for the ~120k locations of a system-wide recording).
 */
function locHex(l: Loc): string {
  const hi = l.addrHi;
  return hi === undefined ? l.addrHex : hexOfHalves(hi, l.addrLo!);
}

function timeText(hi: number, lo: number, ns: boolean): string {
  if (hi < 0x200000) {
    const t = hi * 0x100000000 + lo;
    let secs = Math.floor(t / 1e9);
    let nsecs = t - secs * 1e9;
    if (nsecs < 0) { secs--; nsecs += 1e9; } else if (nsecs >= 1e9) { secs++; nsecs -= 1e9; }
    return ns ? `${String(secs).padStart(5)}.${String(nsecs).padStart(9, '0')}` : `${String(secs).padStart(5)}.${String(Math.floor(nsecs / 1000)).padStart(6, '0')}`;
  }
  const t = BigInt(hi) * 0x100000000n + BigInt(lo);
  const secs = t / 1000000000n, nsecs = t % 1000000000n;
  return ns ? `${String(secs).padStart(5)}.${String(nsecs).padStart(9, '0')}` : `${String(secs).padStart(5)}.${String(nsecs / 1000n).padStart(6, '0')}`;
}

function fallbackName(ev: PerfEvent): string {
  return `event-${ev.attr.type}:${ev.attr.config}`;
}


/** perf's MAX_NR_CPUS (6.1). */
export const MAX_NR_CPUS = 2048;

/**
 * -C: a CPU list as perf_cpu_map__new reads it ("0-3,5"), checked as perf_session__cpu_bitmap
 * does. Throws KscopeError with perf's message.
 */
export function parseCpuList(s: string, events: readonly PerfEvent[]): Set<number> {
  // perf checks the recording first: every event type's first event must sample the CPU
  const seen = new Set<number>();
  for (const ev of events) {
    if (seen.has(ev.attr.type)) continue;
    seen.add(ev.attr.type);
    if (!(Number(ev.attr.sampleType) & SampleType.CPU)) throw new KscopeError('File does not contain CPU events. Remove -C option to proceed.', 'record with -a (or perf record --sample-cpu) to have CPUs in the samples');
  }
  const out = new Set<number>();
  const invalid = () => new KscopeError('Invalid cpu_list', 'CPU lists look like 0-3,5');
  if (!/^\d/.test(s)) throw invalid();
  for (const part of s.split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw invalid();
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b >= 0x7fffffff) throw invalid();
    for (let c = a; c <= b; c++) {
      if (c >= MAX_NR_CPUS) throw new KscopeError(`Requested CPU ${c} too large. Consider raising MAX_NR_CPUS`);
      out.add(c);
    }
  }
  return out;
}
