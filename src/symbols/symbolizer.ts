// The symbolizer: DSO path + ELF address → frames (innermost first), from debug info when a
// DebugInfoProvider is plugged in, else from the symbol table. All file access goes through the
// injected SymbolLoader; DSOs are cached by path.
import { toHex, type ElfFile, PT_LOAD, SHT_SYMTAB, SHT_DYNSYM, symbolTableCount } from '../formats/elf/index.js';
import { FormatError } from '../util/index.js';
import { SymbolIndex, perfSymbolColumnsOf, pltRows, sameDynsym, type RankName, type SymbolEntry, type SymbolRow } from './symbol-index.js';
import { buildSymbolIndex, functionColumns } from './symbol-table.js';
import { findDebugFile, altLinkCandidates, openElf } from './debug-files.js';
import type { DebugInfoFactory, DebugInfoProvider, Frame, SymbolLoader } from './types.js';

export interface SymbolizerOptions {
  /** Makes DWARF (or other) debug-info providers; without it only symbol tables are used. */
  debugInfo?: DebugInfoFactory;
  /** Applied to every function name from the symbol table (e.g. symbols/demangle.ts). */
  demangle?: (name: string) => string;
  /**
   * 'perf' (default): an address past a sized symbol's end has no symbol. 'addr2line': the nearest
   * symbol below it is used, as addr2line does for padding between functions.
   */
  symbolMatch?: 'perf' | 'addr2line';
  /** Look for separate debug files (default true). */
  searchDebugFiles?: boolean;
  /**
   * Without `demangle`: the demangled form of a name, used only where perf compares names of
   * aliases at one address (choose_best_symbol's underscore count and length: perf demangles
   * symbols as it loads them, so `_Znam` "operator new[]" beats `_Znwm` "operator new").
   */
  rankName?: RankName;
}

/** One loaded DSO: the binary, its debug file, its symbol index and debug info. */
export class Dso {
  private provider?: DebugInfoProvider | null;

  constructor(
    readonly path: string,
    readonly elf: ElfFile,
    readonly debugFile: { path: string; elf: ElfFile } | undefined,
    readonly symbols: SymbolIndex,
    private readonly makeProvider: () => DebugInfoProvider | undefined,
  ) {}

  get buildId(): string | undefined { return this.elf.buildIdHex(); }

  debugInfo(): DebugInfoProvider | undefined {
    if (this.provider === undefined) this.provider = this.makeProvider() ?? null;
    return this.provider ?? undefined;
  }

  /**
   * The ELF address of a file offset (mmap pgoff + (ip - map start)): p_vaddr + (off - p_offset)
   * of the PT_LOAD segment containing it; undefined when no segment holds it.
   */
  addressOfFileOffset(offset: number): bigint | undefined {
    for (const p of this.elf.programHeaders) {
      if (p.type === PT_LOAD && offset >= p.offset && offset < p.offset + Math.max(p.filesz, p.memsz)) return p.vaddr + BigInt(offset - p.offset);
    }
    return undefined;
  }

  /**
   * addressOfFileOffset as a number, for a per-sample caller: from the segments kept as
   * (file offset, end, vaddr) triples of exact doubles (no BigInt per lookup) while every vaddr and
   * end is below 2^53, else through the BigInt answer.
   */
  addressOfFileOffsetNumber(offset: number): number | undefined {
    let loads = this.loads;
    if (loads === null) {
      const ph = this.elf.programHeaders.filter((p) => p.type === PT_LOAD);
      loads = new Float64Array(3 * ph.length);
      for (let k = 0; k < ph.length; k++) {
        const p = ph[k], size = Math.max(p.filesz, p.memsz);
        if (p.vaddr + BigInt(size) > BigInt(Number.MAX_SAFE_INTEGER)) { loads = undefined; break; }
        loads[3 * k] = p.offset; loads[3 * k + 1] = p.offset + size; loads[3 * k + 2] = Number(p.vaddr);
      }
      this.loads = loads;
    }
    if (loads === undefined) {
      const a = this.addressOfFileOffset(offset);
      return a === undefined ? undefined : Number(a);
    }
    for (let k = 0; k < loads.length; k += 3) if (offset >= loads[k] && offset < loads[k + 1]) return loads[k + 2] + (offset - loads[k]);
    return undefined;
  }

  /** addressOfFileOffsetNumber's segments: undefined when a vaddr passes 2^53, null until made. */
  private loads: Float64Array | undefined | null = null;

  symbolAt(address: number | bigint): SymbolEntry | undefined { return this.symbols.find(address); }
}

/** The entry count of `elf`'s first symbol table of `type` (what its ElfSymbolTable's count would be), 0 when it has none. */
function symbolCount(elf: ElfFile, type: number): number {
  const input = elf.symbolTableInput(type);
  return input ? symbolTableCount(input) : 0;
}

export class Symbolizer {
  private readonly dsos = new Map<string, Dso | null>();

  private readonly nearest: boolean;

  constructor(readonly loader: SymbolLoader, readonly options: SymbolizerOptions = {}) {
    this.nearest = options.symbolMatch === 'addr2line';
  }

  /**
   * Loads (once) the DSO at `path`. Undefined when the loader cannot read it or it is not ELF.
   * Malformed ELF throws FormatError. With `buildId`, a file whose build-id differs is refused
   * (undefined), as perf refuses a rebuilt binary.
   */
  dso(path: string, buildId?: string): Dso | undefined {
    const key = buildId ? `${path}\0${buildId}` : path;
    const hit = this.dsos.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const dso = this.load(path, buildId);
    this.dsos.set(key, dso ?? null);
    return dso;
  }

  private load(path: string, buildId?: string): Dso | undefined {
    let elf = openElf(this.loader, path);
    if (elf && buildId && elf.buildIdHex() !== undefined && elf.buildIdHex() !== buildId) { elf.close(); elf = undefined; }
    if (!elf && buildId && this.loader.homeDir) {
      // perf's build-id cache keeps a copy of the binary: ~/.debug/.build-id/xx/rest/elf
      elf = openElf(this.loader, `${this.loader.homeDir}/.debug/.build-id/${buildId.slice(0, 2)}/${buildId.slice(2)}/elf`);
    }
    if (!elf) return undefined;
    const debugFile = this.options.searchDebugFiles === false ? undefined : findDebugFile(path, elf, this.loader);
    // perf prefers .symtab (from the debug file when the binary is stripped), else .dynsym.
    const withSymtab = [debugFile?.elf, elf].find((e) => e && symbolCount(e, SHT_SYMTAB) > 1);
    const demangle = this.options.demangle;
    let index: SymbolIndex;
    if (this.nearest) {
      // addr2line: functionRows + fromRows, built with typed arrays (symbol-table.ts), names decoded when looked up.
      const table = withSymtab ? withSymtab.symtab()! : elf.dynsym();
      const cols = table ? functionColumns(table, withSymtab === debugFile?.elf && debugFile ? debugFile.elf : elf) : undefined;
      if (cols && demangle) { const raw = cols.name; cols.name = (i) => demangle(raw(i)); }
      index = cols ? buildSymbolIndex(cols).index : SymbolIndex.fromRows([]);
    } else {
      // perf: the .symtab pass, then the .dynsym pass of the same file, then the PLT entries
      // (dso__load_sym, dso__synthesize_plt_symbols), in perf's tree (SymbolIndex.fromPerfPasses).
      const syms = withSymtab ?? elf;
      const passes = [SHT_SYMTAB, SHT_DYNSYM].map((type) => perfSymbolColumnsOf(syms, type, elf)).filter((p) => p !== undefined);
      if (demangle) {
        const memo = new Map<string, string>();
        for (const p of passes) { const raw = p.name; p.asciiName = undefined; p.name = (i) => { const r = raw(i); let d = memo.get(r); if (d === undefined) { d = demangle(r); memo.set(r, d); } return d; }; }
      }
      // dso__load synthesizes PLT symbols only when dso__load_sym loaded some: a stripped PIE whose
      // .dynsym has only imports (c++filt) gets none, and perf prints its PLT hits as [unknown].
      let plt: SymbolRow[] = [];
      if (passes.some((p) => p.count > 0)) {
        // The names from the .dynsym already read when the symbols' file has the binary's (a build-id cache copy).
        try { plt = pltRows(elf, syms !== elf && sameDynsym(elf, syms) ? syms : undefined); } catch (e) { if (!(e instanceof FormatError)) throw e; }
      }
      index = SymbolIndex.fromPerfColumns(passes, plt, { rankName: demangle ? undefined : this.options.rankName });
    }
    // The index holds what lookups need: drop the tables' bytes and close the files (DWARF and CFI
    // sections are read, reopening the file, when first asked for).
    for (const e of [elf, debugFile?.elf]) { e?.releaseCaches(); e?.close(); }
    const factory = this.options.debugInfo;
    const makeProvider = (): DebugInfoProvider | undefined => {
      if (!factory) return undefined;
      const target = debugFile?.elf.findSection('.debug_info') ? debugFile.elf : elf!;
      return factory(target, this.supplementary(debugFile?.path ?? path, target));
    };
    return new Dso(path, elf, debugFile, index, makeProvider);
  }

  private supplementary(path: string, elf: ElfFile): ElfFile | undefined {
    let alt: { file: string; buildId: Uint8Array } | undefined;
    try { alt = elf.debugAltLink(); } catch (e) { if (e instanceof FormatError) return undefined; throw e; }
    if (!alt) return undefined;
    const want = toHex(alt.buildId);
    for (const p of altLinkCandidates(path, alt.file, want, this.loader)) {
      try {
        const e = openElf(this.loader, p);
        if (!e) continue;
        if (e.buildIdHex() === want) return e;
        e.close();
      } catch (err) { if (!(err instanceof FormatError)) throw err; }
    }
    return undefined;
  }

  /**
   * Frames for an ELF address of the DSO at `path`, innermost first (`addr2line -f -i`). Debug info
   * wins when it knows the address; then the symbol table ({function} only); else [].
   */
  symbolize(path: string, address: number | bigint, buildId?: string): Frame[] {
    const dso = this.dso(path, buildId);
    if (!dso) return [];
    return this.symbolizeIn(dso, address);
  }

  symbolizeIn(dso: Dso, address: number | bigint): Frame[] {
    const a = typeof address === 'bigint' ? address : BigInt(address);
    const provider = dso.debugInfo();
    const frames = provider?.frames(a);
    if (frames && frames.length > 0) {
      const outer = frames[frames.length - 1];
      if (outer.function === undefined) {
        const s = dso.symbols.find(a, this.nearest);
        if (s) outer.function = s.name;
      }
      return frames;
    }
    const s = dso.symbols.find(a, this.nearest);
    return s ? [{ function: s.name, inlined: false }] : [];
  }
}
