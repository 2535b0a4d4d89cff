// Shared by the addr2line oracle tests and bench/addr2line.ts: deterministic random addresses
// inside a binary's FUNC symbols, and a line-by-line comparison of `kscope addr2line` with
// binutils addr2line fed the same addresses on stdin (one process each).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

/** Random addresses inside FUNC symbols (readelf -s), deterministic. */
export function functionAddresses(bin: string, count: number, seed = 1): string[] {
  const out = execFileSync('readelf', ['-sW', bin], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const funcs: [bigint, number][] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[3] === 'FUNC' && f[6] !== 'UND' && Number(f[2]) > 0) funcs.push([BigInt('0x' + f[1]), Number(f[2])]);
  }
  const addrs: string[] = [];
  let s = seed >>> 0;
  const rnd = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
  for (let i = 0; i < count && funcs.length; i++) {
    const [v, size] = funcs[rnd() % funcs.length];
    addrs.push('0x' + (v + BigInt(rnd() % size)).toString(16));
  }
  return addrs;
}

/** Answers per address: blocks of lines split on the -a address line. */
export function answers(text: string): string[] {
  return text.split(/^(?=0x[0-9a-f]{8,16}$)/m);
}

export function compareWithBinutils(bin: string, addrs: string[], flags = ['-a', '-f', '-i', '-C']): { total: number; mismatches: string[]; stderr: string } {
  const input = addrs.join('\n') + '\n';
  const exp = execFileSync('addr2line', [...flags, '-e', bin], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/kscope.js'), 'addr2line', ...flags, '-e', bin], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`kscope addr2line exited ${r.status}: ${r.stderr}`);
  const e = answers(exp), g = answers(r.stdout);
  const mismatches: string[] = [];
  for (let i = 0; i < Math.max(e.length, g.length); i++) {
    if (e[i] !== g[i]) mismatches.push(`binutils:\n${e[i]}kscope:\n${g[i]}`);
  }
  return { total: e.length, mismatches, stderr: r.stderr };
}
