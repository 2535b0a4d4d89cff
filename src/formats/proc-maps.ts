// /proc/PID/maps text (fs/proc/task_mmu.c show_map_vma, Linux 6.18), one mapping a line:
//   start-end perms offset major:minor inode            pathname
//   55d0c1a00000-55d0c1a02000 r-xp 00002000 fe:00 260958  /usr/bin/true
// Addresses and offset are hex; the pathname is padded to column 73 and may contain spaces, and
// may end with " (deleted)". Anonymous mappings have no pathname, special ones "[heap]", "[vdso]".
import { FormatError } from '../util/errors.js';

export interface ProcMap {
  /** Hex strings are exact; start/end/pgoff as bigint because user addresses can pass 2^53 in theory. */
  start: bigint;
  end: bigint;
  /** "r-xp" */
  perms: string;
  pgoff: bigint;
  major: number;
  minor: number;
  inode: number;
  /** Empty for anonymous mappings. */
  path: string;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+) ([-r][-w][-x][ps]) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+)\s*(.*)$/;

/** Parses the whole text of a maps file; `name` is used in errors. */
export function parseProcMaps(text: string, name = '/proc/PID/maps'): ProcMap[] {
  const out: ProcMap[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    if (line.length) {
      const m = LINE.exec(line);
      if (!m) throw new FormatError(name, offset, 'a maps line "start-end perms offset maj:min inode path"', JSON.stringify(line.slice(0, 80)));
      out.push({
        start: BigInt('0x' + m[1]), end: BigInt('0x' + m[2]), perms: m[3], pgoff: BigInt('0x' + m[4]),
        major: parseInt(m[5], 16), minor: parseInt(m[6], 16), inode: Number(m[7]), path: m[8],
      });
    }
    offset += Buffer.byteLength(line) + 1;
  }
  return out;
}
