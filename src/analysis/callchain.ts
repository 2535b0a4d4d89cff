// perf's callchain radix tree (tools/perf/util/callchain.c, perf 6.1): a node holds a run of
// frames (`val`), the period of chains ending at its last frame (`hit`) and of chains going on
// into its children (`childrenHit`), with sample counts alike. Appending a chain walks the
// children by their first frame, splits a node where a chain ends or departs inside it
// (split_add_child), and adds a child for the rest. The tree is canonical for a set of chains, so
// kscope builds it when an entry is printed, from the entry's aggregated chains.
//
// Child order is perf's rb_root_in order: match_chain compares frames by (dso, symbol start) —
// by name when either is an inlined function, by (dso, ip) when unresolved — and a new child goes
// left of a smaller one, so children run from the greatest key down. The sorted views (rb_root)
// keep that order among equal values (rb_insert_callchain puts ties to the right).
import type { Loc } from './machine.js';

/**
 * How frames compare: perf's match_chain result, negative when `a` sorts before `b` as keys; 0
 * exactly when the ids are equal (ids are interned by match_chain equality).
 */
export type FrameCompare = (a: number, b: number) => number;

export class ChainNode {
  /** Frame ids, in cursor order. */
  val: number[];
  hit = 0;
  childrenHit = 0;
  count = 0;
  childrenCount = 0;
  /** perf's rb_root_in in order: frame keys descending. */
  children: ChainNode[] = [];
  /**
   * A node of a lazily built tree (buildLazyCallchainTree) not expanded yet: its chains' range
   * (-1: built). Until expanded it holds only its first frame, and all its period as its hits.
   */
  pending = -1;
  pendingEnd = 0;
  constructor(readonly parent: ChainNode | undefined, val: number[]) { this.val = val; }
  /** perf's callchain_cumul_hits. */
  get cumul(): number { return this.hit + this.childrenHit; }
  /** perf's callchain_cumul_counts. */
  get cumulCount(): number { return this.count + this.childrenCount; }
}

/** An entry's callchain tree (perf's struct callchain_root). */
export class CallchainTree {
  readonly root = new ChainNode(undefined, []);
  constructor(private readonly cmp: FrameCompare) {}

  /** perf's callchain_append of one chain (frame ids in cursor order) with its period and sample count. */
  append(ids: readonly number[], period: number, count: number): void {
    if (ids.length) this.appendChildren(this.root, ids, 0, period, count);
  }

  private appendChildren(node: ChainNode, ids: readonly number[], pos: number, period: number, count: number): void {
    const first = ids[pos];
    const kids = node.children;
    let at = kids.length;
    for (let i = 0; i < kids.length; i++) {
      const c = this.cmp(kids[i].val[0], first);
      if (c === 0) { this.appendChain(kids[i], ids, pos, period, count); at = -1; break; }
      if (c < 0) { at = i; break; } // the existing child is smaller: the new one goes before it
    }
    if (at >= 0) {
      const n = new ChainNode(node, ids.slice(pos));
      n.hit = period; n.count = count;
      kids.splice(at, 0, n);
    }
    node.childrenHit += period;
    node.childrenCount += count;
  }

  private appendChain(node: ChainNode, ids: readonly number[], pos: number, period: number, count: number): void {
    let m = 1;
    while (m < node.val.length && pos + m < ids.length && node.val[m] === ids[pos + m]) m++;
    if (m < node.val.length) { // split_add_child: the tail and the children move to a new first child
      const tail = new ChainNode(node, node.val.slice(m));
      tail.hit = node.hit; tail.childrenHit = node.childrenHit; tail.count = node.count; tail.childrenCount = node.childrenCount;
      tail.children = node.children;
      for (const c of tail.children) (c as { parent: ChainNode }).parent = tail;
      node.val = node.val.slice(0, m);
      node.children = [tail];
      node.childrenHit = tail.cumul; node.childrenCount = tail.cumulCount;
      if (pos + m < ids.length) {
        node.hit = 0; node.count = 0;
        node.childrenHit += period; node.childrenCount += count;
        const n = new ChainNode(node, ids.slice(pos + m));
        n.hit = period; n.count = count;
        if (this.cmp(tail.val[0], ids[pos + m]) < 0) node.children.unshift(n); else node.children.push(n);
      } else {
        node.hit = period; node.count = count;
      }
      return;
    }
    if (pos + m === ids.length) { node.hit += period; node.count += count; return; }
    this.appendChildren(node, ids, pos + m, period, count);
  }
}

/**
 * Chains stored as a trie of their tails, two int32s a node: chain node x (1-based; 0 ends a chain)
 * has the frame `nodes[2 * (x - 1)]` and continues with the chain `nodes[2 * (x - 1) + 1]`.
 */
export interface ChainTrie {
  nodes: Int32Array;
}

/**
 * The radix tree CallchainTree.append builds from these chains in this order, built top down: the
 * chains through a node are grouped by their next frame, and a node's run of frames ends where a
 * chain ends or the chains part. Chains join children as append's scan has them (in chain order,
 * the first child not greater than the chain's frame: joined when equal, else a new child goes
 * before it), so the children and their order are append's, duplicates under an order that is not
 * transitive included. A child whose cumulative period is below `minHit` is not built: it stays one node with
 * its first frame and the whole period as its hits and count (perf's graph, flat and folded
 * printing never reach a branch below min_callchain_hits, nor anything under it); minHit 0 builds
 * the whole tree. With `relPercent` (fractal printing) the bound is instead that share of the
 * parent's children period (relMinHit, as sortedGraphRel filters). Work is one step per chain and frame on the built nodes only; the first frames of
 * each chain are copied out of the trie first (a chain's trie nodes mostly lie together), so the
 * steps read memory close by.
 */
export function buildCallchainTree(trie: ChainTrie, chains: ArrayLike<number>, periods: ArrayLike<number>, counts: ArrayLike<number>,
  cmp: FrameCompare, minHit: number, relPercent?: number): ChainNode {
  return treeBuilder(trie, chains, periods, counts, cmp, minHit, relPercent, false).root;
}

/** A call graph tree whose nodes are built when asked (expand): perf's tree, one branch at a time. */
export interface LazyCallchainTree {
  /** The root, its children made (pending). */
  readonly root: ChainNode;
  /** Builds a pending node: its run of frames, hits and (pending) children. No-op on a built node. */
  expand(node: ChainNode): void;
}

/**
 * buildCallchainTree's tree made lazily: every child starts pending (its first frame, its
 * cumulative period and count as hits), and expand() builds a node's run and its children when a
 * printer reaches it, so a printer that drops the children it has printed holds one path of the
 * tree at a time. Nodes built equal buildCallchainTree's (with minHit 0).
 */
export function buildLazyCallchainTree(trie: ChainTrie, chains: ArrayLike<number>, periods: ArrayLike<number>, counts: ArrayLike<number>,
  cmp: FrameCompare): LazyCallchainTree {
  return treeBuilder(trie, chains, periods, counts, cmp, 0, undefined, true);
}

function treeBuilder(trie: ChainTrie, chains: ArrayLike<number>, periods: ArrayLike<number>, counts: ArrayLike<number>,
  cmp: FrameCompare, minHit: number, relPercent: number | undefined, lazy: boolean): LazyCallchainTree {
  const nodes = trie.nodes;
  const root = new ChainNode(undefined, []);
  let n = 0;
  for (let i = 0; i < chains.length; i++) if (chains[i] !== 0) n++; // an empty chain appends nothing
  if (!n) return { root, expand() {} };
  // per chain c: its first frames in buf[start[c], end[c]), then the trie node `rest[c]` (0: no more)
  const K = Math.max(4, Math.min(64, Math.floor((8 << 20) / n)));
  const start = new Int32Array(n), end = new Int32Array(n), rest = new Int32Array(n);
  const per = new Float64Array(n), cnt = new Float64Array(n);
  let buf = new Int32Array(Math.min(n * K, 1 << 16)), used = 0;
  for (let i = 0, c = 0; i < chains.length; i++) {
    let x = chains[i];
    if (x === 0) continue;
    if (used + K > buf.length) { const b = new Int32Array(Math.min(n * K, Math.max(buf.length * 2, used + K))); b.set(buf.subarray(0, used)); buf = b; }
    start[c] = used;
    for (let k = 0; k < K && x !== 0; k++) { buf[used++] = nodes[2 * x - 2]; x = nodes[2 * x - 1]; }
    end[c] = used; rest[c] = x; per[c] = periods[i]; cnt[c] = counts[i]; c++;
  }
  // per chain under way (partitioned as the tree grows): its index, its position (a buf index,
  // or minus the trie node once past its copied frames) and that position's frame
  const id = new Int32Array(n), pos = new Int32Array(n), fr = new Int32Array(n);
  const id2 = new Int32Array(n), pos2 = new Int32Array(n), fr2 = new Int32Array(n), cur2 = new Int32Array(n);
  for (let c = 0; c < n; c++) { id[c] = c; pos[c] = start[c]; fr[c] = buf[start[c]]; }
  // Per frame id, the child its chains join, as append's scan finds it: valid while `seen[f]` is
  // the current version (bumped per node and per new child, as a new child can change the scan).
  let seen = new Int32Array(256), joins = new Int32Array(256), version = 0;
  const gLen: number[] = [], gHit: number[] = [], gCount: number[] = [];

  /** Adds the chains [lo, hi) as children of `node`. */
  const children = (node: ChainNode, lo: number, hi: number): void => {
    // append's scan per chain: the first child not greater than its frame, joined when equal, else a new child before it
    const kidFrame: number[] = [], kidGroup: number[] = [];
    version++;
    let hit = 0, count = 0;
    for (let i = lo; i < hi; i++) {
      const f = fr[i], c = id[i];
      if (f >= seen.length) {
        const m = Math.max(f + 1, seen.length * 2);
        const s2 = new Int32Array(m), j2 = new Int32Array(m);
        s2.set(seen); j2.set(joins); seen = s2; joins = j2;
      }
      let g: number;
      if (seen[f] === version) g = joins[f];
      else {
        let k = 0, d = 1;
        while (k < kidFrame.length && (d = cmp(kidFrame[k], f)) > 0) k++;
        if (k < kidFrame.length && d === 0) g = kidGroup[k];
        else {
          g = gLen.length; gLen.push(0); gHit.push(0); gCount.push(0);
          kidFrame.splice(k, 0, f); kidGroup.splice(k, 0, g);
          version++;
        }
        seen[f] = version; joins[f] = g;
      }
      fr2[i] = g; // the chain's group, for the sort below
      gLen[g]++; gHit[g] += per[c]; gCount[g] += cnt[c];
      hit += per[c]; count += cnt[c];
    }
    node.childrenHit += hit; node.childrenCount += count;
    const ng = gLen.length;
    const lens = gLen.splice(0), hits = gHit.splice(0), cnts = gCount.splice(0);
    // a stable counting sort of the range by group
    const at: number[] = new Array(ng);
    for (let g = 0, p = lo; g < ng; g++) { at[g] = p; p += lens[g]; }
    if (ng > 1) {
      const fill = at.slice();
      for (let i = lo; i < hi; i++) {
        const q = fill[fr2[i]]++;
        id2[q] = id[i]; pos2[q] = pos[i]; cur2[q] = fr[i];
      }
      id.set(id2.subarray(lo, hi), lo); pos.set(pos2.subarray(lo, hi), lo); fr.set(cur2.subarray(lo, hi), lo);
    }
    const kids = node.children;
    const least = relPercent === undefined ? minHit : relMinHit(node.childrenHit, relPercent);
    for (let k = 0; k < kidGroup.length; k++) {
      const g = kidGroup[k];
      if (lazy) {
        const child = new ChainNode(node, [kidFrame[k]]);
        child.hit = hits[g]; child.count = cnts[g];
        child.pending = at[g]; child.pendingEnd = at[g] + lens[g];
        kids.push(child);
      } else if (hits[g] < least) {
        const child = new ChainNode(node, [kidFrame[k]]);
        child.hit = hits[g]; child.count = cnts[g];
        kids.push(child);
      } else kids.push(chain(node, at[g], at[g] + lens[g]));
    }
  };

  /**
   * The node of the chains [lo, hi), which all go on with one frame: its run goes on while no
   * chain ends and all go on with the same frame.
   */
  const chain = (parent: ChainNode, lo: number, hi: number): ChainNode => fill(new ChainNode(parent, []), lo, hi);

  /** Makes `node` the node of the chains [lo, hi) (chain()'s work on a given node). */
  const fill = (node: ChainNode, lo: number, hi: number): ChainNode => {
    const val = node.val;
    let f = fr[lo];
    for (;;) {
      val.push(f);
      let j = lo, ended = false, nf = -1, same = true;
      for (let i = lo; i < hi; i++) {
        const c = id[i];
        let p = pos[i], g: number;
        if (p >= 0) { // within the copied frames, then on into the trie
          p++;
          if (p < end[c]) g = buf[p];
          else { const x = rest[c]; p = -x; g = x ? nodes[2 * x - 2] : -1; }
        } else {
          const x = nodes[-2 * p - 1];
          p = -x; g = x ? nodes[2 * x - 2] : -1;
        }
        if (g < 0) { ended = true; node.hit += per[c]; node.count += cnt[c]; continue; }
        if (nf < 0) nf = g; else if (g !== nf) same = false;
        id[j] = c; pos[j] = p; fr[j] = g; j++;
      }
      hi = j;
      if (hi === lo) return node;
      if (ended || !same) break;
      f = nf;
    }
    children(node, lo, hi);
    return node;
  };

  children(root, 0, n);
  const expand = (node: ChainNode): void => {
    if (node.pending < 0) return;
    const lo = node.pending, hi = node.pendingEnd;
    node.pending = -1;
    node.val = [];
    node.hit = 0; node.count = 0;
    fill(node, lo, hi);
  };
  return { root, expand };
}

/** perf's sort_chain_graph_abs: children whose cumulative period reaches minHit, by it descending. */
export function sortedGraphAbs(node: ChainNode, minHit: number): ChainNode[] {
  return stableDesc(node.children.filter((c) => c.cumul >= minHit), (c) => c.cumul);
}

/** perf's sort_chain_graph_rel: the threshold is a share of the node's children period (rounded up). */
export function sortedGraphRel(node: ChainNode, minPercent: number): ChainNode[] {
  const minHit = relMinHit(node.childrenHit, minPercent);
  return stableDesc(node.children.filter((c) => c.cumul >= minHit), (c) => c.cumul);
}

/** The least cumulative period of a child printed in fractal mode: `percent` of its parent's children period, rounded up. */
export function relMinHit(childrenHit: number, percent: number): number {
  return Math.ceil(childrenHit * (percent / 100));
}

/** perf's sort_chain_flat: every node with hits of its own (post order), by hits descending. */
export function sortedFlat(root: ChainNode, minHit: number): ChainNode[] {
  const out: ChainNode[] = [];
  const walk = (n: ChainNode) => {
    for (const c of n.children) walk(c);
    if (n.hit && n.hit >= minHit) out.push(n);
  };
  walk(root);
  return stableDesc(out, (n) => n.hit);
}

function stableDesc<T>(a: T[], v: (x: T) => number): T[] {
  return a.map((x, i) => [x, v(x), i] as const).sort((p, q) => q[1] - p[1] || p[2] - q[2]).map((p) => p[0]);
}

/** The frames from the root to `node` (perf's __callchain__fprintf_flat/folded walk up the parents). */
export function pathOf(node: ChainNode): number[] {
  const parts: number[][] = [];
  for (let n: ChainNode | undefined = node; n; n = n.parent) parts.push(n.val);
  const out: number[] = [];
  for (let i = parts.length - 1; i >= 0; i--) out.push(...parts[i]);
  return out;
}

/**
 * perf's match_chain on two resolved locations (CCKEY_FUNCTION): symbols by (dso, start), by name
 * when either is inlined; unresolved ones by (dso, ip). DSOs compare by perf's pointer order,
 * modelled by allocation order (DsoInfo.rank: the header's build-id DSOs first, then as met).
 */
export function compareFrameLocs(a: Loc, b: Loc): number {
  if (a.sym && b.sym) {
    if (a.sym.inlined || b.sym.inlined) return a.sym.name < b.sym.name ? -1 : a.sym.name > b.sym.name ? 1 : 0;
    const d = dsoRank(a) - dsoRank(b);
    if (d) return d;
    return hexCmp(a.sym.startHex, b.sym.startHex);
  }
  const d = dsoRank(a) - dsoRank(b);
  if (d) return d;
  // A symbol against an unresolved entry: perf compares the two callchain nodes' raw ips. An
  // unresolved callchain entry is keyed by its raw ip, a resolved frame by its map-relative
  // address; within one DSO the map-relative addresses order as the raw ips do (the unresolved
  // address lies outside the symbol, so any address of the symbol gives the same answer).
  if ((a.sym === undefined) !== (b.sym === undefined) && (a.relAddr !== undefined || b.relAddr !== undefined)) {
    const x = relOf(a), y = relOf(b);
    if (x !== undefined && y !== undefined && x !== y) return x < y ? -1 : 1;
  }
  return hexCmp(a.addrHex, b.addrHex);
}

function relOf(l: Loc): number | undefined {
  if (l.relAddr !== undefined) return l.relAddr;
  return l.addrHi !== undefined && l.addrLo !== undefined && l.addrHi < 0x200000 ? l.addrHi * 0x100000000 + l.addrLo : undefined;
}

function dsoRank(l: Loc): number { return l.dso ? l.dso.rank : -1; }

function hexCmp(a: string, b: string): number {
  a = a.replace(/^0+/, ''); b = b.replace(/^0+/, '');
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** perf's callchain_list__sym_name: the symbol name (" (inlined)" added), else the ip as %#llx. */
export function frameText(l: Loc): string {
  if (l.sym) return l.sym.inlined ? l.sym.name + ' (inlined)' : l.sym.name;
  const h = l.addrHex.replace(/^0+/, '');
  return h ? '0x' + h : '0';
}
