// /proc/kallsyms and /proc/modules text.
//   kallsyms line: "%px %c %s\t[%s]\n" — 16 hex digits (8 on 32-bit), type letter, name, optional
//   tab + "[module]" (kernel/kallsyms.c s_show). Addresses are all 0 when kptr_restrict hides them.
//   modules line: "name size refcount deps state address [taint]" (kernel/module/procfs.c m_show);
//   the address is "0x..." or 0 when hidden.
// The text has ~120k lines (5 MB), read on every report that shows kernel samples, so it is parsed
// at the byte level into typed columns: addresses as (hi, lo) u32 (they exceed 2^53), names as
// byte ranges of the text decoded when asked for, modules as small ids (one string per module).
import { FormatError, decodeText } from '../util/index.js';

/** Columns of /proc/kallsyms, sorted by address (stable: file order among equals). */
export class KallsymsTable {
  constructor(
    readonly count: number,
    readonly addrHi: Uint32Array,
    readonly addrLo: Uint32Array,
    /** The type letter's char code ('T', 't', 'W', 'd', ...). */
    readonly type: Uint8Array,
    /** Name of row i: bytes [nameStart[i], nameEnd[i]) of `text`. */
    readonly nameStart: Uint32Array,
    readonly nameEnd: Uint32Array,
    /** Module of row i: moduleNames[moduleId[i]]; id 0 is '' (the core kernel image). */
    readonly moduleId: Uint32Array,
    readonly moduleNames: readonly string[],
    readonly text: Uint8Array,
    /** True when every address is 0 (kptr_restrict, or read without CAP_SYSLOG). */
    readonly restricted: boolean,
  ) {}

  nameAt(i: number): string { return decodeText(this.text.subarray(this.nameStart[i], this.nameEnd[i])); }

  /** Module name of row i, or '' for the core kernel image. */
  moduleAt(i: number): string { return this.moduleNames[this.moduleId[i]]; }
}

/** Heuristic content check: the first line looks like "HEX TYPE NAME". */
export function isKallsyms(text: string | Uint8Array): boolean {
  const t = typeof text === 'string' ? text.slice(0, 200) : decodeText(text.subarray(0, 200));
  return /^[0-9a-fA-F]{8,16} [A-Za-z?] \S/.test(t);
}

/** Hex digit value of each byte, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 256; c++) HEX[c] = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

function isSpace(c: number): boolean { return c === 32 || (c >= 9 && c <= 13); }

function lineError(file: string, b: Uint8Array, pos: number, eol: number): FormatError {
  return new FormatError(file, pos, 'a line "ADDRESS TYPE NAME[\\t[MODULE]]"', JSON.stringify(decodeText(b.subarray(pos, Math.min(eol, pos + 60)))));
}

const encoder = new TextEncoder();

/** Parses /proc/kallsyms text into columns sorted by address (stable: file order among equals). */
export function readKallsyms(input: string | Uint8Array, file = '/proc/kallsyms'): KallsymsTable {
  const b = typeof input === 'string' ? encoder.encode(input) : input;
  const len = b.length;
  // Rows: lines are ~45 bytes; grow when a table has shorter ones.
  let cap = (len >> 5) + 64;
  let hi = new Uint32Array(cap), lo = new Uint32Array(cap), type = new Uint8Array(cap);
  let ns = new Uint32Array(cap), ne = new Uint32Array(cap), mid = new Uint32Array(cap);
  const moduleNames: string[] = [''];
  const moduleIds = new Map<string, number>([['', 0]]);
  // The module field of the previous line with one (consecutive lines share it).
  let lastModStart = -1, lastModEnd = -1, lastModId = 0;
  let n = 0, pos = 0, restricted = true, sorted = true, pHi = 0, pLo = 0, nextTab = -1;
  while (pos < len) {
    if (b[pos] === 10) { pos++; continue; }
    // Address: 1..16 hex digits, then a space. The usual 16 digits are read as two halves.
    let p = pos + 16, h = 0, l = 0, bad = 0;
    if (p < len && b[p] === 32) {
      for (let k = pos; k < pos + 8; k++) { const d = HEX[b[k]]; bad |= d; h = h * 16 + d; }
      for (let k = pos + 8; k < p; k++) { const d = HEX[b[k]]; bad |= d; l = l * 16 + d; }
    } else bad = -1;
    if (bad < 0) {
      h = 0; l = 0;
      for (p = pos; p < len; p++) {
        const d = HEX[b[p]];
        if (d < 0) break;
        h = ((h << 4) | (l >>> 28)) >>> 0;
        l = ((l << 4) | d) >>> 0;
      }
    }
    // Then " T " (the type letter), and the name up to a tab (then the module) or the end of the line.
    const digits = p - pos;
    if (digits < 1 || digits > 16 || p + 2 >= len || b[p] !== 32 || b[p + 1] === 10 || b[p + 2] !== 32) throw lineError(file, b, pos, lineEnd(b, pos));
    const nameAt = p + 3;
    let eol = b.indexOf(10, nameAt);
    if (eol < 0) eol = len;
    // Tabs are rare (module symbols come last): find the next one once, not per line.
    if (nextTab < nameAt) { nextTab = b.indexOf(9, nameAt); if (nextTab < 0) nextTab = len; }
    const tab = nextTab < eol ? nextTab : eol;
    let m = 0;
    if (tab < eol) {
      // Module: the rest of the line, trimmed, without its brackets.
      let ms = tab + 1, me = eol;
      while (ms < me && isSpace(b[ms])) ms++;
      while (me > ms && isSpace(b[me - 1])) me--;
      if (me - ms === lastModEnd - lastModStart && sameBytes(b, ms, lastModStart, me - ms)) m = lastModId;
      else {
        let s = decodeText(b.subarray(ms, me));
        if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
        let id = moduleIds.get(s);
        if (id === undefined) { id = moduleNames.length; moduleNames.push(s); moduleIds.set(s, id); }
        m = id; lastModStart = ms; lastModEnd = me; lastModId = id;
      }
    }
    if (n === cap) {
      cap *= 2;
      hi = grow(hi, cap); lo = grow(lo, cap); type = grow(type, cap); ns = grow(ns, cap); ne = grow(ne, cap); mid = grow(mid, cap);
    }
    hi[n] = h; lo[n] = l; type[n] = b[p + 1]; ns[n] = nameAt; ne[n] = tab; mid[n] = m;
    if (h !== 0 || l !== 0) restricted = false;
    if (h < pHi || (h === pHi && l < pLo)) sorted = false;
    pHi = h; pLo = l;
    n++;
    pos = eol + 1;
  }
  if (!sorted) {
    // The kernel lists its symbols in address order; modules and BPF programs may break it.
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const H = hi, L = lo;
    order.sort((x, y) => (H[x] - H[y]) || (L[x] - L[y]) || (x - y));
    const h2 = new Uint32Array(n), l2 = new Uint32Array(n), t2 = new Uint8Array(n), s2 = new Uint32Array(n), e2 = new Uint32Array(n), m2 = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      h2[k] = hi[i]; l2[k] = lo[i]; t2[k] = type[i]; s2[k] = ns[i]; e2[k] = ne[i]; m2[k] = mid[i];
    }
    hi = h2; lo = l2; type = t2; ns = s2; ne = e2; mid = m2;
  }
  return new KallsymsTable(n, hi.subarray(0, n), lo.subarray(0, n), type.subarray(0, n), ns.subarray(0, n), ne.subarray(0, n),
    mid.subarray(0, n), moduleNames, b, n === 0 ? false : restricted);
}

function grow<T extends Uint32Array | Uint8Array>(a: T, cap: number): T {
  const out = new (a.constructor as new (n: number) => T)(cap);
  out.set(a);
  return out;
}

function lineEnd(b: Uint8Array, pos: number): number { const e = b.indexOf(10, pos); return e < 0 ? b.length : e; }

function sameBytes(b: Uint8Array, x: number, y: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[x + i] !== b[y + i]) return false;
  return true;
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
