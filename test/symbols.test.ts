// symbols/: symbol-table lookups against `addr2line -f` on a gcc binary without DWARF; debug-file
// discovery through an injected loader; perf's duplicate-symbol rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Symbolizer, SymbolIndex, chooseBest, debugFileCandidates, type Frame, type SymbolLoader } from '../src/symbols/index.js';
import { pltRows, sameDynsym, perfSymbolColumns, perfSymbolColumnsOf } from '../src/symbols/symbol-index.js';
import { readElf, STB_GLOBAL, STB_WEAK, STB_LOCAL, STT_FUNC, SHT_SYMTAB, SHT_DYNSYM } from '../src/formats/elf/index.js';
import { nodeFileLoader } from '../src/util/node-loader.js';
import { hasTool, cacheDir, compileWorkload, perfRecording, perfSkipReason, runKscope, runPerf } from './helpers/fixtures.js';

const skip = hasTool('gcc') && hasTool('addr2line') && hasTool('objcopy') ? undefined : 'gcc, objcopy or addr2line missing';

/** A C file with many functions of different sizes, static and global, plus weak and alias symbols. */
function manyFunctionsBinary(flags: string[]): string {
  const dir = join(cacheDir, 'symbols-test');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `many-${flags.join('').replace(/\W/g, '_')}`);
  if (existsSync(out)) return out;
  let src = '#include <stdlib.h>\nvolatile int sink;\n';
  for (let i = 0; i < 150; i++) {
    const body = Array.from({ length: 1 + (i * 7) % 23 }, (_, k) => `sink += x * ${k + 1}; if (sink & ${1 << (k % 8)}) sink ^= ${i};`).join('\n  ');
    src += `${i % 3 === 0 ? 'static ' : ''}__attribute__((noinline)) int f${i}(int x) {\n  ${body}\n  return sink + x;\n}\n`;
  }
  src += 'int g_alias_target(int x) { return x + sink; }\n';
  src += 'int g_alias(int x) __attribute__((alias("g_alias_target")));\n';
  src += '__attribute__((weak)) int w_weak(int x) { return x * sink; }\n';
  src += 'int main(int argc, char **argv) { int s = 0;\n';
  for (let i = 0; i < 150; i++) src += `  s += f${i}(argc);\n`;
  src += '  return s + g_alias(argc) + w_weak(argc); }\n';
  const c = `${out}.c`;
  writeFileSync(c, src);
  execFileSync('gcc', [...flags, '-o', `${out}.tmp${process.pid}`, c]);
  execFileSync('mv', [`${out}.tmp${process.pid}`, out]);
  return out;
}

function addr2line(bin: string, addrs: bigint[]): string[] {
  const out = execFileSync('addr2line', ['-f', '-e', bin], { input: addrs.map((a) => '0x' + a.toString(16)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = out.split('\n');
  const names: string[] = [];
  for (let i = 0; i < addrs.length; i++) names.push(lines[2 * i]);
  return names;
}

function randomTextAddresses(bin: string, n: number, seed: number): bigint[] {
  const elf = readElf(readFileSync(bin));
  const text = elf.findSection('.text')!;
  let x = seed >>> 0 || 1;
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out.push(text.addr + BigInt(x % text.size));
  }
  return out;
}

test('ELF symbol lookups agree with addr2line -f for random .text addresses (gcc without -g)', { skip }, () => {
  for (const flags of [['-O1'], ['-O2', '-fPIE', '-pie'], ['-O0', '-no-pie']]) {
    const bin = manyFunctionsBinary(flags);
    const addrs = randomTextAddresses(bin, 1500, 0x9e3779b9);
    const want = addr2line(bin, addrs);
    const asAddr2line = new Symbolizer(nodeFileLoader(), { searchDebugFiles: false, symbolMatch: 'addr2line' });
    const asPerf = new Symbolizer(nodeFileLoader(), { searchDebugFiles: false });
    const elf = readElf(readFileSync(bin));
    const t = elf.symtab()!;
    const sized = new Map<string, [bigint, bigint]>();
    for (const s of t) if (s.type === STT_FUNC && s.size > 0) sized.set(s.name, [s.value, s.value + BigInt(s.size)]);
    let named = 0, padding = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < addrs.length; i++) {
      const got = asAddr2line.symbolize(bin, addrs[i])[0]?.function ?? '??';
      if (got !== want[i]) mismatches.push(`0x${addrs[i].toString(16)}: kscope ${got}, addr2line ${want[i]}`);
      // perf's rule: the same name inside the symbol, nothing in the padding after its end.
      const perfName = asPerf.symbolize(bin, addrs[i])[0]?.function;
      const range = sized.get(want[i]);
      if (range && addrs[i] >= range[1]) { padding++; assert.equal(perfName, undefined, `perf mode: 0x${addrs[i].toString(16)} is past ${want[i]}`); }
      else { named++; assert.equal(perfName ?? '??', want[i], `perf mode at 0x${addrs[i].toString(16)}`); }
    }
    assert.deepEqual(mismatches.slice(0, 10), [], `${flags.join(' ')}: ${mismatches.length} mismatches`);
    assert.ok(named > 1000, `${flags.join(' ')}: ${named} addresses named (${padding} in padding)`);
  }
});

test('a stripped binary finds its symbols in the debug file through .build-id and .gnu_debuglink', { skip }, () => {
  const bin = manyFunctionsBinary(['-O1', '-g']);
  const dir = join(cacheDir, 'symbols-test', `debugdirs-${process.pid}`);
  const elf = readElf(readFileSync(bin));
  const id = elf.buildIdHex()!;
  mkdirSync(join(dir, 'root/usr/lib/debug/.build-id', id.slice(0, 2)), { recursive: true });
  mkdirSync(join(dir, 'root/opt/app/.debug'), { recursive: true });
  execFileSync('objcopy', ['--only-keep-debug', bin, join(dir, 'root/usr/lib/debug/.build-id', id.slice(0, 2), id.slice(2) + '.debug')]);
  execFileSync('objcopy', ['--only-keep-debug', bin, join(dir, 'root/opt/app/.debug/app.debug')]);
  execFileSync('objcopy', ['--strip-all', '--add-gnu-debuglink=' + join(dir, 'root/opt/app/.debug/app.debug'), bin, join(dir, 'root/opt/app/app')]);
  const addrs = randomTextAddresses(bin, 300, 7);
  const want = addr2line(bin, addrs);
  const rootLoader = nodeFileLoader({ root: join(dir, 'root'), homeDir: '/nonexistent' });
  const strippedElf = readElf(readFileSync(join(dir, 'root/opt/app/app')));
  assert.equal(strippedElf.symtab(), undefined, 'strip-all removed .symtab');

  const sym = new Symbolizer(rootLoader, { symbolMatch: 'addr2line' });
  const dso = sym.dso('/opt/app/app')!;
  assert.equal(dso.debugFile?.path, `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`);
  for (let i = 0; i < addrs.length; i++) assert.equal(sym.symbolize('/opt/app/app', addrs[i])[0]?.function ?? '??', want[i]);

  // Without the build-id directory, .gnu_debuglink → DIR/.debug/NAME with a matching CRC.
  const logged: string[] = [];
  const linkOnly: SymbolLoader = { readFile: (p) => { logged.push(p); return p.includes('.build-id') ? undefined : rootLoader.readFile(p); } };
  const dso2 = new Symbolizer(linkOnly).dso('/opt/app/app')!;
  assert.equal(dso2.debugFile?.path, '/opt/app/.debug/app.debug');
  assert.ok(logged.includes(`/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`));

  // A debug file with another build-id is refused.
  const wrong = manyFunctionsBinary(['-O2', '-g']);
  const liar: SymbolLoader = { readFile: (p) => (p.endsWith('.debug') ? new Uint8Array(readFileSync(wrong)) : rootLoader.readFile(p)) };
  assert.equal(new Symbolizer(liar).dso('/opt/app/app')!.debugFile, undefined);
});

test('debug-file candidates follow gdb and perf order', () => {
  const c = debugFileCandidates('/usr/bin/ls', 'abcdef12', 'ls.debug', { homeDir: '/root' }).map((x) => x.path);
  assert.deepEqual(c, [
    '/usr/lib/debug/.build-id/ab/cdef12.debug',
    '/root/.debug/.build-id/ab/cdef12/debug',
    '/root/.debug/.build-id/ab/cdef12/elf',
    '/usr/bin/ls.debug',
    '/usr/bin/.debug/ls.debug',
    '/usr/lib/debug/usr/bin/ls.debug',
    '/usr/lib/debug/usr/bin/ls',
  ]);
  assert.deepEqual(debugFileCandidates('/opt/x', undefined, undefined).map((x) => [x.path, x.check]), [
    ['/usr/lib/debug/opt/x.debug', 'none'], ['/usr/lib/debug/opt/x', 'none'],
  ]);
});

test('perf choose_best_symbol rules at equal addresses', () => {
  const r = (name: string, size: number, bind: number) => ({ name, start: 0x1000n, size, bind });
  assert.equal(chooseBest(r('a', 0, STB_GLOBAL), r('b', 8, STB_LOCAL)).name, 'b');
  assert.equal(chooseBest(r('weak', 8, STB_WEAK), r('loc', 8, STB_LOCAL)).name, 'loc');
  assert.equal(chooseBest(r('loc', 8, STB_LOCAL), r('glob', 8, STB_GLOBAL)).name, 'glob');
  assert.equal(chooseBest(r('__x', 8, STB_GLOBAL), r('_x', 8, STB_GLOBAL)).name, '_x');
  assert.equal(chooseBest(r('abc', 8, STB_GLOBAL), r('abcd', 8, STB_GLOBAL)).name, 'abcd');
  const idx = SymbolIndex.fromRows([
    { name: 'zero', start: 0x100n, size: 0, bind: STB_GLOBAL },
    { name: 'sized', start: 0x200n, size: 0x10, bind: STB_GLOBAL },
    { name: 'next', start: 0x300n, size: 0x10, bind: STB_LOCAL },
  ]);
  assert.equal(idx.find(0x1ffn)?.name, 'zero', 'zero-sized symbol ends at the next start');
  assert.equal(idx.find(0x20fn)?.name, 'sized');
  assert.equal(idx.find(0x210n), undefined, 'past a sized symbol: no symbol');
  assert.equal(idx.find(0xffn), undefined);
  void STT_FUNC;
  const frames: Frame[] = [{ function: 'x', inlined: false }];
  assert.equal(frames.length, 1);
});

test('zero-sized aliases: ends are fixed before duplicates, so the last one listed wins (perf 6.1)', () => {
  // symbols__fixup_end then symbols__fixup_duplicate: "lab1" and "lab2" are zero-sized at 0x100;
  // only lab2 (listed last) gets an end, so it is kept whatever its name or binding.
  const idx = SymbolIndex.fromRows([
    { name: 'lab1', start: 0x100n, size: 0, bind: STB_GLOBAL },
    { name: '__lab2_longer', start: 0x100n, size: 0, bind: STB_LOCAL },
    { name: 'f', start: 0x180n, size: 0x10, bind: STB_GLOBAL },
  ]);
  assert.equal(idx.find(0x100n)?.name, '__lab2_longer');
  assert.equal(idx.find(0x17fn)?.name, '__lab2_longer');
  // a sized symbol and a zero-sized label listed after it: the label gets an end too, and the
  // usual rules decide (here GLOBAL over LOCAL)
  const idx2 = SymbolIndex.fromRows([
    { name: 'sized_local', start: 0x100n, size: 0x10, bind: STB_LOCAL },
    { name: 'label_global', start: 0x100n, size: 0, bind: STB_GLOBAL },
    { name: 'g', start: 0x200n, size: 0x10, bind: STB_GLOBAL },
  ]);
  assert.equal(idx2.find(0x100n)?.name, 'label_global');
  assert.equal(idx2.find(0x1f0n)?.name, 'label_global');
});

test('PLT entries get perf\'s synthesized NAME@plt symbols, as objdump names them', { skip: hasTool('objdump') && existsSync('/usr/bin/cat') ? undefined : 'objdump or /usr/bin/cat missing' }, () => {
  const bin = '/usr/bin/cat'; // a dynamically linked system binary: its PLT calls libc
  const d = { stdout: execFileSync('objdump', ['-d', '-j', '.plt', bin], { encoding: 'utf8' }) };
  const plt = [...d.stdout.matchAll(/^([0-9a-f]+) <([^>]+@plt)>:/gm)].map((m) => ({ addr: BigInt('0x' + m[1]), name: m[2] }));
  assert.ok(plt.length > 0, 'objdump lists PLT entries');
  const perfStyle = new Symbolizer(nodeFileLoader(), { searchDebugFiles: false });
  const dso = perfStyle.dso(bin)!;
  for (const p of plt) {
    assert.equal(dso.symbolAt(p.addr)?.name, p.name);
    assert.equal(dso.symbolAt(p.addr + 6n)?.name, p.name);
  }
  // addr2line's symbol fallback knows no PLT symbols
  const a2l = new Symbolizer(nodeFileLoader(), { searchDebugFiles: false, symbolMatch: 'addr2line' });
  assert.ok(!a2l.dso(bin)!.symbolAt(plt[0].addr)?.name.endsWith('@plt'));
});

test('no NAME@plt symbols for a stripped PIE whose .dynsym has only imports (perf 6.1 synthesizes them only after loading some symbols)', { skip: hasTool('objdump') && hasTool('strip') ? undefined : 'objdump or strip missing' }, () => {
  const bin = compileWorkload('plt-calls.c', ['-O1', '-fno-builtin']);
  const stripped = `${bin}-stripped`;
  if (!existsSync(stripped)) execFileSync('strip', ['-s', '-o', stripped, bin]);
  const d = execFileSync('objdump', ['-d', '-j', '.plt', bin], { encoding: 'utf8' });
  const plt = [...d.matchAll(/^([0-9a-f]+) <([^>]+@plt)>:/gm)].map((m) => ({ addr: BigInt('0x' + m[1]), name: m[2] }));
  assert.ok(plt.some((p) => p.name === 'strchr@plt'), 'objdump lists strchr@plt');
  const perfStyle = new Symbolizer(nodeFileLoader(), { searchDebugFiles: false });
  const dyn = execFileSync('readelf', ['--dyn-syms', '-W', stripped], { encoding: 'utf8' });
  assert.ok(!/^\s*\d+:\s+[0-9a-f]+\s+\d+\s+(FUNC|OBJECT)\s+\S+\s+\S+\s+\d+\s/m.test(dyn), 'the stripped .dynsym defines nothing');
  for (const p of plt) assert.equal(perfStyle.dso(stripped)!.symbolAt(p.addr), undefined, `${p.name} in the stripped copy`);
});

test('PLT names from a copy with the same .dynsym (build-id cache copy, stripped binary), never from a debug-only file', { skip: hasTool('objcopy') && hasTool('strip') ? undefined : 'objcopy or strip missing' }, () => {
  const bin = compileWorkload('plt-calls.c', ['-O1', '-fno-builtin', '-Wl,--build-id']);
  const stripped = `${bin}-stripped-s`, dbg = `${bin}-only-debug`;
  if (!existsSync(stripped)) execFileSync('strip', ['-s', '-o', stripped, bin]);
  if (!existsSync(dbg)) execFileSync('objcopy', ['--only-keep-debug', bin, dbg]);
  const [a, b, c, d] = [bin, bin, stripped, dbg].map((f) => readElf(readFileSync(f), f));
  const want = pltRows(a);
  assert.ok(want.some((r) => r.name === 'strchr@plt'));
  assert.ok(sameDynsym(a, b) && sameDynsym(a, c) && sameDynsym(c, a));
  assert.deepEqual(pltRows(a, c.dynsym()), want);
  assert.ok(!sameDynsym(a, d), 'a debug-only file has a NOBITS .dynsym');
});

test('kernel-range addresses use exact 64-bit tables', () => {
  const idx = SymbolIndex.fromRows([
    { name: 'a', start: 0xffffffff81000000n, size: 0x10, bind: STB_GLOBAL },
    { name: 'b', start: 0xffffffff81000010n, size: 0, bind: STB_GLOBAL },
    { name: 'c', start: 0xffffffff81000020n, size: 4, bind: STB_GLOBAL },
  ]);
  assert.equal(idx.find(0xffffffff8100000fn)?.name, 'a');
  assert.equal(idx.find(0xffffffff8100001fn)?.name, 'b');
  assert.equal(idx.find(0xffffffff81000024n), undefined);
});

test('a DebugInfoProvider plugged into the Symbolizer supplies inline chains; the symbol table fills the outer name', { skip }, () => {
  const bin = manyFunctionsBinary(['-O1']);
  const elf = readElf(readFileSync(bin));
  const f7 = Array.from(elf.symtab()!).find((s) => s.name === 'f7')!;
  const seen: bigint[] = [];
  const sym = new Symbolizer(nodeFileLoader(), {
    searchDebugFiles: false,
    debugInfo: (e) => {
      assert.equal(e.buildIdHex(), elf.buildIdHex());
      return {
        frames: (a) => {
          seen.push(a);
          return a === f7.value + 1n ? [{ function: 'inl', file: 'x.c', line: 3, inlined: true }, { file: 'x.c', line: 9, inlined: false }] : undefined;
        },
      };
    },
  });
  assert.deepEqual(sym.symbolize(bin, f7.value + 1n), [
    { function: 'inl', file: 'x.c', line: 3, inlined: true },
    { function: 'f7', file: 'x.c', line: 9, inlined: false },
  ]);
  assert.deepEqual(sym.symbolize(bin, f7.value + 2n), [{ function: 'f7', inlined: false }], 'falls back to the symbol table');
  assert.deepEqual(seen, [f7.value + 1n, f7.value + 2n]);
  assert.deepEqual(sym.symbolize('/nonexistent/binary', 0x1000n), []);
});

test('.gnu_debugaltlink: the supplementary file is found by build-id and handed to the DebugInfoFactory', { skip }, () => {
  const bin = manyFunctionsBinary(['-O1', '-g']);
  const sup = manyFunctionsBinary(['-O2', '-g']); // stands in for a dwz common file: any ELF with a build-id
  const supId = readElf(readFileSync(sup)).buildIdHex()!;
  const dir = join(cacheDir, 'symbols-test', `altlink-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const payload = join(dir, 'altlink.bin');
  writeFileSync(payload, Buffer.concat([Buffer.from('/usr/lib/debug/.dwz/common.debug\0'), Buffer.from(supId, 'hex')]));
  const withAlt = join(dir, 'app');
  execFileSync('objcopy', ['--add-section', `.gnu_debugaltlink=${payload}`, bin, withAlt]);
  const elf = readElf(readFileSync(withAlt));
  const alt = elf.debugAltLink()!;
  assert.equal(alt.file, '/usr/lib/debug/.dwz/common.debug');
  assert.equal(Buffer.from(alt.buildId).toString('hex'), supId);
  const files: Record<string, string> = { '/app': withAlt, '/usr/lib/debug/.dwz/common.debug': sup };
  let got: string | undefined;
  const s = new Symbolizer({ readFile: (p) => (files[p] ? new Uint8Array(readFileSync(files[p])) : undefined) }, {
    debugInfo: (_e, supplementary) => { got = supplementary?.buildIdHex(); return undefined; },
  });
  s.symbolize('/app', 0x1000n);
  assert.equal(got, supId);
});

test('perf symbol tree: without overlaps, lookups equal a sorted-table search (random tables with aliases and zero sizes)', () => {
  let seed = 12345;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let round = 0; round < 20; round++) {
    // Distinct starts 16 apart, sizes within the gap; some addresses carry 2-3 aliases, some sizes 0.
    const rows: { name: string; start: bigint; size: number; bind: number }[] = [];
    const n = 50 + rnd(400);
    for (let i = 0; i < n; i++) {
      const start = 0x1000n + BigInt(rnd(n * 4) * 16);
      rows.push({ name: `f${i}${'x'.repeat(rnd(3))}`, start, size: rnd(4) === 0 ? 0 : 1 + rnd(16), bind: rnd(3) });
    }
    const tree = SymbolIndex.fromPerfPasses([rows.map((r) => ({ ...r }))]);
    const flat = SymbolIndex.fromRows(rows.map((r) => ({ ...r })), 0x1000n + BigInt(n * 64) + 8192n);
    for (let a = 0x1000; a < 0x1000 + n * 64; a += 3) {
      const x = tree.find(a), y = flat.find(a);
      // fromRows gives the last symbol a 1-byte or lastEnd length; perf gives it a page and more.
      if (y && x && y.end > x.end) continue;
      assert.equal(x?.name, y?.name, `address ${a.toString(16)} in round ${round}`);
    }
  }
});

test('perf symbol index: merged in-order lookups with a lazy tree and aliases decided on lookup answer as the eagerly built tree (passes, duplicates, overlaps, extras)', () => {
  let seed = 777;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  const pass = (rows: { name: string; start: bigint; size: number; bind: number }[], bytes = false) => {
    const n = rows.length;
    const hi = new Uint32Array(n), lo = new Uint32Array(n), size = new Float64Array(n), bind = new Int8Array(n);
    rows.forEach((r, i) => { hi[i] = Number(r.start >> 32n); lo[i] = Number(r.start & 0xffffffffn); size[i] = r.size; bind[i] = r.bind; });
    return { count: n, hi, lo, size, bind, name: (i: number) => rows[i].name, asciiName: bytes ? (i: number) => Buffer.from(rows[i].name) : undefined };
  };
  let treeLookups = 0;
  for (let round = 0; round < 30; round++) {
    const base = round % 3 === 0 ? 0x7f0000000000n : 0x1000n;
    const mk = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({
      // Sized functions that cover later labels and functions, aliases at one address, zero sizes.
      name: `${'_'.repeat(rnd(3))}${rnd(9) ? '' : 'SyS'}${tag}${i % 7}${'x'.repeat(rnd(3))}`, start: base + BigInt(rnd(n * 2) * 16),
      size: rnd(3) === 0 ? 0 : rnd(5) === 0 ? 16 * (1 + rnd(40)) : rnd(2) ? 16 : 1 + rnd(16), bind: rnd(3) ? STB_GLOBAL : rnd(3),
    }));
    const n = 30 + rnd(300);
    const passes = [mk(n, 's'), rnd(2) ? mk(n >> 2, 'd') : []];
    const extra = mk(rnd(20), 'plt').map((r) => ({ ...r, size: 16 }));
    // The eager one builds the tree at once and compares every alias while loading (eagerAliases);
    // the lazy one compares ASCII names by their bytes (asciiName), the eager one by strings.
    const eager = SymbolIndex.fromPerfColumns(passes.map((p) => pass(p)), extra, { eagerTree: true, eagerAliases: true });
    const lazy = SymbolIndex.fromPerfColumns(passes.map((p) => pass(p, true)), extra);
    assert.equal(lazy.size, eager.size);
    for (let a = Number(base) - 16; a < Number(base) + n * 48 + 8192; a += 1 + rnd(5)) {
      const x = eager.find(a), y = lazy.find(a);
      assert.deepEqual(y, x, `address ${a.toString(16)} in round ${round}`);
      if (x && passes[0].filter((r) => r.start <= BigInt(a) && BigInt(a) < r.start + BigInt(Math.max(r.size, 1))).length > 1) treeLookups++;
    }
  }
  assert.ok(treeLookups > 100, 'the inputs overlap');
});

test('perf symbol index: rankName decides aliases at one address by their ranked names, also over byte names and with the tree', () => {
  // perf demangles at load: _Znam "operator new[]" beats _Znwm "operator new" (longer); raw, the first stays.
  const rank = (n: string) => (n === '_Znwm' ? 'operator new' : n === '_Znam' ? 'operator new[]' : n);
  const rows = [
    { name: '_Znwm', start: 0x1000n, size: 0x20, bind: STB_GLOBAL },
    { name: '_Znam', start: 0x1000n, size: 0x20, bind: STB_GLOBAL },
    { name: 'inner', start: 0x1008n, size: 0, bind: STB_GLOBAL },
    { name: 'after', start: 0x1040n, size: 0x10, bind: STB_GLOBAL },
  ];
  const pass = () => {
    const hi = new Uint32Array(4), lo = Uint32Array.from(rows, (r) => Number(r.start)), size = Float64Array.from(rows, (r) => r.size), bind = Int8Array.from(rows, (r) => r.bind);
    return { count: 4, hi, lo, size, bind, name: (i: number) => rows[i].name, asciiName: (i: number) => Buffer.from(rows[i].name) };
  };
  assert.equal(SymbolIndex.fromPerfPasses([rows]).find(0x1000)?.name, '_Znwm');
  assert.equal(SymbolIndex.fromPerfPasses([rows], [], rank).find(0x1000)?.name, '_Znam');
  for (const eagerTree of [false, true]) {
    const ix = SymbolIndex.fromPerfColumns([pass(), pass()], [], { rankName: rank, eagerTree });
    assert.equal(ix.find(0x1000)?.name, '_Znam', `eagerTree ${eagerTree}`);
    assert.equal(ix.find(0x1004)?.name, '_Znam');
    assert.equal(ix.find(0x1044)?.name, 'after');
  }
});

test('perf symbol tree: a label inside a sized function resolves by the tree (one of the two, never neither)', () => {
  // FUNC f [0x100, 0x200) with a label at 0x140; the label ends at the next symbol, g at 0x180.
  const rows = [
    { name: 'f', start: 0x100n, size: 0x100, bind: STB_GLOBAL },
    { name: 'f_label', start: 0x140n, size: 0, bind: STB_GLOBAL },
    { name: 'g_label', start: 0x180n, size: 0, bind: STB_GLOBAL },
    { name: 'h', start: 0x300n, size: 0x10, bind: STB_GLOBAL },
  ];
  const idx = SymbolIndex.fromPerfPasses([rows]);
  for (const a of [0x140, 0x17f, 0x180, 0x1ff]) assert.ok(['f', 'f_label', 'g_label'].includes(idx.find(a)!.name));
  assert.equal(idx.find(0x100)?.name, 'f');
  assert.equal(idx.find(0x2ff)?.name, 'g_label', 'a zero-sized symbol ends where the next one starts');
  assert.equal(idx.find(0x310), undefined);
});

const perfSkip = perfSkipReason();
const stackcollapse = perfSkip ? undefined : join(runPerf(['--exec-path']).stdout.trim(), 'scripts/python/stackcollapse.py');
test('labels inside sized functions resolve as perf 6.1 resolves them (test/workloads/labels.c, folded stacks equal stackcollapse.py)', { skip: perfSkip ?? (existsSync(stackcollapse!) ? undefined : 'no stackcollapse.py') }, () => {
  const bin = compileWorkload('labels.c', ['-O1', '-g', '-fno-omit-frame-pointer']);
  const rec = perfRecording('labels', ['record', '-g', '-F', '2000', '--', bin, '300']);
  const theirs = runPerf(['script', '-s', stackcollapse!, '-i', rec]);
  assert.equal(theirs.status, 0, theirs.stderr);
  // perf reports some loops under the label and some under the function, by its tree's shape.
  assert.match(theirs.stdout, /;spin\d+_loop \d+$/m);
  assert.match(theirs.stdout, /;spin\d+ \d+$/m);
  const mine = runKscope(['flame', '-i', rec, '-o', '-']);
  assert.equal(mine.status, 0, mine.stderr);
  assert.equal(mine.stdout, theirs.stdout);
});

test('aliases at one address: perf compares demangled names (test/workloads/aliases.c: foo::bar over spin), in report and flame', { skip: perfSkip ?? (existsSync(stackcollapse!) ? undefined : 'no stackcollapse.py') }, () => {
  const bin = compileWorkload('aliases.c', ['-O1', '-g', '-fno-omit-frame-pointer']);
  const rec = perfRecording('aliases', ['record', '-g', '-F', '1000', '--', bin, '300']);
  const args = ['report', '-i', rec, '--stdio', '--no-children', '-g', 'none'];
  const rows = (t: string) => t.split('\n').filter((l) => l && !l.startsWith('#'));
  const theirs = runPerf(args);
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.match(theirs.stdout, /\[\.\] foo::bar$/m);
  const mine = runKscope(args);
  assert.equal(mine.status, 0, mine.stderr);
  assert.deepEqual(rows(mine.stdout), rows(theirs.stdout));
  const folded = runPerf(['script', '-s', stackcollapse!, '-i', rec]);
  const flame = runKscope(['flame', '-i', rec, '-o', '-']);
  assert.equal(flame.status, 0, flame.stderr);
  assert.equal(flame.stdout, folded.stdout);
  // perf script, and with --no-demangle the raw names compare (spin wins)
  for (const extra of [[], ['--no-demangle']]) {
    const t = runPerf(['script', '-i', rec, ...extra]), m = runKscope(['script', '-i', rec, ...extra]);
    assert.equal(m.stdout, t.stdout, `script ${extra.join(' ')}`);
  }
});

test('perf symbol columns: a picked symbol whose st_name runs past the string table is a FormatError at load, the first such row named', { skip }, () => {
  const bytes = new Uint8Array(readFileSync(manyFunctionsBinary(['-O1'])));
  const elf = readElf(bytes);
  const symtab = elf.sections.find((s) => s.name === '.symtab')!;
  const table = elf.symtab()!;
  const strtabSize = elf.sections[symtab.link].size;
  // Two FUNC symbols (perf picks them) with st_name beyond the string table: the first is reported.
  const funcs = Array.from({ length: table.count }, (_, i) => i).filter((i) => table.type(i) === STT_FUNC && table.shndx[i] > 0 && table.nameOffset[i] > 0);
  const bad = [funcs[3], funcs[1]].sort((a, b) => a - b);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const i of bad) view.setUint32(symtab.offset + i * 24, strtabSize + 10 + i, true);
  const s = new Symbolizer({ readFile: (p) => (p === '/app' ? bytes : undefined) }, { searchDebugFiles: false });
  assert.throws(() => s.dso('/app'), (e: Error) => e.name === 'FormatError' && e.message.includes(`symbol ${bad[0]} name`));
});

const SYSTEM_ELFS = ['/usr/bin/node', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libstdc++.so.6', '/usr/bin/bash', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'].filter((f) => existsSync(f));

test('perf symbol columns read in one pass from the table bytes equal those picked from the decoded table (system binaries, .symtab and .dynsym)', { skip: SYSTEM_ELFS.length >= 2 ? undefined : 'fewer than two of the Debian x86-64 system ELF files this compares are here' }, () => {
  const files = SYSTEM_ELFS;
  let rows = 0;
  for (const f of files) {
    const elf = readElf(new Uint8Array(readFileSync(f)));
    for (const type of [SHT_SYMTAB, SHT_DYNSYM]) {
      const got = perfSymbolColumnsOf(elf, type);
      const table = type === SHT_SYMTAB ? elf.symtab() : elf.dynsym();
      if (!table || table.count <= 1) { assert.equal(got, undefined, `${f} ${type}`); continue; }
      const want = perfSymbolColumns(table, elf);
      assert.ok(got, `${f} ${type}`);
      assert.equal(got.count, want.count, `${f} ${type}`);
      assert.equal(got.big, want.big);
      assert.deepEqual([got.hi, got.lo, got.size, got.bind], [want.hi, want.lo, want.size, want.bind], `${f} ${type}`);
      for (let k = 0; k < got.count; k++) {
        const name = want.name(k);
        if (got.name(k) !== name) assert.fail(`${f} ${type} row ${k}: ${got.name(k)} != ${name}`);
        const ascii: Buffer | undefined = /^[\x00-\x7f]*$/.test(name) ? Buffer.from(name) : undefined;
        assert.deepEqual(got.asciiName!(k) && Buffer.from(got.asciiName!(k)!), ascii);
      }
      rows += got.count;
    }
    // PLT rows with names decoded when asked equal the eager ones (names from the decoded .dynsym)
    const lazy = pltRows(elf), eager = elf.dynsym() ? pltRows(elf, elf.dynsym()) : [];
    assert.deepEqual(lazy.map((r) => [r.name, r.start, r.size, r.bind]), eager.map((r) => [r.name, r.start, r.size, r.bind]), f);
  }
  assert.ok(rows > 100000, `${rows} rows`);
});

test('perf symbol tree near 2^64: aliases at one start chosen by size as at low addresses (sizes subtracted before rounding), and PLT rows alone', () => {
  // choose_best_symbol prefers a sized symbol, then a global one: __s3xx at any base. Kernel-range
  // starts take the u64 (big) path, where a 1-byte size read as end - start in doubles was 0.
  const at = (base: bigint) => SymbolIndex.fromPerfPasses([[
    { name: '_s0x', start: base, size: 0, bind: STB_GLOBAL },
    { name: 's1xx', start: base, size: 0, bind: STB_WEAK },
    { name: '__s2x', start: base, size: 1, bind: STB_LOCAL },
    { name: '__s3xx', start: base, size: 1, bind: STB_GLOBAL },
    { name: 'next', start: base + 0x100n, size: 0x10, bind: STB_GLOBAL },
  ]]);
  for (const base of [0x1000n, 0xffffffff81000000n]) {
    const e = at(base).find(base);
    assert.equal(e?.name, '__s3xx', `base ${base.toString(16)}`);
    assert.equal(e?.end, base + 1n);
  }
  // no symbol table rows, only PLT entries (extra rows) at a kernel-range address
  const plt = SymbolIndex.fromPerfPasses([], [{ name: 'k@plt', start: 0xffffffff81000000n, size: 16, bind: STB_GLOBAL }]);
  assert.equal(plt.find(0xffffffff81000008n)?.name, 'k@plt');
});
