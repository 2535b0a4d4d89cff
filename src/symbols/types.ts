// The contracts of symbols/: what a lookup returns, how debug info plugs in, how files are read.

/** One frame of a symbolized address, innermost first in a list (as `addr2line -i` prints them). */
export interface Frame {
  /** Function name (demangled when the symbolizer was given a demangler). */
  function?: string;
  file?: string;
  line?: number;
  column?: number;
  /** True for every frame but the last (outermost) one when an address is inside inlined code. */
  inlined: boolean;
}

/**
 * Addresses below are ELF virtual addresses of the DSO (the st_value / DW_AT_low_pc space, what
 * `addr2line -e DSO` takes), not runtime addresses: the caller removes the load bias first.
 * They are bigint at this edge so kernel addresses (above 2^53) stay exact.
 */
export type ElfAddress = bigint;

/**
 * Debug information for one ELF file, e.g. DWARF .debug_info/.debug_line (implemented on branch
 * `dwarf`). `frames` returns the inline chain innermost first, or undefined when it has nothing for
 * the address (the symbolizer then falls back to the symbol table).
 */
export interface DebugInfoProvider {
  frames(address: ElfAddress): Frame[] | undefined;
}

/**
 * Makes a provider from a loaded ELF file (the separate debug file when one was found, else the
 * binary itself) and, if its .gnu_debugaltlink names one, the supplementary (dwz) file.
 * Returns undefined when the file has no usable debug info.
 */
export type DebugInfoFactory = (
  elf: import('../formats/elf/index.js').ElfFile,
  supplementary?: import('../formats/elf/index.js').ElfFile,
) => DebugInfoProvider | undefined;

/**
 * An open file read by ranges (formats/elf's ElfByteSource): what the symbolizer uses for ELF files
 * when the loader can open them, so that a 100 MB executable costs only its headers and symbol
 * tables, and its DWARF and CFI sections are read when first needed.
 */
export interface RandomAccessFile {
  readonly size: number;
  /** `length` bytes at `offset` (fewer only at the end of the file, or none if it changed). */
  read(offset: number, length: number): Uint8Array;
  /**
   * Releases the OS handle. Optional, and not final: a later read may reopen the file (the Node
   * loader keeps few descriptors open at once and reopens on demand).
   */
  close?(): void;
}

/**
 * How symbols/ reads files: injected so that nothing in symbols/ does I/O (the Node implementation
 * is util/node-loader.ts; a browser passes files the user dropped).
 */
export interface SymbolLoader {
  /** The file's bytes, or undefined when it does not exist or cannot be read. */
  readFile(path: string): Uint8Array | undefined;
  /**
   * Optional ranged access to an ELF file (undefined when it does not exist or is not a regular
   * file). When given, the symbolizer opens DSOs and debug files with it instead of readFile.
   */
  open?(path: string): RandomAccessFile | undefined;
  /** Home directory for perf's build-id cache (~/.debug); omitted → the cache is not searched. */
  homeDir?: string;
  /** Global debug directories, like gdb's debug-file-directory; default ['/usr/lib/debug']. */
  debugDirs?: string[];
}
