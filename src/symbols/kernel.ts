// Kernel symbolization from /proc/kallsyms text (+ /proc/modules), perf's way
// (tools/perf/util/symbol.c: kallsyms__parse, symbol_type__filter, kallsyms2elf_binding,
// symbols__fixup_duplicate, symbols__fixup_end): keep T/W/D/B symbols (either case); a symbol ends
// where the next one starts, except at the border between the kernel image and a module (or after
// the last symbol), where it ends at the next page boundary past its start + 4096; at equal
// addresses keep choose_best_symbol's pick. Addresses are as the running kernel shows them (KASLR
// applied); pass the kallsyms of the machine and time the samples were taken.
import { readKallsyms, readProcModules, type KallsymsTable, type ProcModule } from '../formats/kallsyms.js';
import { STB_GLOBAL, STB_LOCAL, STB_WEAK } from '../formats/elf/index.js';
import { SymbolIndex } from './symbol-index.js';
import { buildSymbolIndex } from './symbol-table.js';

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
  /** Column row (in `table`) of each index symbol, for its module. */
  private readonly rowOf?: Int32Array;
  /** Fallback when the builder could not keep rows: module by "start:name". */
  private readonly modOf?: Map<string, string>;
  readonly modules: ProcModule[];
  readonly restricted: boolean;

  constructor(readonly table: KallsymsTable, modules: ProcModule[] = []) {
    this.modules = modules;
    this.restricted = table.restricted;
    // The table is sorted by address (stable). Kept rows, as typed columns.
    const pick = new Uint32Array(table.count);
    let n = 0;
    for (let i = 0; i < table.count; i++) if (kept(table.type[i])) pick[n++] = i;
    const hi = new Uint32Array(n), lo = new Uint32Array(n), size = new Float64Array(n), bind = new Int8Array(n);
    for (let k = 0; k < n; k++) { const i = pick[k]; hi[k] = table.addrHi[i]; lo[k] = table.addrLo[i]; bind[k] = binding(table.type[i]); }
    // Ends: the next symbol's start, or a page boundary at a kernel/module border and at the end
    // (a page past start + 4096), clipped to the module's core range.
    const big = (k: number) => (BigInt(hi[k]) << 32n) | BigInt(lo[k]);
    const page = (x: bigint) => ((x + 4096n + 4095n) / 4096n) * 4096n;
    for (let k = 0; k < n;) {
      let j = k + 1;
      while (j < n && hi[j] === hi[k] && lo[j] === lo[k]) j++;
      // perf fixes ends before duplicates (__dso__load_kallsyms): a symbol followed by another at
      // the same address stays zero-sized, so the last of them (in kallsyms order) is kept.
      for (let x = k; x < j - 1; x++) size[x] = 0;
      const last = j - 1, mod = table.module[pick[last]];
      const border = j >= n || (table.module[pick[j]] === '') !== (mod === '');
      let sz = border ? -1 : (hi[j] - hi[last]) * 0x100000000 + (lo[j] - lo[last]);
      if (border || mod) {
        const start = big(last);
        let end = border ? page(start) : big(j);
        const m = this.moduleAt(start, mod);
        if (m && end > m.address + BigInt(m.size)) end = m.address + BigInt(m.size);
        sz = Number(end - start);
      }
      size[last] = sz || 1;
      k = j;
    }
    const built = buildSymbolIndex({ count: n, hi, lo, size, bind, name: (k) => table.name[pick[k]] });
    this.index = built.index;
    if (built.row) {
      const rowOf = new Int32Array(built.row.length); // built.row stays as the index's lazy names read it
      for (let t = 0; t < rowOf.length; t++) rowOf[t] = built.row[t] < 0 ? -1 : pick[built.row[t]];
      this.rowOf = rowOf;
    } else {
      this.modOf = new Map();
      for (let k = 0; k < n; k++) this.modOf.set(`${big(k)}:${table.name[pick[k]]}`, table.module[pick[k]]);
    }
  }

  private readonly byName = new Map<string, ProcModule | undefined>();

  private moduleAt(addr: bigint, name: string): ProcModule | undefined {
    if (!name) return undefined;
    let m = this.byName.get(name);
    if (m === undefined && !this.byName.has(name)) { m = this.modules.find((x) => x.name === name); this.byName.set(name, m); }
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
    const module = this.rowOf ? (this.rowOf[i] >= 0 ? this.table.module[this.rowOf[i]] : '') : this.modOf!.get(`${e.start}:${e.name}`) ?? '';
    return { name: e.name, module, start: e.start, end: e.end, offset: address - e.start };
  }

  /** The module (from /proc/modules) whose core range holds `address`. */
  moduleFor(address: bigint): ProcModule | undefined {
    return this.modules.find((m) => m.address !== 0n && address >= m.address && address < m.address + BigInt(m.size));
  }
}
