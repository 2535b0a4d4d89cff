// C++ (Itanium) and Rust (legacy and v0) demangling through gecko-profiler-demangle, the Firefox
// Profiler's wasm build of cpp_demangle + rustc-demangle. Its index.js imports the .wasm as an ES
// module (bundler style), which Node cannot load; we instantiate the wasm ourselves from bytes the
// caller supplies (util/node-loader.ts readDemanglerWasm() in Node, a fetch in the browser) and hand
// the exports to its JS glue. The glue keeps one instance per process, so the demangler is shared.
import * as glue from 'gecko-profiler-demangle/index_bg.js';
import { ctorDtorTwins, demangleItanium, traceItanium, type DemangleTrace } from './demangle-itanium.js';

// Only what we use of the WebAssembly global (ES2022's lib does not declare it; Node and browsers have it).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
};

export type Demangler = ((name: string) => string) & {
  /**
   * True when choose_best_symbol (symbol-index.ts) ranks the two names (ASCII bytes) as equals
   * without demangling them: they demangle to one text that does not begin with "SyS" or
   * "compat_SyS" (demangle-itanium.ts ctorDtorTwins). False means "demangle to know".
   */
  sameRank?: (a: Uint8Array, b: Uint8Array) => boolean;
  /**
   * True when `b` demangles to the same text as `a`, learnt from demangling `a` (reused when it
   * was the last name demangled): `b` is `a` with another valid constructor/destructor kind digit
   * where `a`'s demangling read one (demangle-itanium.ts DemangleTrace).
   */
  sameText?: (a: string, b: string) => boolean;
  /**
   * True when choose_best_symbol ranks `a` and `b` as equals with `a` kept, from reading `a`
   * without printing it: what sameText would say, for names whose text cannot begin with "SyS".
   */
  sameRankText?: (a: string, b: string) => boolean;
};

let ready = false;

export interface DemangleOptions {
  /**
   * 'short' (default): cpp_demangle/rustc-demangle's own form, with std::string abbreviations as perf
   * and gdb print them, Rust without the hash. 'c++filt': rewritten toward binutils c++filt (which
   * demangles with DMGL_VERBOSE): standard abbreviations expanded, "vtable for X", "VTT for X",
   * "non-virtual thunk to F", "virtual thunk to F", decltype(nullptr). Known remaining differences from
   * c++filt: function templates print without their return type; rare cpp_demangle misprints.
   */
  style?: 'short' | 'c++filt';
  /**
   * false: drop the parameter list, cv/ref qualifiers and GCC clone suffixes, as perf shows names by
   * default (DMGL_NO_OPTS unless -v) and `c++filt -p` prints them. Default true.
   */
  params?: boolean;
}

function instantiate(wasmBytes: Uint8Array): void {
  if (ready) return;
  const module = new WebAssembly.Module(wasmBytes);
  const instance = new WebAssembly.Instance(module, { './index_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  ready = true;
}

/**
 * Instantiates the demangler (once; later calls reuse it). Synchronous: the wasm is ~500 KB. Given
 * a function instead of bytes, the wasm is read and compiled only when a Rust name first needs it
 * (C++ names never do), which spares short runs its compile time and memory.
 */
export function createDemangler(wasmBytes: Uint8Array | (() => Uint8Array), options: DemangleOptions = {}): Demangler {
  if (wasmBytes instanceof Uint8Array) instantiate(wasmBytes);
  const wasmDemangle = (name: string): string => {
    if (!ready) instantiate((wasmBytes as () => Uint8Array)());
    return demangle(name);
  };
  const rust: Demangler = options.style === 'c++filt' ? (name) => toCxxfiltStyle(wasmDemangle(name)) : wasmDemangle;
  const rustStyled: Demangler = options.params === false ? (name) => withoutParams(rust(name)) : rust;
  // C++ goes to our own libiberty-exact demangler (demangle-itanium.ts); cpp_demangle drops template
  // return types and misreads some names. Rust (v0 `_R`, and legacy `_ZN...17h<hash>E`) stays here.
  // The trace of the last C++ name demangled (`traced`, when it demangled), for sameText.
  const trace: DemangleTrace = { kindAt: [], straight: false };
  const cxx = { params: options.params !== false, verbose: options.style === 'c++filt', trace };
  let traced: string | undefined;
  const d: Demangler = (name) => {
    traced = undefined;
    if (name.startsWith('_R') || isRustLegacy(name)) return rustStyled(name);
    if (!isMangled(name)) return name;
    // A symbol version (`_Z3fooi@GLIBCXX_3.4`, as nm -D shows dynamic names) stays as a suffix.
    const at = name.indexOf('@');
    const out = demangleItanium(at > 0 ? name.slice(0, at) : name, cxx);
    if (out === undefined) return name;
    traced = name;
    return at > 0 ? out + name.slice(at) : out;
  };
  d.sameRank = ctorDtorTwins;
  d.sameText = (a, b) => {
    const p = kindDigitAt(a, b);
    if (p < 0) return false;
    const at = a.indexOf('@');
    if (at > 0 && p > at) return false;
    if (traced !== a) d(a);
    return traced === a && trace.straight && trace.kindAt.includes(p);
  };
  // The kind digit read where the names differ: both read into the same components (DemangleTrace),
  // so both print one text, or both fail to print and stay as they are, one length and one prefix.
  // Without "SyS" in the name no text of it begins with "SyS" or "compat_SyS" (no fixed text
  // the printer writes does): choose_best_symbol ranks them equal and keeps `a`.
  const rankTrace: DemangleTrace = { kindAt: [], straight: false };
  d.sameRankText = (a, b) => {
    const p = kindDigitAt(a, b);
    if (p < 0 || !a.startsWith('_Z') || a.includes('@') || a.includes('SyS')) return false;
    return traceItanium(a, rankTrace, cxx) && rankTrace.kindAt.includes(p);
  };
  return d;
}

/**
 * Where two names differ when they differ in one byte only, a valid constructor (C1..C5) or
 * destructor (D0/D1/D2/D4/D5) kind digit in both after the same C or D, and neither goes to
 * the Rust demangler (a legacy hash may hold the digit) nor stays as it is; else -1.
 */
function kindDigitAt(a: string, b: string): number {
  const n = a.length;
  if (b.length !== n || a === b) return -1;
  let p = 0;
  while (a.charCodeAt(p) === b.charCodeAt(p)) p++;
  for (let i = p + 1; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return -1;
  const c = a.charCodeAt(p - 1), x = a.charCodeAt(p), y = b.charCodeAt(p);
  const kind = c === 67 /* C */ ? (k: number) => k >= 49 && k <= 53 : c === 68 /* D */ ? (k: number) => k === 48 || k === 49 || k === 50 || k === 52 || k === 53 : undefined;
  if (!kind || !kind(x) || !kind(y)) return -1;
  if (a.startsWith('_R') || isRustLegacy(a) || isRustLegacy(b) || !isMangled(a)) return -1;
  return p;
}

/** A legacy Rust symbol: an Itanium nested name whose last component is the 17h<16 hex> hash. */
export const RUST_LEGACY = /^_?_ZN.*17h[0-9a-f]{16}E(?:\.llvm\.\d+)?$/;

/**
 * RUST_LEGACY.test(s) without the regular expression (asked of every name demangled; its `.*`
 * backtracks over the whole of long C++ names): the suffix is checked from the end, and only
 * then the middle for line terminators, which `.` does not match.
 */
export function isRustLegacy(s: string): boolean {
  const from = s.charCodeAt(0) === 95 && s.charCodeAt(1) === 95 ? 1 : 0; // `_?`
  if (s.charCodeAt(from) !== 95 || s.charCodeAt(from + 1) !== 90 /* Z */ || s.charCodeAt(from + 2) !== 78 /* N */) return false;
  let end = s.length;
  // (?:\.llvm\.\d+)?$: trailing digits after ".llvm." (then the E before it), else the E ends the name
  let d = end;
  while (d > 0 && s.charCodeAt(d - 1) >= 48 && s.charCodeAt(d - 1) <= 57) d--;
  if (d < end) {
    if (d < 6 || !s.startsWith('.llvm.', d - 6)) return false;
    end = d - 6;
  }
  // 17h, 16 lower-case hex digits, E: 20 characters ending at `end`, after the prefix
  const h = end - 20;
  if (h < from + 3 || s.charCodeAt(end - 1) !== 69 /* E */) return false;
  if (s.charCodeAt(h) !== 49 || s.charCodeAt(h + 1) !== 55 || s.charCodeAt(h + 2) !== 104) return false;
  for (let i = h + 3; i < end - 1; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  for (let i = from + 3; i < h; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

function isMangled(name: string): boolean {
  return name.startsWith('_Z') || name.startsWith('__Z') || name.startsWith('_R');
}

/** "ns::f<int>(int, char) const [clone .cold]" → "ns::f<int>"; "X::operator()(int)" → "X::operator()". */
export function withoutParams(s: string): string {
  let end = s.length;
  const clone = /(?: \[clone [^\]]*\])+$/.exec(s);
  if (clone) end = clone.index;
  for (;;) {
    const q = / (?:const|volatile|&&|&)$/.exec(s.slice(0, end));
    if (!q) break;
    end -= q[0].length;
  }
  if (s.charCodeAt(end - 1) !== 41 /* ) */) return s.slice(0, end);
  let depth = 0;
  for (let i = end - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 /* ( */ && --depth === 0) return i > 0 ? s.slice(0, i) : s.slice(0, end);
  }
  return s.slice(0, end);
}

const VERBOSE: Record<string, string> = {
  'std::string': 'std::basic_string<char, std::char_traits<char>, std::allocator<char> >',
  'std::istream': 'std::basic_istream<char, std::char_traits<char> >',
  'std::ostream': 'std::basic_ostream<char, std::char_traits<char> >',
  'std::iostream': 'std::basic_iostream<char, std::char_traits<char> >',
};

const LITERAL_SUFFIX: Record<string, string> = {
  'unsigned long long': 'ull', 'long long': 'll', 'unsigned long': 'ul', 'unsigned int': 'u', unsigned: 'u', long: 'l',
};

/** cpp_demangle's special-name forms → libiberty's (cp-demangle.c d_special_name), then DMGL_VERBOSE. */
function toCxxfiltStyle(s: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^\{vtable\((.*)\)\}$/.exec(s))) s = `vtable for ${m[1]}`;
  else if ((m = /^\{vtt\((.*)\)\}$/.exec(s))) s = `VTT for ${m[1]}`;
  else if ((m = /^\{virtual override thunk\(\{offset\([^)]*\)\}, (.*)\)\}$/.exec(s))) s = `non-virtual thunk to ${m[1]}`;
  else if ((m = /^\{virtual override thunk\(\{virtual offset\([^)]*\)\}, (.*)\)\}$/.exec(s))) s = `virtual thunk to ${m[1]}`;
  else if ((m = /^\{construction vtable\((.*)\)\}$/.exec(s))) s = `construction vtable for ${m[1]}`;
  return s
    .replace(/std::(?:string|istream|ostream|iostream)(?![\w<])/g, (x) => VERBOSE[x])
    .replace(/>::(~?)(string|istream|ostream|iostream)\(/g, '>::$1basic_$2(') // constructor and destructor names
    .replace(/std::nullptr_t/g, 'decltype(nullptr)')
    // Integer template arguments: cpp_demangle "(unsigned long)0", libiberty "0ul" (d_print_comp DEMANGLE_COMPONENT_LITERAL).
    .replace(/\((unsigned long long|long long|unsigned long|unsigned int|unsigned|long)\)(-?\d+)/g, (_m, t: string, n: string) => n + LITERAL_SUFFIX[t]);
}

/**
 * Demangles `name` if it is a mangled C++ or Rust symbol, else returns it unchanged. Names with an
 * ELF version suffix ("foo@GLIBC_2.2.5") or a GCC clone suffix (".cold", ".isra.0") keep it, as
 * c++filt does for clone suffixes.
 */
function demangle(name: string): string {
  if (!isMangled(name)) return name;
  const at = name.indexOf('@');
  if (at > 0) return demangle(name.slice(0, at)) + name.slice(at);
  try {
    const out = glue.demangle_any(name);
    // demangle_any falls back to stripping the leading underscore of names no demangler accepts.
    return name.endsWith(out) ? name : out;
  } catch {
    return name;
  }
}
