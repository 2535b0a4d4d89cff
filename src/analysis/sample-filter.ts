// perf's per-sample filters of machine__resolve (tools/perf/util/event.c): thread__is_filtered
// (--comms, --pid, --tid), the DSO list (--dsos) and the symbol list (-S/--symbols). perf script
// drops a sample they filter; perf report still adds it to the histogram with al->filtered set
// (hist.ts Hists.add). The CPU list and time ranges are not among them: perf checks those before.

import type { ResolvedSample, SymInfo } from './machine.js';
import { KscopeError } from '../util/errors.js';
import { hexOfHalves } from '../util/hex.js';

export interface SampleFilter {
  comms?: ReadonlySet<string>;
  pids?: ReadonlySet<number>;
  tids?: ReadonlySet<number>;
  /** -S: symbol names (as printed, demangled); with an empty set, only `symbolAddrs` match. */
  symbols?: ReadonlySet<string>;
  /** -S entries that are hex numbers (perf's addr_list): sample addresses, as lowercase hex without 0x. */
  symbolAddrs?: ReadonlySet<string>;
  /** --addr-range (perf script): a `symbolAddrs` entry also matches the addresses up to this many bytes above it. */
  addrRange?: number;
  /** --dsos: a DSO's short or long name. */
  dsos?: ReadonlySet<string>;
}

/**
 * True when machine__resolve filters the sample out: its thread (current comm, pid, tid), the DSO
 * of its ip (no map: filtered whenever a DSO list is given) or its symbol. `symName` is the name
 * -S compares (perf's demangled sym->name).
 */
export function sampleFilteredOut(flt: SampleFilter, r: ResolvedSample, ipHi: number, ipLo: number, symName: (s: SymInfo) => string): boolean {
  const th = r.thread;
  if (flt.comms && !flt.comms.has(th.comm)) return true;
  if (flt.pids && !flt.pids.has(th.pid)) return true;
  if (flt.tids && !flt.tids.has(th.tid)) return true;
  const l = r.frames[0];
  if (flt.dsos && (!l.dso || !(flt.dsos.has(l.dso.shortName) || flt.dsos.has(l.dso.longName)))) return true;
  if (flt.symbols) {
    if (l.sym && flt.symbols.has(symName(l.sym))) return false;
    if (flt.symbolAddrs && l.dso) {
      if (flt.symbolAddrs.has(hexOfHalves(ipHi, ipLo))) return false;
      if (flt.addrRange) {
        const ip = (BigInt(ipHi) << 32n) | BigInt(ipLo); // once per sample, with --addr-range only
        for (const a of flt.symbolAddrs) {
          const start = BigInt(`0x${a}`);
          if (ip >= start && ip < start + BigInt(flt.addrRange)) return false;
        }
      }
    }
    return true;
  }
  return false;
}

/** perf's strlist__parse_list (--comms, -S, --dsos): entries separated by commas (a trailing comma adds none). */
export function parseStrList(s: string): Set<string> {
  const parts = s.split(',');
  if (parts[parts.length - 1] === '') parts.pop();
  return new Set(parts);
}

/**
 * -S as symbol__init splits it (setup_addrlist): entries that are wholly hex numbers (strtoul base
 * 16, "0x" allowed) are sample addresses and leave the name list.
 */
export function splitSymbolList(list: ReadonlySet<string>): { names: Set<string>; addrs: Set<string> | undefined } {
  const names = new Set<string>(), addrs = new Set<string>();
  for (const e of list) {
    const m = /^[ \t\n\v\f\r]*\+?(?:0[xX])?([0-9a-fA-F]+)$/.exec(e);
    if (m) addrs.add(m[1].toLowerCase().replace(/^0+(?=.)/, ''));
    else names.add(e);
  }
  return { names, addrs: addrs.size ? addrs : undefined };
}

/**
 * perf's intlist__parse_list (--pid, --tid): strtol'd numbers separated by commas; undefined
 * when an entry is not a number.
 */
export function parseIntList(s: string): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^[ \t\n\v\f\r]*[+-]?\d+/.exec(part);
    if (m ? m[0].length !== part.length : part !== '') return undefined;
    out.add(m ? Number(m[0].trim()) : 0);
  }
  return out;
}

/**
 * The filter of perf's --comms, --pid, --tid, --dsos and -S texts (each optional), parsed as perf
 * parses them; throws KscopeError with perf's message for a pid/tid list that is not numbers.
 */
export function parseSampleFilter(o: { comms?: string; pid?: string; tid?: string; dsos?: string; symbols?: string }): SampleFilter {
  const flt: SampleFilter = {};
  if (o.comms !== undefined) flt.comms = parseStrList(o.comms);
  for (const k of ['pid', 'tid'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    const set = parseIntList(v);
    if (!set) throw new KscopeError(`problems parsing ${k} list`, `--${k} takes numbers separated by commas`);
    flt[k === 'pid' ? 'pids' : 'tids'] = set;
  }
  if (o.symbols !== undefined) {
    const { names, addrs } = splitSymbolList(parseStrList(o.symbols));
    flt.symbols = names;
    flt.symbolAddrs = addrs;
  }
  if (o.dsos !== undefined) flt.dsos = parseStrList(o.dsos);
  return flt;
}
