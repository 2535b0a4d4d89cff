// Kernel symbolization from /proc/kallsyms text (+ /proc/modules), perf's way
// (tools/perf/util/symbol.c: kallsyms__parse, symbol_type__filter, kallsyms2elf_binding,
// symbols__fixup_duplicate, symbols__fixup_end): keep T/W/D/B symbols (either case); a symbol ends
// where the next one starts, except at the border between the kernel image and a module (or after
// the last symbol), where it ends at the next page boundary past its start + 4096; at equal
// addresses keep choose_best_symbol's pick. Addresses are as the running kernel shows them (KASLR
// applied); pass the kallsyms of the machine and time the samples were taken.
import { readKallsyms, readProcModules, type KallsymsTable, type ProcModule } from '../formats/kallsyms.js';
import { STB_GLOBAL, STB_LOCAL, STB_WEAK } from '../formats/elf/index.js';
import { SymbolIndex, type SymbolRow } from './symbol-index.js';

export interface KernelSymbol {
  name: string;
  /** '' for the kernel image. */
  module: string;
  start: bigint;
  end: bigint;
  offset: bigint;
}

function binding(type: number): number {
  if (type === 0x57 /* W */ || type === 0x77 /* w */) return STB_WEAK;
  return type >= 0x41 && type <= 0x5a ? STB_GLOBAL : STB_LOCAL;
}

function kept(type: number): boolean {
  const u = type & ~0x20; // toupper
  return u === 0x54 /* T */ || u === 0x57 /* W */ || u === 0x44 /* D */ || u === 0x42 /* B */;
}

export class KernelSymbols {
  private readonly index: SymbolIndex;
  private readonly modOf = new Map<string, string>();
  readonly modules: ProcModule[];
  readonly restricted: boolean;

  constructor(readonly table: KallsymsTable, modules: ProcModule[] = []) {
    this.modules = modules;
    this.restricted = table.restricted;
    const rows: SymbolRow[] = [];
    const modIdx: string[] = [];
    for (let i = 0; i < table.count; i++) {
      if (!kept(table.type[i])) continue;
      const start = (BigInt(table.addrHi[i]) << 32n) | BigInt(table.addrLo[i]);
      // Module symbols carry "[mod]" in perf's naming for the border rule; we keep the module apart.
      rows.push({ name: table.name[i], start, size: 0, bind: binding(table.type[i]) });
      modIdx.push(table.module[i]);
    }
    // Ends: the next symbol's start, or a page boundary at a kernel/module border and at the end.
    const hi = new Float64Array(rows.length), lo = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) { const s = rows[i].start; hi[i] = Number(s >> 32n); lo[i] = Number(s & 0xffffffffn); }
    const order = Array.from(rows.keys()).sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b] || a - b);
    const sorted = order.map((i) => rows[i]);
    const sortedMod = order.map((i) => modIdx[i]);
    const page = (x: bigint) => ((x + 4096n + 4095n) / 4096n) * 4096n;
    for (let k = 0; k < sorted.length; k++) {
      const r = sorted[k];
      let j = k + 1;
      while (j < sorted.length && sorted[j].start === r.start) j++;
      let end: bigint;
      if (j >= sorted.length) end = page(r.start);
      else if ((sortedMod[j] === '') !== (sortedMod[k] === '')) end = page(r.start);
      else end = sorted[j].start;
      const mod = this.moduleAt(r.start, sortedMod[k]);
      if (mod && end > mod.address + BigInt(mod.size)) end = mod.address + BigInt(mod.size);
      r.size = Number(end - r.start) || 1;
      // perf fixes ends before duplicates (__dso__load_kallsyms): a symbol followed by another at
      // the same address stays zero-sized, so the last of them (in kallsyms order) is kept.
      if (j > k + 1) r.size = 0;
      this.modOf.set(`${r.start}:${r.name}`, sortedMod[k]);
    }
    this.index = SymbolIndex.fromRows(sorted);
  }

  private moduleAt(addr: bigint, name: string): ProcModule | undefined {
    if (!name) return undefined;
    const m = this.modules.find((x) => x.name === name);
    return m && m.address !== 0n && addr >= m.address && addr < m.address + BigInt(m.size) ? m : undefined;
  }

  static fromText(kallsyms: string | Uint8Array, modules?: string | Uint8Array): KernelSymbols {
    return new KernelSymbols(readKallsyms(kallsyms), modules ? readProcModules(modules) : []);
  }

  get size(): number { return this.index.size; }

  /** The symbol containing `address`, or undefined. */
  find(address: bigint): KernelSymbol | undefined {
    const i = this.index.findIndex(address);
    if (i < 0) return undefined;
    const e = this.index.entry(i);
    return { name: e.name, module: this.modOf.get(`${e.start}:${e.name}`) ?? '', start: e.start, end: e.end, offset: address - e.start };
  }

  /** The module (from /proc/modules) whose core range holds `address`. */
  moduleFor(address: bigint): ProcModule | undefined {
    return this.modules.find((m) => m.address !== 0n && address >= m.address && address < m.address + BigInt(m.size));
  }
}
