// The demangler the CLI commands share: C++ through symbols/demangle-itanium.ts (as binutils
// `addr2line -C` prints: parameters on, std abbreviations kept), Rust through gecko-profiler-demangle.
import { createDemangler, type Demangler } from '../symbols/demangle.js';
import { readDemanglerWasm } from '../util/node-loader.js';

let cached: Demangler | undefined;

export async function loadDemangler(): Promise<Demangler> {
  if (cached) return cached;
  const d = createDemangler(readDemanglerWasm, { params: true }) // the wasm only for a Rust name;
  const memo = new Map<string, string>();
  cached = (name) => {
    let r = memo.get(name);
    if (r === undefined) { r = d(name); memo.set(name, r); }
    return r;
  };
  return cached;
}
