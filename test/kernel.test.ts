// kernel/: perf_event_open, the ring buffer, poll on a worker thread, errno hints, /proc readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { makeAttr, setFlag } from '../src/formats/perfdata/attr.js';
import { SampleType, RecordType, PerfType } from '../src/formats/perfdata/constants.js';
import { perfEventOpen, perfEnable, perfDisable, perfEventId, closeFd, perfOpenError, Errno } from '../src/kernel/perf-event.js';
import { RingBuffer, forEachRecord } from '../src/kernel/ring-buffer.js';
import { pollAsync } from '../src/kernel/poll.js';
import { readThreads, readMaps, readComm, readStatus, readOnlineCpus, parseCpuList, readKallsymsAddresses } from '../src/kernel/procfs.js';
import { tracepointId } from '../src/kernel/tracefs.js';
import { parseProcMaps } from '../src/formats/proc-maps.js';
import { decodeSample } from '../src/formats/perfdata/sample.js';
import { FormatError, KscopeError } from '../src/util/errors.js';
import { existsSync, readFileSync } from 'node:fs';

/** Spins until this process has used `ms` of CPU (task-clock counts CPU time: a loaded machine stretches wall time), at most 20 s. */
function burn(ms: number): number {
  let x = 0;
  const start = process.cpuUsage(), t = Date.now();
  const used = () => { const u = process.cpuUsage(start); return (u.user + u.system) / 1000; };
  while (used() < ms && Date.now() - t < 20000) for (let i = 0; i < 1000; i++) x += Math.sqrt(i);
  return x;
}

test('task-clock samples of this process arrive in the ring buffer with our pid and tid', () => {
  const attr = makeAttr({ type: PerfType.SOFTWARE, config: 1n, samplePeriod: 1000n, sampleType: SampleType.IP | SampleType.TID | SampleType.TIME | SampleType.ID });
  setFlag(attr, 'disabled'); setFlag(attr, 'freq'); setFlag(attr, 'sample_id_all');
  const fd = perfEventOpen(attr, { pid: 0, cpu: -1 }, 'task-clock');
  const rb = new RingBuffer(fd, 8);
  try {
    const id = perfEventId(fd);
    assert.ok(id > 0n);
    perfEnable(fd);
    burn(150);
    perfDisable(fd);
    const bytes = rb.drain();
    let samples = 0;
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    forEachRecord(bytes, (off, size, type) => {
      if (type !== RecordType.SAMPLE) return;
      samples++;
      assert.equal(size, 8 + 8 + 8 + 8 + 8);
      assert.equal(v.getUint32(off + 16, true), process.pid);
      assert.equal(v.getBigUint64(off + 32, true), id);
    });
    assert.ok(samples >= 20, `expected ~150 samples at 1 kHz, got ${samples}`);
    assert.equal(rb.drain().length, 0);
  } finally {
    rb.close();
    closeFd(fd);
  }
});

test('the ring buffer hands out whole records across wrap-around', () => {
  // 1 data page and many drains: the head passes the end of the area many times.
  const attr = makeAttr({ type: PerfType.SOFTWARE, config: 1n, samplePeriod: 200000n, sampleType: SampleType.IP | SampleType.TID | SampleType.TIME | SampleType.CALLCHAIN });
  setFlag(attr, 'disabled');
  const fd = perfEventOpen(attr, { pid: 0, cpu: -1 }, 'task-clock');
  const rb = new RingBuffer(fd, 1);
  let total = 0, samples = 0;
  try {
    perfEnable(fd);
    for (let round = 0; round < 40; round++) {
      burn(5);
      const bytes = rb.drain();
      total += bytes.length;
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      forEachRecord(bytes, (off, size, type) => {
        if (type !== RecordType.SAMPLE) return;
        samples++;
        const nr = Number(v.getBigUint64(off + 32, true));
        assert.equal(size, 8 + 8 + 8 + 8 + 8 + nr * 8, 'callchain length matches the record size');
        // the perf.data decoder takes the live bytes as they are (one decoder for live and file data)
        const sm = decodeSample({ fileOffset: off, bytes: bytes.subarray(off, off + size) }, { index: 0, attr, ids: [] }, '<ring buffer>');
        assert.equal(sm.pid, process.pid);
        assert.equal(sm.callchainNr, nr);
      });
    }
    perfDisable(fd);
  } finally {
    rb.close();
    closeFd(fd);
  }
  assert.ok(total > 4096, `wrapped at least once (${total} bytes through a 4096-byte area)`);
  assert.ok(samples > 50);
});

test('poll runs on a worker thread: timers fire while it waits, and it wakes when data arrives', async () => {
  const attr = makeAttr({ type: PerfType.SOFTWARE, config: 1n, samplePeriod: 100000n, sampleType: SampleType.IP | SampleType.TID, wakeupEvents: 1 });
  // A sleeping task produces no samples: poll waits out its timeout while the event loop runs.
  const sleeper = spawn('sleep', ['5']);
  const busy = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 3000000 ]; do i=$((i+1)); done']);
  const fdIdle = perfEventOpen(attr, { pid: sleeper.pid!, cpu: -1 }, 'task-clock');
  const rbIdle = new RingBuffer(fdIdle, 2);
  const fdBusy = perfEventOpen(attr, { pid: busy.pid!, cpu: -1 }, 'task-clock');
  const rbBusy = new RingBuffer(fdBusy, 2);
  let ticks = 0;
  const iv = setInterval(() => ticks++, 10);
  try {
    await new Promise((r) => setTimeout(r, 50));
    rbIdle.drain();
    await pollAsync([fdIdle], 0); // clears a wake-up left from the task's start
    const idle = await pollAsync([fdIdle], 300);
    assert.equal(idle.ready, 0);
    assert.ok(ticks >= 10, `event loop ran during poll (${ticks} ticks)`);
    const r = await pollAsync([fdBusy], 5000);
    assert.equal(r.ready, 1);
    assert.ok(rbBusy.drain().length > 0);
  } finally {
    clearInterval(iv);
    sleeper.kill();
    busy.kill();
    rbIdle.close(); rbBusy.close();
    closeFd(fdIdle); closeFd(fdBusy);
  }
});

test('hardware events fail with a hint (no PMU here) or open; errno hints name the fix', () => {
  const attr = makeAttr({ type: PerfType.HARDWARE, config: 0n, samplePeriod: 4000n });
  setFlag(attr, 'freq'); setFlag(attr, 'disabled');
  try {
    closeFd(perfEventOpen(attr, { pid: 0, cpu: -1 }, 'cycles'));
  } catch (err) {
    assert.ok(err instanceof KscopeError);
    assert.ok([Errno.ENOENT, Errno.EOPNOTSUPP, Errno.ENODEV].includes(err.errno as 2), `errno ${err.errno}`);
    assert.match(err.hint ?? '', /cpu-clock/);
  }
  assert.match(perfOpenError(Errno.EACCES, 'cycles', { pid: 1, cpu: -1 }).hint!, /perf_event_paranoid is -?\d+.*CAP_PERFMON/);
  assert.match(perfOpenError(Errno.EMFILE, 'cycles', { pid: 1, cpu: -1 }).hint!, /ulimit -n/);
  assert.throws(() => perfEventOpen(makeAttr({ type: PerfType.SOFTWARE, config: 0n }), { pid: 0x3fffffff, cpu: -1 }, 'cpu-clock'), /ESRCH/);
});

test('/proc and /sys readers', () => {
  assert.deepEqual(readThreads(process.pid)[0], process.pid);
  const st = readStatus(process.pid);
  assert.equal(st.tgid, process.pid);
  assert.equal(st.ppid, process.ppid);
  assert.equal(readComm(process.pid), readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim());
  const maps = readMaps(process.pid);
  assert.ok(maps.some((m) => m.perms.includes('x') && m.path === process.execPath));
  assert.deepEqual(parseCpuList('0-2,5,7-8'), [0, 1, 2, 5, 7, 8]);
  assert.ok(readOnlineCpus().length >= 1);
  const k = readKallsymsAddresses(['_text', '_etext']);
  assert.ok(k.get('_text')! < k.get('_etext')!);
  if (existsSync('/sys/kernel/tracing/events/sched/sched_switch/id')) {
    assert.equal(tracepointId('sched', 'sched_switch'), Number(readFileSync('/sys/kernel/tracing/events/sched/sched_switch/id', 'utf8')));
  }
  assert.throws(() => tracepointId('sched', 'no_such_event'), /does not exist/);
});

test('proc maps parser: paths with spaces, anonymous maps, bad lines', () => {
  const m = parseProcMaps('7f00-7f10 r-xp 00001000 fe:01 1234                       /tmp/a b (deleted)\n7f10-7f20 rw-p 00000000 00:00 0 \n');
  assert.equal(m.length, 2);
  assert.equal(m[0].path, '/tmp/a b (deleted)');
  assert.equal(m[0].pgoff, 0x1000n);
  assert.equal(m[0].minor, 1);
  assert.equal(m[1].path, '');
  assert.throws(() => parseProcMaps('ok\n'), FormatError);
});
