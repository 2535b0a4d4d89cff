// The print fmt evaluator against Linux perf 6.1's perf script (libtraceevent) on recordings made
// here, and its libtraceevent quirks on small hand-written formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { openPerfData } from '../src/formats/perfdata/index.js';
import { decodeTracingData } from '../src/formats/perfdata/tracing-data.js';
import { parseEventFormat } from '../src/formats/tracefs/event-format.js';
import { compilePrintFmt, parsePrintkFormats, type PrintFmtEvaluator } from '../src/formats/tracefs/print-fmt.js';
import { KernelSymbols } from '../src/symbols/kernel.js';
import { FileSource } from '../src/util/byte-source.js';
import { compileWorkload, perfRecording, perfSkipReason, runPerf, standardRecordings } from './helpers/fixtures.js';

const skip = perfSkipReason();

/** Evaluates every sample's raw data of a recording; returns the texts in perf's order. */
function evaluateAll(path: string): string[] {
  const ks = existsSync('/proc/kallsyms') ? KernelSymbols.fromText(readFileSync('/proc/kallsyms')) : undefined;
  const resolveKernelSymbol = (a: bigint) => { const s = ks?.find(a); return s && { name: s.name, start: s.start }; };
  const f = openPerfData(new FileSource(path));
  try {
    const td = decodeTracingData(f.readFeature(1)!);
    const printk = parsePrintkFormats(td.printk);
    const byId = new Map<number, PrintFmtEvaluator>();
    for (const sys of td.systems) for (const t of sys.formats) {
      const ev = parseEventFormat(t);
      byId.set(ev.id, compilePrintFmt(ev, { longSize: td.longSize, bigEndian: td.bigEndian, printk, resolveKernelSymbol }));
    }
    const out: string[] = [];
    for (const rec of f.orderedRecords()) {
      if (rec.type !== 9) continue;
      const ev = f.eventOf(rec)!;
      const s = f.decodeSample(rec);
      out.push(byId.get(Number(ev.attr.config))?.format(s.raw!) ?? '<no format>');
    }
    return out;
  } finally { f.close(); }
}

function perfTraceTexts(path: string): string[] {
  const r = runPerf(['script', '-i', path]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => /\d+\.\d{6}: +\w+:\w+: (.*)$/.exec(l)?.[1] ?? l);
}

function compare(path: string, minLines: number): void {
  const ours = evaluateAll(path);
  const perf = perfTraceTexts(path);
  assert.ok(perf.length >= minLines, `perf printed ${perf.length} lines`);
  assert.equal(ours.length, perf.length);
  const bad: string[] = [];
  for (let i = 0; i < perf.length; i++) if (ours[i] !== perf[i]) bad.push(`perf: ${perf[i]}\nours: ${ours[i]}`);
  assert.equal(bad.length, 0, `${bad.length}/${perf.length} differ:\n${bad.slice(0, 20).join('\n')}`);
}

test('print fmt of sched_switch and sys_enter_write equals perf script on every record', { skip }, () => {
  compare(standardRecordings().tracepoints, 100);
});

test('print fmt of sched, irq, timer, kmem, workqueue, block, writeback, ext4, rcu, tlb events equals perf script', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const events = ['sched:*', 'syscalls:sys_enter_openat', 'syscalls:sys_exit_openat', 'irq:*', 'timer:*', 'kmem:*', 'workqueue:*',
    'block:*', 'writeback:*', 'ext4:*', 'filemap:*', 'rcu:*', 'tlb:*', 'raw_syscalls:sys_exit', 'signal:*', 'task:*', 'mmap:*'];
  const usable = events.filter((e) => runPerf(['record', '-q', '-o', '/dev/null', '-e', e, '--', 'true']).status === 0);
  const path = perfRecording('tp-many', ['record', '-a', ...usable.flatMap((e) => ['-e', e]), '--', 'sh', '-c',
    `${burn} 100; ls / > /dev/null; cat /proc/self/maps > /dev/null; dd if=/dev/zero of=/tmp/kscope-tp-many.$$ bs=64k count=16 conv=fsync 2>/dev/null; rm -f /tmp/kscope-tp-many.$$`]);
  compare(path, 1000);
});

function fmtText(fields: string, printFmt: string): string {
  return `name: t\nID: 1\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n${fields}\nprint fmt: ${printFmt}\n`;
}
const F = (decl: string, off: number, size: number, signed = 0) => `\tfield:${decl};\toffset:${off};\tsize:${size};\tsigned:${signed};\n`;

function evalOne(fields: string, printFmt: string, fill: (dv: DataView, b: Uint8Array) => void, opts = {}): string {
  const ev = parseEventFormat(fmtText(fields, printFmt));
  const b = new Uint8Array(64);
  fill(new DataView(b.buffer), b);
  return compilePrintFmt(ev, opts).format(b);
}

test('operators follow libtraceevent: same priority binds right, a looser operand in parentheses rotates', () => {
  const fields = F('int a', 8, 4, 1) + F('int b', 12, 4, 1) + F('int c', 16, 4, 1);
  const fill = (dv: DataView) => { dv.setInt32(8, 10, true); dv.setInt32(12, 4, true); dv.setInt32(16, 3, true); };
  // a - b - c: libtraceevent computes a - (b - c) = 9 (C would say 3)
  assert.equal(evalOne(fields, '"%d", REC->a - REC->b - REC->c', fill), '9');
  // a & (b | c) evaluates as (a & b) | c = 0 | 3
  assert.equal(evalOne(fields, '"%d", REC->a & (REC->b | REC->c)', fill), '3');
  assert.equal(evalOne(fields, '"%d %d", REC->a * REC->b + REC->c, (REC->a > 5) ? REC->b : REC->c', fill), '43 4');
  assert.equal(evalOne(fields, '"%s", REC->a == 10 ? "ten" : "other"', fill), 'ten');
});

test('printf conversions, casts and the kernel helpers', () => {
  const fields = F('int s', 8, 4, 1) + F('unsigned long p', 16, 8) + F('char comm[16]', 24, 16) + F('__data_loc char[] name', 40, 4) + F('unsigned int fl', 44, 4);
  const fill = (dv: DataView, b: Uint8Array) => {
    dv.setInt32(8, -5, true); dv.setBigUint64(16, 0xffffffff81000010n, true);
    b.set(new TextEncoder().encode('bash'), 24);
    dv.setUint32(40, (4 << 16) | 52, true); b.set(new TextEncoder().encode('abc\0'), 52);
    dv.setUint32(44, 0x13, true);
  };
  const resolveKernelSymbol = (a: bigint) => (a >= 0xffffffff81000000n ? { name: 'start_kernel', start: 0xffffffff81000000n } : undefined);
  assert.equal(evalOne(fields, '"%d %u %x %5d|%-5d|%05d %ld", REC->s, REC->s, REC->s, REC->s, REC->s, REC->s, REC->s', fill), '-5 4294967291 fffffffb    -5|-5   |-0005 4294967291');
  assert.equal(evalOne(fields, '"%pS %ps %p %pK", REC->p, REC->p, REC->p, REC->p', fill, { resolveKernelSymbol }), 'start_kernel+0x10 start_kernel 0xffffffff81000010 0xffffffff81000010K');
  assert.equal(evalOne(fields, '"%s|%10s|%-6s|%.2s|%s", REC->comm, REC->comm, __get_str(name), REC->comm, (int)REC->s', fill), 'bash|      bash|abc   |ba|');
  assert.equal(evalOne(fields, '"%s %s", __print_flags(REC->fl, "|", { 0x1, "A" }, { 0x2, "B" }, { 0x4, "C" }), __print_symbolic(REC->fl, { 1, "one" }, { 0x13, "nineteen" })', fill), 'A|B|0x10 nineteen');
  assert.equal(evalOne(fields, '"%#x %#lx %llu %c %%", REC->fl, (u8)REC->p, (unsigned long long)REC->s, REC->s', fill), '0x13 0x10 4294967291 >c< %');
  assert.equal(evalOne(fields, '"%d", sizeof(int)', fill), '[FAILED TO PARSE] s=-5 p=0xffffffff81000010 comm=bash name=abc fl=19');
  assert.equal(evalOne(fields, '"%s", __print_hex(REC->comm, 3)', fill), '62 61 73');
});

test('values past 2^53 and wrapping operators print as the 64-bit arithmetic does', () => {
  // The evaluator computes in doubles while values stay exact and falls back to 64-bit BigInt math;
  // "i * 3 / 2" is i * (3 / 2): libtraceevent binds same-priority operators to the right.
  const fields = F('long v', 8, 8, 1) + F('unsigned long big', 16, 8) + F('int i', 24, 4, 1);
  const fill = (dv: DataView) => { dv.setBigInt64(8, -2n, true); dv.setBigUint64(16, (1n << 53n) + 1n, true); dv.setInt32(24, 7, true); };
  assert.equal(evalOne(fields, '"%ld %lu %lx %d %u", REC->v, REC->v, REC->v, REC->v, REC->v', fill), '-2 18446744073709551614 fffffffffffffffe -2 4294967294');
  assert.equal(evalOne(fields, '"%lu %lx %lu %lu", REC->big, REC->big, REC->big - 2, REC->big >> 1', fill), '9007199254740993 20000000000001 9007199254740991 4503599627370496');
  assert.equal(evalOne(fields, '"%ld %lu %ld %lu", REC->i - 8, REC->i - 8, REC->i * 3 / 2, REC->i << 60', fill), '-1 18446744073709551615 7 8070450532247928832');
  assert.equal(evalOne(fields, '"%hd %hhu %ld %s", REC->v, REC->v, (u16)REC->v, __print_flags(REC->big, "|", { 1, "one" })', fill), '-2 254 65534 one|0x20000000000000');
  assert.equal(evalOne(fields, '"%p %p", REC->big, REC->i - 7', fill), '0x20000000000001 (nil)');
});
