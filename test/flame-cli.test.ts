// `kscope flame` against Linux perf on recordings made here: folded output equals perf's own
// tools/perf/scripts/python/stackcollapse.py (run by `perf script -s`) on the same file; pprof
// totals equal `perf report --stats`; the HTML loads in Chromium and zooms. The screenshot of the
// system recording's flame graph lands in /tmp/flamecli-system.png for a human look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { compileWorkload, perfRecording, perfSkipReason, runKscope, runPerf, standardRecordings } from './helpers/fixtures.js';

const perfSkip = perfSkipReason();
const stackcollapse = perfSkip ? undefined : join(runPerf(['--exec-path']).stdout.trim(), 'scripts/python/stackcollapse.py');
const oracleSkip = perfSkip ?? (stackcollapse && existsSync(stackcollapse) ? undefined : `perf's stackcollapse.py is not installed (${stackcollapse})`);
const CHROMIUM = process.env.KSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const browserSkip = existsSync(CHROMIUM) ? undefined : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
const out = mkdtempSync(join(tmpdir(), 'kscope-flamecli-'));

/** perf script's own filter options (--pid, --tid, --comms) go before -s; stackcollapse's after --. */
function oracleFolded(file: string, scriptArgs: string[], filters: string[] = []): string {
  const args = ['script', ...filters, '-s', stackcollapse!, '-i', file, '--', ...scriptArgs];
  let r = runPerf(args);
  if (r.status === 0 && !r.stdout && !filters.length) {
    // seen once in CI under load: perf script -s exited 0 in 66 ms with no output for a recording
    // that holds 300 samples; asked again, the oracle answers (the cause is logged)
    console.log(`# perf ${args.join(' ')} printed nothing (stderr: ${JSON.stringify(r.stderr)}); asking again`);
    r = runPerf(args);
  }
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function kscope(args: string[], input?: Buffer): { stdout: string; stderr: string } {
  const r = runKscope(['flame', ...args], input);
  assert.equal(r.status, 0, `kscope flame ${args.join(' ')} failed: ${r.stderr}`);
  assert.match(r.stderr, /^kscope flame: wrote \S+ \(\d+ samples, \d+ frames(, event \S+)?\)\n$/);
  return r;
}

/** SAMPLE counts per event name from `perf report --stats`. */
function perfSampleCounts(file: string): Map<string, number> {
  const r = runPerf(['report', '--stats', '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  const counts = new Map<string, number>();
  let ev: string | undefined;
  for (const line of r.stdout.split('\n')) {
    const h = /^(\S.*) stats:$/.exec(line);
    if (h && !line.startsWith('Aggregated')) { ev = h[1]; continue; }
    const s = /^\s+SAMPLE events:\s+(\d+)/.exec(line);
    if (s && ev) counts.set(ev, Number(s[1]));
  }
  return counts;
}

/** A folded text as its lines' shapes: `head depth count` per line, sorted (robust to symbol naming). */
function shapes(folded: string): string[] {
  return folded.trim().split('\n').map((l) => {
    const sp = l.lastIndexOf(' ');
    const parts = l.slice(0, sp).split(';');
    return `${parts[0]} ${parts.length} ${l.slice(sp + 1)}`;
  }).sort();
}

function total(folded: string): number {
  return folded.trim().split('\n').reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** The sum of the samples' periods, from perf script -F period (callchain lines skipped). */
function perfPeriods(file: string): number {
  const r = runPerf(['script', '-F', 'period', '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => /^\s*\d+\s*$/.test(l)).reduce((a, l) => a + Number(l), 0);
}

/** Hot code inlined into its caller (test/workloads/flamecli-inline.c): work → mix → step, the last two inlined. */
function inlineRecordings(): { dwarf: string; fp: string } {
  const bin = compileWorkload('flamecli-inline.c', ['-O2', '-g', '-fno-omit-frame-pointer']);
  return {
    dwarf: perfRecording('flamecli-inline-dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', bin, '300']),
    fp: perfRecording('flamecli-inline-fp', ['record', '-g', '-F', '1000', '--', bin, '300']),
  };
}

/** A recording of the whole busy machine: many processes, deep kernel stacks. */
function busyRecording(): string {
  return perfRecording('flamecli-busy', ['record', '-a', '-g', '-F', '499', '--', 'sleep', '0.5']);
}

// ---- folded == perf's stackcollapse.py --------------------------------------------------------

const exact: Array<[string, string[], string[]]> = [
  ['fp', [], []],
  ['dwarf', ['--no-comm'], ['--no-comm']],
  ['system', ['--kernel', '--include-pid', '--include-tid'], ['--kernel', '--include-pid', '--include-tid']],
  ['zstd', [], []],
  ['pipe', ['--include-tid'], ['--include-tid']],
  // perf 6.1 adds DWARF inline frames to --call-graph dwarf stacks (mix;step), not to -g ones.
  ['inline-dwarf', [], []],
  ['inline-fp', [], []],
];
for (const [rec, ours, theirs] of exact) {
  test(`kscope flame --format folded equals stackcollapse.py on the ${rec} recording (${theirs.join(' ') || 'default'})`, { skip: oracleSkip }, () => {
    const file = rec.startsWith('inline-') ? inlineRecordings()[rec.slice(7) as 'dwarf' | 'fp'] : standardRecordings()[rec];
    const expected = oracleFolded(file, theirs);
    assert.ok(expected.split('\n').length > 2, 'the oracle printed stacks');
    assert.equal(kscope(['-i', file, '--format', 'folded', '-o', '-', ...ours]).stdout, expected);
  });
}

test('kscope flame -i - reads a pipe-mode recording from stdin', { skip: oracleSkip }, () => {
  const file = standardRecordings().pipe;
  assert.equal(kscope(['-i', '-', '-o', '-'], readFileSync(file)).stdout, oracleFolded(file, []));
});

// Recordings where symbol choice is delicate, compared exactly: kallsyms aliases at one address (the
// last in /proc/kallsyms order wins: symbols__fixup_end runs before symbols__fixup_duplicate), ELF
// labels inside sized functions (node's construct_stub_create_deopt_addr inside
// Builtins_JSConstructStubGeneric: perf's rb-tree descent decides, reproduced in symbols/), PLT
// entries (NAME@plt, busy recording). The stack shapes (comm, depth, count per line) are checked
// apart so that a naming difference and a stack difference read differently.
const aliasing: Array<[string, () => string, string[], string[]]> = [
  ['node', () => standardRecordings().node, [], []],
  ['node', () => standardRecordings().node, ['--include-tid', '--kernel'], ['--include-tid', '--kernel']],
  ['busy system-wide', busyRecording, ['--kernel', '--include-pid', '--include-tid'], ['--kernel', '--include-pid', '--include-tid']],
];
for (const [rec, file, ours, theirs] of aliasing) {
  const label = theirs.join(' ') || 'default';
  test(`kscope flame folded has stackcollapse.py's stack shapes on the ${rec} recording (${label})`, { skip: oracleSkip }, () => {
    const expected = oracleFolded(file(), theirs);
    const got = kscope(['-i', file(), '-o', '-', ...ours]).stdout;
    assert.ok(expected.split('\n').length > 2, 'the oracle printed stacks');
    assert.deepEqual(shapes(got), shapes(expected));
  });
  test(`kscope flame folded equals stackcollapse.py on the ${rec} recording (${label})`, { skip: oracleSkip }, () => {
    assert.equal(kscope(['-i', file(), '-o', '-', ...ours]).stdout, oracleFolded(file(), theirs));
  });
}

test('--no-inline leaves DWARF inline frames out of --call-graph dwarf stacks', { skip: oracleSkip }, () => {
  const { dwarf } = inlineRecordings();
  const theirs = oracleFolded(dwarf, []);
  const got = kscope(['-i', dwarf, '-o', '-', '--no-inline']).stdout;
  assert.ok(/;work;mix;step \d+$/m.test(theirs), 'perf shows the inline frames');
  assert.ok(!/;(mix|step)\b/.test(got), 'no inline frames');
  assert.equal(total(got), total(theirs));
  // The samples perf puts in work's inlined code (or work itself) are work's own here.
  const inWork = (text: string, re: RegExp) => text.trim().split('\n').filter((l) => re.test(l)).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  assert.equal(inWork(got, /;work \d+$/), inWork(theirs, /;work(;mix(;step)?)? \d+$/));
});

test('--no-kernel leaves kernel frames out (stackcollapse --kernel minus its _[k] frames)', { skip: oracleSkip }, () => {
  for (const file of [standardRecordings().system, busyRecording()]) {
    const sums = new Map<string, number>();
    for (const line of oracleFolded(file, ['--kernel', '--include-pid']).trim().split('\n')) {
      const sp = line.lastIndexOf(' ');
      const stack = line.slice(0, sp).split(';').filter((f) => !f.endsWith('_[k]')).join(';');
      sums.set(stack, (sums.get(stack) ?? 0) + Number(line.slice(sp + 1)));
    }
    const keys = [...sums.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const expected = keys.map((k) => `${k} ${sums.get(k)}\n`).join('');
    const got = kscope(['-i', file, '-o', '-', '--no-kernel', '--include-pid']).stdout;
    assert.ok(!got.includes('_[k]'));
    if (file === standardRecordings().system) assert.equal(got, expected);
    else assert.deepEqual(shapes(got), shapes(expected)); // busy: kernel aliases aside, user frames are exact
  }
});

test('--pid, --tid and --comms select the samples perf script --pid/--tid/--comms selects', { skip: oracleSkip }, () => {
  const node = standardRecordings().node;
  const tids = new Map<number, number>();
  for (const l of runPerf(['script', '-F', 'pid,tid', '-i', node]).stdout.trim().split('\n')) {
    const [pid, tid] = l.trim().split(/[\s/]+/).map(Number);
    tids.set(tid, pid);
  }
  assert.ok(tids.size >= 2, 'node ran several threads');
  const [mainTid, mainPid] = [...tids].find(([t, p]) => t === p)!;
  const worker = [...tids.keys()].find((t) => t !== mainTid)!;
  const cases: Array<[string[], string[]]> = [
    [['--tid', String(worker)], ['--tid', String(worker)]],
    [['--tid', `${worker},${mainTid}`], ['--tid', `${worker},${mainTid}`]],
    [['--pid', String(mainPid)], ['--pid', String(mainPid)]],
    [['--comms', 'node'], ['--comms', 'node']],
    [['--comms', 'no-such-comm'], ['--comms', 'no-such-comm']],
  ];
  for (const [ours, filters] of cases) {
    const expected = oracleFolded(node, ['--include-tid'], filters);
    const got = kscope(['-i', node, '-o', '-', '--include-tid', ...ours]).stdout;
    assert.equal(total(got), total(expected), `${ours.join(' ')}: same number of samples`);
    assert.deepEqual(shapes(got), shapes(expected), `${ours.join(' ')}: same stacks`);
  }
  // The busy recording: every process on its own matches perf's selection.
  const busy = busyRecording();
  const pids = new Map<string, number>();
  for (const l of runPerf(['script', '-F', 'pid', '-i', busy]).stdout.trim().split('\n')) pids.set(l.trim(), (pids.get(l.trim()) ?? 0) + 1);
  const top = [...pids].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p]) => p);
  for (const pid of top) {
    const expected = oracleFolded(busy, ['--include-pid'], ['--pid', pid]);
    const got = kscope(['-i', busy, '-o', '-', '--include-pid', '--pid', pid]).stdout;
    assert.deepEqual(shapes(got), shapes(expected), `busy --pid ${pid}`);
  }
});

// ---- pprof, speedscope, events, errors ---------------------------------------------------------

function decodePprof(path: string): Profile {
  const bytes = readFileSync(path);
  assert.equal(bytes[0], 0x1f, 'gzip magic');
  assert.equal(bytes[1], 0x8b, 'gzip magic');
  return Profile.decode(gunzipSync(bytes));
}

test('pprof from kscope flame decodes and its totals equal perf report --stats', { skip: perfSkip }, () => {
  const recs = standardRecordings();
  for (const rec of ['fp', 'system', 'node', 'dwarf', 'zstd', 'pipe']) {
    const file = recs[rec];
    const dest = join(out, `${rec}.pb.gz`);
    const r = kscope(['-i', file, '-o', dest]);
    const pp = decodePprof(dest);
    const str = pp.stringTable.strings;
    assert.deepEqual(pp.sampleType.map((t) => [str[Number(t.type)], str[Number(t.unit)]]), [['samples', 'count'], ['cpu', 'nanoseconds']]);
    const counts = perfSampleCounts(file);
    const expected = [...counts.values()][0];
    const samples = pp.sample.reduce((a, s) => a + Number(s.value[0]), 0);
    assert.equal(samples, expected, `${rec}: samples`);
    assert.match(r.stderr, new RegExp(`\\(${expected} samples, `));
    // Periods add up to perf's total period (perf script -F period).
    const periods = perfPeriods(file);
    assert.equal(pp.sample.reduce((a, s) => a + Number(s.value[1]), 0), periods, `${rec}: periods`);
    // Every location names a function; kernel frames sit in [kernel.kallsyms] with its build-id.
    for (const l of pp.location) assert.equal(l.line.length, 1);
    const kernel = pp.mapping.find((m) => str[Number(m.filename)] === '[kernel.kallsyms]');
    if (kernel && rec !== 'pipe') {
      const want = /^([0-9a-f]+) \[kernel\.kallsyms\]$/m.exec(runPerf(['buildid-list', '-i', file]).stdout)?.[1];
      if (want) assert.equal(str[Number(kernel.buildId)], want, `${rec}: kernel build-id`);
    }
  }
});

test('--event picks one of several recorded events; the default is the first with samples', { skip: perfSkip }, () => {
  const file = standardRecordings().tracepoints;
  const counts = perfSampleCounts(file);
  assert.equal(counts.size, 2);
  for (const [name, n] of counts) {
    const dest = join(out, `tp-${name.replace(/\W/g, '_')}.pb.gz`);
    const r = kscope(['-i', file, '-o', dest, '--event', name]);
    assert.match(r.stderr, new RegExp(`\\(${n} samples, \\d+ frames, event ${name}\\)`));
    const pp = decodePprof(dest);
    assert.equal(pp.sample.reduce((a, s) => a + Number(s.value[0]), 0), n, name);
  }
  assert.match(kscope(['-i', file, '-o', join(out, 'tp.folded')]).stderr, new RegExp(`\\(${[...counts.values()][0]} samples, `));
  // The first event without samples is passed over for the next that has some.
  const burn = compileWorkload('burn.c');
  const quiet = perfRecording('flamecli-quiet-first', ['record', '-e', 'sched:sched_wake_idle_without_ipi', '-e', 'cpu-clock', '-g', '-F', '1000', '--', burn, '100']);
  const qc = perfSampleCounts(quiet);
  assert.equal(qc.get('sched:sched_wake_idle_without_ipi') ?? 0, 0);
  assert.match(kscope(['-i', quiet, '-o', '-']).stderr, new RegExp(`\\(${qc.get('cpu-clock')} samples, \\d+ frames, event cpu-clock\\)`));
  // A name without modifiers finds the event recorded with them (cpu-clock:ppp).
  assert.match(kscope(['-i', standardRecordings().system, '-o', '-', '--event', 'cpu-clock']).stderr, /event cpu-clock/);
  const bad = runKscope(['flame', '-i', file, '-o', '-', '--event', 'no-such-event']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^kscope: no event 'no-such-event' in .*\n  hint: it has: sched:sched_switch, syscalls:sys_enter_write(, dummy:HG)?\n$/);
});

test('format from -o\'s extension; stdout is folded; speedscope JSON adds up', { skip: perfSkip }, () => {
  const file = standardRecordings().fp;
  const folded = kscope(['-i', file, '-o', '-']).stdout;
  kscope(['-i', file, '-o', join(out, 'fp.txt')]);
  assert.equal(readFileSync(join(out, 'fp.txt'), 'utf8'), folded);
  kscope(['-i', file, '-o', join(out, 'fp.json')]);
  const sp = JSON.parse(readFileSync(join(out, 'fp.json'), 'utf8')) as { $schema: string; profiles: Array<{ samples: number[][]; weights: number[] }> };
  assert.equal(sp.$schema, 'https://www.speedscope.app/file-format-schema.json');
  assert.equal(sp.profiles.reduce((a, p) => a + p.samples.length, 0), [...perfSampleCounts(file).values()][0]);
  kscope(['-i', file, '-o', join(out, 'fp.out'), '--format', 'html', '--title', 'My <title>']);
  assert.match(readFileSync(join(out, 'fp.out'), 'utf8'), /<title>My &#60;title&#62;<\/title>/);
  // --weight period: folded values are the periods, and add up to perf's total period.
  const periods = perfPeriods(file);
  assert.equal(total(kscope(['-i', file, '-o', '-', '--weight', 'period']).stdout), periods);
  kscope(['-i', file, '-o', join(out, 'fp-period.html'), '--weight', 'period']);
  assert.ok(readFileSync(join(out, 'fp-period.html'), 'utf8').includes(`${periods} ns of period over `), 'the subtitle names the period');
});

test('errors are one line and a non-zero exit', { skip: perfSkip }, () => {
  const missing = runKscope(['flame', '-i', join(out, 'nope.data'), '-o', '-']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^kscope: .*nope\.data.*\n$/);
  const ext = runKscope(['flame', '-i', standardRecordings().fp, '-o', join(out, 'flame.png')]);
  assert.equal(ext.status, 1);
  assert.match(ext.stderr, /^kscope: cannot tell the format from the name '.*flame\.png'\n  hint: /);
  const notPerf = runKscope(['flame', '-i', '/etc/hostname', '-o', '-']);
  assert.equal(notPerf.status, 1);
  assert.equal(notPerf.stderr.trim().split('\n').length, 1, notPerf.stderr);
  assert.ok(!/internal error/.test(notPerf.stderr), notPerf.stderr);
});

// ---- the HTML in Chromium -----------------------------------------------------------------------

interface Rect { node: number; name: string; x: number; y: number; w: number; h: number }

test('the CLI\'s flame.html loads in Chromium without errors and a click zooms', { skip: browserSkip ?? perfSkip, timeout: 180_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    for (const [rec, file] of [['system', standardRecordings().system], ['busy', busyRecording()]] as const) {
      const html = join(out, `${rec}.html`);
      kscope(['-i', file, '-o', html, '--title', `kscope flame: ${rec}`]);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push(`external request: ${r.url()}`); });
      await page.goto(pathToFileURL(html).href);
      const rects = (await page.evaluate(() => (globalThis as any).kscopeFlame.rects())) as Rect[];
      const st = (await page.evaluate(() => (globalThis as any).kscopeFlame.state())) as { zoom: number; width: number; total: number };
      assert.equal(st.total, [...perfSampleCounts(file).values()][0], `${rec}: all samples drawn`);
      assert.ok(rects.length > 5, `${rec}: frames drawn (${rects.length})`);
      assert.equal(await page.locator('#title').textContent(), `kscope flame: ${rec}`);
      if (rec === 'system') await page.screenshot({ path: '/tmp/flamecli-system.png', fullPage: true });
      else await page.screenshot({ path: '/tmp/flamecli-busy.png', fullPage: true });
      // Click the widest non-root frame: it becomes the zoom and spans the width.
      const target = rects.filter((r) => r.node !== 0).sort((a, b) => b.w - a.w)[0];
      const box = (await page.locator('#flame').boundingBox())!;
      await page.mouse.click(box.x + target.x + Math.min(target.w / 2, 20), box.y + target.y + target.h / 2);
      const after = (await page.evaluate(() => (globalThis as any).kscopeFlame.state())) as { zoom: number; width: number };
      assert.equal(after.zoom, target.node, `${rec}: the click zoomed`);
      const zoomed = ((await page.evaluate(() => (globalThis as any).kscopeFlame.rects())) as Rect[]).find((r) => r.node === target.node)!;
      assert.ok(Math.abs(zoomed.w - after.width) < 0.01, 'the zoomed frame spans the width');
      assert.deepEqual(errors, []);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
