// The DWARF sections a parser may need, as plain bytes (already decompressed by the ELF layer).
// Names drop the leading dot: debug_info is .debug_info.
export interface DwarfSections {
  debug_info?: Uint8Array;
  debug_abbrev?: Uint8Array;
  debug_line?: Uint8Array;
  debug_line_str?: Uint8Array;
  debug_str?: Uint8Array;
  debug_str_offsets?: Uint8Array;
  debug_addr?: Uint8Array;
  debug_ranges?: Uint8Array;
  debug_rnglists?: Uint8Array;
  debug_aranges?: Uint8Array;
  debug_loclists?: Uint8Array;
  debug_types?: Uint8Array;
}

export const DWARF_SECTION_NAMES: (keyof DwarfSections)[] = [
  'debug_info', 'debug_abbrev', 'debug_line', 'debug_line_str', 'debug_str', 'debug_str_offsets',
  'debug_addr', 'debug_ranges', 'debug_rnglists', 'debug_aranges', 'debug_loclists', 'debug_types',
];
