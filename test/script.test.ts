// kscope script against Linux perf 6.1's perf script on the standard recordings: the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileWorkload, perfRecording, perfSkipReason, pidsAvoiding, runKscope, runPerf, standardRecordings } from './helpers/fixtures.js';
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
  // only processes that never ran in the node binary (perf's addr2line over it takes minutes)
  compare('system', ['-F', '+srcline', '--pid', pidsAvoiding(standardRecordings().system, /(^|\/)node$|libnode\.so/)]);
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
