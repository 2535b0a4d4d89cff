// The HTML flame graph, driven in real Chromium (Debian's /usr/bin/chromium through playwright-core):
// zoom, search, reset, icicle, thread selection and tooltips on a synthetic profile with known
// numbers, then a Linux perf recording. The screenshot lands in /tmp/flame.png for a human look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StackProfileBuilder, type StackProfile } from '../src/analysis/stack-profile.js';
import { flameData } from '../src/ui/flame-data.js';
import { toFlameHtml } from '../src/ui/flame-html.js';
import { renderProfile, profileFormatForPath } from '../src/ui/render.js';
import { perfSkipReason, runPerf, standardRecordings } from './helpers/fixtures.js';
import { parsePerfScriptStacks, PERF_SCRIPT_FIELDS } from './helpers/perf-script-stacks.js';

const CHROMIUM = process.env.KSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const browserSkip = existsSync(CHROMIUM) ? undefined : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;

/** app (pid 100: threads app 100, worker 101) and db (pid 200); 1000 samples; plus a wide generated subtree. */
function synthetic(): StackProfile {
  const b = new StackProfileBuilder({ eventName: 'cpu-clock' });
  const add = (frames: string[], n: number, pid: number, tid: number, comm: string): void => {
    b.addSample({
      frames: frames.map((f) => ({ name: f.replace(/_\[[kj]\]$/, ''), module: f.endsWith('_[k]') ? '[kernel.kallsyms]' : '/usr/bin/app', kind: f.endsWith('_[k]') ? 'kernel' : f.endsWith('_[j]') ? 'jit' : 'user' })),
      order: 'rootToLeaf', weight: n, pid, tid, comm,
    });
  };
  add(['_start', 'main', 'compute', 'leaf_add'], 300, 100, 100, 'app');
  add(['_start', 'main', 'compute', 'leaf_mul'], 200, 100, 100, 'app');
  add(['_start', 'main', 'write', 'entry_SYSCALL_64_k', 'ksys_write_[k]'], 100, 100, 100, 'app');
  add(['start_thread', 'worker_loop', 'js_hot_[j]', 'leaf_add'], 150, 100, 101, 'worker');
  add(['start_thread', 'worker_loop', 'js_cold_[j]'], 50, 100, 101, 'worker');
  add(['db_main', 'query', 'scan'], 150, 200, 200, 'db');
  // A wide, deep subtree: 40 x 40 x 2 nodes, one sample each, to exercise drawing many frames.
  for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) add(['db_main', 'bulk', `table_${i}`, `row_${j}`, `cell_${(i * j) % 7}`], 1, 200, 200, 'db');
  add(['_start', 'main', 'compute', 'leaf_add'], 50, 100, 100, 'app');
  return b.build();
}

test('flame data: merged tree, self weights and totals', () => {
  const p = synthetic();
  const d = flameData(p);
  let total = 0;
  for (let i = 2; i < d.self.length; i += 3) total += d.self[i];
  assert.equal(total, 2600);
  for (let n = 1; n < d.parent.length; n++) assert.ok(d.parent[n] < n && d.parent[n] >= 0);
  assert.equal(d.names[d.name[0]], 'all');
  assert.equal(d.threads.length, 3);
  assert.match(d.subtitle, /2600 samples, 2 processes, 3 threads/);
  const html = toFlameHtml(p, { title: 'A </script> title' });
  assert.ok(!/<script[^>]+src=|<link[^>]+href=|https?:\/\//.test(html.replace('https://www.speedscope.app', '')), 'no external resources');
  assert.ok(html.includes('A &#60;/script&#62; title'));
  assert.equal(profileFormatForPath('out.pb.gz'), 'pprof');
  assert.equal(profileFormatForPath('x.html'), 'html');
  assert.equal(new TextDecoder().decode(renderProfile(p, 'folded')).split('\n')[0], 'app;_start;main;compute;leaf_add 350');
});

interface Rect { node: number; name: string; x: number; y: number; w: number; h: number; ancestor: boolean; matched: boolean }
interface State { zoom: number; icicle: boolean; width: number; total: number; maxDepth: number; threads: string }

async function withPage(html: string, fn: (page: import('playwright-core').Page, errors: string[]) => Promise<void>, screenshot?: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'kscope-flame-'));
  const file = join(dir, 'flame.html');
  writeFileSync(file, html);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push(`external request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);
    await fn(page, errors);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
}

const rectsOf = (page: import('playwright-core').Page): Promise<Rect[]> => page.evaluate(() => (globalThis as any).kscopeFlame.rects());
const stateOf = (page: import('playwright-core').Page): Promise<State> => page.evaluate(() => (globalThis as any).kscopeFlame.state());

async function clickRect(page: import('playwright-core').Page, r: Rect): Promise<void> {
  const box = (await page.locator('#flame').boundingBox())!;
  await page.mouse.click(box.x + r.x + Math.min(r.w / 2, 20), box.y + r.y + r.h / 2);
}

test('HTML flame graph in Chromium: zoom, search, reset, icicle, threads, tooltip', { skip: browserSkip, timeout: 120_000 }, async () => {
  await withPage(toFlameHtml(synthetic(), { title: 'Synthetic profile' }), async (page, errors) => {
    let rects = await rectsOf(page);
    let st = await stateOf(page);
    assert.deepEqual(errors, []);
    assert.ok(rects.length > 1000, `many frames drawn (${rects.length})`);
    assert.equal(st.total, 2600);
    const root = rects.find((r) => r.node === 0)!;
    assert.equal(root.w, st.width);
    assert.ok(rects.every((r) => r.y <= root.y), 'flame: the root is at the bottom');
    assert.equal(await page.locator('#subtitle').textContent(), 'cpu-clock: 2600 samples, 2 processes, 3 threads');

    // Tooltip on hover.
    const compute = rects.find((r) => r.name === 'compute')!;
    const box = (await page.locator('#flame').boundingBox())!;
    await page.mouse.move(box.x + compute.x + 10, box.y + compute.y + 5);
    const tip = await page.locator('#tip').textContent();
    assert.match(tip!, /^compute550 samples \(21\.15% of total\)user · \/usr\/bin\/app$/);

    // Click zooms: the frame spans the width, its ancestors stay as full-width bars.
    await clickRect(page, compute);
    st = await stateOf(page);
    rects = await rectsOf(page);
    assert.equal(st.zoom, compute.node);
    const z = rects.find((r) => r.node === compute.node && !r.ancestor)!;
    assert.equal(z.x, 0);
    assert.ok(Math.abs(z.w - st.width) < 0.01, 'the zoomed frame spans the full width');
    assert.deepEqual(rects.filter((r) => r.ancestor).map((r) => r.name).sort(), ['_start', 'all', 'main']);
    const leafAdd = rects.find((r) => r.name === 'leaf_add')!;
    assert.ok(Math.abs(leafAdd.w - (st.width * 350) / 550) < 0.01);
    assert.ok(!rects.some((r) => r.name === 'db_main'), 'frames outside the zoom are hidden');
    assert.equal(await page.locator('#reset').isDisabled(), false);

    // Search: regex; matched % counts each sample once across the whole graph.
    await page.locator('#search').fill('^leaf_');
    await page.locator('#search').press('Enter');
    assert.equal(await page.locator('#matched').textContent(), 'Matched: 26.92% (3 frames)'); // (350+200+150)/2600
    rects = await rectsOf(page);
    assert.deepEqual(rects.filter((r) => r.matched).map((r) => r.name).sort(), ['leaf_add', 'leaf_mul']);
    await page.screenshot({ path: '/tmp/flame-zoom.png' });
    await page.locator('#search').fill('table_1');
    await page.locator('#search').press('Enter');
    assert.equal(await page.locator('#matched').textContent(), 'Matched: 16.92% (11 frames)'); // table_1, table_10..19: 11*40/2600
    await page.locator('#search').fill('(unclosed');
    await page.locator('#search').press('Enter');
    assert.equal(await page.locator('#matched').textContent(), 'Matched: 0.00% (0 frames)');

    // Reset zoom, then clicking the root also resets.
    await page.locator('#reset').click();
    st = await stateOf(page);
    rects = await rectsOf(page);
    assert.equal(st.zoom, 0);
    assert.ok(!rects.some((r) => r.ancestor));
    await clickRect(page, rects.find((r) => r.name === 'worker_loop')!);
    assert.notEqual((await stateOf(page)).zoom, 0);
    await clickRect(page, (await rectsOf(page)).find((r) => r.node === 0)!);
    assert.equal((await stateOf(page)).zoom, 0);

    // Icicle: the root moves to the top.
    await page.locator('#icicle').click();
    rects = await rectsOf(page);
    const top = rects.find((r) => r.node === 0)!;
    assert.equal((await stateOf(page)).icicle, true);
    assert.ok(rects.every((r) => r.y >= top.y), 'icicle: the root is at the top');
    assert.equal(await page.locator('#icicle').getAttribute('aria-pressed'), 'true');
    await page.locator('#icicle').click();
    rects = await rectsOf(page);
    assert.ok(rects.every((r) => r.y <= rects.find((q) => q.node === 0)!.y));

    // Thread and process selection.
    await page.locator('#threads').selectOption('t:1');
    st = await stateOf(page);
    assert.equal(st.total, 200);
    rects = await rectsOf(page);
    assert.ok(rects.some((r) => r.name === 'worker_loop') && !rects.some((r) => r.name === 'main'));
    await page.locator('#threads').selectOption('p:200');
    assert.equal((await stateOf(page)).total, 1750);
    await page.locator('#threads').selectOption('all');
    assert.equal((await stateOf(page)).total, 2600);
  });
});

test('HTML flame graph of a Linux perf recording renders in Chromium', { skip: browserSkip ?? perfSkipReason(), timeout: 120_000 }, async () => {
  const file = standardRecordings().node;
  const r = runPerf(['script', ...PERF_SCRIPT_FIELDS, '-i', file]);
  assert.equal(r.status, 0, r.stderr);
  const p = parsePerfScriptStacks(r.stdout, { eventName: 'cpu-clock', periodNs: true });
  await withPage(toFlameHtml(p, { title: 'node --perf-basic-prof' }), async (page) => {
    const rects = await rectsOf(page);
    const st = await stateOf(page);
    assert.equal(st.total, p.samples.length);
    assert.ok(rects.length > 20, `frames drawn: ${rects.length}`);
    await page.locator('#search').fill('hot');
    await page.locator('#search').press('Enter');
    assert.match((await page.locator('#matched').textContent())!, /^Matched: \d+(\.\d+)?% \(\d+ frames?\)$/);
  }, '/tmp/flame.png');
});

test('HTML flame graph of an empty profile says so, without errors', { skip: browserSkip, timeout: 60_000 }, async () => {
  const empty = new StackProfileBuilder().build();
  await withPage(toFlameHtml(empty), async (page) => {
    assert.deepEqual(await rectsOf(page), []);
    assert.equal((await stateOf(page)).total, 0);
  });
});
