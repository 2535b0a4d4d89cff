// perf.data files, file mode and pipe mode (tools/perf/util/header.h, header.c, session.c; perf 6.1).
//
// File mode:
//   struct perf_file_section { u64 offset; u64 size; };
//   struct perf_file_header {
//     u64 magic;                          // "PERFILE2"; byte-swapped means a big-endian file
//     u64 size;                           // sizeof(perf_file_header): 104 (72 = before adds_features)
//     u64 attr_size;                      // sizeof(struct perf_file_attr) = attr + 16
//     struct perf_file_section attrs;     // attrs.size / attr_size entries of perf_file_attr
//     struct perf_file_section data;      // records; size 0 = killed recording: read to the end
//     struct perf_file_section event_types; // ignored, as perf does
//     DECLARE_BITMAP(adds_features, 256); // 4 u64
//   };
//   struct perf_file_attr { struct perf_event_attr attr; struct perf_file_section ids; /* u64 ids[] */ };
//   Feature index: at data.offset + data.size, one perf_file_section per set feature bit, in bit order.
//
// Pipe mode (`perf record -o -`):
//   struct perf_pipe_file_header { u64 magic; u64 size; /* 16 */ };
//   then records only: attrs as PERF_RECORD_HEADER_ATTR { header; perf_event_attr attr; u64 id[]; },
//   features as PERF_RECORD_HEADER_FEATURE { header; u64 feat_id; char data[]; }, tracing data as
//   PERF_RECORD_HEADER_TRACING_DATA (payload after the record), build-ids as HEADER_BUILD_ID.
import { FormatError } from '../../util/errors.js';
import { Reader } from '../../util/reader.js';
import { BufferSource, type RandomAccessSource, type StreamSource } from '../../util/byte-source.js';
import { decodeAttr, type PerfEventAttr } from './attr.js';
import { Feature, PERF_EVENT_HEADER_SIZE, PERF_PIPE_HEADER_SIZE, RecordType } from './constants.js';
import { ByteWindow, RangeStream, RecordWalker, WindowRecord, readU16, readU32, type PerfRecord } from './stream.js';
import { Decompressor } from './compressed.js';
import { EventSet, decodeSample, type PerfEvent, type PerfSample } from './sample.js';
import { orderRecords, orderRecordsTransient, orderedRecordPuller } from './ordering.js';

const MAGIC_LE = 0x454c4946; // "FILE" of "PERFILE2" read as the high u32 of a LE u64
const MAGIC_STR = 'PERFILE2';

/** True when the bytes start with the perf.data magic in either byte order. */
export function isPerfData(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 8) return false;
  const s = String.fromCharCode(...bytes.subarray(0, 8));
  return s === MAGIC_STR || s === MAGIC_STR.split('').reverse().join('');
}

export interface FileSection { offset: number; size: number }

export interface PerfFileHeader {
  /** true for pipe mode (16-byte header, everything in records). */
  pipe: boolean;
  littleEndian: boolean;
  /** The header's own size field (104 normally, 16 in pipe mode). */
  size: number;
  attrSize: number;
  attrs: FileSection;
  /** data.size as found (0 for a killed recording); `dataEnd` is where records really end. */
  data: FileSection;
  dataEnd: number;
  eventTypes: FileSection;
  /** Feature bits set in adds_features (file mode) or seen as HEADER_FEATURE records (pipe mode). */
  features: number[];
}

export interface OpenOptions {
  /** Window size for the record walk (default 4 MiB). */
  chunk?: number;
  /** Stop decompressing COMPRESSED records past this many bytes (default 16 GiB). */
  maxDecompressed?: number;
}

export interface RecordsOptions {
  /** Yield the records inside COMPRESSED/COMPRESSED2 after the compressed record itself (default true). */
  decompress?: boolean;
  /**
   * The caller is done with each record (and its bytes) when it asks for the next one: the file is
   * read through one reused buffer and orderedRecords copies what it queues into a compact arena
   * (ordering.ts orderRecordsTransient); records and bytes must not be kept.
   */
  transient?: boolean;
  /** With transient: called just before the reused read buffer is overwritten (records from it go stale). */
  beforeRefill?: () => void;
}

/**
 * An open perf.data file or stream. In file mode the header, attrs and feature index are read at
 * open; in pipe mode the header records before the first kernel record (ATTR, FEATURE,
 * TRACING_DATA, EVENT_UPDATE, ...) are read at open and replayed by records().
 */
export class PerfDataFile {
  readonly header: PerfFileHeader;
  /** Events with their attrs and ids; the sample layout facts (id_pos, is_pos). */
  readonly events: EventSet;
  /** Feature sections: file mode, absolute {offset, size}; pipe mode, offset of the record payload. */
  readonly features = new Map<number, FileSection>();
  private featureBytes = new Map<number, Uint8Array>();
  private src: RandomAccessSource | undefined;
  private stream: StreamSource | undefined;
  private pipeWalker: RecordWalker | undefined;
  private pipePreamble: PerfRecord[] = [];
  private consumed = false;

  constructor(readonly name: string, source: RandomAccessSource | StreamSource, private opts: OpenOptions = {}) {
    if ('read' in source) {
      this.src = source;
      const head = source.read(0, 16);
      this.header = readFileHeader(source, name);
      this.events = new EventSet(name, this.header.littleEndian);
      if (this.header.pipe) {
        this.stream = new RangeStream(source, 16, source.size);
        void head;
      } else {
        this.readAttrs();
        this.readFeatureIndex();
      }
    } else {
      this.stream = source;
      const win = new ByteWindow(source, 0, opts.chunk);
      if (!win.ensure(PERF_PIPE_HEADER_SIZE)) throw new FormatError(name, 0, 'a perf.data header (16 bytes)', `${win.available} bytes`);
      this.header = parsePipeHeader(win.buf.subarray(0, 16), name);
      if (!this.header.pipe) throw new FormatError(name, 8, 'a pipe-mode header (size 16) when reading a stream; save file-mode perf.data to a file first', `size ${readU32(win.buf, 8, this.header.littleEndian)}`);
      win.pos = 16;
      this.events = new EventSet(name, this.header.littleEndian);
      this.pipeWalker = new RecordWalker(win, name, this.header.littleEndian);
    }
    if (this.header.pipe) this.readPipePreamble();
  }

  get littleEndian(): boolean { return this.header.littleEndian; }
  get pipe(): boolean { return this.header.pipe; }

  private readAttrs(): void {
    const h = this.header, src = this.src!;
    if (h.attrs.size === 0) return;
    if (h.attrSize < 64 + 16) throw new FormatError(this.name, 16, 'attr_size of at least 80 (perf_event_attr VER0 + perf_file_section)', String(h.attrSize));
    if (h.attrs.size % h.attrSize !== 0) throw new FormatError(this.name, 32, `attrs.size a multiple of attr_size ${h.attrSize}`, String(h.attrs.size));
    const r = new Reader(src.read(h.attrs.offset, h.attrs.size), h.attrs.offset, this.name, h.littleEndian);
    if (r.length !== h.attrs.size) r.fail(`an attrs section of ${h.attrs.size} bytes`, `${r.length} bytes before the end of the file`);
    const n = h.attrs.size / h.attrSize;
    for (let i = 0; i < n; i++) {
      const slot = r.sub(h.attrSize, 'perf_file_attr');
      const attr = decodeAttr(slot, h.attrSize - 16);
      const idsOffset = slot.u64n('ids.offset');
      const idsSize = slot.u64n('ids.size');
      if (idsSize % 8 !== 0 || idsOffset + idsSize > src.size) slot.fail(`an ids section inside the file (${src.size} bytes)`, `{offset ${idsOffset}, size ${idsSize}}`, h.attrSize - 16);
      const ir = new Reader(src.read(idsOffset, idsSize), idsOffset, this.name, h.littleEndian);
      const ids: number[] = [];
      for (let k = 0; k < idsSize / 8; k++) ids.push(ir.u64n('sample id'));
      this.events.add(attr, ids);
    }
  }

  private readFeatureIndex(): void {
    const h = this.header, src = this.src!;
    if (h.features.length === 0) return;
    // A killed recording has data.size 0 and no feature index (perf then reads records to the end).
    if (h.data.size === 0) return;
    const at = h.data.offset + h.data.size;
    const r = new Reader(src.read(at, h.features.length * 16), at, this.name, h.littleEndian);
    for (const bit of h.features) {
      const offset = r.u64n('feature section offset');
      const size = r.u64n('feature section size');
      if (offset + size > src.size) r.fail(`feature ${bit} section inside the file (${src.size} bytes)`, `{offset ${offset}, size ${size}}`, r.pos - 16);
      this.features.set(bit, { offset, size });
    }
  }

  private readPipePreamble(): void {
    const w = this.pipeWalker ?? (this.pipeWalker = new RecordWalker(new ByteWindow(this.stream!, 16, this.opts.chunk), this.name, this.header.littleEndian));
    for (;;) {
      const rec = w.next();
      if (!rec) break;
      this.pipePreamble.push(rec);
      this.noteUserRecord(rec);
      if (rec.type < 64 || rec.type === RecordType.FINISHED_ROUND || rec.type === RecordType.COMPRESSED || rec.type === RecordType.COMPRESSED2 || rec.type === RecordType.FINISHED_INIT) break;
    }
  }

  /** Learns attrs, features and event names from pipe-mode user records as they pass. */
  private noteUserRecord(rec: PerfRecord): void {
    const le = this.header.littleEndian;
    if (rec.type === RecordType.EVENT_UPDATE && rec.size >= 24) {
      // struct perf_record_event_update { header; u64 type; u64 id; union { ... char name[]; } };  type 2 = NAME
      if (readU32(rec.bytes, le ? 8 : 12, le) === 2 && readU32(rec.bytes, le ? 12 : 8, le) === 0) {
        const id = readU32(rec.bytes, le ? 20 : 16, le) * 2 ** 32 + readU32(rec.bytes, le ? 16 : 20, le);
        const ev = this.events.eventById(id);
        if (ev) {
          const b = rec.bytes.subarray(24);
          const end = b.indexOf(0);
          ev.name = new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
        }
      }
      return;
    }
    if (!this.header.pipe) return;
    if (rec.type === RecordType.HEADER_ATTR) {
      const r = new Reader(rec.bytes, rec.fileOffset, this.name, le);
      r.pos = 8;
      if (rec.size < 8 + 64) r.fail('PERF_RECORD_HEADER_ATTR with a perf_event_attr (at least 72 bytes)', `size ${rec.size}`);
      let asz = readU32(rec.bytes, 12, le);
      if (asz === 0) asz = 64;
      if (asz < 64 || 8 + asz > rec.size) r.fail(`perf_event_attr.size within the record (${rec.size - 8} bytes)`, String(asz), 12);
      const attr = decodeAttr(r, asz);
      const ids: number[] = [];
      while (r.remaining >= 8) ids.push(r.u64n('sample id'));
      this.events.add(attr, ids);
      this.header.attrs = { offset: 0, size: 0 };
    } else if (rec.type === RecordType.HEADER_FEATURE) {
      if (rec.size < 16) throw new FormatError(this.name, rec.fileOffset, 'PERF_RECORD_HEADER_FEATURE of at least 16 bytes', `size ${rec.size}`);
      const lo = readU32(rec.bytes, le ? 8 : 12, le), hi = readU32(rec.bytes, le ? 12 : 8, le);
      if (hi !== 0 || lo >= 256) throw new FormatError(this.name, rec.fileOffset + 8, 'a feature id below 256', String(hi * 2 ** 32 + lo));
      this.setPipeFeature(lo, rec.fileOffset + 16, rec.bytes.slice(16));
    } else if (rec.type === RecordType.HEADER_TRACING_DATA && rec.payload) {
      this.setPipeFeature(Feature.TRACING_DATA, rec.fileOffset + rec.size, rec.payload, false);
    } else if (rec.type === RecordType.HEADER_BUILD_ID) {
      // perf's pipe-mode build-ids are one record per DSO: the BUILD_ID feature is their concatenation.
      const prev = this.featureBytes.get(Feature.BUILD_ID);
      const body = rec.bytes;
      const merged = prev ? concat(prev, body) : body.slice();
      this.setPipeFeature(Feature.BUILD_ID, rec.fileOffset, merged, false);
    }
  }

  /**
   * Pipe mode: HEADER_FEATURE payloads are listed in `features` (as perf prints them); TRACING_DATA
   * and BUILD_ID, which come as their own records, are only served by readFeature.
   */
  private setPipeFeature(id: number, offset: number, bytes: Uint8Array, listed = true): void {
    if (listed) {
      if (!this.features.has(id)) this.header.features.push(id);
      this.features.set(id, { offset, size: bytes.byteLength });
    }
    this.featureBytes.set(id, bytes);
  }

  /** The raw bytes of a feature section (pipe mode: the HEADER_FEATURE payload), or undefined. */
  readFeature(id: number): Uint8Array | undefined {
    const kept = this.featureBytes.get(id);
    if (kept) return kept;
    const sec = this.features.get(id);
    if (!sec || !this.src) return undefined;
    const b = this.src.read(sec.offset, sec.size);
    if (b.byteLength !== sec.size) throw new FormatError(this.name, sec.offset, `feature ${id} section of ${sec.size} bytes`, `${b.byteLength} bytes before the end`);
    return b;
  }

  /**
   * Records in file order. Records inside COMPRESSED/COMPRESSED2 follow the compressed record
   * that finishes them (unless `decompress: false`). In pipe mode the stream can be walked once.
   */
  *records(opts: RecordsOptions = {}): Generator<PerfRecord> {
    const it = this.recordIterator(opts);
    for (let r = it(); r; r = it()) yield r;
  }

  /** Records in the order perf delivers them (ordered_events between FINISHED_ROUND; see ordering.ts). */
  orderedRecords(opts: RecordsOptions = {}): Generator<PerfRecord> {
    if (opts.transient) return orderRecordsTransient(this.recordIterator(opts), this.events);
    return orderRecords(this.records(opts), this.events);
  }

  /**
   * orderedRecords({ transient: true }) as a pull function (null at the end): the record returned
   * and its bytes are valid until the next call. No generator between the reader and a hot loop.
   */
  orderedRecordPuller(opts: Omit<RecordsOptions, 'transient' | 'beforeRefill'> = {}): () => PerfRecord | null {
    // queued records are copied a window span at a time, just before the window is refilled
    let flush = (): void => {};
    const pull = orderedRecordPuller(this.recordIterator({ ...opts, transient: true, beforeRefill: () => flush() }), this.events, undefined, true);
    flush = pull.beforeRefill;
    return pull;
  }

  /**
   * The fastest walk, for header-only work such as --stats: `visit(type, buf, pos, size, fileOffset)`
   * sees each record at buf[pos, pos + size) during the call only, in file order, records from
   * COMPRESSED following it (as records() yields them). No object is made per record.
   */
  scanRecords(visit: (type: number, buf: Uint8Array, pos: number, size: number, fileOffset: number) => void, opts: RecordsOptions = {}): void {
    const decompress = opts.decompress ?? true;
    const { walker, preamble, learn } = this.startWalk();
    walker.win.reuse = true;
    const h = this.header;
    let zstd: Decompressor | undefined;
    const handle = (rec: PerfRecord) => {
      visit(rec.type, rec.bytes, 0, rec.size, rec.fileOffset);
      if (rec.type >= 64) {
        if (learn) this.noteUserRecord(rec);
        if (decompress && (rec.type === RecordType.COMPRESSED || rec.type === RecordType.COMPRESSED2)) {
          zstd ??= new Decompressor(this.name, h.littleEndian, this.opts.maxDecompressed ?? 16 * 2 ** 30);
          for (const r of zstd.push(rec)) visit(r.type, r.bytes, 0, r.size, r.fileOffset);
        }
      }
    };
    for (const rec of preamble) handle(rec);
    walker.scan((type, buf, pos, size, at, rec) => {
      if (type < 64) { visit(type, buf, pos, size, at); return; }
      handle(rec ?? { type, misc: readU16(buf, pos + 4, h.littleEndian), size, fileOffset: at, bytes: buf.subarray(pos, pos + size) });
    });
  }

  private startWalk(): { walker: RecordWalker; preamble: PerfRecord[]; learn: boolean } {
    const h = this.header;
    if (h.pipe && this.consumed && this.src) {
      // A pipe-mode file on disk: walk again from the start; attrs and features are known already.
      return { walker: new RecordWalker(new ByteWindow(new RangeStream(this.src, 16, this.src.size), 16, this.opts.chunk), this.name, h.littleEndian), preamble: [], learn: false };
    }
    if (h.pipe) {
      if (this.consumed) throw new FormatError(this.name, 0, 'a stream read only once (pipe mode)', 'a second walk');
      this.consumed = true;
      const preamble = this.pipePreamble;
      this.pipePreamble = [];
      return { walker: this.pipeWalker!, preamble, learn: true };
    }
    const start = h.data.offset;
    const end = h.dataEnd;
    return { walker: new RecordWalker(new ByteWindow(new RangeStream(this.src!, start, end), start, this.opts.chunk), this.name, h.littleEndian, end), preamble: [], learn: true };
  }

  /** A pull function over the records (faster than the generator in hot loops); null at the end. */
  recordIterator(opts: RecordsOptions = {}): () => PerfRecord | null {
    const decompress = opts.decompress ?? true;
    const h = this.header;
    const { walker, preamble, learn } = this.startWalk();
    const transient = opts.transient === true;
    if (transient) { walker.win.reuse = true; walker.win.beforeRefill = opts.beforeRefill; }
    const winRec = new WindowRecord();
    let zstd: Decompressor | undefined;
    let queue: PerfRecord[] = [];
    let qi = 0;
    let pi = 0;
    return () => {
      if (qi < queue.length) return queue[qi++];
      let rec: PerfRecord | null;
      if (pi < preamble.length) rec = preamble[pi++];
      else {
        rec = transient ? walker.nextInto(winRec) : walker.next();
        if (rec && rec.type >= 64 && learn) this.noteUserRecord(rec);
      }
      if (!rec) return null;
      if (decompress && (rec.type === RecordType.COMPRESSED || rec.type === RecordType.COMPRESSED2)) {
        zstd ??= new Decompressor(this.name, h.littleEndian, this.opts.maxDecompressed ?? 16 * 2 ** 30);
        queue = zstd.push(rec);
        qi = 0;
      }
      return rec;
    };
  }

  /** Decodes a SAMPLE record (finds its event by id when there are several). */
  decodeSample(rec: PerfRecord, out?: PerfSample): PerfSample {
    const ev = this.events.eventOf(rec);
    if (!ev) throw new FormatError(this.name, rec.fileOffset, 'a sample whose id matches an attr', 'an unknown sample id');
    return decodeSample(rec, ev, this.name, this.header.littleEndian, out);
  }

  eventOf(rec: PerfRecord): PerfEvent | undefined { return this.events.eventOf(rec); }

  get attrs(): PerfEventAttr[] { return this.events.events.map((e) => e.attr); }

  close(): void { this.src?.close?.(); this.stream?.close?.(); }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = new Uint8Array(a.byteLength + b.byteLength);
  o.set(a, 0); o.set(b, a.byteLength);
  return o;
}

function parsePipeHeader(b: Uint8Array, name: string): PerfFileHeader {
  const le = magicOrder(b, name);
  const r = new Reader(b, 0, name, le);
  r.pos = 8;
  const size = r.u64n('perf_file_header.size');
  const pipe = size === PERF_PIPE_HEADER_SIZE;
  return {
    pipe, littleEndian: le, size, attrSize: 0, attrs: { offset: 0, size: 0 }, data: { offset: 16, size: 0 },
    dataEnd: Infinity, eventTypes: { offset: 0, size: 0 }, features: [],
  };
}

function magicOrder(b: Uint8Array, name: string): boolean {
  const s = String.fromCharCode(...b.subarray(0, 8));
  if (s === MAGIC_STR) return true;
  if (s === '2ELIFREP') return false;
  void MAGIC_LE;
  throw new FormatError(name, 0, 'the perf.data magic "PERFILE2"', JSON.stringify(s));
}

/** Reads struct perf_file_header (or the pipe header) from the start of a random-access source. */
export function readFileHeader(src: RandomAccessSource, name = src.name): PerfFileHeader {
  const head = src.read(0, 16);
  if (head.byteLength < 16) throw new FormatError(name, 0, 'a perf.data header (at least 16 bytes)', `${head.byteLength} bytes`);
  const le = magicOrder(head, name);
  const hdr = parsePipeHeader(head, name);
  if (hdr.pipe) { hdr.dataEnd = src.size; return hdr; }
  const size = hdr.size;
  if (size !== 104 && size !== 72 && !(size > 104 && size < 4096)) throw new FormatError(name, 8, 'perf_file_header.size 104 (or 72 for old files, 16 for pipe mode)', String(size));
  const r = new Reader(src.read(0, Math.min(size, 104)), 0, name, le);
  if (r.length < Math.min(size, 104)) r.fail(`a perf_file_header of ${size} bytes`, `${r.length} bytes`);
  r.pos = 16;
  const attrSize = r.u64n('attr_size');
  const sec = (what: string): FileSection => {
    const at = r.pos;
    const offset = r.u64n(`${what}.offset`);
    const sz = r.u64n(`${what}.size`);
    if (offset > src.size || offset + sz > src.size) r.fail(`the ${what} section inside the file (${src.size} bytes)`, `{offset ${offset}, size ${sz}}`, at);
    return { offset, size: sz };
  };
  const attrs = sec('attrs');
  const data = sec('data');
  const eventTypes = { offset: r.u64n('event_types.offset'), size: r.u64n('event_types.size') };
  const features: number[] = [];
  if (size >= 104) {
    for (let w = 0; w < 8; w++) {
      const word = r.u32('adds_features');
      // The bitmap is an array of unsigned long (u64); in a big-endian file the u32 halves swap.
      const base = le ? w * 32 : (w ^ 1) * 32;
      for (let bit = 0; bit < 32; bit++) if (word & (1 << bit)) features.push(base + bit);
    }
    features.sort((a, b) => a - b);
  }
  if (data.offset < size && data.size > 0) r.fail('a data section after the header', `offset ${data.offset}`, 40);
  const dataEnd = data.size === 0 ? src.size : data.offset + data.size;
  return { pipe: false, littleEndian: le, size, attrSize, attrs, data, dataEnd, eventTypes, features };
}

/** Opens perf.data from a random-access source (a file or buffer) or a stream (stdin, pipe mode). */
export function openPerfData(source: RandomAccessSource | StreamSource | Uint8Array, name?: string, opts: OpenOptions = {}): PerfDataFile {
  const src = source instanceof Uint8Array ? new BufferSource(source, name ?? '<buffer>') : source;
  return new PerfDataFile(name ?? src.name, src, opts);
}

export { PERF_EVENT_HEADER_SIZE };
