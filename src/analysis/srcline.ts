// The srcline and srcfile sort keys' text, as Linux perf 6.1 computes it (tools/perf/util/sort.c
// hist_entry__get_srcline / hist_entry__get_srcfile, util/srcline.c __get_srcline; Debian's perf is
// built without libbfd, so it asks the `addr2line` binary about map__rip_2objdump(map, he->ip),
// the ELF address, and keeps the first record: the innermost location, as the line table has it).
//
//   no map                          srcline "??:0" (SRCLINE_UNKNOWN), srcfile ""
//   an ELF DSO                      "basename:line" of addr2line's answer; "??:0" when it knows no
//                                   line; "file:0" when the row has no line ("file:?")
//   a DSO addr2line can't be run on  (dso__name is NULL for "[...]" names, /tmp/perf-PID.map; or the
//                                   file can't be read): "sym+OFFSET" with the offset in decimal,
//                                   else "short_name[ADDR]" with the address in hex
//   srcfile                         the text before the first ':' of the srcline computed without
//                                   the symbol name; "" for "??:0" and for texts without ':'.
// We answer from our DWARF symbolizer (symbols/dwarf-symbolizer.ts answers as addr2line 2.40), no
// process is forked.
import type { Loc } from './machine.js';

export class SourceLines {
  private readonly lines = new Map<Loc, string>();
  private readonly files = new Map<Loc, string>();

  /** perf's srcline of an entry standing for `loc`. */
  srcline(loc: Loc): string {
    let s = this.lines.get(loc);
    if (s === undefined) { s = this.compute(loc, true); this.lines.set(loc, s); }
    return s;
  }

  /** perf's srcfile of an entry standing for `loc`. */
  srcfile(loc: Loc): string {
    let f = this.files.get(loc);
    if (f === undefined) {
      const s = this.compute(loc, false);
      const colon = s.indexOf(':');
      f = s === UNKNOWN || colon <= 0 ? '' : s.slice(0, colon);
      this.files.set(loc, f);
    }
    return f;
  }

  private compute(loc: Loc, showSym: boolean): string {
    const dso = loc.dso;
    if (!dso) return UNKNOWN;
    const a2l = dso.kind === 'user' && !dso.longName.startsWith('[') && !dso.longName.startsWith('/tmp/perf-');
    if (a2l && dso.elf) {
      const fileLine = this.addr2line(loc);
      if (fileLine !== undefined) return fileLine;
    }
    // __get_srcline's fallback (show_addr is true for both keys)
    if (loc.sym) return `${showSym ? loc.sym.name : ''}+${loc.offset}`;
    return `${dso.shortName}[${loc.addrHex}]`;
  }

  /** addr2line's first record for the Loc's address as perf turns it into "file:line". */
  private addr2line(loc: Loc): string | undefined {
    const elf = loc.dso!.elf!;
    const at = elf.addressOfFileOffset(parseInt(loc.addrHex, 16));
    if (at === undefined) return UNKNOWN;
    let frames;
    try { frames = elf.debugInfo()?.frames(at); } catch { return undefined; }
    const f = frames?.[0];
    if (!f || !f.file) return UNKNOWN;
    // srcline_from_fileline: the basename (srcline_full_filename is off), the line as %u
    return `${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line ?? 0}`;
  }
}

/** perf's SRCLINE_UNKNOWN. */
export const UNKNOWN = '??:0';
