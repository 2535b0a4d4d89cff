// `kscope addr2line -f -i -C` against binutils addr2line on binaries compiled here: thousands of
// addresses inside the functions of each binary (from the symbol table), one process each, fed on
// stdin. At least 99.9% of lines must match; mismatches are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { compileWorkload, hasTool, repoRoot } from './helpers/fixtures.js';
import { compareWithBinutils, functionAddresses } from './helpers/addr2line-oracle.js';

const skip = !hasTool('addr2line') || !hasTool('readelf') || !hasTool('g++') ? 'binutils or gcc missing' : undefined;

// C++ included: -C goes through symbols/demangle-itanium.ts, which prints what libiberty prints.
const cases: [string, string, string[]][] = [
  ['C -O0', 'symbolize.c', ['-g', '-O0']],
  ['C -O2', 'symbolize.c', ['-g', '-O2']],
  ['C -O2 DWARF 4', 'symbolize.c', ['-gdwarf-4', '-O2']],
  ['C -O2 -gz=zlib', 'symbolize.c', ['-g', '-O2', '-gz=zlib']],
  ['C++ -O2', 'symbolize.cc', ['-g', '-O2']],
  ['C++ -O2 DWARF 4', 'symbolize.cc', ['-gdwarf-4', '-O2']],
];

for (const [name, src, flags] of cases) {
  test(`addr2line -a -f -i -C matches binutils: ${name}`, { skip }, () => {
    const bin = compileWorkload(src, flags);
    const { total, mismatches } = compareWithBinutils(bin, functionAddresses(bin, 3000), ['-a', '-f', '-i', '-C']);
    if (mismatches.length) console.log(`${name}: ${mismatches.length}/${total} differ\n${mismatches.slice(0, 10).join('\n')}`);
    assert.ok(total >= 3000);
    assert.ok(mismatches.length <= total / 1000, `${mismatches.length} of ${total} differ`);
  });
}

test('addr2line -p -s and command-line addresses match binutils', { skip }, () => {
  const bin = compileWorkload('symbolize.cc', ['-g', '-O2']);
  const addrs = functionAddresses(bin, 200, 7);
  for (const flags of [['-p', '-f', '-i', '-a'], ['-s', '-f'], ['-p', '-s', '-i']]) {
    const exp = execFileSync('addr2line', [...flags, '-e', bin, ...addrs, 'zz', '0x0'], { encoding: 'utf8' });
    const got = execFileSync(process.execPath, [join(repoRoot, 'bin/kscope.js'), 'addr2line', ...flags, '-e', bin, ...addrs, 'zz', '0x0'], { encoding: 'utf8' });
    assert.equal(got, exp, flags.join(' '));
  }
});

test('addr2line as a co-process: each stdin line is answered before the next is written', { skip, timeout: 60_000 }, async () => {
  const bin = compileWorkload('symbolize.cc', ['-g', '-O2']);
  const addrs = functionAddresses(bin, 5, 3);
  const exp = execFileSync('addr2line', ['-f', '-C', '-e', bin, ...addrs], { encoding: 'utf8' }).split('\n');
  const p = spawn(process.execPath, [join(repoRoot, 'bin/kscope.js'), 'addr2line', '-f', '-C', '-e', bin], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiters: (() => void)[] = [];
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d: string) => { buf += d; waiters.splice(0).forEach((w) => w()); });
  const twoLines = async (): Promise<string[]> => {
    for (;;) {
      const lines = buf.split('\n');
      if (lines.length > 2) { buf = lines.slice(2).join('\n'); return lines.slice(0, 2); }
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  // stdin stays open: an answer that waited for more input or for EOF would hang here.
  for (let i = 0; i < addrs.length; i++) {
    p.stdin.write(addrs[i] + '\n');
    assert.deepEqual(await twoLines(), exp.slice(2 * i, 2 * i + 2), addrs[i]);
  }
  p.stdin.end();
  const code = await new Promise<number | null>((r) => p.on('close', r));
  assert.equal(code, 0);
});
