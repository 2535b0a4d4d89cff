// symbols/demangle against binutils c++filt: every C++ symbol of libstdc++ and of a g++ test binary,
// and every Rust symbol (legacy and v0) of a rustc-built binary (c++filt -s rust).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemangler, isRustLegacy, RUST_LEGACY } from '../src/symbols/demangle.js';
import { readDemanglerWasm } from '../src/util/node-loader.js';
import { hasTool, cacheDir } from './helpers/fixtures.js';

const LIBSTDCXX = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';
const noCxxfilt = hasTool('c++filt') && hasTool('nm') ? undefined : 'c++filt or nm missing';

function cxxfilt(names: string[], args: string[] = []): string[] {
  return execFileSync('c++filt', args, { input: names.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').slice(0, names.length);
}
/** Defined symbol names of a file (`nm [-D] --defined-only`), symbol versions dropped unless `keepVersions`. */
function nmNames(file: string, dynamic: boolean, keepVersions = false): string[] {
  const out = execFileSync('nm', [...(dynamic ? ['-D'] : []), '--defined-only', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const names = out.split('\n').map((l) => l.split(' ')[2]).filter((n): n is string => !!n);
  return [...new Set(keepVersions ? names : names.map((n) => n.replace(/@.*/, '')))];
}

/** Agreement with c++filt; a c++filt result that only adds a leading return type (function templates) counts as agreeing. */
function compare(names: string[], expected: string[], demangle: (s: string) => string): { exact: number; returnType: number; bad: string[] } {
  let exact = 0, returnType = 0;
  const bad: string[] = [];
  names.forEach((n, i) => {
    const got = demangle(n);
    if (got === expected[i]) exact++;
    else if (expected[i].endsWith(' ' + got) && got.includes('(')) returnType++;
    else bad.push(`${n}\n   kscope:  ${got}\n   c++filt: ${expected[i]}`);
  });
  return { exact, returnType, bad };
}

test('demangler: known names, non-mangled passthrough, version and clone suffixes', () => {
  const d = createDemangler(readDemanglerWasm());
  assert.equal(d('main'), 'main');
  assert.equal(d('_Z3fooi'), 'foo(int)');
  assert.equal(d('_ZNSt6vectorIiSaIiEE9push_backERKi'), 'std::vector<int, std::allocator<int> >::push_back(int const&)');
  assert.equal(d('_Z3fooi.cold'), 'foo(int) [clone .cold]');
  assert.equal(d('_Z3fooi@GLIBCXX_3.4'), 'foo(int)@GLIBCXX_3.4');
  assert.equal(d('_ZN4core3ptr13drop_in_place17h0123456789abcdefE'), 'core::ptr::drop_in_place');
  assert.equal(d('_RNvCs15kBYyAo9fc_7mycrate7example'), 'mycrate::example');
  assert.equal(d('_Zgarbage'), '_Zgarbage');
  const f = createDemangler(readDemanglerWasm(), { style: 'c++filt' });
  assert.equal(f('_ZTVSt9exception'), 'vtable for std::exception');
  assert.equal(f('_ZNKSs4sizeEv'), 'std::basic_string<char, std::char_traits<char>, std::allocator<char> >::size() const');
  assert.equal(d('_ZNKSs4sizeEv'), 'std::string::size() const');
  const perf = createDemangler(readDemanglerWasm(), { params: false });
  assert.equal(perf('_ZZ4mainENKUliE_clEi'), 'main::{lambda(int)#1}::operator()');
  assert.equal(perf('_Z3fooi.cold'), 'foo');
  assert.equal(perf('_ZNSt6vectorIiSaIiEEixEm'), 'std::vector<int, std::allocator<int> >::operator[]');
  assert.equal(perf('not_mangled(x)'), 'not_mangled(x)');
});

test('C++: libstdc++ .dynsym names agree with c++filt', { skip: noCxxfilt ?? (existsSync(LIBSTDCXX) ? undefined : `${LIBSTDCXX} missing`) }, () => {
  const names = nmNames(LIBSTDCXX, true).filter((n) => n.startsWith('_Z'));
  assert.ok(names.length > 3000, `${names.length} names`);
  const r = compare(names, cxxfilt(names), createDemangler(readDemanglerWasm(), { style: 'c++filt' }));
  // cpp_demangle misprints < 1% (e.g. "A&::B" for "A::B&" in _ZNK10__cxxabiv120__si_class_type_info11__do_upcast...).
  assert.ok(r.bad.length <= names.length * 0.012, `${r.bad.length} of ${names.length} differ:\n${r.bad.slice(0, 8).join('\n')}`);
  assert.ok(r.exact > names.length * 0.9, `exact ${r.exact}, return-type only ${r.returnType}`);
  const p = compare(names, cxxfilt(names, ['-p']), createDemangler(readDemanglerWasm(), { style: 'c++filt', params: false }));
  assert.ok(p.bad.length <= names.length * 0.01, `-p: ${p.bad.length} of ${names.length} differ:\n${p.bad.slice(0, 8).join('\n')}`);
});

test('C++: a g++ test binary\'s names agree with c++filt', { skip: noCxxfilt ?? (hasTool('g++') ? undefined : 'g++ missing') }, () => {
  const dir = join(cacheDir, 'demangle-test'); mkdirSync(dir, { recursive: true });
  const bin = join(dir, 'cxx-names-O0');
  if (!existsSync(bin)) {
    writeFileSync(`${bin}.cc`, `
#include <map>
#include <string>
#include <vector>
#include <functional>
#include <memory>
#include <iostream>
namespace outer { namespace inner {
template <typename T, int N> struct Box { T v[N]; T sum() const { T s{}; for (auto &x : v) s += x; return s; } Box &operator+=(const Box &o) { for (int i = 0; i < N; i++) v[i] += o.v[i]; return *this; } };
struct Base { virtual ~Base() {} virtual int f(int) = 0; };
struct Derived : Base { int f(int x) override { return x * 2; } };
template <typename F> int apply(F f, int x) { return f(x); }
} }
int (*fp)(const char *, ...);
struct Op { bool operator()(const std::string &a, const std::string &b) const { return a.size() < b.size(); } };
int main(int argc, char **) {
  outer::inner::Box<double, 3> b{{1, 2, 3}}; b += b;
  outer::inner::Box<long, 2> c{{1, 2}};
  std::map<std::string, std::vector<int>, Op> m; m["a"].push_back(argc);
  std::unique_ptr<outer::inner::Base> p(new outer::inner::Derived);
  std::function<int(int)> fn = [&](int x) { return x + p->f(argc); };
  std::cout << b.sum() + c.sum() + outer::inner::apply([](int x) { return x + 1; }, argc) + fn(2) << std::endl;
  return 0;
}`);
    execFileSync('g++', ['-O0', '-o', bin, `${bin}.cc`]);
  }
  const names = nmNames(bin, false).filter((n) => n.startsWith('_Z'));
  assert.ok(names.length > 50, `${names.length} names`);
  // With parameters, cpp_demangle (inside gecko-profiler-demangle 0.4.0) misprints parameter lists of
  // function templates whose parameters use template parameters (forwarding references, packs):
  // "pair<A&, B&, true>(A&)" for c++filt's "(A&, B&)". The perf form, without parameters (perf's
  // default, `c++filt -p`), is what kscope shows: it must agree but for a few pack expansions.
  const full = compare(names, cxxfilt(names), createDemangler(readDemanglerWasm(), { style: 'c++filt' }));
  const short = compare(names, cxxfilt(names, ['-p']), createDemangler(readDemanglerWasm(), { style: 'c++filt', params: false }));
  assert.ok(short.bad.length <= names.length * 0.03, `-p: ${short.bad.length} of ${names.length} differ:\n${short.bad.slice(0, 5).join('\n')}`);
  assert.ok(full.bad.length <= names.length * 0.25, `with params: ${full.bad.length} of ${names.length} differ`);
});

test('Rust: legacy and v0 names of a rustc binary agree with c++filt -s rust (hash and crate disambiguators aside)', { skip: noCxxfilt ?? (hasTool('rustc') ? undefined : 'rustc missing') }, () => {
  const dir = join(cacheDir, 'demangle-test'); mkdirSync(dir, { recursive: true });
  const src = join(dir, 'rust-names.rs');
  if (!existsSync(src)) writeFileSync(src, 'pub struct W<T>(T);\nimpl<T: std::fmt::Debug> W<T> { #[inline(never)] pub fn show(&self) -> String { format!("{:?}", self.0) } }\nfn main() { let v: Vec<u8> = std::env::args().map(|a| a.len() as u8).collect(); println!("{} {}", W(v.clone()).show(), W((1u32, "x")).show()); }\n');
  const all: string[] = [];
  for (const version of ['v0', 'legacy']) {
    const bin = join(dir, `rust-${version}`);
    if (!existsSync(bin)) {
      // legacy mangling needs -Z unstable-options on current rustc; RUSTC_BOOTSTRAP allows it on stable.
      const z = version === 'legacy' ? ['-Z', 'unstable-options'] : [];
      const r = spawnSync('rustc', ['-O', ...z, '-C', `symbol-mangling-version=${version}`, '-o', bin, src], { encoding: 'utf8', env: { ...process.env, RUSTC_BOOTSTRAP: '1' } });
      assert.equal(r.status, 0, r.stderr);
    }
    all.push(...nmNames(bin, false));
  }
  const legacy = all.filter((n) => /^_ZN.*17h[0-9a-f]{16}E$/.test(n));
  // Legacy names with $-escapes, as rustc-demangle's tests spell them.
  legacy.push('_ZN71_$LT$Test$u20$$u2b$$u20$$u27$static$u20$as$u20$foo..Bar$LT$Test$GT$$GT$3bar17h930b740aa94f1d3aE',
    '_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0123456789abcdefE');
  const v0 = all.filter((n) => n.startsWith('_R'));
  assert.ok(legacy.length >= 3 && v0.length > 50, `${legacy.length} legacy, ${v0.length} v0`);
  const d = createDemangler(readDemanglerWasm());
  const names = [...legacy, ...v0];
  // rustc-demangle's alternate form (what perf and samply show) drops legacy hashes, v0 crate
  // disambiguators and const-generic types, and keeps LLVM suffixes (".0") that c++filt drops.
  const want = cxxfilt(names, ['-s', 'rust']).map((s) => s.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]+\]/g, '').replace(/(\d+): (?:usize|u\d+|i\d+|isize|bool|char)\b/g, '$1'));
  const bad = names.map((n, i) => [n, d(n).replace(/\.\d+$/, ''), want[i]]).filter(([, g, w]) => g !== w).map(([n, g, w]) => `${n}\n   kscope:  ${g}\n   c++filt: ${w}`);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${names.length} differ`);
  assert.ok(names.length > 100);
});

test('isRustLegacy agrees with RUST_LEGACY on real, edited and random names', { skip: hasTool('nm') ? undefined : 'nm missing' }, () => {
  const names = new Set<string>(['_ZN1a17h0123456789abcdefE', '__ZN1a17h0123456789abcdefE', '___ZN1a17h0123456789abcdefE', '_ZN17h0123456789abcdefE',
    '_ZN1a17h0123456789abcdefE.llvm.12', '_ZN1a17h0123456789abcdefE.llvm.', '_ZN1a17h0123456789abcdefE.llvm.1x', '_ZN1a17h0123456789abcdeFE',
    '_ZN1\n17h0123456789abcdefE', '_ZN1\u202817h0123456789abcdefE', '_ZN1a17h0123456789abcdefE\n', '_ZN1a17h0123456789abcdefEE', '_ZN1a17h0123456789abcdef', '', '_', '_Z', '_ZN',
    '_ZN1a17h0123456789abcdefE.llvm.5E', '_ZN1a17h0123456789abcdefE5', 'x_ZN1a17h0123456789abcdefE', '_ZN1a17h0123456789abcdefE.llvm.17h0123456789abcdefE']);
  for (const f of ['/usr/lib/x86_64-linux-gnu/libstdc++.so.6', '/usr/bin/node']) if (existsSync(f)) for (const n of nmNames(f, false, true)) names.add(n);
  // edits near the suffix of real and legacy-shaped names
  const base = [...names].slice(0, 3000);
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 16) % n; };
  const alphabet = '_ZNE17hab0f9.lvmx\n';
  for (const n of base) {
    for (let k = 0; k < 3; k++) {
      const at = Math.max(0, n.length - 1 - rnd(30));
      names.add(n.slice(0, at) + alphabet[rnd(alphabet.length)] + n.slice(at + 1));
      let hash = '';
      for (let h = 16 + (rnd(4) === 0 ? rnd(3) - 1 : 0); h > 0; h--) hash += '0123456789abcdefA'[rnd(rnd(8) === 0 ? 17 : 16)];
      names.add(`${['_ZN', '__ZN', '_Z', 'ZN'][rnd(8) & 3]}${n.slice(0, rnd(8))}${['17h', '17h', '17h', '7h'][rnd(4)]}${hash}E${['', '', '.llvm.', '.llvm.3', '.llvm.42', '.llvm.4a'][rnd(6)]}`);
    }
  }
  let legacy = 0;
  for (const n of names) {
    const want = RUST_LEGACY.test(n);
    assert.equal(isRustLegacy(n), want, JSON.stringify(n));
    if (want) legacy++;
  }
  assert.ok(names.size > 10000 && legacy > 100, `${names.size} names, ${legacy} legacy`);
});

/** Mangled C++ names with a constructor/destructor kind digit, versions kept, in libstdc++'s and node's static (and with `dynamic` also dynamic) tables. */
function ctorDtorNames(dynamic: boolean): Set<string> {
  const names = new Set<string>();
  for (const f of ['/usr/lib/x86_64-linux-gnu/libstdc++.so.6', '/usr/bin/node']) {
    if (!existsSync(f)) continue;
    for (const dyn of dynamic ? [true, false] : [false]) {
      for (const n of nmNames(f, dyn, true)) if (/[CD]\d/.test(n) && n.startsWith('_Z')) names.add(n);
    }
  }
  return names;
}

/** `a` with each C/D-and-digit position's digit replaced by each of 0-5. */
function* kindVariants(a: string): Generator<string> {
  for (let i = 1; i < a.length; i++) {
    if ((a[i - 1] !== 'C' && a[i - 1] !== 'D') || !/\d/.test(a[i])) continue;
    for (const kd of '012345') yield a.slice(0, i) + kd + a.slice(i + 1);
  }
}

test('Demangler.sameRankText: the two names rank as equals (one text, or both left as they are) and neither text begins with SyS', { skip: hasTool('nm') ? undefined : 'nm missing' }, () => {
  const names = ctorDtorNames(false);
  const d = createDemangler(readDemanglerWasm, { params: false });
  assert.ok(d.sameRankText!('_ZN1AIiED1Ev', '_ZN1AIiED2Ev') && d.sameRankText!('_ZN3FooC1Ev', '_ZN3FooC2Ev'));
  assert.ok(!d.sameRankText!('_ZN3FooC1Ev', '_ZN3FooC6Ev') && !d.sameRankText!('_Z3AC1v', '_Z3AC2v') && !d.sameRankText!('_ZN3FooC1Ev', '_ZN3FooC1Ev'));
  assert.ok(!d.sameRankText!('_ZN3SySIiED1Ev', '_ZN3SySIiED2Ev'), 'a text that may begin with SyS');
  assert.ok(!d.sameRankText!('_ZN1AIiED1Ev@@V', '_ZN1AIiED2Ev@@V'), 'versioned names go the long way');
  let same = 0;
  for (const a of names) {
    for (const b of kindVariants(a)) {
      if (!d.sameRankText!(a, b)) continue;
      same++;
      const ta = d(a), tb = d(b);
      assert.ok(ta.length === tb.length && !ta.startsWith('SyS') && !ta.startsWith('compat_SyS'), `${a} ${b}`);
      assert.ok(tb === ta || (ta === a && tb === b), `${a} ${b}`);
    }
  }
  assert.ok(same > 1000, `only ${same} pairs`);
});

test('Demangler.sameText: a constructor/destructor alias demangles as the name whose demangling read its kind', { skip: hasTool('nm') ? undefined : 'nm missing' }, () => {
  const names = ctorDtorNames(true);
  let same = 0;
  for (const params of [false, true]) {
    const d = createDemangler(readDemanglerWasm, { params });
    assert.ok(!d.sameText!('_ZN3FooC1Ev', '_ZN3FooC6Ev') && !d.sameText!('_Z3AC1v', '_Z3AC2v') && !d.sameText!('_ZN3FooC1Ev', '_ZN3FooC1Ev'));
    assert.ok(!d.sameText!('_ZN1aC17h0123456789abcdefE', '_ZN1aC27h0123456789abcdefE'), 'one of them a legacy Rust name');
    assert.ok(d.sameText!('_ZN1AIiED1Ev', '_ZN1AIiED2Ev') && d.sameText!('_ZN1AIiED1Ev@@V', '_ZN1AIiED2Ev@@V'));
    let k = 0;
    for (const a of names) {
      if (params && k++ % 4 !== 0) continue; // a sample with parameters
      for (const b of kindVariants(a)) {
        if (!d.sameText!(a, b)) continue;
        same++;
        assert.equal(d(b), d(a), `${a} ${b} params ${params}`);
      }
    }
  }
  assert.ok(same > 1000, `only ${same} pairs`);
});
