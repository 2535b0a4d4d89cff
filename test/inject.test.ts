// `kscope inject` against Linux perf: for every standard recording, perf script (perf stat report
// for stat recordings) prints exactly the same on kscope inject's output as on the original, and
// perf report --stats counts the same records with no warnings (the compressed containers and the
// pipe-mode header records become header sections, so they are left out of the comparison).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWorkload, perfRecording, perfSkipReason, repoRoot, runPerf, standardRecordings } from './helpers/fixtures.js';

const skip = perfSkipReason();
const recordings = skip ? {} : standardRecordings();
const dir = mkdtempSync(join(tmpdir(), 'kscope-inject-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Runs kscope with binary stdin/stdout. */
function kscope(args: string[], input?: Buffer): { stdout: Buffer; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/kscope.js'), ...args], { input, maxBuffer: 1 << 30 });
  return { stdout: r.stdout, stderr: r.stderr.toString(), status: r.status ?? -1 };
}

/** Record types whose count legitimately changes: containers and pipe-mode header records. */
const HEADER_ONLY = new Set(['COMPRESSED', 'COMPRESSED2', 'ATTR', 'FEATURE', 'TRACING_DATA', 'BUILD_ID', 'EVENT_TYPE', 'TOTAL']);

function reportStats(file: string): { counts: Map<string, number>; total: number; stderr: string } {
  const r = runPerf(['report', '--stats', '-i', file]);
  assert.equal(r.status, 0, `perf report --stats -i ${file}: ${r.stderr}`);
  const counts = new Map<string, number>();
  let total = -1;
  let section = '';
  for (const line of r.stdout.split('\n')) {
    if (/^\S.*stats:$/.test(line.trim()) && !line.startsWith(' ')) section = line.trim();
    const m = /^\s*(\S+) events:\s+(\d+)/.exec(line);
    if (!m) continue;
    if (m[1] === 'TOTAL' && section === 'Aggregated stats:') total = Number(m[2]);
    if (!HEADER_ONLY.has(m[1])) counts.set(`${section} ${m[1]}`, Number(m[2]));
  }
  return { counts, total, stderr: r.stderr };
}

for (const name of ['fp', 'dwarf', 'tracepoints', 'pipe', 'zstd', 'system', 'node', 'stat']) {
  test(`kscope inject -i ${name} -o OUT: perf sees the same recording`, { skip }, () => {
    const input = recordings[name];
    const out = join(dir, `${name}.data`);
    const k = kscope(['inject', '-i', input, '-o', out]);
    assert.equal(k.status, 0, k.stderr);
    assert.equal(k.stderr, '');

    const a = runPerf(['script', '-i', input]);
    const b = runPerf(['script', '-i', out]);
    assert.equal(b.status, a.status, b.stderr);
    assert.ok(a.stdout === b.stdout, `perf script differs for ${name}`);
    if (name === 'stat') {
      const sa = runPerf(['stat', 'report', '-i', input]);
      const sb = runPerf(['stat', 'report', '-i', out]);
      assert.equal(sb.status, 0, sb.stderr);
      // the outputs go to stderr, as perf stat prints its counters there
      assert.equal(sb.stdout + sb.stderr, sa.stdout + sa.stderr);
      assert.match(sb.stdout + sb.stderr, /task-clock/);
    } else {
      assert.ok(a.stdout.split('\n').length > 50, `perf script shows samples of ${name}`);
    }

    const ra = reportStats(input);
    const rb = reportStats(out);
    assert.doesNotMatch(rb.stderr, /warn|error|invalid|fail/i, rb.stderr);
    assert.deepEqual(rb.counts, ra.counts);
    const sum = [...rb.counts].filter(([k]) => k.startsWith('Aggregated')).reduce((s, [, v]) => s + v, 0);
    assert.equal(rb.total, sum, 'no header-only records left in the output data');
  });
}

test('kscope inject -o - writes pipe mode that perf script reads the same as the original', { skip }, () => {
  for (const name of ['fp', 'zstd', 'tracepoints']) {
    const input = recordings[name];
    const k = kscope(['inject', '-i', input, '-o', '-']);
    assert.equal(k.status, 0, k.stderr);
    assert.equal(k.stdout.subarray(0, 16).toString('hex'), Buffer.from('PERFILE2').toString('hex') + '1000000000000000');
    const b = runPerf(['script', '-i', '-'], k.stdout);
    assert.equal(b.status, 0, b.stderr);
    assert.ok(b.stdout === runPerf(['script', '-i', input]).stdout, `perf script differs for ${name} through pipe mode`);
  }
});

test('kscope inject reads pipe mode from stdin', { skip }, () => {
  const input = readFileSync(recordings.pipe);
  const out = join(dir, 'stdin.data');
  const k = kscope(['inject', '-o', out], input);
  assert.equal(k.status, 0, k.stderr);
  assert.equal(readFileSync(out).subarray(0, 16).readBigUInt64LE(8), 104n, 'file mode output');
  assert.ok(runPerf(['script', '-i', out]).stdout === runPerf(['script', '-i', recordings.pipe]).stdout);
  // stdin → stdout stays pipe mode
  const p = kscope(['inject'], input);
  assert.equal(p.status, 0, p.stderr);
  assert.ok(runPerf(['script', '-i', '-'], p.stdout).stdout === runPerf(['script', '-i', recordings.pipe]).stdout);
});

test('pipe → file → pipe gives back perf record -o - byte for byte (tracing data included)', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const pipeFile = perfRecording('tp-pipe', ['record', '-e', 'sched:sched_switch', '-e', 'syscalls:sys_enter_write', '--', burn, '50'], { pipe: true });
  const file = join(dir, 'tp.data');
  assert.equal(kscope(['inject', '-i', pipeFile, '-o', file]).status, 0);
  const hdr = runPerf(['report', '--header-only', '-i', file]);
  assert.match(hdr.stdout, /sched:sched_switch/);
  const again = kscope(['inject', '-i', file, '-o', '-']);
  assert.equal(again.status, 0, again.stderr);
  assert.ok(again.stdout.equals(readFileSync(pipeFile)), 'pipe output equals the original pipe recording');
  const sa = runPerf(['script', '-i', pipeFile]);
  const sb = runPerf(['script', '-i', file]);
  assert.match(sb.stdout, /sched:sched_switch: prev_comm=/);
  assert.ok(sa.stdout === sb.stdout);
});

test('kscope inject refuses bad input with a FormatError and no crash', () => {
  const bad = join(dir, 'bad.data');
  writeFileSync(bad, Buffer.from('NOTPERF!0123456789abcdef'));
  const k = kscope(['inject', '-i', bad, '-o', join(dir, 'bad.out')]);
  assert.equal(k.status, 1);
  assert.match(k.stderr, /^kscope: .*bad\.data: at offset 0 .*expected the perf\.data magic/);
});

test('kscope inject repairs a recording killed before its header was finished (data.size 0)', { skip }, () => {
  // perf record killed hard leaves data.size 0 and no feature sections; perf script fails on it.
  const b = Buffer.from(readFileSync(recordings.fp));
  const dataOffset = Number(b.readBigUInt64LE(40));
  const dataSize = Number(b.readBigUInt64LE(48));
  const killed = Buffer.from(b.subarray(0, dataOffset + dataSize));
  killed.writeBigUInt64LE(0n, 48);
  killed.fill(0, 72, 104);
  const inFile = join(dir, 'killed.data');
  writeFileSync(inFile, killed);
  const out = join(dir, 'killed.out');
  const k = kscope(['inject', '-i', inFile, '-o', out]);
  assert.equal(k.status, 0, k.stderr);
  assert.equal(readFileSync(out).readBigUInt64LE(48), BigInt(dataSize), 'data.size restored');
  const fixed = runPerf(['script', '-F', 'comm,pid,tid,time,ip,sym', '-i', out]);
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.ok(fixed.stdout === runPerf(['script', '-F', 'comm,pid,tid,time,ip,sym', '-i', recordings.fp]).stdout);
});
