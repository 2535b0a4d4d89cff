// `kscope addr2line` against binutils addr2line on code nobody wrote for kscope: SQLite's
// amalgamation built as a shared library (-O2 -g -fPIC, ~250k lines in one unit, heavy inlining),
// and a generated C++ program of 40 compile units (templates, header inlines, same-named statics,
// virtual hierarchies). 3000+ random addresses inside FUNC symbols each; >= 99.9% equal answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasTool } from './helpers/fixtures.js';
import { compareWithBinutils, functionAddresses } from './helpers/addr2line-oracle.js';
import { manyUnitProgram, sqliteLibrary } from './helpers/third-party.js';

const tools = !hasTool('addr2line') || !hasTool('readelf') ? 'binutils missing' : !hasTool('gcc') || !hasTool('g++') ? 'gcc/g++ missing' : undefined;

function check(name: string, bin: string, flags: string[], count = 3000): void {
  const { total, mismatches } = compareWithBinutils(bin, functionAddresses(bin, count, 11), flags);
  if (mismatches.length) console.log(`${name}: ${mismatches.length}/${total} differ\n${mismatches.slice(0, 10).join('\n')}`);
  assert.ok(total >= count, `${total} answers`);
  assert.ok(mismatches.length <= total / 1000, `${mismatches.length} of ${total} differ`);
}

let sqlite: string | { error: string } | undefined;
function sqliteSkip(): string | undefined {
  if (tools) return tools;
  sqlite ??= sqliteLibrary();
  return typeof sqlite === 'string' ? undefined : `libsqlite3.so cannot be built here: ${sqlite.error}`;
}

test('addr2line -a -f -i -C matches binutils on libsqlite3.so (SQLite amalgamation, -O2 -g)', { skip: sqliteSkip(), timeout: 600_000 }, () => {
  check('libsqlite3.so', sqlite as string, ['-a', '-f', '-i', '-C']);
});

test('addr2line -a -f -i -C matches binutils on a 40-unit C++ program (-O2 -g)', { skip: tools, timeout: 600_000 }, () => {
  check('manyunits', manyUnitProgram(40), ['-a', '-f', '-i', '-C']);
});

test('addr2line -a -f -i matches binutils on the 40-unit program in DWARF 4 (mangled names)', { skip: tools, timeout: 600_000 }, () => {
  check('manyunits dwarf4', manyUnitProgram(40, ['-O2', '-gdwarf-4']), ['-a', '-f', '-i']);
});
