// Build-ids of the DSOs a recording hit (perf's BUILD_ID feature). Reads just the ELF program
// headers and PT_NOTE segments (or /sys/kernel/notes for the kernel) and finds NT_GNU_BUILD_ID.
//
//   Elf64_Ehdr: e_phoff @32 (u64), e_phentsize @54 (u16), e_phnum @56 (u16); EI_CLASS @4 = 2 (64-bit)
//   Elf64_Phdr: p_type @0 (u32, PT_NOTE = 4), p_offset @8 (u64), p_filesz @32 (u64)
//   Elf_Nhdr:   u32 namesz, descsz, type (NT_GNU_BUILD_ID = 3); name "GNU\0"; desc, each 4-aligned
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

function readAt(fd: number, off: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  const n = readSync(fd, b, 0, len, off);
  return b.subarray(0, n);
}

/** Finds the GNU build-id in a run of ELF notes. */
export function buildIdFromNotes(notes: Uint8Array): Uint8Array | undefined {
  const v = new DataView(notes.buffer, notes.byteOffset, notes.byteLength);
  let off = 0;
  while (off + 12 <= notes.byteLength) {
    const namesz = v.getUint32(off, true), descsz = v.getUint32(off + 4, true), type = v.getUint32(off + 8, true);
    const nameOff = off + 12;
    const descOff = nameOff + ((namesz + 3) & ~3);
    const end = descOff + ((descsz + 3) & ~3);
    if (end > notes.byteLength) return undefined;
    if (type === 3 && namesz === 4 && notes[nameOff] === 0x47 && notes[nameOff + 1] === 0x4e && notes[nameOff + 2] === 0x55) {
      return notes.slice(descOff, descOff + descsz);
    }
    off = end;
  }
  return undefined;
}

/** The build-id of a 64-bit little-endian ELF file, or undefined when it has none or isn't one. */
export function readFileBuildId(path: string): Uint8Array | undefined {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return undefined; }
  try {
    const eh = readAt(fd, 0, 64);
    if (eh.length < 64 || eh[0] !== 0x7f || eh[1] !== 0x45 || eh[2] !== 0x4c || eh[3] !== 0x46 || eh[4] !== 2 || eh[5] !== 1) return undefined;
    const v = new DataView(eh.buffer);
    const phoff = Number(v.getBigUint64(32, true)), phentsize = v.getUint16(54, true), phnum = v.getUint16(56, true);
    if (phentsize < 56 || phnum > 4096) return undefined;
    const ph = readAt(fd, phoff, phentsize * phnum);
    const pv = new DataView(ph.buffer);
    for (let i = 0; i < phnum && (i + 1) * phentsize <= ph.length; i++) {
      const p = i * phentsize;
      if (pv.getUint32(p, true) !== 4) continue;
      const off = Number(pv.getBigUint64(p + 8, true)), size = Number(pv.getBigUint64(p + 32, true));
      if (size > 1 << 20) continue;
      const id = buildIdFromNotes(readAt(fd, off, size));
      if (id) return id;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The running kernel's build-id (/sys/kernel/notes), as perf reads it for [kernel.kallsyms]. */
export function readKernelBuildId(): Uint8Array | undefined {
  try { return buildIdFromNotes(readFileSync('/sys/kernel/notes')); } catch { return undefined; }
}
