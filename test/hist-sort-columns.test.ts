// Hists.sorted() over numeric columns (sorts where perf's comparison is a total order, trees
// elsewhere) against sortedByTrees(), perf's comparisons as written with every tree built, on
// synthetic entries made to hit the awkward cases: shared and equal-named symbols, equal starts,
// unresolved addresses more than 2^63 apart (the signed difference wraps), ties in self.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hists, type HistEntry, type SortKey } from '../src/analysis/hist.js';
import { Maps, ResolvedSample, Thread } from '../src/analysis/machine.js';
import type { DsoInfo, Loc, SymInfo } from '../src/analysis/machine.js';

function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
}

function entries(seed: number, n: number, wrap: boolean): HistEntry[] {
  const r = rng(seed);
  const dsos = ['libc.so.6', '[kernel.kallsyms]', 'node', 'libc.so.6', 'a.out'].map((shortName, id) => ({ shortName, id }) as unknown as DsoInfo);
  const threads = [1, 2, 3, 4].map((tid) => ({ tid, pid: tid, comm: tid < 3 ? 'node' : 'sh' }) as unknown as Thread);
  const names = ['main', 'f', 'g', 'memcpy', 'h'];
  const syms: SymInfo[] = [];
  for (let i = 0; i < 12; i++) {
    const kernel = r(3) === 0;
    const hex = kernel ? `ffffffff8100${(0x1000 + r(8) * 0x10).toString(16)}` : (0x400000 + r(8) * 0x10).toString(16);
    syms.push({ name: names[r(names.length)], start: parseInt(hex, 16), startHex: hex, dso: dsos[r(dsos.length)], id: i });
  }
  const addrs = wrap ? ['0', '10', 'dfdfdfdf00000003', '7fffffffffffffff', 'ffffffff81001234', '400123', 'fffffffffffffff0']
    : ['0', '10', '400123', '400456', '7f0000001000', '7fff00000000'];
  const list: HistEntry[] = [];
  for (let i = 0; i < n; i++) {
    const th = threads[r(threads.length)];
    const sym = r(3) === 0 ? undefined : syms[r(syms.length)];
    const dso = sym ? sym.dso : r(4) === 0 ? undefined : dsos[r(dsos.length)];
    const loc = { dso, sym, level: r(2) ? '.' : 'k', addrHex: addrs[r(addrs.length)], offset: r(16), id: i } as Loc;
    const self = r(4) * 100, children = self + r(3) * 100;
    list.push({ idx: i, comm: th.comm, thread: th, cpu: r(4), loc, level: loc.level, self, children, samples: 1, stamp: 0, maxDepth: r(4), filtered: false });
  }
  return list;
}

test('sorted() over columns equals the trees of perf\'s comparisons', () => {
  const sorts: SortKey[][] = [['comm', 'dso', 'sym'], ['dso', 'sym'], ['sym'], ['pid', 'sym'], ['cpu', 'dso', 'symoff'], ['symoff'], ['comm', 'sym', 'dso'], ['sym', 'pid'], ['dso'], ['comm']];
  let cases = 0;
  for (const sort of sorts) {
    for (const [children, graph] of [[false, false], [true, false], [true, true]]) {
      for (let seed = 1; seed <= 12; seed++) {
        const h = new Hists({ sort, children, graph, order: seed % 2 ? 'caller' : 'callee' });
        h.list.push(...entries(seed * 31 + sort.length, 40 + seed * 7, seed % 3 !== 0));
        const want = h.sortedByTrees().map((e) => e.idx);
        assert.deepEqual(h.sorted().map((e) => e.idx), want, `${sort.join(',')} children=${children} graph=${graph} seed=${seed}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 360);
});

test('sorted() of entries made by add() (comms ranked by Thread.commId) equals the trees', () => {
  const comms = ['node', 'sh', 'kworker/0:1', 'Node', 'node2', 'a b'];
  const dsos = ['libc.so.6', '[kernel.kallsyms]', 'node'].map((shortName, id) => ({ shortName, id }) as unknown as DsoInfo);
  for (let seed = 1; seed <= 8; seed++) {
    const r = rng(seed);
    const threads = Array.from({ length: 6 }, (_, i) => { const t = new Thread(100 + i, 100 + i, new Maps()); t.comm = comms[r(comms.length)]; return t; });
    const syms: SymInfo[] = Array.from({ length: 10 }, (_, i) => ({ name: ['main', 'f', 'g', 'zz'][r(4)], start: 0x1000 + r(6) * 16, startHex: (0x1000 + r(6) * 16).toString(16), dso: dsos[r(3)], id: i }));
    const locs: Loc[] = Array.from({ length: 30 }, (_, i) => {
      const sym = r(4) === 0 ? undefined : syms[r(syms.length)];
      return { dso: sym ? sym.dso : dsos[r(3)], sym, level: '.', addrHex: (0x400000 + r(50)).toString(16), offset: 0, id: i } as Loc;
    });
    for (const sort of [['comm', 'dso', 'sym'], ['comm', 'sym'], ['dso', 'comm']] as SortKey[][]) {
      const h = new Hists({ sort, children: false, graph: false, order: 'callee' });
      const res = new ResolvedSample();
      for (let k = 0; k < 400; k++) {
        if (k === 200) threads[0].comm = 'renamed'; // later entries of the thread carry the new comm
        res.thread = threads[r(threads.length)]; res.cpu = 0; res.period = 1 + r(3) * 1000; res.frames[0] = locs[r(locs.length)];
        h.add(res);
      }
      const want = h.sortedByTrees().map((e) => e.idx);
      assert.deepEqual(h.sorted().map((e) => e.idx), want, `${sort.join(',')} seed=${seed}`);
      assert.ok(new Set(h.list.map((e) => e.comm)).size >= 2);
    }
  }
});

test('sorted() with symbols and DSOs whose ids collide (distinct objects, equal ids) equals the trees', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const list = entries(seed * 17, 60 + seed * 5, seed % 2 === 0);
    // symbols and DSOs made outside one machine: ids need not be distinct
    for (const e of list) {
      if (e.loc.sym) (e.loc.sym as { id: number }).id = e.loc.sym.start % 3;
      if (e.loc.dso) (e.loc.dso as { id: number }).id = 1;
    }
    for (const sort of [['comm', 'dso', 'sym'], ['dso', 'sym'], ['dso']] as SortKey[][]) {
      const h = new Hists({ sort, children: false, graph: false, order: 'callee' });
      h.list.push(...list);
      const want = h.sortedByTrees().map((e) => e.idx);
      assert.deepEqual(h.sorted().map((e) => e.idx), want, `${sort.join(',')} seed=${seed}`);
    }
  }
});
