// The `trace` sort key's text: a tracepoint sample's formatted fields as perf 6.1's get_trace_output
// prints them (sort.c: tep_print_event "%s" TEP_PRINT_INFO over the entry's raw data, the text
// `perf script` prints after the event name), from the recording's TRACING_DATA feature.
import { Feature, Misc, PerfType } from '../formats/perfdata/constants.js';
import type { PerfDataFile } from '../formats/perfdata/reader.js';
import type { PerfEvent, PerfSample } from '../formats/perfdata/sample.js';
import { decodeTracingData } from '../formats/perfdata/tracing-data.js';
import { parseEventFormat } from '../formats/tracefs/event-format.js';
import { compilePrintFmt, parsePrintkFormats, type PrintFmtEvaluator } from '../formats/tracefs/print-fmt.js';
import type { Machine, Thread } from './machine.js';

export class TraceOutput {
  private formats: Map<number, PrintFmtEvaluator> | undefined;
  private thread: Thread | undefined;

  constructor(private readonly file: PerfDataFile, private readonly machine: Machine) {}

  /** The trace text of a sample of `ev`; undefined for events that are not tracepoints (perf prints "N/A"). */
  text(ev: PerfEvent, s: PerfSample, thread: Thread): string | undefined {
    if (ev.attr.type !== PerfType.TRACEPOINT || !s.raw) return undefined;
    this.thread = thread;
    const f = this.evaluators().get(Number(ev.attr.config));
    return f ? f.format(s.raw) : '';
  }

  private evaluators(): Map<number, PrintFmtEvaluator> {
    if (this.formats) return this.formats;
    this.formats = new Map();
    const bytes = this.file.readFeature(Feature.TRACING_DATA);
    if (!bytes) return this.formats;
    const td = decodeTracingData(bytes, { file: this.file.name });
    const printk = parsePrintkFormats(td.printk);
    const resolveKernelSymbol = (addr: bigint) => {
      const hi = Number(addr >> 32n), lo = Number(addr & 0xffffffffn);
      const l = this.machine.locate(this.thread!, Misc.KERNEL, hi, lo, false);
      return l.sym ? { name: l.sym.name, start: addr - BigInt(l.offset) } : undefined;
    };
    for (const sys of td.systems) {
      for (const text of sys.formats) {
        const fmt = parseEventFormat(text, this.file.name);
        this.formats.set(fmt.id, compilePrintFmt(fmt, { longSize: td.longSize, bigEndian: td.bigEndian, printk, resolveKernelSymbol }));
      }
    }
    return this.formats;
  }
}
