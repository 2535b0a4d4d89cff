// Hostile input for .debug_info, .debug_abbrev, .debug_rnglists and .debug_line (CONVENTIONS.md
// 14): truncations and thousands of seeded bit flips of a small binary's sections. The format
// layer may only throw FormatError; the symbolizer never throws and falls back to the symbol
// table; `kscope addr2line` on a damaged file answers as binutils does on it (from the symbol
// table), with one warning line naming the file and offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWorkload, hasTool, runKscope } from './helpers/fixtures.js';
import { functionAddresses } from './helpers/addr2line-oracle.js';
import { readElf, SHF_COMPRESSED } from '../src/formats/elf/index.js';
import { DWARF_SECTION_NAMES, type DwarfSections } from '../src/formats/dwarf/sections.js';
import { DwarfInfo } from '../src/formats/dwarf/info.js';
import { readUnitFunctions, findFunction, resolveFunctionName } from '../src/formats/dwarf/functions.js';
import { readLineTable, findRow, filePath } from '../src/formats/dwarf/line.js';
import { DwarfSymbolizer } from '../src/symbols/dwarf-symbolizer.js';
import { FormatError } from '../src/util/errors.js';

const skip = !hasTool('gcc') || !hasTool('readelf') ? 'gcc or readelf missing' : undefined;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

/** Runs `f`; anything thrown must be a FormatError. Returns whether it threw. */
function onlyFormatError(f: () => void, what: string): boolean {
  try { f(); return false; } catch (e) {
    if (!(e instanceof FormatError)) assert.fail(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
    return true;
  }
}

/** Every format-level entry point over `sections`, with lookups of `addrs`. */
function exerciseFormats(sections: DwarfSections, addrs: number[], what: string): number {
  let errors = 0;
  let info: DwarfInfo | undefined;
  if (onlyFormatError(() => { info = new DwarfInfo(sections, 'hostile'); }, what)) return 1;
  for (const e of info!.errors) { assert.ok(e instanceof FormatError, what); errors++; }
  for (const u of info!.units) {
    if (u.broken) continue;
    errors += +onlyFormatError(() => {
      const uf = readUnitFunctions(info!, u);
      for (const a of addrs) findFunction(uf, a);
      for (const f of uf.funcs) errors += +onlyFormatError(() => resolveFunctionName(info!, u, f), what);
    }, what);
    if (u.stmtList >= 0 && sections.debug_line) {
      errors += +onlyFormatError(() => {
        const t = readLineTable(sections, u.stmtList, u.addressSize);
        for (const a of addrs) { const r = findRow(t, a); if (r >= 0) filePath(t, t.file[r], u.compDir); }
      }, what);
    }
  }
  return errors;
}

function hostileRun(bin: string, plan: [keyof DwarfSections, number][], seed: number): void {
  const elf = readElf(readFileSync(bin), bin);
  const good: DwarfSections = {};
  // Plain Uint8Array copies: the file is a Buffer, whose slice() shares memory instead of copying.
  for (const n of DWARF_SECTION_NAMES) { const d = elf.sectionDataByName('.' + n); if (d) good[n] = new Uint8Array(d); }
  for (const [n] of plan) assert.ok(good[n], `${n} present`);
  const addrs = functionAddresses(bin, 40, 3).map((a) => Number(a));
  const base = new DwarfSymbolizer(elf);
  const expected = addrs.map((a) => JSON.stringify(base.findFrames(a)));
  assert.equal(base.warnings.length, 0);
  assert.ok(expected.filter((e) => e.includes('symbolize.c')).length > 30, 'the intact file answers from DWARF');
  const scale = Math.max(1, Number(process.env.KSCOPE_FUZZ_SCALE) || 1);
  const rnd = rng(seed + scale);
  // The same sections passed in give the same answers.
  const same = new DwarfSymbolizer(elf, { sections: good });
  assert.deepEqual(addrs.map((a) => JSON.stringify(same.findFrames(a))), expected);

  let mutations = 0, formatErrors = 0, warned = 0, changed = 0, peakHeap = 0;
  for (const [name, flips] of plan) {
    const orig = good[name]!;
    const variants: Uint8Array[] = [];
    for (let len = 0; len < Math.min(24, orig.length); len++) variants.push(orig.slice(0, len));
    for (let k = 1; k <= 40; k++) variants.push(orig.slice(0, Math.floor((orig.length * k) / 41)));
    for (let i = 0; i < flips * scale; i++) {
      const v = orig.slice();
      const nbits = 1 + (rnd() % 3);
      for (let b = 0; b < nbits; b++) { const bit = rnd() % (v.length * 8); v[bit >> 3] ^= 1 << (bit & 7); }
      variants.push(v);
    }
    for (const v of variants) {
      mutations++;
      const sections = { ...good, [name]: v };
      const what = `${name} mutation ${mutations}`;
      formatErrors += exerciseFormats(sections, addrs, what);
      let warnings = 0;
      const sym = new DwarfSymbolizer(elf, { sections, onWarning: (e) => { assert.ok(e instanceof FormatError); warnings++; } });
      let differs = false;
      for (let i = 0; i < addrs.length; i++) {
        const frames = sym.findFrames(addrs[i]); // must not throw at all
        if (frames) for (const f of frames) assert.ok(typeof f.line === 'number' && f.line >= 0, what);
        if (JSON.stringify(frames) !== expected[i]) differs = true;
      }
      if (warnings) warned++;
      if (differs) changed++;
      if (mutations % 100 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
  }
  console.log(`${mutations} damaged variants: ${formatErrors} FormatErrors at the format layer, ${warned} symbolizers warned, ${changed} changed some answer; peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
  const flips = plan.reduce((n, [, k]) => n + k, 0);
  assert.ok(mutations >= flips);
  assert.ok(formatErrors > flips / 10, 'damage is detected, not silently absorbed');
  assert.ok(warned > flips / 10);
  assert.ok(peakHeap < 1024 * 2 ** 20, 'no unbounded allocation');
}

// KSCOPE_FUZZ_SCALE=N runs N times as many flips with other seeds (for longer local runs).
test('damaged .debug_info/.debug_abbrev/.debug_rnglists/.debug_line (DWARF 5): FormatError or an answer, never another exception', { skip, timeout: 300_000 }, () => {
  hostileRun(compileWorkload('symbolize.c', ['-g', '-O2']),
    [['debug_info', 1500], ['debug_abbrev', 600], ['debug_rnglists', 600], ['debug_line', 600]], 2024);
});

test('damaged .debug_info/.debug_abbrev/.debug_ranges/.debug_line/.debug_str (DWARF 4): FormatError or an answer, never another exception', { skip, timeout: 300_000 }, () => {
  hostileRun(compileWorkload('symbolize.c', ['-gdwarf-4', '-O2']),
    [['debug_info', 800], ['debug_abbrev', 300], ['debug_ranges', 300], ['debug_line', 300], ['debug_str', 300]], 77);
});

test('kscope addr2line on a file with a damaged .debug_info: the symbol-table answers binutils gives, one warning', { skip: skip ?? (!hasTool('addr2line') || !hasTool('readelf') ? 'binutils missing' : undefined) }, () => {
  const bin = compileWorkload('symbolize.c', ['-g', '-O2']);
  const bytes = readFileSync(bin);
  const elf = readElf(bytes, bin);
  const info = elf.sections.find((s) => s.name === '.debug_info')!;
  assert.ok(info && (info.flags & SHF_COMPRESSED) === 0, 'an uncompressed .debug_info');
  const dir = mkdtempSync(join(tmpdir(), 'kscope-hostile-'));
  try {
    // The first unit's version (offset 4 of .debug_info) becomes 0x0909: no unit can be read.
    const bad = join(dir, 'damaged');
    const copy = Buffer.from(bytes);
    copy[info.offset + 4] = 9; copy[info.offset + 5] = 9;
    writeFileSync(bad, copy);
    const addrs = [...functionAddresses(bin, 60, 5), '0x0'];
    // binutils reads the same damaged file (it says "DWARF error: found dwarf version '2313'" and
    // answers from the symbol table: function symbols, STT_FILE names for local ones).
    const exp = spawnSync('addr2line', ['-a', '-f', '-i', '-e', bad, ...addrs], { encoding: 'utf8' });
    assert.match(exp.stderr, /DWARF error/);
    const got = runKscope(['addr2line', '-a', '-f', '-i', '-e', bad, ...addrs]);
    assert.equal(got.status, 0, got.stderr);
    assert.equal(got.stdout, exp.stdout);
    const lines = got.stderr.trim().split('\n');
    assert.equal(lines.length, 1, got.stderr);
    assert.match(lines[0], new RegExp(`warning: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\.debug_info: at offset 4 .*version`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
