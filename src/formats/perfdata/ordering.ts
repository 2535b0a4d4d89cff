// perf's delivery order (tools/perf/util/ordered-events.c and session.c, perf 6.1).
//
// perf_session__process_event queues every kernel record (type < 64) by its timestamp; a record
// without one (no TIME in sample_type, or a non-sample record without sample_id_all: timestamp
// -1ULL), or with timestamp 0, makes ordered_events__queue return -ETIME and is delivered at once.
// User records (type >= 64) are processed at once, never queued. On PERF_RECORD_FINISHED_ROUND,
// perf flushes (OE_FLUSH__ROUND) every queued record with time <= next_flush and then sets
// next_flush to the largest timestamp queued so far; next_flush starts at 0. At the end of the
// input everything left is flushed (OE_FLUSH__FINAL). Records with equal time keep queue order.
import { WindowRecord, type PerfRecord } from './stream.js';
import { RecordType } from './constants.js';
import { recordTime, recordTimeAt, type EventSet } from './sample.js';

interface Queued { rec: PerfRecord; hi: number; lo: number; seq: number }

function cmp(a: Queued, b: Queued): number {
  return a.hi - b.hi || a.lo - b.lo || a.seq - b.seq;
}

/** Reorders a file-order record stream into perf's delivery order. */
export function* orderRecords(src: Iterable<PerfRecord>, events: EventSet): Generator<PerfRecord> {
  let queue: Queued[] = [];
  let sorted = true;
  let seq = 0;
  let maxHi = 0, maxLo = 0;
  let nextHi = 0, nextLo = 0;
  const t = new Uint32Array(2);
  for (const rec of src) {
    if (rec.type >= 64) {
      yield rec;
      if (rec.type === RecordType.FINISHED_ROUND) {
        if (!sorted) { queue.sort(cmp); sorted = true; }
        let n = 0;
        while (n < queue.length && (queue[n].hi < nextHi || (queue[n].hi === nextHi && queue[n].lo <= nextLo))) n++;
        for (let i = 0; i < n; i++) yield queue[i].rec;
        queue = n === queue.length ? [] : queue.slice(n);
        nextHi = maxHi; nextLo = maxLo;
      }
      continue;
    }
    if (!recordTime(events, rec, t) || (t[0] === 0 && t[1] === 0) || (t[0] === 0xffffffff && t[1] === 0xffffffff)) {
      yield rec;
      continue;
    }
    const q: Queued = { rec, hi: t[0], lo: t[1], seq: seq++ };
    if (sorted && queue.length > 0 && cmp(queue[queue.length - 1], q) > 0) sorted = false;
    queue.push(q);
    if (q.hi > maxHi || (q.hi === maxHi && q.lo > maxLo)) { maxHi = q.hi; maxLo = q.lo; }
  }
  if (!sorted) queue.sort(cmp);
  for (const q of queue) yield q.rec;
}

const BLOCK = 1 << 18;
/** More ascending runs than this queued: the queue is sorted into one instead (a k-way merge picks heads linearly). */
const MAX_MERGE_RUNS = 64;

/**
 * orderRecords for a consumer that is done with each record when it asks for the next one, over
 * `next` (records valid until the next call, e.g. from a reused read window): the same delivery
 * order, but a queued record's bytes are copied into 256 KiB arena blocks (reused once all their
 * records are delivered) and its time and place kept in typed columns, so no read chunk stays
 * alive for a queued record and no object is made per queued record. The records yielded (one
 * WindowRecord, changed for each) and their bytes are valid until the next one is asked for.
 */
export function* orderRecordsTransient(next: () => PerfRecord | null, events: EventSet, blockSize = BLOCK): Generator<PerfRecord> {
  const pull = orderedRecordPuller(next, events, blockSize);
  for (let r = pull(); r; r = pull()) yield r;
}

/**
 * orderRecordsTransient as a pull function (null at the end): no generator between the reader and
 * a hot consumer loop.
 *
 * The queue is kept as ascending runs in arrival order (what is left of the last flush, then one
 * run per CPU buffer perf drained in the round), so a flush merges the heads of a few runs instead
 * of sorting: ties go to the earlier run, i.e. arrival order, as perf's queue keeps equal times.
 * Every record queued before a round is delivered by the next round's flush (it is at most the
 * largest time seen), so the runs stay few.
 *
 * With `spans`, the caller calls `beforeRefill` before the buffer of the records `next` hands out
 * (WindowRecords) is overwritten: records that sit back to back in it are then copied into the
 * arena as one span (one copy per window instead of a view and a copy per record).
 */
export function orderedRecordPuller(next: () => PerfRecord | null, events: EventSet, blockSize = BLOCK, spans = false): RecordPuller {
  const q = new OrderedQueue(next, events, blockSize, spans);
  return Object.assign(() => q.pull(), { beforeRefill: () => q.flushSpan() });
}

/** orderedRecordPuller's state: fields rather than closure variables (no context slot or hole check per access). */
class OrderedQueue {
  private readonly blocks: Uint8Array[] = [];
  private readonly live: number[] = [];
  private readonly free: number[] = [];
  private cur = -1;
  private curPos: number;
  private cap = 1024;
  private len = 0;
  // time as a double (exact below 2^53 ns; compared first), its exact halves for ties of the doubles
  private key = new Float64Array(1024);
  private tHi = new Uint32Array(1024);
  private tLo = new Uint32Array(1024);
  private blk = new Int32Array(1024);
  private off = new Int32Array(1024);
  private fOff = new Float64Array(1024);
  private dOff = new Float64Array(1024);
  /** Ascending runs of the queue, in arrival order: [heads[r], ends[r]). */
  private heads = new Int32Array(16);
  private ends = new Int32Array(16);
  private nRuns = 0;
  private maxHi = 0; private maxLo = 0;
  private nextHi = 0; private nextLo = 0; private nextKey = 0;
  /** While flushing: deliver queued records up to (limHi, limLo) (all of them at the end). */
  private flushing = false;
  private all = false;
  private limHi = 0; private limLo = 0; private limKey = 0;
  private done = false;
  /** The arena block of the record handed out last (released when the next one is asked for). */
  private held = -1;
  private readonly t = new Uint32Array(2);
  private readonly le: boolean;
  private readonly out = new WindowRecord();
  /** The span of the source buffer [spanFrom, spanTo) still to be copied to blocks[spanBlk] at spanOff. */
  private spanSrc: Uint8Array | undefined = undefined;
  private spanFrom = 0; private spanTo = 0; private spanBlk = -1; private spanOff = 0;

  constructor(private readonly next: () => PerfRecord | null, private readonly events: EventSet, private readonly blockSize: number, private readonly spans: boolean) {
    this.curPos = blockSize;
    this.le = events.littleEndian;
  }

  flushSpan(): void {
    const src = this.spanSrc;
    if (src === undefined) return;
    this.blocks[this.spanBlk].set(src.subarray(this.spanFrom, this.spanTo), this.spanOff);
    this.spanSrc = undefined;
  }

  private grow(): void {
    const cap = (this.cap *= 2);
    const g32 = (a: Uint32Array) => { const b = new Uint32Array(cap); b.set(a); return b; };
    const gi = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    const gf = (a: Float64Array) => { const b = new Float64Array(cap); b.set(a); return b; };
    this.key = gf(this.key); this.tHi = g32(this.tHi); this.tLo = g32(this.tLo); this.blk = gi(this.blk);
    this.off = gi(this.off); this.fOff = gf(this.fOff); this.dOff = gf(this.dOff);
  }

  /** Queue entry i before j (strictly) by time. */
  private before(i: number, j: number): boolean {
    const key = this.key;
    if (key[i] !== key[j]) return key[i] < key[j];
    const tHi = this.tHi;
    return tHi[i] < tHi[j] || (tHi[i] === tHi[j] && this.tLo[i] < this.tLo[j]);
  }

  /** The queue index of the earliest record within the flush limit (taken off its run), or -1. */
  private popMin(): number {
    const heads = this.heads, ends = this.ends, n = this.nRuns;
    let best = -1;
    for (let r = 0; r < n; r++) {
      const h = heads[r];
      if (h < ends[r] && (best < 0 || this.before(h, heads[best]))) best = r;
    }
    if (best < 0) return -1;
    const i = heads[best];
    if (!this.all) {
      const k = this.key[i], lk = this.limKey;
      if (k > lk) return -1;
      if (k === lk) {
        const hi = this.tHi[i];
        if (hi > this.limHi || (hi === this.limHi && this.tLo[i] > this.limLo)) return -1;
      }
    }
    heads[best] = i + 1;
    return i;
  }

  /** After a flush: what is left of each run moves to the front, runs in order. */
  private compact(): void {
    const heads = this.heads, ends = this.ends;
    let w = 0, k = 0;
    for (let r = 0; r < this.nRuns; r++) {
      const h = heads[r], n = ends[r] - h;
      if (n <= 0) continue;
      if (h !== w) {
        this.key.copyWithin(w, h, h + n); this.tHi.copyWithin(w, h, h + n); this.tLo.copyWithin(w, h, h + n);
        this.blk.copyWithin(w, h, h + n); this.off.copyWithin(w, h, h + n); this.fOff.copyWithin(w, h, h + n);
        this.dOff.copyWithin(w, h, h + n);
      }
      heads[k] = w; ends[k] = w + n; k++;
      w += n;
    }
    this.nRuns = k;
    this.len = w;
  }

  /**
   * Too many runs to merge by their heads (records in no order): the queue sorted into one run by
   * (time, position); positions are in arrival order.
   */
  private sortAll(): void {
    const len = this.len;
    const order = Array.from({ length: len }, (_, i) => i).sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : a - b));
    const perm = <T extends Float64Array | Uint32Array | Int32Array>(a: T): void => {
      const c = a.slice(0, len) as T;
      for (let i = 0; i < len; i++) a[i] = c[order[i]];
    };
    perm(this.key); perm(this.tHi); perm(this.tLo); perm(this.blk); perm(this.off); perm(this.fOff); perm(this.dOff);
    this.nRuns = len > 0 ? 1 : 0;
    this.heads[0] = 0; this.ends[0] = len;
  }

  /** Queues `rec` at time this.t (read here, not passed: a u32 argument above 2^30 would be boxed). */
  private queue(rec: PerfRecord): void {
    const hi = this.t[0], lo = this.t[1];
    // Copy into the arena (8-byte aligned, so that views of u64 fields stay aligned).
    const buf = rec.buf, pos = rec.pos ?? 0, size = rec.size;
    const room = (size + 7) & ~7;
    const blocks = this.blocks;
    if (this.curPos + room > this.blockSize) {
      this.flushSpan();
      const cur = this.cur;
      if (cur >= 0 && this.live[cur] === 0 && cur !== this.held) this.free.push(cur);
      let next: number;
      if (this.free.length) next = this.free.pop()!;
      else { next = blocks.length; blocks.push(new Uint8Array(Math.max(this.blockSize, room))); this.live.push(0); }
      if (blocks[next].byteLength < room) blocks[next] = new Uint8Array(room);
      this.cur = next;
      this.curPos = 0;
    }
    const cur = this.cur, curPos = this.curPos;
    if (this.spans && buf !== undefined && room === size) {
      if (this.spanSrc === buf && this.spanTo === pos && this.spanBlk === cur && this.spanOff + (this.spanTo - this.spanFrom) === curPos) this.spanTo += size;
      else { this.flushSpan(); this.spanSrc = buf; this.spanFrom = pos; this.spanTo = pos + size; this.spanBlk = cur; this.spanOff = curPos; }
    } else blocks[cur].set(buf ? buf.subarray(pos, pos + size) : rec.bytes, curPos);
    let len = this.len;
    if (len === this.cap) this.grow();
    this.key[len] = hi * 4294967296 + lo; this.tHi[len] = hi; this.tLo[len] = lo; this.blk[len] = cur; this.off[len] = curPos;
    this.fOff[len] = rec.fileOffset; this.dOff[len] = rec.decompressedOffset ?? -1;
    this.live[cur]++;
    this.curPos = curPos + room;
    const n = this.nRuns;
    if (n > 0 && this.ends[n - 1] === len && !this.before(len, len - 1)) this.ends[n - 1] = len + 1;
    else {
      if (n === this.heads.length) {
        const h = new Int32Array(n * 2), e = new Int32Array(n * 2);
        h.set(this.heads); e.set(this.ends); this.heads = h; this.ends = e;
      }
      this.heads[n] = len; this.ends[n] = len + 1; this.nRuns = n + 1;
    }
    this.len = ++len;
    if (this.nRuns > MAX_MERGE_RUNS) this.sortAll();
    if (hi > this.maxHi || (hi === this.maxHi && lo > this.maxLo)) { this.maxHi = hi; this.maxLo = lo; }
  }

  pull(): PerfRecord | null {
    const held = this.held;
    if (held >= 0) {
      if (--this.live[held] === 0 && held !== this.cur) this.free.push(held);
      this.held = -1;
    }
    for (;;) {
      if (this.flushing) {
        const i = this.popMin();
        if (i >= 0) {
          const b = (this.held = this.blk[i]);
          const bytes = this.blocks[b], o = this.off[i], le = this.le;
          const size = le ? bytes[o + 6] | (bytes[o + 7] << 8) : (bytes[o + 6] << 8) | bytes[o + 7];
          const d = this.dOff[i];
          return this.out.set(bytes, o, size, le, this.fOff[i], d < 0 ? undefined : d);
        }
        this.flushing = false;
        this.compact();
      }
      if (this.done) return null;
      const rec = this.next();
      if (!rec) {
        this.done = true;
        this.flushing = this.all = true;
        this.flushSpan();
        continue;
      }
      const type = rec.type;
      if (type >= 64) {
        if (type === RecordType.FINISHED_ROUND) {
          // deliver the round record, then what is queued up to the flush point, which moves on
          this.flushing = true;
          this.flushSpan();
          this.limHi = this.nextHi; this.limLo = this.nextLo; this.limKey = this.nextKey;
          this.nextHi = this.maxHi; this.nextLo = this.maxLo; this.nextKey = this.maxHi * 4294967296 + this.maxLo;
        }
        return rec;
      }
      const buf = rec.buf, t = this.t;
      const timed = buf ? recordTimeAt(this.events, type, buf, rec.pos!, rec.size, t) : recordTime(this.events, rec, t);
      if (!timed || (t[0] === 0 && t[1] === 0) || (t[0] === 0xffffffff && t[1] === 0xffffffff)) return rec;
      this.queue(rec);
    }
  }
}

/** A pull function over records (null at the end), with the hook a span-copying puller needs. */
export interface RecordPuller { (): PerfRecord | null; beforeRefill: () => void }
