// perf's callchain radix tree (analysis/callchain.ts) on hand-made chains, and printf's %.2f.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildCallchainTree, buildLazyCallchainTree, CallchainTree, ChainNode, pathOf, sortedFlat, sortedGraphAbs, sortedGraphRel } from '../src/analysis/callchain.js';
import { callchainLines, fixed2, graphName, writeCallchain, type GraphOptions } from '../src/analysis/report-text.js';

const num = (a: number, b: number) => a - b; // frames compare by id: children run from the greatest down

function shape(n: ChainNode): unknown {
  return { val: n.val, hit: n.hit, ch: n.childrenHit, count: n.count, cc: n.childrenCount, kids: n.children.map(shape) };
}

test('callchain tree: chains ending inside a node split it, departing chains add children in match order', () => {
  const t = new CallchainTree(num);
  t.append([1, 2, 3, 4], 10, 1);
  t.append([1, 2], 5, 1); // ends inside: split after 2, the tail keeps the hits
  t.append([1, 2, 7], 3, 2); // departs after 2: a child ordered before 3 (greater first)
  t.append([1, 2, 3, 4], 1, 1);
  t.append([9], 4, 1);
  assert.deepEqual(shape(t.root), {
    val: [], hit: 0, ch: 23, count: 0, cc: 6, kids: [
      { val: [9], hit: 4, ch: 0, count: 1, cc: 0, kids: [] },
      { val: [1, 2], hit: 5, ch: 14, count: 1, cc: 4, kids: [
        { val: [7], hit: 3, ch: 0, count: 2, cc: 0, kids: [] },
        { val: [3, 4], hit: 11, ch: 0, count: 2, cc: 0, kids: [] },
      ] },
    ],
  });
  const top = t.root.children[1];
  assert.deepEqual(sortedGraphAbs(top, 0).map((n) => n.val), [[3, 4], [7]]);
  assert.deepEqual(sortedGraphAbs(top, 4).map((n) => n.val), [[3, 4]]);
  assert.deepEqual(sortedGraphRel(top, 25).map((n) => n.val), [[3, 4]]); // ceil(14 * 0.25) = 4
  assert.deepEqual(sortedFlat(t.root, 0).map(pathOf), [[1, 2, 3, 4], [1, 2], [9], [1, 2, 7]]);
});

test('callchain tree: a split whose new branch sorts after the moved tail', () => {
  const t = new CallchainTree(num);
  t.append([5, 6, 7], 1, 1);
  t.append([5, 8], 1, 1);
  t.append([5, 2], 1, 1);
  assert.deepEqual(t.root.children[0].children.map((n) => n.val), [[8], [6, 7], [2]]);
});

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

/** Chains with shared prefixes, stored as a tail trie the way Hists interns cursors. */
function randomChains(seed: number, nChains: number, nFrames: number) {
  const r = rng(seed);
  const nodes: number[] = [];
  const intern = new Map<string, number>();
  const node = (frame: number, next: number): number => {
    const k = frame + ':' + next;
    let x = intern.get(k);
    if (x === undefined) { nodes.push(frame, next); x = nodes.length / 2; intern.set(k, x); }
    return x;
  };
  const base: number[][] = Array.from({ length: 6 }, () => Array.from({ length: 1 + Math.floor(r() * 12) }, () => Math.floor(r() * nFrames)));
  const lists: number[][] = [];
  for (let i = 0; i < nChains; i++) {
    const b = base[Math.floor(r() * base.length)];
    const cut = Math.floor(r() * (b.length + 1));
    const ids = b.slice(0, cut);
    for (let k = Math.floor(r() * 4); k > 0; k--) ids.push(Math.floor(r() * nFrames));
    if (r() < 0.3) ids.unshift(Math.floor(r() * nFrames));
    lists.push(r() < 0.05 ? [] : ids);
  }
  const chains = lists.map((ids) => { let x = 0; for (let i = ids.length - 1; i >= 0; i--) x = node(ids[i], x); return x; });
  const periods = lists.map(() => 1 + Math.floor(r() * 1000));
  const counts = lists.map(() => 1 + Math.floor(r() * 3));
  return { lists, chains, periods, counts, trie: { nodes: Int32Array.from(nodes) } };
}

/** A tree's shape down to the branches reaching minHit (with every child's first frame and period, in order). */
function shapeAbove(n: ChainNode, minHit: number): unknown {
  return {
    val: n.val, hit: n.hit, ch: n.childrenHit, count: n.count, cc: n.childrenCount,
    order: n.children.map((c) => [c.val[0], c.cumul, c.cumulCount]),
    kids: n.children.filter((c) => c.cumul >= minHit).map((c) => shapeAbove(c, minHit)),
  };
}

test('callchain tree built top down equals chain by chain appending, pruned below minHit', () => {
  // an order that is not transitive (as perf's match_chain across symbol kinds is not): children order depends on insertion
  const odd = (a: number, b: number) => (a === b ? 0 : ((a * 7 + b * 13) % 5 < 2) === a < b ? -1 : 1);
  const asym = (a: number, b: number) => (a === b ? 0 : a < b ? odd(a, b) : -odd(b, a));
  for (const [seed, cmp] of [[1, num], [2, num], [3, asym], [4, asym], [5, asym]] as const) {
    const { lists, chains, periods, counts, trie } = randomChains(seed, 400, seed < 3 ? 40 : 12);
    const t = new CallchainTree(cmp);
    lists.forEach((ids, i) => t.append(ids, periods[i], counts[i]));
    assert.deepEqual(shape(buildCallchainTree(trie, chains, periods, counts, cmp, 0)), shape(t.root), `seed ${seed}`);
    const total = periods.reduce((a, b) => a + b, 0);
    for (const minHit of [1, Math.floor(total * 0.005), Math.floor(total * 0.05), Math.floor(total * 0.3)]) {
      const pruned = buildCallchainTree(trie, chains, periods, counts, cmp, minHit);
      assert.deepEqual(shapeAbove(pruned, minHit), shapeAbove(t.root, minHit), `seed ${seed} minHit ${minHit}`);
      assert.deepEqual(sortedFlat(pruned, minHit).map(pathOf), sortedFlat(t.root, minHit).map(pathOf));
    }
  }
});

function nodeCount(n: ChainNode): number {
  return n.children.reduce((k, c) => k + nodeCount(c), 1);
}

test('fractal call graphs: a tree left unbuilt below the relative threshold prints as the whole tree, streamed alike', () => {
  const odd = (a: number, b: number) => (a === b ? 0 : ((a * 7 + b * 13) % 5 < 2) === a < b ? -1 : 1);
  const asym = (a: number, b: number) => (a === b ? 0 : a < b ? odd(a, b) : -odd(b, a));
  const name = (id: number) => 'f' + id;
  let fewer = 0;
  for (const [seed, cmp] of [[11, num], [12, num], [13, asym]] as const) {
    const { chains, periods, counts, trie } = randomChains(seed, 600, seed < 13 ? 30 : 10);
    const full = buildCallchainTree(trie, chains, periods, counts, cmp, 0);
    const total = periods.reduce((a, b) => a + b, 0) * 2;
    for (const threshold of [0, 0.5, 5, 20, 60]) {
      const pruned = buildCallchainTree(trie, chains, periods, counts, cmp, 0, threshold);
      if (nodeCount(pruned) < nodeCount(full)) fewer++;
      for (const value of ['percent', 'period', 'count'] as const) {
        for (const printLimit of [0, 2]) {
          const g: GraphOptions = { mode: 'fractal', threshold, order: 'caller', value, printLimit };
          const want = callchainLines(full, name, total, full.cumul, g);
          if (threshold <= 0.5) assert.ok(want.length > 0, `seed ${seed} threshold ${threshold}`);
          assert.deepEqual(callchainLines(pruned, name, total, full.cumul, g), want, `seed ${seed} threshold ${threshold} ${value} limit ${printLimit}`);
          const streamed: string[] = [];
          writeCallchain(pruned, name, total, full.cumul, g, (l) => streamed.push(l));
          assert.deepEqual(streamed, want);
          for (const mode of ['fractal', 'graph'] as const) { // a lazy tree, expanded as printed
            const gm = { ...g, mode };
            const lazy = buildLazyCallchainTree(trie, chains, periods, counts, cmp);
            const got: string[] = [];
            writeCallchain(lazy.root, name, total, full.cumul, gm, (l) => got.push(l), lazy.expand);
            assert.deepEqual(got, mode === 'fractal' ? want : callchainLines(full, name, total, full.cumul, gm), `lazy ${mode} seed ${seed} threshold ${threshold}`);
            assert.ok(lazy.root.children.every((c) => c.children.length === 0), 'printed branches are dropped');
          }
        }
      }
    }
  }
  assert.ok(fewer >= 6, `pruning left out nodes in ${fewer} trees`);
});

test('lazy callchain tree: expanded throughout, it is the whole tree', () => {
  const odd = (a: number, b: number) => (a === b ? 0 : ((a * 7 + b * 13) % 5 < 2) === a < b ? -1 : 1);
  const asym = (a: number, b: number) => (a === b ? 0 : a < b ? odd(a, b) : -odd(b, a));
  for (const [seed, cmp] of [[21, num], [22, asym], [23, asym]] as const) {
    const { chains, periods, counts, trie } = randomChains(seed, 500, seed === 21 ? 40 : 12);
    const lazy = buildLazyCallchainTree(trie, chains, periods, counts, cmp);
    assert.ok(lazy.root.children.some((c) => c.pending >= 0));
    const all = (n: ChainNode): void => { lazy.expand(n); n.children.forEach(all); };
    // expanded in an order other than the range order: reverse siblings
    const rev = (n: ChainNode): void => { lazy.expand(n); n.children.slice().reverse().forEach(rev); };
    (seed === 21 ? all : rev)(lazy.root);
    assert.deepEqual(shape(lazy.root), shape(buildCallchainTree(trie, chains, periods, counts, cmp, 0)), `seed ${seed}`);
  }
});

test('graph call chains print frame names cut to 1023 bytes (perf: a 1024-byte buffer)', () => {
  const long = 'std::_Rb_tree<' + 'x'.repeat(2000) + '>';
  assert.equal(graphName(long), long.slice(0, 1023));
  assert.equal(graphName('short'), 'short');
  assert.equal(graphName('é'.repeat(600)), 'é'.repeat(511)); // 1022 bytes: the 512th would straddle byte 1023
  const t = new CallchainTree(num);
  t.append([1, 2], 3, 1);
  t.append([1, 3], 1, 1);
  const names = (id: number) => (id === 2 ? long : 'f' + id);
  const lines = callchainLines(t.root, names, 4, 4, { mode: 'graph', threshold: 0, order: 'caller' });
  assert.ok(lines.some((l) => l.endsWith('--75.00%--' + long.slice(0, 1023))), lines.join('\n'));
});

test('fixed2 prints as printf %.2f, ties to even included', () => {
  const xs = [(1 * 100) / 800, (3 * 100) / 800, 0.125, 0.375, 0.625, 0.875, 12.345, 99.995, 1 / 3, 2 / 3, 50, 0.005, 0.015, 100, 33.335, 1.125, 2.5];
  // printf(1) reads long doubles: pass each double's exact decimal expansion
  const r = spawnSync('printf', [xs.map(() => '%.2f\n').join(''), ...xs.map((x) => x.toFixed(100))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(xs.map(fixed2), r.stdout.trim().split('\n'));
});

test('match_chain of a symbol against an unresolved entry of the same DSO orders by address, as perf\'s raw ips do', async () => {
  // perf compares the callchain nodes' raw ips (match_chain_dso_addresses) when one has a symbol
  // and the other not. Seen in a CI system-wide recording: libbfd's rust_demangle_callback
  // (map-relative 0x11a49d) and an address of libbfd outside every symbol (0x10c268, raw
  // 0x7f7eaffc8268): the unresolved one is lower, although its raw-ip text compares higher.
  const { compareFrameLocs } = await import('../src/analysis/callchain.js');
  const { DsoInfo } = await import('../src/analysis/machine.js');
  const dso = new DsoInfo('/usr/lib/x86_64-linux-gnu/libbfd-2.40-system.so', 'libbfd-2.40-system.so', 'user');
  const sym = { name: 'rust_demangle_callback', start: 0x11a400, startHex: '11a400', dso, id: 1 };
  const resolved = { dso, sym, level: '.', addrHex: '11a49d', addrHi: 0, addrLo: 0x11a49d, offset: 0x9d, id: 1 };
  const unresolved = { dso, sym: undefined, level: '.', addrHex: '7f7eaffc8268', addrHi: 0x7f7e, addrLo: 0xaffc8268, offset: 0, id: 2, relAddr: 0x10c268 };
  assert.ok(compareFrameLocs(resolved, unresolved) > 0);
  assert.ok(compareFrameLocs(unresolved, resolved) < 0);
  const above = { ...unresolved, addrLo: 0xaffe0000, addrHex: '7f7eaffe0000', relAddr: 0x124000, id: 3 };
  assert.ok(compareFrameLocs(resolved, above) < 0);
});
