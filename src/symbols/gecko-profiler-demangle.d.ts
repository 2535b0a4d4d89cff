// Types for the wasm-bindgen glue of gecko-profiler-demangle (its index.d.ts covers only index.js,
// which imports the .wasm as an ES module — something Node does not do; symbols/demangle.ts wires
// the glue to an instance it makes itself).
declare module 'gecko-profiler-demangle/index_bg.js' {
  export function __wbg_set_wasm(exports: Record<string, unknown>): void;
  export function demangle_any(name: string): string;
  export function __wbindgen_init_externref_table(): void;
}
