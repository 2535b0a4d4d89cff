// kscope script against Linux perf 6.1's perf script on the standard recordings: the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileWorkload, perfRecording, perfSkipReason, recordingAvoiding, UNSTABLE_SRCLINE_DSOS, runKscope, runPerf, standardRecordings } from './helpers/fixtures.js';
import { parseFieldSpec } from '../src/export/perf-script.js';

const skip = perfSkipReason();

function compare(name: string, extra: string[] = [], minRatio = 0.995, path = standardRecordings()[name]): string {
  const p = runPerf(['script', '-i', path, ...extra]);
  assert.equal(p.status, 0, p.stderr);
  const k = runKscope(['script', '-i', path, ...extra]);
  assert.equal(k.status, 0, k.stderr);
  const pl = p.stdout.split('\n'), kl = k.stdout.split('\n');
  const bad: string[] = [];
  const n = Math.max(pl.length, kl.length);
  for (let i = 0; i < n; i++) if (pl[i] !== kl[i]) bad.push(`line ${i + 1}\n  perf: ${JSON.stringify(pl[i])}\n  ours: ${JSON.stringify(kl[i])}`);
  const ratio = 1 - bad.length / pl.length;
  assert.ok(pl.length > 10, `perf printed ${pl.length} lines`);
  assert.ok(ratio >= minRatio, `${name}: ${bad.length}/${pl.length} lines differ:\n${bad.slice(0, 30).join('\n')}`);
  return p.stdout;
}

for (const name of ['tracepoints', 'fp', 'dwarf', 'pipe', 'zstd', 'system', 'node']) {
  test(`kscope script prints perf script's lines: ${name}`, { skip }, () => { compare(name); });
}

test('inline frames: DWARF-unwound frames become their inline chains, frame-pointer chains stay', { skip }, () => {
  // outer → middle → inner, the last two always inlined (test/workloads/script-inline.c)
  const bin = compileWorkload('script-inline.c', ['-O2', '-g', '-fno-omit-frame-pointer']);
  const dwarf = perfRecording('script-inline-dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', bin, '300']);
  const fp = perfRecording('script-inline-fp', ['record', '-g', '-F', '1000', '--', bin, '300']);
  const d = compare('inline-dwarf', [], 0.995, dwarf);
  assert.match(d, /\binner\+0x[0-9a-f]+ \(inlined\)\n.*\bmiddle\+0x[0-9a-f]+ \(inlined\)\n.*\bouter\+0x[0-9a-f]+ \(/, 'perf printed inline chains');
  const f = compare('inline-fp', [], 0.995, fp);
  assert.doesNotMatch(f, /\(inlined\)/);
  compare('inline-dwarf -F', ['-F', 'comm,ip,sym'], 0.995, dwarf);
});

test('-F +srcline prints each frame\'s file:line as perf does (inline entries their own call sites)', { skip }, () => {
  compare('fp', ['-F', '+srcline']);
  compare('dwarf', ['-F', '+srcline']);
  // a copy without the processes that ran where perf's srclines are slow or unstable (see report.test.ts)
  compare('system', ['-F', '+srcline'], 0.995, recordingAvoiding(standardRecordings().system, UNSTABLE_SRCLINE_DSOS));
  const bin = compileWorkload('script-inline.c', ['-O2', '-g', '-fno-omit-frame-pointer']);
  const dwarf = perfRecording('script-inline-dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', bin, '300']);
  const out = compare('inline-dwarf srcline', ['-F', '+srcline'], 0.995, dwarf);
  assert.match(out, /middle\+0x[0-9a-f]+\n  script-inline\.c:\d+ \(inlined\)\n/);
});

test('kscope script -F and --ns print the fields perf prints', { skip }, () => {
  compare('fp', ['-F', 'comm,pid,tid,time,period,ip,sym,dso']);
  compare('tracepoints', ['-F', 'comm,tid,time,event,trace', '--ns']);
  compare('pipe', ['-F', '-period']);
  compare('tracepoints', ['-F', '+pid,-cpu']);
});

test('a reader that goes away (| head) ends kscope script quietly with status 0', { skip }, () => {
  const bin = fileURLToPath(new URL('../../bin/kscope.js', import.meta.url));
  const path = standardRecordings().tracepoints;
  for (const extra of [['-D'], []]) {
    const cmd = `"${process.execPath}" "${bin}" script ${extra.join(' ')} -i "${path}" | head -1; echo "status=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
    assert.equal(r.stderr, '', `stderr of script ${extra.join(' ')}`);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.equal(lines[1], 'status=0');
  }
});

test('-F syntax: lists, +/- edits and per-type lists', () => {
  const m = parseFieldSpec('comm,tid');
  assert.equal(m.get('*')?.set, 1 | 2);
  const e = parseFieldSpec('-period,+pid');
  assert.equal(e.get('*')?.remove, 1024);
  assert.equal(e.get('*')?.add, 4);
  assert.equal(parseFieldSpec('trace:comm').get('trace')?.set, 1);
  assert.throws(() => parseFieldSpec('bogus'), /Invalid field/);
});

// perf 6.1's add_callchain_ip knows the contexts hv, kernel and user only: any other value at or
// above PERF_CONTEXT_MAX (a guest context, or a frame-pointer walk that read a small negative
// number as a return address, as in a system-wide recording's bash sample) discards the whole
// chain. Built record by record: chains with 0xffffffffffffffb8 and PERF_CONTEXT_GUEST in them.
test('script and report drop a call chain holding an unknown context value, as perf does', { skip }, async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { makeAttr, setFlag } = await import('../src/formats/perfdata/attr.js');
  const { Misc, PERF_CONTEXT_USER, PerfType, SampleType, RecordType } = await import('../src/formats/perfdata/constants.js');
  const { encodeComm, encodeHeaderOnly, encodeMmap2, encodeSample } = await import('../src/formats/perfdata/encode.js');
  const { PerfDataWriter } = await import('../src/formats/perfdata/writer.js');
  const { FileSink } = await import('../src/util/byte-sink.js');
  const attr = makeAttr({
    type: PerfType.SOFTWARE, config: 0n, samplePeriod: 1000n,
    sampleType: SampleType.IDENTIFIER | SampleType.IP | SampleType.TID | SampleType.TIME | SampleType.CPU | SampleType.PERIOD | SampleType.CALLCHAIN,
  });
  for (const f of ['disabled', 'mmap', 'comm', 'sample_id_all', 'mmap2', 'comm_exec', 'exclude_kernel'] as const) setFlag(attr, f);
  const bin = compileWorkload('burn.c');
  const BASE = 0x555555554000n, PID = 4343;
  const sid = (time: bigint) => ({ pid: PID, tid: PID, time, id: 9n, cpu: 0 });
  const records = [
    encodeComm({ sampleId: sid(1n), pid: PID, tid: PID, comm: 'ctxtest', exec: true }, attr),
    encodeMmap2({ sampleId: sid(2n), pid: PID, tid: PID, addr: BASE + 0x1000n, len: 0x1000n, pgoff: 0x1000n, maj: 8, min: 1, ino: 77n, prot: 5, flags: 2, filename: bin }, attr),
  ];
  const leaf = BASE + 0x11a9n + 4n, mid = BASE + 0x11f4n + 8n, top = BASE + 0x1226n + 0x40n;
  const chains = [
    [PERF_CONTEXT_USER, leaf, mid, top],
    [PERF_CONTEXT_USER, leaf, mid, 0xffffffffffffffb8n, 0n],
    [PERF_CONTEXT_USER, leaf, 0xfffffffffffff800n, mid, top],
    [PERF_CONTEXT_USER, leaf, mid, top, 0xfffffffffffff001n],
  ];
  chains.forEach((callchain, i) => records.push(encodeSample({ ...sid(1000n + BigInt(i)), ip: leaf, period: 1000n, callchain }, attr, Misc.USER)));
  const dir = mkdtempSync(join(tmpdir(), 'kscope-ctx-'));
  try {
    const file = join(dir, 'ctx.data');
    const sink = new FileSink(file);
    const w = new PerfDataWriter(sink, [{ attr, ids: [9n] }]);
    for (const r of records) w.writeRecord(r);
    w.writeRecord(encodeHeaderOnly(RecordType.FINISHED_ROUND));
    w.finish();
    sink.close();
    for (const args of [['script', '-F', 'comm,tid,time,ip,sym'], ['report', '--stdio', '--children', '-g', 'folded', '-s', 'sym']]) {
      const theirs = runPerf([...args, '-i', file]);
      assert.equal(theirs.status, 0, theirs.stderr);
      const mine = runKscope([...args, '-i', file]);
      assert.equal(mine.status, 0, mine.stderr);
      const strip = (t: string) => t.replace(/^#\n# \(Tip:.*\n#\n/gm, '');
      assert.equal(strip(mine.stdout), strip(theirs.stdout), args.join(' '));
    }
    // the first sample keeps its chain, the other three print none
    const sc = runPerf(['script', '-F', 'comm,tid,time,ip,sym', '-i', file]).stdout.trim().split(/\n\s*\n/);
    assert.equal(sc.length, 4);
    assert.deepEqual(sc.map((b) => b.trim().split('\n').length), [4, 1, 1, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
