// .eh_frame_hdr: the binary-search table the linker builds over .eh_frame (LSB 5.0 "The
// .eh_frame_hdr section"; binutils ld/elf-eh-frame.c writes it, libgcc unwind-dw2-fde-dip.c reads it).
//
//   u8   version            (1)
//   u8   eh_frame_ptr_enc   encoding of eh_frame_ptr
//   u8   fde_count_enc      encoding of fde_count (DW_EH_PE_omit: no table)
//   u8   table_enc          encoding of the table entries (ld writes DW_EH_PE_datarel|sdata4 = 0x3b)
//   enc  eh_frame_ptr       address of .eh_frame
//   enc  fde_count
//   { enc initial_location; enc fde_address } table[fde_count], sorted by initial_location
// DW_EH_PE_datarel values in this section are relative to the start of .eh_frame_hdr.
import { Reader } from '../../util/reader.js';
import { DW_EH_PE_omit, encodedSize, readEncodedPointer, type PointerBases, type FrameSection, type Fde } from './eh-frame.js';

export interface EhFrameHdrInput {
  bytes: Uint8Array;
  /** The section's virtual address (sh_addr). */
  address: number;
  fileOffset?: number;
  file?: string;
  addressSize?: number;
  littleEndian?: boolean;
}

export class EhFrameHdr {
  readonly version: number;
  readonly ehFramePtrEnc: number;
  readonly fdeCountEnc: number;
  readonly tableEnc: number;
  /** Address of .eh_frame as the header records it. */
  readonly ehFramePtr: number;
  readonly fdeCount: number;
  private readonly tableStart: number;
  private readonly entrySize: number;
  private readonly reader: Reader;
  private readonly bases: PointerBases;
  private readonly addressSize: number;

  constructor(input: EhFrameHdrInput) {
    const r = new Reader(input.bytes, input.fileOffset ?? 0, input.file ?? '<.eh_frame_hdr>', input.littleEndian ?? true);
    this.reader = r;
    this.addressSize = input.addressSize ?? 8;
    this.bases = { section: input.address, data: input.address };
    this.version = r.u8('.eh_frame_hdr version');
    if (this.version !== 1) r.fail('.eh_frame_hdr version 1', String(this.version), 0);
    this.ehFramePtrEnc = r.u8('eh_frame_ptr_enc');
    this.fdeCountEnc = r.u8('fde_count_enc');
    this.tableEnc = r.u8('table_enc');
    this.ehFramePtr = readEncodedPointer(r, this.ehFramePtrEnc, this.addressSize, this.bases, 'eh_frame_ptr');
    if (this.fdeCountEnc === DW_EH_PE_omit || this.tableEnc === DW_EH_PE_omit) {
      this.fdeCount = 0;
      this.entrySize = 0;
    } else {
      this.fdeCount = readEncodedPointer(r, this.fdeCountEnc, this.addressSize, this.bases, 'fde_count');
      const size = encodedSize(this.tableEnc, this.addressSize);
      // A LEB128 table cannot be binary-searched; callers fall back to the .eh_frame index.
      this.entrySize = size * 2;
      if (size && this.fdeCount * this.entrySize > r.remaining) {
        r.fail(`a search table of ${this.fdeCount} entries of ${this.entrySize} bytes`, `${r.remaining} bytes left`);
      }
    }
    this.tableStart = r.pos;
  }

  /** True when the table can be binary-searched. */
  get searchable(): boolean { return this.entrySize > 0 && this.fdeCount > 0; }

  /** Entry i of the table: [initial_location, fde_address]. */
  entry(i: number): [number, number] {
    const r = this.reader;
    r.pos = this.tableStart + i * this.entrySize;
    const loc = readEncodedPointer(r, this.tableEnc, this.addressSize, this.bases, 'table initial_location');
    const fde = readEncodedPointer(r, this.tableEnc, this.addressSize, this.bases, 'table fde_address');
    return [loc, fde];
  }

  private locationAt(i: number): number {
    const r = this.reader;
    r.pos = this.tableStart + i * this.entrySize;
    return readEncodedPointer(r, this.tableEnc, this.addressSize, this.bases, 'table initial_location');
  }

  /** Address of the FDE whose initial_location is the greatest one ≤ pc, or -1. */
  lookup(pc: number): number {
    if (!this.searchable) return -1;
    let lo = 0, hi = this.fdeCount - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.locationAt(mid) <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0) return -1;
    const r = this.reader;
    r.pos = this.tableStart + found * this.entrySize + this.entrySize / 2;
    return readEncodedPointer(r, this.tableEnc, this.addressSize, this.bases, 'table fde_address');
  }
}

export function readEhFrameHdr(input: EhFrameHdrInput): EhFrameHdr {
  return new EhFrameHdr(input);
}

/**
 * Finds the FDE covering `pc` through the header's table, falling back to the section's own sorted
 * index when the header has no searchable table or its answer does not cover pc.
 */
export function findFdeWithHdr(hdr: EhFrameHdr | undefined, ehFrame: FrameSection, pc: number): Fde | undefined {
  if (hdr && hdr.searchable) {
    const addr = hdr.lookup(pc);
    if (addr < 0) return undefined;
    const off = addr - ehFrame.address;
    if (off >= 0 && off < ehFrame.bytes.byteLength) {
      const fde = ehFrame.fdeAt(off);
      return pc >= fde.pcBegin && pc < fde.pcEnd ? fde : undefined;
    }
  }
  return ehFrame.findFde(pc);
}
