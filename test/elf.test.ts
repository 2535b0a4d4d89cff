// formats/elf against readelf (binutils) on binaries gcc builds here and on the system libc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf, isElf, crc32, SHF_COMPRESSED, SHT_SYMTAB, SHT_DYNSYM, type ElfFile, type ElfSymbol } from '../src/formats/elf/index.js';
import { perfSymbolColumnsOf, pltRows } from '../src/symbols/symbol-index.js';
import { FormatError } from '../src/util/index.js';
import { compileWorkload, hasTool, cacheDir, workloadsDir } from './helpers/fixtures.js';

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const noReadelf = hasTool('readelf') && hasTool('gcc') ? undefined : 'readelf or gcc is not installed';

function readelf(args: string[], file: string): string {
  return execFileSync('readelf', [...args, '--wide', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

interface RSection { index: number; name: string; type: string; addr: bigint; off: number; size: number; flags: string }
function readelfSections(file: string): RSection[] {
  const out: RSection[] = [];
  for (const line of readelf(['-S'], file).split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s(.*?)\s+(\S+)\s+([0-9a-f]{8,16})\s+([0-9a-f]{6,})\s+([0-9a-f]{6,})\s+[0-9a-f]+\s+([A-Za-z]*)\s/.exec(line);
    if (m) out.push({ index: +m[1], name: m[2].trim(), type: m[3], addr: BigInt('0x' + m[4]), off: parseInt(m[5], 16), size: parseInt(m[6], 16), flags: m[7] });
  }
  return out;
}

interface RSym { value: bigint; size: number; type: string; bind: string; vis: string; ndx: string; name: string }
function readelfSymbols(file: string): Map<string, RSym[]> {
  const tables = new Map<string, RSym[]>();
  let cur: RSym[] | undefined;
  for (const line of readelf(['-s'], file).split('\n')) {
    const h = /^Symbol table '([^']+)'/.exec(line);
    if (h) { cur = []; tables.set(h[1], cur); continue; }
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
    if (m && cur) {
      const size = m[2].startsWith('0x') ? parseInt(m[2], 16) : +m[2];
      // readelf appends the symbol version ("@GLIBC_2.2.5 (2)", "@@GLIBC_2.34") to .dynsym names.
      const name = m[7].replace(/ \(\d+\)$/, '');
      cur.push({ value: BigInt('0x' + m[1]), size, type: m[3], bind: m[4], vis: m[5], ndx: m[6], name });
    }
  }
  return tables;
}

const TYPES: Record<number, string> = { 0: 'NOTYPE', 1: 'OBJECT', 2: 'FUNC', 3: 'SECTION', 4: 'FILE', 5: 'COMMON', 6: 'TLS', 10: 'IFUNC' };
const BINDS: Record<number, string> = { 0: 'LOCAL', 1: 'GLOBAL', 2: 'WEAK', 10: 'UNIQUE' };
const VIS = ['DEFAULT', 'INTERNAL', 'HIDDEN', 'PROTECTED'];

function compareWithReadelf(path: string): { sections: number; symbols: number } {
  const elf = readElf(readFileSync(path), path);
  const rs = readelfSections(path);
  assert.equal(elf.sections.length, rs.length, 'section count');
  for (const r of rs) {
    const s = elf.sections[r.index];
    assert.equal(s.name, r.name, `section ${r.index} name`);
    assert.equal(s.addr, r.addr, `${r.name} address`);
    assert.equal(s.offset, r.off, `${r.name} offset`);
    assert.equal(s.size, r.size, `${r.name} size`);
  }
  const syms = readelfSymbols(path);
  let n = 0;
  for (const [tableName, rsyms] of syms) {
    const table = tableName === '.dynsym' ? elf.dynsym() : elf.symtab();
    assert.ok(table, `${tableName} present`);
    assert.equal(table.count, rsyms.length, `${tableName} count`);
    for (let i = 0; i < rsyms.length; i++) {
      const r = rsyms[i];
      const s: ElfSymbol = table.symbol(i);
      assert.equal(s.value, r.value, `${tableName}[${i}] value`);
      assert.equal(s.size, r.size, `${tableName}[${i}] size`);
      assert.equal(TYPES[s.type] ?? '?', r.type, `${tableName}[${i}] type`);
      assert.equal(BINDS[s.bind] ?? '?', r.bind, `${tableName}[${i}] bind`);
      assert.equal(VIS[s.visibility], r.vis, `${tableName}[${i}] visibility`);
      if (/^\d+$/.test(r.ndx)) assert.equal(s.shndx, +r.ndx, `${tableName}[${i}] shndx`);
      // readelf -W still shortens nothing; a versioned .dynsym name is NAME@VER or NAME@@VER.
      // readelf shows a nameless STT_SECTION symbol under its section's name.
      const shown = s.name === '' && s.type === 3 ? elf.sections[s.shndx]?.name ?? '' : s.name;
      assert.ok(r.name === shown || r.name.startsWith(shown + '@'), `${tableName}[${i}] name ${s.name} vs ${r.name}`);
      n++;
    }
  }
  const m = /Build ID: ([0-9a-f]+)/.exec(readelf(['-n'], path));
  assert.equal(elf.buildIdHex(), m?.[1], 'build-id');
  return { sections: rs.length, symbols: n };
}

test('isElf checks the magic', () => {
  assert.equal(isElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2])), true);
  assert.equal(isElf(new Uint8Array([0x7f, 0x45, 0x4c])), false);
  assert.equal(isElf(new TextEncoder().encode('PERFILE2')), false);
});

test('crc32 matches the zlib check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('gcc-built binary: sections, symbols and build-id agree with readelf', { skip: noReadelf }, () => {
  for (const flags of [['-O1', '-g'], ['-O2'], ['-O1', '-g', '-static']]) {
    const bin = compileWorkload('burn.c', flags);
    const r = compareWithReadelf(bin);
    assert.ok(r.sections > 20 && r.symbols > 30, JSON.stringify(r));
  }
});

test('libc.so.6: sections, symbols and build-id agree with readelf', { skip: noReadelf ?? (existsSync(LIBC) ? undefined : `${LIBC} not present`) }, () => {
  const r = compareWithReadelf(LIBC);
  assert.ok(r.symbols > 2000, `symbols ${r.symbols}`);
});

const LL = `@counter = global i32 7, align 4
@table = internal global [4 x i64] zeroinitializer, align 8
define i32 @add(i32 %a, i32 %b) {
  %s = add i32 %a, %b
  %c = load i32, i32* @counter
  %r = add i32 %s, %c
  ret i32 %r
}
define internal i32 @helper(i32 %x) {
  %r = mul i32 %x, 3
  ret i32 %r
}
define i32 @main() {
  %a = call i32 @add(i32 1, i32 2)
  %b = call i32 @helper(i32 %a)
  ret i32 %b
}
`;

test('ELF32 and big-endian objects (llc for ppc64, s390x, mips, i686; gcc -m32 -c) agree with readelf', { skip: noReadelf ?? (hasTool('llc-14') ? undefined : 'llc-14 missing') }, () => {
  const dir = join(cacheDir, 'elf-test'); mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'objects.ll'), LL);
  const seen = new Set<string>();
  for (const triple of ['powerpc64-unknown-linux-gnu', 's390x-unknown-linux-gnu', 'mips-unknown-linux-gnu', 'i686-unknown-linux-gnu']) {
    const out = join(dir, `obj-${triple}.o`);
    execFileSync('llc-14', [`-mtriple=${triple}`, '-filetype=obj', '-o', out, join(dir, 'objects.ll')]);
    const elf = readElf(readFileSync(out), out);
    seen.add(`${elf.header.bits}${elf.header.littleEndian ? 'LE' : 'BE'}`);
    const r = compareWithReadelf(out);
    assert.ok(r.symbols >= 6, `${triple}: ${r.symbols} symbols`);
    const t = elf.symtab()!;
    const names = Array.from(t, (x) => x.name);
    assert.ok(names.includes('add') && names.includes('helper') && names.includes('counter'), names.join(','));
  }
  assert.deepEqual([...seen].sort(), ['32BE', '32LE', '64BE']);
  const m32 = join(dir, 'burn-m32.o');
  if (spawnSync('gcc', ['-m32', '-g', '-c', '-o', m32, join(workloadsDir, 'burn.c')], { stdio: 'ignore' }).status === 0) compareWithReadelf(m32);
});

/** A hand-made ELF64 LE with 3 sections whose count and name-table index use the section-0 escapes. */
function escapedElf(): Uint8Array {
  const names = new TextEncoder().encode('\0.shstrtab\0.text\0');
  const shoff = 64 + 16;
  const b = new Uint8Array(shoff + 3 * 64);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 1, true); v.setUint16(18, 62, true); v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, 64, true); v.setUint16(54, 56, true);
  v.setUint16(56, 0xffff, true); // e_phnum = PN_XNUM → section 0 sh_info (0 here)
  v.setUint16(58, 64, true);
  v.setUint16(60, 0, true); // e_shnum = 0 → section 0 sh_size
  v.setUint16(62, 0xffff, true); // e_shstrndx = SHN_XINDEX → section 0 sh_link
  b.set(names, 64);
  // section 0: sh_size = 3, sh_link = 2, sh_info = 0
  v.setBigUint64(shoff + 32, 3n, true); v.setUint32(shoff + 40, 2, true);
  // section 1: .text, PROGBITS, addr 0xffffffff81000000 (kernel range, above 2^53)
  const s1 = shoff + 64;
  v.setUint32(s1, 11, true); v.setUint32(s1 + 4, 1, true); v.setBigUint64(s1 + 8, 6n, true);
  v.setBigUint64(s1 + 16, 0xffffffff81000000n, true); v.setBigUint64(s1 + 24, 64n, true); v.setBigUint64(s1 + 32, 4n, true);
  // section 2: .shstrtab
  const s2 = shoff + 128;
  v.setUint32(s2, 1, true); v.setUint32(s2 + 4, 3, true); v.setBigUint64(s2 + 24, 64n, true); v.setBigUint64(s2 + 32, BigInt(names.length), true);
  return b;
}

test('section-0 escapes: e_shnum 0, e_shstrndx SHN_XINDEX, e_phnum PN_XNUM; 64-bit addresses stay exact', () => {
  const elf = readElf(escapedElf(), 'escaped');
  assert.equal(elf.header.shnum, 3);
  assert.equal(elf.header.shstrndx, 2);
  assert.equal(elf.header.phnum, 0);
  assert.deepEqual(elf.sections.map((s) => s.name), ['', '.text', '.shstrtab']);
  assert.equal(elf.findSection('.text')!.addr, 0xffffffff81000000n);
  assert.equal(elf.sectionData(elf.findSection('.text')!).length, 4);
  const bad = escapedElf();
  new DataView(bad.buffer).setUint32(64 + 16 + 40, 7, true); // sh_link → section 7 of 3
  assert.throws(() => readElf(bad, 'bad'), (e: unknown) => e instanceof FormatError && /e_shstrndx/.test(e.message));
});

function objcopy(args: string[], from: string, to: string): boolean {
  return spawnSync('objcopy', [...args, from, to], { stdio: 'ignore' }).status === 0;
}

test('compressed debug sections (gcc -gz=zlib, objcopy zstd and zlib-gnu) decompress to the uncompressed bytes', { skip: noReadelf ?? (hasTool('objcopy') ? undefined : 'objcopy missing') }, () => {
  const plain = compileWorkload('burn.c', ['-O1', '-g']);
  const gz = compileWorkload('burn.c', ['-O1', '-g', '-gz=zlib']);
  const dir = join(cacheDir, 'elf-test'); mkdirSync(dir, { recursive: true });
  const decompressed = join(dir, `burn-gz-decompressed-${process.pid}`);
  assert.ok(objcopy(['--decompress-debug-sections'], gz, decompressed));
  const variants: [string, ElfFile][] = [['gz=zlib', readElf(readFileSync(gz), gz)]];
  for (const kind of ['zstd', 'zlib-gnu']) {
    const out = join(dir, `burn-${kind}-${process.pid}`);
    if (objcopy([`--compress-debug-sections=${kind}`], plain, out)) variants.push([kind, readElf(readFileSync(out), out)]);
  }
  assert.ok(variants.length >= 2, 'objcopy made at least one more compressed variant');
  const ref = readElf(readFileSync(decompressed), decompressed);
  const refPlain = readElf(readFileSync(plain), plain);
  for (const [kind, elf] of variants) {
    const base = kind === 'gz=zlib' ? ref : refPlain;
    let compared = 0;
    for (const name of ['.debug_info', '.debug_line', '.debug_abbrev', '.debug_str']) {
      const s = elf.findSection(name);
      assert.ok(s, `${kind}: ${name}`);
      if (kind !== 'zlib-gnu') assert.ok(s.flags & SHF_COMPRESSED, `${kind}: ${name} is SHF_COMPRESSED`);
      else assert.ok(s.name.startsWith('.zdebug'), `${kind}: ${s.name}`);
      const want = base.sectionDataByName(name)!;
      const got = elf.sectionData(s);
      assert.ok(got.length > 0 && got.length === want.length, `${kind}: ${name} length ${got.length} vs ${want.length}`);
      assert.deepEqual(Buffer.from(got), Buffer.from(want), `${kind}: ${name} bytes`);
      compared++;
    }
    assert.equal(compared, 4);
  }
});

test('.gnu_debuglink names the debug file and its CRC matches (objcopy --add-gnu-debuglink)', { skip: noReadelf ?? (hasTool('objcopy') ? undefined : 'objcopy missing') }, () => {
  const bin = compileWorkload('burn.c', ['-O1', '-g']);
  const dir = join(cacheDir, 'elf-test'); mkdirSync(dir, { recursive: true });
  const dbg = join(dir, `burn-${process.pid}.debug`), stripped = join(dir, `burn-stripped-${process.pid}`);
  assert.ok(objcopy(['--only-keep-debug'], bin, dbg));
  assert.ok(objcopy(['--strip-debug', `--add-gnu-debuglink=${dbg}`], bin, stripped));
  const elf = readElf(readFileSync(stripped), stripped);
  const link = elf.debugLink();
  assert.equal(link?.file, `burn-${process.pid}.debug`);
  assert.equal(link?.crc, crc32(readFileSync(dbg)));
  assert.equal(elf.findSection('.debug_info'), undefined);
  assert.equal(readElf(readFileSync(dbg)).buildIdHex(), elf.buildIdHex());
});

function exercise(bytes: Uint8Array): void {
  const elf = readElf(bytes, 'fuzz');
  for (const s of elf.sections) elf.sectionData(s);
  for (const t of [elf.symtab(), elf.dynsym()]) if (t) for (let i = 0; i < t.count; i++) t.symbol(i);
  elf.notes(); elf.buildId(); elf.debugLink(); elf.debugAltLink();
  // the symbolizer's one-pass picking from the raw table bytes, and the lazy PLT names
  for (const type of [SHT_SYMTAB, SHT_DYNSYM]) {
    const p = perfSymbolColumnsOf(elf, type);
    if (p) for (let k = 0; k < p.count; k++) p.name(k);
  }
  for (const r of pltRows(elf)) void r.name;
}

test('hostile input: truncations and bit flips of a small ELF give FormatError only', { skip: noReadelf }, () => {
  const bin = compileWorkload('burn.c', ['-Os', '-gz=zlib', '-g1']);
  const good = new Uint8Array(readFileSync(bin));
  exercise(good);
  let rng = 0x12345678;
  const rand = () => { rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5; return (rng >>> 0) / 0x100000000; };
  let errors = 0, runs = 0;
  const check = (b: Uint8Array) => {
    runs++;
    try { exercise(b); } catch (e) {
      if (!(e instanceof FormatError)) throw new Error(`not a FormatError: ${(e as Error).stack}`);
      errors++;
    }
  };
  for (let len = 0; len < good.length; len += Math.max(1, Math.floor(good.length / 300))) check(good.slice(0, len));
  // Flips concentrated in the headers (where they matter) and anywhere in the file.
  const shoff = Number(readElf(good).header.shoff);
  for (let k = 0; k < 1500; k++) {
    const b = good.slice();
    const flips = 1 + Math.floor(rand() * 4);
    for (let f = 0; f < flips; f++) {
      const zone = rand();
      const pos = zone < 0.3 ? Math.floor(rand() * 64) : zone < 0.6 ? shoff + Math.floor(rand() * (good.length - shoff)) : Math.floor(rand() * good.length);
      b[pos] ^= 1 << Math.floor(rand() * 8);
    }
    check(b);
  }
  assert.ok(errors > 100, `only ${errors} of ${runs} hostile inputs were rejected`);
  writeFileSync(join(cacheDir, 'elf-test', 'last-fuzz-ok'), String(runs));
});
