// JIT symbols from perf-PID.map (formats/perf-map.ts). When entries overlap, the one written last
// wins: a JIT (V8, the JVM) reuses freed code space, so the newest entry describes the current code.
import { readPerfMap, type PerfMap } from '../formats/perf-map.js';

export interface JitSymbol { name: string; start: number; size: number }

export class JitSymbols {
  private readonly starts: Float64Array;
  private readonly sizes: Float64Array;
  private readonly seq: Int32Array;
  private readonly maxSize: number;

  constructor(readonly map: PerfMap) {
    const n = map.count;
    const order = Array.from({ length: n }, (_, i) => i);
    const start = (i: number) => map.startHi[i] * 0x100000000 + map.startLo[i];
    order.sort((a, b) => start(a) - start(b) || a - b);
    this.starts = new Float64Array(n); this.sizes = new Float64Array(n); this.seq = new Int32Array(n);
    let max = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      this.starts[k] = start(i); this.sizes[k] = map.size[i]; this.seq[k] = i;
      if (map.size[i] > max) max = map.size[i];
    }
    this.maxSize = max;
  }

  static fromText(text: string | Uint8Array, file?: string): JitSymbols { return new JitSymbols(readPerfMap(text, file)); }

  get size(): number { return this.starts.length; }

  /** The newest entry whose [start, start+size) holds `address` (user-space addresses are < 2^53). */
  find(address: number | bigint): JitSymbol | undefined {
    const a = typeof address === 'bigint' ? Number(address) : address;
    const s = this.starts;
    let lo = 0, hi = s.length - 1, at = -1;
    while (lo <= hi) { const mid = (lo + hi) >>> 1; if (s[mid] <= a) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    let best = -1;
    // Any entry starting within maxSize below the address may cover it.
    for (let k = at; k >= 0 && s[k] > a - this.maxSize - 1; k--) {
      if (a < s[k] + this.sizes[k] && (best < 0 || this.seq[k] > this.seq[best])) best = k;
    }
    if (best < 0) return undefined;
    return { name: this.map.name[this.seq[best]], start: s[best], size: this.sizes[best] };
  }
}
