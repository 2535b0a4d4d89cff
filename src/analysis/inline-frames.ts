// Inline frames of a callchain entry, as Linux perf 6.1 adds them to callchains unwound from
// --call-graph dwarf samples (tools/perf/util/machine.c: unwind_entry → append_inlines;
// util/srcline.c: dso__parse_addr_inlines, addr2line, new_inline_sym).
//
// perf 6.1 (built without libbfd, as Debian's is) runs `addr2line -a -i -f` on the DSO's symbol
// source (its debug file when one was found) for the frame's ELF address, and replaces the frame
// by one entry per record, innermost first:
//   - the record's function name (demangled as symbol names are) equals the frame's symbol name:
//     the frame's own symbol, printed as usual ("sym+0xoff (dso)");
//   - any other name: a made-up symbol of that name with the frame symbol's start, printed
//     "name+0xoff (inlined)" in place of the DSO.
// So an address inside inlined code grows one line per inlined call, and an address whose DWARF
// subprogram is named differently from its ELF symbol (glibc's __libc_start_main_impl, exported
// as __libc_start_main@@GLIBC_2.34) prints the DWARF name "(inlined)". Frames without a symbol,
// kernel frames and perf-PID.map frames are left alone. perf 6.1 does this only for frames
// reported by the DWARF unwinder, not for frame-pointer callchain entries (append_inlines was
// added to add_callchain_ip later).
import type { Loc, SymInfo } from './machine.js';
import { SampleType } from '../formats/perfdata/constants.js';
import type { PerfSample } from '../formats/perfdata/sample.js';

/** One entry replacing a frame: `inlined` entries print "(inlined)" instead of the DSO. */
export interface InlineEntry {
  name: string;
  inlined: boolean;
  /** The record's location, "file:line" (basename; "??:0" unknown), as perf keeps it for -F srcline. */
  srcline: string;
  /** The same with the file's path as DWARF gives it (perf script --full-source-path). */
  fullSrcline: string;
}

export class InlineFrames {
  private readonly cache = new Map<Loc, InlineEntry[] | null>();

  /**
   * @param symbolName the name printed for a symbol (demangled as the printer shows it)
   * @param demangle applied to DWARF function names (perf's dso__demangle_sym)
   */
  constructor(
    private readonly symbolName: (s: SymInfo) => string,
    private readonly demangle: (name: string) => string = (n) => n,
  ) {}

  /**
   * The entries replacing a user frame resolved to `loc` (its addrHex is the DSO file offset),
   * or undefined when perf prints the frame unchanged.
   */
  expand(loc: Loc): InlineEntry[] | undefined {
    const e = this.records(loc);
    return e && !(e.length === 1 && !e[0].inlined) ? e : undefined;
  }

  /**
   * addr2line's records for the frame, even a lone one naming the frame's own symbol (perf's
   * append_inlines appends those too, with their srcline); undefined when perf appends the plain frame.
   */
  records(loc: Loc): InlineEntry[] | undefined {
    let e = this.cache.get(loc);
    if (e === undefined) {
      e = this.compute(loc);
      this.cache.set(loc, e);
    }
    return e ?? undefined;
  }

  private compute(loc: Loc): InlineEntry[] | null {
    const sym = loc.sym, dso = loc.dso;
    if (!sym || !dso || dso.kind !== 'user' || !dso.elf) return null;
    const elf = dso.elf;
    const at = elf.addressOfFileOffset(parseInt(loc.addrHex, 16));
    if (at === undefined) return null;
    const provider = elf.debugInfo();
    const frames = provider?.frames(at);
    if (!frames || frames.length === 0) return null;
    const base = this.symbolName(sym);
    const out: InlineEntry[] = [];
    for (let i = 0; i < frames.length; i++) {
      let fn = frames[i].function;
      // addr2line names the outermost frame from the symbol table when DWARF has no name
      if (fn === undefined && i === frames.length - 1) fn = elf.symbolAt(at)?.name;
      let name = fn ?? '??';
      try { name = this.demangle(name); } catch { /* keep the name as written */ }
      const file = frames[i].file;
      const srcline = file !== undefined ? `${file.slice(file.lastIndexOf('/') + 1)}:${frames[i].line ?? 0}` : '??:0';
      out.push({ name, inlined: name !== base, srcline, fullSrcline: file !== undefined ? `${file}:${frames[i].line ?? 0}` : '??:0' });
    }
    return out;
  }
}

/**
 * How many of a resolved sample's chain entries came from the recorded callchain (addresses, not
 * PERF_CONTEXT_* markers, as Machine.resolve counts them); the entries after them were unwound, and
 * only those get inline frames.
 */
export function recordedEntries(s: PerfSample): number {
  if (!(s.sampleType & SampleType.CALLCHAIN)) return 0;
  let n = 0;
  const cc = s.callchain;
  for (let i = 0; i < s.callchainNr; i++) if (!(cc[2 * i + 1] === 0xffffffff && cc[2 * i] >= 0xfffff001)) n++;
  return n;
}
