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
