// A tracefs event `format` file (events/<system>/<event>/format), as the kernel writes it
// (kernel/trace/trace_events.c: f_show) and libtraceevent reads it (event-parse.c:
// event_read_format, event_read_print):
//
//   name: <event>
//   ID: <decimal>
//   format:
//   \tfield:<C declaration>;\toffset:<n>;\tsize:<n>;\tsigned:<0|1>;     (common fields)
//   <blank line>
//   \tfield:<C declaration>;\toffset:<n>;\tsize:<n>;\tsigned:<0|1>;     (event fields)
//   <blank line>
//   print fmt: "<C string>", <arg>, <arg>, ...      (to the end of the text; may span lines)
//
// A declaration is "type name", "type name[N]", "type name[]" or "__data_loc type[] name" /
// "__rel_loc type[] name" (a u32 holding length << 16 | offset of the data in the record).
import { FormatError } from '../../util/errors.js';

export interface FormatField {
  /** The declaration as written, e.g. "char prev_comm[16]" or "__data_loc char[] name". */
  decl: string;
  /** The type without the name or array suffix: "char", "unsigned long", "__data_loc char[]". */
  type: string;
  name: string;
  offset: number;
  size: number;
  signed: boolean;
  /** N for "name[N]", 0 for "name[]"; undefined when not an array. */
  arrayLength?: number;
  /** For "[EXPR]" lengths that are not a number. */
  arrayLengthText?: string;
  /** __data_loc / __rel_loc fields: the value is a u32 (len << 16 | offset) pointing at the data. */
  dynamic?: 'data_loc' | 'rel_loc';
}

export interface PrintFmt {
  /** Everything after "print fmt: " on the line, untouched. */
  raw: string;
  /** The format string, C escapes decoded. */
  format: string;
  /** The argument expressions, split at top-level commas and trimmed. */
  args: string[];
}

export interface EventFormat {
  name: string;
  id: number;
  commonFields: FormatField[];
  fields: FormatField[];
  /** Undefined when the file has no "print fmt:" line. */
  printFmt?: PrintFmt;
}

const FIELD_RE = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(\d+);)?/;

/** True when the text looks like an event format file. */
export function isEventFormat(text: string): boolean {
  return /^name: \S+\nID: \d+\nformat:/.test(text);
}

/**
 * Parses one event `format` text. `file` names it in errors; offsets in errors are character
 * offsets in the text (plus `fileOffset`, when the text sits inside a bigger file).
 */
export function parseEventFormat(text: string, file = '<format>', fileOffset = 0): EventFormat {
  let pos = 0;
  const fail = (expected: string, found: string, at = pos): never => {
    throw new FormatError(file, fileOffset + at, expected, JSON.stringify(found.slice(0, 60)));
  };
  const nextLine = (): string | undefined => {
    if (pos >= text.length) return undefined;
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(pos, end);
    pos = end + 1;
    return line;
  };
  let lineStart = pos;
  const expectKey = (key: string): string => {
    lineStart = pos;
    const line = nextLine();
    if (line === undefined || !line.startsWith(`${key}:`)) fail(`"${key}:" line`, line ?? '<end of text>', lineStart);
    return line!.slice(key.length + 1).trim();
  };
  const name = expectKey('name');
  if (!name) fail('an event name', '', lineStart);
  const idText = expectKey('ID');
  if (!/^\d+$/.test(idText)) fail('a decimal event ID', idText, lineStart);
  expectKey('format');
  const groups: FormatField[][] = [[]];
  let printFmt: PrintFmt | undefined;
  for (;;) {
    lineStart = pos;
    const line = nextLine();
    if (line === undefined) break;
    if (line.trim() === '') { if (groups[groups.length - 1].length) groups.push([]); continue; }
    if (line.startsWith('print fmt:')) {
      // the format string may hold raw newlines (ext4_fc_stats): the rest of the text is print fmt
      const body = text.slice(lineStart + 'print fmt:'.length).replace(/\n$/, '');
      const skipSpace = body.startsWith(' ') ? 1 : 0;
      printFmt = parsePrintFmt(body.slice(skipSpace), (exp, found, at) => fail(exp, found, lineStart + 'print fmt:'.length + skipSpace + at));
      break;
    }
    const m = FIELD_RE.exec(line);
    if (!m) fail('a "field:" line or "print fmt:"', line, lineStart);
    groups[groups.length - 1].push(parseField(m![1], Number(m![2]), Number(m![3]), m![4] === '1', (exp, found) => fail(exp, found, lineStart)));
  }
  const nonEmpty = groups.filter((g) => g.length);
  let commonFields: FormatField[], fields: FormatField[];
  if (nonEmpty.length >= 2) { commonFields = nonEmpty[0]; fields = nonEmpty.slice(1).flat(); } else {
    const all = nonEmpty.flat();
    commonFields = all.filter((f) => f.name.startsWith('common_'));
    fields = all.filter((f) => !f.name.startsWith('common_'));
  }
  return { name, id: Number(idText), commonFields, fields, printFmt };
}

function parseField(decl: string, offset: number, size: number, signed: boolean, fail: (e: string, f: string) => never): FormatField {
  const d = decl.trim();
  const dyn = /^(__data_loc|__rel_loc)\s+(.*\S)\s+([A-Za-z_]\w*)$/.exec(d);
  if (dyn) {
    return { decl, type: `${dyn[1]} ${dyn[2]}`, name: dyn[3], offset, size, signed, dynamic: dyn[1] === '__data_loc' ? 'data_loc' : 'rel_loc' };
  }
  const m = /^(.*?)\s*\b([A-Za-z_]\w*)\s*(?:\[([^\]]*)\])?$/.exec(d);
  if (!m || !m[1]) fail('a C declaration "type name" in field:', decl);
  const f: FormatField = { decl, type: m![1].trim(), name: m![2], offset, size, signed };
  if (m![3] !== undefined) {
    const n = m![3].trim();
    if (n === '') f.arrayLength = 0;
    else if (/^\d+$/.test(n)) f.arrayLength = Number(n);
    else if (/^0x[0-9a-f]+$/i.test(n)) f.arrayLength = parseInt(n, 16);
    else f.arrayLengthText = n;
  }
  return f;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '?': '?' };

/** Splits a print fmt's text into its C string literal(s) and the argument expressions. */
export function parsePrintFmt(raw: string, fail: (expected: string, found: string, at: number) => never = (e, f, at) => {
  throw new FormatError('<print fmt>', at, e, JSON.stringify(f));
}): PrintFmt {
  let i = 0;
  const ws = () => { while (i < raw.length && /\s/.test(raw[i])) i++; };
  ws();
  if (raw[i] !== '"') fail('a string literal after "print fmt:"', raw.slice(i, i + 20), i);
  let format = '';
  // adjacent literals concatenate, as in C
  while (raw[i] === '"') {
    i++;
    for (;;) {
      if (i >= raw.length) fail('the closing quote of the format string', raw.slice(-20), i);
      const c = raw[i++];
      if (c === '"') break;
      if (c !== '\\') { format += c; continue; }
      const e = raw[i++];
      if (e === 'x') {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i))?.[0] ?? '';
        format += String.fromCharCode(parseInt(hex || '0', 16)); i += hex.length;
      } else if (e !== undefined && /[0-7]/.test(e)) {
        const oct = e + (/^[0-7]{0,2}/.exec(raw.slice(i))?.[0] ?? '');
        format += String.fromCharCode(parseInt(oct, 8)); i += oct.length - 1;
      } else format += ESCAPES[e] ?? e ?? '';
    }
    ws();
  }
  const args: string[] = [];
  if (i < raw.length) {
    if (raw[i] !== ',') fail('"," or the end after the format string', raw.slice(i, i + 20), i);
    i++;
    let depth = 0, start = i;
    for (; i < raw.length; i++) {
      const c = raw[i];
      if (c === '"' || c === "'") {
        for (i++; i < raw.length && raw[i] !== c; i++) if (raw[i] === '\\') i++;
        if (i >= raw.length) fail(`the closing ${c} of a literal in the arguments`, raw.slice(start, start + 20), start);
      } else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (--depth < 0) fail('balanced brackets in the arguments', raw.slice(start, i + 1), i);
      } else if (c === ',' && depth === 0) { args.push(raw.slice(start, i).trim()); start = i + 1; }
    }
    if (depth !== 0) fail('balanced brackets in the arguments', raw.slice(start, start + 40), start);
    args.push(raw.slice(start).trim());
  }
  return { raw, format, args };
}

/** The field of a record named `name` (common or event field). */
export function findField(ev: EventFormat, name: string): FormatField | undefined {
  return ev.fields.find((f) => f.name === name) ?? ev.commonFields.find((f) => f.name === name);
}
