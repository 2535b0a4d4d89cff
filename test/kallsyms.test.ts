// formats/kallsyms + symbols/kernel against the running kernel's /proc/kallsyms; formats/perf-map +
// symbols/jit against a `node --perf-basic-prof` run's /tmp/perf-PID.map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { readKallsyms, readProcModules, isKallsyms } from '../src/formats/kallsyms.js';
import { readPerfMap } from '../src/formats/perf-map.js';
import { KernelSymbols } from '../src/symbols/kernel.js';
import { JitSymbols } from '../src/symbols/jit.js';
import { FormatError } from '../src/util/index.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 0x100000000; };
}

const kallsymsText = existsSync('/proc/kallsyms') ? readFileSync('/proc/kallsyms', 'utf8') : '';
const kallsymsSkip = kallsymsText === '' ? '/proc/kallsyms is not readable'
  : /^0+ /.test(kallsymsText) ? '/proc/kallsyms addresses are hidden (kptr_restrict)' : undefined;

test('readKallsyms parses lines, types, modules, and sorts exactly above 2^53', () => {
  const t = readKallsyms('ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]\nffffffff81000000 T _text\nffffffff81000000 T _stext\n');
  assert.equal(t.count, 3);
  assert.deepEqual([0, 1, 2].map((i) => t.nameAt(i)), ['_text', '_stext', 'ftrace_trampoline']);
  assert.deepEqual([0, 1, 2].map((i) => t.moduleAt(i)), ['', '', '__builtin__ftrace']);
  assert.equal(t.addrHi[2], 0xffffffff); assert.equal(t.addrLo[2], 0xc0201000);
  assert.equal(String.fromCharCode(t.type[0]), 'T');
  assert.equal(t.restricted, false);
  assert.equal(readKallsyms('0000000000000000 T a\n0000000000000000 t b\n').restricted, true);
  assert.ok(isKallsyms('ffffffff81000000 T _text\n'));
  assert.throws(() => readKallsyms('ffffffff81000000 T _text\nnot a line\n'), (e: unknown) => e instanceof FormatError && e.offset === 25);
  const m = readProcModules('ext4 1028096 2 mbcache,jbd2, Live 0xffffffffc0a00000\nfoo 4096 0 - Loading 0x0000000000000000 (OE)\n');
  assert.deepEqual(m.map((x) => [x.name, x.size, x.deps, x.state, x.address, x.taint]), [
    ['ext4', 1028096, ['mbcache', 'jbd2'], 'Live', 0xffffffffc0a00000n, undefined],
    ['foo', 4096, [], 'Loading', 0n, '(OE)'],
  ]);
  assert.throws(() => readProcModules('bad line\n'), FormatError);
});

test('kernel lookups agree with /proc/kallsyms for 1000 random text addresses', { skip: kallsymsSkip }, () => {
  const ks = KernelSymbols.fromText(kallsymsText);
  // Oracle, straight from the text: text symbols with a unique address; expect that symbol for any
  // address in [sym, next higher address among the kept (T/W/D/B) symbols).
  const rows = kallsymsText.split('\n').filter(Boolean).map((l) => {
    const [a, t, rest] = [l.slice(0, 16), l[17], l.slice(19)];
    return { addr: BigInt('0x' + a), type: t, name: rest.split('\t')[0], module: rest.includes('\t') };
  });
  const kept = rows.filter((r) => 'TWDB'.includes(r.type.toUpperCase())).sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  const count = new Map<bigint, number>();
  for (const r of kept) count.set(r.addr, (count.get(r.addr) ?? 0) + 1);
  const candidates: { addr: bigint; next: bigint; name: string }[] = [];
  for (let i = 0; i + 1 < kept.length; i++) {
    const r = kept[i];
    if (r.type.toUpperCase() !== 'T' || count.get(r.addr) !== 1 || r.module) continue;
    let j = i + 1;
    while (j < kept.length && kept[j].addr === r.addr) j++;
    if (j < kept.length && !kept[j].module && kept[j].addr > r.addr) candidates.push({ addr: r.addr, next: kept[j].addr, name: r.name });
  }
  assert.ok(candidates.length > 1000, `${candidates.length} candidates`);
  const rand = rng(42);
  for (let k = 0; k < 1000; k++) {
    const c = candidates[Math.floor(rand() * candidates.length)];
    const span = Number(c.next - c.addr);
    const a = c.addr + BigInt(Math.floor(rand() * span));
    const got = ks.find(a);
    assert.equal(got?.name, c.name, `0x${a.toString(16)}`);
    assert.equal(got?.offset, a - c.addr);
    assert.equal(got?.module, '');
  }
  // Equal-address groups resolve to one of the group, never another address.
  const stext = ks.find(BigInt('0x' + kallsymsText.slice(0, 16)));
  assert.ok(stext && rows.some((r) => r.name === stext.name && r.addr === stext.start));
});

test('kernel symbols: border between image and modules, and module ranges from /proc/modules', () => {
  const ks = KernelSymbols.fromText(
    'ffffffff81000000 T _text\nffffffff81000100 T last_core\nffffffffc0a00000 t m_init\t[mymod]\nffffffffc0a00040 t m_other\t[mymod]\n',
    'mymod 256 0 - Live 0xffffffffc0a00000\n',
  );
  assert.equal(ks.find(0xffffffff810000ffn)?.name, '_text');
  assert.equal(ks.find(0xffffffff81001fffn)?.name, 'last_core', 'a core symbol before a module ends at the next page + 4096');
  assert.equal(ks.find(0xffffffff81002000n), undefined);
  assert.equal(ks.find(0xffffffffc0a0003fn)?.module, 'mymod');
  assert.equal(ks.find(0xffffffffc0a000ffn)?.name, 'm_other');
  assert.equal(ks.find(0xffffffffc0a00100n), undefined, 'capped at the module end');
  assert.equal(ks.moduleFor(0xffffffffc0a00010n)?.name, 'mymod');
});

test('kallsyms aliases at one address: the last one listed wins, as perf 6.1 keeps it', () => {
  // memcpy / __pi_memcpy, __ia32_sys_vfork / __x64_sys_vfork: perf prints the second of each
  const text = 'ffffffff81000000 T _stext\nffffffff81000100 T memcpy\nffffffff81000100 T __pi_memcpy\n' +
    'ffffffff81000200 T __ia32_sys_vfork\nffffffff81000200 T __x64_sys_vfork\nffffffff81000300 T zzz\n';
  const k = KernelSymbols.fromText(text);
  assert.equal(k.find(0xffffffff81000108n)?.name, '__pi_memcpy');
  assert.equal(k.find(0xffffffff81000243n)?.name, '__x64_sys_vfork');
  assert.equal(k.find(0xffffffff81000243n)?.offset, 0x43n);
  assert.equal(k.find(0xffffffff81000010n)?.name, '_stext');
});

test('readPerfMap parses START SIZE name with spaces; malformed lines are FormatErrors', () => {
  const m = readPerfMap('7f00aa001000 40 LazyCompile:~f /x y.js:1:2\n\n0x10 0x8 stub\n');
  assert.equal(m.count, 2);
  assert.equal(m.name[0], 'LazyCompile:~f /x y.js:1:2');
  assert.equal(m.startHi[0] * 2 ** 32 + m.startLo[0], 0x7f00aa001000);
  assert.equal(m.size[1], 8);
  assert.throws(() => readPerfMap('zz 10 x\n'), FormatError);
  const j = JitSymbols.fromText('1000 100 old\n1080 10 inner\n1000 20 newer\n');
  assert.equal(j.find(0x1005)?.name, 'newer');
  assert.equal(j.find(0x1085)?.name, 'inner');
  assert.equal(j.find(0x1095)?.name, 'old');
  assert.equal(j.find(0x1100), undefined);
});

test('JIT lookups agree with the perf map of a node --perf-basic-prof run', () => {
  const script = 'let s = 0; function hot(i) { return (i * 31) ^ (s >>> 3); } for (let i = 0; i < 3e6; i++) s = hot(i) + ((x) => x + 1)(i); console.log(s > 0);';
  const r = spawnSync(process.execPath, ['--perf-basic-prof', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const file = `/tmp/perf-${r.pid}.map`;
  assert.ok(existsSync(file), `${file} written`);
  const text = readFileSync(file, 'utf8');
  rmSync(file, { force: true });
  const lines = text.split('\n').filter(Boolean).map((l) => {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(l)!;
    return { start: parseInt(m[1], 16), size: parseInt(m[2], 16), name: m[3] };
  });
  assert.ok(lines.length > 100, `${lines.length} entries`);
  assert.ok(lines.some((l) => l.name.includes('hot')), 'the hot function was JIT-compiled');
  const jit = JitSymbols.fromText(text, file);
  assert.equal(jit.size, lines.length);
  const rand = rng(7);
  for (let k = 0; k < 1000; k++) {
    const e = lines[Math.floor(rand() * lines.length)];
    const a = e.start + Math.floor(rand() * Math.max(e.size, 1));
    // Oracle: the last line in file order that covers the address.
    let want: string | undefined;
    for (const l of lines) if (a >= l.start && a < l.start + l.size) want = l.name;
    assert.equal(jit.find(a)?.name, want, `0x${a.toString(16)}`);
  }
  const min = Math.min(...lines.map((l) => l.start));
  assert.equal(jit.find(min - 1), undefined, 'below every entry');
});

test('hostile kallsyms/perf-map text gives FormatError only', () => {
  const base = 'ffffffff81000000 T _text\nffffffffc0201000 t tramp\t[m]\n';
  const rand = rng(3);
  for (let k = 0; k < 500; k++) {
    const chars = base.split('');
    chars[Math.floor(rand() * chars.length)] = String.fromCharCode(Math.floor(rand() * 128));
    const t = chars.join('').slice(0, Math.floor(rand() * base.length) + 1);
    for (const f of [readKallsyms, readPerfMap, readProcModules] as ((s: string) => unknown)[]) {
      try { f(t); } catch (e) { assert.ok(e instanceof FormatError, String(e)); }
    }
  }
});

test('kernel findAt and its accessors answer as find does (starts, last bytes, ends, interiors; image and modules)', { skip: kallsymsSkip }, () => {
  const modules = existsSync('/proc/modules') ? readFileSync('/proc/modules', 'utf8') : undefined;
  const ks = KernelSymbols.fromText(kallsymsText, modules);
  const rand = rng(7);
  const addrs: bigint[] = [0n, 0xffffffffffffffffn];
  for (const line of kallsymsText.split('\n')) {
    if (!line) continue;
    const a = BigInt('0x' + line.slice(0, 16));
    addrs.push(a, a - 1n, a + 1n, a + BigInt(Math.floor(rand() * 4096)));
  }
  let found = 0, modular = 0;
  for (const raw of addrs) {
    const a = BigInt.asUintN(64, raw);
    const want = ks.find(a);
    const i = ks.findAt(Number(a >> 32n), Number(a & 0xffffffffn));
    if (!want) { assert.equal(i, -1, `0x${a.toString(16)}`); continue; }
    assert.ok(i >= 0, `0x${a.toString(16)}`);
    found++;
    const start = (BigInt(ks.startHiAt(i)) << 32n) | BigInt(ks.startLoAt(i));
    assert.equal(start, want.start);
    assert.equal(ks.nameAt(i), want.name);
    const mod = ks.table.moduleNames[ks.moduleIdAt(i)];
    assert.equal(mod, want.module);
    if (mod) modular++;
  }
  assert.ok(found > 100000, `${found} found`);
  if (kallsymsText.includes('\t[')) assert.ok(modular > 0, 'no module symbol found');
});
