// Itanium C++ (and Rust) demangling for the CLI through gecko-profiler-demangle, whose wasm module
// Node cannot import directly (no .wasm ESM loader without a flag): instantiate it by hand.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let demangleFn: ((s: string) => string) | undefined;

export async function loadDemangler(): Promise<(name: string) => string> {
  if (demangleFn) return demangleFn;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('gecko-profiler-demangle/package.json'));
  const bg = (await import(join(dir, 'index_bg.js'))) as Record<string, unknown> & {
    __wbg_set_wasm(w: unknown): void; demangle_any(s: string): string;
  };
  // lib ES2022 has no WebAssembly types; Node has the global.
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: Record<string, unknown> } }> } }).WebAssembly;
  const { instance } = await wasm.instantiate(readFileSync(join(dir, 'index_bg.wasm')), { './index_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  const cache = new Map<string, string>();
  demangleFn = (name: string): string => {
    let r = cache.get(name);
    if (r === undefined) {
      r = name.startsWith('_Z') || name.startsWith('_R') ? bg.demangle_any(name) : name;
      cache.set(name, r);
    }
    return r;
  };
  return demangleFn;
}
