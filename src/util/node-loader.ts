// The Node implementation of symbols/'s injected file loader (symbols/types.ts SymbolLoader):
// util/ may do I/O, symbols/ may not. Also reads the demangler's wasm from node_modules.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';

export interface NodeFileLoader {
  readFile(path: string): Uint8Array | undefined;
  homeDir?: string;
  debugDirs?: string[];
}

/** Reads files with fs.readFileSync; missing or unreadable files are undefined. `root` prefixes every path (like perf --symfs). */
export function nodeFileLoader(opts: { root?: string; homeDir?: string; debugDirs?: string[] } = {}): NodeFileLoader {
  const root = opts.root ? opts.root.replace(/\/+$/, '') : '';
  return {
    readFile(path: string): Uint8Array | undefined {
      try {
        const b = readFileSync(root + path);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch {
        return undefined;
      }
    },
    homeDir: opts.homeDir ?? homedir(),
    debugDirs: opts.debugDirs,
  };
}

/** The bytes of gecko-profiler-demangle's index_bg.wasm (see symbols/demangle.ts). */
export function readDemanglerWasm(): Uint8Array {
  const require = createRequire(import.meta.url);
  return new Uint8Array(readFileSync(require.resolve('gecko-profiler-demangle/index_bg.wasm')));
}
