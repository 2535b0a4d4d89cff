// TEST-ONLY: locates feature sections in a perf.data file (file mode) or HEADER_FEATURE records (pipe
// mode) with the fewest possible rules, so the feature codecs can be tested without the reader.
//   perf_file_header: u64 magic, size, attr_size; {offset,size} attrs, data, event_types;
//   u64 adds_features[4]. Feature table at data.offset+data.size: {u64 offset, size} per set bit.
import { readFileSync, statSync } from 'node:fs';

export interface LocatedFeature { id: number; offset: number; bytes: Uint8Array }
export interface LocatedFile {
  pipe: boolean;
  bytes: Uint8Array;
  dataOffset: number;
  dataSize: number;
  featBits: number[];
  features: LocatedFeature[];
  mtimeMs: number;
}

export function locateFeatures(path: string): LocatedFile {
  const bytes = new Uint8Array(readFileSync(path));
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (o: number) => Number(v.getBigUint64(o, true));
  const mtimeMs = statSync(path).mtimeMs;
  if (u64(8) === 16) {
    // pipe mode: walk records, keep PERF_RECORD_HEADER_FEATURE (80): { header; u64 feat_id; data }
    const features: LocatedFeature[] = [];
    let o = 16;
    while (o + 8 <= bytes.length) {
      const type = v.getUint32(o, true);
      const size = v.getUint16(o + 6, true);
      if (size < 8) break;
      if (type === 80) features.push({ id: u64(o + 8), offset: o + 16, bytes: bytes.subarray(o + 16, o + size) });
      // PERF_RECORD_HEADER_TRACING_DATA (66) is followed by its payload, u32 size at +8
      o += size + (type === 66 ? v.getUint32(o + 8, true) : 0);
    }
    return { pipe: true, bytes, dataOffset: 0, dataSize: 0, featBits: features.map((f) => f.id), features, mtimeMs };
  }
  const dataOffset = u64(40), dataSize = u64(48);
  const featBits: number[] = [];
  for (let i = 0; i < 256; i++) if ((v.getUint32(72 + (i >> 5) * 4, true) >>> (i & 31)) & 1) featBits.push(i);
  const table = dataOffset + dataSize;
  const features = featBits.map((id, k) => {
    const off = u64(table + 16 * k), size = u64(table + 16 * k + 8);
    return { id, offset: off, bytes: bytes.subarray(off, off + size) };
  });
  return { pipe: false, bytes, dataOffset, dataSize, featBits, features, mtimeMs };
}
