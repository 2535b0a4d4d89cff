// kscope script's perf options (filters, -G, --max-stack, --reltime/--deltatime, --show-*-events,
// --header) against Linux perf 6.1's perf script with the same options on the same recordings:
// every line must be equal. Bad values must fail with perf's one-line message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileWorkload, perfRecording, perfSkipReason, runKscope, runPerf, standardRecordings } from './helpers/fixtures.js';
import { closeSync } from 'node:fs';
import { parseTimeRanges, parseNsecTime, skipTime } from '../src/analysis/time-range.js';
import { bpfProgLoad, BPF_PROG_TYPE_SOCKET_FILTER, trivialSocketFilter } from '../src/kernel/bpf.js';
import { parseCpuList } from '../src/export/perf-script.js';
import { parseIntList, parseStrList, splitSymbolList } from '../src/analysis/sample-filter.js';

const skip = perfSkipReason();

/** perf script OPTS and kscope script OPTS print the same lines; returns perf's output. */
function same(path: string, opts: string[], minLines = 1): string {
  const p = runPerf(['script', '-i', path, ...opts]);
  assert.equal(p.status, 0, `perf script ${opts.join(' ')}: ${p.stderr}`);
  const k = runKscope(['script', '-i', path, ...opts]);
  assert.equal(k.status, 0, `kscope script ${opts.join(' ')}: ${k.stderr}`);
  const pl = p.stdout.split('\n'), kl = k.stdout.split('\n');
  const bad: string[] = [];
  for (let i = 0; i < Math.max(pl.length, kl.length) && bad.length < 20; i++) {
    if (pl[i] !== kl[i]) bad.push(`line ${i + 1}\n  perf: ${JSON.stringify(pl[i])}\n  ours: ${JSON.stringify(kl[i])}`);
  }
  assert.equal(bad.length, 0, `script ${opts.join(' ')}: ${pl.length} perf lines, ${kl.length} ours; first differences:\n${bad.join('\n')}`);
  assert.ok(pl.length - 1 >= minLines, `script ${opts.join(' ')}: perf printed ${pl.length - 1} lines, expected at least ${minLines}`);
  return p.stdout;
}

/** Both fail; kscope's first stderr line is perf's last message line. */
function sameError(path: string, opts: string[], message: string): void {
  const p = runPerf(['script', '-i', path, ...opts]);
  assert.match(p.stderr, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), `perf script ${opts.join(' ')} says ${p.stderr}`);
  const k = runKscope(['script', '-i', path, ...opts]);
  assert.notEqual(k.status, 0);
  assert.equal(k.stdout, '');
  assert.ok(k.stderr.startsWith(`kscope: ${message}`), `kscope script ${opts.join(' ')} says ${k.stderr}`);
  assert.equal(k.stderr.split('\n').filter((l) => !l.startsWith('  hint: ')).length, 2, 'one line (and a hint)');
}

/** The first "sec.usec:" time perf prints for the recording, in seconds as a string. */
function firstTimes(path: string): string[] {
  return [...runPerf(['script', '-i', path, '-F', 'time']).stdout.matchAll(/(\d+\.\d+):/g)].map((m) => m[1]);
}

test('filters: --comms/--comm, --pid, --tid, -C, --dsos, -S as perf selects samples', { skip }, () => {
  const r = standardRecordings();
  // the burn workload of the system-wide recording: its comm and pid from perf's own output
  const m = /^\s*(burn\S*)\s+(\d+)/m.exec(runPerf(['script', '-i', r.tracepoints, '-F', 'comm,pid']).stdout)!;
  assert.ok(m, 'perf printed the workload\'s comm and pid');
  same(r.tracepoints, ['--comms', `${m[1]},rcu_preempt`, '--show-task-events'], 1);
  same(r.tracepoints, ['--comm', m[1], '--pid', `${m[2]},15`]);
  same(r.tracepoints, ['--tid', m[2], '-F', 'comm,tid,time,event', '-C', '1-1,0']);
  same(r.system, ['-C', '0', '--show-mmap-events']);
  same(r.system, ['--dsos', '[kernel.kallsyms]'], 0);
  same(r.fp, ['-S', 'leaf_add,run']);
  same(r.fp, ['-S', 'leaf_mul', '-G']);
  same(r.dwarf, ['-S', 'leaf_mul', '--max-stack', '2']);
  same(r.fp, ['--dsos', 'burn_c-nothing'], 0);
  // -S entries that are hex numbers are sample addresses (perf's addr_list), not symbol starts
  const ip = /^\s*\S+\s+\d+\s+[\d.]+:\s+\d+\s+\S+:\s+([0-9a-f]+) leaf_add\+0x([0-9a-f]+) /m.exec(runPerf(['script', '-i', r.fp, '-G']).stdout)!;
  assert.ok(ip, 'a leaf_add sample');
  same(r.fp, ['-S', `0x${ip[1]},leaf_mul`, '-G']);
  same(r.fp, ['-S', ip[1].toUpperCase(), '-G']);
  same(r.fp, ['-S', `0x${(BigInt(`0x${ip[1]}`) - BigInt(`0x${ip[2]}`)).toString(16)}`, '-G'], 0);
  const symStart = (BigInt(`0x${ip[1]}`) - BigInt(`0x${ip[2]}`)).toString(16);
  assert.match(same(r.fp, ['-S', `0x${symStart}`, '--addr-range', String(parseInt(ip[2], 16) + 1), '-G']), /leaf_add\+/);
  same(r.fp, ['-S', `${symStart},leaf_mul`, '--addr-range', '4']);
  const kip = /^.*\s([0-9a-f]{16}) \S+ \(\[kernel\.kallsyms\]\)$/m.exec(runPerf(['script', '-i', r.system, '-G']).stdout);
  if (kip) same(r.system, ['-S', kip[1], '-G']);
});

test('--time: absolute ranges, several ranges, percent slices and ranges, with --reltime', { skip }, () => {
  const r = standardRecordings();
  const t = firstTimes(r.fp);
  assert.ok(t.length > 100);
  const a = t[Math.floor(t.length / 4)], b = t[Math.floor(t.length / 2)], c = t[Math.floor((3 * t.length) / 4)];
  same(r.fp, ['--time', `${a},${b}`]);
  same(r.fp, ['--time', `${a},`, '-G']);
  same(r.fp, ['--time', `,${a}`, '--show-task-events']);
  same(r.fp, ['--time', `${a},${a} ${b},${c}`]);
  same(r.fp, ['--time', '10%/2', '-G']);
  same(r.fp, ['--time', '10%/2,10%/4']);
  same(r.fp, ['--time', '0%-10%,30%-40%']);
  same(r.fp, ['--time', '25%']);
  same(r.fp, ['--time', '0.05,0.1', '--reltime']);
  same(r.fp, ['--time', '50%', '--reltime'], 0); // perf shifts percent ranges again: nothing left
  same(r.tracepoints, ['--time', '20%/3', '--show-task-events']);
  same(r.dwarf, ['--time', '40%-60%', '--ns']);
});

test('-G, --max-stack, --reltime and --deltatime print as perf', { skip }, () => {
  const r = standardRecordings();
  same(r.fp, ['-G']);
  same(r.fp, ['--max-stack', '2']);
  same(r.fp, ['--max-stack', '0']);
  same(r.dwarf, ['--max-stack', '3']);
  same(r.dwarf, ['-G', '--reltime']);
  same(r.system, ['--max-stack', '1', '-G']);
  same(r.system, ['--max-stack', '3']);
  same(r.fp, ['--reltime', '--ns']);
  same(r.fp, ['--deltatime', '--show-task-events']);
  same(r.tracepoints, ['--deltatime', '-C', '1', '--comms', 'perf']);
  // tracepoints with call chains print them unless -F sets the tracepoint fields, or -G
  const burn = compileWorkload('burn.c');
  const tpg = perfRecording('script-tp-callchain', ['record', '-e', 'sched:sched_switch', '-e', 'syscalls:sys_enter_write', '-g', '--', burn, '50']);
  assert.match(same(tpg, []), /sys_enter_write: .*\n\t +[0-9a-f]+ \S+\+0x[0-9a-f]+ \(/);
  same(tpg, ['-G']);
  same(tpg, ['-F', '+pid']);
  same(tpg, ['-F', 'sw:comm', '--max-stack', '2', '--show-task-events']);
});

test('--show-task-events and --show-mmap-events print the side-band records as perf', { skip }, () => {
  const r = standardRecordings();
  for (const name of ['fp', 'system', 'dwarf', 'pipe']) {
    same(r[name], ['--show-task-events', '--show-mmap-events'], 10);
  }
  same(r.fp, ['--show-mmap-events', '-F', 'comm,pid,tid,time']);
  // --show-round-events: perf turns ordering off, so everything comes in file order
  for (const name of ['fp', 'system', 'zstd', 'pipe']) assert.match(same(r[name], ['--show-round-events', '--show-task-events']), /^PERF_RECORD_FINISHED_ROUND$/m);
  same(r.system, ['--show-task-events', '-G', '--reltime']);
});

test('--show-switch-events: per-task SWITCH and system-wide SWITCH_CPU_WIDE records', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const task = perfRecording('script-switch', ['record', '--switch-events', '-g', '-F', '1000', '--', burn, '100']);
  const wide = perfRecording('script-switch-wide', ['record', '-a', '--switch-events', '-F', '500', '--', burn, '50']);
  assert.match(same(task, ['--show-switch-events']), /PERF_RECORD_SWITCH (IN|OUT)/);
  assert.match(same(wide, ['--show-switch-events', '--show-task-events', '--show-mmap-events']), /PERF_RECORD_SWITCH_CPU_WIDE (IN|OUT).* pid\/tid: /);
  same(wide, ['--show-switch-events', '-C', '1', '--deltatime']);
  same(task, ['--show-switch-events', '--pid', '1']);
  same(task, ['--show-switch-events', '-G', '--time', '0%-50%']);
});

test('--show-namespace-events and --show-cgroup-events (perf record --namespaces --all-cgroups)', { skip }, () => {
  const burn = compileWorkload('burn.c');
  const rec = perfRecording('script-namespaces', ['record', '--namespaces', '--all-cgroups', '-a', '-F', '200', '--', burn, '50']);
  const out = same(rec, ['--show-namespace-events', '--show-cgroup-events', '--show-task-events'], 10);
  assert.match(out, /PERF_RECORD_NAMESPACES \d+\/\d+ - nr_namespaces: \d+\n\t\t\[0\/net: /);
  assert.match(out, /PERF_RECORD_CGROUP cgroup: \d+ \//);
  same(rec, ['--show-namespace-events', '-C', '0', '--reltime']);
});

test('--show-bpf-events: KSYMBOL and BPF_EVENT of a program loaded during the recording', { skip }, (t) => {
  try {
    closeSync(bpfProgLoad(BPF_PROG_TYPE_SOCKET_FILTER, trivialSocketFilter(), 'kscope_probe'));
  } catch (e) {
    t.skip(`cannot load a BPF program here: ${(e as Error).message}`);
    return;
  }
  const bpf = new URL('../src/kernel/bpf.js', import.meta.url).href;
  const code = `const m = await import(${JSON.stringify(bpf)}); m.bpfProgLoad(m.BPF_PROG_TYPE_SOCKET_FILTER, m.trivialSocketFilter(), 'kscope_test'); const t = Date.now(); while (Date.now() - t < 200) {}`;
  const rec = perfRecording('script-bpf', ['record', '-a', '-F', '100', '--', process.execPath, '--input-type=module', '-e', code]);
  const out = same(rec, ['--show-bpf-events']);
  assert.match(out, /PERF_RECORD_KSYMBOL addr [0-9a-f]+ len \d+ type 1 flags 0x0 name bpf_prog_[0-9a-f]+_kscope_test\n/);
  assert.match(out, /PERF_RECORD_BPF_EVENT type 1, flags 0, id \d+\n/);
  same(rec, ['--show-bpf-events', '--show-task-events', '-C', '0,1', '--reltime']);
});

test('--show-lost-events prints PERF_RECORD_LOST as perf', { skip }, (t) => {
  // a one-page buffer and a write per byte: the kernel drops records
  const lost = perfRecording('script-lost', ['record', '-m', '1', '-e', 'syscalls:sys_enter_write', '--', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=40000']);
  const out = same(lost, ['--show-lost-events']);
  if (!/PERF_RECORD_LOST lost \d+/.test(out)) t.diagnostic('this recording lost nothing: only the sample lines were compared');
  same(lost, ['--show-lost-events', '--reltime', '-F', 'comm,tid,time']);
});

test('-L, --stop-bt (inline entries too), --full-source-path, --no-demangle and -S on C++ names', { skip }, () => {
  const r = standardRecordings();
  same(r.tracepoints, ['-L', '-C', '0']);
  same(r.fp, ['-L', '--show-task-events']);
  same(r.system, ['-L', '-G']);
  same(r.fp, ['--stop-bt', 'run']);
  same(r.dwarf, ['--stop-bt', 'compute_b,main']);
  const inl = compileWorkload('script-inline.c', ['-O2', '-g', '-fno-omit-frame-pointer']);
  const dwarf = perfRecording('script-inline-dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', inl, '300']);
  assert.match(same(dwarf, ['-F', '+srcline', '--full-source-path']), /\n  \/\S+\/script-inline\.c:\d+ \(inlined\)\n/);
  same(r.fp, ['-F', '+srcline', '--full-source-path']);
  same(r.system, ['-F', '+srcline', '--full-source-path', '-G']);
  assert.match(same(dwarf, ['--stop-bt', 'middle']), /middle\+0x[0-9a-f]+ \(inlined\)\n\n/);
  const cxx = compileWorkload('symbolize.cc', ['-g', '-O1', '-fno-omit-frame-pointer']);
  const rec = perfRecording('script-cxx', ['record', '-g', '-F', '5000', '--', cxx, '300000']);
  assert.match(same(rec, ['--no-demangle', '-G']), /_ZNK6shapes/);
  same(rec, ['-S', 'shapes::Rect::area,main', '-G']);
  same(rec, ['-S', '_ZNK6shapes4Rect4areaEv', '--no-demangle', '-G']);
  same(rec, ['-S', '_ZNK6shapes4Rect4areaEv', '-G'], 0);
  same(rec, ['--stop-bt', 'shapes::Rect::area']);
});

test('--switch-on, --switch-off and --show-on-off-events (after the other filters, as perf)', { skip }, () => {
  const r = standardRecordings();
  const pid = /^\s*burn\S*\s+(\d+)/m.exec(runPerf(['script', '-i', r.tracepoints, '-F', 'comm,pid']).stdout)![1];
  same(r.tracepoints, ['--switch-on', 'syscalls:sys_enter_write', '--show-on-off-events', '--pid', pid]);
  // a CPU that saw a write (which CPU the workload wrote from depends on the recording)
  const cpu = /^\s*\[(\d+)\]\s+syscalls:sys_enter_write/m.exec(runPerf(['script', '-i', r.tracepoints, '-F', 'cpu,event']).stdout)?.[1] ?? '0';
  same(r.tracepoints, ['--switch-off', 'sched:sched_switch', '--switch-on', 'syscalls:sys_enter_write', '-C', String(Number(cpu))]);
  same(r.tracepoints, ['--switch-off', 'syscalls:sys_enter_write', '--switch-on', 'sched:sched_switch', '--comms', 'rcu_preempt,burn']);
  sameError(r.tracepoints, ['--switch-on', 'nope'], 'switch-on event not found (nope)');
});

test('--header and --header-only print the data header as perf script does (file and pipe mode)', { skip }, () => {
  const r = standardRecordings();
  same(r.fp, ['--header']);
  same(r.fp, ['--header-only']);
  same(r.system, ['--header-only', '-I']);
  same(r.pipe, ['--header', '-G']);
  same(r.pipe, ['--header-only']);
});

test('bad option values fail with perf\'s one-line message', { skip }, () => {
  const r = standardRecordings();
  for (const bad of ['1.5', 'abc,', '5,4', '1,2 1.5,3', '10%/x']) sameError(r.fp, ['--time', bad], 'Invalid time string');
  sameError(r.fp, ['-C', '0'], 'File does not contain CPU events. Remove -C option to proceed.');
  sameError(r.system, ['-C', 'x'], 'Invalid cpu_list');
  sameError(r.system, ['-C', '1-0'], 'Invalid cpu_list');
  sameError(r.system, ['-C', '5000'], 'Requested CPU 5000 too large. Consider raising MAX_NR_CPUS');
  sameError(r.system, ['--pid', '1,x'], 'problems parsing pid list');
  sameError(r.system, ['--tid', 'x'], 'problems parsing tid list');
  sameError(r.fp, ['--reltime', '--deltatime'], "reltime and deltatime - the two don't get along well. Please limit to --reltime or --deltatime.");
  sameError(r.fp, ['--max-stack', 'x'], "option `max-stack' expects a numerical value");
  sameError(r.fp, ['-S', '0x1', '--addr-range', '0x10'], "option `addr-range' expects a numerical value");
  sameError(r.zstd, ['--time', '10%'], 'HINT: no first/last sample time found in perf data.');
});

test('time ranges: perf_time__parse_for_ranges and perf_time__ranges_skip_sample', () => {
  assert.equal(parseNsecTime('1.5'), 1500000000n);
  assert.equal(parseNsecTime('2'), 2000000000n);
  assert.equal(parseNsecTime('1.0000000001'), undefined);
  assert.equal(parseNsecTime('1.x'), undefined);
  const [one] = parseTimeRanges('1.5,2', undefined);
  assert.equal(one.start, 1500000000n);
  assert.equal(one.end, 2000000000n);
  const ns = (v: bigint) => [Number(v >> 32n), Number(v & 0xffffffffn)] as const;
  assert.equal(skipTime([one], ...ns(1499999999n)), true);
  assert.equal(skipTime([one], ...ns(1500000000n)), false);
  assert.equal(skipTime([one], ...ns(2000000000n)), false);
  assert.equal(skipTime([one], ...ns(2000000001n)), true);
  assert.equal(skipTime([one], 0, 0), false, 'time 0 is never skipped');
  const open = parseTimeRanges(',2', undefined);
  assert.equal(open[0].start, 0n);
  assert.equal(skipTime(open, ...ns(1n)), false);
  const many = parseTimeRanges('1,2 3,4', undefined);
  assert.equal(many.length, 2);
  assert.equal(skipTime(many, ...ns(2500000000n)), true);
  assert.equal(skipTime(many, ...ns(3500000000n)), false);
  assert.throws(() => parseTimeRanges('3,4 1,2', undefined), /Invalid time string/, 'overlapping or unordered ranges');
  assert.throws(() => parseTimeRanges('1.5', undefined), /Invalid time string/, 'a range needs its comma');
  assert.throws(() => parseTimeRanges('10%', undefined), /HINT: no first\/last sample time/);
  const st = { first: 1000n, last: 2000n };
  // the second 10% slice: [1100, 1200 - 1]
  const [slice] = parseTimeRanges('10%/2', st);
  assert.deepEqual([slice.start, slice.end], [1100n, 1199n]);
  const [all] = parseTimeRanges('100%', st);
  assert.deepEqual([all.start, all.end], [1000n, 2000n], 'a range ending at the last sample keeps it');
  const two = parseTimeRanges('0%-10%,90%-100%', st);
  assert.deepEqual(two.map((r) => [r.start, r.end]), [[1000n, 1099n], [1900n, 2000n]]);
  assert.deepEqual(parseTimeRanges('0.000001,0.000002', st, true).map((r) => [r.start, r.end]), [[2000n, 3000n]], '--reltime shifts by the first sample');
  assert.throws(() => parseTimeRanges('10%/11', st), /Invalid/, 'a slice past 100%');
  // perf reads each percent up to its '%' and does not order them: an empty range, not an error
  const [back] = parseTimeRanges('20%-10%x', st);
  assert.equal(skipTime([back], ...ns(1150n)), true);
  assert.equal(skipTime([back], ...ns(1250n)), true);
});

test('option lists: pids, comms, cpus', () => {
  assert.deepEqual([...parseIntList('1, 2,3')!], [1, 2, 3]);
  assert.equal(parseIntList('1,x'), undefined);
  assert.equal(parseIntList('1 '), undefined);
  assert.deepEqual([...parseStrList('a,b,')], ['a', 'b']);
  const sl = splitSymbolList(new Set(['main', '0x00AbC', 'ffffffff81000000', 'compute_b']));
  assert.deepEqual([...sl.names], ['main', 'compute_b']);
  assert.deepEqual([...sl.addrs!], ['abc', 'ffffffff81000000']);
  const cpuEv = [{ index: 0, ids: [], attr: { type: 1, sampleType: 1n << 7n } }] as never;
  assert.deepEqual([...parseCpuList('0-2,5', cpuEv)], [0, 1, 2, 5]);
  assert.throws(() => parseCpuList('2-1', cpuEv), /Invalid cpu_list/);
  assert.throws(() => parseCpuList('0', [{ index: 0, ids: [], attr: { type: 1, sampleType: 3n } }] as never), /does not contain CPU events/);
});
