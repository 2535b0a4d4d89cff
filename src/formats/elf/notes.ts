// ELF notes (SHT_NOTE sections, PT_NOTE segments). Layout (gABI "Note Section"):
//   u32 n_namesz; u32 n_descsz; u32 n_type; char name[n_namesz] (padded to `align`); u8 desc[n_descsz] (padded to `align`)
// Alignment is 4, or 8 for segments/sections with 8-byte alignment (e.g. .note.gnu.property on x86-64).
import { Reader } from '../../util/index.js';

export interface ElfNote {
  /** Owner name without the trailing NUL ("GNU", "Linux", ...). */
  name: string;
  type: number;
  desc: Uint8Array;
  /** File offset of the note header. */
  offset: number;
}

export function readNotes(data: Uint8Array, fileOffset: number, file: string, littleEndian: boolean, align: 4 | 8 = 4): ElfNote[] {
  const r = new Reader(data, fileOffset, file, littleEndian);
  const out: ElfNote[] = [];
  while (r.remaining > 0) {
    if (r.remaining < 12) r.fail('a 12-byte note header', `${r.remaining} bytes`);
    const offset = r.absolute;
    const namesz = r.u32('n_namesz');
    const descsz = r.u32('n_descsz');
    const type = r.u32('n_type');
    const nameBytes = r.bytesN(namesz, 'note name');
    const nul = nameBytes.indexOf(0);
    const name = String.fromCharCode(...(nul < 0 ? nameBytes : nameBytes.subarray(0, nul)).subarray(0, 256));
    if (r.pos % align) r.skip(Math.min(align - (r.pos % align), r.remaining), 'note name padding');
    const desc = r.bytesN(descsz, 'note descriptor');
    if (r.pos % align) r.skip(Math.min(align - (r.pos % align), r.remaining), 'note descriptor padding');
    out.push({ name, type, desc, offset });
  }
  return out;
}
