// Plugs the DWARF reader (dwarf-symbolizer.ts) into the Symbolizer's DebugInfoProvider contract.
import type { DebugInfoFactory, Frame } from './types.js';
import { DwarfSymbolizer, toAddress53 } from './dwarf-symbolizer.js';

const ADDR53 = 1n << 53n;

/** A DebugInfoFactory over DWARF; undefined for a file without .debug_info. */
export const dwarfDebugInfo: DebugInfoFactory = (elf, supplementary) => {
  if (!elf.findSection('.debug_info')) return undefined;
  let d: DwarfSymbolizer | undefined;
  return {
    frames(address): Frame[] | undefined {
      // The DWARF tables hold 53-bit numbers (exact for user space); a higher address would alias.
      if (address >= ADDR53) return undefined;
      // The dwz supplementary file (found by the Symbolizer's loader) resolves GNU_ref_alt/strp_alt.
      d ??= new DwarfSymbolizer(elf, { loadSupplementary: supplementary ? () => supplementary : undefined });
      const fs = d.findFrames(toAddress53(address));
      if (!fs || fs.length === 0) return undefined;
      return fs.map((f, i) => ({
        function: f.functionName,
        file: f.file,
        line: f.line || undefined,
        inlined: i < fs.length - 1,
      }));
    },
  };
};
