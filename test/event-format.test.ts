// Every event `format` file of this machine's tracefs parses, and what we parse agrees with the
// text and with itself: IDs match the `id` files, field layouts are consistent, print fmt
// arguments name real fields. The formats inside a perf recording's TRACING_DATA parse too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEventFormat, parsePrintFmt, findField, isEventFormat } from '../src/formats/tracefs/event-format.js';
import { FormatError } from '../src/util/errors.js';
import { perfSkipReason, standardRecordings } from './helpers/fixtures.js';
import { locateFeatures } from './helpers/feature-sections.js';
import { decodeFeature } from '../src/formats/perfdata/features.js';
import { Feature } from '../src/formats/perfdata/constants.js';

const EVENTS = '/sys/kernel/tracing/events';
const tracefsSkip = existsSync(EVENTS) ? undefined : `${EVENTS} missing (mount -t tracefs nodev /sys/kernel/tracing)`;

const SCALAR: Record<string, number> = {
  char: 1, 'unsigned char': 1, 'signed char': 1, u8: 1, s8: 1, __u8: 1, bool: 1,
  short: 2, 'unsigned short': 2, u16: 2, s16: 2, __u16: 2, __be16: 2, __le16: 2,
  int: 4, 'unsigned int': 4, u32: 4, s32: 4, __u32: 4, __s32: 4, pid_t: 4, __be32: 4, __le32: 4,
  long: 8, 'unsigned long': 8, u64: 8, s64: 8, __u64: 8, __s64: 8, 'long long': 8, 'unsigned long long': 8,
};

function formatFiles(): string[] {
  const out: string[] = [];
  for (const sys of readdirSync(EVENTS, { withFileTypes: true })) {
    if (!sys.isDirectory()) continue;
    for (const ev of readdirSync(join(EVENTS, sys.name), { withFileTypes: true })) {
      const f = join(EVENTS, sys.name, ev.name, 'format');
      if (ev.isDirectory() && existsSync(f)) out.push(f);
    }
  }
  return out;
}

test('every tracefs event format file on this machine parses and agrees with its text', { skip: tracefsSkip }, () => {
  const files = formatFiles();
  assert.ok(files.length > 100, `${files.length} format files`);
  let fields = 0, scalarChecked = 0, recRefs = 0;
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    assert.ok(isEventFormat(text), path);
    const ev = parseEventFormat(text, path);
    const dir = path.split('/').slice(-2, -1)[0];
    assert.equal(ev.name, dir, path);
    const idFile = join(path, '../id');
    if (existsSync(idFile)) assert.equal(ev.id, Number(readFileSync(idFile, 'utf8').trim()), `${path} ID`);
    const all = [...ev.commonFields, ...ev.fields];
    assert.equal(all.length, (text.match(/^\s*field:/gm) ?? []).length, `${path}: every field line`);
    assert.deepEqual(ev.commonFields.map((f) => f.name), ['common_type', 'common_flags', 'common_preempt_count', 'common_pid'], path);
    // each field's numbers are the ones written on its line
    for (const f of all) {
      assert.ok(text.includes(`field:${f.decl};\toffset:${f.offset};\tsize:${f.size};\tsigned:${f.signed ? 1 : 0};`), `${path}: ${f.decl}`);
      if (f.dynamic) assert.equal(f.size, 4, `${path}: ${f.name} is a u32 locator`);
      const elem = SCALAR[f.type];
      // syscalls/* store every argument in a long slot, whatever its declared type (size:8 for "int fd")
      const syscallArg = path.includes('/syscalls/') && !f.name.startsWith('common_') && f.name !== '__syscall_nr';
      if (elem !== undefined && !f.dynamic && !syscallArg) {
        if (f.arrayLength === undefined) assert.equal(f.size, elem, `${path}: ${f.decl}`);
        else if (f.arrayLength > 0) assert.equal(f.size, elem * f.arrayLength, `${path}: ${f.decl}`);
        scalarChecked++;
      }
      fields++;
    }
    // fields lie in order, without overlap
    const sorted = [...all].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(sorted[i].offset >= sorted[i - 1].offset + sorted[i - 1].size, `${path}: ${sorted[i - 1].name} and ${sorted[i].name} overlap`);
    }
    // print fmt: REC->x names a field
    if (ev.printFmt) {
      for (const arg of ev.printFmt.args) {
        for (const m of arg.matchAll(/REC->(\w+)/g)) {
          assert.ok(findField(ev, m[1]), `${path}: REC->${m[1]} is a field`);
          recRefs++;
        }
      }
      assert.ok(text.includes(`print fmt: ${ev.printFmt.raw}`), path);
    }
  }
  assert.ok(fields > 5000 && scalarChecked > 3000 && recRefs > 3000, `${fields} fields, ${scalarChecked} scalar sizes, ${recRefs} REC refs`);
});

test('sched_switch parses into the fields and print fmt the kernel documents', { skip: tracefsSkip }, () => {
  const ev = parseEventFormat(readFileSync(`${EVENTS}/sched/sched_switch/format`, 'utf8'));
  const prevComm = findField(ev, 'prev_comm')!;
  assert.equal(prevComm.type, 'char');
  assert.equal(prevComm.arrayLength, 16);
  assert.equal(prevComm.size, 16);
  assert.equal(findField(ev, 'prev_pid')!.signed, true);
  assert.match(ev.printFmt!.format, /^prev_comm=%s prev_pid=%d/);
  assert.equal(ev.printFmt!.args[0], 'REC->prev_comm');
  assert.equal(ev.printFmt!.args.at(-1), 'REC->next_prio');
  assert.equal(ev.printFmt!.args.length, (ev.printFmt!.format.match(/%[^%]/g) ?? []).length);
});

test('print fmt splitting: escapes, nested calls, literals containing commas', () => {
  const p = parsePrintFmt('"a=%s b=\\"%d\\"\\n", __get_str(name), ({ int x = 1, y; x; }), "x,y", \',\', f(a, (b, c))');
  assert.equal(p.format, 'a=%s b="%d"\n');
  assert.deepEqual(p.args, ['__get_str(name)', '({ int x = 1, y; x; })', '"x,y"', "','", 'f(a, (b, c))']);
  assert.deepEqual(parsePrintFmt('"no args"').args, []);
  const dl = parseEventFormat('name: e\nID: 5\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n\tfield:__data_loc char[] msg;\toffset:8;\tsize:4;\tsigned:0;\n\tfield:__rel_loc u8[] buf;\toffset:12;\tsize:4;\tsigned:0;\n\nprint fmt: "%s", __get_str(msg)\n');
  assert.deepEqual(dl.fields.map((f) => [f.name, f.type, f.dynamic]), [['msg', '__data_loc char[]', 'data_loc'], ['buf', '__rel_loc u8[]', 'rel_loc']]);
});

test('malformed format texts give FormatError with the offset', () => {
  const bad: [string, number][] = [
    ['nme: x\n', 0],
    ['name: x\nID: abc\n', 8],
    ['name: x\nID: 1\nformat:\n\tfield:int;\toffset:0;\tsize:4;\tsigned:1;\n', 22],
    ['name: x\nID: 1\nformat:\n\tgarbage\n', 22],
    ['name: x\nID: 1\nformat:\nprint fmt: "unterminated\n', 22 + 'print fmt: '.length + 13],
    ['name: x\nID: 1\nformat:\nprint fmt: "a", f(b\n', 22 + 'print fmt: '.length + 4],
  ];
  for (const [text, offset] of bad) {
    assert.throws(() => parseEventFormat(text, 'f', 100), (e: unknown) => e instanceof FormatError && e.offset === 100 + offset, JSON.stringify(text));
  }
});

test('the event formats inside a tracepoint recording\'s TRACING_DATA parse and match tracefs', { skip: perfSkipReason() ?? tracefsSkip }, () => {
  const path = standardRecordings().tracepoints;
  const f = locateFeatures(path).features.find((x) => x.id === Feature.TRACING_DATA)!;
  const td = decodeFeature(Feature.TRACING_DATA, f.bytes, { littleEndian: true, file: path, fileOffset: f.offset });
  assert.equal(td.version, '0.6');
  assert.equal(td.longSize, 8);
  assert.ok(td.headerPage.includes('field: u64 timestamp'), 'header_page text');
  const names = td.systems.flatMap((s) => s.formats.map((t) => `${s.name}:${parseEventFormat(t).name}`));
  assert.ok(names.includes('sched:sched_switch') && names.includes('syscalls:sys_enter_write'), names.join(' '));
  for (const s of td.systems) {
    for (const t of s.formats) {
      const ev = parseEventFormat(t);
      const live = `${EVENTS}/${s.name}/${ev.name}/format`;
      if (existsSync(live)) assert.equal(t, readFileSync(live, 'utf8'), `${s.name}:${ev.name} as tracefs has it`);
    }
  }
  for (const t of td.ftraceFormats) parseEventFormat(t);
});
