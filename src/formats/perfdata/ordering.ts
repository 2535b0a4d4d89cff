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
  const blocks: Uint8Array[] = [];
  const live: number[] = [];
  const free: number[] = [];
  let cur = -1, curPos = blockSize;
  let cap = 1024, len = 0;
  // time as a double (exact below 2^53 ns; compared first), its exact halves for ties of the doubles
  let key = new Float64Array(cap), tHi = new Uint32Array(cap), tLo = new Uint32Array(cap);
  let blk = new Int32Array(cap), off = new Int32Array(cap), fOff = new Float64Array(cap), dOff = new Float64Array(cap);
  /** Ascending runs of the queue, in arrival order: [heads[r], ends[r]). */
  let heads = new Int32Array(16), ends = new Int32Array(16);
  let nRuns = 0;
  let maxHi = 0, maxLo = 0, nextHi = 0, nextLo = 0, nextKey = 0;
  /** While flushing: deliver queued records up to (limHi, limLo) (all of them at the end). */
  let flushing = false, all = false, limHi = 0, limLo = 0, limKey = 0;
  let done = false;
  /** The arena block of the record handed out last (released when the next one is asked for). */
  let held = -1;
  const t = new Uint32Array(2);
  const le = events.littleEndian;
  const out = new WindowRecord();
  /** The span of the source buffer [spanFrom, spanTo) still to be copied to blocks[spanBlk] at spanOff. */
  let spanSrc: Uint8Array | undefined, spanFrom = 0, spanTo = 0, spanBlk = -1, spanOff = 0;
  const flushSpan = (): void => {
    if (spanSrc === undefined) return;
    blocks[spanBlk].set(spanSrc.subarray(spanFrom, spanTo), spanOff);
    spanSrc = undefined;
  };

  const grow = (): void => {
    cap *= 2;
    const g32 = (a: Uint32Array) => { const b = new Uint32Array(cap); b.set(a); return b; };
    const gi = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    const gf = (a: Float64Array) => { const b = new Float64Array(cap); b.set(a); return b; };
    key = gf(key); tHi = g32(tHi); tLo = g32(tLo); blk = gi(blk); off = gi(off); fOff = gf(fOff); dOff = gf(dOff);
  };
  /** Queue entry i before j (strictly) by time. */
  const before = (i: number, j: number): boolean =>
    key[i] < key[j] || (key[i] === key[j] && (tHi[i] < tHi[j] || (tHi[i] === tHi[j] && tLo[i] < tLo[j])));
  /** The queue index of the earliest record within the flush limit (taken off its run), or -1. */
  const popMin = (): number => {
    let best = -1;
    for (let r = 0; r < nRuns; r++) {
      const h = heads[r];
      if (h < ends[r] && (best < 0 || before(h, heads[best]))) best = r;
    }
    if (best < 0) return -1;
    const i = heads[best];
    if (!all && !(key[i] < limKey || (key[i] === limKey && (tHi[i] < limHi || (tHi[i] === limHi && tLo[i] <= limLo))))) return -1;
    heads[best] = i + 1;
    return i;
  };
  /** After a flush: what is left of each run moves to the front, runs in order. */
  const compact = (): void => {
    let w = 0, k = 0;
    for (let r = 0; r < nRuns; r++) {
      const h = heads[r], n = ends[r] - h;
      if (n <= 0) continue;
      if (h !== w) {
        key.copyWithin(w, h, h + n); tHi.copyWithin(w, h, h + n); tLo.copyWithin(w, h, h + n); blk.copyWithin(w, h, h + n);
        off.copyWithin(w, h, h + n); fOff.copyWithin(w, h, h + n); dOff.copyWithin(w, h, h + n);
      }
      heads[k] = w; ends[k] = w + n; k++;
      w += n;
    }
    nRuns = k;
    len = w;
  };
  /**
   * Too many runs to merge by their heads (records in no order): the queue sorted into one run by
   * (time, position); positions are in arrival order.
   */
  const sortAll = (): void => {
    const idx = new Int32Array(len);
    for (let i = 0; i < len; i++) idx[i] = i;
    const order = Array.from(idx).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : a - b));
    const perm = <T extends Float64Array | Uint32Array | Int32Array>(a: T): T => {
      const c = a.slice(0, len) as T;
      for (let i = 0; i < len; i++) a[i] = c[order[i]];
      return a;
    };
    perm(key); perm(tHi); perm(tLo); perm(blk); perm(off); perm(fOff); perm(dOff);
    nRuns = len > 0 ? 1 : 0;
    heads[0] = 0; ends[0] = len;
  };
  const queue = (rec: PerfRecord, hi: number, lo: number): void => {
    // Copy into the arena (8-byte aligned, so that views of u64 fields stay aligned).
    const buf = rec.buf, pos = rec.pos ?? 0, size = rec.size;
    const room = (size + 7) & ~7;
    if (curPos + room > blockSize) {
      flushSpan();
      if (cur >= 0 && live[cur] === 0 && cur !== held) free.push(cur);
      if (free.length) cur = free.pop()!;
      else { cur = blocks.length; blocks.push(new Uint8Array(Math.max(blockSize, room))); live.push(0); }
      curPos = 0;
      if (blocks[cur].byteLength < room) blocks[cur] = new Uint8Array(room);
    }
    if (spans && buf !== undefined && room === size) {
      if (spanSrc === buf && spanTo === pos && spanBlk === cur && spanOff + (spanTo - spanFrom) === curPos) spanTo += size;
      else { flushSpan(); spanSrc = buf; spanFrom = pos; spanTo = pos + size; spanBlk = cur; spanOff = curPos; }
    } else blocks[cur].set(buf ? buf.subarray(pos, pos + size) : rec.bytes, curPos);
    if (len === cap) grow();
    key[len] = hi * 4294967296 + lo; tHi[len] = hi; tLo[len] = lo; blk[len] = cur; off[len] = curPos;
    fOff[len] = rec.fileOffset; dOff[len] = rec.decompressedOffset ?? -1;
    live[cur]++;
    curPos += room;
    if (nRuns > 0 && ends[nRuns - 1] === len && !before(len, len - 1)) ends[nRuns - 1] = len + 1;
    else {
      if (nRuns === heads.length) {
        const h = new Int32Array(nRuns * 2), e = new Int32Array(nRuns * 2);
        h.set(heads); e.set(ends); heads = h; ends = e;
      }
      heads[nRuns] = len; ends[nRuns] = len + 1; nRuns++;
    }
    len++;
    if (nRuns > MAX_MERGE_RUNS) sortAll();
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) { maxHi = hi; maxLo = lo; }
  };

  const pull = (): PerfRecord | null => {
    if (held >= 0) {
      if (--live[held] === 0 && held !== cur) free.push(held);
      held = -1;
    }
    for (;;) {
      if (flushing) {
        const i = popMin();
        if (i >= 0) {
          held = blk[i];
          const bytes = blocks[held], o = off[i];
          const size = le ? bytes[o + 6] | (bytes[o + 7] << 8) : (bytes[o + 6] << 8) | bytes[o + 7];
          return out.set(bytes, o, size, le, fOff[i], dOff[i] < 0 ? undefined : dOff[i]);
        }
        flushing = false;
        compact();
      }
      if (done) return null;
      const rec = next();
      if (!rec) {
        done = true;
        flushing = all = true;
        flushSpan();
        continue;
      }
      const type = rec.type;
      if (type >= 64) {
        if (type === RecordType.FINISHED_ROUND) {
          // deliver the round record, then what is queued up to the flush point, which moves on
          flushing = true;
          flushSpan();
          limHi = nextHi; limLo = nextLo; limKey = nextKey;
          nextHi = maxHi; nextLo = maxLo; nextKey = maxHi * 4294967296 + maxLo;
        }
        return rec;
      }
      const buf = rec.buf;
      const timed = buf ? recordTimeAt(events, type, buf, rec.pos!, rec.size, t) : recordTime(events, rec, t);
      if (!timed || (t[0] === 0 && t[1] === 0) || (t[0] === 0xffffffff && t[1] === 0xffffffff)) return rec;
      queue(rec, t[0], t[1]);
    }
  };
  return Object.assign(pull, { beforeRefill: flushSpan });
}

/** A pull function over records (null at the end), with the hook a span-copying puller needs. */
export interface RecordPuller { (): PerfRecord | null; beforeRefill: () => void }
