// /proc/kallsyms and /proc/modules text.
//   kallsyms line: "%px %c %s\t[%s]\n" — 16 hex digits (8 on 32-bit), type letter, name, optional
//   tab + "[module]" (kernel/kallsyms.c s_show). Addresses are all 0 when kptr_restrict hides them.
//   modules line: "name size refcount deps state address [taint]" (kernel/module/procfs.c m_show);
//   the address is "0x..." or 0 when hidden.
// Addresses exceed 2^53, so they are kept as (hi, lo) u32 columns, sorted by address; names and
// modules are strings (one module string per distinct module, shared).
import { FormatError, decodeText } from '../util/index.js';

export interface KallsymsTable {
  count: number;
  addrHi: Uint32Array;
  addrLo: Uint32Array;
  /** The type letter's char code ('T', 't', 'W', 'd', ...). */
  type: Uint8Array;
  name: string[];
  /** Module name, or '' for the core kernel image. */
  module: string[];
  /** True when every address is 0 (kptr_restrict, or read without CAP_SYSLOG). */
  restricted: boolean;
}

/** Heuristic content check: the first line looks like "HEX TYPE NAME". */
export function isKallsyms(text: string | Uint8Array): boolean {
  const t = typeof text === 'string' ? text.slice(0, 200) : decodeText(text.subarray(0, 200));
  return /^[0-9a-fA-F]{8,16} [A-Za-z?] \S/.test(t);
}

function hexPair(s: string, start: number, end: number): [number, number] | undefined {
  const n = end - start;
  if (n < 1 || n > 16) return undefined;
  let hi = 0, lo = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return undefined;
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  return [hi, lo];
}

/** Parses /proc/kallsyms text into columns sorted by address (stable: file order among equals). */
export function readKallsyms(input: string | Uint8Array, file = '/proc/kallsyms'): KallsymsTable {
  const text = typeof input === 'string' ? input : decodeText(input);
  const his: number[] = [], los: number[] = [], types: number[] = [], names: string[] = [], mods: string[] = [];
  const modCache = new Map<string, string>();
  let pos = 0, restricted = true;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    if (eol > pos) {
      const sp1 = text.indexOf(' ', pos);
      const pair = sp1 > 0 && sp1 < eol ? hexPair(text, pos, sp1) : undefined;
      if (!pair || text.charCodeAt(sp1 + 2) !== 32 || sp1 + 3 > eol) {
        throw new FormatError(file, pos, 'a line "ADDRESS TYPE NAME[\\t[MODULE]]"', JSON.stringify(text.slice(pos, Math.min(eol, pos + 60))));
      }
      // Search the tab within this line only: an unbounded indexOf would scan to the module lines at the end.
      let tab = sp1 + 3;
      while (tab < eol && text.charCodeAt(tab) !== 9) tab++;
      if (tab === eol) tab = -1;
      let name: string, mod = '';
      if (tab >= 0) {
        name = text.slice(sp1 + 3, tab);
        const m = text.slice(tab + 1, eol).trim();
        mod = m.startsWith('[') && m.endsWith(']') ? m.slice(1, -1) : m;
        const cached = modCache.get(mod);
        if (cached === undefined) modCache.set(mod, mod); else mod = cached;
      } else name = text.slice(sp1 + 3, eol);
      his.push(pair[0]); los.push(pair[1]); types.push(text.charCodeAt(sp1 + 1)); names.push(name); mods.push(mod);
      if (pair[0] !== 0 || pair[1] !== 0) restricted = false;
    }
    pos = eol + 1;
  }
  const n = names.length;
  const t: KallsymsTable = {
    count: n, addrHi: Uint32Array.from(his), addrLo: Uint32Array.from(los), type: Uint8Array.from(types),
    name: names, module: mods, restricted: n === 0 ? false : restricted,
  };
  // The kernel lists its symbols in address order (modules and BPF programs may break it).
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = his[i - 1] < his[i] || (his[i - 1] === his[i] && los[i - 1] <= los[i]);
  if (sorted) return t;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (his[a] - his[b]) || (los[a] - los[b]) || (a - b));
  t.name = new Array(n); t.module = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    t.addrHi[k] = his[i]; t.addrLo[k] = los[i]; t.type[k] = types[i]; t.name[k] = names[i]; t.module[k] = mods[i];
  }
  return t;
}

export interface ProcModule {
  name: string;
  size: number;
  refcount: number;
  deps: string[];
  /** "Live", "Loading", "Unloading" */
  state: string;
  /** Load address of the module's core layout (0n when hidden). */
  address: bigint;
  taint?: string;
}

/** Parses /proc/modules text. */
export function readProcModules(input: string | Uint8Array, file = '/proc/modules'): ProcModule[] {
  const text = typeof input === 'string' ? input : decodeText(input);
  const out: ProcModule[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    if (line.trim() !== '') {
      const f = line.trim().split(/\s+/);
      const addr = f[5];
      if (f.length < 6 || !/^\d+$/.test(f[1]) || !/^(0x)?[0-9a-fA-F]{1,16}$/.test(addr)) {
        throw new FormatError(file, offset, 'a line "NAME SIZE REFCOUNT DEPS STATE ADDRESS"', JSON.stringify(line.slice(0, 80)));
      }
      out.push({
        name: f[0], size: +f[1], refcount: /^-?\d+$/.test(f[2]) ? +f[2] : -1,
        deps: f[3] === '-' ? [] : f[3].split(',').filter(Boolean), state: f[4],
        address: BigInt(addr.startsWith('0x') ? addr : '0x' + addr), taint: f[6],
      });
    }
    offset += line.length + 1;
  }
  return out;
}
