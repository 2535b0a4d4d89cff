// The record encoders are the exact inverse of what the kernel wrote: every SAMPLE of the standard
// recordings, decoded by sample.ts and encoded again, gives the same bytes; COMM, MMAP2, FORK and
// EXIT records, read field by field from their C layout, encode back to the kernel's bytes too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasFlag } from '../src/formats/perfdata/attr.js';
import { Misc, RecordType } from '../src/formats/perfdata/constants.js';
import { encodeComm, encodeExit, encodeFork, encodeMmap2, encodeSample, sampleFieldsOf, type SampleIdFields } from '../src/formats/perfdata/encode.js';
import { openPerfData } from '../src/formats/perfdata/reader.js';
import { decodeSampleId } from '../src/formats/perfdata/sample.js';
import { FileSource } from '../src/util/byte-source.js';
import { perfSkipReason, standardRecordings } from './helpers/fixtures.js';

const skip = perfSkipReason();
const recordings = skip ? {} : standardRecordings();

function cstr(b: Uint8Array, at: number): string {
  let e = at;
  while (e < b.length && b[e] !== 0) e++;
  return Buffer.from(b.subarray(at, e)).toString('utf8');
}

for (const name of ['fp', 'dwarf', 'tracepoints', 'zstd', 'system', 'node', 'pipe']) {
  test(`${name}: decode → encode reproduces every SAMPLE, COMM, MMAP2, FORK and EXIT byte for byte`, { skip }, () => {
    const f = openPerfData(new FileSource(recordings[name]), recordings[name]);
    const le = f.littleEndian;
    const counts = new Map<number, number>();
    for (const rec of f.records()) {
      const ev = f.eventOf(rec);
      if (!ev) continue;
      const attr = ev.attr;
      let again: Uint8Array | undefined;
      if (rec.type === RecordType.SAMPLE) {
        const s = f.decodeSample(rec);
        again = encodeSample(sampleFieldsOf(s), attr, rec.misc, le);
      } else if ([RecordType.COMM, RecordType.MMAP2, RecordType.FORK, RecordType.EXIT].includes(rec.type)) {
        const v = new DataView(rec.bytes.buffer, rec.bytes.byteOffset, rec.bytes.byteLength);
        const sid = hasFlag(attr, 'sample_id_all') ? decodeSampleId(rec.bytes, attr.sampleType, le) : {};
        const trailer: SampleIdFields = {
          pid: sid.pid, tid: sid.tid, cpu: sid.cpu, id: sid.id === undefined ? undefined : BigInt(sid.id),
          streamId: sid.streamId === undefined ? undefined : BigInt(sid.streamId),
          time: sid.timeHi === undefined ? undefined : (BigInt(sid.timeHi) << 32n) | BigInt(sid.timeLo!),
        };
        const u32 = (o: number) => v.getUint32(o, le);
        const u64 = (o: number) => v.getBigUint64(o, le);
        if (rec.type === RecordType.COMM) {
          again = encodeComm({ sampleId: trailer, pid: u32(8), tid: u32(12), comm: cstr(rec.bytes, 16), exec: (rec.misc & Misc.COMM_EXEC) !== 0 }, attr, le);
          // perf synthesizes COMM with misc 0; the kernel sets USER.
          again = withMisc(again, rec.misc, le);
        } else if (rec.type === RecordType.MMAP2) {
          const withBuildId = (rec.misc & Misc.MMAP_BUILD_ID) !== 0;
          again = encodeMmap2({
            sampleId: trailer, pid: u32(8), tid: u32(12), addr: u64(16), len: u64(24), pgoff: u64(32),
            ...(withBuildId ? { buildId: rec.bytes.slice(44, 44 + rec.bytes[40]) }
              : { maj: u32(40), min: u32(44), ino: u64(48), inoGeneration: u64(56) }),
            prot: u32(64), flags: u32(68), filename: cstr(rec.bytes, 72), misc: rec.misc & ~Misc.MMAP_BUILD_ID,
          }, attr, le);
        } else {
          const enc = rec.type === RecordType.FORK ? encodeFork : encodeExit;
          again = enc({ sampleId: trailer, pid: u32(8), ppid: u32(12), tid: u32(16), ptid: u32(20), time: u64(24), misc: rec.misc }, attr, le);
        }
      }
      if (!again) continue;
      counts.set(rec.type, (counts.get(rec.type) ?? 0) + 1);
      if (!Buffer.from(again).equals(Buffer.from(rec.bytes))) {
        assert.fail(`${name}: record type ${rec.type} at ${rec.fileOffset} re-encodes differently:\n${Buffer.from(rec.bytes).toString('hex')}\n${Buffer.from(again).toString('hex')}`);
      }
    }
    f.close();
    assert.ok((counts.get(RecordType.SAMPLE) ?? 0) > 50, `${name} has samples`);
    assert.ok((counts.get(RecordType.COMM) ?? 0) > 0 && (counts.get(RecordType.MMAP2) ?? 0) > 0, `${name} has COMM and MMAP2`);
  });
}

function withMisc(b: Uint8Array, misc: number, le: boolean): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint16(4, misc, le);
  return out;
}
