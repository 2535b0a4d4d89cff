// The layer map of shared/DESIGN.md, enforced: a file under src/X may import only the folders
// DESIGN.md allows for X. Fails naming the file and the import that crosses the rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

const ALLOWED: Record<string, string[]> = {
  util: [],
  formats: ['util'],
  kernel: ['formats', 'util'],
  symbols: ['formats', 'util'],
  unwind: ['formats', 'symbols', 'util'],
  record: ['kernel', 'formats', 'util'],
  trace: ['kernel', 'formats', 'symbols', 'util'],
  probe: ['kernel', 'formats', 'symbols', 'util'],
  lang: ['kernel', 'formats', 'symbols', 'util'],
  analysis: ['formats', 'symbols', 'unwind', 'util'],
  export: ['analysis', 'formats', 'symbols', 'util'],
  ui: ['analysis', 'export', 'formats', 'symbols', 'util'],
  cli: ['*'],
};

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

test('every import in src/ follows the layer rules of shared/DESIGN.md', () => {
  const violations: string[] = [];
  const srcDir = root.replace(/dist[/\\]/, '');
  for (const file of tsFiles(srcDir)) {
    const layer = relative(srcDir, file).split(/[/\\]/)[0];
    const allowed = ALLOWED[layer];
    assert.ok(allowed, `src/${layer} is not a layer of shared/DESIGN.md (${file})`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) {
        if (spec === 'koffi' && layer !== 'kernel') violations.push(`${relative(srcDir, file)}: imports koffi (FFI lives in kernel/ only)`);
        continue;
      }
      const target = relative(srcDir, resolve(dirname(file), spec)).split(/[/\\]/)[0];
      if (target === layer || allowed.includes('*') || allowed.includes(target)) continue;
      violations.push(`${relative(srcDir, file)}: imports ${spec} (${layer}/ may not import ${target}/)`);
    }
  }
  assert.deepEqual(violations, []);
});
