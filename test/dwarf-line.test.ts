// .debug_line against binutils addr2line: for many addresses inside the line tables of binaries
// compiled here (DWARF 5 and 4, -O0 and -O2), our row lookup and path formation print what
// `addr2line -e BIN` prints. Section bytes come from objcopy, so this runs without the ELF module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileWorkload, hasTool } from './helpers/fixtures.js';
import { readLineTable, findRow, filePath, lineTableOffsets, type LineTable } from '../src/formats/dwarf/line.js';
import { FormatError } from '../src/util/errors.js';

const skip = !hasTool('addr2line') || !hasTool('objcopy') || !hasTool('gcc') ? 'binutils or gcc missing' : undefined;

function dumpSection(bin: string, name: string): Uint8Array | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'kscope-dw-'));
  try {
    const out = join(dir, 'sec');
    const r = spawnSync('objcopy', ['--dump-section', `${name}=${out}`, bin, join(dir, 'junk')], { stdio: 'ignore' });
    if (r.status !== 0 || !existsSync(out)) return undefined;
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compDirOf(bin: string): string | undefined {
  const out = execFileSync('readelf', ['--debug-dump=info', bin], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /DW_AT_comp_dir\s*:\s*(?:\(indirect[^)]*\):\s*)?(.*)/.exec(out);
  return m?.[1].trim();
}

function checkBinary(bin: string): { total: number; mismatches: string[] } {
  const sections = { debug_line: dumpSection(bin, '.debug_line'), debug_line_str: dumpSection(bin, '.debug_line_str'), debug_str: dumpSection(bin, '.debug_str') };
  assert.ok(sections.debug_line, 'binary has .debug_line');
  const compDir = compDirOf(bin);
  const tables: LineTable[] = lineTableOffsets(sections.debug_line!).map((o) => readLineTable(sections, o));
  assert.ok(tables.length >= 1);
  // Addresses: every row address, and a point between each pair of rows.
  const queries: { addr: number; t: LineTable }[] = [];
  for (const t of tables) {
    for (let i = 0; i < t.address.length; i++) {
      queries.push({ addr: t.address[i], t });
      if (i + 1 < t.address.length && t.address[i + 1] > t.address[i] + 1) queries.push({ addr: t.address[i] + 1, t });
    }
  }
  const input = queries.map((q) => q.addr.toString(16)).join('\n') + '\n';
  const expected = execFileSync('addr2line', ['-e', bin], { input, encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n');
  const mismatches: string[] = [];
  let total = 0;
  queries.forEach((q, i) => {
    const row = findRow(q.t, q.addr);
    if (row < 0) return; // outside every sequence: the whole symbolizer decides (dwarf-addr2line tests)
    total++;
    const line = q.t.line[row];
    const disc = q.t.discriminator[row];
    const got = `${filePath(q.t, q.t.file[row], compDir)}:${line === 0 ? '?' : line}${disc && line ? ` (discriminator ${disc})` : ''}`;
    if (got !== expected[i]) mismatches.push(`0x${q.addr.toString(16)}: kscope ${got} | binutils ${expected[i]}`);
  });
  return { total, mismatches };
}

for (const [name, src, flags] of [
  ['C -O0 DWARF 5', 'symbolize.c', ['-g', '-O0']],
  ['C -O2 DWARF 5', 'symbolize.c', ['-g', '-O2']],
  ['C -O2 DWARF 4', 'symbolize.c', ['-gdwarf-4', '-O2']],
  ['C -O0 DWARF 3', 'symbolize.c', ['-gdwarf-3', '-O0']],
  ['C++ -O2 DWARF 5', 'symbolize.cc', ['-g', '-O2']],
] as const) {
  test(`.debug_line rows match addr2line: ${name}`, { skip }, () => {
    const bin = compileWorkload(src, [...flags]);
    const { total, mismatches } = checkBinary(bin);
    assert.ok(total > 100, `checked ${total} addresses`);
    assert.deepEqual(mismatches.slice(0, 20), []);
  });
}

test('.debug_line: truncated and bit-flipped programs throw FormatError or parse, never crash', { skip }, () => {
  const bin = compileWorkload('symbolize.c', ['-g', '-O2']);
  const line = dumpSection(bin, '.debug_line')!;
  const lineStr = dumpSection(bin, '.debug_line_str');
  for (let cut = 0; cut < line.length; cut += Math.max(1, line.length >> 6)) {
    assert.throws(() => readLineTable({ debug_line: line.subarray(0, cut), debug_line_str: lineStr }, 0), FormatError);
  }
  let seed = 12345;
  for (let k = 0; k < 300; k++) {
    const b = line.slice();
    for (let j = 0; j < 4; j++) { seed = (seed * 1103515245 + 12345) >>> 0; b[seed % b.length] ^= 1 << (seed >>> 29); }
    try { readLineTable({ debug_line: b, debug_line_str: lineStr }, 0); } catch (e) { assert.ok(e instanceof FormatError, String(e)); }
  }
});
