// perf's delivery order (tools/perf/util/ordered-events.c and session.c, perf 6.1).
//
// perf_session__process_event queues every kernel record (type < 64) by its timestamp; a record
// without one (no TIME in sample_type, or a non-sample record without sample_id_all: timestamp
// -1ULL), or with timestamp 0, makes ordered_events__queue return -ETIME and is delivered at once.
// User records (type >= 64) are processed at once, never queued. On PERF_RECORD_FINISHED_ROUND,
// perf flushes (OE_FLUSH__ROUND) every queued record with time <= next_flush and then sets
// next_flush to the largest timestamp queued so far; next_flush starts at 0. At the end of the
// input everything left is flushed (OE_FLUSH__FINAL). Records with equal time keep queue order.
import type { PerfRecord } from './stream.js';
import { RecordType } from './constants.js';
import { recordTime, type EventSet } from './sample.js';

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

/**
 * orderRecords for a consumer that is done with each record when it asks for the next one, over
 * `next` (records valid until the next call, e.g. from a reused read window): the same delivery
 * order, but a queued record's bytes are copied into 256 KiB arena blocks (reused once all their
 * records are delivered) and its time and place kept in typed columns, so no read chunk stays
 * alive for a queued record and no object is made per queued record. The records yielded (one
 * object, changed for each) and their bytes are valid until the next one is asked for.
 */
export function* orderRecordsTransient(next: () => PerfRecord | null, events: EventSet, blockSize = BLOCK): Generator<PerfRecord> {
  const blocks: Uint8Array[] = [];
  const live: number[] = [];
  const free: number[] = [];
  let cur = -1, curPos = blockSize;
  let cap = 1024, len = 0, seq = 0;
  let tHi = new Uint32Array(cap), tLo = new Uint32Array(cap), sq = new Float64Array(cap);
  let blk = new Int32Array(cap), off = new Int32Array(cap), fOff = new Float64Array(cap), dOff = new Float64Array(cap);
  let sorted = true;
  let maxHi = 0, maxLo = 0, nextHi = 0, nextLo = 0;
  const t = new Uint32Array(2);
  const le = events.littleEndian;
  const out: PerfRecord = { type: 0, misc: 0, size: 0, fileOffset: 0, bytes: new Uint8Array(0), decompressedOffset: undefined };

  const grow = (): void => {
    cap *= 2;
    const g32 = (a: Uint32Array) => { const b = new Uint32Array(cap); b.set(a); return b; };
    const gi = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    const gf = (a: Float64Array) => { const b = new Float64Array(cap); b.set(a); return b; };
    tHi = g32(tHi); tLo = g32(tLo); sq = gf(sq); blk = gi(blk); off = gi(off); fOff = gf(fOff); dOff = gf(dOff);
  };
  const release = (b: number): void => { if (--live[b] === 0 && b !== cur) free.push(b); };
  const deliver = (i: number): PerfRecord => {
    const bytes = blocks[blk[i]];
    const o = off[i];
    const size = le ? bytes[o + 6] | (bytes[o + 7] << 8) : (bytes[o + 6] << 8) | bytes[o + 7];
    out.type = le ? (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0 : ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
    out.misc = le ? bytes[o + 4] | (bytes[o + 5] << 8) : (bytes[o + 4] << 8) | bytes[o + 5];
    out.size = size;
    out.fileOffset = fOff[i];
    out.decompressedOffset = dOff[i] < 0 ? undefined : dOff[i];
    out.bytes = bytes.subarray(o, o + size);
    return out;
  };
  /** Sorts the queue by (time, arrival). */
  // sortQueue's scratch: the permuted columns are written here and swapped in (no arrays per round)
  let s32a = new Uint32Array(0), s32b = new Uint32Array(0), sfa = new Float64Array(0), sfb = new Float64Array(0), sfc = new Float64Array(0);
  let sia = new Int32Array(0), sib = new Int32Array(0), key = new Float64Array(0);
  const idx: number[] = [];
  const sortQueue = (): void => {
    if (key.length < cap) {
      key = new Float64Array(cap); s32a = new Uint32Array(cap); s32b = new Uint32Array(cap);
      sfa = new Float64Array(cap); sfb = new Float64Array(cap); sfc = new Float64Array(cap);
      sia = new Int32Array(cap); sib = new Int32Array(cap);
    }
    idx.length = len;
    let exact = true;
    for (let i = 0; i < len; i++) { idx[i] = i; if (tHi[i] >= 0x200000) exact = false; key[i] = tHi[i] * 4294967296 + tLo[i]; }
    // times below 2^53 ns (104 days) are exact doubles: one comparison of keys, then arrival
    if (exact) idx.sort((a, b) => key[a] - key[b] || sq[a] - sq[b]);
    else idx.sort((a, b) => tHi[a] - tHi[b] || tLo[a] - tLo[b] || sq[a] - sq[b]);
    for (let i = 0; i < len; i++) {
      const j = idx[i];
      s32a[i] = tHi[j]; s32b[i] = tLo[j]; sfa[i] = sq[j]; sia[i] = blk[j]; sib[i] = off[j]; sfb[i] = fOff[j]; sfc[i] = dOff[j];
    }
    [tHi, s32a] = [s32a, tHi]; [tLo, s32b] = [s32b, tLo]; [sq, sfa] = [sfa, sq]; [blk, sia] = [sia, blk];
    [off, sib] = [sib, off]; [fOff, sfb] = [sfb, fOff]; [dOff, sfc] = [sfc, dOff];
    sorted = true;
  };

  for (let rec = next(); rec; rec = next()) {
    if (rec.type >= 64) {
      yield rec;
      if (rec.type === RecordType.FINISHED_ROUND) {
        if (!sorted) sortQueue();
        let n = 0;
        while (n < len && (tHi[n] < nextHi || (tHi[n] === nextHi && tLo[n] <= nextLo))) n++;
        for (let i = 0; i < n; i++) { yield deliver(i); release(blk[i]); }
        if (n > 0) {
          for (const a of [tHi, tLo, sq, blk, off, fOff, dOff]) a.copyWithin(0, n, len);
          len -= n;
        }
        nextHi = maxHi; nextLo = maxLo;
      }
      continue;
    }
    if (!recordTime(events, rec, t) || (t[0] === 0 && t[1] === 0) || (t[0] === 0xffffffff && t[1] === 0xffffffff)) {
      yield rec;
      continue;
    }
    // Copy into the arena (8-byte aligned, so that views of u64 fields stay aligned).
    const size = rec.bytes.byteLength, room = (size + 7) & ~7;
    if (curPos + room > blockSize) {
      if (cur >= 0 && live[cur] === 0) free.push(cur);
      if (free.length) cur = free.pop()!;
      else { cur = blocks.length; blocks.push(new Uint8Array(Math.max(blockSize, room))); live.push(0); }
      curPos = 0;
    }
    blocks[cur].set(rec.bytes, curPos);
    if (len === cap) grow();
    const hi = t[0], lo = t[1];
    tHi[len] = hi; tLo[len] = lo; sq[len] = seq++; blk[len] = cur; off[len] = curPos;
    fOff[len] = rec.fileOffset; dOff[len] = rec.decompressedOffset ?? -1;
    live[cur]++;
    curPos += room;
    if (sorted && len > 0 && (tHi[len - 1] > hi || (tHi[len - 1] === hi && tLo[len - 1] > lo))) sorted = false;
    len++;
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) { maxHi = hi; maxLo = lo; }
  }
  if (!sorted) sortQueue();
  for (let i = 0; i < len; i++) { yield deliver(i); release(blk[i]); }
}
