// Copying a perf.data file or stream into a new one, the core of `kscope inject`: records in file
// order (perf inject's default tool does not sort), COMPRESSED/COMPRESSED2 records replaced by the
// records they hold, pipe-mode header records turned into file-mode header sections and back.
//
// Pipe → file: HEADER_ATTR → the attrs section; HEADER_FEATURE → feature sections;
// HEADER_TRACING_DATA → the TRACING_DATA feature; HEADER_BUILD_ID records → the BUILD_ID feature
// (struct build_id_event entries with header.type 0, as perf's write_buildid leaves it).
// (perf 6.1's own `perf inject -i pipe-file -o out` writes a broken file here: its data offset
// stays 0 and the ids overwrite the data; we write what a file-mode recording would have.)
// File → pipe: perf_event__synthesize_for_pipe's order: HEADER_ATTR per event, HEADER_FEATURE per
// feature perf can synthesize, the HEADER_LAST_FEATURE marker, HEADER_TRACING_DATA; we also emit
// the build-ids as HEADER_BUILD_ID records (perf drops them).
import type { ByteSink, RandomAccessSink } from '../../util/byte-sink.js';
import { Feature, RecordType } from './constants.js';
import type { PerfDataFile } from './reader.js';
import type { PerfRecord } from './stream.js';
import { decodeTracingData } from './tracing-data.js';
import { PerfDataPipeWriter, PerfDataWriter, type WriterOptions } from './writer.js';

export interface RewriteOptions extends WriterOptions {
  /** Replace COMPRESSED/COMPRESSED2 records by their contents and drop the COMPRESSED feature (default true). */
  decompress?: boolean;
  /** Keep only the data records this returns true for (all by default). */
  keep?: (rec: PerfRecord) => boolean;
}

export interface RewriteStats {
  /** Records written into the output's data (user records turned into header sections not counted). */
  records: number;
  /** COMPRESSED/COMPRESSED2 records replaced by their contents. */
  decompressed: number;
  /** Feature sections (file output) or HEADER_FEATURE records (pipe output) written. */
  features: number;
}

/**
 * Features perf 6.1 can send as HEADER_FEATURE in pipe mode (feat_ops entries declared with
 * FEAT_OPR in tools/perf/util/header.c); the FEAT_OPN ones are file-only.
 */
export const PIPE_FEATURES: ReadonlySet<number> = new Set([
  Feature.HOSTNAME, Feature.OSRELEASE, Feature.VERSION, Feature.ARCH, Feature.NRCPUS, Feature.CPUDESC,
  Feature.CPUID, Feature.TOTAL_MEM, Feature.CMDLINE, Feature.EVENT_DESC, Feature.CPU_TOPOLOGY,
  Feature.NUMA_TOPOLOGY, Feature.PMU_MAPPINGS, Feature.GROUP_DESC, Feature.SAMPLE_TIME,
  Feature.MEM_TOPOLOGY, Feature.CLOCKID, Feature.BPF_PROG_INFO, Feature.BPF_BTF, Feature.COMPRESSED,
  Feature.CPU_PMU_CAPS, Feature.CLOCK_DATA, Feature.PMU_CAPS,
]);

/** Pipe-mode records that become header sections in file mode. */
function isPipeHeaderRecord(type: number): boolean {
  return type === RecordType.HEADER_ATTR || type === RecordType.HEADER_FEATURE || type === RecordType.HEADER_TRACING_DATA
    || type === RecordType.HEADER_BUILD_ID || type === RecordType.HEADER_EVENT_TYPE;
}

function isCompressed(type: number): boolean {
  return type === RecordType.COMPRESSED || type === RecordType.COMPRESSED2;
}

/** The feature payloads of `input` to carry over, in bit order. */
function carriedFeatures(input: PerfDataFile, decompress: boolean): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  const bits = new Set(input.features.keys());
  // In pipe mode the reader serves TRACING_DATA and BUILD_ID (from their own header records)
  // through readFeature without listing them as features, as perf's header output does.
  if (input.pipe) for (const b of [Feature.TRACING_DATA, Feature.BUILD_ID]) if (input.readFeature(b)?.length) bits.add(b);
  for (const bit of [...bits].sort((a, b) => a - b)) {
    if (bit <= 0 || bit >= Feature.LAST) continue; // HEADER_LAST_FEATURE marker of pipe mode
    if (decompress && bit === Feature.COMPRESSED) continue;
    const bytes = input.readFeature(bit);
    if (!bytes) continue;
    let payload = bytes;
    if (input.pipe && bit === Feature.BUILD_ID) payload = buildIdsForFile(bytes, input.littleEndian);
    if (input.pipe && bit === Feature.TRACING_DATA) payload = unpaddedTracingData(bytes);
    out.push([bit, payload]);
  }
  return out;
}

/**
 * Pipe mode pads the tracing data to 8 bytes; a file's TRACING_DATA section holds exactly the
 * tracing data (perf's write_tracing_data). Trim to what its parts take, when they parse.
 */
function unpaddedTracingData(bytes: Uint8Array): Uint8Array {
  try {
    const size = decodeTracingData(bytes).size;
    return size <= bytes.byteLength && bytes.byteLength - size < 8 ? bytes.subarray(0, size) : bytes;
  } catch {
    return bytes; // not ours to judge: copy as found
  }
}

/** Pipe-mode HEADER_BUILD_ID records, concatenated, as a file's BUILD_ID section (type 0). */
function buildIdsForFile(records: Uint8Array, le: boolean): Uint8Array {
  const out = records.slice();
  const v = new DataView(out.buffer);
  for (let off = 0; off + 8 <= out.byteLength;) {
    const size = v.getUint16(off + 6, le);
    if (size < 8) break;
    v.setUint32(off, 0, le);
    off += size;
  }
  return out;
}

function featureId(rec: Uint8Array, le: boolean): number {
  return rec.byteLength >= 16 ? Number(new DataView(rec.buffer, rec.byteOffset, 16).getBigUint64(8, le)) : -1;
}

/** Copies `input` into a file-mode perf.data on `sink` (which must start empty). */
export function rewriteToFile(input: PerfDataFile, sink: RandomAccessSink, opts: RewriteOptions = {}): RewriteStats {
  const decompress = opts.decompress ?? true;
  const events = input.events.events;
  const known = events.length;
  const w = new PerfDataWriter(sink, events.map((e) => ({ attr: e.attr, ids: e.ids })), { ...opts, littleEndian: input.littleEndian });
  const stats: RewriteStats = { records: 0, decompressed: 0, features: 0 };
  w.beginData();
  const next = input.recordIterator({ decompress });
  for (let rec = next(); rec; rec = next()) {
    if (isCompressed(rec.type) && decompress) { stats.decompressed++; continue; }
    if (input.pipe && isPipeHeaderRecord(rec.type)) continue;
    if (rec.payload) throw new Error(`${input.name}: record type ${rec.type} at ${rec.fileOffset} carries a payload the file-mode data section cannot hold`);
    if (opts.keep && !opts.keep(rec)) continue;
    w.writeRecord(rec.bytes);
    stats.records++;
  }
  // HEADER_ATTR records that came after the first data record (rare): placed after the data.
  for (const e of events.slice(known)) w.addAttr(e.attr, e.ids);
  for (const [bit, bytes] of carriedFeatures(input, decompress)) { w.setFeature(bit, bytes); stats.features++; }
  w.finish();
  return stats;
}

/** Copies `input` into a pipe-mode stream on `sink`. */
export function rewriteToPipe(input: PerfDataFile, sink: ByteSink, opts: RewriteOptions = {}): RewriteStats {
  const decompress = opts.decompress ?? true;
  const w = new PerfDataPipeWriter(sink, { ...opts, littleEndian: input.littleEndian });
  const stats: RewriteStats = { records: 0, decompressed: 0, features: 0 };
  const next = input.recordIterator({ decompress });
  if (!input.pipe) {
    for (const e of input.events.events) w.writeAttr(e.attr, e.ids);
    let tracing: Uint8Array | undefined;
    let buildIds: Uint8Array | undefined;
    for (const [bit, bytes] of carriedFeatures(input, decompress)) {
      if (bit === Feature.TRACING_DATA) tracing = bytes;
      else if (bit === Feature.BUILD_ID) buildIds = bytes;
      else if (PIPE_FEATURES.has(bit)) { w.writeFeature(bit, bytes); stats.features++; }
    }
    w.writeFeaturesEnd();
    if (tracing) w.writeTracingData(tracing);
    if (buildIds) w.writeBuildIds(buildIds);
  }
  for (let rec = next(); rec; rec = next()) {
    if (isCompressed(rec.type) && decompress) { stats.decompressed++; continue; }
    if (decompress && rec.type === RecordType.HEADER_FEATURE && featureId(rec.bytes, input.littleEndian) === Feature.COMPRESSED) continue;
    if (rec.type === RecordType.HEADER_TRACING_DATA && rec.payload) w.writeTracingData(rec.payload);
    else w.writeRecord(rec.bytes);
    if (rec.type === RecordType.HEADER_FEATURE) stats.features++;
    stats.records++;
  }
  w.finish();
  return stats;
}
