// DWARF rewritten by dwz: partial units and DW_TAG_imported_unit (single file), and a dwz
// multifile shared through .gnu_debugaltlink (DW_FORM_GNU_ref_alt, DW_FORM_GNU_strp_alt). dwz
// only moves DIEs, so kscope's answers on the rewritten files must equal its answers on the
// originals (which match binutils, see addr2line*.test.ts); where binutils follows the
// supplementary file correctly we also compare with it directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWorkload, hasTool, repoRoot } from './helpers/fixtures.js';
import { answers, compareWithBinutils, functionAddresses } from './helpers/addr2line-oracle.js';
import { manyUnitProgram } from './helpers/third-party.js';
import { readElf } from '../src/formats/elf/index.js';
import { DwarfInfo } from '../src/formats/dwarf/info.js';
import { DWARF_SECTION_NAMES, type DwarfSections } from '../src/formats/dwarf/sections.js';
import { DW_UT_partial, DW_TAG_partial_unit } from '../src/formats/dwarf/constants.js';
import { Symbolizer, dwarfDebugInfo } from '../src/symbols/index.js';
import { nodeFileLoader } from '../src/util/node-loader.js';

const skip = !hasTool('dwz') ? 'dwz is not installed (apt-get install dwz)'
  : !hasTool('addr2line') || !hasTool('readelf') || !hasTool('g++') ? 'binutils or g++ missing' : undefined;

function kscope(bin: string, input: string): { out: string[]; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/kscope.js'), 'addr2line', '-a', '-f', '-i', '-e', bin], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr);
  return { out: answers(r.stdout), stderr: r.stderr };
}

function sameAnswers(original: string, rewritten: string, count: number): void {
  const input = functionAddresses(original, count, 21).join('\n') + '\n';
  const a = kscope(original, input).out, b = kscope(rewritten, input);
  const diff = a.filter((x, i) => x !== b.out[i]);
  assert.equal(b.stderr, '');
  assert.equal(diff.length, 0, `${diff.length}/${a.length} answers changed by dwz, e.g.\n${diff[0]}`);
}

function partialUnits(bin: string): number {
  const elf = readElf(readFileSync(bin), bin);
  const s: DwarfSections = {};
  for (const n of DWARF_SECTION_NAMES) { const d = elf.sectionDataByName('.' + n); if (d) s[n] = d; }
  return new DwarfInfo(s, bin).units.filter((u) => u.unitType === DW_UT_partial || u.tag === DW_TAG_partial_unit).length;
}

test('dwz single file (partial units, DW_TAG_imported_unit): same answers as before dwz', { skip, timeout: 300_000 }, () => {
  const orig = manyUnitProgram(40);
  const dir = mkdtempSync(join(tmpdir(), 'kscope-dwz-'));
  try {
    const bin = join(dir, 'manyunits');
    copyFileSync(orig, bin);
    execFileSync('dwz', [bin]);
    assert.ok(partialUnits(bin) > 10, 'dwz made partial units');
    sameAnswers(orig, bin, 3000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dwz multifile (.gnu_debugaltlink, GNU_ref_alt/GNU_strp_alt): binutils answers, same as before dwz; a missing file warns', { skip, timeout: 300_000 }, () => {
  const origA = manyUnitProgram(40);
  const origB = compileWorkload('symbolize.cc', ['-g', '-O2']);
  const dir = mkdtempSync(join(tmpdir(), 'kscope-dwzm-'));
  try {
    const a = join(dir, 'a'), b = join(dir, 'b');
    copyFileSync(origA, a); copyFileSync(origB, b);
    execFileSync('dwz', ['-m', join(dir, 'common.debug'), '-M', 'common.debug', a, b]);
    assert.ok(readElf(readFileSync(b), b).debugAltLink(), '.gnu_debugaltlink written');
    assert.ok(partialUnits(join(dir, 'common.debug')) > 0, 'the supplementary file holds partial units');
    // binutils follows the link itself for this program: compare directly.
    const { total, mismatches, stderr } = compareWithBinutils(b, functionAddresses(b, 3000, 4), ['-a', '-f', '-i', '-C']);
    if (mismatches.length) console.log(mismatches.slice(0, 5).join('\n'));
    assert.equal(stderr, '');
    assert.ok(mismatches.length <= total / 1000, `${mismatches.length} of ${total} differ`);
    sameAnswers(origB, b, 3000);
    sameAnswers(origA, a, 3000);
    // The library path: Symbolizer finds common.debug through its loader and hands it to DWARF.
    const addrs = functionAddresses(b, 300, 9);
    const cli = kscope(b, addrs.join('\n') + '\n').out.map((x) => x.split('\n')[1]);
    const sym = new Symbolizer(nodeFileLoader(), { debugInfo: dwarfDebugInfo });
    const lib = addrs.map((x) => sym.symbolize(b, BigInt(x))[0]?.function ?? '??');
    assert.deepEqual(lib, cli);
    // Without the supplementary file: one warning, answers still come (names from the symbol table).
    rmSync(join(dir, 'common.debug'));
    const r = kscope(b, functionAddresses(b, 50, 4).join('\n') + '\n');
    assert.equal(r.out.length, 50);
    assert.match(r.stderr, /supplementary DWARF file 'common.debug' \(.gnu_debugaltlink\) not found/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
