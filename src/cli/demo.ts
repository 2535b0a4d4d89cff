// kscope demo: what `npm start` runs. Records a bundled workload with `kscope record -g`, prints
// `kscope report`, and writes `flame.html` with `kscope flame`. The workload is test/workloads/burn.c
// when a C compiler is present, else a small JavaScript loop run under `node --perf-basic-prof`
// (JIT names from /tmp/perf-PID.map). Where recording is not permitted, it explains why and reports
// on the bundled recording examples/burn.perf.data instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../util/errors.js';

export const summary = 'Record a bundled workload, report on it and write flame.html (run by npm start)';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

const JS_WORKLOAD = `
function leafMul(x) { for (let i = 0; i < 2000; i++) x = (x * 1103515245 + 12345) % 2147483648; return x; }
function leafAdd(x) { for (let i = 0; i < 2000; i++) x = (x + (x >> 3) + i) % 2147483648; return x; }
function computeA(x) { return leafMul(x) + 1; }
function computeB(x) { return leafAdd(x) + leafAdd(x + 1); }
let sink = 0; const end = Date.now() + 1000;
while (Date.now() < end) for (let n = 0; n < 1000; n++) sink += computeA(n) + computeB(n);
console.log(sink > 0 ? 'done' : 'odd');
`;

/** The command line of the workload to record, and what to call it. */
function workload(): { argv: string[]; what: string } {
  const src = join(repoRoot, 'test/workloads/burn.c');
  const cc = spawnSync('sh', ['-c', 'command -v cc || command -v gcc'], { encoding: 'utf8' }).stdout.trim();
  if (cc && existsSync(src)) {
    const dir = join(tmpdir(), 'kscope-demo');
    mkdirSync(dir, { recursive: true });
    const bin = join(dir, 'burn');
    const r = spawnSync(cc, ['-O1', '-g', '-fno-omit-frame-pointer', '-o', bin, src], { stdio: 'inherit' });
    if (r.status === 0) return { argv: [bin, '1000'], what: `test/workloads/burn.c (compiled with ${cc} -O1 -g)` };
  }
  return { argv: [process.execPath, '--perf-basic-prof', '-e', JS_WORKLOAD], what: 'a JavaScript loop under node --perf-basic-prof' };
}

async function kscope(args: string[]): Promise<number> {
  process.stdout.write(`\n$ kscope ${args.join(' ')}\n`);
  const cmd = (await import(`./${args[0]}.js`)) as { run(argv: string[]): Promise<number | void> };
  return (await cmd.run(args.slice(1))) ?? 0;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`usage: kscope demo\n\n${summary}.\n`);
    return 0;
  }
  const w = workload();
  process.stdout.write(`kscope demo: recording ${w.what} for about a second.\n`);
  let input = 'perf.data';
  try {
    const rc = await kscope(['record', '-g', '-F', '999', '-o', input, '--', ...w.argv]);
    if (rc !== 0) throw new Error(`kscope record exited with ${rc}`);
  } catch (err) {
    process.stdout.write(`${describeError(err)}\nkscope demo: recording is not possible here; reporting on the bundled recording instead.\n`);
    input = relative(process.cwd(), join(repoRoot, 'examples/burn.perf.data'));
  }
  await kscope(['report', '--stdio', '--no-children', '--percent-limit', '1', '-i', input]);
  await kscope(['flame', '-i', input, '-o', 'flame.html']);
  process.stdout.write(`\nkscope demo: open flame.html in a browser to explore the profile (click to zoom, type to search).\n`);
  return 0;
}
