// kscope report --stdio against Linux perf report --stdio on the standard recordings: the same rows
// (key columns equal, percentages within 0.02 points) in self and children modes and several sort
// orders; the header lines equal; the -g graph text of the frame-pointer recording line for line.
import { test } from 'node:test';
import { basename } from 'node:path';
import assert from 'node:assert/strict';
import { compileWorkload, perfRecording, perfSkipReason, recordingAvoiding, UNSTABLE_SRCLINE_DSOS, runKscope, runPerf, standardRecordings } from './helpers/fixtures.js';

const skip = perfSkipReason();

interface Row { pcts: number[]; key: string }

/** Rows of a -g none report, per event section: percentages and the key columns (spaces collapsed). */
export function parseRows(text: string): { sections: string[]; rows: Row[][] } {
  const sections: string[] = [];
  const rows: Row[][] = [];
  for (const line of text.split('\n')) {
    const s = /^# Samples: (.*)$/.exec(line);
    if (s) { sections.push(line); rows.push([]); continue; }
    if (line.startsWith('#') || !line.trim()) continue;
    const m = /^\s+(\d+\.\d+)%(?:\s+(\d+\.\d+)%)?\s+(.*)$/.exec(line);
    if (!m || !rows.length) continue;
    rows[rows.length - 1].push({ pcts: m[2] !== undefined ? [Number(m[1]), Number(m[2])] : [Number(m[1])], key: m[3].replace(/\s+/g, ' ').trim() });
  }
  return { sections, rows };
}

function headerLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('#') && !l.includes('Tip:') && l !== '#');
}

/**
 * perf's rows with equal keys merged (percentages summed), in the order of their first row; how
 * many rows were merged. perf 6.1 compares inlined symbols by name and then by overlapping ranges
 * (sort.c _sort__sym_cmp), which is no total order: equal entries can miss each other in the
 * rb-tree and print as two rows whose sum is the entry kscope prints once.
 */
function mergeDuplicateRows(rows: Row[][], which: (key: string, section: number) => boolean = () => true): number {
  let merged = 0;
  for (let i = 0; i < rows.length; i++) {
    const byKey = new Map<string, Row>();
    const out: Row[] = [];
    for (const r of rows[i]) {
      const seen = which(r.key, i) ? byKey.get(r.key) : undefined;
      if (!seen) { const c = { key: r.key, pcts: r.pcts.slice() }; byKey.set(r.key, c); out.push(c); continue; }
      seen.pcts = seen.pcts.map((p, j) => Math.round((p + r.pcts[j]) * 100) / 100);
      merged++;
    }
    rows[i] = out;
  }
  return merged;
}

export function compareReports(mine: string, theirs: string, what: string, opts: { mergePerfDuplicates?: boolean } = {}): void {
  const a = parseRows(mine), b = parseRows(theirs);
  // Only keys kscope prints once: two rows of one text can be two entries (-s sym: `_start` of
  // the binary and of ld.so), which kscope prints as two rows too.
  let merged = opts.mergePerfDuplicates ? mergeDuplicateRows(b.rows, (k, i) => a.rows[i].filter((r) => r.key === k).length === 1) : 0;
  if (merged) console.log(`# ${what}: perf printed ${merged} rows twice (inlined-symbol comparison); compared as sums, order not compared`);
  // perf orders unresolved entries by `(int64_t)(right->ip - left->ip)` (_sort__addr_cmp), which
  // wraps for addresses more than 2^63 apart (a frame-pointer walk through code without frame
  // pointers reads garbage such as 0x2020202020202020): no total order, so hists__findnew_entry
  // can miss an existing entry and make a second one. kscope keeps one entry per address.
  // (address 0 prints without "0x": perf's "%#.*llx" of 0 is all zeros; a CI recording split it)
  const split = mergeDuplicateRows(b.rows, (k) => /\[[.k]\] (0x[0-9a-f]+|0+)$/.test(k));
  if (split) console.log(`# ${what}: perf split ${split} unresolved entries in two (wrapping address comparison); compared as sums, order not compared`);
  merged += split;
  assert.deepEqual(a.sections, b.sections, `${what}: sections`);
  assert.deepEqual(headerLines(mine), headerLines(theirs), `${what}: header lines`);
  const problems: string[] = [];
  let rows = 0;
  for (let i = 0; i < b.rows.length; i++) {
    const mineBy = new Map<string, Row[]>();
    for (const r of a.rows[i]) mineBy.set(r.key, [...(mineBy.get(r.key) ?? []), r]);
    for (const r of b.rows[i]) {
      rows++;
      const cands = mineBy.get(r.key);
      const hit = cands?.findIndex((c) => c.pcts.length === r.pcts.length && c.pcts.every((p, j) => Math.abs(p - r.pcts[j]) <= 0.02 + 1e-9));
      if (!cands || hit === undefined || hit < 0) { problems.push(`perf has ${r.pcts.join('% ')}% ${r.key}; kscope: ${cands ? cands.map((c) => c.pcts.join('% ') + '%').join(' | ') : 'no such row'}`); continue; }
      cands.splice(hit, 1);
    }
    for (const [k, rest] of mineBy) for (const r of rest) problems.push(`kscope has extra ${r.pcts.join('% ')}% ${k}`);
  }
  if (problems.length) console.log(`# ${what}: ${problems.length} mismatches of ${rows} rows\n# ${problems.slice(0, 20).join('\n# ')}`);
  assert.equal(problems.length, 0, `${what}: ${problems.slice(0, 10).join('\n')}`);
  // and in perf's order (overhead columns, then the sort keys as perf's se_sort functions order them)
  if (merged) return;
  for (let i = 0; i < b.rows.length; i++) assert.deepEqual(a.rows[i].map((r) => r.key), b.rows[i].map((r) => r.key), `${what}: row order`);
}

function check(file: string, args: string[], what: string, opts: { mergePerfDuplicates?: boolean } = {}): void {
  const theirs = runPerf(['report', '-i', file, '--stdio', ...args]);
  assert.equal(theirs.status, 0, theirs.stderr);
  const mine = runKscope(['report', '-i', file, '--stdio', ...args]);
  assert.equal(mine.status, 0, mine.stderr);
  compareReports(mine.stdout, theirs.stdout, what, opts);
}

const CASES: [string, string[][]][] = [
  ['fp', [[], ['-s', 'dso,sym'], ['-s', 'sym'], ['-s', 'pid'], ['-s', 'cpu'], ['-s', 'comm']]],
  ['system', [[], ['-s', 'dso,sym'], ['-s', 'sym'], ['-s', 'pid,cpu,sym'], ['-s', 'dso']]],
  ['dwarf', [[], ['-s', 'dso,sym'], ['-s', 'sym'], ['--no-inline']]],
  ['zstd', [[]]],
  ['pipe', [[]]],
  ['node', [[], ['-s', 'dso,sym']]],
  ['tracepoints', [[], ['-s', 'comm,pid']]],
];

// Known differences, run but reported as todo (none now: the node recording's label inside a sized
// function, construct_stub_create_deopt_addr in Builtins_JSConstructStubGeneric, resolves as perf's
// rb-tree descent does, see symbols/symbol-index.ts SymbolIndex.fromPerfPasses).
const TODO: Record<string, string> = {};

for (const [name, sorts] of CASES) {
  test(`report -g none rows equal perf's: ${name}`, { skip, todo: TODO[name] }, () => {
    const rec = standardRecordings()[name];
    for (const s of sorts) {
      for (const mode of ['--children', '--no-children']) {
        check(rec, ['-g', 'none', mode, ...s], `${name} ${mode} ${s.join(' ')}`);
      }
    }
  });
}

test('report -g none rows equal perf\'s on inlined code: "(inlined)" entries of dwarf-unwound frames, none for fp', { skip }, () => {
  // test/workloads/flamecli-inline.c: work → mix → step, the last two inlined (the flame-cli test's recordings)
  const bin = compileWorkload('flamecli-inline.c', ['-O2', '-g', '-fno-omit-frame-pointer']);
  const dwarf = perfRecording('flamecli-inline-dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', bin, '300']);
  const fp = perfRecording('flamecli-inline-fp', ['record', '-g', '-F', '1000', '--', bin, '300']);
  const theirs = runPerf(['report', '-i', dwarf, '--stdio', '-g', 'none', '--children', '-s', 'sym']);
  assert.match(theirs.stdout, /\[\.\] step \(inlined\)/, 'the recording has inlined frames');
  for (const [rec, name] of [[dwarf, 'inline-dwarf'], [fp, 'inline-fp']]) {
    for (const s of [[], ['-s', 'dso,sym'], ['-s', 'sym'], ['--no-inline']]) {
      // inlined symbols compare by name, then overlapping range (_sort__sym_cmp): no total order,
      // so perf can print one entry as two rows (`work` 99.66% + 0.34% in a CI recording)
      for (const mode of ['--children', '--no-children']) check(rec, ['-g', 'none', mode, ...s], `${name} ${mode} ${s.join(' ')}`, { mergePerfDuplicates: true });
    }
  }
});

const stripTips = (t: string) => t.split('\n').filter((l) => !/^# \(Tip:/.test(l)).join('\n').replace(/(\n#|\n)*$/, '');

test('report filters: --comm, --pid, --cpu, --dso, --percent-limit', { skip }, () => {
  const rec = standardRecordings().system;
  // the workload's comm: its binary's name cut to 15 characters (TASK_COMM_LEN)
  const burn = basename(compileWorkload('burn.c')).slice(0, 15);
  assert.match(runPerf(['report', '-i', rec, '--stdio', '-g', 'none', '-s', 'comm']).stdout, new RegExp(`%\\s+${burn}\\s*$`, 'm'), 'the recording has the workload\'s samples');
  check(rec, ['-g', 'none', '--no-children', '--comm', burn], 'system --comm');
  check(rec, ['-g', 'none', '--no-children', '--percent-limit', '5'], 'system --percent-limit 5');
  check(rec, ['-g', 'none', '--children', '--percent-limit', '50'], 'system children --percent-limit 50');
  // a filter of one value elides its key, and perf's output sort then skips it (children-mode
  // entries of other DSOs tie with the kernel's: the cached recording's ties order by symbol)
  check(rec, ['-g', 'none', '--children', '--dso', '[kernel.kallsyms]'], 'system children --dso [kernel.kallsyms]');
  // a filtered sample still adds to the entries it meets, and an entry made by one stays hidden
  // (perf's he->filtered is its first sample's): children entries of user code under kernel
  // samples printed with every sample's period, or not at all (test/hist-filtered.test.ts)
  check(rec, ['-g', 'none', '--children', '-s', 'dso,sym', '--comm', burn], 'system children -s dso,sym --comm');
  check(rec, ['-g', 'none', '--children', '-s', 'comm', '--comm', burn], 'system children -s comm --comm (every key elided: none is)');
  check(rec, ['-g', 'none', '--children', '-S', 'leaf_mul'], 'system children -S leaf_mul (symbol key elided)');
  check(rec, ['-g', 'none', '--no-children', '-S', 'leaf_add,tlb_finish_mmu'], 'system -S two symbols');
  // --percentage relative: rows and header of the entries left; call graph percentages stay of
  // all samples while their threshold is of the entries left (output_resort's callchain total)
  check(rec, ['-g', 'none', '--children', '--dso', '[kernel.kallsyms]', '--percentage', 'relative'], 'system children --dso --percentage relative');
  graphsEqualPerf([['--no-children', '-S', 'leaf_add,tlb_finish_mmu', '--percentage', 'relative'], ['--no-children', '--comm', burn, '--percentage', 'relative', '-g', 'flat,0.5,caller']], rec, 'system');
  // the CPU list drops samples before any accounting (percentages of that CPU's samples)
  check(rec, ['-g', 'none', '--no-children', '--cpu', '0'], 'system --cpu 0');
  // nothing left: perf's "has no samples" error instead of a report
  const args = ['report', '-i', rec, '--stdio', '--time', '99999999,'];
  const theirs = runPerf(args), mine = runKscope(args);
  assert.match(theirs.stderr, /data has no samples!/);
  assert.equal(mine.status, theirs.status);
  assert.equal(stripTips(mine.stdout), stripTips(theirs.stdout));
  assert.equal(mine.stderr, theirs.stderr);
});

test('report --no-children call graph (perf default graph,0.5,callee) equals perf line for line: fp', { skip }, () => {
  const rec = standardRecordings().fp;
  const strip = (t: string) => t.split('\n').filter((l) => !/^# \(Tip:/.test(l)).join('\n').replace(/(\n#|\n)*$/, '');
  const theirs = runPerf(['report', '-i', rec, '--stdio', '--no-children']);
  const mine = runKscope(['report', '-i', rec, '--stdio', '--no-children']);
  assert.equal(mine.status, 0, mine.stderr);
  assert.equal(strip(mine.stdout), strip(theirs.stdout));
});


/** Runs perf report and kscope report on `rec` with each argument list; the texts must be equal line for line. Returns perf's texts. */
function graphsEqualPerf(argsList: string[][], rec = standardRecordings().fp, what = 'fp'): string[] {
  const texts: string[] = [];
  for (const args of argsList) {
    const theirs = runPerf(['report', '-i', rec, '--stdio', ...args]);
    assert.equal(theirs.status, 0, theirs.stderr);
    const mine = runKscope(['report', '-i', rec, '--stdio', ...args]);
    assert.equal(mine.status, 0, mine.stderr);
    // perf's "[...]" line (fractal/graph remaining hits) names a malloc'd symbol whose `inlined`
    // bit is never initialised (ui/stdio/hist.c init_rem_hits), so perf 6.1 appends " (inlined)"
    // to it at random; kscope prints "[...]" as perf means it.
    const their = stripTips(theirs.stdout).replace(/--\[\.\.\.\] \(inlined\)$/gm, '--[...]');
    assert.equal(stripTips(mine.stdout), their, `${what}: ${args.join(' ') || 'default'}`);
    texts.push(theirs.stdout);
  }
  return texts;
}

test('report call graphs equal perf line for line: fp, --no-children -g caller/callee', { skip }, () => {
  graphsEqualPerf([['--no-children', '-g', 'caller'], ['--no-children', '-g', 'callee']]);
});

function inlineRecordings(): { dwarf: string; fp: string } {
  // test/workloads/flamecli-inline.c: work → mix → step, the last two inlined (the flame-cli test's recordings)
  const bin = compileWorkload('flamecli-inline.c', ['-O2', '-g', '-fno-omit-frame-pointer']);
  return {
    dwarf: perfRecording('flamecli-inline-dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', bin, '300']),
    fp: perfRecording('flamecli-inline-fp', ['record', '-g', '-F', '1000', '--', bin, '300']),
  };
}

// Children mode: an entry gets the sample's whole cursor for its own samples and the cursor from
// itself on for samples below it; perf prints a lone top chain without a percentage only when it
// holds the entry's whole period (need_percent_display), so an entry with self samples whose other
// chains fall under the threshold prints "--P%--" for its remaining chain.
test('report call graphs equal perf line for line: children (default caller order), -g caller/callee, entries whose callers have self samples', { skip }, () => {
  // test/workloads/selfcaller.c: outer has self samples and a callee on every run
  const selfcaller = perfRecording('selfcaller', ['record', '-g', '-F', '1000', '--', compileWorkload('selfcaller.c', ['-O0', '-g', '-fno-omit-frame-pointer']), '300']);
  const recs: [string, string][] = [['fp', standardRecordings().fp], ['system', standardRecordings().system], ['inline-fp', inlineRecordings().fp], ['selfcaller', selfcaller]];
  let selfCallers = 0;
  for (const [what, rec] of recs) {
    for (const text of graphsEqualPerf([[], ['-g', 'caller'], ['-g', 'callee']], rec, what)) {
      // rows with 0 < self < children followed by a graph: a caller with samples of its own
      const lines = text.split('\n');
      lines.forEach((l, i) => {
        const m = /^\s+(\d+\.\d+)%\s+(\d+\.\d+)%/.exec(l);
        if (m && Number(m[2]) > 0 && Number(m[2]) < Number(m[1]) && /^\s+\|/.test(lines[i + 1] ?? '')) selfCallers++;
      });
    }
  }
  assert.ok(selfCallers > 0, 'the recordings have call graphs of entries that have self samples and callees');
});

// -g print_type,threshold,print_limit,order,sort_key,branch,value in both modes.
const PRINT_MODES: string[][] = [
  ['-g', 'flat'], ['-g', 'folded'], ['-g', 'fractal'], ['--no-children', '-g', 'flat,0,callee'],
  ['--no-children', '-g', 'folded,0,callee,period'], ['--no-children', '-g', 'fractal,0.5,callee'],
  ['-g', 'graph,0.1,callee'], ['-g', 'graph,5,caller'], ['-g', 'graph,0,caller,count'], ['-g', 'fractal,0,2,callee'],
  ['-g', 'f,0,callee,period'], ['-s', 'sym'], ['-s', 'sym', '--no-children'], ['-G'], ['--no-children', '-g', 'graph,0.5,1,callee'],
];

test('report call graph print modes equal perf line for line: flat, folded, fractal, threshold, print limit, order, value', { skip }, () => {
  graphsEqualPerf(PRINT_MODES, standardRecordings().fp, 'fp');
  // --percent-limit sets the call graph threshold too, the later of it and -g's threshold winning
  graphsEqualPerf([...PRINT_MODES.slice(0, 8), ['-g', 'graph,5', '--percent-limit', '0.1'], ['--percent-limit', '0.1', '-g', 'graph,5']], standardRecordings().system, 'system');
  const { dwarf } = inlineRecordings();
  // fractal mode's "[...]" lines (hits filtered out or ending at the parent) are there to compare
  const [fractal] = graphsEqualPerf([['-g', 'fractal'], ['-g', 'folded,0,caller'], ['--no-children', '-g', 'flat'], ['-g', 'graph,0,caller,count']], dwarf, 'inline-dwarf');
  assert.match(fractal, /--\[\.\.\.\]/);
  graphsEqualPerf([['-g', 'folded,0,callee,count'], ['-g', 'fractal,0.5,callee,period']], standardRecordings().dwarf, 'dwarf');
});

test('report call graphs equal perf line for line: dwarf and the inline workload (inlined frames, children order by callchain depth)', { skip }, () => {
  const inline = inlineRecordings().dwarf;
  const strip = stripTips;
  for (const rec of [standardRecordings().dwarf, inline]) {
    for (const args of [[], ['-g', 'callee'], ['--no-children'], ['--no-children', '-g', 'caller']]) {
      const theirs = runPerf(['report', '-i', rec, '--stdio', ...args]);
      const mine = runKscope(['report', '-i', rec, '--stdio', ...args]);
      assert.equal(mine.status, 0, mine.stderr);
      assert.equal(strip(mine.stdout), strip(theirs.stdout), `${rec} ${args.join(' ') || 'default'}`);
    }
  }
});

// Sort keys srcline and srcfile (perf forks addr2line for them: slow on the node and system-wide
// tracepoint recordings, so those run only a short case). Header lines are compared exactly, so the
// column widths (perf sizes srcline only from the texts it has computed, and cuts the others) too.
const SRC_CASES: [string, string[][]][] = [
  ['fp', [['-s', 'srcline'], ['-s', 'srcfile'], ['-s', 'sym,srcline'], ['-s', 'dso,srcline,srcfile', '-n']]],
  ['dwarf', [['-s', 'srcline'], ['-s', 'sym,srcline'], ['-s', 'srcfile', '--show-total-period']]],
  ['system', [['-s', 'dso,srcline,srcfile'], ['-s', 'comm,srcline']]],
];

for (const [name, sorts] of SRC_CASES) {
  test(`report -s srcline/srcfile rows equal perf's: ${name}`, { skip }, () => {
    const rec = standardRecordings()[name];
    // system-wide: a copy without the processes that ran in UNSTABLE_SRCLINE_DSOS
    const file = name === 'system' ? recordingAvoiding(rec, UNSTABLE_SRCLINE_DSOS) : rec;
    for (const s of sorts) {
      for (const mode of ['--children', '--no-children']) check(file, ['-g', 'none', mode, ...s], `${name} ${mode} ${s.join(' ')}`);
    }
  });
}

test('report -s srcline on inlined code: callchain entries carry addr2line\'s inline records (dwarf), raw callchain ips fall back to sym+offset (fp)', { skip }, () => {
  const bin = compileWorkload('flamecli-inline.c', ['-O2', '-g', '-fno-omit-frame-pointer']);
  const dwarf = perfRecording('flamecli-inline-dwarf', ['record', '--call-graph', 'dwarf,4096', '-F', '1000', '--', bin, '300']);
  const fp = perfRecording('flamecli-inline-fp', ['record', '-g', '-F', '1000', '--', bin, '300']);
  for (const [rec, name] of [[dwarf, 'inline-dwarf'], [fp, 'inline-fp']]) {
    for (const s of [['-s', 'srcline'], ['-s', 'sym,srcline'], ['-s', 'dso,srcfile']]) {
      for (const mode of ['--children', '--no-children']) check(rec, ['-g', 'none', mode, ...s], `${name} ${mode} ${s.join(' ')}`, { mergePerfDuplicates: true });
    }
  }
  const theirs = runPerf(['report', '-i', dwarf, '--stdio', '-g', 'none', '--children', '-s', 'sym,srcline']);
  assert.match(theirs.stdout, /\(inlined\)\s+\S+\.c:\d+/, 'inline entries with their own srclines');
});

test('report header with a Symbol column wider than perf\'s 1024-byte header buffer (cut to 1023 characters)', { skip }, () => {
  const rec = perfRecording('longname', ['record', '-F', '1000', '--', compileWorkload('longname.c'), '100']);
  for (const s of [[], ['-s', 'sym'], ['-s', 'sym,dso']]) check(rec, ['-g', 'none', '--no-children', ...s], `longname ${s.join(' ')}`);
  const theirs = runPerf(['report', '-i', rec, '--stdio', '-g', 'none', '--no-children', '-s', 'sym']).stdout.split('\n');
  const at = theirs.findIndex((l) => l.startsWith('# Overhead'));
  assert.ok(theirs[at + 1].length > 1100 && theirs[at].length < theirs[at + 1].length, 'perf cut the header, not the dots');
});

test('report -s srcline after perf gives up on a DSO\'s addr2line (123 failed calls first: children-mode raw callchain ips in libc)', { skip }, () => {
  // test/workloads/a2l-limit.c: ~300 samples in the program's own code (each failing for libc's
  // __libc_start_call_main at its raw ip), then ~300 in libc's snprintf
  // Whether perf gives up on libc depends on the recording: a libc sample before the 123 failures
  // (a startup sample in libc's tunables init, a clock_gettime) is a success that resets the count
  // for good. So record again (up to 4 recordings) until perf's own report shows the case.
  const pattern = /^\s+\d+\.\d+%\s+[1-9]\d*\.\d+%\s+libc\.so\.6\s+\w+\+\d{1,5}\s*$/m;
  let rec = '', theirs = { stdout: '', stderr: '', status: -1 };
  for (let attempt = 0; attempt < 4; attempt++) {
    rec = perfRecording(attempt ? `a2l-limit-${attempt}` : 'a2l-limit', ['record', '-g', '-F', '1000', '--', compileWorkload('a2l-limit.c'), '300']);
    theirs = runPerf(['report', '-i', rec, '--stdio', '-g', 'none', '--children', '-s', 'dso,srcline']);
    if (pattern.test(theirs.stdout)) break;
    console.log(`# a2l-limit recording ${attempt + 1}: perf did not give up on libc (a libc sample came first); recording again`);
  }
  for (const s of [['-s', 'srcline'], ['-s', 'dso,srcline'], ['-s', 'srcfile'], ['-s', 'sym,srcline']]) check(rec, ['-g', 'none', '--children', ...s], `a2l-limit --children ${s.join(' ')}`);
  check(rec, ['-g', 'none', '--no-children', '-s', 'srcline'], 'a2l-limit --no-children -s srcline');
  // the case is there: libc samples with self time printed as sym+offset in children mode
  assert.match(theirs.stdout, pattern, 'libc samples given sym+offset by perf (in none of 4 recordings)');
});

test('report -s srcline on JIT and debug-less code (node, --no-children): "??:0", "file:0", sym+offset for perf-PID.map', { skip }, () => {
  // one perf run: perf's addr2line over libnode takes most of this test's time
  const rec = standardRecordings().node;
  const args = ['report', '-i', rec, '--stdio', '-g', 'none', '--no-children', '-s', 'dso,srcline'];
  const theirs = runPerf(args);
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.match(theirs.stdout, /\?\?:0/);
  assert.match(theirs.stdout, /\[JIT\] tid \d+\s+\S.*\+\d+$/m, "JIT entries print sym+offset");
  const mine = runKscope(args);
  assert.equal(mine.status, 0, mine.stderr);
  compareReports(mine.stdout, theirs.stdout, 'node --no-children dso,srcline');
});

test('report -s tid is perf\'s pid key (TID:comm); -n and --show-total-period columns', { skip }, () => {
  const rec = standardRecordings().system;
  for (const mode of ['--children', '--no-children']) {
    const theirs = runPerf(['report', '-i', rec, '--stdio', '-g', 'none', mode, '-s', 'pid,comm']);
    const mine = runKscope(['report', '-i', rec, '--stdio', '-g', 'none', mode, '-s', 'tid,comm']);
    assert.equal(mine.status, 0, mine.stderr);
    compareReports(mine.stdout, theirs.stdout, `system ${mode} tid,comm`);
    check(rec, ['-g', 'none', mode, '-n', '--show-total-period', '-s', 'comm,dso'], `system ${mode} -n --show-total-period`);
  }
});

test('report -s symoff (perf 6.9\'s key; perf 6.1 has none): rows equal perf script\'s samples per symbol+offset', { skip }, () => {
  // perf 6.1 rejects -s symoff; its per-sample "sym+0xoff" from perf script is the oracle
  for (const name of ['fp', 'dwarf']) {
    const rec = standardRecordings()[name];
    const script = runPerf(['script', '-i', rec, '-G', '-F', 'period,ip,sym,symoff']);
    assert.equal(script.status, 0, script.stderr);
    const per = new Map<string, number>();
    let total = 0;
    for (const line of script.stdout.split('\n')) {
      const m = /^\s*(\d+)\s+[0-9a-f]+\s+(\S.*?)\s*$/.exec(line);
      if (!m) continue;
      total += Number(m[1]);
      per.set(m[2], (per.get(m[2]) ?? 0) + Number(m[1]));
    }
    const mine = runKscope(['report', '-i', rec, '--stdio', '-g', 'none', '--no-children', '-s', 'symoff']);
    assert.equal(mine.status, 0, mine.stderr);
    assert.match(mine.stdout, /^# Overhead  Symbol Offset/m);
    const rows = parseRows(mine.stdout).rows[0];
    assert.equal(rows.length, per.size, `${name}: one row per symbol+offset`);
    for (const r of rows) {
      const key = r.key.replace(/^\[.\] /, '');
      assert.ok(per.has(key), `${name}: perf script has no samples at ${key}`);
      assert.ok(Math.abs(r.pcts[0] - (100 * per.get(key)!) / total) <= 0.005 + 1e-9, `${name} ${key}: ${r.pcts[0]}%`);
    }
    // perf's order: overhead, then the symbol name (sort__sym_sort: the name alone, not the "[k]"/"[.]"
    // level printed before it), then higher addresses first (sort__symoff_sort)
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      assert.ok(a.pcts[0] >= b.pcts[0], `${name}: rows by overhead`);
      const [sa, oa] = a.key.replace(/^\[.\] /, '').split('+'), [sb, ob] = b.key.replace(/^\[.\] /, '').split('+');
      if (a.pcts[0] === b.pcts[0]) assert.ok(sa < sb || (sa === sb && parseInt(oa, 16) > parseInt(ob, 16)), `${name}: tie order ${a.key} before ${b.key}`);
    }
  }
});

test('report -s trace (tracepoint fields as perf\'s get_trace_output prints them); the default sort of an all-tracepoint recording', { skip }, () => {
  const rec = standardRecordings().tracepoints; // has a dummy:HG event: default comm,dso,sym
  for (const mode of ['--children', '--no-children']) {
    for (const s of [['-s', 'trace'], ['-s', 'comm,trace'], ['-s', 'trace,sym', '-n']]) check(rec, ['-g', 'none', mode, ...s], `tracepoints ${mode} ${s.join(' ')}`);
  }
  const burn = compileWorkload('burn.c');
  const only = perfRecording('tracepoints-only', ['record', '-e', 'sched:sched_switch', '-e', 'syscalls:sys_enter_write', '--', burn, '50']);
  const theirs = runPerf(['report', '-i', only, '--stdio']);
  assert.match(theirs.stdout, /^# Overhead  Trace output/m);
  check(only, [], 'tracepoints-only default sort');
});

test('report --time keeps the samples of the time slices, as perf (totals of the kept samples, "(time slices: ...)")', { skip }, () => {
  const { fp, system } = standardRecordings();
  for (const [rec, name] of [[fp, 'fp'], [system, 'system']]) {
    const times = runPerf(['script', '-i', rec, '-F', 'time']).stdout.trim().split('\n');
    const mid = times[Math.floor(times.length / 2)].replace(/[\s:]/g, '');
    const slices = name === 'fp' ? ['10%/2', '0%-10%,50%-60%', '50%', `${mid},`, `,${mid}`] : ['0%-10%,50%-60%', `${mid},`];
    for (const t of slices) {
      for (const mode of ['--children', '--no-children']) check(rec, ['-g', 'none', mode, '--time', t], `${name} --time ${t} ${mode}`);
    }
    const theirs = runPerf(['report', '-i', rec, '--stdio', '-g', 'none', '--time', '20%/3']).stdout;
    assert.match(theirs, /# Samples: \d+\S* +of event '[^']+' \(time slices: 20%\/3\)/);
    assert.ok(runKscope(['report', '-i', rec, '--stdio', '-g', 'none', '--time', '20%/3']).stdout.includes("(time slices: 20%/3)"));
  }
  const bad = runKscope(['report', '-i', fp, '--stdio', '--time', 'abc']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Invalid time string/);
});

test('report --max-stack equals perf: callchain entries from the callee end (caller end with -g caller), unwound frames apart', { skip }, () => {
  const r = standardRecordings();
  for (const [rec, what] of [[r.fp, 'fp'], [r.dwarf, 'dwarf'], [r.system, 'system']] as const) {
    for (const m of ['1', '3']) {
      check(rec, ['-g', 'none', '--children', '--max-stack', m], `${what} --children --max-stack ${m}`);
      check(rec, ['-g', 'none', '--no-children', '--max-stack', m], `${what} --no-children --max-stack ${m}`);
    }
    graphsEqualPerf([['-g', 'caller', '--max-stack', '2'], ['-g', 'callee', '--max-stack', '2']], rec, what);
  }
  const bad = runKscope(['report', '-i', r.fp, '--stdio', '--max-stack', 'x']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /max-stack' expects a numerical value/);
});
