// CFI parser and CFA interpreter against readelf --debug-dump=frames-interp (readelf -wF): every row
// of every FDE and CIE, every register column, of test binaries built here and of the system libc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, compileWorkload, hasTool } from './helpers/fixtures.js';
import { readDebugFrame, readEhFrame, type FrameSection } from '../src/formats/dwarf/eh-frame.js';
import { readEhFrameHdr, findFdeWithHdr } from '../src/formats/dwarf/eh-frame-hdr.js';
import { cieRows, fdeRows, rowAt, Rule, UnwindRow } from '../src/formats/dwarf/cfi.js';
import { FormatError } from '../src/util/errors.js';

const X86_64_REGS = ['rax', 'rdx', 'rcx', 'rbx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip',
  ...Array.from({ length: 16 }, (_, i) => `xmm${i}`), ...Array.from({ length: 8 }, (_, i) => `st${i}`), ...Array.from({ length: 8 }, (_, i) => `mm${i}`),
  'rflags', 'es', 'cs', 'ss', 'ds', 'fs', 'gs', '', '', 'fs.base', 'gs.base'];
const regName = (n: number): string => X86_64_REGS[n] || `r${n}`;
const regNumber = new Map(X86_64_REGS.map((n, i) => [n, i] as const).filter(([n]) => n));

interface Section { name: string; address: number; offset: number; size: number; flags: string }
function sections(bin: string): Map<string, Section> {
  const out = execFileSync('readelf', ['-SW', bin], { encoding: 'utf8' });
  const m = new Map<string, Section>();
  for (const line of out.split('\n')) {
    const x = /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)/.exec(line);
    if (x) m.set(x[1], { name: x[1], address: parseInt(x[2], 16), offset: parseInt(x[3], 16), size: parseInt(x[4], 16), flags: x[5] });
  }
  return m;
}

function openSection(bin: string, name: '.eh_frame' | '.debug_frame'): FrameSection | undefined {
  const secs = sections(bin);
  const s = secs.get(name);
  if (!s || s.flags.includes('C')) return undefined;
  const bytes = new Uint8Array(readFileSync(bin)).subarray(s.offset, s.offset + s.size);
  const input = { bytes, address: s.address, fileOffset: s.offset, file: bin, dataBase: secs.get('.got')?.address };
  return name === '.eh_frame' ? readEhFrame(input) : readDebugFrame(input);
}

interface OracleRow { loc: number; cfa: string; cells: Map<string, string> }
interface OracleEntry { offset: number; kind: 'CIE' | 'FDE'; cie?: number; pcBegin?: number; pcEnd?: number; columns: string[]; rows: OracleRow[] }

/** Parses readelf -wF output into entries per section. */
function readelfFrames(bin: string): Map<string, Map<number, OracleEntry>> {
  // readelf exits 1 on stripped libraries (nothing to show for the absent .debug_* sections).
  const r = spawnSync('readelf', ['-wF', bin], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const out = r.stdout ?? '';
  if (!out.includes('Contents of the')) throw new Error(`readelf -wF ${bin} failed: ${r.stderr}`);
  const result = new Map<string, Map<number, OracleEntry>>();
  let cur: Map<number, OracleEntry> | undefined;
  let entry: OracleEntry | undefined;
  for (const line of out.split('\n')) {
    const sec = /^Contents of the (\S+) section\b/.exec(line);
    if (sec) { cur = new Map(); result.set(sec[1], cur); entry = undefined; continue; }
    const head = /^([0-9a-f]{8}) [0-9a-f]+ [0-9a-f]+ (CIE|FDE)(?: cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+))?/.exec(line);
    if (head && cur) {
      entry = { offset: parseInt(head[1], 16), kind: head[2] as 'CIE' | 'FDE', columns: [], rows: [] };
      if (head[3]) { entry.cie = parseInt(head[3], 16); entry.pcBegin = parseInt(head[4], 16); entry.pcEnd = parseInt(head[5], 16); }
      cur.set(entry.offset, entry);
      continue;
    }
    if (/ZERO terminator/.test(line)) { entry = undefined; continue; }
    if (!entry) continue;
    // DW_CFA_register cells print as "r9 (r9)": the register number, then its name.
    const fields = line.replace(/\b(r\d+) \([^)]*\)/g, '$1').trim().split(/\s+/);
    if (fields[0] === 'LOC' && fields[1] === 'CFA') { entry.columns = fields.slice(2); continue; }
    if (/^[0-9a-f]{8,16} /.test(line)) {
      const cells = new Map<string, string>();
      assert.equal(fields.length, entry.columns.length + 2, `readelf row has one cell per column: ${line}`);
      entry.columns.forEach((c, i) => cells.set(c, fields[i + 2]));
      entry.rows.push({ loc: parseInt(fields[0], 16), cfa: fields[1], cells });
    } else if (line.trim()) {
      throw new Error(`unexpected readelf line: ${line}`);
    }
  }
  return result;
}

function cell(row: UnwindRow, reg: number): string {
  const k = row.rule(reg), v = row.value[reg];
  switch (k) {
    case Rule.Unspecified: case Rule.Undefined: return 'u';
    case Rule.SameValue: return 's';
    case Rule.Offset: return `c${v >= 0 ? '+' : ''}${v}`;
    case Rule.ValOffset: return `v${v >= 0 ? '+' : ''}${v}`;
    case Rule.Register: return `r${v}`;
    case Rule.Expression: return 'exp';
    case Rule.ValExpression: return 'vexp';
  }
}
function cfaText(row: UnwindRow): string {
  return row.cfaIsExpression ? 'exp' : `${regName(row.cfaRegister)}${row.cfaOffset >= 0 ? '+' : ''}${row.cfaOffset}`;
}

/** Compares one entry's rows; returns the number of rows checked. */
function compareRows(what: string, mine: UnwindRow[], oracle: OracleEntry, ra: number): number {
  assert.equal(mine.length, oracle.rows.length, `${what}: row count`);
  const colRegs = oracle.columns.map((c) => (c === 'ra' ? ra : regNumber.get(c) ?? (/^r(\d+)$/.test(c) ? Number(c.slice(1)) : -1)));
  assert.ok(!colRegs.includes(-1), `${what}: known column names ${oracle.columns.join(' ')}`);
  for (let i = 0; i < mine.length; i++) {
    const m = mine[i], o = oracle.rows[i];
    const where = `${what} row ${i} @0x${o.loc.toString(16)}`;
    assert.equal(m.startAddress, o.loc, `${where}: location`);
    assert.equal(cfaText(m), o.cfa, `${where}: CFA`);
    oracle.columns.forEach((c, j) => assert.equal(cell(m, colRegs[j]), o.cells.get(c), `${where}: column ${c}`));
    for (let reg = 0; reg < m.registerCount; reg++) {
      if (m.rule(reg) !== Rule.Unspecified) assert.ok(colRegs.includes(reg), `${where}: register ${reg} has a rule but no readelf column`);
    }
  }
  return mine.length;
}

interface Tally { fdes: number; rows: number; cies: number; queries: number }

function checkSection(bin: string, name: '.eh_frame' | '.debug_frame', oracle: Map<number, OracleEntry>): Tally {
  const sec = openSection(bin, name);
  assert.ok(sec, `${bin} has ${name}`);
  const t: Tally = { fdes: 0, rows: 0, cies: 0, queries: 0 };
  const seen = new Set<number>();
  const probe = new UnwindRow(4);
  for (const e of sec.entries()) {
    if (e.kind === 'terminator') continue;
    const off = e.kind === 'cie' ? e.cie.offset : e.fde.offset;
    seen.add(off);
    const o = oracle.get(off);
    assert.ok(o, `${bin} ${name}: readelf shows an entry at 0x${off.toString(16)}`);
    if (e.kind === 'cie') {
      assert.equal(o.kind, 'CIE');
      t.rows += compareRows(`${bin} ${name} CIE 0x${off.toString(16)}`, cieRows(sec, e.cie), o, e.cie.returnAddressRegister);
      t.cies++;
      continue;
    }
    const f = e.fde;
    const what = `${bin} ${name} FDE 0x${off.toString(16)}`;
    assert.equal(o.kind, 'FDE', what);
    assert.equal(f.cie.offset, o.cie, `${what}: CIE`);
    assert.equal(f.pcBegin, o.pcBegin, `${what}: pc begin`);
    assert.equal(f.pcEnd, o.pcEnd, `${what}: pc end`);
    const rows = fdeRows(sec, f);
    t.rows += compareRows(what, rows, o, f.cie.returnAddressRegister);
    t.fdes++;
    // The fast query: the row holding a pc is the last readelf row at or before it.
    for (let i = 0; i < rows.length; i++) {
      const lo = rows[i].startAddress, hi = Math.min(rows[i].endAddress, f.pcEnd);
      if (hi <= lo || lo < f.pcBegin) continue;
      for (const pc of hi - lo > 1 ? [lo, hi - 1] : [lo]) {
        assert.ok(rowAt(sec, f, pc, probe), `${what}: rowAt 0x${pc.toString(16)} inside`);
        assert.equal(cfaText(probe), cfaText(rows[i]), `${what}: rowAt 0x${pc.toString(16)} CFA`);
        assert.equal(cell(probe, f.cie.returnAddressRegister), cell(rows[i], f.cie.returnAddressRegister), `${what}: rowAt ra`);
        for (let reg = 0; reg < Math.max(probe.registerCount, rows[i].registerCount); reg++) {
          assert.equal(cell(probe, reg), cell(rows[i], reg), `${what}: rowAt 0x${pc.toString(16)} register ${reg}`);
        }
        t.queries++;
      }
    }
  }
  for (const off of oracle.keys()) assert.ok(seen.has(off), `${bin} ${name}: entry 0x${off.toString(16)} found by kscope`);
  return t;
}

function checkHdr(bin: string): number {
  const secs = sections(bin);
  const h = secs.get('.eh_frame_hdr');
  const sec = openSection(bin, '.eh_frame')!;
  assert.ok(h, `${bin} has .eh_frame_hdr`);
  const file = new Uint8Array(readFileSync(bin));
  const hdr = readEhFrameHdr({ bytes: file.subarray(h.offset, h.offset + h.size), address: h.address, fileOffset: h.offset, file: bin });
  assert.equal(hdr.ehFramePtr, sec.address, '.eh_frame_hdr points at .eh_frame');
  assert.equal(hdr.fdeCount, sec.fdeCount, '.eh_frame_hdr counts every FDE');
  let n = 0;
  for (const f of sec.allFdes()) {
    if (f.pcEnd <= f.pcBegin) continue;
    for (const pc of [f.pcBegin, f.pcEnd - 1, (f.pcBegin + f.pcEnd) >>> 1]) {
      const viaHdr = findFdeWithHdr(hdr, sec, pc);
      const viaIndex = sec.findFde(pc);
      assert.equal(viaHdr?.offset, viaIndex?.offset, `0x${pc.toString(16)}: hdr and index agree`);
      assert.ok(viaHdr && pc >= viaHdr.pcBegin && pc < viaHdr.pcEnd, `0x${pc.toString(16)} found`);
      n++;
    }
  }
  const first = Math.min(...[...sec.allFdes()].map((f) => f.pcBegin));
  assert.equal(findFdeWithHdr(hdr, sec, first - 1), undefined, 'a pc below every FDE has none');
  return n;
}

const skip = hasTool('readelf') && hasTool('gcc') ? undefined : 'readelf or gcc is not installed';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const LIBSTDCXX = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';

function cxxProgram(): string {
  const dir = join(cacheDir, 'bin');
  const out = join(dir, 'cfi-cxx-O2');
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const src = join(dir, 'cfi-cxx.cc');
  writeFileSync(src, `#include <stdexcept>\n#include <cstdio>\n#include <vector>\n
__attribute__((noinline)) int thrower(int x) { if (x > 2) throw std::runtime_error("x"); return x; }
__attribute__((noinline)) int middle(int x) { std::vector<int> v(x); try { return thrower(x) + (int)v.size(); } catch (const std::exception&) { return -1; } }
int main(int argc, char**) { std::printf("%d\\n", middle(argc + 3)); return 0; }\n`);
  execFileSync('g++', ['-O2', '-o', `${out}.${process.pid}`, src]);
  execFileSync('mv', [`${out}.${process.pid}`, out]);
  return out;
}

function binaries(): string[] {
  const bins = [
    compileWorkload('burn.c', ['-O0', '-g']),
    compileWorkload('burn.c', ['-O2']),
    compileWorkload('burn.c', ['-O2', '-fno-omit-frame-pointer']),
  ];
  if (hasTool('g++')) bins.push(cxxProgram());
  for (const lib of [LIBC, LIBSTDCXX]) if (existsSync(lib)) bins.push(lib);
  return bins;
}

test('.eh_frame: every FDE and CIE row matches readelf -wF (CFA and every register column)', { skip }, () => {
  const total: Tally = { fdes: 0, rows: 0, cies: 0, queries: 0 };
  for (const bin of binaries()) {
    const oracle = readelfFrames(bin).get('.eh_frame');
    assert.ok(oracle && oracle.size > 0, `readelf shows .eh_frame of ${bin}`);
    const t = checkSection(bin, '.eh_frame', oracle);
    total.fdes += t.fdes; total.rows += t.rows; total.cies += t.cies; total.queries += t.queries;
  }
  assert.ok(total.fdes > 3000, `many FDEs checked (${total.fdes})`);
  console.log(`# .eh_frame vs readelf: ${total.cies} CIEs, ${total.fdes} FDEs, ${total.rows} rows, ${total.queries} rowAt queries`);
});

test('.eh_frame_hdr binary search finds the same FDE as the .eh_frame index', { skip }, () => {
  let n = 0;
  for (const bin of binaries()) n += checkHdr(bin);
  assert.ok(n > 1000);
  console.log(`# .eh_frame_hdr lookups: ${n}`);
});

test('.debug_frame (gcc -g -fno-asynchronous-unwind-tables) matches readelf -wF', { skip }, () => {
  for (const flags of [['-O0', '-g', '-fno-asynchronous-unwind-tables'], ['-O2', '-g', '-fno-asynchronous-unwind-tables', '-fno-omit-frame-pointer']]) {
    const bin = compileWorkload('burn.c', flags);
    const oracle = readelfFrames(bin).get('.debug_frame');
    assert.ok(oracle && oracle.size > 0, `readelf shows .debug_frame of ${bin}`);
    const t = checkSection(bin, '.debug_frame', oracle);
    assert.ok(t.fdes >= 6, `the workload's functions have .debug_frame FDEs (${t.fdes})`);
    // The workload's own functions are there and answer pc queries through the index.
    const sec = openSection(bin, '.debug_frame')!;
    const nm = execFileSync('nm', [bin], { encoding: 'utf8' });
    const leaf = /^([0-9a-f]+) T leaf_mul$/m.exec(nm);
    assert.ok(leaf);
    const fde = sec.findFde(parseInt(leaf[1], 16));
    assert.ok(fde, 'leaf_mul has a .debug_frame FDE');
    assert.equal(fde.pcBegin, parseInt(leaf[1], 16));
    const row = new UnwindRow();
    assert.ok(rowAt(sec, fde, fde.pcBegin, row));
    assert.equal(cfaText(row), 'rsp+8');
    assert.equal(cell(row, 16), 'c-8');
  }
});

test('hostile .eh_frame: truncation and bit flips give FormatError or a result, never a hang', { skip }, () => {
  const bin = compileWorkload('burn.c', ['-O2']);
  const secs = sections(bin);
  const s = secs.get('.eh_frame')!;
  const orig = new Uint8Array(readFileSync(bin)).subarray(s.offset, s.offset + s.size);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let formatErrors = 0;
  const walk = (bytes: Uint8Array) => {
    const sec = readEhFrame({ bytes, address: s.address, file: 'mutant' });
    const row = new UnwindRow();
    try {
      for (const e of sec.entries()) {
        if (e.kind === 'fde') {
          fdeRows(sec, e.fde);
          if (e.fde.pcEnd > e.fde.pcBegin) rowAt(sec, e.fde, e.fde.pcBegin, row);
        }
      }
      sec.findFde(s.address);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      formatErrors++;
    }
  };
  for (let cut = 0; cut < orig.length; cut += 3) walk(orig.slice(0, cut));
  for (let i = 0; i < 3000; i++) {
    const b = orig.slice();
    const flips = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < flips; k++) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
    walk(b);
  }
  assert.ok(formatErrors > 100, `mutants were rejected with FormatError (${formatErrors})`);
  // An .eh_frame_hdr that lies about its table size.
  const h = secs.get('.eh_frame_hdr')!;
  const hdrBytes = new Uint8Array(readFileSync(bin)).slice(h.offset, h.offset + h.size);
  assert.throws(() => readEhFrameHdr({ bytes: hdrBytes.subarray(0, 14), address: h.address }), FormatError);
  hdrBytes[0] = 2;
  assert.throws(() => readEhFrameHdr({ bytes: hdrBytes, address: h.address }), FormatError);
});
