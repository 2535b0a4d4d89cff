// Exporters (folded, pprof, speedscope) on synthetic profiles and on Linux perf recordings. The folded
// oracle is Linux's own tools/perf/scripts/python/stackcollapse.py run by perf on the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { FrameKind, StackProfileBuilder, profileTotals, stackFrames, type StackProfile } from '../src/analysis/stack-profile.js';
import { toFolded, foldStacks, type FoldedOptions } from '../src/export/folded.js';
import { toPprof, toPprofProfile } from '../src/export/pprof.js';
import { toSpeedscope, toSpeedscopeObject, type SpeedscopeFile } from '../src/export/speedscope.js';
import { perfSkipReason, runPerf, standardRecordings } from './helpers/fixtures.js';
import { parsePerfScriptStacks, PERF_SCRIPT_FIELDS } from './helpers/perf-script-stacks.js';

function synthetic(): StackProfile {
  const b = new StackProfileBuilder({ periodType: { type: 'cpu', unit: 'nanoseconds' }, eventName: 'cpu-clock' });
  const libc = { module: '/lib/libc.so.6', buildId: 'ABCDEF01' };
  b.addSample({ frames: [{ name: 'main', module: '/bin/app' }, { name: 'work', module: '/bin/app', file: 'app.c', line: 7 }], order: 'rootToLeaf', pid: 10, tid: 10, comm: 'my app', time: 1000, period: 250 });
  b.addSample({ frames: [{ name: 'write', ...libc }, { name: 'main', module: '/bin/app' }], pid: 10, tid: 10, comm: 'my app', time: 2000, period: 250 });
  b.addSample({ frames: [{ name: 'ksys_write', module: '[kernel.kallsyms]', kind: 'kernel' }, { name: 'write', ...libc }, { name: 'main', module: '/bin/app' }], pid: 10, tid: 11, comm: 'worker', time: 1500, period: 250, weight: 3 });
  b.addSample({ frames: [{ name: 'a;b', kind: FrameKind.Jit }, {}], pid: 10, tid: 11, comm: 'worker', time: 1700, period: 250 });
  b.addSample({ frames: [], pid: 20, tid: 20, comm: 'idle', time: 1800, period: 250 });
  b.addSample({ frames: [{ name: 'main', module: '/bin/app' }, { name: 'work', module: '/bin/app', file: 'app.c', line: 7 }], order: 'rootToLeaf', pid: 10, tid: 10, comm: 'my app', time: 3000, period: 250 });
  return b.build();
}

test('StackProfileBuilder interns frames, stack nodes and threads', () => {
  const p = synthetic();
  assert.equal(p.samples.length, 6);
  assert.equal(p.threads.length, 3);
  assert.equal(p.frames.length, 6); // main, work, write, ksys_write, a;b, [unknown]
  assert.equal(p.stacks.length, 6); // main, main>work, main>write, main>write>ksys_write, [unknown], [unknown]>a;b
  for (let n = 0; n < p.stacks.length; n++) assert.ok(p.stacks.parent[n] < n, 'parents precede children');
  assert.equal(p.samples.stack[0], p.samples.stack[5]);
  assert.equal(p.samples.stack[4], -1);
  assert.deepEqual(stackFrames(p, p.samples.stack[2]).map((f) => p.strings[p.frames.name[f]]), ['main', 'write', 'ksys_write']);
  assert.equal(p.modules.find((m) => m.name === '/lib/libc.so.6')?.buildId, 'abcdef01');
  assert.deepEqual(profileTotals(p), { weight: 8, period: 1500, periodSamples: 6 });
  const b = new StackProfileBuilder();
  const t = b.internThread(1, 2, 'x');
  const n = b.internStackNode(b.internStackNode(-1, b.internFrame({ name: 'r' })), b.internFrame({ name: 'l', kind: 'kernel' }));
  b.addSampleAtNode(n, t, 2, 5, 7);
  b.addSampleAtNode(-1, t);
  assert.throws(() => b.addSampleAtNode(2, t), RangeError);
  assert.throws(() => b.addSampleAtNode(n, 1), RangeError);
  assert.equal(toFolded(b.build(), { annotateKernel: true }), 'x 1\nx;r;l_[k] 2\n');
});

test('streamed folded text equals sorting whole line texts, on names that are prefixes of each other', () => {
  // Names chosen so component order and full-text order differ ('ab' < 'ab c' but 'ab c' < 'ab;x'),
  // with duplicate names across modules, threads sharing a comm, a ';' comm and an empty comm.
  const names = ['ab', 'ab c', 'ab:', 'ab<', 'a', 'b', 'abc', 'ab\u00e9', 'ab\u{1f600}', 'z'];
  const comms = ['w', 'w x', 'w', 'w;q', 'w-1', ''];
  let seed = 12345;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (const commSet of [comms.slice(0, 3), comms.slice(0, 5), comms]) {
    const b = new StackProfileBuilder();
    for (let i = 0; i < 400; i++) {
      const depth = rnd(5);
      const frames = Array.from({ length: depth }, () => ({ name: names[rnd(names.length)], module: rnd(2) ? '/a' : '/b', kind: rnd(3) === 0 ? FrameKind.Kernel : FrameKind.User }));
      const t = rnd(commSet.length);
      b.addSample({ frames, order: 'rootToLeaf', pid: 1 + (t % 2), tid: 10 + t, comm: commSet[t], period: rnd(1000) });
    }
    const p = b.build();
    const opts: FoldedOptions[] = [{}, { includeComm: false }, { includePid: true, includeTid: true }, { annotateKernel: true, usePeriod: true }];
    for (const o of opts) {
      const expect = foldStacks(p, o).map(([k, v]) => `${k} ${v}\n`).join('');
      assert.equal(toFolded(p, o), expect, JSON.stringify({ commSet, o }));
      const lines = expect.split('\n').slice(0, -1).map((l) => l.slice(0, l.lastIndexOf(' ')));
      assert.deepEqual([...lines].sort(), lines, 'sorted');
    }
  }
});

test('folded stacks follow stackcollapse conventions', () => {
  const p = synthetic();
  assert.equal(toFolded(p), [
    'idle 1',
    'my_app;main;work 2',
    'my_app;main;write 1',
    'worker;[unknown];a:b 1',
    'worker;main;write;ksys_write 3',
  ].join('\n') + '\n');
  assert.equal(toFolded(p, { includePid: true, includeTid: true, annotateKernel: true, annotateJit: true }), [
    'idle-20/20 1',
    'my_app-10/10;main;work 2',
    'my_app-10/10;main;write 1',
    'worker-10/11;[unknown];a:b_[j] 1',
    'worker-10/11;main;write;ksys_write_[k] 3',
  ].join('\n') + '\n');
  assert.deepEqual(foldStacks(p, { includeComm: false, usePeriod: true }), [
    ['[unknown];a:b', 250],
    ['main;work', 500],
    ['main;write', 250],
    ['main;write;ksys_write', 250],
  ]);
  assert.equal(toFolded(p, { includeTid: true }).split('\n')[0], 'idle-20 1');
  assert.throws(() => toFolded(p, { includeComm: false, includePid: true }), RangeError);
});

function decodePprof(bytes: Uint8Array): Profile {
  assert.equal(bytes[0], 0x1f);
  assert.equal(bytes[1], 0x8b, 'gzip magic');
  return Profile.decode(gunzipSync(bytes));
}

function checkPprofIntegrity(pp: Profile, p: StackProfile): void {
  const str = pp.stringTable.strings;
  assert.equal(str[0], '');
  const locIds = new Set(pp.location.map((l) => Number(l.id)));
  const fnIds = new Set(pp.function.map((f) => Number(f.id)));
  const mapIds = new Set(pp.mapping.map((m) => Number(m.id)));
  for (const s of pp.sample) {
    assert.equal(s.value.length, pp.sampleType.length);
    for (const id of s.locationId) assert.ok(locIds.has(Number(id)), `location ${id} exists`);
    for (const l of s.label) assert.ok(Number(l.key) > 0 && Number(l.key) < str.length);
  }
  for (const l of pp.location) {
    assert.ok(Number(l.mappingId) === 0 || mapIds.has(Number(l.mappingId)));
    for (const ln of l.line) assert.ok(fnIds.has(Number(ln.functionId)));
  }
  for (const f of pp.function) assert.ok(Number(f.name) < str.length && Number(f.filename) < str.length);
  const total = profileTotals(p);
  assert.equal(pp.sample.reduce((a, s) => a + Number(s.value[0]), 0), total.weight, 'sample counts add up');
  if (pp.sampleType.length > 1) assert.equal(pp.sample.reduce((a, s) => a + Number(s.value[1]), 0), total.period, 'periods add up');
}

test('pprof: gzipped profile.proto with consistent tables', () => {
  const p = synthetic();
  const pp = decodePprof(toPprof(p));
  assert.deepEqual(toPprof(p, { raw: true }), toPprofProfile(p).encode(), 'sample-by-sample encoding = Profile.encode()');
  const str = pp.stringTable.strings;
  assert.deepEqual(pp.sampleType.map((t) => [str[Number(t.type)], str[Number(t.unit)]]), [['samples', 'count'], ['cpu', 'nanoseconds']]);
  assert.equal(Number(pp.period), 250);
  assert.equal(Number(pp.durationNanos), 2000);
  checkPprofIntegrity(pp, p);
  // The worker's kernel stack: leaf first, with labels and the libc mapping's build-id.
  const s = pp.sample.find((x) => Number(x.value[0]) === 3)!;
  const names = s.locationId.map((id) => {
    const loc = pp.location.find((l) => Number(l.id) === Number(id))!;
    const fn = pp.function.find((f) => Number(f.id) === Number(loc.line[0].functionId))!;
    return str[Number(fn.name)];
  });
  assert.deepEqual(names, ['ksys_write', 'write', 'main']);
  const labels = Object.fromEntries(s.label.map((l) => [str[Number(l.key)], Number(l.str) ? str[Number(l.str)] : Number(l.num)]));
  assert.deepEqual(labels, { pid: 10, tid: 11, comm: 'my app', thread_comm: 'worker' });
  const libc = pp.mapping.find((m) => str[Number(m.filename)] === '/lib/libc.so.6')!;
  assert.equal(str[Number(libc.buildId)], 'abcdef01');
  const work = pp.location.find((l) => str[Number(pp.function.find((f) => f.id === l.line[0].functionId)!.name)] === 'work')!;
  assert.equal(Number(work.line[0].line), 7);
});

function checkSpeedscope(json: string, p: StackProfile): SpeedscopeFile {
  const f = JSON.parse(json) as SpeedscopeFile;
  assert.equal(f.$schema, 'https://www.speedscope.app/file-format-schema.json');
  assert.ok(Array.isArray(f.shared.frames) && f.shared.frames.every((x) => typeof x.name === 'string'));
  let sum = 0;
  let n = 0;
  for (const prof of f.profiles) {
    assert.equal(prof.type, 'sampled');
    assert.equal(prof.samples.length, prof.weights.length);
    for (const s of prof.samples) for (const i of s) assert.ok(Number.isInteger(i) && i >= 0 && i < f.shared.frames.length, 'frame index in range');
    const w = prof.weights.reduce((a, b) => a + b, 0);
    assert.equal(prof.endValue - prof.startValue, w);
    sum += w;
    n += prof.samples.length;
  }
  assert.equal(n, p.samples.length);
  const totals = profileTotals(p);
  assert.equal(sum, f.profiles[0]?.unit === 'nanoseconds' ? totals.period : totals.weight);
  return f;
}

test('speedscope: sampled profiles per thread with shared frames', () => {
  const p = synthetic();
  const f = checkSpeedscope(toSpeedscope(p), p);
  assert.equal(toSpeedscope(p, { name: 'n' }), JSON.stringify(toSpeedscopeObject(p, { name: 'n' })), 'streamed = object form');
  assert.equal(f.profiles.length, 3);
  const worker = f.profiles.find((x) => x.name.startsWith('worker'))!;
  assert.deepEqual(worker.samples.map((s) => s.map((i) => f.shared.frames[i].name)), [['main', 'write', 'ksys_write'], ['[unknown]', 'a;b']]);
  assert.equal(f.shared.frames.find((x) => x.name === 'work')?.line, 7);
});

// ---- against Linux perf -------------------------------------------------------------------------

const perfSkip = perfSkipReason();
const stackcollapse = perfSkip ? undefined : join(runPerf(['--exec-path']).stdout.trim(), 'scripts/python/stackcollapse.py');
const oracleSkip = perfSkip ?? (stackcollapse && existsSync(stackcollapse) ? undefined : `perf's stackcollapse.py is not installed (${stackcollapse})`);

function perfScriptProfile(file: string): StackProfile {
  const r = runPerf(['script', ...PERF_SCRIPT_FIELDS, '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  return parsePerfScriptStacks(r.stdout, { periodNs: true, eventName: 'cpu-clock' });
}

function oracleFolded(file: string, args: string[]): string {
  const r = runPerf(['script', '-s', stackcollapse!, '-i', file, '--', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const cases: Array<[string, string, string[], FoldedOptions]> = [
  ['fp', 'default', [], {}],
  ['system', '--kernel --include-pid --include-tid', ['--kernel', '--include-pid', '--include-tid'], { annotateKernel: true, includePid: true, includeTid: true }],
  ['node', 'default', [], {}],
  ['node', '--include-tid --kernel', ['--include-tid', '--kernel'], { includeTid: true, annotateKernel: true }],
  ['dwarf', '--no-comm', ['--no-comm'], { includeComm: false }],
];
for (const [rec, label, args, opts] of cases) {
  test(`folded stacks equal perf's stackcollapse.py on the ${rec} recording (${label})`, { skip: oracleSkip }, () => {
    const file = standardRecordings()[rec];
    const ours = toFolded(perfScriptProfile(file), opts);
    const theirs = oracleFolded(file, args);
    assert.ok(theirs.split('\n').length > 2, 'the oracle printed stacks');
    assert.equal(ours, theirs);
  });
}

test('pprof and speedscope of a perf recording add up to its samples and periods', { skip: perfSkip }, () => {
  const file = standardRecordings().system;
  const p = perfScriptProfile(file);
  const buildIds = new Map<string, string>();
  for (const line of runPerf(['buildid-list', '-i', file]).stdout.split('\n')) {
    const m = /^([0-9a-f]+) (.+)$/.exec(line);
    if (m) buildIds.set(m[2], m[1]);
  }
  // Attach build-ids the way the perf.data analysis will: per module.
  for (const m of p.modules) if (buildIds.has(m.name)) m.buildId = buildIds.get(m.name);
  const pp = decodePprof(toPprof(p));
  assert.deepEqual(toPprof(p, { raw: true }), toPprofProfile(p).encode(), 'sample-by-sample encoding = Profile.encode()');
  checkPprofIntegrity(pp, p);
  const str = pp.stringTable.strings;
  const kernel = pp.mapping.find((m) => str[Number(m.filename)] === '[kernel.kallsyms]');
  if (kernel) assert.equal(str[Number(kernel.buildId)], buildIds.get('[kernel.kallsyms]'));
  // Leaf-function sample counts in pprof equal those counted straight from perf script's text.
  const script = runPerf(['script', '-F', 'ip,sym', '-i', file]).stdout;
  const expected = new Map<string, number>();
  for (const block of script.split(/\n\s*\n/)) {
    const first = block.split('\n').find((l) => l.trim() !== '');
    if (!first) continue;
    const sym = first.trim().replace(/^[0-9a-f]+ /, '');
    expected.set(sym, (expected.get(sym) ?? 0) + 1);
  }
  const got = new Map<string, number>();
  for (const s of pp.sample) {
    // a sample whose callchain perf discarded has no frames (perf script prints none for it)
    if (!s.locationId.length) continue;
    const loc = pp.location.find((l) => l.id === s.locationId[0])!;
    const fn = pp.function.find((f) => f.id === loc.line[0].functionId)!;
    const name = str[Number(fn.name)];
    got.set(name, (got.get(name) ?? 0) + Number(s.value[0]));
  }
  assert.deepEqual([...got].sort(), [...expected].sort());
  checkSpeedscope(toSpeedscope(p), p);
  assert.equal(toSpeedscope(p), JSON.stringify(toSpeedscopeObject(p)), 'streamed = object form');
});
