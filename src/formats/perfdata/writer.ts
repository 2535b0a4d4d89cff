// perf.data writers: file mode (random access, header patched at the end) and pipe mode (a stream).
//
// File mode, as perf 6.1 lays it out (tools/perf/util/header.c, perf_session__do_write_header and
// perf_header__adds_write):
//
//   struct perf_file_header {            // 104 bytes, at offset 0, written last
//     u64 magic;                         // "PERFILE2"
//     u64 size;                          // sizeof(perf_file_header) = 104
//     u64 attr_size;                     // sizeof(perf_file_attr) = attr size + 16
//     struct perf_file_section attrs;    // { u64 offset; u64 size; }
//     struct perf_file_section data;
//     struct perf_file_section event_types;  // ignored by perf; zeros
//     DECLARE_BITMAP(adds_features, 256);    // 4 x u64
//   };
//   u64 ids[] of each attr, one array after the other   // at 104
//   struct perf_file_attr { perf_event_attr attr; perf_file_section ids; } attrs[]
//   data records                                         // data.offset
//   struct perf_file_section feat_sec[popcount(adds_features)]   // at data.offset + data.size
//   feature payloads, in feature-bit order
//
// Attributes known before the first record go before the data, exactly as perf does. Ones added
// after records were written (a pipe whose HEADER_ATTR comes late) go after the feature payloads;
// perf finds them through attrs.offset either way.
//
// Pipe mode (perf_header__write_pipe, perf_event__synthesize_for_pipe):
//   struct perf_pipe_file_header { u64 magic; u64 size; }   // size = 16
//   PERF_RECORD_HEADER_ATTR     { header; perf_event_attr attr; u64 id[]; }
//   PERF_RECORD_HEADER_FEATURE  { header; u64 feat_id; u8 data[]; } ..., then feat_id = HEADER_LAST_FEATURE
//   PERF_RECORD_HEADER_TRACING_DATA { header; u32 size; u32 pad; } followed by `size` bytes (8-aligned)
//   PERF_RECORD_HEADER_BUILD_ID { header; pid_t pid; u8 build_id[24]; char filename[]; }
//   data records, PERF_RECORD_FINISHED_INIT after the synthesized ones
import type { ByteSink, RandomAccessSink } from '../../util/byte-sink.js';
import { encodeAttr, PERF_ATTR_SIZE_VER7, type PerfEventAttr } from './attr.js';
import { Feature, PERF_FILE_HEADER_SIZE, PERF_PIPE_HEADER_SIZE, RecordType } from './constants.js';

/** One event: its attr and the sample ids the kernel gave its file descriptors. */
export interface AttrWithIds {
  attr: PerfEventAttr;
  ids: readonly SampleId[];
}

/** A u64 sample id: kernel ids are small counters, so numbers are exact too. */
export type SampleId = bigint | number;

export interface WriterOptions {
  /** Byte order of the output; default little-endian (x86_64, arm64). */
  littleEndian?: boolean;
  /**
   * sizeof(struct perf_event_attr) to write. Default 128 (PERF_ATTR_SIZE_VER7), what perf 6.1
   * writes and the largest it reads: it rejects attrs that claim a larger size.
   */
  attrSize?: number;
}

const PERF_FILE_SECTION_SIZE = 16;
const MAGIC = new TextEncoder().encode('PERFILE2');

/** Checks a record's header against its byte length; returns the header's size. */
function checkRecord(bytes: Uint8Array, littleEndian: boolean): number {
  if (bytes.byteLength < 8) throw new RangeError(`a perf record needs an 8-byte header, got ${bytes.byteLength} bytes`);
  const size = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint16(6, littleEndian);
  if (size !== bytes.byteLength) throw new RangeError(`record header says size ${size} but ${bytes.byteLength} bytes were given`);
  return size;
}

function encodeIds(ids: readonly SampleId[], le: boolean): Uint8Array {
  const out = new Uint8Array(ids.length * 8);
  const v = new DataView(out.buffer);
  ids.forEach((id, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(id)), le));
  return out;
}

function attrBytes(attr: PerfEventAttr, attrSize: number, le: boolean): Uint8Array {
  return encodeAttr({ ...attr, size: attrSize }, attrSize, le);
}

/**
 * Writes a perf.data file record by record. Memory stays bounded: records go straight to the
 * sink; only attrs and feature payloads are kept until finish().
 */
export class PerfDataWriter {
  readonly littleEndian: boolean;
  readonly attrSize: number;
  private attrs: { attr: PerfEventAttr; ids: readonly SampleId[]; idOffset: number }[] = [];
  private attrsOffset = 0;
  private placedAttrs = 0;
  private dataOffset = -1;
  private features = new Map<number, Uint8Array>();
  private finished = false;

  constructor(readonly sink: RandomAccessSink, attrs: readonly AttrWithIds[] = [], opts: WriterOptions = {}) {
    this.littleEndian = opts.littleEndian ?? true;
    this.attrSize = opts.attrSize ?? PERF_ATTR_SIZE_VER7;
    if (sink.position !== 0) throw new RangeError(`${sink.name}: a perf.data file must start at offset 0`);
    sink.write(new Uint8Array(PERF_FILE_HEADER_SIZE)); // reserved; patched by finish()
    for (const a of attrs) this.addAttr(a.attr, a.ids);
  }

  /** Bytes of records written so far. */
  get dataSize(): number { return this.dataOffset < 0 ? 0 : this.sink.position - this.dataOffset; }

  /** Number of attrs added so far (index of the next one). */
  get attrCount(): number { return this.attrs.length; }

  /** Adds an event. Before the first record it goes where perf puts it; later, after the data. */
  addAttr(attr: PerfEventAttr, ids: readonly SampleId[]): void {
    this.assertOpen();
    const entry = { attr, ids: [...ids], idOffset: -1 };
    this.attrs.push(entry);
    if (this.dataOffset < 0) {
      // Before data: perf writes every id array first, then the perf_file_attr table. Ids are
      // written now; the table is written when data begins (placeAttrs), so more attrs may come.
      entry.idOffset = this.sink.position;
      this.sink.write(encodeIds(entry.ids, this.littleEndian));
    }
  }

  /** Adds more ids to an attr added earlier (an event opened on one more CPU or thread). */
  addIds(index: number, ids: readonly SampleId[]): void {
    const a = this.attrs[index];
    if (!a) throw new RangeError(`no attr #${index}`);
    if (a.idOffset >= 0) throw new RangeError('ids of an attr already placed before the data cannot grow; add them before the attr');
    a.ids = [...a.ids, ...ids];
  }

  /** Starts the data section (done implicitly by the first writeRecord). */
  beginData(): void {
    if (this.dataOffset >= 0) return;
    this.assertOpen();
    this.attrsOffset = this.sink.position;
    for (const a of this.attrs) this.sink.write(this.fileAttr(a));
    this.placedAttrs = this.attrs.length;
    this.dataOffset = this.sink.position;
  }

  /** Appends one record, given as its raw bytes (perf_event_header included). */
  writeRecord(bytes: Uint8Array): void {
    if (this.dataOffset < 0) this.beginData();
    this.assertOpen();
    checkRecord(bytes, this.littleEndian);
    this.sink.write(bytes);
  }

  /** Appends bytes holding whole records back to back (a ring-buffer chunk), unchecked past the first header. */
  writeRecords(bytes: Uint8Array): void {
    if (this.dataOffset < 0) this.beginData();
    this.assertOpen();
    this.sink.write(bytes);
  }

  /** Sets a feature section's payload (its bytes as perf lays them out). */
  setFeature(feature: number, payload: Uint8Array): void {
    if (feature <= 0 || feature >= 256) throw new RangeError(`feature bit ${feature} outside 1..255`);
    this.features.set(feature, payload);
  }

  clearFeature(feature: number): void { this.features.delete(feature); }

  hasFeature(feature: number): boolean { return this.features.has(feature); }

  /**
   * Writes the feature sections, late attrs and the final header, then flushes. Synchronous, so
   * it can run on a SIGINT path; a second call does nothing, so the normal path and a signal
   * handler may both call it. The sink stays open; the caller closes it.
   */
  finish(): void {
    if (this.finished) return;
    if (this.dataOffset < 0) this.beginData();
    const le = this.littleEndian;
    const dataSize = this.sink.position - this.dataOffset;

    // perf_header__adds_write: the section table sits right after the data, payloads follow it.
    const feats = [...this.features.keys()].sort((a, b) => a - b);
    const tableOffset = this.sink.position;
    const table = new Uint8Array(feats.length * PERF_FILE_SECTION_SIZE);
    const tv = new DataView(table.buffer);
    this.sink.write(table); // placeholder, patched below
    feats.forEach((f, i) => {
      const payload = this.features.get(f)!;
      tv.setBigUint64(i * 16, BigInt(this.sink.position), le);
      tv.setBigUint64(i * 16 + 8, BigInt(payload.byteLength), le);
      this.sink.write(payload);
    });
    if (feats.length) this.sink.pwrite(tableOffset, table);

    // Attrs that arrived after the data began: their ids, then the whole perf_file_attr table
    // again (attrs.offset names one contiguous table).
    if (this.placedAttrs !== this.attrs.length) {
      for (const a of this.attrs) {
        if (a.idOffset < 0) {
          a.idOffset = this.sink.position;
          this.sink.write(encodeIds(a.ids, le));
        }
      }
      this.attrsOffset = this.sink.position;
      for (const a of this.attrs) this.sink.write(this.fileAttr(a));
      this.placedAttrs = this.attrs.length;
    }

    const h = new Uint8Array(PERF_FILE_HEADER_SIZE);
    const hv = new DataView(h.buffer);
    h.set(le ? MAGIC : MAGIC.slice().reverse(), 0);
    const u64 = (off: number, v: number) => hv.setBigUint64(off, BigInt(v), le);
    u64(8, PERF_FILE_HEADER_SIZE);
    u64(16, this.attrSize + PERF_FILE_SECTION_SIZE);
    u64(24, this.attrsOffset);
    u64(32, this.attrs.length * (this.attrSize + PERF_FILE_SECTION_SIZE));
    u64(40, this.dataOffset);
    u64(48, dataSize);
    // event_types (56..72) stays zero: perf ignores it and writes zeros.
    for (const f of feats) {
      const word = 72 + (f >> 6) * 8;
      hv.setBigUint64(word, hv.getBigUint64(word, le) | (1n << BigInt(f & 63)), le);
    }
    this.sink.pwrite(0, h);
    this.sink.flush();
    this.finished = true;
  }

  private fileAttr(a: { attr: PerfEventAttr; ids: readonly SampleId[]; idOffset: number }): Uint8Array {
    const out = new Uint8Array(this.attrSize + PERF_FILE_SECTION_SIZE);
    out.set(attrBytes(a.attr, this.attrSize, this.littleEndian), 0);
    const v = new DataView(out.buffer);
    v.setBigUint64(this.attrSize, BigInt(a.idOffset), this.littleEndian);
    v.setBigUint64(this.attrSize + 8, BigInt(a.ids.length * 8), this.littleEndian);
    return out;
  }

  /** True once finish() has run: the file is complete. */
  get isFinished(): boolean { return this.finished; }

  private assertOpen(): void {
    if (this.finished) throw new Error(`${this.sink.name}: perf.data writer already finished`);
  }
}

/** Writes perf.data in pipe mode: a 16-byte header, then only records. */
export class PerfDataPipeWriter {
  readonly littleEndian: boolean;
  readonly attrSize: number;

  constructor(readonly sink: ByteSink, opts: WriterOptions = {}) {
    this.littleEndian = opts.littleEndian ?? true;
    this.attrSize = opts.attrSize ?? PERF_ATTR_SIZE_VER7;
    const h = new Uint8Array(PERF_PIPE_HEADER_SIZE);
    h.set(this.littleEndian ? MAGIC : MAGIC.slice().reverse(), 0);
    new DataView(h.buffer).setBigUint64(8, BigInt(PERF_PIPE_HEADER_SIZE), this.littleEndian);
    sink.write(h);
  }

  private header(type: number, size: number, misc = 0): Uint8Array {
    if (size > 0xffff) throw new RangeError(`record of ${size} bytes exceeds the u16 size field`);
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    v.setUint32(0, type, this.littleEndian);
    v.setUint16(4, misc, this.littleEndian);
    v.setUint16(6, size, this.littleEndian);
    return out;
  }

  /** PERF_RECORD_HEADER_ATTR (perf_event__synthesize_attr). */
  writeAttr(attr: PerfEventAttr, ids: readonly SampleId[]): void {
    const a = attrBytes(attr, this.attrSize, this.littleEndian);
    const attrSlot = (a.byteLength + 7) & ~7;
    const rec = this.header(RecordType.HEADER_ATTR, 8 + attrSlot + ids.length * 8);
    rec.set(a, 8);
    rec.set(encodeIds(ids, this.littleEndian), 8 + attrSlot);
    this.sink.write(rec);
  }

  /** PERF_RECORD_HEADER_FEATURE carrying one feature section's payload. */
  writeFeature(feature: number, payload: Uint8Array): void {
    const rec = this.header(RecordType.HEADER_FEATURE, 16 + payload.byteLength);
    new DataView(rec.buffer).setBigUint64(8, BigInt(feature), this.littleEndian);
    rec.set(payload, 16);
    this.sink.write(rec);
  }

  /** The HEADER_FEATURE record with feat_id = HEADER_LAST_FEATURE that ends the feature list. */
  writeFeaturesEnd(): void { this.writeFeature(Feature.LAST, new Uint8Array(0)); }

  /**
   * PERF_RECORD_HEADER_TRACING_DATA: a 16-byte record whose u32 size counts the tracing bytes
   * that follow it outside the record, padded to 8 (perf_event__synthesize_tracing_data).
   */
  writeTracingData(data: Uint8Array): void {
    const padded = (data.byteLength + 7) & ~7;
    const rec = this.header(RecordType.HEADER_TRACING_DATA, 16);
    new DataView(rec.buffer).setUint32(8, padded, this.littleEndian);
    this.sink.write(rec);
    this.sink.write(data);
    if (padded > data.byteLength) this.sink.write(new Uint8Array(padded - data.byteLength));
  }

  /**
   * PERF_RECORD_HEADER_BUILD_ID records from a BUILD_ID feature payload (a sequence of
   * struct build_id_event { perf_event_header header; pid_t pid; u8 build_id[24]; char filename[]; }):
   * each entry becomes one record of type HEADER_BUILD_ID with the same bytes.
   */
  writeBuildIds(featurePayload: Uint8Array): void {
    const v = new DataView(featurePayload.buffer, featurePayload.byteOffset, featurePayload.byteLength);
    for (let off = 0; off + 8 <= featurePayload.byteLength;) {
      const size = v.getUint16(off + 6, this.littleEndian);
      if (size < 8 || off + size > featurePayload.byteLength) {
        throw new RangeError(`build_id_event at ${off} has size ${size} outside the ${featurePayload.byteLength}-byte BUILD_ID section`);
      }
      const rec = featurePayload.slice(off, off + size);
      new DataView(rec.buffer).setUint32(0, RecordType.HEADER_BUILD_ID, this.littleEndian);
      this.sink.write(rec);
      off += size;
    }
  }

  /** PERF_RECORD_FINISHED_INIT: the synthesized start-up records end here. */
  writeFinishedInit(): void { this.sink.write(this.header(RecordType.FINISHED_INIT, 8)); }

  /** Appends one record, given as its raw bytes. */
  writeRecord(bytes: Uint8Array): void {
    checkRecord(bytes, this.littleEndian);
    this.sink.write(bytes);
  }

  /** Appends bytes holding whole records back to back. */
  writeRecords(bytes: Uint8Array): void { this.sink.write(bytes); }

  /** Flushes the sink. */
  finish(): void { this.sink.flush(); }
}
