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

/** How frames compare: perf's match_chain result, negative when `a` sorts before `b` as keys. */
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
    while (m < node.val.length && pos + m < ids.length && this.cmp(node.val[m], ids[pos + m]) === 0) m++;
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

/** perf's sort_chain_graph_abs: children whose cumulative period reaches minHit, by it descending. */
export function sortedGraphAbs(node: ChainNode, minHit: number): ChainNode[] {
  return stableDesc(node.children.filter((c) => c.cumul >= minHit), (c) => c.cumul);
}

/** perf's sort_chain_graph_rel: the threshold is a share of the node's children period (rounded up). */
export function sortedGraphRel(node: ChainNode, minPercent: number): ChainNode[] {
  const minHit = Math.ceil(node.childrenHit * (minPercent / 100));
  return stableDesc(node.children.filter((c) => c.cumul >= minHit), (c) => c.cumul);
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
 * modelled by creation order (perf allocates them as it meets them, no DSO sorting first).
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
  return hexCmp(a.addrHex, b.addrHex);
}

function dsoRank(l: Loc): number { return l.dso ? l.dso.id : -1; }

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
