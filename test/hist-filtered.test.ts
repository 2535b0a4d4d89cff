// Entries made by filtered samples (perf report's --comm/--pid/--tid/--dso/--symbols): perf's
// hists__findnew_entry sets he->filtered when it makes an entry and keeps it when later samples
// add to it, so an entry prints, with every sample's period, or not at all, by its first sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hists } from '../src/analysis/hist.js';
import { ResolvedSample } from '../src/analysis/machine.js';
import type { DsoInfo, Loc, SymInfo, Thread } from '../src/analysis/machine.js';

const kernel = { shortName: '[kernel.kallsyms]', longName: '[kernel.kallsyms]', id: 0, rank: 0 } as unknown as DsoInfo;
const exe = { shortName: 'burn', longName: '/tmp/burn', id: 1, rank: 1 } as unknown as DsoInfo;
const sym = (name: string, start: number, dso: DsoInfo, id: number): SymInfo => ({ name, start, startHex: start.toString(16), dso, id }) as unknown as SymInfo;
const loc = (s: SymInfo, level: string, id: number): Loc => ({ dso: s.dso, sym: s, level, addrHex: s.startHex, offset: 0, id }) as unknown as Loc;
const clear = loc(sym('clear_page_erms', 0x1000, kernel, 0), 'k', 0);
const main = loc(sym('main', 0x401000, exe, 1), '.', 1);
const spin = loc(sym('spin', 0x401100, exe, 2), '.', 2);
const thread = { tid: 7, pid: 7, comm: 'burn', commId: 0 } as unknown as Thread;

function sample(chain: Loc[]): ResolvedSample {
  const r = new ResolvedSample();
  r.thread = thread; r.cpu = 0; r.period = 100;
  r.frames = [chain[0]]; r.chain = chain; r.chainLength = chain.length; r.chainIps = chain.map(() => 0);
  return r;
}

/** --dso [kernel.kallsyms] --children: samples in spin (filtered) and in clear_page_erms under main (not). */
function rows(kernelFirst: boolean): Map<string, [number, number]> {
  const h = new Hists({ sort: ['comm', 'dso', 'sym'], children: true, graph: false, order: 'caller' });
  const user = () => h.add(sample([spin, main]), undefined, true);
  const kern = () => h.add(sample([clear, main]), undefined, false);
  if (kernelFirst) { kern(); user(); user(); } else { user(); kern(); user(); }
  const out = new Map<string, [number, number]>();
  for (const e of h.sorted()) if (!e.filtered) out.set(e.loc.sym!.name, [e.children, e.self]);
  assert.equal(h.totalPeriod, 300, 'filtered samples count in the total');
  assert.equal(h.nrSamples, 3);
  return out;
}

test('an entry made by an unfiltered sample prints with the filtered samples added to it later', () => {
  assert.deepEqual(rows(true), new Map([['clear_page_erms', [100, 100]], ['main', [300, 0]]]));
});

test('an entry made by a filtered sample does not print, though an unfiltered one adds to it later', () => {
  assert.deepEqual(rows(false), new Map([['clear_page_erms', [100, 100]]]));
});
