// An open-addressing hash table from a pair of int32s to a dense int32 id (0, 1, 2, ... in order of
// insertion), in typed arrays: the interning that hist keys and call-chain tries need per sample,
// without a string or an object per lookup.
/** The hash of an int32 pair both tables probe with (linear probing from hash & mask). */
function pairHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

export class PairTable {
  /** Slot i at [3i, 3i + 3): key a, key b, id + 1 (0: empty); one cache line per probe. */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacityLog2 = 10) {
    const cap = 1 << capacityLog2;
    this.slots = new Int32Array(cap * 3);
    this.mask = cap - 1;
  }

  /** The id of (a, b), or -1. */
  get(a: number, b: number): number {
    const mask = this.mask, s = this.slots;
    let i = pairHash(a, b) & mask;
    for (;;) {
      const j = i * 3, id = s[j + 2];
      if (id === 0) return -1;
      if (s[j] === a && s[j + 1] === b) return id - 1;
      i = (i + 1) & mask;
    }
  }

  /** The id of (a, b), adding it (id = size) when new. */
  intern(a: number, b: number): number {
    const mask = this.mask, s = this.slots;
    let i = pairHash(a, b) & mask;
    for (;;) {
      const j = i * 3, id = s[j + 2];
      if (id === 0) break;
      if (s[j] === a && s[j + 1] === b) return id - 1;
      i = (i + 1) & mask;
    }
    const nid = this.size++;
    const j = i * 3;
    s[j] = a; s[j + 1] = b; s[j + 2] = nid + 1;
    if (this.size * 2 > mask) this.grow();
    return nid;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const s = this.slots = new Int32Array(cap * 3);
    this.mask = cap - 1;
    for (let k = 0; k < old.length; k += 3) {
      if (old[k + 2] === 0) continue;
      let i = pairHash(old[k], old[k + 1]) & this.mask;
      while (s[i * 3 + 2] !== 0) i = (i + 1) & this.mask;
      s[i * 3] = old[k]; s[i * 3 + 1] = old[k + 1]; s[i * 3 + 2] = old[k + 2];
    }
  }
}

/** A growable Float64Array column. */
export class F64Column {
  data = new Float64Array(1024);
  at(i: number): number { return i < this.data.length ? this.data[i] : 0; }
  add(i: number, v: number): void {
    if (i >= this.data.length) { const n = new Float64Array(Math.max(i + 1, this.data.length * 2)); n.set(this.data); this.data = n; }
    this.data[i] += v;
  }
}

/** A growable Int32Array column. */
export class I32Column {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) { const n = new Int32Array(this.data.length * 2); n.set(this.data); this.data = n; }
    this.data[this.length++] = v;
  }
}

/**
 * An open-addressing hash from a pair of int32s to an int32 (no entry: -1), in typed arrays: no
 * per-entry objects or boxed keys, where a Map<number, …> of packed doubles allocates a heap number
 * per key and a Map per trie node costs ~100 bytes each. Keys may be any int32s; values must be >= 0.
 */
export class PairIndex {
  private a: Int32Array;
  private b: Int32Array;
  private v: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap * 3 < capacity * 4) cap *= 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.v = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  private slot(a: number, b: number): number {
    let i = pairHash(a, b) & this.mask;
    while (this.v[i] >= 0 && (this.a[i] !== a || this.b[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  get(a: number, b: number): number {
    return this.v[this.slot(a, b)];
  }

  /** Sets (a, b) → value (value >= 0). */
  set(a: number, b: number, value: number): void {
    const i = this.slot(a, b);
    if (this.v[i] < 0) {
      this.a[i] = a;
      this.b[i] = b;
      this.size++;
    }
    this.v[i] = value;
    if (this.size * 4 > this.mask * 3) this.grow(); // load factor at most 3/4: 16 bytes per entry or less
  }

  private grow(): void {
    const { a, b, v } = this;
    const cap = v.length * 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.v = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let k = 0; k < v.length; k++) {
      if (v[k] < 0) continue;
      const i = this.slot(a[k], b[k]);
      this.a[i] = a[k];
      this.b[i] = b[k];
      this.v[i] = v[k];
    }
  }
}
