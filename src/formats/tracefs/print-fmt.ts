// Evaluates a tracefs event's `print fmt` against a tracepoint record's raw data, printing what
// Linux perf 6.1 prints for it in `perf script` (its in-tree libtraceevent, event-parse.c:
// process_arg/process_op build the argument tree, parse_args splits the format string,
// print_parse_data/eval_num_arg/print_str_arg evaluate; perf loads no plugins here).
//
// The record layout is the event's format: common fields then event fields at the given
// offsets; __data_loc fields are a u32 (len << 16 | offset), __rel_loc the same with the offset
// relative to the end of the field.
//
// Quirks kept on purpose, because perf's output has them (evidence: libtraceevent 1.5 source,
// and comparisons with perf script on this machine, test/print-fmt.test.ts):
//  - numbers are read unsigned (no sign extension); the printf length modifier casts them
//    (`%d` → (int), `%ld` → (long), `%hd` → (short)), so a signed s32 printed with %ld is positive
//  - a cast `(int)x` masks to 32 bits; `(u8)` to 8 bits; no cast sign-extends
//  - `^` is not evaluated (0) unless both sides are constants
//  - printf flags other than `#`, `-`, `0`, digits, `.` (so `+`, ` `) and conversions other than
//    d i u x X o s p (so `%c`) print as `>X<` and take no argument
//  - `%p` with an extension it does not know (`%pK`, `%pB`) prints `%p` and leaves the letter as text
//  - `%s` of a non-array field of pointer size prints the value in hex without 0x
//  - a print fmt it cannot parse (unknown function such as sizeof, unknown operator) makes every
//    record print "[FAILED TO PARSE]" and then " name=value" per field
import type { EventFormat, FormatField } from './event-format.js';

/** Resolves a kernel address for %pS/%ps/%pF/%pf: the symbol containing it and its start. */
export type KernelSymbolResolver = (addr: bigint) => { name: string; start: bigint } | undefined;

export interface PrintFmtOptions {
  /** sizeof(long) of the traced kernel (TRACING_DATA's long_size); 8 by default. */
  longSize?: number;
  bigEndian?: boolean;
  resolveKernelSymbol?: KernelSymbolResolver;
  /** Kernel string addresses → text (printk_formats; see parsePrintkFormats). */
  printk?: Map<bigint, string>;
}

/**
 * Parses TRACING_DATA's printk part (the kernel's printk_formats: `0xADDR : "text"` lines), as
 * perf's parse_ftrace_printk: the text between the quotes, kept as written.
 */
export function parsePrintkFormats(text: string): Map<bigint, string> {
  const out = new Map<bigint, string>();
  for (const line of text.split('\n')) {
    const c = line.indexOf(':');
    if (c < 0) continue;
    const addr = /^\s*(?:0x)?([0-9a-fA-F]+)/.exec(line.slice(0, c));
    if (!addr) continue;
    let fmt = line.slice(c + 1).replace(/^ /, '');
    fmt = fmt.slice(1, -1);
    out.set(BigInt('0x' + addr[1]), fmt);
  }
  return out;
}

const U64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => v & U64;

// ---------------------------------------------------------------------------------------------
// Tokens (event-parse.c __read_token)

type TokType = 'item' | 'dquote' | 'squote' | 'delim' | 'op' | 'none';
interface Tok { type: TokType; text: string }

function charType(c: string | undefined): TokType | 'space' {
  if (c === undefined) return 'none';
  if (/\s/.test(c)) return 'space';
  if (/[A-Za-z0-9_]/.test(c)) return 'item';
  if (c === "'") return 'squote';
  if (c === '"') return 'dquote';
  const code = c.charCodeAt(0);
  if (code < 0x20 || code > 0x7e) return 'none';
  if (c === '(' || c === ')' || c === ',') return 'delim';
  return 'op';
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  for (;;) {
    while (i < src.length && charType(src[i]) === 'space') i++;
    if (i >= src.length) break;
    const c = src[i];
    const t = charType(c);
    if (t === 'none') break;
    if (t === 'delim') { out.push({ type: t, text: c }); i++; continue; }
    if (t === 'op') {
      let s = c; i++;
      const eq = () => { if (src[i] === '=') { s += '='; i++; } };
      if (c === '-' && src[i] === '>') { s += '>'; i++; } else if ('-+|&><'.includes(c)) {
        if (src[i] === c) { s += c; i++; if (c === '>' || c === '<') eq(); } else eq();
      } else if (c === '!' || c === '=') eq();
      out.push({ type: 'op', text: s });
      continue;
    }
    if (t === 'dquote' || t === 'squote') {
      // escapes stay as written; adjacent "..." "..." concatenate
      let s = '';
      for (;;) {
        i++;
        let last = '';
        while (i < src.length) {
          const ch = src[i];
          if (ch === c && last !== '\\') break;
          s += ch;
          last = ch === '\\' && last === '\\' ? '' : ch;
          i++;
        }
        i++; // closing quote
        if (t !== 'dquote') break;
        let j = i;
        while (j < src.length && /\s/.test(src[j])) j++;
        if (src[j] !== '"') break;
        i = j;
      }
      out.push({ type: t, text: s });
      continue;
    }
    let j = i + 1;
    while (j < src.length && charType(src[j]) === 'item') j++;
    out.push({ type: 'item', text: src.slice(i, j) });
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Argument trees (struct tep_print_arg)

interface FlagSym { value: string; str: string }
interface FieldInfo {
  f: FormatField;
  isArray: boolean; isString: boolean; isDynamic: boolean; isRelative: boolean;
  isLong: boolean; isPointer: boolean; elementSize: number;
}

type Arg =
  | { k: 'null' }
  | { k: 'atom'; atom: string }
  | { k: 'field'; name: string; field?: FieldInfo }
  | { k: 'flags'; field: Arg; delim?: string; syms: FlagSym[] }
  | { k: 'symbol'; field: Arg; syms: FlagSym[] }
  | { k: 'hex' | 'hexstr'; field: Arg; size: Arg }
  | { k: 'intarray'; field: Arg; count: Arg; elSize: Arg }
  | { k: 'type'; type: string; item: Arg }
  | { k: 'string'; name: string }
  | { k: 'bitmask'; name: string }
  | { k: 'dynarray'; field: FieldInfo }
  | { k: 'dynarraylen'; field: FieldInfo }
  | { k: 'op'; op: string; left?: Arg; right?: Arg; prio?: number };

class ParseFail extends Error {}

function fieldInfo(f: FormatField, longSize: number): FieldInfo {
  const isArray = f.arrayLength !== undefined || f.arrayLengthText !== undefined || f.dynamic !== undefined || /\[/.test(f.type);
  const isDynamic = f.dynamic !== undefined;
  const isString = (isArray && /char|u8|s8/.test(f.type)) || (isDynamic && f.size === 2);
  const isLong = f.type.includes('long');
  let elementSize = f.size;
  if (isArray) {
    if (f.arrayLength) elementSize = Math.floor(f.size / f.arrayLength);
    else if (isDynamic) {
      const base = /^__(?:data|rel)_loc\s+(.*?)\s*\[/.exec(f.type)?.[1] ?? '';
      elementSize = ({ u8: 1, u16: 2, u32: 4, u64: 8, s8: 1, s16: 2, s32: 4, s64: 8, char: 1 } as Record<string, number>)[base] ?? 0;
    } else if (isString) elementSize = 1;
    else if (isLong) elementSize = longSize;
  }
  return { f, isArray, isString, isDynamic, isRelative: f.dynamic === 'rel_loc', isLong, isPointer: f.type.includes('*'), elementSize };
}

const PRIO: Record<string, number> = {
  '*': 6, '/': 6, '%': 6, '+': 7, '-': 7, '<<': 8, '>>': 8, '<': 9, '>': 9, '<=': 9, '>=': 9,
  '==': 10, '!=': 10, '&': 11, '^': 12, '|': 13, '&&': 14, '||': 15,
};

/** strtoull(s, NULL, 0): the numeric prefix, base from the prefix; 0 when none. */
function strtoull(s: string): bigint {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return 0n;
  let v = m[2].length > 1 && m[2][0] === '0' && !/[xX]/.test(m[2]) ? BigInt('0o' + m[2].slice(1)) : BigInt(m[2]);
  if (m[1] === '-') v = -v;
  return u64(v);
}

const BINARY_OPS = new Set(['>>', '<<', '&', '|', '&&', '||', '-', '+', '*', '^', '/', '%', '<', '>', '<=', '>=', '==', '!=']);

/** get_op_prio; -1 for an operator it does not know. */
function opPrio(op: string): number {
  if (op === '~' || op === '!') return 4;
  if (op === '++' || op === '--') return 3;
  if (op === '?') return 16;
  return PRIO[op] ?? -1;
}

type OpArg = Extract<Arg, { k: 'op' }>;

const fresh = (): Arg => ({ k: 'null' }) as Arg;

/** Overwrites `target` with `src` in place (the C code's `*arg = *other`). */
function become(target: Arg, src: Arg): void {
  for (const key of Object.keys(target)) delete (target as unknown as Record<string, unknown>)[key];
  Object.assign(target, src);
}

/**
 * The argument parser, following libtraceevent's process_arg/process_op step by step, because
 * its operator handling is not C's and perf prints what it computes: an operand that is itself
 * an operator of looser priority is rotated ("a & (b | c)" evaluates as "(a & b) | c"), and an
 * operator of the same or tighter priority binds to the right ("a - b - c" is "a - (b - c)").
 */
class Parser {
  private pos = 0;
  constructor(private toks: Tok[], private fields: Map<string, FieldInfo>, private eventFields: Map<string, FieldInfo>) {}
  peek(): Tok | undefined { return this.toks[this.pos]; }
  next(): Tok { const t = this.toks[this.pos++]; if (!t) throw new ParseFail('unexpected end'); return t; }
  expect(text: string): void { const t = this.next(); if (t.text !== text || t.type === 'dquote' || t.type === 'squote') throw new ParseFail(`expected ${text}, found ${t.text}`); }
  atEnd(): boolean { return this.pos >= this.toks.length; }
  peekIsOp(): boolean { const t = this.peek(); return !!t && t.type === 'op'; }
  private eventField(name: string): FieldInfo {
    const f = this.eventFields.get(name);
    if (!f) throw new ParseFail(`no field ${name}`);
    return f;
  }

  /** process_arg: one primary into `arg`. */
  processArg(arg: Arg): void { this.processArgToken(arg, this.next()); }

  /** process_field_arg: a primary and every operator after it. */
  processFieldArg(arg: Arg): void {
    this.processArg(arg);
    while (this.peekIsOp()) this.processOp(arg);
  }

  processArgToken(arg: Arg, t: Tok): void {
    if (t.type === 'item') {
      if (t.text === 'REC') { become(arg, this.entry()); return; }
      const n = this.peek();
      if (n && n.type === 'delim' && n.text === '(') { this.pos++; become(arg, this.func(t.text)); return; }
      let atom = t.text;
      while (this.peek()?.type === 'item') atom += ' ' + this.next().text;
      become(arg, { k: 'atom', atom });
      return;
    }
    if (t.type === 'dquote' || t.type === 'squote') { become(arg, { k: 'atom', atom: t.text }); return; }
    if (t.type === 'delim' && t.text === '(') { this.paren(arg); return; }
    if (t.type === 'op' || t.type === 'delim') {
      // a unary operator
      become(arg, { k: 'op', op: t.text, prio: 0 });
      this.pos--;
      this.processOp(arg);
      return;
    }
    throw new ParseFail('unexpected token');
  }

  /** process_op: the operator at the current token applied to `arg`, and the chain after it. */
  processOp(arg: Arg): void {
    const tok = this.next().text;
    let right: Arg | undefined;
    if (arg.k === 'op' && arg.left === undefined) {
      if (!['~', '!', '+', '-'].includes(tok) || arg.op !== tok) throw new ParseFail(`bad op token ${tok}`);
      arg.left = { k: 'null' };
      right = fresh();
      this.processArg(right);
      arg.right = right;
    } else if (tok === '?') {
      const left = { ...arg } as Arg;
      become(arg, { k: 'op', op: '?', left, prio: 0 });
      const l2 = fresh();
      this.processArg(l2);
      while (this.peekIsOp() && this.peek()!.text !== ':') this.processOp(l2);
      this.expect(':');
      const r2 = fresh();
      this.processArg(r2);
      (arg as OpArg).right = { k: 'op', op: ':', left: l2, right: r2, prio: 0 };
    } else if (BINARY_OPS.has(tok)) {
      const left = { ...arg } as Arg;
      become(arg, { k: 'op', op: tok, left, prio: left.k === 'null' ? 0 : opPrio(tok) });
      const n = this.peek();
      if (tok === '*' && n && n.type === 'delim' && n.text === ')') {
        if (left.k !== 'atom') throw new ParseFail('bad pointer type');
        become(arg, { k: 'atom', atom: `${left.atom} *` });
        return;
      }
      right = fresh();
      this.processArg(right);
      const a = arg as OpArg;
      if (right.k === 'op' && opPrio(a.op) < opPrio(right.op)) {
        a.right = right.left;
        const tmp = { ...a } as Arg;
        become(arg, right);
        become(right, tmp);
        (arg as OpArg).left = right;
      } else a.right = right;
    } else if (tok === '[') {
      const left = { ...arg } as Arg;
      become(arg, { k: 'op', op: '[', left, prio: 0 });
      const idx = fresh();
      this.processArg(idx);
      this.expect(']');
      (arg as OpArg).right = idx;
    } else throw new ParseFail(`unknown op ${tok}`);

    const n = this.peek();
    if (n && n.type === 'op' && n.text !== ':') {
      const prio = opPrio(n.text);
      if (prio > ((arg as OpArg).prio ?? 0)) return this.processOp(arg);
      if (!right) throw new ParseFail(`cannot continue after ${tok}`);
      return this.processOp(right);
    }
  }

  entry(): Arg {
    this.expect('->');
    const t = this.next();
    if (t.type !== 'item') throw new ParseFail('field name after REC->');
    return { k: 'field', name: t.text, field: this.fields.get(t.text) };
  }

  paren(arg: Arg): void {
    const t0 = this.peek(), t1 = this.toks[this.pos + 1];
    if (t0?.text === 'REC' && t1?.text === ')') { this.pos += 2; become(arg, this.entry()); return; }
    this.processArg(arg);
    if (this.peekIsOp()) this.processOp(arg);
    this.expect(')');
    const n = this.peek();
    if (n && (n.type === 'item' || n.type === 'dquote' || n.type === 'squote' || (n.type === 'delim' && n.text === '('))) {
      if (arg.k !== 'atom') throw new ParseFail('previous needed to be an atom');
      const item: Arg = { k: 'null' };
      this.processArg(item);
      become(arg, { k: 'type', type: arg.atom, item });
    }
  }

  /** process_fields: ", { value, "name" }" pairs after the first argument. */
  fieldsList(): FlagSym[] {
    const syms: FlagSym[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.text !== ',' || t.type !== 'delim') break;
      this.pos++;
      if (this.peek()?.text !== '{') { this.pos--; break; }
      this.pos++;
      const v: Arg = { k: 'null' };
      this.processArg(v);
      if (this.peekIsOp()) this.processOp(v);
      this.expect(',');
      const value = argEval(v);
      const s: Arg = { k: 'null' };
      this.processArg(s);
      this.expect('}');
      syms.push({ value, str: argEval(s) });
    }
    return syms;
  }

  /** alloc_and_process_delim: one primary, then the delimiter. */
  private primaryThen(delim: string): Arg {
    const a: Arg = { k: 'null' };
    this.processArg(a);
    this.expect(delim);
    return a;
  }

  func(name: string): Arg {
    const ident = () => { const t = this.next(); if (t.type !== 'item') throw new ParseFail('identifier'); return t.text; };
    switch (name) {
      case '__print_flags': {
        const field: Arg = { k: 'null' };
        this.processFieldArg(field);
        if (this.peek()?.text !== ',') throw new ParseFail('expected ,');
        this.pos++;
        let delim: string | undefined;
        const d = this.peek();
        if (d && (d.type === 'item' || d.type === 'dquote' || d.type === 'squote')) { delim = d.text; this.pos++; }
        if (this.peek()?.text !== ',') throw new ParseFail('expected ,');
        const syms = this.fieldsList();
        this.expect(')');
        return { k: 'flags', field, delim, syms };
      }
      case '__print_symbolic': {
        const field: Arg = { k: 'null' };
        this.processFieldArg(field);
        if (this.peek()?.text !== ',') throw new ParseFail('expected ,');
        const syms = this.fieldsList();
        this.expect(')');
        return { k: 'symbol', field, syms };
      }
      case '__print_hex':
      case '__print_hex_str': {
        const field = this.primaryThen(',');
        const size = this.primaryThen(')');
        return { k: name === '__print_hex' ? 'hex' : 'hexstr', field, size };
      }
      case '__print_array': {
        const field = this.primaryThen(',');
        const count = this.primaryThen(',');
        const elSize = this.primaryThen(')');
        return { k: 'intarray', field, count, elSize };
      }
      case '__get_str':
      case '__get_rel_str': { const n = ident(); this.expect(')'); return { k: 'string', name: n }; }
      case '__get_bitmask':
      case '__get_rel_bitmask': { const n = ident(); this.expect(')'); return { k: 'bitmask', name: n }; }
      case '__get_dynamic_array':
      case '__get_rel_dynamic_array':
      case '__get_sockaddr':
      case '__get_sockaddr_rel': {
        const f = this.eventField(ident());
        this.expect(')');
        // libtraceevent rejects an index after __get_dynamic_array(x) (its test is inverted)
        if (this.peek()?.text === '[') throw new ParseFail('index after __get_dynamic_array');
        return { k: 'dynarray', field: f };
      }
      case '__get_dynamic_array_len':
      case '__get_rel_dynamic_array_len': { const f = this.eventField(ident()); this.expect(')'); return { k: 'dynarraylen', field: f }; }
      case '__builtin_expect': {
        const a = this.primaryThen(',');
        if (this.next().type !== 'item') throw new ParseFail('__builtin_expect value');
        this.expect(')');
        return a;
      }
      default:
        throw new ParseFail(`function ${name} not defined`);
    }
  }
}

/** arg_eval: a flag value or name as text (atoms as written, operators as "%lld"). */
function argEval(a: Arg): string {
  if (a.k === 'atom') return a.atom;
  if (a.k === 'type') return argEval(a.item);
  if (a.k === 'op') {
    const v = argNumEval(a);
    if (v === undefined) throw new ParseFail('flag value is not a constant');
    return BigInt.asIntN(64, v).toString();
  }
  throw new ParseFail('flag value is not a constant');
}

/** arg_num_eval: signed 64-bit constant folding of atoms, casts and operators. */
function argNumEval(a: Arg): bigint | undefined {
  switch (a.k) {
    case 'atom': return BigInt.asIntN(64, strtoull(a.atom));
    case 'type': { const v = argNumEval(a.item); return v === undefined ? undefined : BigInt.asIntN(64, evalType(u64(v), a.type, false)); }
    case 'op': {
      const opc = a.op;
      if (opc === '~') { const r = a.right && argNumEval(a.right); return r === undefined ? undefined : BigInt.asIntN(64, ~r); }
      if (!['|', '&', '<', '>', '=', '!', '-', '+'].includes(opc[0]) || opc === '!') return undefined;
      const l = (opc === '-' || opc === '+') && a.left?.k === 'null' ? 0n : a.left && argNumEval(a.left);
      if (l === undefined) return undefined;
      const r = a.right && argNumEval(a.right);
      if (r === undefined) return undefined;
      const v = binop(opc, l, r, true);
      return v === undefined ? undefined : BigInt.asIntN(64, v);
    }
    default: return undefined;
  }
}

/** consolidate_op_arg: folds operators over two atoms into an atom, as libtraceevent does. */
function consolidate(a: Arg): void {
  if (a.k !== 'op') return;
  if (a.left) consolidate(a.left);
  if (a.right) consolidate(a.right);
  if (!a.left || !a.right || a.left.k !== 'atom' || a.right.k !== 'atom') return;
  const l = strtoull(a.left.atom), r = strtoull(a.right.atom);
  if (!['>', '<', '&', '|', '-', '+', '*', '^', '/', '%', '=', '!'].includes(a.op[0])) return;
  let v = binop(a.op === '!' ? '!=' : a.op, l, r, true);
  if (a.op === '/' || a.op === '%') v = r === 0n ? 0n : v;
  if (v === undefined) return;
  become(a, { k: 'atom', atom: BigInt.asIntN(64, u64(v)).toString() });
}

function binop(op: string, l: bigint, r: bigint, xor: boolean): bigint | undefined {
  const b = (x: boolean) => (x ? 1n : 0n);
  switch (op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return r === 0n ? 0n : l / r;
    case '%': return r === 0n ? 0n : l % r;
    case '<<': return l << (r & 63n);
    case '>>': return l >> (r & 63n);
    case '<': return b(l < r);
    case '>': return b(l > r);
    case '<=': return b(l <= r);
    case '>=': return b(l >= r);
    case '==': return b(l === r);
    case '!=': return b(l !== r);
    case '&': return l & r;
    case '|': return l | r;
    case '^': return xor ? l ^ r : 0n;
    case '&&': return b(l !== 0n && r !== 0n);
    case '||': return b(l !== 0n || r !== 0n);
    default: return undefined;
  }
}

/** eval_type_str: what a cast does to a value (masking only; never sign extension). */
function evalType(val: bigint, type: string, pointer: boolean): bigint {
  let t = type;
  if (t.length < 2) return val;
  if (pointer) {
    if (!t.endsWith('*')) return val;
    t = t.slice(0, -2);
  }
  if (t.endsWith('*') || t.startsWith('struct')) return val;
  switch (t) {
    case 'u8': case 's8': return val & 0xffn;
    case 'u16': case 's16': return val & 0xffffn;
    case 'u32': case 's32': return val & 0xffffffffn;
  }
  if (t.startsWith('unsigned ')) t = t.slice(9);
  if (t === 'char') return val & 0xffn;
  if (t === 'short') return val & 0xffffn;
  if (t === 'int') return val & 0xffffffffn;
  return val;
}

// ---------------------------------------------------------------------------------------------
// The format string, split as parse_args does

type Piece =
  | { k: 'str'; text: string }
  | { k: 'digit'; fmt: string; ls: number; arg: Arg; lenArg?: Arg; spec?: FastSpec }
  | { k: 'pointer'; fmt: string; arg: Arg; lenArg?: Arg }
  | { k: 'string'; fmt: string; arg: Arg; lenArg?: Arg; spec?: FastSpec };

function pointerExtLen(f: string): number {
  let ret = 0;
  switch (f[0]) {
    case 'F': case 'S': case 'f': case 's': return 1;
    case 'M': case 'm': return f[1] === 'R' || f[1] === 'F' ? 2 : 1;
    case 'I': case 'i': {
      let index = 2;
      if (f[1] === 'S') {
        while ('pfs'.includes(f[index] ?? 'x')) { ret++; index++; }
      }
      if (f[1] === 'S' || f[1] === '4') {
        if ('hnlb'.includes(f[index] ?? 'x')) { ret++; index++; }
        if (f[1] === '4') return ret + 2;
      }
      if (f[1] === 'S' || f[1] === '6') {
        if (f[index] === 'c') ret++;
        ret++;
      }
      return ret + 1;
    }
    case 'U': return 'LlBb'.includes(f[1] ?? 'x') ? 2 : 1;
    case 'h': return 'CDN'.includes(f[1] ?? 'x') ? 2 : 1;
    default: return 0;
  }
}

function splitFormat(format: string, args: Arg[]): { pieces: Piece[]; failed: boolean } {
  const pieces: Piece[] = [];
  let ai = 0;
  let failed = false;
  let i = 0;
  while (i < format.length) {
    if (format[i] === '%' && format[i + 1] !== '%') {
      const start = i;
      let ls = 0;
      let lenArg: Arg | undefined;
      i++;
      let done = false;
      for (; i < format.length && !done; i++) {
        const c = format[i];
        if (c === '#' || c === '.' || c === '-' || (c >= '0' && c <= '9')) continue;
        if (c === 'h') { ls--; continue; }
        if (c === 'l') { ls++; continue; }
        if (c === 'L') { ls = 2; continue; }
        if (c === 'z' || c === 'Z') { ls = 1; continue; }
        if (c === '*') {
          if (ai >= args.length || lenArg) { failed = true; return { pieces, failed }; }
          lenArg = args[ai++];
          continue;
        }
        if (c === 'p') {
          if (ai >= args.length) { failed = true; return { pieces, failed }; }
          i += pointerExtLen(format.slice(i + 1));
          pieces.push({ k: 'pointer', fmt: format.slice(start, i + 1), arg: args[ai++], lenArg });
          done = true;
        } else if ('duixXo'.includes(c)) {
          if (ai >= args.length) { failed = true; return { pieces, failed }; }
          if (ls < -2 || ls > 2) failed = true;
          pieces.push({ k: 'digit', fmt: format.slice(start, i + 1), ls, arg: args[ai++], lenArg });
          done = true;
        } else if (c === 's') {
          if (ai >= args.length) { failed = true; return { pieces, failed }; }
          pieces.push({ k: 'string', fmt: format.slice(start, i + 1), arg: args[ai++], lenArg });
          done = true;
        } else {
          pieces.push({ k: 'str', text: `>${c}<` });
          done = true;
        }
      }
      continue;
    }
    let s = '';
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '\\') {
        i++;
        const e = format[i];
        s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
      } else if (c === '%') {
        if (format[i + 1] === '%') { s += '%'; i++; } else break;
      } else s += c;
    }
    pieces.push({ k: 'str', text: s });
  }
  return { pieces, failed };
}

// ---------------------------------------------------------------------------------------------
// C printf for one conversion (glibc behaviour)

interface Spec { flags: string; width?: number; prec?: number; conv: string }

/** Spec plus its flags as booleans, for the per-record number path. */
interface FastSpec extends Spec { minus: boolean; zero: boolean; hash: boolean; plus: boolean; space: boolean }

function fastSpec(s: Spec): FastSpec {
  const f = s.flags;
  return { ...s, minus: f.includes('-'), zero: f.includes('0'), hash: f.includes('#'), plus: f.includes('+'), space: f.includes(' ') };
}

const TWO32 = 4294967296;
const MOD32 = (v: number) => (v >= 0 && v < TWO32 ? v : ((v % TWO32) + TWO32) % TWO32);
/** BigInt.asIntN(bits, v) for bits <= 32 and an integer |v| < 2^53. */
function intN(bits: number, v: number): number {
  const u = MOD32(v);
  return bits === 32 ? u | 0 : bits === 16 ? (u << 16) >> 16 : (u << 24) >> 24;
}
/** BigInt.asUintN(bits, v) for bits <= 32. */
function uintN(bits: number, v: number): number {
  const u = MOD32(v);
  return bits === 32 ? u : bits === 16 ? u & 0xffff : u & 0xff;
}

function padFast(body: string, spec: FastSpec, zeroOk: boolean, prefixLen: number): string {
  const w = spec.width ?? 0;
  if (body.length >= w) return body;
  if (spec.minus) return body + ' '.repeat(w - body.length);
  if (zeroOk && spec.zero) return body.slice(0, prefixLen) + '0'.repeat(w - body.length) + body.slice(prefixLen);
  return ' '.repeat(w - body.length) + body;
}

/** formatInt for an exact integer value (|v| < 2^53; non-negative when bits is 64). */
function formatIntNum(spec: FastSpec, v: number, bits: number): string {
  const conv = spec.conv;
  const signed = conv === 'd' || conv === 'i';
  let n = bits === 64 ? v : signed ? intN(bits, v) : uintN(bits, v);
  let sign = '';
  if (n < 0) { sign = '-'; n = -n; } else if (signed && spec.plus) sign = '+'; else if (signed && spec.space) sign = ' ';
  let digits = conv === 'x' ? n.toString(16) : conv === 'X' ? n.toString(16).toUpperCase() : conv === 'o' ? n.toString(8) : String(n);
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && n === 0) digits = '';
    else if (digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  }
  let prefix = sign;
  if (spec.hash && n !== 0) {
    if (conv === 'x') prefix += '0x';
    else if (conv === 'X') prefix += '0X';
  }
  if (spec.hash && conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
  return padFast(prefix + digits, spec, spec.prec === undefined, prefix.length);
}

function parseSpec(fmt: string, lenArg: number | undefined): Spec {
  const m = /^%([#0\- +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlLzZjtq]*(.)/.exec(fmt);
  if (!m) return { flags: '', conv: fmt[fmt.length - 1] };
  const spec: Spec = { flags: m[1], conv: m[4] };
  if (m[2] === '*') {
    const w = lenArg ?? 0;
    if (w < 0) { spec.flags += '-'; spec.width = -w; } else spec.width = w;
  } else if (m[2]) spec.width = Number(m[2]);
  if (m[3] !== undefined) {
    if (m[3] === '*') { const p = lenArg ?? 0; if (p >= 0) spec.prec = p; } else spec.prec = Number(m[3] || '0');
  }
  return spec;
}

function pad(body: string, spec: Spec, zeroOk: boolean, prefixLen = 0): string {
  const w = spec.width ?? 0;
  if (body.length >= w) return body;
  if (spec.flags.includes('-')) return body + ' '.repeat(w - body.length);
  if (zeroOk && spec.flags.includes('0')) return body.slice(0, prefixLen) + '0'.repeat(w - body.length) + body.slice(prefixLen);
  return ' '.repeat(w - body.length) + body;
}

/** printf of an integer conversion, `v` already converted to the argument's C type. */
export function formatInt(spec: Spec, v: bigint, bits: number): string {
  const conv = spec.conv;
  const signed = conv === 'd' || conv === 'i';
  let n = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  let sign = '';
  if (n < 0n) { sign = '-'; n = -n; } else if (signed && spec.flags.includes('+')) sign = '+'; else if (signed && spec.flags.includes(' ')) sign = ' ';
  let digits = conv === 'x' ? n.toString(16) : conv === 'X' ? n.toString(16).toUpperCase() : conv === 'o' ? n.toString(8) : n.toString();
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && n === 0n) digits = '';
    else if (digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  }
  let prefix = sign;
  if (spec.flags.includes('#') && n !== 0n) {
    if (conv === 'x') prefix += '0x';
    else if (conv === 'X') prefix += '0X';
  }
  if (spec.flags.includes('#') && conv === 'o' && !digits.startsWith('0')) digits = '0' + digits;
  return pad(prefix + digits, spec, spec.prec === undefined, prefix.length);
}

export function formatStr(spec: Spec, s: string): string {
  const body = spec.prec !== undefined ? s.slice(0, spec.prec) : s;
  return pad(body, spec, false);
}

// ---------------------------------------------------------------------------------------------

export class PrintFmtEvaluator {
  readonly failed: boolean;
  readonly failReason?: string;
  private pieces: Piece[] = [];
  private readonly fieldList: FieldInfo[];
  private readonly longSize: number;
  private readonly le: boolean;
  private readonly resolve?: KernelSymbolResolver;
  private readonly printk?: Map<bigint, string>;
  private dv: DataView = new DataView(new ArrayBuffer(8));
  private data: Uint8Array = new Uint8Array(0);
  /** Number values of atoms (-1: not exact as a double). */
  private readonly atomN = new Map<Arg, number>();
  /** Flag/symbol values as numbers (NaN: not exact as a double). */
  private readonly symsN = new Map<FlagSym[], number[]>();

  constructor(readonly event: EventFormat, opts: PrintFmtOptions = {}) {
    this.longSize = opts.longSize ?? 8;
    this.le = !opts.bigEndian;
    this.resolve = opts.resolveKernelSymbol;
    this.printk = opts.printk;
    const fields = new Map<string, FieldInfo>();
    for (const f of [...event.commonFields, ...event.fields]) if (!fields.has(f.name)) fields.set(f.name, fieldInfo(f, this.longSize));
    this.fieldList = event.fields.map((f) => fields.get(f.name) === undefined ? fieldInfo(f, this.longSize) : fieldInfo(f, this.longSize));
    let failed = false, reason: string | undefined;
    try {
      const pf = event.printFmt;
      if (!pf) throw new ParseFail('no print fmt');
      const toks = tokenize(pf.raw);
      if (toks[0]?.type !== 'dquote') throw new ParseFail('print fmt does not start with a string');
      const eventFields = new Map<string, FieldInfo>();
      for (const f of event.fields) if (!eventFields.has(f.name)) eventFields.set(f.name, fields.get(f.name) ?? fieldInfo(f, this.longSize));
      const p = new Parser(toks, fields, eventFields);
      p.next();
      const args: Arg[] = [];
      if (!p.atEnd()) {
        p.expect(',');
        for (;;) {
          const arg: Arg = { k: 'null' };
          p.processArg(arg);
          if (p.peekIsOp()) { p.processOp(arg); consolidate(arg); }
          args.push(arg);
          if (p.atEnd()) break;
          p.expect(',');
        }
      }
      const split = splitFormat(toks[0].text, args);
      this.pieces = split.pieces;
      for (const p of this.pieces) if ((p.k === 'digit' || p.k === 'string') && !p.lenArg) p.spec = fastSpec(parseSpec(p.fmt, undefined));
      if (split.failed) throw new ParseFail('format and arguments do not match');
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      failed = true; reason = e.message;
    }
    this.failed = failed;
    this.failReason = reason;
  }

  /** The text perf script prints for a record of this event (the part after "event: "). */
  format(data: Uint8Array): string {
    this.data = data;
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (this.failed) {
      let s = '[FAILED TO PARSE]';
      for (const f of this.fieldList) s += ` ${f.f.name}=` + this.fieldRaw(f);
      return s;
    }
    let out = '';
    for (const p of this.pieces) {
      if (p.k === 'str') { out += p.text; continue; }
      const lenArg = p.lenArg ? this.lenOf(p.lenArg) : undefined;
      if (p.k === 'digit') {
        const bits = p.ls <= -2 ? 8 : p.ls === -1 ? 16 : p.ls === 0 ? 32 : 64;
        const nv = this.numN(p.arg);
        if (nv >= 0) {
          const spec = p.spec ?? fastSpec(parseSpec(p.fmt, lenArg));
          out += bits < 32 ? formatIntNum(spec, intN(bits, nv), /hh/.test(p.fmt) ? 8 : /h/.test(p.fmt) ? 16 : 32) : formatIntNum(spec, nv, bits);
          continue;
        }
        const v = this.num(p.arg);
        // (char)/(short) are promoted back to int for printf: the conversion's own hh/h decides
        const spec = parseSpec(p.fmt, lenArg);
        const signedArg = bits < 32 ? BigInt.asIntN(bits, v) : v;
        out += formatInt(spec, signedArg, bits < 32 ? (/hh/.test(p.fmt) ? 8 : /h/.test(p.fmt) ? 16 : 32) : bits);
      } else if (p.k === 'pointer') out += this.pointer(p.fmt, p.arg, lenArg ?? 1);
      else out += this.str(p.fmt, lenArg, p.arg, p.spec);
    }
    return out;
  }

  private lenOf(a: Arg): number {
    const n = this.numN(a);
    return n >= 0 ? intN(32, n) : Number(BigInt.asIntN(32, this.num(a)));
  }

  /** readNum as a number; -1 when the value is 2^53 or more. */
  private readN(off: number, size: number): number {
    const d = this.data;
    if (off < 0 || off + size > d.length) return 0;
    switch (size) {
      case 1: return d[off];
      case 2: return this.dv.getUint16(off, this.le);
      case 4: return this.dv.getUint32(off, this.le);
      case 8: {
        const lo = this.dv.getUint32(this.le ? off : off + 4, this.le), hi = this.dv.getUint32(this.le ? off + 4 : off, this.le);
        return hi >= 0x200000 ? -1 : hi * TWO32 + lo;
      }
      default: return 0;
    }
  }

  /**
   * num() in exact doubles: the same u64 value when it and every intermediate value are below
   * 2^53 (the common case: ints, pids, flags, user pointers), else -1 and the caller uses num().
   */
  private numN(a: Arg): number {
    switch (a.k) {
      case 'null': return 0;
      case 'atom': {
        let v = this.atomN.get(a);
        if (v === undefined) {
          const b = strtoull(a.atom);
          v = b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : -1;
          this.atomN.set(a, v);
        }
        return v;
      }
      case 'field': {
        const f = a.field;
        if (!f || f.f.offset + f.f.size > this.data.length) return 0;
        return this.readN(f.f.offset, f.f.size);
      }
      case 'type': {
        const v = this.numN(a.item);
        if (v < 0) return -1;
        const bits = typeMaskBits(a.type);
        return bits === 64 ? v : bits === 32 ? MOD32(v) : v % (bits === 16 ? 65536 : 256);
      }
      case 'op': {
        if (a.op === '[') return -1;
        if (a.op === '?') {
          const c = this.numN(a.left!);
          if (c < 0) return -1;
          const br = a.right as OpArg;
          return this.numN(c ? br.left! : br.right!);
        }
        const l = a.left ? this.numN(a.left) : 0;
        if (l < 0) return -1;
        const r = a.right ? this.numN(a.right) : 0;
        if (r < 0) return -1;
        return binopN(a.op, l, r);
      }
      case 'dynarraylen': return this.dyn(a.field).len;
      default: return 0;
    }
  }

  private symValuesN(syms: FlagSym[]): number[] {
    let v = this.symsN.get(syms);
    if (!v) {
      v = syms.map((fl) => { const x = evalFlag(fl.value); return x >= -(2n ** 31n) && x < 2n ** 31n ? Number(x) : NaN; });
      this.symsN.set(syms, v);
    }
    return v;
  }

  private readNum(off: number, size: number): bigint {
    const d = this.data;
    if (off < 0 || off + size > d.length) return 0n;
    const dv = new DataView(d.buffer, d.byteOffset + off, size);
    switch (size) {
      case 1: return BigInt(dv.getUint8(0));
      case 2: return BigInt(dv.getUint16(0, this.le));
      case 4: return BigInt(dv.getUint32(0, this.le));
      case 8: return dv.getBigUint64(0, this.le);
      default: return 0n;
    }
  }

  /** dynamic_offset_field: where a __data_loc/__rel_loc field's data is, and its length. */
  private dyn(f: FieldInfo): { offset: number; len: number } {
    const size = this.data.length;
    if (f.f.offset + f.f.size > size) return { offset: 0, len: 0 };
    const val = Number(this.readNum(f.f.offset, f.f.size));
    const o = val & 0xffff;
    const l = f.f.size === 2 ? size - o : (val >>> 16) & 0xffff;
    let offset = o > size ? 0 : o;
    const len = o + l > size ? 0 : l;
    if (f.isRelative) offset += f.f.offset + f.f.size;
    return { offset, len };
  }

  private cstr(off: number, max: number): string {
    const d = this.data;
    let s = '';
    for (let i = off; i < off + max && i < d.length && d[i] !== 0; i++) s += String.fromCharCode(d[i]);
    return s;
  }

  private num(a: Arg): bigint {
    switch (a.k) {
      case 'null': return 0n;
      case 'atom': return strtoull(a.atom);
      case 'field': {
        const f = a.field;
        if (!f || f.f.offset + f.f.size > this.data.length) return 0n;
        return this.readNum(f.f.offset, f.f.size);
      }
      case 'type': return evalType(this.num(a.item), a.type, false);
      case 'op': {
        if (a.op === '[') {
          const right = this.num(a.right!);
          let larg = a.left!, typeArg: Arg | undefined;
          while (larg.k === 'type') { typeArg ??= larg; larg = larg.item; }
          let offset: number, size = this.longSize;
          if (larg.k === 'dynarray') {
            offset = this.dyn(larg.field).offset + Number(right);
            if (larg.field.elementSize) size = larg.field.elementSize;
          } else if (larg.k === 'field' && larg.field) {
            size = larg.field.elementSize;
            offset = larg.field.f.offset + Number(right) * size;
          } else return this.binary(a);
          if (offset + size > this.data.length) return 0n;
          let v = this.readNum(offset, size);
          if (typeArg && typeArg.k === 'type') v = evalType(v, typeArg.type, true);
          return v;
        }
        if (a.op === '?') { const br = a.right as OpArg; return this.num(this.num(a.left!) ? br.left! : br.right!); }
        return this.binary(a);
      }
      case 'dynarraylen': return BigInt(this.dyn(a.field).len);
      default: return 0n;
    }
  }

  private binary(a: { op: string; left?: Arg; right?: Arg }): bigint {
    const l = a.left ? this.num(a.left) : 0n;
    const r = a.right ? this.num(a.right) : 0n;
    if (a.op === '!') return r ? 0n : 1n;
    if (a.op === '~') return u64(~r);
    const v = binop(a.op, l, r, false);
    return v === undefined ? 0n : u64(v);
  }

  private pointer(fmt: string, arg: Arg, plen: number): string {
    const at = fmt.indexOf('p');
    const ext = fmt.slice(at + 1);
    switch (ext[0]) {
      case 'F': case 'f': case 'S': case 's': {
        const v = this.num(arg);
        const sym = this.resolve?.(v);
        if (sym) return ext[0] === 'F' || ext[0] === 'S' ? `${sym.name}+0x${u64(v - sym.start).toString(16)}` : sym.name;
        return `0x${(this.longSize === 4 ? v & 0xffffffffn : v).toString(16)}`;
      }
      case 'M': case 'm': {
        let x = arg;
        while (x.k === 'type') x = x.item;
        if (x.k !== 'field' || !x.field) return `ARG TYPE NOT FIELD BUT ${argTypeNumber(x)}`;
        if (x.field.f.size !== 6) return 'INVALIDMAC';
        const b = Array.from(this.data.subarray(x.field.f.offset, x.field.f.offset + 6), (c) => c.toString(16).padStart(2, '0'));
        if (ext[1] === 'R') b.reverse();
        return b.join(ext[0] === 'm' ? '' : ext[1] === 'F' ? '-' : ':');
      }
      case 'h': {
        const delim = ext[1] === 'C' ? ':' : ext[1] === 'D' ? '-' : ext[1] === 'N' ? '' : ' ';
        if (arg.k !== 'dynarray') return `ARG TYPE NOT FIELD BUT ${argTypeNumber(arg)}`;
        const { offset, len } = this.dyn(arg.field);
        const n = Math.min(len, plen);
        const parts: string[] = [];
        for (let i = 0; i < n; i++) parts.push(this.data[offset + i].toString(16).padStart(2, '0'));
        return parts.join(delim);
      }
      default: {
        const n = this.numN(arg);
        if (n >= 0) return n === 0 ? '(nil)' : `0x${n.toString(16)}`;
        const v = this.num(arg);
        return v === 0n ? '(nil)' : `0x${v.toString(16)}`;
      }
    }
  }

  private str(fmt: string, lenArg: number | undefined, a: Arg, cached?: Spec): string {
    const spec = () => cached ?? parseSpec(fmt, lenArg);
    switch (a.k) {
      case 'null': return '';
      case 'atom': return formatStr(spec(), a.atom);
      case 'field': {
        const f = a.field;
        if (!f) return '';
        const len = f.f.size || this.data.length - f.f.offset;
        if (!f.isArray && f.f.size === this.longSize) {
          const addr = this.readNum(f.f.offset, f.f.size);
          return this.printk?.get(addr) ?? addr.toString(16);
        }
        return formatStr(spec(), this.cstr(f.f.offset, len));
      }
      case 'flags': {
        const nvals = this.symValuesN(a.syms);
        let nval = this.numN(a.field);
        if (nval >= 0 && !nvals.some(Number.isNaN)) {
          let out = '', printed = false;
          for (let i = 0; i < a.syms.length; i++) {
            const fval = nvals[i];
            if (nval === 0 && fval < 0) { out += formatStr(spec(), a.syms[i].str); break; }
            if (fval > 0 && and53(nval, fval) === fval) {
              if (printed && a.delim !== undefined) out += a.delim;
              out += formatStr(spec(), a.syms[i].str);
              printed = true;
              nval -= fval;
            }
          }
          if (nval) {
            if (printed && a.delim !== undefined) out += a.delim;
            out += `0x${nval.toString(16)}`;
          }
          return out;
        }
        let val = this.num(a.field);
        let out = '', printed = false;
        for (const fl of a.syms) {
          const fval = evalFlag(fl.value);
          if (val === 0n && fval < 0n) { out += formatStr(spec(), fl.str); break; }
          if (fval > 0n && (val & fval) === fval) {
            if (printed && a.delim !== undefined) out += a.delim;
            out += formatStr(spec(), fl.str);
            printed = true;
            val &= ~fval;
          }
        }
        if (val) {
          if (printed && a.delim !== undefined) out += a.delim;
          out += `0x${val.toString(16)}`;
        }
        return out;
      }
      case 'symbol': {
        const nval = this.numN(a.field);
        if (nval >= 0) {
          const nvals = this.symValuesN(a.syms);
          for (let i = 0; i < a.syms.length; i++) if (nvals[i] === nval) return formatStr(spec(), a.syms[i].str);
          if (!nvals.some(Number.isNaN)) return `0x${nval.toString(16)}`;
        }
        const val = BigInt.asIntN(64, this.num(a.field));
        for (const s of a.syms) if (evalFlag(s.value) === val) return formatStr(spec(), s.str);
        return `0x${u64(val).toString(16)}`;
      }
      case 'hex': case 'hexstr': {
        let off: number;
        if (a.field.k === 'dynarray') off = this.dyn(a.field.field).offset;
        else if (a.field.k === 'field' && a.field.field) off = a.field.field.f.offset;
        else return '';
        const len = Number(this.num(a.size));
        const parts: string[] = [];
        for (let i = 0; i < len; i++) parts.push((this.data[off + i] ?? 0).toString(16).padStart(2, '0'));
        return parts.join(a.k === 'hex' ? ' ' : '');
      }
      case 'intarray': {
        let off: number;
        if (a.field.k === 'dynarray') off = this.dyn(a.field.field).offset;
        else if (a.field.k === 'field' && a.field.field) off = a.field.field.f.offset;
        else return '';
        const len = Number(BigInt.asIntN(32, this.num(a.count)));
        let el = Number(BigInt.asIntN(32, this.num(a.elSize)));
        const parts: string[] = [];
        for (let i = 0; i < len; i++) {
          if (el === 1 || el === 2 || el === 4 || el === 8) parts.push(this.readNum(off, el).toString());
          else { parts.push(`BAD SIZE:${el} 0x${(this.data[off] ?? 0).toString(16)}`); el = 1; }
          off += el;
        }
        return parts.join(' ');
      }
      case 'string': {
        const f = this.event.fields.find((x) => x.name === a.name) ?? this.event.commonFields.find((x) => x.name === a.name);
        if (!f) return '';
        const { offset, len } = this.dyn(fieldInfo(f, this.longSize));
        if (!len) return '';
        return formatStr(spec(), this.cstr(offset, this.data.length - offset));
      }
      case 'bitmask': {
        const f = this.event.fields.find((x) => x.name === a.name) ?? this.event.commonFields.find((x) => x.name === a.name);
        if (!f) return '';
        const { offset, len } = this.dyn(fieldInfo(f, this.longSize));
        return formatStr(spec(), this.bitmask(offset, len));
      }
      case 'op':
        if (a.op !== '?') return '';
        {
          const br = a.right as OpArg;
          const c = this.numN(a.left!);
          return this.str(fmt, lenArg, (c >= 0 ? c : this.num(a.left!)) ? br.left! : br.right!);
        }
      default: return '';
    }
  }

  private bitmask(offset: number, size: number): string {
    const nrBits = size * 8;
    let strSize = Math.floor((nrBits + 3) / 4);
    strSize += Math.max(0, Math.floor((nrBits - 1) / 32));
    if (size === 0) return '';
    const chars: string[] = new Array(strSize).fill('');
    let len = 0;
    for (let i = strSize - 2; i >= 0; i -= 2) {
      const index = this.le ? len : size - (len + 1);
      const hx = (this.data[offset + index] ?? 0).toString(16).padStart(2, '0');
      chars[i] = hx[0]; chars[i + 1] = hx[1];
      len++;
      if (!(len & 3) && i > 0) { i--; chars[i] = ','; }
    }
    return chars.join('');
  }

  /** print_field_raw: " name=value" for records of an event whose print fmt failed to parse. */
  private fieldRaw(f: FieldInfo): string {
    const d = this.data;
    if (f.isArray) {
      let offset: number, len: number;
      if (f.isDynamic) ({ offset, len } = this.dyn(f)); else { offset = f.f.offset; len = f.f.size; }
      let printable = true;
      for (let i = 0; i < len && d[offset + i]; i++) {
        const c = d[offset + i];
        if (!((c >= 0x20 && c <= 0x7e) || (c >= 9 && c <= 13))) { printable = false; break; }
      }
      if (f.isString && printable) return this.cstr(offset, d.length - offset);
      const parts: string[] = [];
      for (let i = 0; i < len; i++) parts.push((d[offset + i] ?? 0).toString(16).padStart(2, '0'));
      return `ARRAY[${parts.join(', ')}]`;
    }
    const val = this.readNum(f.f.offset, f.f.size);
    if (f.isPointer) return `0x${val.toString(16)}`;
    if (f.f.signed) {
      switch (f.f.size) {
        case 4: return f.isLong ? `0x${(val & 0xffffffffn).toString(16)}` : BigInt.asIntN(32, val).toString();
        case 2: return BigInt.asIntN(16, val).toString().padStart(2);
        case 1: return BigInt.asIntN(8, val).toString();
        default: return val.toString();
      }
    }
    return f.isLong ? `0x${val.toString(16)}` : val.toString();
  }
}

function argTypeNumber(a: Arg): number {
  const order = ['null', 'atom', 'field', 'flags', 'symbol', 'hex', 'intarray', 'type', 'string', 'bstring', 'dynarray', 'op', 'func', 'bitmask', 'dynarraylen', 'hexstr'];
  return Math.max(0, order.indexOf(a.k));
}

const SOFTIRQ_FLAGS: Record<string, bigint> = {
  HI_SOFTIRQ: 0n, TIMER_SOFTIRQ: 1n, NET_TX_SOFTIRQ: 2n, NET_RX_SOFTIRQ: 3n, BLOCK_SOFTIRQ: 4n, IRQ_POLL_SOFTIRQ: 5n,
  TASKLET_SOFTIRQ: 6n, SCHED_SOFTIRQ: 7n, HRTIMER_SOFTIRQ: 8n, RCU_SOFTIRQ: 9n, HRTIMER_NORESTART: 0n, HRTIMER_RESTART: 1n,
};

/** eval_flag: a __print_flags/__print_symbolic value as libtraceevent reads it (signed 64-bit). */
function evalFlag(v: string): bigint {
  if (/^\d/.test(v)) return BigInt.asIntN(64, strtoull(v));
  return SOFTIRQ_FLAGS[v] ?? -1n;
}

/** The width a cast masks to (evalType): 8, 16, 32, or 64 for none. */
const maskBits = new Map<string, number>();
function typeMaskBits(type: string): number {
  let b = maskBits.get(type);
  if (b === undefined) {
    const m = evalType(U64, type, false);
    b = m === 0xffn ? 8 : m === 0xffffn ? 16 : m === 0xffffffffn ? 32 : 64;
    maskBits.set(type, b);
  }
  return b;
}

/** x & y for integers in [0, 2^53). */
function and53(x: number, y: number): number {
  if (x < TWO32 && y < TWO32) return (x & y) >>> 0;
  return ((Math.floor(x / TWO32) & Math.floor(y / TWO32)) >>> 0) * TWO32 + ((x & y) >>> 0);
}
function or53(x: number, y: number): number {
  if (x < TWO32 && y < TWO32) return (x | y) >>> 0;
  return ((Math.floor(x / TWO32) | Math.floor(y / TWO32)) >>> 0) * TWO32 + ((x | y) >>> 0);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** PrintFmtEvaluator.binary in doubles for operands in [0, 2^53); -1 when the result is not exact there. */
function binopN(op: string, l: number, r: number): number {
  switch (op) {
    case '!': return r ? 0 : 1;
    case '~': return -1;
    case '+': { const v = l + r; return v > MAX_SAFE ? -1 : v; }
    case '-': return l >= r ? l - r : -1;
    case '*': { const v = l * r; return v > MAX_SAFE ? -1 : v; }
    case '/': { if (r === 0) return 0; let q = Math.floor(l / r); if (q * r > l) q--; return q; }
    case '%': return r === 0 ? 0 : l % r;
    case '<<': { const v = l * 2 ** (r % 64); return v > MAX_SAFE ? -1 : v; }
    case '>>': return Math.floor(l / 2 ** (r % 64));
    case '<': return l < r ? 1 : 0;
    case '>': return l > r ? 1 : 0;
    case '<=': return l <= r ? 1 : 0;
    case '>=': return l >= r ? 1 : 0;
    case '==': return l === r ? 1 : 0;
    case '!=': return l !== r ? 1 : 0;
    case '&': return and53(l, r);
    case '|': return or53(l, r);
    case '&&': return l !== 0 && r !== 0 ? 1 : 0;
    case '||': return l !== 0 || r !== 0 ? 1 : 0;
    default: return 0;
  }
}

/** Compiles an event's print fmt once; `format(raw)` then prints each record. */
export function compilePrintFmt(event: EventFormat, opts: PrintFmtOptions = {}): PrintFmtEvaluator {
  return new PrintFmtEvaluator(event, opts);
}
