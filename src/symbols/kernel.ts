// Kernel symbolization from /proc/kallsyms text (+ /proc/modules), perf's way
// (tools/perf/util/symbol.c: kallsyms__parse, symbol_type__filter, kallsyms2elf_binding,
// symbols__fixup_duplicate, symbols__fixup_end): keep T/W/D/B symbols (either case); a symbol ends
// where the next one starts, except at the border between the kernel image and a module (or after
// the last symbol), where it ends at the next page boundary past its start + 4096; at equal
// addresses keep choose_best_symbol's pick. Addresses are as the running kernel shows them (KASLR
// applied); pass the kallsyms of the machine and time the samples were taken.
//
// Every report with kernel samples builds this from ~120k lines, so it works on the table's typed
// columns: (hi, lo) u32 addresses, no BigInt or string per symbol; a name is decoded when a lookup
// returns it.
import { readKallsyms, readProcModules, type KallsymsTable, type ProcModule } from '../formats/kallsyms.js';

export interface KernelSymbol {
  name: string;
  /** '' for the kernel image. */
  module: string;
  start: bigint;
  end: bigint;
  offset: bigint;
}

function kept(type: number): boolean {
  const u = type & ~0x20; // toupper
  return u === 0x54 /* T */ || u === 0x57 /* W */ || u === 0x44 /* D */ || u === 0x42 /* B */;
}

const TWO32 = 0x100000000;

/** A module's core range [start, end) as (hi, lo) halves; end is capped at 2^64. */
interface ModuleRange { sHi: number; sLo: number; eHi: number; eLo: number }

function less(aHi: number, aLo: number, bHi: number, bLo: number): boolean { return aHi < bHi || (aHi === bHi && aLo < bLo); }

export class KernelSymbols {
  /** Symbols in address order: start and end (exclusive) halves, and their table row. */
  private readonly sHi: Uint32Array;
  private readonly sLo: Uint32Array;
  private readonly eHi: Uint32Array;
  private readonly eLo: Uint32Array;
  private readonly row: Uint32Array;
  readonly modules: ProcModule[];
  readonly restricted: boolean;

  constructor(readonly table: KallsymsTable, modules: ProcModule[] = []) {
    this.modules = modules;
    this.restricted = table.restricted;
    const { addrHi, addrLo, type, moduleId } = table;
    // The table is sorted by address (stable). Of the kept rows at one address perf keeps the last
    // in kallsyms order: it fixes ends before duplicates (__dso__load_kallsyms), so the others
    // stay zero-sized and choose_best_symbol prefers the sized one.
    const pick = new Uint32Array(table.count);
    let n = 0;
    for (let i = 0; i < table.count; i++) if (kept(type[i])) pick[n++] = i;
    const sHi = new Uint32Array(n), sLo = new Uint32Array(n), eHi = new Uint32Array(n), eLo = new Uint32Array(n), row = new Uint32Array(n);
    const ranges = this.moduleRanges(table);
    let m = 0;
    for (let k = 0; k < n;) {
      const h = addrHi[pick[k]], l = addrLo[pick[k]];
      let j = k + 1;
      while (j < n && addrHi[pick[j]] === h && addrLo[pick[j]] === l) j++;
      const last = pick[j - 1], mod = moduleId[last];
      const border = j >= n || (moduleId[pick[j]] === 0) !== (mod === 0);
      // Ends: the next symbol's start, or at a kernel/module border and after the last symbol a
      // page past start + 4096 (roundup(start + 4096, 4096)), clipped to the module's core range.
      let endHi: number, endLo: number;
      if (border) {
        const sum = l + 4096 + 4095;
        const carry = sum >= TWO32 ? 1 : 0;
        endLo = ((sum - carry * TWO32) & ~0xfff) >>> 0;
        endHi = (h + carry) >>> 0;
        if (carry && endHi === 0) { endHi = 0xffffffff; endLo = 0xffffffff; } // past 2^64: cap (a u64 wraps; no lookup reaches it)
      } else { endHi = addrHi[pick[j]]; endLo = addrLo[pick[j]]; }
      const r = mod !== 0 ? ranges[mod] : undefined;
      if (r && !less(h, l, r.sHi, r.sLo) && less(h, l, r.eHi, r.eLo) && less(r.eHi, r.eLo, endHi, endLo)) { endHi = r.eHi; endLo = r.eLo; }
      if (endHi === h && endLo === l) { endLo = (l + 1) >>> 0; if (endLo === 0) endHi = (h + 1) >>> 0; } // `sz || 1`
      sHi[m] = h; sLo[m] = l; eHi[m] = endHi; eLo[m] = endLo; row[m] = last;
      m++;
      k = j;
    }
    this.sHi = sHi.subarray(0, m); this.sLo = sLo.subarray(0, m); this.eHi = eHi.subarray(0, m); this.eLo = eLo.subarray(0, m); this.row = row.subarray(0, m);
  }

  /** The /proc/modules core range of each module of the table (by module id), when the address is known. */
  private moduleRanges(table: KallsymsTable): (ModuleRange | undefined)[] {
    const out: (ModuleRange | undefined)[] = [];
    for (let id = 0; id < table.moduleNames.length; id++) {
      const name = table.moduleNames[id];
      const pm = name ? this.modules.find((x) => x.name === name) : undefined;
      if (!pm || pm.address === 0n) { out.push(undefined); continue; }
      const end = BigInt.asUintN(64, pm.address + BigInt(pm.size));
      const e = end < pm.address ? 0xffffffffffffffffn : end;
      out.push({ sHi: Number(pm.address >> 32n), sLo: Number(pm.address & 0xffffffffn), eHi: Number(e >> 32n), eLo: Number(e & 0xffffffffn) });
    }
    return out;
  }

  static fromText(kallsyms: string | Uint8Array, modules?: string | Uint8Array): KernelSymbols {
    return new KernelSymbols(readKallsyms(kallsyms), modules ? readProcModules(modules) : []);
  }

  get size(): number { return this.row.length; }

  /** Position of the symbol containing (hi, lo), or -1: the hot-path lookup (no BigInt, no object); read the symbol with the *At accessors. */
  findAt(hi: number, lo: number): number {
    const sHi = this.sHi, sLo = this.sLo;
    let a = 0, b = sHi.length - 1, at = -1;
    while (a <= b) {
      const mid = (a + b) >>> 1;
      if (sHi[mid] < hi || (sHi[mid] === hi && sLo[mid] <= lo)) { at = mid; a = mid + 1; } else b = mid - 1;
    }
    return at >= 0 && less(hi, lo, this.eHi[at], this.eLo[at]) ? at : -1;
  }

  /** Start address halves of the symbol at position i (of findAt). */
  startHiAt(i: number): number { return this.sHi[i]; }
  startLoAt(i: number): number { return this.sLo[i]; }
  /** Name of the symbol at position i, decoded on each call. */
  nameAt(i: number): string { return this.table.nameAt(this.row[i]); }
  /** Module id (the table's moduleNames index, 0 for the kernel image) of the symbol at position i. */
  moduleIdAt(i: number): number { return this.table.moduleId[this.row[i]]; }

  /** The symbol containing `address`, or undefined. */
  find(address: bigint): KernelSymbol | undefined {
    const hi = Number((address >> 32n) & 0xffffffffn), lo = Number(address & 0xffffffffn);
    if (address < 0n || address >= 1n << 64n) return undefined;
    const i = this.findAt(hi, lo);
    if (i < 0) return undefined;
    const r = this.row[i];
    const start = (BigInt(this.sHi[i]) << 32n) | BigInt(this.sLo[i]);
    const end = (BigInt(this.eHi[i]) << 32n) | BigInt(this.eLo[i]);
    return { name: this.table.nameAt(r), module: this.table.moduleAt(r), start, end, offset: address - start };
  }

  /** The module (from /proc/modules) whose core range holds `address`. */
  moduleFor(address: bigint): ProcModule | undefined {
    return this.modules.find((m) => m.address !== 0n && address >= m.address && address < m.address + BigInt(m.size));
  }
}
