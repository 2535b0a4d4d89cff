// formats/perfdata: reading perf.data (file mode and pipe mode, zstd-compressed records).
//
// API (for the writer, features, record and flame engineers):
//
//   isPerfData(bytes)                        true when bytes start with "PERFILE2" (either byte order)
//   openPerfData(source, name?, opts?)       → PerfDataFile. source: RandomAccessSource (FileSource,
//                                            BufferSource), a Uint8Array, or a StreamSource (stdin:
//                                            FdStreamSource(0); pipe mode only, read once, bounded memory)
//   file.header                              PerfFileHeader {pipe, littleEndian, attrSize, attrs, data,
//                                            dataEnd (data.size 0 → end of file, as perf), features[]}
//   file.events                              EventSet: events[] = {index, attr: PerfEventAttr, ids[], name?}
//                                            (names come from EVENT_DESC/EVENT_UPDATE: decode elsewhere and
//                                            set ev.name), eventOf(record), idPos/isPos, sampleIdAll
//   file.features                            Map<featureBit, {offset, size}> (pipe mode: HEADER_FEATURE records)
//   file.readFeature(id)                     raw bytes of a feature section (pipe mode: HEADER_FEATURE
//                                            payload; TRACING_DATA from HEADER_TRACING_DATA; BUILD_ID
//                                            from HEADER_BUILD_ID records, concatenated). In pipe mode,
//                                            features that come after the first kernel record appear
//                                            only once records() has passed them.
//   file.records({decompress?})              Generator<PerfRecord> in file order. PerfRecord = {type, misc,
//                                            size, fileOffset, bytes (whole record, a subarray that stays
//                                            valid: records() never reuses a buffer), decompressedOffset?,
//                                            payload? (HEADER_TRACING_DATA bytes)}
//                                            Records inside COMPRESSED(2) follow that record.
//   file.recordIterator()                    the same as a pull function (faster in hot loops)
//   file.scanRecords(visit)                  fastest, header-only: visit(type, buf, pos, size, fileOffset)
//                                            for each record (bytes valid during the call only)
//   file.events.eventAt(type, buf, pos, size) the event of a record without making an object
//   file.orderedRecords()                    perf's delivery order (ordered_events; see ordering.ts)
//   file.decodeSample(rec, out?)             PerfSample: ipHi/ipLo, pid, tid, timeHi/timeLo, addrHi/Lo, id,
//                                            streamId, cpu, period, read, callchainNr + callchain
//                                            (Uint32Array of lo,hi pairs), raw, branchStack, regsUser,
//                                            stackUser, weight, ... and BigInt getters ip, time, addr,
//                                            callchainAt(i). Pass `out` to reuse one object per loop.
//   decodeRecord(rec, events, file?)         typed body of any record type (records.ts), with the
//                                            sample_id_all trailer as `sampleId`
//   recordTime(events, rec, out)             a record's timestamp (hi, lo) without decoding it
//   formatTimeUs(hi, lo)                     "%5lu.%06lu" as perf script prints times
//
// Layout comments with the C structs sit above each parser: reader.ts (file/pipe header, attrs,
// feature index), stream.ts (record walk), sample.ts (SAMPLE, sample_id), records.ts (every other
// record), compressed.ts (COMPRESSED, COMPRESSED2), ordering.ts (perf's ordered events).
export { isPerfData, openPerfData, readFileHeader, PerfDataFile } from './reader.js';
export { decodeRecord, decodeCpuMap } from './records.js';
export type { DecodedRecord, CpuMap } from './records.js';
export type { PerfFileHeader, FileSection, OpenOptions, RecordsOptions } from './reader.js';
export { ByteWindow, RangeStream, RecordWalker } from './stream.js';
export type { PerfRecord } from './stream.js';
export {
  EventSet, PerfSample, decodeSample, decodeSampleId, sampleIdSize, recordTime, formatTimeUs, calcIdPos, calcIsPos, u64n,
} from './sample.js';
export type { PerfEvent, SampleId, SampleRead, ReadValue, BranchEntry, SampleRegs } from './sample.js';
export { Decompressor, compressedPayload } from './compressed.js';
export { orderRecords } from './ordering.js';
