// The DWARF unwinder on a `perf record --call-graph dwarf` recording of a -O2 workload (no frame
// pointers), compared sample by sample with the callchains Linux perf script unwinds itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cacheDir, compileWorkload, hasTool, perfRecording, perfSkipReason, runKscope, runPerf } from './helpers/fixtures.js';
import { openPerfData } from '../src/formats/perfdata/index.js';
import { readElf } from '../src/formats/elf/index.js';
import { cfiModuleFromElf, DwarfUnwinder, PERF_REGS_X86_64_DWARF_MASK, type CfiModule, type MappedModule, type UnwindStop } from '../src/unwind/dwarf-unwind.js';

interface Mapping { start: number; end: number; pgoff: number; file: string; prot: number }

/** PERF_RECORD_MMAP2 body: u32 pid, tid; u64 addr, len, pgoff; 24 bytes dev/ino or build id; u32 prot, flags; char filename[]. */
function decodeMmap2(b: Uint8Array): Mapping & { pid: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u64 = (o: number) => v.getUint32(o + 4, true) * 2 ** 32 + v.getUint32(o, true);
  const start = u64(16), len = u64(24), pgoff = u64(32);
  const prot = v.getUint32(64, true);
  const nameEnd = b.indexOf(0, 72);
  const file = Buffer.from(b.subarray(72, nameEnd)).toString();
  return { pid: v.getUint32(8, true), start, end: start + len, pgoff, file, prot };
}

/** The [vdso] of this machine's kernel, read from our own process (the same image perf saw). */
function vdsoBytes(): Uint8Array | undefined {
  const m = /^([0-9a-f]+)-([0-9a-f]+) .*\[vdso\]$/m.exec(readFileSync('/proc/self/maps', 'utf8'));
  if (!m) return undefined;
  const start = parseInt(m[1], 16), end = parseInt(m[2], 16);
  const buf = Buffer.alloc(end - start);
  const fd = openSync('/proc/self/mem', 'r');
  try { readSync(fd, buf, 0, buf.length, start); } finally { closeSync(fd); }
  return new Uint8Array(buf);
}

/** A -O2 program that spends its time in a comparator called back from libc's qsort (libc CFI in every chain). */
function qsortProgram(): string {
  const dir = join(cacheDir, 'bin');
  const out = join(dir, 'cfi-qsort-O2');
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const src = join(dir, 'cfi-qsort.c');
  writeFileSync(src, `#include <stdlib.h>\n#include <stdio.h>\n#include <time.h>\n
static int cmp(const void *a, const void *b) { unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  for (int i = 0; i < 20; i++) { x = x * 1103515245u + 12345u; y = y * 1103515245u + 12345u; } return x < y ? -1 : x > y; }
__attribute__((noinline)) static void sort_round(unsigned *v, int n, unsigned seed) { for (int i = 0; i < n; i++) v[i] = seed = seed * 1664525u + 1013904223u; qsort(v, n, sizeof *v, cmp); }
int main(int argc, char **argv) { long ms = argc > 1 ? atol(argv[1]) : 200; static unsigned v[20000]; struct timespec t0, t; clock_gettime(CLOCK_MONOTONIC, &t0);
  for (unsigned r = 0;; r++) { sort_round(v, 20000, r); clock_gettime(CLOCK_MONOTONIC, &t); if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms) break; }
  printf("%u\\n", v[0]); return 0; }\n`);
  execFileSync('gcc', ['-O2', '-o', `${out}.${process.pid}`, src]);
  renameSync(`${out}.${process.pid}`, out);
  return out;
}

function compareWithPerf(bin: string, name: string): void {
  const data = perfRecording(name, ['record', '--call-graph', 'dwarf', '-F', '1000', '--', bin, '200']);
  const file = openPerfData(new Uint8Array(readFileSync(data)), data);
  const attr = file.events.events[0].attr;
  assert.equal(Number(attr.sampleRegsUser), PERF_REGS_X86_64_DWARF_MASK, "perf's default dwarf register mask");

  const maps: Mapping[] = [];
  const modules = new Map<string, CfiModule | null>();
  const elfs = new Map<string, ReturnType<typeof readElf>>();
  const loadElf = (path: string) => {
    if (!elfs.has(path)) {
      const bytes = path === '[vdso]' ? vdsoBytes() : existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
      elfs.set(path, bytes ? readElf(bytes, path) : (undefined as never));
    }
    return elfs.get(path);
  };
  const mappingOf = (pc: number) => {
    for (let i = maps.length - 1; i >= 0; i--) if (pc >= maps[i].start && pc < maps[i].end) return maps[i];
    return undefined;
  };
  const findModule = (pc: number): MappedModule | undefined => {
    const m = mappingOf(pc);
    if (!m || !(m.prot & 4)) return undefined;
    const elf = loadElf(m.file);
    if (!elf) return undefined;
    if (!modules.has(m.file)) modules.set(m.file, cfiModuleFromElf(elf));
    const cfi = modules.get(m.file)!;
    // The PT_LOAD holding this mapping's file offset gives link address ↔ runtime address.
    const off = m.file === '[vdso]' ? 0 : m.pgoff;
    const seg = elf.programHeaders.find((p) => p.type === 1 && off >= p.offset && off < p.offset + Math.max(p.filesz, 1));
    if (!seg) return undefined;
    return { cfi, bias: m.start - (Number(seg.vaddr) + (off - seg.offset)) };
  };

  // Our unwinding, keyed by sample time.
  const unwinder = new DwarfUnwinder(findModule);
  const mine = new Map<string, { frames: string[]; stop: UnwindStop }>();
  // in perf's time order: a workload's MMAP2 may sit in another CPU's part of the file, after
  // samples that follow it in time (seen in CI: the binary's map came after its first samples)
  for (const rec of file.orderedRecords()) {
    if (rec.type === 10) {
      const m = decodeMmap2(rec.bytes);
      maps.push(m);
      continue;
    }
    if (rec.type !== 9) continue;
    const s = file.decodeSample(rec);
    if (!s.regsUser || s.regsUser.abi === 0n || !s.stackUser) continue;
    const pcs = unwinder.unwind({ regs: s.regsUser.regs, mask: PERF_REGS_X86_64_DWARF_MASK, stack: s.stackUser, stackSize: s.stackUserDynSize });
    // perf's libdw unwinder reports caller frames at return address − 1 (inside the call instruction).
    const frames = pcs.map((ra, i) => {
      const pc = i === 0 ? ra : ra - 1;
      const m = mappingOf(pc);
      return m ? `${(pc - m.start + m.pgoff).toString(16)} ${m.file}` : `${pc.toString(16)} [unknown]`;
    });
    mine.set(s.time.toString(), { frames, stop: unwinder.lastStop });
  }

  // perf's unwinding (libdw or libunwind), user frames only, with the same map-relative addresses.
  const r = runPerf(['script', '-i', data, '-F', 'time,ip,dso', '--ns', '--no-inline']);
  assert.equal(r.status, 0, r.stderr);
  let compared = 0, equal = 0;
  const diffs: string[] = [];
  for (const block of r.stdout.split(/\n\s*\n/)) {
    const lines = block.split('\n').map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    const t = /(\d+)\.(\d{9}):/.exec(lines[0]);
    if (!t) continue;
    const key = (BigInt(t[1]) * 1000000000n + BigInt(t[2])).toString();
    const theirs = lines.slice(1).map((l) => /^([0-9a-f]+) \((.*)\)$/.exec(l)).filter((x): x is RegExpExecArray => !!x)
      .filter((x) => !x[2].includes('kernel.kallsyms') && parseInt(x[1], 16) < 0x800000000000)
      .map((x) => `${x[1]} ${x[2]}`);
    const ours = mine.get(key);
    if (!ours || !theirs.length) continue;
    compared++;
    if (ours.frames.join('\n') === theirs.join('\n')) equal++;
    else if (diffs.length < 5) diffs.push(`t=${key} stop=${ours.stop}\n  kscope: ${ours.frames.join(' | ')}\n  perf:   ${theirs.join(' | ')}`);
  }
  console.log(`# dwarf unwind vs perf script: ${equal}/${compared} samples with identical user callchains`);
  if (diffs.length) console.log(`# first differences:\n${diffs.join('\n')}`);
  assert.ok(compared >= 50, `enough samples compared (${compared})`);
  assert.ok(equal >= compared * 0.98, `callchains equal perf's for ≥98% of samples (${equal}/${compared})\n${diffs.join('\n')}`);
  // Deep chains: the workload's leaf functions unwind through run and main into libc and _start.
  const deep = [...mine.values()].filter((m) => m.frames.some((f) => f.endsWith('libc.so.6')) && m.stop === 'end');
  assert.ok(deep.length > compared / 2, 'most samples unwind through libc to the end of the stack');
}

test('DWARF unwinding of perf --call-graph dwarf samples matches perf script (burn.c -O2)', { skip: perfSkipReason() }, () => {
  compareWithPerf(compileWorkload('burn.c', ['-O2']), 'cfi-dwarf-O2');
});

test('DWARF unwinding through libc (qsort callbacks, -O2) matches perf script', { skip: perfSkipReason() ?? (hasTool('gcc') ? undefined : 'gcc is not installed') }, () => {
  compareWithPerf(qsortProgram(), 'cfi-dwarf-qsort');
});

/** `kscope script -i data` equals perf script's text `theirs`, line for line. */
function sameScript(data: string, theirs: string): void {
  const mine = runKscope(['script', '-i', data]);
  assert.equal(mine.status, 0, mine.stderr);
  const a = theirs.split('\n'), b = mine.stdout.split('\n');
  const diff = a.map((l, i) => (l === b[i] ? '' : `line ${i + 1}:\n  perf:   ${l}\n  kscope: ${b[i]}`)).filter(Boolean);
  assert.equal(b.length, a.length, `line count\n${diff.slice(0, 5).join('\n')}`);
  assert.deepEqual(diff.slice(0, 5), [], 'kscope script equals perf script');
}

/** `kscope report --stdio` rows equal perf's in each mode (Tip lines aside). */
function sameReports(data: string, modes: string[][]): void {
  for (const mode of modes) {
    const p = runPerf(['report', '-i', data, '--stdio', ...mode]);
    const k = runKscope(['report', '-i', data, '--stdio', ...mode]);
    assert.equal(k.status, 0, k.stderr);
    assert.deepEqual(reportRows(k.stdout), reportRows(p.stdout), `report ${mode.join(' ')}`);
  }
}

/** perf report text without its random "# (Tip: ...)" line and blank/bare-"#" lines. */
function reportRows(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && l !== '#' && !l.startsWith('# (Tip:'));
}

test("frames without CFI: libunwind's frame-chain guess, as perf script and report show it (nocfi.c)", { skip: perfSkipReason() ?? (hasTool('gcc') ? undefined : 'gcc is not installed') }, () => {
  const bin = compileWorkload('nocfi.c', ['-O1', '-fno-omit-frame-pointer', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables']);
  const data = perfRecording('nocfi-dwarf', ['record', '--call-graph', 'dwarf', '-F', '1000', '--', bin, '300']);
  const theirs = runPerf(['script', '-i', data]);
  assert.equal(theirs.status, 0, theirs.stderr);
  // The recording exercises the guess: leaf (no FDE) unwound into libc's __libc_start_call_main,
  // which only the frame chain through leaf's and its callers' rbp can reach.
  const blocks = theirs.stdout.split('\n\n');
  const guessed = blocks.filter((b) => / leaf\+/.test(b) && /__libc_start_call_main/.test(b));
  assert.ok(guessed.length >= 10, `samples in leaf unwound into libc (${guessed.length})`);
  sameScript(data, theirs.stdout);
  // flat and folded graphs leave out entries at or above PERF_CONTEXT_MAX (the ffffffffffffffff of
  // a return address 0 that ends a guessed chain), which graph mode prints
  sameReports(data, [['--no-children'], ['--no-children', '-g', 'none', '-s', 'dso,sym'], ['--children', '-g', 'none', '-s', 'dso'],
    ['--no-children', '-g', 'flat'], ['--no-children', '-g', 'folded,0,caller']]);
});

test('a process that re-executes itself: perf keeps the older images\' maps, and its .eh_frame_hdr base is the lowest of them (reexec.c)', { skip: perfSkipReason() ?? (hasTool('gcc') ? undefined : 'gcc is not installed') }, () => {
  // Each exec maps ld.so, libc and the binary at new random addresses; where an older image's
  // mapping of the same file is lower, perf 6.1's FDE lookups miss and libunwind guesses frames
  // from rbp (a few hundred lookups per recording here), which kscope must show the same way.
  const bin = compileWorkload('reexec.c', ['-O2']);
  const data = perfRecording('reexec-dwarf', ['record', '--call-graph', 'dwarf', '-F', '1000', '--', bin, '4', '60']);
  const theirs = runPerf(['script', '-i', data, '--show-task-events']);
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.ok((theirs.stdout.match(/PERF_RECORD_COMM exec/g) ?? []).length >= 4, 'the recording holds the re-executions');
  const mine = runKscope(['script', '-i', data, '--show-task-events']);
  assert.equal(mine.status, 0, mine.stderr);
  assert.equal(mine.stdout, theirs.stdout);
  sameScript(data, runPerf(['script', '-i', data]).stdout);
  // exec through /proc/self/exe renames the process "exe": perf sizes the comm column by the
  // thread's last comm and cuts the first image's longer comm to it ("reexec_")
  sameReports(data, [['--no-children', '-g', 'none', '-s', 'comm,dso'], ['--no-children']]);
});

test('a signal handler: the pc a signal interrupted is not decremented, the trampoline\'s return address is (sighandler.c)', { skip: perfSkipReason() ?? (hasTool('gcc') ? undefined : 'gcc is not installed') }, () => {
  // Samples in a SIGPROF handler unwind through glibc's __restore_rt (an FDE whose CIE has the 'S'
  // augmentation) to the interrupted frame. perf prints __restore_rt's address minus 1 and the
  // interrupted pc as it was (libunwind's unw_is_signal_frame after the step from the 'S' frame).
  const bin = compileWorkload('sighandler.c', ['-O2']);
  const data = perfRecording('sighandler-dwarf', ['record', '--call-graph', 'dwarf', '-F', '1000', '--', bin, '300']);
  const theirs = runPerf(['script', '-i', data]);
  assert.equal(theirs.status, 0, theirs.stderr);
  const through = theirs.stdout.split('\n\n').filter((b) => /on_prof\+/.test(b) && /main\+/.test(b));
  assert.ok(through.length >= 10, `samples in the handler unwound to main (${through.length})`);
  sameScript(data, theirs.stdout);
});
