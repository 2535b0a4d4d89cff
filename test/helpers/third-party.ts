// Third-party code built on this machine for symbolization tests and benchmarks: SQLite's
// amalgamation (as shipped in the better-sqlite3 npm package) compiled into a shared library, and
// a generated C++ program of many compile units. Each is built once into the fixture cache, keyed
// by the hash of its inputs. The SQLite source comes from the npm registry (`npm pack`) at setup
// time; when that fails (no registry), the reason is returned so tests skip visibly.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, hasTool } from './fixtures.js';

export const SQLITE_PACKAGE = 'better-sqlite3@13.2.0';

function sha(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/** The better-sqlite3 tarball in the cache, fetched with `npm pack` once; a string is the failure reason. */
function sqliteTarball(): string | { error: string } {
  const dir = join(cacheDir, 'downloads');
  const name = 'better-sqlite3-13.2.0.tgz';
  const path = join(dir, name);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `pack-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('npm', ['pack', SQLITE_PACKAGE, '--pack-destination', tmp, '--silent'], { encoding: 'utf8', timeout: 180_000 });
  const got = existsSync(join(tmp, name));
  if (r.status !== 0 || !got) {
    rmSync(tmp, { recursive: true, force: true });
    return { error: `npm pack ${SQLITE_PACKAGE} failed (${r.status}): ${(r.stderr || '').trim().split('\n').slice(-1)[0]}` };
  }
  renameSync(join(tmp, name), path);
  rmSync(tmp, { recursive: true, force: true });
  return path;
}

/**
 * libsqlite3.so built with `gcc -g -O2 -shared -fPIC` from the amalgamation, cached by the hash of
 * sqlite3.c. Returns the path, or `{ error }` saying why it cannot be had here.
 */
export function sqliteLibrary(): string | { error: string } {
  if (!hasTool('gcc')) return { error: 'gcc is not installed' };
  if (!hasTool('npm')) return { error: 'npm is not on PATH' };
  const tgz = sqliteTarball();
  if (typeof tgz !== 'string') return tgz;
  const srcDir = join(cacheDir, 'src', 'sqlite-13.2.0');
  const src = join(srcDir, 'sqlite3.c');
  if (!existsSync(src)) {
    mkdirSync(srcDir, { recursive: true });
    const tmp = `${srcDir}.${process.pid}.tmp`;
    mkdirSync(tmp, { recursive: true });
    execFileSync('tar', ['xzf', tgz, '-C', tmp, 'package/deps/sqlite3/sqlite3.c', 'package/deps/sqlite3/sqlite3.h']);
    renameSync(join(tmp, 'package/deps/sqlite3/sqlite3.h'), join(srcDir, 'sqlite3.h'));
    renameSync(join(tmp, 'package/deps/sqlite3/sqlite3.c'), src);
    rmSync(tmp, { recursive: true, force: true });
  }
  const flags = ['-g', '-O2', '-shared', '-fPIC'];
  const out = join(cacheDir, 'bin', `libsqlite3-${sha(readFileSync(src))}-${sha(JSON.stringify(flags))}.so`);
  if (existsSync(out)) return out;
  mkdirSync(join(cacheDir, 'bin'), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync('gcc', [...flags, '-o', tmp, src], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(tmp, out);
  return out;
}

/**
 * Sources of a C++ program of `units` compile units (plus main.cc) sharing one header: templates
 * instantiated per unit, inline functions from the header, static functions of one name in every
 * unit, and a class hierarchy with virtual functions defined across units.
 */
export function manyUnitSources(units: number): Map<string, string> {
  const files = new Map<string, string>();
  files.set('shared.h', `#pragma once
#include <cstddef>
#include <cstdint>
namespace gen {
struct Shape {
  virtual ~Shape() {}
  virtual double area() const = 0;
  virtual const char *name() const { return "shape"; }
  int id = 0;
};
template <typename T, int N> struct Ring {
  T items[N];
  std::size_t head = 0;
  inline void push(T v) { items[head++ % N] = v; }
  inline T sum() const { T s = T(); for (int i = 0; i < N; i++) s += items[i] * (i + 1); return s; }
};
inline std::uint32_t mix(std::uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
  return x;
}
template <typename T> inline T clampv(T v, T lo, T hi) { return v < lo ? lo : v > hi ? hi : v; }
template <typename F> inline double accumulate(int n, F f) { double s = 0; for (int i = 0; i < n; i++) s += f(i); return s; }
${Array.from({ length: units }, (_, i) => `Shape *make${i}(int k);\ndouble run${i}(int n);`).join('\n')}
}
`);
  for (let i = 0; i < units; i++) {
    const T = ['int', 'double', 'long', 'float', 'unsigned'][i % 5];
    files.set(`unit${i}.cc`, `#include "shared.h"
namespace gen {
static int helper(int x) { return (int)(mix((std::uint32_t)x + ${i}u) % 1000u); }
static double weigh(double v) { return v * ${i + 1}.5 + helper((int)v); }
namespace {
struct Local${i} { int v; int get() const { return v * ${i + 2}; } };
}
struct Shape${i} : Shape {
  double r;
  explicit Shape${i}(double r_) : r(r_) { id = ${i}; }
  double area() const override { return r * r * ${i % 7 + 1} + helper(id); }
  const char *name() const override { return "shape${i}"; }
};
struct Deep${i} : Shape${i} {
  using Shape${i}::Shape${i};
  double area() const override { return Shape${i}::area() * 2 + weigh(r); }
};
template <typename T> T combine${i}(T a, T b) { return clampv<T>(a * b + (T)helper((int)a), (T)0, (T)100000); }
Shape *make${i}(int k) { if (k & 1) return new Deep${i}(k); return new Shape${i}(k); }
double run${i}(int n) {
  Ring<${T}, ${(i % 4) + 3}> ring{};
  for (int k = 0; k < n; k++) ring.push((${T})(helper(k) + k));
  Local${i} loc{n};
  double total = accumulate(n, [&](int k) { return weigh(k) + combine${i}<${T}>((${T})k, (${T})(k + 1)); });
  Shape *s = make${i}(n);
  total += s->area() + loc.get() + ring.sum();
  delete s;
  return total;
}
}
`);
  }
  files.set('main.cc', `#include "shared.h"
#include <cstdio>
#include <cstdlib>
int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10;
  double t = 0;
${Array.from({ length: units }, (_, i) => `  t += gen::run${i}(n);`).join('\n')}
  std::printf("%f\\n", t);
  return 0;
}
`);
  return files;
}

/** The many-unit C++ program compiled `g++ -O2 -g` (one g++ per unit, then linked), cached. */
export function manyUnitProgram(units = 40, flags = ['-O2', '-g']): string {
  const files = manyUnitSources(units);
  const h = sha(JSON.stringify([[...files], flags]));
  const out = join(cacheDir, 'bin', `manyunits-${h}`);
  if (existsSync(out)) return out;
  const dir = join(cacheDir, 'src', `manyunits-${h}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  const objs: string[] = [];
  for (const name of files.keys()) {
    if (!name.endsWith('.cc')) continue;
    const o = join(dir, name.replace(/\.cc$/, '.o'));
    execFileSync('g++', [...flags, '-c', '-o', o, name], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    objs.push(o);
  }
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync('g++', [...flags, '-o', tmp, ...objs], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(tmp, out);
  return out;
}

