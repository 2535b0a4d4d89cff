// ELF32/ELF64, little- and big-endian: file header, section headers (with names), program headers,
// section bytes (decompressing SHF_COMPRESSED and legacy .zdebug_*), symbol tables and GNU notes.
// Layouts from <elf.h> (glibc 2.36) and the System V gABI (https://www.sco.com/developers/gabi/latest/).
//
// Address representation: every 64-bit *address* (e_entry, sh_addr, p_vaddr, p_paddr) is a bigint,
// exact for kernel addresses (0xffffffff8...) beyond 2^53; these are a few per file. Sizes and file
// offsets are numbers (a FormatError if one is >= 2^53, which no real file has). Symbol values live
// in columns of (hi, lo) u32 pairs, see symbols.ts, so a symbolizer builds its sorted typed arrays
// without a BigInt per symbol.
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { Reader, FormatError } from '../../util/index.js';
import {
  ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, SHN_XINDEX, SHN_LORESERVE, PN_XNUM, SHT_NOBITS,
  SHF_COMPRESSED, ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD, SHT_SYMTAB, SHT_DYNSYM, SHT_SYMTAB_SHNDX,
  SHT_NOTE, PT_NOTE, NT_GNU_BUILD_ID,
} from './constants.js';
import { ElfSymbolTable, readSymbolTable, type SymbolTableInput } from './symbols.js';
import { ElfNote, readNotes } from './notes.js';
import { crc32 } from './crc32.js';

const CRC_CHUNK = 1 << 20;

/** Decompressed sections larger than this are refused (a hostile ch_size would otherwise allocate it). */
export const MAX_DECOMPRESSED_SECTION = 1 << 30;

export interface ElfHeader {
  /** 32 or 64 (EI_CLASS). */
  bits: 32 | 64;
  littleEndian: boolean;
  /** EI_OSABI */
  osabi: number;
  abiVersion: number;
  /** e_type: ET_REL, ET_EXEC, ET_DYN, ET_CORE */
  type: number;
  /** e_machine: EM_X86_64 = 62, EM_AARCH64 = 183, EM_386 = 3, ... */
  machine: number;
  version: number;
  entry: bigint;
  phoff: number;
  shoff: number;
  flags: number;
  ehsize: number;
  phentsize: number;
  /** The real program header count (PN_XNUM resolved through section 0's sh_info). */
  phnum: number;
  shentsize: number;
  /** The real section count (0 with e_shoff != 0 resolved through section 0's sh_size). */
  shnum: number;
  /** The real section-name string table index (SHN_XINDEX resolved through section 0's sh_link). */
  shstrndx: number;
}

export interface ElfSection {
  index: number;
  /** Name from the section-name string table ('' when there is none). */
  name: string;
  /** sh_name: offset of the name in the section-name string table. */
  nameOffset: number;
  type: number;
  /** sh_flags (low 32 bits; no defined flag lives above). */
  flags: number;
  addr: bigint;
  /** File offset of the (possibly compressed) bytes. */
  offset: number;
  /** Size in the file (compressed size for compressed sections; in memory size for SHT_NOBITS). */
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface ElfProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  align: number;
}

/**
 * Random access to an ELF file's bytes, for files too large to hold whole (a 100 MB executable of
 * which a profiler needs only the headers and symbol tables). util/byte-source.ts's
 * RandomAccessSource fits; `read` returns fewer bytes than asked only at the end of the file.
 */
export interface ElfByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  /** Releases an OS handle; a source may reopen on a later read. */
  close?(): void;
}

/** True when `bytes` starts with the ELF magic "\x7fELF". */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * Parses an ELF file's headers; section data and symbols are decoded lazily by the returned object.
 * From an ElfByteSource, only the ranges parsed are read: the file header, the section and program
 * header tables, the section names, and later whichever sections are asked for.
 */
export function readElf(input: Uint8Array | ElfByteSource, name = '<elf>'): ElfFile {
  return new ElfFile(input, name);
}

export class ElfFile {
  readonly header: ElfHeader;
  readonly sections: ElfSection[];
  readonly programHeaders: ElfProgramHeader[];
  private readonly dataCache = new Map<number, Uint8Array>();
  private symtabCache?: ElfSymbolTable | null;
  private dynsymCache?: ElfSymbolTable | null;

  /** The whole file when it was given as bytes; else undefined (ranges are read from `source`). */
  private readonly whole?: Uint8Array;
  private readonly source?: ElfByteSource;
  /** File size in bytes. */
  readonly size: number;

  constructor(input: Uint8Array | ElfByteSource, readonly name = '<elf>') {
    if (input instanceof Uint8Array) { this.whole = input; this.size = input.byteLength; }
    else { this.source = input; this.size = input.size; }
    // e_ident[16]: magic[4], EI_CLASS, EI_DATA, EI_VERSION, EI_OSABI, EI_ABIVERSION, pad[7]
    const r = new Reader(this.range(0, Math.min(this.size, 64), 'ELF header'), 0, name);
    const magic = r.bytesN(4, 'ELF magic');
    if (!isElf(magic)) r.fail('ELF magic 7f 45 4c 46', Array.from(magic, (b) => b.toString(16).padStart(2, '0')).join(' '), 0);
    const cls = r.u8('EI_CLASS');
    if (cls !== ELFCLASS32 && cls !== ELFCLASS64) r.fail('EI_CLASS 1 (ELF32) or 2 (ELF64)', String(cls), 4);
    const data = r.u8('EI_DATA');
    if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) r.fail('EI_DATA 1 (LSB) or 2 (MSB)', String(data), 5);
    r.littleEndian = data === ELFDATA2LSB;
    const bits = cls === ELFCLASS64 ? 64 : 32;
    r.u8('EI_VERSION');
    const osabi = r.u8('EI_OSABI');
    const abiVersion = r.u8('EI_ABIVERSION');
    r.seek(16);
    // Elf{32,64}_Ehdr after e_ident:
    //   u16 e_type; u16 e_machine; u32 e_version; Addr e_entry; Off e_phoff; Off e_shoff; u32 e_flags;
    //   u16 e_ehsize; u16 e_phentsize; u16 e_phnum; u16 e_shentsize; u16 e_shnum; u16 e_shstrndx;
    const type = r.u16('e_type');
    const machine = r.u16('e_machine');
    const version = r.u32('e_version');
    const entry = bits === 64 ? r.u64('e_entry') : BigInt(r.u32('e_entry'));
    const phoff = bits === 64 ? r.u64n('e_phoff') : r.u32('e_phoff');
    const shoff = bits === 64 ? r.u64n('e_shoff') : r.u32('e_shoff');
    const flags = r.u32('e_flags');
    const ehsize = r.u16('e_ehsize');
    const phentsize = r.u16('e_phentsize');
    let phnum = r.u16('e_phnum');
    const shentsize = r.u16('e_shentsize');
    let shnum = r.u16('e_shnum');
    let shstrndx = r.u16('e_shstrndx');
    const shdrSize = bits === 64 ? 64 : 40;
    const phdrSize = bits === 64 ? 56 : 32;

    // Section 0 carries the escapes for counts and indices that do not fit 16 bits (gABI "Extended Section Header").
    const raw: ElfSection[] = [];
    if (shoff !== 0) {
      if (shentsize < shdrSize) r.fail(`e_shentsize >= ${shdrSize}`, String(shentsize), bits === 64 ? 0x3a : 0x2e);
      const r0 = new Reader(this.range(shoff, shentsize, 'section header 0'), shoff, name, r.littleEndian);
      const s0 = this.readSectionHeader(r0, 0, shentsize, 0, bits);
      if (shnum === 0) shnum = s0.size;
      if (shstrndx === SHN_XINDEX) shstrndx = s0.link;
      if (phnum === PN_XNUM) phnum = s0.info;
      // The whole table is bounds-checked before the loop, so a hostile count cannot run long.
      const rt = new Reader(this.range(shoff, shnum * shentsize, `${shnum} section headers of ${shentsize} bytes`), shoff, name, r.littleEndian);
      for (let i = 0; i < shnum; i++) raw.push(i === 0 ? s0 : this.readSectionHeader(rt, 0, shentsize, i, bits));
    } else {
      shnum = 0;
    }
    this.header = {
      bits, littleEndian: r.littleEndian, osabi, abiVersion, type, machine, version, entry, phoff, shoff, flags,
      ehsize, phentsize, phnum, shentsize, shnum, shstrndx,
    };

    // Section names.
    if (shnum > 0 && shstrndx !== 0) {
      if (shstrndx >= shnum) r.fail(`e_shstrndx below e_shnum ${shnum}`, String(shstrndx), bits === 64 ? 0x3e : 0x32);
      const strtab = raw[shstrndx];
      const names = this.rawSectionBytes(strtab);
      const nr = new Reader(names, strtab.offset, name, r.littleEndian);
      for (const s of raw) {
        if (s.nameOffset >= names.length) nr.fail(`section name offset below ${names.length}`, String(s.nameOffset));
        nr.seek(s.nameOffset);
        s.name = nr.cstring('section name');
      }
    }
    this.sections = raw;

    // Program headers.
    const phdrs: ElfProgramHeader[] = [];
    if (phoff !== 0 && phnum > 0) {
      if (phentsize < phdrSize) r.fail(`e_phentsize >= ${phdrSize}`, String(phentsize), bits === 64 ? 0x36 : 0x2a);
      const pr = new Reader(this.range(phoff, phnum * phentsize, `${phnum} program headers of ${phentsize} bytes`), phoff, name, r.littleEndian);
      for (let i = 0; i < phnum; i++) {
        pr.seek(i * phentsize);
        if (bits === 64) {
          // Elf64_Phdr: u32 p_type; u32 p_flags; u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align
          const ptype = pr.u32('p_type'), pflags = pr.u32('p_flags');
          const offset = pr.u64n('p_offset'), vaddr = pr.u64('p_vaddr'), paddr = pr.u64('p_paddr');
          const filesz = pr.u64n('p_filesz'), memsz = pr.u64n('p_memsz'), align = pr.u64n('p_align');
          phdrs.push({ type: ptype, flags: pflags, offset, vaddr, paddr, filesz, memsz, align });
        } else {
          // Elf32_Phdr: u32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align
          const ptype = pr.u32('p_type'), offset = pr.u32('p_offset');
          const vaddr = BigInt(pr.u32('p_vaddr')), paddr = BigInt(pr.u32('p_paddr'));
          const filesz = pr.u32('p_filesz'), memsz = pr.u32('p_memsz'), pflags = pr.u32('p_flags'), align = pr.u32('p_align');
          phdrs.push({ type: ptype, flags: pflags, offset, vaddr, paddr, filesz, memsz, align });
        }
      }
    }
    this.programHeaders = phdrs;
  }

  private readSectionHeader(r: Reader, shoff: number, shentsize: number, index: number, bits: number): ElfSection {
    r.seek(shoff);
    r.skip(index * shentsize, 'section header table');
    if (bits === 64) {
      // Elf64_Shdr: u32 sh_name, sh_type; u64 sh_flags, sh_addr, sh_offset, sh_size; u32 sh_link, sh_info; u64 sh_addralign, sh_entsize
      const nameOffset = r.u32('sh_name'), type = r.u32('sh_type');
      const flagsBig = r.u64('sh_flags');
      const addr = r.u64('sh_addr');
      const offset = r.u64n('sh_offset'), size = r.u64n('sh_size');
      const link = r.u32('sh_link'), info = r.u32('sh_info');
      const addralign = r.u64n('sh_addralign'), entsize = r.u64n('sh_entsize');
      return { index, name: '', nameOffset, type, flags: Number(flagsBig & 0xffffffffn), addr, offset, size, link, info, addralign, entsize };
    }
    // Elf32_Shdr: u32 sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize
    const nameOffset = r.u32('sh_name'), type = r.u32('sh_type'), flags = r.u32('sh_flags');
    const addr = BigInt(r.u32('sh_addr'));
    const offset = r.u32('sh_offset'), size = r.u32('sh_size');
    const link = r.u32('sh_link'), info = r.u32('sh_info'), addralign = r.u32('sh_addralign'), entsize = r.u32('sh_entsize');
    return { index, name: '', nameOffset, type, flags, addr, offset, size, link, info, addralign, entsize };
  }

  /**
   * `length` bytes at file offset `offset` (a view of the bytes given, or a fresh read from the
   * source); a FormatError when the range is not inside the file.
   */
  range(offset: number, length: number, what: string): Uint8Array {
    if (offset < 0 || offset > this.size) throw new FormatError(this.name, offset, `${what}: an offset within the file (${this.size} bytes)`, String(offset));
    if (length < 0 || offset + length > this.size) throw new FormatError(this.name, offset, `${what} (${length} bytes)`, `${this.size - offset} bytes left`);
    if (this.whole) return this.whole.subarray(offset, offset + length);
    const b = this.source!.read(offset, length);
    if (b.byteLength !== length) throw new FormatError(this.name, offset, `${what} (${length} bytes)`, `${b.byteLength} bytes read (the file changed?)`);
    return b;
  }

  /** The whole file's bytes (read in full from a source: prefer range() and sectionData()). */
  get bytes(): Uint8Array { return this.whole ?? this.range(0, this.size, 'whole file'); }

  /** A reader over the whole file, in the file's byte order. */
  reader(): Reader { return new Reader(this.bytes, 0, this.name, this.header.littleEndian); }

  /** CRC-32 of the whole file (the .gnu_debuglink check), read in chunks from a source. */
  crc32(): number {
    if (this.whole) return crc32(this.whole);
    let c = 0;
    for (let off = 0; off < this.size; off += CRC_CHUNK) c = crc32(this.range(off, Math.min(CRC_CHUNK, this.size - off), 'file data'), c);
    return c;
  }

  /**
   * Forgets decoded symbol tables and cached section bytes (they are read again when next asked),
   * so that a long-lived object keeps only its headers once its caller has what it needs.
   */
  releaseCaches(): void {
    this.dataCache.clear();
    this.symtabCache = undefined;
    this.dynsymCache = undefined;
  }

  /** Closes the source's handle (a source that reopens on demand still serves later reads). */
  close(): void { this.source?.close?.(); }

  /** The section's bytes as stored in the file (no decompression; empty for SHT_NOBITS). */
  rawSectionBytes(sec: ElfSection): Uint8Array {
    if (sec.type === SHT_NOBITS || sec.size === 0) return new Uint8Array(0);
    if (sec.offset > this.size) throw new FormatError(this.name, sec.offset, `section ${sec.index} offset within the file (${this.size} bytes)`, String(sec.offset));
    return this.range(sec.offset, sec.size, `section ${sec.index}${sec.name ? ` (${sec.name})` : ''} data`);
  }

  /** The section's bytes, decompressed for SHF_COMPRESSED and legacy `.zdebug_*` sections. Cached. */
  sectionData(sec: ElfSection): Uint8Array {
    const cached = this.dataCache.get(sec.index);
    if (cached) return cached;
    let out = this.rawSectionBytes(sec);
    if (sec.flags & SHF_COMPRESSED) out = this.decompressChdr(sec, out);
    else if (sec.name.startsWith('.zdebug') && out.length >= 12 && out[0] === 0x5a && out[1] === 0x4c && out[2] === 0x49 && out[3] === 0x42) {
      out = this.decompressZdebug(sec, out);
    }
    this.dataCache.set(sec.index, out);
    return out;
  }

  /** The section with this name, the first if several; `.debug_X` also finds a legacy `.zdebug_X`. */
  findSection(name: string): ElfSection | undefined {
    const s = this.sections.find((x) => x.name === name);
    if (s || !name.startsWith('.debug_')) return s;
    return this.sections.find((x) => x.name === '.z' + name.slice(1));
  }

  /** Bytes of the named section (decompressed), or undefined when absent. */
  sectionDataByName(name: string): Uint8Array | undefined {
    const s = this.findSection(name);
    return s ? this.sectionData(s) : undefined;
  }

  // Elf32_Chdr: u32 ch_type; u32 ch_size; u32 ch_addralign
  // Elf64_Chdr: u32 ch_type; u32 ch_reserved; u64 ch_size; u64 ch_addralign
  private decompressChdr(sec: ElfSection, raw: Uint8Array): Uint8Array {
    const r = new Reader(raw, sec.offset, this.name, this.header.littleEndian);
    const chType = r.u32('ch_type');
    let chSize: number;
    if (this.header.bits === 64) { r.u32('ch_reserved'); chSize = r.u64n('ch_size'); r.u64n('ch_addralign'); }
    else { chSize = r.u32('ch_size'); r.u32('ch_addralign'); }
    return this.inflate(sec, chType, raw.subarray(r.pos), chSize, sec.offset + r.pos);
  }

  // Legacy GNU compressed debug section: "ZLIB", u64 big-endian uncompressed size, zlib stream.
  private decompressZdebug(sec: ElfSection, raw: Uint8Array): Uint8Array {
    const r = new Reader(raw, sec.offset, this.name, false);
    r.skip(4, '"ZLIB" magic');
    const size = r.u64n('.zdebug uncompressed size');
    return this.inflate(sec, ELFCOMPRESS_ZLIB, raw.subarray(12), size, sec.offset + 12);
  }

  private inflate(sec: ElfSection, chType: number, data: Uint8Array, size: number, at: number): Uint8Array {
    const what = `section ${sec.name || sec.index}`;
    if (size > MAX_DECOMPRESSED_SECTION) throw new FormatError(this.name, at, `${what}: uncompressed size below ${MAX_DECOMPRESSED_SECTION}`, String(size));
    // Deflate cannot expand more than 1032:1, so a larger claimed size is corrupt (and would allocate it).
    if (chType === ELFCOMPRESS_ZLIB && size > data.length * 1032 + 4096) {
      throw new FormatError(this.name, at, `${what}: uncompressed size at most 1032 times the ${data.length} compressed bytes`, String(size));
    }
    let out: Uint8Array;
    try {
      if (chType === ELFCOMPRESS_ZLIB) {
        const b = inflateSync(data, { maxOutputLength: Math.max(size, 1) });
        out = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } else if (chType === ELFCOMPRESS_ZSTD) {
        out = zstdDecompress(data); // no preallocation: a hostile ch_size must not allocate up front
      } else {
        throw new FormatError(this.name, at - 4, `${what}: ch_type ELFCOMPRESS_ZLIB (1) or ELFCOMPRESS_ZSTD (2)`, String(chType));
      }
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(this.name, at, `${what}: a valid ${chType === ELFCOMPRESS_ZSTD ? 'zstd' : 'zlib'} stream`, (e as Error).message);
    }
    if (out.length !== size) throw new FormatError(this.name, at, `${what}: ${size} bytes after decompression`, `${out.length} bytes`);
    return out;
  }

  /** The full symbol table (.symtab), or undefined when stripped. */
  symtab(): ElfSymbolTable | undefined {
    if (this.symtabCache === undefined) this.symtabCache = this.readSymbols(SHT_SYMTAB) ?? null;
    return this.symtabCache ?? undefined;
  }

  /** The dynamic symbol table (.dynsym), or undefined. */
  dynsym(): ElfSymbolTable | undefined {
    if (this.dynsymCache === undefined) this.dynsymCache = this.readSymbols(SHT_DYNSYM) ?? null;
    return this.dynsymCache ?? undefined;
  }

  private readSymbols(type: number): ElfSymbolTable | undefined {
    const input = this.symbolTableInput(type);
    return input && readSymbolTable(input);
  }

  /**
   * The bytes and layout of the first symbol table section of `type` (SHT_SYMTAB, SHT_DYNSYM), as
   * readSymbolTable reads them: for readers that take a few columns in one pass (pickSymbols).
   */
  symbolTableInput(type: number): SymbolTableInput | undefined {
    const sec = this.sections.find((s) => s.type === type);
    if (!sec) return undefined;
    if (sec.link >= this.sections.length) {
      throw new FormatError(this.name, this.header.shoff + sec.index * this.header.shentsize, `sh_link of ${sec.name} below ${this.sections.length}`, String(sec.link));
    }
    const strtab = this.sections[sec.link];
    const shndxSec = this.sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === sec.index);
    return {
      file: this.name,
      littleEndian: this.header.littleEndian,
      bits: this.header.bits,
      symbols: this.sectionData(sec),
      symbolsOffset: sec.offset,
      entsize: sec.entsize,
      strings: this.sectionData(strtab),
      stringsOffset: strtab.offset,
      shndx: shndxSec ? this.sectionData(shndxSec) : undefined,
      sectionName: sec.name,
    };
  }

  /** Notes from every PT_NOTE segment, or from SHT_NOTE sections when there are no program headers. */
  notes(): ElfNote[] {
    const out: ElfNote[] = [];
    const segs = this.programHeaders.filter((p) => p.type === PT_NOTE);
    if (segs.length > 0) {
      for (const p of segs) {
        const data = this.range(Math.min(p.offset, this.size), p.filesz, 'PT_NOTE segment');
        out.push(...readNotes(data, p.offset, this.name, this.header.littleEndian, p.align === 8 ? 8 : 4));
      }
      return out;
    }
    for (const s of this.sections) {
      if (s.type !== SHT_NOTE) continue;
      out.push(...readNotes(this.sectionData(s), s.offset, this.name, this.header.littleEndian, s.addralign === 8 ? 8 : 4));
    }
    return out;
  }

  /** The GNU build-id (NT_GNU_BUILD_ID note) as bytes, from .note.gnu.build-id or any PT_NOTE; undefined if none. */
  buildId(): Uint8Array | undefined {
    const sec = this.findSection('.note.gnu.build-id');
    const notes = sec && sec.type === SHT_NOTE
      ? readNotes(this.sectionData(sec), sec.offset, this.name, this.header.littleEndian, sec.addralign === 8 ? 8 : 4)
      : this.notes();
    const n = notes.find((x) => x.type === NT_GNU_BUILD_ID && x.name === 'GNU');
    return n?.desc;
  }

  /** The build-id as lower-case hex, as `readelf -n` and the .build-id directories spell it. */
  buildIdHex(): string | undefined {
    const b = this.buildId();
    return b ? toHex(b) : undefined;
  }

  /**
   * .gnu_debuglink: the debug file's name, then NUL padding to 4 bytes, then a u32 CRC-32 of the
   * whole debug file (binutils bfd/opncls.c bfd_get_debug_link_info).
   */
  debugLink(): { file: string; crc: number } | undefined {
    const sec = this.findSection('.gnu_debuglink');
    if (!sec) return undefined;
    const r = new Reader(this.sectionData(sec), sec.offset, this.name, this.header.littleEndian);
    const file = r.cstring('.gnu_debuglink file name');
    r.align(4);
    const crc = r.u32('.gnu_debuglink CRC-32');
    return { file, crc };
  }

  /**
   * .gnu_debugaltlink: the name of the supplementary (dwz) debug file, NUL, then its build-id
   * (binutils bfd/opncls.c bfd_get_alt_debug_link_info).
   */
  debugAltLink(): { file: string; buildId: Uint8Array } | undefined {
    const sec = this.findSection('.gnu_debugaltlink');
    if (!sec) return undefined;
    const r = new Reader(this.sectionData(sec), sec.offset, this.name, this.header.littleEndian);
    const file = r.cstring('.gnu_debugaltlink file name');
    return { file, buildId: r.bytesN(r.remaining, 'build-id') };
  }

  /** Section for a symbol's st_shndx, or undefined for special indices (SHN_UNDEF, SHN_ABS, SHN_COMMON). */
  sectionForIndex(shndx: number): ElfSection | undefined {
    if (shndx === 0 || (shndx >= SHN_LORESERVE && shndx <= 0xffff && shndx !== SHN_XINDEX)) return undefined;
    return this.sections[shndx];
  }

  /**
   * The load bias needed to map a file offset to an address: for the PT_LOAD segment containing
   * `fileOffset`, returns p_vaddr - p_offset (as perf's map__map_ip relies on). Undefined if none.
   */
  loadSegmentFor(fileOffset: number): ElfProgramHeader | undefined {
    return this.programHeaders.find((p) => p.type === 1 && fileOffset >= p.offset && fileOffset < p.offset + p.filesz);
  }
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}
