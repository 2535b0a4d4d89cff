// perf JIT symbol maps, /tmp/perf-PID.map (tools/perf/Documentation/jit-interface.txt):
//   one line per symbol: "START SIZE symbolname\n", START and SIZE hexadecimal (perf's parser,
//   tools/perf/util/symbol.c dso__load_perf_map, uses strtoull base 16, so an optional 0x is taken too);
//   the name runs to the end of the line and may contain spaces.
// Entries keep file order (`seq`): a JIT may reuse an address range, and the later entry is current.
import { FormatError, decodeText } from '../util/index.js';

export interface PerfMap {
  count: number;
  /** Start addresses as (hi, lo) u32: JIT code is user space (< 2^47) but the format allows any u64. */
  startHi: Uint32Array;
  startLo: Uint32Array;
  size: Float64Array;
  name: string[];
}

const LINE = /^\s*(?:0x)?([0-9a-fA-F]{1,16})\s+(?:0x)?([0-9a-fA-F]{1,16})\s(.*)$/;

/** Parses perf-PID.map text in file order. Blank lines are skipped; any other malformed line is a FormatError. */
export function readPerfMap(input: string | Uint8Array, file = 'perf-PID.map'): PerfMap {
  const text = typeof input === 'string' ? input : decodeText(input);
  const his: number[] = [], los: number[] = [], sizes: number[] = [], names: string[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    if (line.trim() !== '') {
      const m = LINE.exec(line);
      if (!m) throw new FormatError(file, offset, 'a line "START SIZE name" (hex START and SIZE)', JSON.stringify(line.slice(0, 80)));
      const s = m[1].padStart(16, '0');
      his.push(parseInt(s.slice(0, 8), 16)); los.push(parseInt(s.slice(8), 16));
      sizes.push(parseInt(m[2], 16));
      names.push(m[3]);
    }
    offset += line.length + 1;
  }
  return { count: names.length, startHi: Uint32Array.from(his), startLo: Uint32Array.from(los), size: Float64Array.from(sizes), name: names };
}
