// perf's callchain radix tree (analysis/callchain.ts) on hand-made chains, and printf's %.2f.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CallchainTree, ChainNode, pathOf, sortedFlat, sortedGraphAbs, sortedGraphRel } from '../src/analysis/callchain.js';
import { fixed2 } from '../src/analysis/report-text.js';

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

test('fixed2 prints as printf %.2f, ties to even included', () => {
  const xs = [(1 * 100) / 800, (3 * 100) / 800, 0.125, 0.375, 0.625, 0.875, 12.345, 99.995, 1 / 3, 2 / 3, 50, 0.005, 0.015, 100, 33.335, 1.125, 2.5];
  // printf(1) reads long doubles: pass each double's exact decimal expansion
  const r = spawnSync('printf', [xs.map(() => '%.2f\n').join(''), ...xs.map((x) => x.toFixed(100))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(xs.map(fixed2), r.stdout.trim().split('\n'));
});
