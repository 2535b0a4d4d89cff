// The TRACING_DATA payload (feature section HEADER_TRACING_DATA, or the bytes following a
// PERF_RECORD_HEADER_TRACING_DATA record in pipe mode), split into its parts.
// Source: tools/perf/util/trace-event-info.c (writer) and trace-event-read.c (reader), perf 6.1.
//
//   char magic[10] = "\027\bDtracing";  char version[] (NUL-terminated, "0.6");
//   u8 file_bigendian;  u8 long_size;  u32 page_size;
//   "header_page\0"  u64 size; char text[size];
//   "header_event\0" u64 size; char text[size];
//   u32 nr_ftrace_formats; { u64 size; char format[size]; } ...
//   u32 nr_systems; { char system[] (NUL-terminated); u32 nr; { u64 size; char format[size]; } ... } ...
//   u32 kallsyms_size; char kallsyms[kallsyms_size];      (perf ≥ 6.0 writes size 0)
//   u32 printk_size;   char printk_formats[printk_size];
//   version >= 0.6:   u64 cmdlines_size; char saved_cmdlines[cmdlines_size];
//
// Numbers after the endianness byte are in the byte order that byte names.
import { Reader, decodeText } from '../../util/reader.js';

export const TRACING_DATA_MAGIC = new Uint8Array([23, 8, 68, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67]);

export interface TracingSystem {
  name: string;
  /** Each event's tracefs `format` text. */
  formats: string[];
}

export interface TracingData {
  /** "0.5" or "0.6". */
  version: string;
  bigEndian: boolean;
  longSize: number;
  pageSize: number;
  headerPage: string;
  headerEvent: string;
  /** events/ftrace/<event>/format texts. */
  ftraceFormats: string[];
  systems: TracingSystem[];
  kallsyms: string;
  printk: string;
  /** Present when version >= 0.6. */
  savedCmdlines?: string;
  /** Bytes the parts took (the section may be longer by padding). */
  size: number;
}

/** True when the bytes begin with the tracing-data magic. */
export function isTracingData(bytes: Uint8Array): boolean {
  if (bytes.length < TRACING_DATA_MAGIC.length) return false;
  for (let i = 0; i < TRACING_DATA_MAGIC.length; i++) if (bytes[i] !== TRACING_DATA_MAGIC[i]) return false;
  return true;
}

export function decodeTracingData(bytes: Uint8Array, opts: { file?: string; fileOffset?: number } = {}): TracingData {
  const r = new Reader(bytes, opts.fileOffset ?? 0, opts.file ?? '<bytes>', true);
  if (!isTracingData(bytes)) r.fail('the tracing data magic "\\027\\bDtracing"');
  r.skip(10);
  const version = r.cstring('tracing data version');
  const bigEndian = r.u8('endianness byte') !== 0;
  r.littleEndian = !bigEndian;
  const longSize = r.u8('long size');
  const pageSize = r.u32('page size');
  if (pageSize === 0) r.fail('a non-zero page size', '0', r.pos - 4);
  const text = (n: number, what: string) => decodeText(r.bytesN(n, what));
  const tag = (t: string) => {
    const at = r.pos;
    const s = r.cstring(`"${t}" tag`);
    if (s !== t) r.fail(`"${t}" tag`, JSON.stringify(s), at);
  };
  const u64Text = (what: string) => text(r.u64n(`${what} size`), what);
  tag('header_page');
  const headerPage = u64Text('header_page');
  tag('header_event');
  const headerEvent = u64Text('header_event');
  const counted = <T>(n: number, what: string, f: () => T): T[] => {
    if (n * 8 > r.remaining) r.fail(`${n} ${what}`, `${r.remaining} bytes left`, r.pos - 4);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(f());
    return out;
  };
  const ftraceFormats = counted(r.u32('ftrace format count'), 'ftrace formats', () => u64Text('ftrace format'));
  const systems = counted(r.u32('system count'), 'systems', () => {
    const name = r.cstring('system name');
    const formats = counted(r.u32('event format count'), 'event formats', () => u64Text('event format'));
    return { name, formats };
  });
  const kallsyms = text(r.u32('kallsyms size'), 'kallsyms');
  const printk = text(r.u32('printk formats size'), 'printk formats');
  const out: TracingData = { version, bigEndian, longSize, pageSize, headerPage, headerEvent, ftraceFormats, systems, kallsyms, printk, size: 0 };
  if (parseFloat(version) >= 0.6) out.savedCmdlines = u64Text('saved cmdlines');
  out.size = r.pos;
  return out;
}

const enc = new TextEncoder();

/** Encodes the parts as perf's tracing_data_get writes them (no trailing padding; `size` is ignored). */
export function encodeTracingData(d: TracingData): Uint8Array {
  const chunks: Uint8Array[] = [];
  const le = !d.bigEndian;
  const num = (n: number | bigint, size: 4 | 8) => {
    const b = new Uint8Array(size);
    const v = new DataView(b.buffer);
    if (size === 4) v.setUint32(0, Number(n) >>> 0, le); else v.setBigUint64(0, BigInt(n), le);
    chunks.push(b);
  };
  const cstr = (s: string) => { chunks.push(enc.encode(s), new Uint8Array(1)); };
  const blob64 = (s: string) => { const b = enc.encode(s); num(b.length, 8); chunks.push(b); };
  const blob32 = (s: string) => { const b = enc.encode(s); num(b.length, 4); chunks.push(b); };
  chunks.push(TRACING_DATA_MAGIC);
  cstr(d.version);
  chunks.push(new Uint8Array([d.bigEndian ? 1 : 0, d.longSize]));
  num(d.pageSize, 4);
  cstr('header_page'); blob64(d.headerPage);
  cstr('header_event'); blob64(d.headerEvent);
  num(d.ftraceFormats.length, 4);
  for (const f of d.ftraceFormats) blob64(f);
  num(d.systems.length, 4);
  for (const s of d.systems) {
    cstr(s.name);
    num(s.formats.length, 4);
    for (const f of s.formats) blob64(f);
  }
  blob32(d.kallsyms);
  blob32(d.printk);
  if (parseFloat(d.version) >= 0.6) blob64(d.savedCmdlines ?? '');
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}
