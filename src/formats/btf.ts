// BTF (BPF Type Format) blobs, as bpf(BPF_OBJ_GET_INFO_BY_FD) returns them for a BTF object:
// only what naming a BPF function needs (the name of type id N). Reference:
// include/uapi/linux/btf.h (Linux 6.18), Documentation/bpf/btf.rst.
//
//   struct btf_header { __u16 magic (0xeB9F); __u8 version; __u8 flags; __u32 hdr_len;
//                       __u32 type_off; __u32 type_len; __u32 str_off; __u32 str_len; };
//   offsets are from the end of the header (hdr_len).
//   struct btf_type { __u32 name_off; __u32 info; /* vlen: bits 0-15, kind: bits 24-28 */
//                     union { __u32 size; __u32 type; }; }   followed by kind-specific data
//   type ids count from 1 (0 is void) in the order the types appear.
import { FormatError } from '../util/errors.js';
import { Reader } from '../util/reader.js';

export const BTF_MAGIC = 0xeb9f;

/** Bytes that follow struct btf_type, by kind (BTF_KIND_*), given vlen. */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case 1: return 4; // INT
    case 3: return 12; // ARRAY: struct btf_array
    case 4: case 5: return vlen * 12; // STRUCT, UNION: struct btf_member
    case 6: return vlen * 8; // ENUM: struct btf_enum
    case 13: return vlen * 8; // FUNC_PROTO: struct btf_param
    case 14: return 4; // VAR: struct btf_var
    case 15: return vlen * 12; // DATASEC: struct btf_var_secinfo
    case 17: return 4; // DECL_TAG: struct btf_decl_tag
    case 19: return vlen * 12; // ENUM64: struct btf_enum64
    case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18: return 0;
    default: return -1;
  }
}

export function isBtf(bytes: Uint8Array): boolean {
  return bytes.length >= 24 && bytes[0] === 0x9f && bytes[1] === 0xeb;
}

/** The names of the types with the given ids (missing ids are left out). */
export function btfTypeNames(bytes: Uint8Array, ids: readonly number[], name = 'btf'): Map<number, string> {
  const r = new Reader(bytes, 0, name, true);
  const magic = r.u16('btf_header.magic');
  if (magic !== BTF_MAGIC) throw new FormatError(name, 0, 'BTF magic 0xeb9f (little-endian)', `0x${magic.toString(16)}`);
  r.u8('version'); r.u8('flags');
  const hdrLen = r.u32('hdr_len');
  const typeOff = r.u32('type_off'), typeLen = r.u32('type_len');
  const strOff = r.u32('str_off'), strLen = r.u32('str_len');
  const types = new Reader(bytes.subarray(hdrLen + typeOff, hdrLen + typeOff + typeLen), hdrLen + typeOff, name, true);
  if (types.length !== typeLen) types.fail(`${typeLen} bytes of types`, `${types.length}`);
  const strs = bytes.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  if (strs.length !== strLen) throw new FormatError(name, hdrLen + strOff, `${strLen} bytes of strings`, `${strs.length}`);
  const want = new Set(ids);
  const out = new Map<number, string>();
  const dec = new TextDecoder();
  for (let id = 1; types.remaining > 0 && out.size < want.size; id++) {
    const at = types.absolute;
    const nameOff = types.u32('btf_type.name_off');
    const info = types.u32('btf_type.info');
    types.u32('btf_type.size');
    const kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
    const extra = extraBytes(kind, vlen);
    if (extra < 0) throw new FormatError(name, at, 'a known BTF kind (1-19)', String(kind));
    types.skip(extra, 'btf_type data');
    if (want.has(id)) {
      if (nameOff >= strs.length) throw new FormatError(name, at, `a name offset below ${strs.length}`, String(nameOff));
      let end = nameOff;
      while (end < strs.length && strs[end] !== 0) end++;
      out.set(id, dec.decode(strs.subarray(nameOff, end)));
    }
  }
  return out;
}
