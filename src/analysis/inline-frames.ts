// Inline frames of callchain entries, as perf 6.1 adds them (util/machine.c append_inlines, called
// from unwind_entry for --call-graph dwarf user frames; its frame-pointer chains get none):
// `addr2line -a -i -f` (util/srcline.c) on the file perf took the DSO's symbols from — the debug
// file, else the binary — and only when that file has .debug_line. Each line of addr2line's answer
// becomes a frame, innermost first, named as addr2line names it (the outermost frame's name may come
// from the symbol table: __GI___snprintf); when addr2line knows nothing of the address the symbol's
// own name stands. symbols/dwarf-symbolizer answers exactly as binutils addr2line does.
import { DwarfSymbolizer } from '../symbols/dwarf-symbolizer.js';
import { SampleType } from '../formats/perfdata/constants.js';
import type { PerfSample } from '../formats/perfdata/sample.js';
import type { DsoInfo, Loc } from './machine.js';

/** Inline chains of resolved locations, with one DWARF reader per DSO (built on first use). */
export class InlineFrames {
  private readonly dwarf = new Map<DsoInfo, DwarfSymbolizer | null>();

  /**
   * The function names of a location's inline chain, innermost first (undefined names print as
   * addr2line's `??`), or undefined when there is no DWARF answer: kernel, JIT and unresolved
   * locations, DSOs without .debug_line, addresses no unit covers.
   */
  names(loc: Loc): Array<string | undefined> | undefined {
    const dso = loc.dso;
    if (!loc.sym || !dso || dso.kind !== 'user') return undefined;
    let d = this.dwarf.get(dso);
    if (d === undefined) {
      d = null;
      const e = dso.elf;
      const target = e ? (e.debugFile?.elf ?? e.elf) : undefined;
      if (target && target.findSection('.debug_line')) {
        try { d = new DwarfSymbolizer(target); } catch { d = null; }
      }
      this.dwarf.set(dso, d);
    }
    if (!d) return undefined;
    let frames;
    // The location's ELF address: its symbol's start plus the offset into it.
    try { frames = d.findFrames(loc.sym.start + loc.offset); } catch { return undefined; }
    if (!frames || frames.length === 0) return undefined;
    return frames.map((f) => f.functionName);
  }
}

/**
 * How many of a resolved sample's chain entries came from the recorded callchain (addresses, not
 * PERF_CONTEXT_* markers, as Machine.resolve counts them); the entries after them were unwound.
 */
export function recordedEntries(s: PerfSample): number {
  if (!(s.sampleType & SampleType.CALLCHAIN)) return 0;
  let n = 0;
  const cc = s.callchain;
  for (let i = 0; i < s.callchainNr; i++) if (!(cc[2 * i + 1] === 0xffffffff && cc[2 * i] >= 0xfffff001)) n++;
  return n;
}
