// The srcline and srcfile sort keys' text, as Linux perf 6.1 computes it (tools/perf/util/sort.c
// hist_entry__get_srcline / hist_entry__get_srcfile, util/srcline.c __get_srcline; Debian's perf is
// built without libbfd, so it asks the `addr2line` binary about map__rip_2objdump(map, he->ip),
// the ELF address, and keeps the first record: the innermost location, as the line table has it).
//
//   no map                          srcline "??:0" (SRCLINE_UNKNOWN), srcfile ""
//   an ELF DSO                      "basename:line" of addr2line's answer; "??:0" when it knows no
//                                   file ("??:?": perf's filename_split takes "??" and line 0);
//                                   "file:0" when the row has no line ("file:?"). perf 6.1 runs
//                                   addr2line on every ELF DSO, with or without .debug_line: one
//                                   without debug info still answers "FUNC / ??:?" for an address
//                                   a function symbol covers (bfd's elf_find_function), so perf
//                                   prints "??:0", not the fallback, for e.g. /usr/bin/bash.
//   a DSO addr2line can't be run on  (dso__name is NULL for "[...]" names, /tmp/perf-PID.map; or the
//                                   file can't be read): "sym+OFFSET" with the offset in decimal,
//                                   else "short_name[ADDR]" with the address in hex
//   srcfile                         the text before the first ':' of the srcline computed without
//                                   the symbol name; "" for "??:0" and for texts without ':'.
// We answer from our DWARF symbolizer (symbols/dwarf-symbolizer.ts answers as addr2line 2.40), no
// process is forked.
//
// perf gives up on a DSO's addr2line after A2L_FAIL_LIMIT (123) calls of __get_srcline failed
// with no success before them (dso->a2l_fails starts at 1, is reset to 0 for good by a success,
// and past the limit has_srcline is cleared): from then on every srcline of the DSO is the
// fallback. Children-mode entries made from callchain entries ask about raw ips, which fail in
// PIEs and shared libraries, so libc can be given up on before a sample in it is asked about.
// Hists counts the calls perf makes (noteCalls); texts asked for afterwards follow the state.
import type { DsoInfo, Loc } from './machine.js';
import type { Dso as ElfDso } from '../symbols/index.js';
import { DwarfSymbolizer, toAddress53 } from '../symbols/dwarf-symbolizer.js';

export class SourceLines {
  private readonly lines = new Map<Loc, string>();
  private readonly files = new Map<Loc, string>();
  private readonly rawLines = new Map<string, string>();
  private readonly rawFiles = new Map<string, string>();
  /** perf's dso->a2l_fails per DSO (absent: 1, its initial value; 0: a call succeeded). */
  private readonly a2lFails = new Map<DsoInfo, number>();
  /** DSOs whose has_srcline perf cleared. */
  private readonly gaveUp = new Set<DsoInfo>();
  private readonly answered = new Map<string, boolean>();

  /** perf's srcline of an entry standing for `loc` (a sample's entry: he->ip is the map-relative address). */
  srcline(loc: Loc): string {
    if (this.gaveUp.size && loc.dso && this.gaveUp.has(loc.dso)) return this.fallback(loc, undefined, true);
    let s = this.lines.get(loc);
    if (s === undefined) { s = this.compute(loc, undefined, true); this.lines.set(loc, s); }
    return s;
  }

  /** perf's srcfile of an entry standing for `loc`. */
  srcfile(loc: Loc): string {
    if (this.gaveUp.size && loc.dso && this.gaveUp.has(loc.dso)) return fileOf(this.fallback(loc, undefined, false));
    let f = this.files.get(loc);
    if (f === undefined) { f = fileOf(this.compute(loc, undefined, false)); this.files.set(loc, f); }
    return f;
  }

  /**
   * The srcline of a children-mode entry made from a callchain entry: perf keeps the callchain
   * node's raw ip as he->ip and hands map__rip_2objdump(map, raw ip) to addr2line, which for a PIE
   * or a shared library is no address of the file: addr2line answers "??:0" and perf prints the
   * fallback "sym+OFFSET" with OFFSET = raw ip - symbol start.
   */
  srclineAt(loc: Loc, rawIp: number): string {
    if (!rawSensitive(loc)) return this.srcline(loc);
    if (this.gaveUp.size && loc.dso && this.gaveUp.has(loc.dso)) return this.fallback(loc, rawIp, true);
    const k = `${loc.id}@${rawIp}`;
    let s = this.rawLines.get(k);
    if (s === undefined) { s = this.compute(loc, rawIp, true); this.rawLines.set(k, s); }
    return s;
  }

  /** The srcfile of a children-mode entry made from a callchain entry (see srclineAt). */
  srcfileAt(loc: Loc, rawIp: number): string {
    if (!rawSensitive(loc)) return this.srcfile(loc);
    if (this.gaveUp.size && loc.dso && this.gaveUp.has(loc.dso)) return fileOf(this.fallback(loc, rawIp, false));
    const k = `${loc.id}@${rawIp}`;
    let f = this.rawFiles.get(k);
    if (f === undefined) { f = fileOf(this.compute(loc, rawIp, false)); this.rawFiles.set(k, f); }
    return f;
  }

  /**
   * `calls` calls of perf's __get_srcline for the entry standing for `loc` (rawIp: a callchain
   * entry's, as srclineAt) were made now: perf's failure count of the DSO moves on.
   */
  noteCalls(loc: Loc, rawIp: number | undefined, calls: number): void {
    const dso = loc.dso;
    if (!dso || !askable(dso) || this.gaveUp.has(dso)) return;
    const fails = this.a2lFails.get(dso) ?? 1;
    if (fails === 0) return;
    if (this.answers(loc, rawIp)) { this.a2lFails.set(dso, 0); return; }
    if (fails + calls > A2L_FAIL_LIMIT) this.gaveUp.add(dso);
    else this.a2lFails.set(dso, fails + calls);
  }

  /** Whether addr2line answers for the entry (perf's addr2line() succeeds and srcline_from_fileline gives a text). */
  private answers(loc: Loc, rawIp: number | undefined): boolean {
    const k = rawIp !== undefined && rawSensitive(loc) ? `${loc.id}@${rawIp}` : `${loc.id}`;
    let ok = this.answered.get(k);
    if (ok === undefined) { ok = this.lookup(loc, rawSensitive(loc) ? rawIp : undefined) !== undefined; this.answered.set(k, ok); }
    return ok;
  }

  private lookup(loc: Loc, rawIp: number | undefined): string | undefined {
    const dso = loc.dso;
    if (!dso || !askable(dso) || !dso.elf) return undefined;
    const elf = dso.elf;
    const at = rawIp !== undefined ? BigInt(rawIp) : elf.addressOfFileOffset(parseInt(loc.addrHex, 16));
    return at === undefined ? undefined : addr2line(elf, at);
  }

  private compute(loc: Loc, rawIp: number | undefined, showSym: boolean): string {
    if (!loc.dso) return UNKNOWN;
    return this.lookup(loc, rawIp) ?? this.fallback(loc, rawIp, showSym);
  }

  /** __get_srcline's fallback (show_addr is true for both keys); the offset is he->ip - sym->start. */
  private fallback(loc: Loc, rawIp: number | undefined, showSym: boolean): string {
    const dso = loc.dso!;
    const off = rawIp !== undefined && loc.sym ? rawIp - loc.sym.start : loc.offset;
    if (loc.sym) return `${showSym ? loc.sym.name : ''}+${off}`;
    return `${dso.shortName}[${rawIp !== undefined ? rawIp.toString(16) : loc.addrHex}]`;
  }
}

/** DSOs perf runs addr2line on (dso__name is NULL for "[...]" names and perf-PID.map). */
function askable(dso: DsoInfo): boolean {
  return dso.kind === 'user' && !dso.longName.startsWith('[') && !dso.longName.startsWith('/tmp/perf-');
}

/** perf's A2L_FAIL_LIMIT (util/srcline.c). */
const A2L_FAIL_LIMIT = 123;

/** Entries whose he->ip differs from the map-relative address (user DSOs; kernel and JIT maps are identity). */
function rawSensitive(loc: Loc): boolean {
  const k = loc.dso?.kind;
  return k === 'user' || k === 'vdso';
}

/** hist_entry__get_srcfile: the text before the first ':'; "" for "??:0" and for texts without one. */
function fileOf(s: string): string {
  const colon = s.indexOf(':');
  return s === UNKNOWN || colon <= 0 ? '' : s.slice(0, colon);
}

/**
 * addr2line's first record as perf turns it into "file:line", or undefined when perf's addr2line()
 * fails: addr2line prints "??:0" (filename_split refuses it). A found address without a file name
 * ("??:?") gives "??:0"; an empty file name ":0", as perf's basename("") does.
 */
function addr2line(elf: ElfDso, at: bigint): string | undefined {
  const f = addr2lineRecord(elf, at);
  if (!f) return undefined;
  if (f.file === undefined) return UNKNOWN;
  // srcline_from_fileline: the basename (srcline_full_filename is off), the line as %u
  return `${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line}`;
}

const symbolOnly = new WeakMap<ElfDso, DwarfSymbolizer | null>();

/**
 * The first record `addr2line -e FILE -i -f` prints for ELF address `at` of the DSO (perf 6.1's
 * util/srcline.c addr2line(), run on dso__name: the debug file perf loaded symbols from, else the
 * binary): `file` undefined for "??", `line` 0 for "?"; undefined when addr2line answers "??:0"
 * (neither the line table nor a function symbol covers the address). A file without DWARF is
 * asked too: addr2line answers from its symbol table (.symtab, else .dynsym).
 */
export function addr2lineRecord(elf: ElfDso, at: bigint): { file: string | undefined; line: number } | undefined {
  try {
    const p = elf.debugInfo();
    if (p) {
      const f = p.frames(at)?.[0];
      return f ? { file: f.file, line: f.line ?? 0 } : undefined;
    }
    if (at < 0n || at >= 1n << 53n) return undefined;
    let d = symbolOnly.get(elf);
    if (d === undefined) {
      try { d = new DwarfSymbolizer(elf.debugFile?.elf ?? elf.elf, { sections: {} }); } catch { d = null; }
      symbolOnly.set(elf, d);
    }
    const f = d?.findFrames(toAddress53(at))?.[0];
    return f ? { file: f.file, line: f.line } : undefined;
  } catch { return undefined; }
}

/** perf's SRCLINE_UNKNOWN. */
export const UNKNOWN = '??:0';
