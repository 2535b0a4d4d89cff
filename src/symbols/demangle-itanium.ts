/**
 * C++ Itanium ABI demangler whose output matches GNU binutils 2.40 (libiberty cp-demangle.c):
 * `addr2line -C` (DMGL_PARAMS | DMGL_ANSI) and, with `verbose: true`, `c++filt`
 * (which adds DMGL_VERBOSE: `Ss` prints as the full `std::basic_string<char, ...>`).
 *
 * Grammar: https://itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling plus the GNU extensions
 * libiberty accepts. The parse builds a component tree; the printer then walks it with a stack of
 * pending type modifiers (pointer, reference, cv, function, array), so declarator syntax comes out
 * as libiberty writes it (`void (*)(int)`, `int (&) [3]`, `char const*`, `> >`).
 *
 * Limits mirror libiberty, so the same names fail: names longer than 1024 characters are refused
 * (DEMANGLE_RECURSION_LIMIT), nested function types past 2048 and print recursion past 1024 fail.
 * Nothing here throws on hostile input; every failure returns undefined.
 */

export interface DemangleItaniumOptions {
  /** Always run the full parser (tests compare plainNestedName's shortcut with it). */
  noFastPath?: boolean;
  /** Print function parameter lists (DMGL_PARAMS); default true. */
  params?: boolean;
  /** Expand std abbreviations fully (DMGL_VERBOSE, as c++filt does); default false (as addr2line -C). */
  verbose?: boolean;
  /** Filled with where the name's constructor/destructor kind digits were read (DemangleTrace). */
  trace?: DemangleTrace;
}

/**
 * Where one demangling read constructor and destructor kinds (the digit of C1..C5, D0..D5, not
 * inheriting CI), and whether its reading went straight through: no retry with the old
 * unresolved-name form, no rewind (a conversion operator's template arguments). Then every byte
 * was read once, left to right, and a kind digit only by its kind check and by tests that tell
 * a digit from a letter (peekNext in prefix, unqualifiedName, nextIsTypeQual, ctorDtorName): a
 * name with another valid kind digit there is read the same way, into the same components
 * (CTOR and DTOR keep no kind), and prints the same.
 */
export interface DemangleTrace { kindAt: number[]; straight: boolean }

const enum K {
  NAME, QUAL_NAME, LOCAL_NAME, TYPED_NAME, TEMPLATE, TEMPLATE_PARAM, FUNCTION_PARAM, CTOR, DTOR,
  VTABLE, VTT, CONSTRUCTION_VTABLE, TYPEINFO, TYPEINFO_NAME, TYPEINFO_FN, THUNK, VIRTUAL_THUNK,
  COVARIANT_THUNK, JAVA_CLASS, GUARD, TLS_INIT, TLS_WRAPPER, REFTEMP, HIDDEN_ALIAS, SUB_STD,
  RESTRICT, VOLATILE, CONST, RESTRICT_THIS, VOLATILE_THIS, CONST_THIS, REFERENCE_THIS,
  RVALUE_REFERENCE_THIS, TRANSACTION_SAFE, NOEXCEPT, THROW_SPEC, VENDOR_TYPE_QUAL, POINTER,
  REFERENCE, RVALUE_REFERENCE, COMPLEX, IMAGINARY, BUILTIN_TYPE, VENDOR_TYPE, FUNCTION_TYPE,
  ARRAY_TYPE, PTRMEM_TYPE, FIXED_TYPE, VECTOR_TYPE, ARGLIST, TEMPLATE_ARGLIST, TPARM_OBJ,
  INITIALIZER_LIST, OPERATOR, EXTENDED_OPERATOR, CAST, CONVERSION, NULLARY, UNARY, BINARY,
  BINARY_ARGS, TRINARY, TRINARY_ARG1, TRINARY_ARG2, LITERAL, LITERAL_NEG, JAVA_RESOURCE,
  COMPOUND_NAME, CHARACTER, NUMBER, DECLTYPE, GLOBAL_CONSTRUCTORS, GLOBAL_DESTRUCTORS, LAMBDA,
  DEFAULT_ARG, UNNAMED_TYPE, TRANSACTION_CLONE, NONTRANSACTION_CLONE, PACK_EXPANSION, TAGGED_NAME,
  CLONE, STRUCTURED_BINDING,
}

/** How a builtin type prints as a literal's type (libiberty's d_builtin_type_print). */
const enum BP { DEFAULT, INT, UNSIGNED, LONG, UNSIGNED_LONG, LONG_LONG, UNSIGNED_LONG_LONG, BOOL, FLOAT, VOID }

interface Builtin { name: string; print: BP }
interface OpInfo { code: string; name: string; args: number }

/** One component. `l`/`r` are the two children; CTOR/DTOR/EXTENDED_OPERATOR/LAMBDA/DEFAULT_ARG keep their sub-component in `l`. */
class Node {
  l: Node | null;
  r: Node | null;
  s = '';
  num = 0;
  op: OpInfo | null = null;
  bt: Builtin | null = null;
  printing = 0;
  constructor(public k: K, l: Node | null = null, r: Node | null = null) {
    this.l = l;
    this.r = r;
  }
}

const RECURSION_LIMIT = 2048; // DEMANGLE_RECURSION_LIMIT (demangle.h)
const MAX_PRINT_RECURSION = 1024; // MAX_RECURSION_COUNT (cp-demangle.c)

function bt(name: string, print: BP = BP.DEFAULT): Builtin {
  return { name, print };
}
/** Builtin types by mangling letter a..z (k, p, q, r, u have none). */
const BUILTIN_LETTERS: (Builtin | null)[] = [
  bt('signed char'), bt('bool', BP.BOOL), bt('char'), bt('double', BP.FLOAT), bt('long double', BP.FLOAT),
  bt('float', BP.FLOAT), bt('__float128', BP.FLOAT), bt('unsigned char'), bt('int', BP.INT),
  bt('unsigned int', BP.UNSIGNED), null, bt('long', BP.LONG), bt('unsigned long', BP.UNSIGNED_LONG),
  bt('__int128'), bt('unsigned __int128'), null, null, null, bt('short'), bt('unsigned short'), null,
  bt('void', BP.VOID), bt('wchar_t'), bt('long long', BP.LONG_LONG),
  bt('unsigned long long', BP.UNSIGNED_LONG_LONG), bt('...'),
];
const BT_DECIMAL32 = bt('decimal32');
const BT_DECIMAL64 = bt('decimal64');
const BT_DECIMAL128 = bt('decimal128');
const BT_HALF = bt('half', BP.FLOAT);
const BT_CHAR8 = bt('char8_t');
const BT_CHAR16 = bt('char16_t');
const BT_CHAR32 = bt('char32_t');
const BT_NULLPTR = bt('decltype(nullptr)');
const BT_BFLOAT16 = bt('std::bfloat16_t', BP.FLOAT);
const floatNCache = new Map<string, Builtin>();

const OPERATORS = new Map<string, OpInfo>();
for (const [code, name, args] of [
  ['aN', '&=', 2], ['aS', '=', 2], ['aa', '&&', 2], ['ad', '&', 1], ['an', '&', 2], ['at', 'alignof ', 1],
  ['aw', 'co_await ', 1], ['az', 'alignof ', 1], ['cc', 'const_cast', 2], ['cl', '()', 2], ['cm', ',', 2],
  ['co', '~', 1], ['dV', '/=', 2], ['dX', '[...]=', 3], ['da', 'delete[] ', 1], ['dc', 'dynamic_cast', 2],
  ['de', '*', 1], ['di', '=', 2], ['dl', 'delete ', 1], ['ds', '.*', 2], ['dt', '.', 2], ['dv', '/', 2],
  ['dx', ']=', 2], ['eO', '^=', 2], ['eo', '^', 2], ['eq', '==', 2], ['fL', '...', 3], ['fR', '...', 3],
  ['fl', '...', 2], ['fr', '...', 2], ['ge', '>=', 2], ['gs', '::', 1], ['gt', '>', 2], ['ix', '[]', 2],
  ['lS', '<<=', 2], ['le', '<=', 2], ['li', 'operator"" ', 1], ['ls', '<<', 2], ['lt', '<', 2],
  ['mI', '-=', 2], ['mL', '*=', 2], ['mi', '-', 2], ['ml', '*', 2], ['mm', '--', 1], ['na', 'new[]', 3],
  ['ne', '!=', 2], ['ng', '-', 1], ['nt', '!', 1], ['nw', 'new', 3], ['oR', '|=', 2], ['oo', '||', 2],
  ['or', '|', 2], ['pL', '+=', 2], ['pl', '+', 2], ['pm', '->*', 2], ['pp', '++', 1], ['ps', '+', 1],
  ['pt', '->', 2], ['qu', '?', 3], ['rM', '%=', 2], ['rS', '>>=', 2], ['rc', 'reinterpret_cast', 2],
  ['rm', '%', 2], ['rs', '>>', 2], ['sP', 'sizeof...', 1], ['sZ', 'sizeof...', 1], ['sc', 'static_cast', 2],
  ['ss', '<=>', 2], ['st', 'sizeof ', 1], ['sz', 'sizeof ', 1], ['tr', 'throw', 0], ['tw', 'throw ', 1],
] as [string, string, number][]) {
  OPERATORS.set(code, { code, name, args });
}

interface StdSub { simple: string; full: string; lastName: string | null }
const STD_SUBS: Record<string, StdSub> = {
  t: { simple: 'std', full: 'std', lastName: null },
  a: { simple: 'std::allocator', full: 'std::allocator', lastName: 'allocator' },
  b: { simple: 'std::basic_string', full: 'std::basic_string', lastName: 'basic_string' },
  s: { simple: 'std::string', full: 'std::basic_string<char, std::char_traits<char>, std::allocator<char> >', lastName: 'basic_string' },
  i: { simple: 'std::istream', full: 'std::basic_istream<char, std::char_traits<char> >', lastName: 'basic_istream' },
  o: { simple: 'std::ostream', full: 'std::basic_ostream<char, std::char_traits<char> >', lastName: 'basic_ostream' },
  d: { simple: 'std::iostream', full: 'std::basic_iostream<char, std::char_traits<char> >', lastName: 'basic_iostream' },
};

const C_0 = 48, C_9 = 57, C_A = 65, C_Z = 90, C_a = 97, C_z = 122, C_US = 95;
const isDigit = (c: number): boolean => c >= C_0 && c <= C_9;
const isUpper = (c: number): boolean => c >= C_A && c <= C_Z;
const isLower = (c: number): boolean => c >= C_a && c <= C_z;

function isFnQual(k: K): boolean {
  return k === K.RESTRICT_THIS || k === K.VOLATILE_THIS || k === K.CONST_THIS || k === K.REFERENCE_THIS ||
    k === K.RVALUE_REFERENCE_THIS || k === K.TRANSACTION_SAFE || k === K.NOEXCEPT || k === K.THROW_SPEC;
}
const isCvQual = (k: K): boolean => k === K.RESTRICT || k === K.VOLATILE || k === K.CONST;

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

class Parser {
  n = 0;
  readonly end: number;
  subs: Node[] = [];
  comps = 0;
  readonly maxComps: number;
  lastName: Node | null = null;
  isExpression = false;
  isConversion = false;
  recursionLevel = 0;
  /** 1: try the new unresolved-name form; -1: it was tried; 0: old form only. */
  unresolvedNameState = 1;
  trace: DemangleTrace | undefined = undefined;

  constructor(readonly s: string, readonly params: boolean, readonly verbose: boolean) {
    this.end = s.length;
    this.maxComps = 2 * s.length;
  }

  peek(): number {
    return this.n < this.end ? this.s.charCodeAt(this.n) : 0;
  }
  peekNext(): number {
    return this.n + 1 < this.end ? this.s.charCodeAt(this.n + 1) : 0;
  }
  next(): number {
    if (this.n >= this.end) return 0;
    return this.s.charCodeAt(this.n++);
  }
  check(c: number): boolean {
    if (this.peek() === c) {
      this.n++;
      return true;
    }
    return false;
  }

  /** d_make_empty: components are bounded by twice the name's length, as in libiberty. */
  make(k: K, l: Node | null = null, r: Node | null = null): Node | null {
    if (this.comps >= this.maxComps) return null;
    this.comps++;
    return new Node(k, l, r);
  }

  /** d_make_comp with libiberty's operand checks. */
  comp(k: K, l: Node | null, r: Node | null): Node | null {
    switch (k) {
      case K.QUAL_NAME: case K.LOCAL_NAME: case K.TYPED_NAME: case K.TAGGED_NAME: case K.TEMPLATE:
      case K.CONSTRUCTION_VTABLE: case K.VENDOR_TYPE_QUAL: case K.PTRMEM_TYPE: case K.UNARY:
      case K.BINARY: case K.BINARY_ARGS: case K.TRINARY: case K.TRINARY_ARG1: case K.LITERAL:
      case K.LITERAL_NEG: case K.COMPOUND_NAME: case K.VECTOR_TYPE: case K.CLONE:
        if (l === null || r === null) return null;
        break;
      case K.VTABLE: case K.VTT: case K.TYPEINFO: case K.TYPEINFO_NAME: case K.TYPEINFO_FN:
      case K.THUNK: case K.VIRTUAL_THUNK: case K.COVARIANT_THUNK: case K.JAVA_CLASS: case K.GUARD:
      case K.TLS_INIT: case K.TLS_WRAPPER: case K.REFTEMP: case K.HIDDEN_ALIAS:
      case K.TRANSACTION_CLONE: case K.NONTRANSACTION_CLONE: case K.POINTER: case K.REFERENCE:
      case K.RVALUE_REFERENCE: case K.COMPLEX: case K.IMAGINARY: case K.VENDOR_TYPE: case K.CAST:
      case K.CONVERSION: case K.JAVA_RESOURCE: case K.DECLTYPE: case K.PACK_EXPANSION:
      case K.GLOBAL_CONSTRUCTORS: case K.GLOBAL_DESTRUCTORS: case K.NULLARY: case K.TRINARY_ARG2:
      case K.TPARM_OBJ: case K.STRUCTURED_BINDING:
        if (l === null) return null;
        break;
      case K.ARRAY_TYPE: case K.INITIALIZER_LIST:
        if (r === null) return null;
        break;
      default:
        break;
    }
    return this.make(k, l, r);
  }

  name(text: string): Node | null {
    if (text.length <= 0) return null;
    const p = this.make(K.NAME);
    if (p) p.s = text;
    return p;
  }

  builtin(b: Builtin): Node | null {
    const p = this.make(K.BUILTIN_TYPE);
    if (p) p.bt = b;
    return p;
  }

  addSub(dc: Node | null): boolean {
    if (dc === null || this.subs.length >= this.end) return false;
    this.subs.push(dc);
    return true;
  }

  // <mangled-name> ::= _Z <encoding> [<clone-suffix>]*
  mangledName(topLevel: boolean): Node | null {
    if (!this.check(C_US) && topLevel) return null;
    if (!this.check(90 /* Z */)) return null;
    let p = this.encoding(topLevel);
    if (topLevel && this.params) {
      while (this.peek() === 46 /* . */ && (isLower(this.peekNext()) || this.peekNext() === C_US || isDigit(this.peekNext()))) {
        p = this.cloneSuffix(p);
      }
    }
    return p;
  }

  encoding(topLevel: boolean): Node | null {
    const peek = this.peek();
    if (peek === 71 /* G */ || peek === 84 /* T */) return this.specialName();
    let dc = this.dName();
    if (!dc) return null;
    if (topLevel && !this.params) {
      while (isFnQual(dc.k)) dc = dc.l!;
      if (dc.k === K.LOCAL_NAME) {
        while (dc.r !== null && isFnQual(dc.r.k)) dc.r = dc.r.l;
        if (dc.r === null) return null;
      }
      return dc;
    }
    const p2 = this.peek();
    if (p2 !== 0 && p2 !== 69 /* E */) {
      const ftype = this.bareFunctionType(hasReturnType(dc));
      if (!ftype) return null;
      if (!topLevel && dc.k === K.LOCAL_NAME && ftype.k === K.FUNCTION_TYPE) ftype.l = null;
      return this.comp(K.TYPED_NAME, dc, ftype);
    }
    return dc;
  }

  abiTags(dc: Node | null): Node | null {
    const hold = this.lastName;
    while (this.peek() === 66 /* B */) {
      this.n++;
      const tag = this.sourceName();
      dc = this.comp(K.TAGGED_NAME, dc, tag);
    }
    this.lastName = hold;
    return dc;
  }

  /** <name>; `substable` adds the result as a substitution candidate (as a <class-enum-type> does). */
  dName(substable = false): Node | null {
    const peek = this.peek();
    let dc: Node | null = null;
    let subst = false;
    switch (peek) {
      case 78 /* N */:
        dc = this.nestedName();
        break;
      case 90 /* Z */:
        dc = this.localName();
        break;
      case 85 /* U */:
        dc = this.unqualifiedName(null);
        break;
      default: {
        if (peek === 83 /* S */) {
          if (this.peekNext() === 116 /* t */) {
            this.n += 2;
            dc = this.name('std');
          }
          if (this.peek() === 83 /* S */) {
            const sub = this.substitution(false);
            if (!sub) return null;
            if (dc) return null;
            subst = true;
            dc = sub;
          }
        }
        if (!subst) dc = this.unqualifiedName(dc);
        if (this.peek() === 73 /* I */) {
          if (!subst && !this.addSub(dc)) return null;
          dc = this.comp(K.TEMPLATE, dc, this.templateArgs());
          subst = false;
        }
        break;
      }
    }
    if (substable && !subst && !this.addSub(dc)) return null;
    return dc;
  }

  nestedName(): Node | null {
    if (!this.check(78 /* N */)) return null;
    const quals = this.cvQualifiers(true);
    if (quals === null) return null;
    const rqual = this.refQualifier(null);
    const prefix = this.prefix(true);
    if (prefix === null) return null;
    let ret: Node;
    if (quals.length) {
      quals[quals.length - 1].l = prefix;
      ret = quals[0];
    } else {
      ret = prefix;
    }
    if (rqual) {
      rqual.l = ret;
      ret = rqual;
    }
    if (!this.check(69 /* E */)) return null;
    return ret;
  }

  /** <prefix>, up to (not including) the closing E; `substable` is false inside an unresolved-name. */
  prefix(substable: boolean): Node | null {
    let ret: Node | null = null;
    for (;;) {
      const peek = this.peek();
      if (peek === 68 /* D */ && (this.peekNext() === 84 /* T */ || this.peekNext() === 116 /* t */)) {
        if (ret) return null;
        ret = this.type();
      } else if (peek === 73 /* I */) {
        if (ret === null) return null;
        const args = this.templateArgs();
        if (!args) return null;
        ret = this.comp(K.TEMPLATE, ret, args);
      } else if (peek === 84 /* T */) {
        if (ret) return null;
        ret = this.templateParam();
      } else if (peek === 77 /* M */) {
        // Initializer scope for a lambda: already a substitution candidate.
        this.n++;
        continue;
      } else if (peek === 83 /* S */) {
        const sub = this.substitution(true);
        if (!sub) return null;
        if (ret) return null;
        ret = sub;
        continue;
      } else {
        ret = this.unqualifiedName(ret);
      }
      if (!ret) break;
      if (this.peek() === 69 /* E */) break;
      if (substable && !this.addSub(ret)) return null;
    }
    return ret;
  }

  /** <unqualified-name>, qualified by `scope` when given. */
  unqualifiedName(scope: Node | null): Node | null {
    const peek = this.peek();
    let ret: Node | null;
    if (isDigit(peek)) {
      ret = this.sourceName();
    } else if (isLower(peek)) {
      const was = this.isExpression;
      if (peek === 111 /* o */ && this.peekNext() === 110 /* n */) {
        this.n += 2;
        this.isExpression = false; // `on cv` names a conversion operator
      }
      ret = this.operatorName();
      this.isExpression = was;
      if (ret !== null && ret.k === K.OPERATOR && ret.op!.code === 'li') {
        ret = this.comp(K.UNARY, ret, this.sourceName());
      }
    } else if (peek === 68 /* D */ && this.peekNext() === 67 /* C */) {
      ret = this.structuredBinding();
    } else if (peek === 67 /* C */ || peek === 68 /* D */) {
      ret = this.ctorDtorName();
    } else if (peek === 76 /* L */) {
      this.n++;
      ret = this.sourceName();
      if (ret === null) return null;
      if (!this.discriminator()) return null;
    } else if (peek === 85 /* U */) {
      const p2 = this.peekNext();
      if (p2 === 108 /* l */) ret = this.lambda();
      else if (p2 === 116 /* t */) ret = this.unnamedType();
      else return null;
    } else {
      return null;
    }
    if (this.peek() === 66 /* B */) ret = this.abiTags(ret);
    if (scope) ret = this.comp(K.QUAL_NAME, scope, ret);
    return ret;
  }

  /** DC <source-name>+ E: a structured binding declaration, printed `[a, b]`. */
  structuredBinding(): Node | null {
    this.n += 2;
    let list: Node | null = null;
    let tail: Node | null = null;
    do {
      const nm = this.sourceName();
      const item = this.comp(K.ARGLIST, nm, null);
      if (item === null || nm === null) return null;
      if (tail) tail.r = item;
      else list = item;
      tail = item;
    } while (!this.check(69 /* E */));
    return this.comp(K.STRUCTURED_BINDING, list, null);
  }

  sourceName(): Node | null {
    const len = this.number();
    if (len <= 0) return null;
    const ret = this.identifier(len);
    this.lastName = ret;
    return ret;
  }

  number(): number {
    let negative = false;
    let peek = this.peek();
    if (peek === 110 /* n */) {
      negative = true;
      this.n++;
      peek = this.peek();
    }
    let ret = 0;
    for (;;) {
      if (!isDigit(peek)) return negative ? -ret : ret;
      if (ret > Math.floor((0x7fffffff - (peek - C_0)) / 10)) return -1;
      ret = ret * 10 + (peek - C_0);
      this.n++;
      peek = this.peek();
    }
  }

  identifier(len: number): Node | null {
    const start = this.n;
    if (this.end - start < len) return null;
    this.n += len;
    const text = this.s.substring(start, start + len);
    if (len >= 10 && text.startsWith('_GLOBAL_')) {
      const c = text.charCodeAt(8);
      if ((c === 46 || c === C_US || c === 36) && text.charCodeAt(9) === 78 /* N */) {
        return this.name('(anonymous namespace)');
      }
    }
    return this.name(text);
  }

  operatorName(): Node | null {
    const c1 = this.next();
    const c2 = this.next();
    if (c1 === 118 /* v */ && isDigit(c2)) {
      const nm = this.sourceName();
      if (nm === null) return null;
      const p = this.make(K.EXTENDED_OPERATOR, nm);
      if (p) p.num = c2 - C_0;
      return p;
    }
    if (c1 === 99 /* c */ && c2 === 118 /* v */) {
      const was = this.isConversion;
      this.isConversion = !this.isExpression;
      const type = this.type();
      const res = this.comp(this.isConversion ? K.CONVERSION : K.CAST, type, null);
      this.isConversion = was;
      return res;
    }
    const info = OPERATORS.get(String.fromCharCode(c1, c2));
    if (!info) return null;
    const p = this.make(K.OPERATOR);
    if (p) p.op = info;
    return p;
  }

  specialName(): Node | null {
    if (this.check(84 /* T */)) {
      switch (this.next()) {
        case 86 /* V */: return this.comp(K.VTABLE, this.type(), null);
        case 84 /* T */: return this.comp(K.VTT, this.type(), null);
        case 73 /* I */: return this.comp(K.TYPEINFO, this.type(), null);
        case 83 /* S */: return this.comp(K.TYPEINFO_NAME, this.type(), null);
        case 104 /* h */:
          if (!this.callOffset(104 /* h */)) return null;
          return this.comp(K.THUNK, this.encoding(false), null);
        case 118 /* v */:
          if (!this.callOffset(118 /* v */)) return null;
          return this.comp(K.VIRTUAL_THUNK, this.encoding(false), null);
        case 99 /* c */:
          if (!this.callOffset(0)) return null;
          if (!this.callOffset(0)) return null;
          return this.comp(K.COVARIANT_THUNK, this.encoding(false), null);
        case 67 /* C */: {
          const derived = this.type();
          const offset = this.number();
          if (offset < 0) return null;
          if (!this.check(C_US)) return null;
          const base = this.type();
          return this.comp(K.CONSTRUCTION_VTABLE, base, derived);
        }
        case 70 /* F */: return this.comp(K.TYPEINFO_FN, this.type(), null);
        case 74 /* J */: return this.comp(K.JAVA_CLASS, this.type(), null);
        case 72 /* H */: return this.comp(K.TLS_INIT, this.dName(), null);
        case 87 /* W */: return this.comp(K.TLS_WRAPPER, this.dName(), null);
        case 65 /* A */: return this.comp(K.TPARM_OBJ, this.templateArg(), null);
        default: return null;
      }
    }
    if (this.check(71 /* G */)) {
      switch (this.next()) {
        case 86 /* V */: return this.comp(K.GUARD, this.dName(), null);
        case 82 /* R */: {
          const nm = this.dName();
          const num = this.make(K.NUMBER);
          if (num) num.num = this.number();
          return this.comp(K.REFTEMP, nm, num);
        }
        case 65 /* A */: return this.comp(K.HIDDEN_ALIAS, this.encoding(false), null);
        case 84 /* T */:
          if (this.next() === 110 /* n */) return this.comp(K.NONTRANSACTION_CLONE, this.encoding(false), null);
          return this.comp(K.TRANSACTION_CLONE, this.encoding(false), null);
        case 114 /* r */: return this.javaResource();
        default: return null;
      }
    }
    return null;
  }

  javaResource(): Node | null {
    let len = this.number();
    if (len <= 1) return null;
    if (this.next() !== C_US) return null;
    len--;
    let p: Node | null = null;
    while (len > 0) {
      if (this.n >= this.end) return null;
      let next: Node | null;
      const c = this.s.charCodeAt(this.n);
      if (c === 36) {
        const e = this.n + 1 < this.end ? this.s[this.n + 1] : '';
        const out = e === 'S' ? '/' : e === '_' ? '.' : e === '$' ? '$' : '';
        if (!out) return null;
        next = this.make(K.CHARACTER);
        if (next) next.s = out;
        this.n += 2;
        len -= 2;
      } else {
        let i = 0;
        while (i < len && this.n + i < this.end && this.s.charCodeAt(this.n + i) !== 36) i++;
        next = this.name(this.s.substring(this.n, this.n + i));
        this.n += i;
        len -= i;
      }
      if (next === null) return null;
      if (p === null) p = next;
      else {
        p = this.comp(K.COMPOUND_NAME, p, next);
        if (p === null) return null;
      }
    }
    return this.comp(K.JAVA_RESOURCE, p, null);
  }

  callOffset(c: number): boolean {
    if (c === 0) c = this.next();
    if (c === 104 /* h */) this.number();
    else if (c === 118 /* v */) {
      this.number();
      if (!this.check(C_US)) return false;
      this.number();
    } else return false;
    return this.check(C_US);
  }

  ctorDtorName(): Node | null {
    if (this.peek() === 67 /* C */) {
      let inheriting = false;
      if (this.peekNext() === 73 /* I */) {
        inheriting = true;
        this.n++;
      }
      const kind = this.peekNext();
      if (kind < 49 /* 1 */ || kind > 53 /* 5 */) return null;
      if (this.trace && !inheriting) this.trace.kindAt.push(this.n + 1);
      this.n += 2;
      // An inheriting constructor names the base: libiberty prints the last name its type set.
      if (inheriting) this.type();
      if (this.lastName === null) return null;
      return this.make(K.CTOR, this.lastName);
    }
    if (this.peek() === 68 /* D */) {
      const kind = this.peekNext();
      if (!(kind === 48 /* 0 */ || kind === 49 /* 1 */ || kind === 50 /* 2 */ || kind === 52 /* 4 */ || kind === 53 /* 5 */)) return null;
      if (this.trace) this.trace.kindAt.push(this.n + 1);
      this.n += 2;
      if (this.lastName === null) return null;
      return this.make(K.DTOR, this.lastName);
    }
    return null;
  }

  nextIsTypeQual(): boolean {
    const peek = this.peek();
    if (peek === 114 /* r */ || peek === 86 /* V */ || peek === 75 /* K */) return true;
    if (peek === 68 /* D */) {
      const p2 = this.peekNext();
      if (p2 === 120 /* x */ || p2 === 111 /* o */ || p2 === 79 /* O */ || p2 === 119 /* w */) return true;
    }
    return false;
  }

  type(): Node | null {
    if (this.nextIsTypeQual()) {
      const quals = this.cvQualifiers(false);
      if (quals === null || quals.length === 0) return null;
      const inner = this.peek() === 70 /* F */ ? this.functionType() : this.type();
      if (!inner) return null;
      const lastQ = quals[quals.length - 1];
      lastQ.l = inner;
      let ret = quals[0];
      if (inner.k === K.RVALUE_REFERENCE_THIS || inner.k === K.REFERENCE_THIS) {
        const fn = inner.l;
        inner.l = ret;
        ret = inner;
        lastQ.l = fn;
      }
      if (!this.addSub(ret)) return null;
      return ret;
    }

    let canSubst = true;
    let ret: Node | null;
    const peek = this.peek();
    switch (peek) {
      case 97 /* a */: case 98 /* b */: case 99 /* c */: case 100 /* d */: case 101 /* e */: case 102 /* f */: case 103 /* g */:
      case 104 /* h */: case 105 /* i */: case 106 /* j */: case 108 /* l */: case 109 /* m */: case 110 /* n */:
      case 111 /* o */: case 115 /* s */: case 116 /* t */:
      case 118 /* v */: case 119 /* w */: case 120 /* x */: case 121 /* y */: case 122 /* z */:
        ret = this.builtin(BUILTIN_LETTERS[peek - C_a]!);
        canSubst = false;
        this.n++;
        break;
      case 117 /* u */:
        this.n++;
        ret = this.comp(K.VENDOR_TYPE, this.sourceName(), null);
        break;
      case 70 /* F */:
        ret = this.functionType();
        break;
      case 65 /* A */:
        ret = this.arrayType();
        break;
      case 77 /* M */:
        ret = this.pointerToMemberType();
        break;
      case 84 /* T */:
        ret = this.templateParam();
        if (this.peek() === 73 /* I */) {
          if (!this.isConversion) {
            if (!this.addSub(ret)) return null;
            ret = this.comp(K.TEMPLATE, ret, this.templateArgs());
          } else {
            const cpN = this.n, cpComps = this.comps, cpSubs = this.subs.length;
            const args = this.templateArgs();
            if (this.peek() === 73 /* I */) {
              if (!this.addSub(ret)) return null;
              ret = this.comp(K.TEMPLATE, ret, args);
            } else {
              this.n = cpN;
              if (this.trace) this.trace.straight = false;
              this.comps = cpComps;
              this.subs.length = cpSubs;
            }
          }
        }
        break;
      case 79 /* O */:
        this.n++;
        ret = this.comp(K.RVALUE_REFERENCE, this.type(), null);
        break;
      case 80 /* P */:
        this.n++;
        ret = this.comp(K.POINTER, this.type(), null);
        break;
      case 82 /* R */:
        this.n++;
        ret = this.comp(K.REFERENCE, this.type(), null);
        break;
      case 67 /* C */:
        this.n++;
        ret = this.comp(K.COMPLEX, this.type(), null);
        break;
      case 71 /* G */:
        this.n++;
        ret = this.comp(K.IMAGINARY, this.type(), null);
        break;
      case 85 /* U */:
        this.n++;
        ret = this.sourceName();
        if (this.peek() === 73 /* I */) ret = this.comp(K.TEMPLATE, ret, this.templateArgs());
        ret = this.comp(K.VENDOR_TYPE_QUAL, this.type(), ret);
        break;
      case 68 /* D */: {
        canSubst = false;
        this.n++;
        const p2 = this.next();
        switch (p2) {
          case 84 /* T */: case 116 /* t */:
            ret = this.comp(K.DECLTYPE, this.expression(), null);
            if (ret && this.next() !== 69 /* E */) ret = null;
            canSubst = true;
            break;
          case 112 /* p */:
            ret = this.comp(K.PACK_EXPANSION, this.type(), null);
            canSubst = true;
            break;
          case 97 /* a */: ret = this.name('auto'); break;
          case 99 /* c */: ret = this.name('decltype(auto)'); break;
          case 102 /* f */: ret = this.builtin(BT_DECIMAL32); break;
          case 100 /* d */: ret = this.builtin(BT_DECIMAL64); break;
          case 101 /* e */: ret = this.builtin(BT_DECIMAL128); break;
          case 104 /* h */: ret = this.builtin(BT_HALF); break;
          case 117 /* u */: ret = this.builtin(BT_CHAR8); break;
          case 115 /* s */: ret = this.builtin(BT_CHAR16); break;
          case 105 /* i */: ret = this.builtin(BT_CHAR32); break;
          case 70 /* F */: {
            // DF <number> _ = _FloatN; DF <number> x = _FloatNx; DF16b = std::bfloat16_t.
            if (this.peek() === 49 /* 1 */ && this.peekNext() === 54 /* 6 */ && this.n + 2 < this.end && this.s.charCodeAt(this.n + 2) === 98 /* b */) {
              this.n += 3;
              ret = this.builtin(BT_BFLOAT16);
              break;
            }
            const arg = this.number();
            const c = this.next();
            if (c !== C_US && c !== 120 /* x */) return null;
            const nm = `_Float${arg}${c === C_US ? '' : 'x'}`;
            let b = floatNCache.get(nm);
            if (!b) floatNCache.set(nm, (b = bt(nm, BP.FLOAT)));
            ret = this.builtin(b);
            break;
          }
          case 118 /* v */:
            ret = this.vectorType();
            canSubst = true;
            break;
          case 110 /* n */: ret = this.builtin(BT_NULLPTR); break;
          default: return null;
        }
        break;
      }
      default:
        return this.dName(true);
    }
    if (canSubst && !this.addSub(ret)) return null;
    return ret;
  }

  /** <CV-qualifiers> ::= [r] [V] [K] [Dx] [Do|DO..E|Dw..E]; returns the chain outermost first, each linked through `l`. */
  cvQualifiers(memberFn: boolean): Node[] | null {
    const quals: Node[] = [];
    let peek = this.peek();
    while (this.nextIsTypeQual()) {
      let right: Node | null = null;
      let k: K;
      this.n++;
      if (peek === 114 /* r */) k = memberFn ? K.RESTRICT_THIS : K.RESTRICT;
      else if (peek === 86 /* V */) k = memberFn ? K.VOLATILE_THIS : K.VOLATILE;
      else if (peek === 75 /* K */) k = memberFn ? K.CONST_THIS : K.CONST;
      else {
        const p2 = this.next();
        if (p2 === 120 /* x */) k = K.TRANSACTION_SAFE;
        else if (p2 === 111 /* o */ || p2 === 79 /* O */) {
          k = K.NOEXCEPT;
          if (p2 === 79 /* O */) {
            right = this.expression();
            if (right === null) return null;
            if (!this.check(69 /* E */)) return null;
          }
        } else if (p2 === 119 /* w */) {
          k = K.THROW_SPEC;
          right = this.parmlist();
          if (right === null) return null;
          if (!this.check(69 /* E */)) return null;
        } else return null;
      }
      const q = this.make(k, null, right);
      if (q === null) return null;
      if (quals.length) quals[quals.length - 1].l = q;
      quals.push(q);
      peek = this.peek();
    }
    if (!memberFn && peek === 70 /* F */) {
      for (const q of quals) {
        if (q.k === K.RESTRICT) q.k = K.RESTRICT_THIS;
        else if (q.k === K.VOLATILE) q.k = K.VOLATILE_THIS;
        else if (q.k === K.CONST) q.k = K.CONST_THIS;
      }
    }
    return quals;
  }

  refQualifier(sub: Node | null): Node | null {
    const peek = this.peek();
    if (peek === 82 /* R */ || peek === 79 /* O */) {
      this.n++;
      return this.make(peek === 82 /* R */ ? K.REFERENCE_THIS : K.RVALUE_REFERENCE_THIS, sub, null);
    }
    return sub;
  }

  functionType(): Node | null {
    if (this.recursionLevel > RECURSION_LIMIT) return null;
    this.recursionLevel++;
    let ret: Node | null = null;
    if (this.check(70 /* F */)) {
      if (this.peek() === 89 /* Y */) this.n++;
      ret = this.bareFunctionType(true);
      ret = this.refQualifier(ret);
      if (!this.check(69 /* E */)) ret = null;
    }
    this.recursionLevel--;
    return ret;
  }

  parmlist(): Node | null {
    let head: Node | null = null;
    let tail: Node | null = null;
    for (;;) {
      const peek = this.peek();
      if (peek === 0 || peek === 69 /* E */ || peek === 46) break;
      if ((peek === 82 /* R */ || peek === 79 /* O */) && this.peekNext() === 69 /* E */) break;
      const type = this.type();
      if (type === null) return null;
      const item = this.comp(K.ARGLIST, type, null);
      if (item === null) return null;
      if (tail) tail.r = item;
      else head = item;
      tail = item;
    }
    if (head === null) return null;
    if (head.r === null && head.l!.k === K.BUILTIN_TYPE && head.l!.bt!.print === BP.VOID) head.l = null;
    return head;
  }

  bareFunctionType(hasReturn: boolean): Node | null {
    if (this.peek() === 74 /* J */) {
      this.n++;
      hasReturn = true;
    }
    let returnType: Node | null = null;
    if (hasReturn) {
      returnType = this.type();
      if (returnType === null) return null;
    }
    const tl = this.parmlist();
    if (tl === null) return null;
    return this.comp(K.FUNCTION_TYPE, returnType, tl);
  }

  arrayType(): Node | null {
    if (!this.check(65 /* A */)) return null;
    const peek = this.peek();
    let dim: Node | null;
    if (peek === C_US) dim = null;
    else if (isDigit(peek)) {
      const start = this.n;
      do this.n++;
      while (isDigit(this.peek()));
      dim = this.name(this.s.substring(start, this.n));
      if (dim === null) return null;
    } else {
      dim = this.expression();
      if (dim === null) return null;
    }
    if (!this.check(C_US)) return null;
    return this.comp(K.ARRAY_TYPE, dim, this.type());
  }

  vectorType(): Node | null {
    let dim: Node | null;
    if (this.peek() === C_US) {
      this.n++;
      dim = this.expression();
    } else {
      dim = this.make(K.NUMBER);
      if (dim) dim.num = this.number();
    }
    if (dim === null) return null;
    if (!this.check(C_US)) return null;
    return this.comp(K.VECTOR_TYPE, dim, this.type());
  }

  pointerToMemberType(): Node | null {
    if (!this.check(77 /* M */)) return null;
    const cl = this.type();
    if (cl === null) return null;
    const mem = this.type();
    if (mem === null) return null;
    return this.comp(K.PTRMEM_TYPE, cl, mem);
  }

  compactNumber(): number {
    let num: number;
    if (this.peek() === C_US) num = 0;
    else if (this.peek() === 110 /* n */) return -1;
    else num = this.number() + 1;
    if (num < 0 || !this.check(C_US)) return -1;
    return num;
  }

  templateParam(): Node | null {
    if (!this.check(84 /* T */)) return null;
    const param = this.compactNumber();
    if (param < 0) return null;
    const p = this.make(K.TEMPLATE_PARAM);
    if (p) p.num = param;
    return p;
  }

  templateArgs(): Node | null {
    const peek = this.peek();
    if (peek !== 73 /* I */ && peek !== 74 /* J */) return null;
    this.n++;
    return this.templateArgs1();
  }

  templateArgs1(): Node | null {
    const hold = this.lastName;
    if (this.peek() === 69 /* E */) {
      this.n++;
      return this.make(K.TEMPLATE_ARGLIST);
    }
    let head: Node | null = null;
    let tail: Node | null = null;
    for (;;) {
      const a = this.templateArg();
      if (a === null) return null;
      const item = this.comp(K.TEMPLATE_ARGLIST, a, null);
      if (item === null) return null;
      if (tail) tail.r = item;
      else head = item;
      tail = item;
      if (this.peek() === 69 /* E */) {
        this.n++;
        break;
      }
    }
    this.lastName = hold;
    return head;
  }

  templateArg(): Node | null {
    switch (this.peek()) {
      case 88 /* X */: {
        this.n++;
        const ret = this.expression();
        if (!this.check(69 /* E */)) return null;
        return ret;
      }
      case 76 /* L */:
        return this.exprPrimary();
      case 73 /* I */: case 74 /* J */:
        return this.templateArgs();
      default:
        return this.type();
    }
  }

  exprList(terminator: number): Node | null {
    if (this.peek() === terminator) {
      this.n++;
      return this.make(K.ARGLIST);
    }
    let head: Node | null = null;
    let tail: Node | null = null;
    for (;;) {
      const arg = this.expression();
      if (arg === null) return null;
      const item = this.comp(K.ARGLIST, arg, null);
      if (item === null) return null;
      if (tail) tail.r = item;
      else head = item;
      tail = item;
      if (this.peek() === terminator) {
        this.n++;
        break;
      }
    }
    return head;
  }

  expression(): Node | null {
    const was = this.isExpression;
    this.isExpression = true;
    const ret = this.expression1();
    this.isExpression = was;
    return ret;
  }

  expression1(): Node | null {
    if (this.recursionLevel > RECURSION_LIMIT) return null;
    this.recursionLevel++;
    const r = this.expression1Inner();
    this.recursionLevel--;
    return r;
  }

  /**
   * sr <unresolved-type> <base-unresolved-name>, or sr <unresolved-qualifier-level>+ E <base-unresolved-name>.
   * The second form is ambiguous with the old `sr1A1x`; like libiberty, try it first and reparse
   * the whole name with the old reading if that fails.
   */
  unresolvedName(): Node | null {
    this.n += 2;
    const peek = this.peek();
    let type: Node | null;
    if (this.unresolvedNameState !== 0 && (isDigit(peek) || isLower(peek) || peek === 67 /* C */ || peek === 85 /* U */ || peek === 76 /* L */)) {
      this.unresolvedNameState = -1;
      type = this.prefix(false);
      if (this.peek() === 69 /* E */) this.n++;
    } else type = this.type();
    let nm = this.unqualifiedName(type);
    if (this.peek() === 73 /* I */) nm = this.comp(K.TEMPLATE, nm, this.templateArgs());
    return nm;
  }

  expression1Inner(): Node | null {
    const peek = this.peek();
    const p2 = this.peekNext();
    if (peek === 76 /* L */) return this.exprPrimary();
    if (peek === 84 /* T */) return this.templateParam();
    if (peek === 115 /* s */ && p2 === 114 /* r */) return this.unresolvedName();
    if (peek === 115 /* s */ && p2 === 112 /* p */) {
      this.n += 2;
      return this.comp(K.PACK_EXPANSION, this.expression1(), null);
    }
    if (peek === 102 /* f */ && p2 === 112 /* p */) {
      this.n += 2;
      let index: number;
      if (this.peek() === 84 /* T */) {
        this.n++;
        index = 0;
      } else {
        index = this.compactNumber();
        if (index === 0x7fffffff || index === -1) return null;
        index++;
      }
      const p = this.make(K.FUNCTION_PARAM);
      if (p) p.num = index;
      return p;
    }
    if (isDigit(peek) || (peek === 111 /* o */ && p2 === 110 /* n */)) {
      if (peek === 111 /* o */) this.n += 2;
      const nm = this.unqualifiedName(null);
      if (nm === null) return null;
      if (this.peek() === 73 /* I */) return this.comp(K.TEMPLATE, nm, this.templateArgs());
      return nm;
    }
    if ((peek === 105 /* i */ || peek === 116 /* t */) && p2 === 108 /* l */) {
      let type: Node | null = null;
      this.n += 2;
      if (peek === 116 /* t */) type = this.type();
      if (this.peek() === 0 || this.peekNext() === 0) return null;
      return this.comp(K.INITIALIZER_LIST, type, this.exprList(69 /* E */));
    }
    const op = this.operatorName();
    if (op === null) return null;
    let code: string | null = null;
    if (op.k === K.OPERATOR) {
      code = op.op!.code;
      if (code === 'st') return this.comp(K.UNARY, op, this.type());
    }
    let args: number;
    switch (op.k) {
      case K.OPERATOR: args = op.op!.args; break;
      case K.EXTENDED_OPERATOR: args = op.num; break;
      case K.CAST: args = 1; break;
      default: return null;
    }
    switch (args) {
      case 0:
        return this.comp(K.NULLARY, op, null);
      case 1: {
        let suffix = false;
        if (code && (code[0] === 'p' || code[0] === 'm') && code[1] === code[0]) suffix = !this.check(C_US);
        let operand: Node | null;
        if (op.k === K.CAST && this.check(C_US)) operand = this.exprList(69 /* E */);
        else if (code === 'sP') operand = this.templateArgs1();
        else operand = this.expression1();
        if (suffix) operand = this.comp(K.BINARY_ARGS, operand, operand);
        return this.comp(K.UNARY, op, operand);
      }
      case 2: {
        if (code === null) return null;
        let left: Node | null;
        let right: Node | null;
        if (isNewCast(op)) left = this.type();
        else if (code[0] === 'f') left = this.operatorName();
        else if (code === 'di') left = this.unqualifiedName(null);
        else left = this.expression1();
        if (code === 'cl') right = this.exprList(69 /* E */);
        else if (code === 'dt' || code === 'pt') {
          const q = this.peek();
          const q2 = this.peekNext();
          if ((q === 103 /* g */ && q2 === 115 /* s */) || (q === 115 /* s */ && q2 === 114 /* r */)) right = this.expression1();
          else {
            right = this.unqualifiedName(null);
            if (this.peek() === 73 /* I */) right = this.comp(K.TEMPLATE, right, this.templateArgs());
          }
        } else right = this.expression1();
        return this.comp(K.BINARY, op, this.comp(K.BINARY_ARGS, left, right));
      }
      case 3: {
        if (code === null) return null;
        let first: Node | null;
        let second: Node | null;
        let third: Node | null;
        if (code === 'qu' || code === 'dX') {
          first = this.expression1();
          second = this.expression1();
          third = this.expression1();
          if (third === null) return null;
        } else if (code[0] === 'f') {
          first = this.operatorName();
          second = this.expression1();
          third = this.expression1();
          if (third === null) return null;
        } else if (code[0] === 'n') {
          if (code[1] !== 'w' && code[1] !== 'a') return null;
          first = this.exprList(C_US);
          second = this.type();
          if (this.peek() === 69 /* E */) {
            this.n++;
            third = null;
          } else if (this.peek() === 112 /* p */ && this.peekNext() === 105 /* i */) {
            this.n += 2;
            third = this.exprList(69 /* E */);
          } else if (this.peek() === 105 /* i */ && this.peekNext() === 108 /* l */) {
            third = this.expression1();
          } else return null;
        } else return null;
        return this.comp(K.TRINARY, op, this.comp(K.TRINARY_ARG1, first, this.comp(K.TRINARY_ARG2, second, third)));
      }
      default:
        return null;
    }
  }

  exprPrimary(): Node | null {
    if (!this.check(76 /* L */)) return null;
    let ret: Node | null;
    if (this.peek() === C_US || this.peek() === 90 /* Z */) {
      ret = this.mangledName(false);
    } else {
      const type = this.type();
      if (type === null) return null;
      if (type.k === K.BUILTIN_TYPE && type.bt === BT_NULLPTR && this.peek() === 69 /* E */) {
        this.n++;
        return type;
      }
      let k = K.LITERAL;
      if (this.peek() === 110 /* n */) {
        k = K.LITERAL_NEG;
        this.n++;
      }
      const start = this.n;
      while (this.peek() !== 69 /* E */) {
        if (this.peek() === 0) return null;
        this.n++;
      }
      ret = this.comp(k, type, this.name(this.s.substring(start, this.n)));
    }
    if (!this.check(69 /* E */)) return null;
    return ret;
  }

  localName(): Node | null {
    if (!this.check(90 /* Z */)) return null;
    const fn = this.encoding(false);
    if (!fn) return null;
    if (!this.check(69 /* E */)) return null;
    let nm: Node | null;
    if (this.peek() === 115 /* s */) {
      this.n++;
      if (!this.discriminator()) return null;
      nm = this.name('string literal');
    } else {
      let num = -1;
      if (this.peek() === 100 /* d */) {
        this.n++;
        num = this.compactNumber();
        if (num < 0) return null;
      }
      nm = this.dName();
      if (nm && nm.k !== K.LAMBDA && nm.k !== K.UNNAMED_TYPE) {
        if (!this.discriminator()) return null;
      }
      if (num >= 0) {
        const d = this.make(K.DEFAULT_ARG, nm);
        if (d) d.num = num;
        nm = d;
      }
    }
    if (fn.k === K.TYPED_NAME && fn.r!.k === K.FUNCTION_TYPE) fn.r!.l = null;
    return this.comp(K.LOCAL_NAME, fn, nm);
  }

  discriminator(): boolean {
    if (this.peek() !== C_US) return true;
    this.n++;
    let underscores = 1;
    if (this.peek() === C_US) {
      underscores++;
      this.n++;
    }
    const d = this.number();
    if (d < 0) return false;
    if (underscores > 1 && d >= 10) {
      if (this.peek() === C_US) this.n++;
      else return false;
    }
    return true;
  }

  lambda(): Node | null {
    if (!this.check(85 /* U */)) return null;
    if (!this.check(108 /* l */)) return null;
    const tl = this.parmlist();
    if (tl === null) return null;
    if (!this.check(69 /* E */)) return null;
    const num = this.compactNumber();
    if (num < 0) return null;
    const p = this.make(K.LAMBDA, tl);
    if (p) p.num = num;
    return p;
  }

  unnamedType(): Node | null {
    if (!this.check(85 /* U */)) return null;
    if (!this.check(116 /* t */)) return null;
    const num = this.compactNumber();
    if (num < 0) return null;
    const p = this.make(K.UNNAMED_TYPE);
    if (p) p.num = num;
    if (!this.addSub(p)) return null;
    return p;
  }

  cloneSuffix(encoding: Node | null): Node | null {
    const s = this.s;
    const start = this.n;
    let pend = start;
    const at = (i: number): number => (i < this.end ? s.charCodeAt(i) : 0);
    if (at(pend) === 46 && (isLower(at(pend + 1)) || at(pend + 1) === C_US)) {
      pend += 2;
      while (isLower(at(pend)) || at(pend) === C_US) pend++;
    }
    while (at(pend) === 46 && isDigit(at(pend + 1))) {
      pend += 2;
      while (isDigit(at(pend))) pend++;
    }
    this.n = pend;
    return this.comp(K.CLONE, encoding, this.name(s.substring(start, pend)));
  }

  substitution(prefix: boolean): Node | null {
    if (!this.check(83 /* S */)) return null;
    let c = this.next();
    if (c === C_US || isDigit(c) || isUpper(c)) {
      let id = 0;
      if (c !== C_US) {
        do {
          if (isDigit(c)) id = id * 36 + c - C_0;
          else if (isUpper(c)) id = id * 36 + c - C_A + 10;
          else return null;
          if (id > 0xffffffff) return null;
          c = this.next();
        } while (c !== C_US);
        id++;
      }
      if (id >= this.subs.length) return null;
      return this.subs[id];
    }
    let verbose = this.verbose;
    if (!verbose && prefix) {
      const peek = this.peek();
      if (peek === 67 /* C */ || peek === 68 /* D */) verbose = true;
    }
    const sub = c ? STD_SUBS[String.fromCharCode(c)] : undefined;
    if (!sub || !Object.prototype.hasOwnProperty.call(STD_SUBS, String.fromCharCode(c))) return null;
    if (sub.lastName !== null) {
      const ln = this.make(K.SUB_STD);
      if (ln) ln.s = sub.lastName;
      this.lastName = ln;
    }
    let dc = this.make(K.SUB_STD);
    if (dc) dc.s = verbose ? sub.full : sub.simple;
    if (this.peek() === 66 /* B */) {
      dc = this.abiTags(dc);
      if (!this.addSub(dc)) return null;
    }
    return dc;
  }
}

function isNewCast(op: Node): boolean {
  const code = op.op!.code;
  return code[1] === 'c' && (code[0] === 's' || code[0] === 'd' || code[0] === 'c' || code[0] === 'r');
}

function hasReturnType(dc: Node | null): boolean {
  if (dc === null) return false;
  switch (dc.k) {
    case K.LOCAL_NAME: return hasReturnType(dc.r);
    case K.TEMPLATE: return !isCtorDtorOrConversion(dc.l);
    default:
      if (isFnQual(dc.k)) return hasReturnType(dc.l);
      return false;
  }
}

function isCtorDtorOrConversion(dc: Node | null): boolean {
  while (dc !== null) {
    switch (dc.k) {
      case K.QUAL_NAME: case K.LOCAL_NAME: dc = dc.r; continue;
      case K.CTOR: case K.DTOR: case K.CONVERSION: return true;
      default: return false;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Printer
// ---------------------------------------------------------------------------------------------

interface Tmpl { next: Tmpl | null; decl: Node }
interface Mod { next: Mod | null; mod: Node; printed: boolean; templates: Tmpl | null }
interface Stack { dc: Node; parent: Stack | null }

class Printer {
  out = '';
  last = 0;
  templates: Tmpl | null = null;
  modifiers: Mod | null = null;
  failed = false;
  recursion = 0;
  isLambdaArg = 0;
  packIndex = 0;
  stack: Stack | null = null;
  scopes: { container: Node; templates: Tmpl | null }[] = [];
  currentTemplate: Node | null = null;

  ch(c: string): void {
    this.out += c;
    this.last = c.charCodeAt(0);
  }
  str(s: string): void {
    if (s.length === 0) return;
    this.out += s;
    this.last = s.charCodeAt(s.length - 1);
  }

  comp(dc: Node | null): void {
    if (dc === null || dc.printing > 1 || this.recursion > MAX_PRINT_RECURSION) {
      this.failed = true;
      return;
    }
    dc.printing++;
    this.recursion++;
    const self: Stack = { dc, parent: this.stack };
    this.stack = self;
    this.inner(dc);
    this.stack = self.parent;
    dc.printing--;
    this.recursion--;
  }

  lookupTemplateArgument(dc: Node): Node | null {
    if (this.templates === null) {
      this.failed = true;
      return null;
    }
    return indexTemplateArgument(this.templates.decl.r, dc.num);
  }

  findPack(dc: Node | null): Node | null {
    if (dc === null) return null;
    switch (dc.k) {
      case K.TEMPLATE_PARAM: {
        const a = this.lookupTemplateArgument(dc);
        if (a && a.k === K.TEMPLATE_ARGLIST) return a;
        return null;
      }
      case K.PACK_EXPANSION: case K.LAMBDA: case K.NAME: case K.TAGGED_NAME: case K.OPERATOR:
      case K.BUILTIN_TYPE: case K.SUB_STD: case K.CHARACTER: case K.FUNCTION_PARAM:
      case K.UNNAMED_TYPE: case K.FIXED_TYPE: case K.DEFAULT_ARG: case K.NUMBER:
        return null;
      case K.EXTENDED_OPERATOR: case K.CTOR: case K.DTOR:
        return this.findPack(dc.l);
      default:
        return this.findPack(dc.l) ?? this.findPack(dc.r);
    }
  }

  argsLength(dc: Node | null): number {
    let count = 0;
    for (; dc && dc.k === K.TEMPLATE_ARGLIST; dc = dc.r) {
      const elt = dc.l;
      if (elt === null) break;
      if (elt.k === K.PACK_EXPANSION) count += packLength(this.findPack(elt.l));
      else count++;
    }
    return count;
  }

  subexpr(dc: Node): void {
    const simple = dc.k === K.NAME || dc.k === K.QUAL_NAME || dc.k === K.INITIALIZER_LIST || dc.k === K.FUNCTION_PARAM;
    if (!simple) this.ch('(');
    this.comp(dc);
    if (!simple) this.ch(')');
  }

  saveScope(container: Node): void {
    let head: Tmpl | null = null;
    let tail: Tmpl | null = null;
    for (let src = this.templates; src !== null; src = src.next) {
      const dst: Tmpl = { next: null, decl: src.decl };
      if (tail) tail.next = dst;
      else head = dst;
      tail = dst;
    }
    this.scopes.push({ container, templates: head });
  }

  getSavedScope(container: Node): { container: Node; templates: Tmpl | null } | null {
    for (const s of this.scopes) if (s.container === container) return s;
    return null;
  }

  maybeFold(dc: Node): boolean {
    const foldCode = dc.l!.op?.code;
    if (!foldCode || foldCode[0] !== 'f') return false;
    const ops = dc.r!;
    const operator = ops.l;
    let op1 = ops.r!;
    let op2: Node | null = null;
    if (op1.k === K.TRINARY_ARG2) {
      op2 = op1.r;
      op1 = op1.l!;
    }
    const save = this.packIndex;
    this.packIndex = -1;
    switch (foldCode[1]) {
      case 'l':
        this.str('(...');
        this.exprOp(operator);
        this.subexprN(op1);
        this.ch(')');
        break;
      case 'r':
        this.ch('(');
        this.subexprN(op1);
        this.exprOp(operator);
        this.str('...)');
        break;
      case 'L': case 'R':
        this.ch('(');
        this.subexprN(op1);
        this.exprOp(operator);
        this.str('...');
        this.exprOp(operator);
        this.subexprN(op2);
        this.ch(')');
        break;
    }
    this.packIndex = save;
    return true;
  }

  subexprN(dc: Node | null): void {
    if (dc === null) {
      this.failed = true;
      return;
    }
    this.subexpr(dc);
  }

  maybeDesignatedInit(dc: Node): boolean {
    if (!isDesignatedInit(dc)) return false;
    const code = dc.l!.op!.code;
    const operands = dc.r!;
    const op1 = operands.l;
    let op2 = operands.r;
    this.ch(code[1] === 'i' ? '.' : '[');
    this.comp(op1);
    if (code[1] === 'X') {
      this.str(' ... ');
      this.comp(op2 ? op2.l : null);
      op2 = op2 ? op2.r : null;
    }
    if (code[1] !== 'i') this.ch(']');
    if (op2 && isDesignatedInit(op2)) this.comp(op2);
    else {
      this.ch('=');
      this.subexprN(op2);
    }
    return true;
  }

  inner(dc: Node): void {
    if (this.failed) return;
    let modInner: Node | null = null;
    let savedTemplates: Tmpl | null = null;
    let needTemplateRestore = false;

    switch (dc.k) {
      case K.NAME:
        this.str(dc.s);
        return;
      case K.TAGGED_NAME:
        this.comp(dc.l);
        this.str('[abi:');
        this.comp(dc.r);
        this.ch(']');
        return;
      case K.STRUCTURED_BINDING:
        this.ch('[');
        this.comp(dc.l);
        this.ch(']');
        return;
      case K.QUAL_NAME: case K.LOCAL_NAME: {
        this.comp(dc.l);
        this.str('::');
        let local = dc.r;
        if (local !== null && local.k === K.DEFAULT_ARG) {
          this.str('{default arg#');
          this.str(String(local.num + 1));
          this.str('}::');
          local = local.l;
        }
        this.comp(local);
        return;
      }
      case K.TYPED_NAME: {
        const hold = this.modifiers;
        this.modifiers = null;
        const adpm: Mod[] = [];
        let typed: Node | null = dc.l;
        while (typed !== null) {
          if (adpm.length >= 4) {
            this.failed = true;
            return;
          }
          const m: Mod = { next: this.modifiers, mod: typed, printed: false, templates: this.templates };
          adpm.push(m);
          this.modifiers = m;
          if (!isFnQual(typed.k)) break;
          typed = typed.l;
        }
        if (typed === null) {
          this.failed = true;
          return;
        }
        if (typed.k === K.LOCAL_NAME) {
          typed = typed.r;
          if (typed !== null && typed.k === K.DEFAULT_ARG) typed = typed.l;
          while (typed !== null && isFnQual(typed.k)) {
            if (adpm.length >= 4) {
              this.failed = true;
              return;
            }
            const i = adpm.length;
            const prev = adpm[i - 1];
            const cur: Mod = { next: prev, mod: prev.mod, printed: prev.printed, templates: prev.templates };
            adpm.push(cur);
            this.modifiers = cur;
            prev.mod = typed;
            prev.printed = false;
            prev.templates = this.templates;
            typed = typed.l;
          }
          if (typed === null) {
            this.failed = true;
            return;
          }
        }
        const isTemplate = typed.k === K.TEMPLATE;
        if (isTemplate) this.templates = { next: this.templates, decl: typed };
        this.comp(dc.r);
        if (isTemplate) this.templates = this.templates!.next;
        for (let i = adpm.length - 1; i >= 0; i--) {
          if (!adpm[i].printed) {
            this.ch(' ');
            this.mod(adpm[i].mod);
          }
        }
        this.modifiers = hold;
        return;
      }
      case K.TEMPLATE: {
        const holdCurrent = this.currentTemplate;
        this.currentTemplate = dc;
        const holdDpm = this.modifiers;
        this.modifiers = null;
        this.comp(dc.l);
        if (this.last === 60 /* < */) this.ch(' ');
        this.ch('<');
        this.comp(dc.r);
        if (this.last === 62 /* > */) this.ch(' ');
        this.ch('>');
        this.modifiers = holdDpm;
        this.currentTemplate = holdCurrent;
        return;
      }
      case K.TEMPLATE_PARAM: {
        if (this.isLambdaArg) {
          this.str('auto:');
          this.str(String(dc.num + 1));
          return;
        }
        let a = this.lookupTemplateArgument(dc);
        if (a && a.k === K.TEMPLATE_ARGLIST) a = indexTemplateArgument(a, this.packIndex);
        if (a === null) {
          this.failed = true;
          return;
        }
        const holdDpt = this.templates!;
        this.templates = holdDpt.next;
        this.comp(a);
        this.templates = holdDpt;
        return;
      }
      case K.TPARM_OBJ:
        this.str('template parameter object for ');
        this.comp(dc.l);
        return;
      case K.CTOR:
        this.comp(dc.l);
        return;
      case K.DTOR:
        this.ch('~');
        this.comp(dc.l);
        return;
      case K.VTABLE: this.str('vtable for '); this.comp(dc.l); return;
      case K.VTT: this.str('VTT for '); this.comp(dc.l); return;
      case K.CONSTRUCTION_VTABLE:
        this.str('construction vtable for ');
        this.comp(dc.l);
        this.str('-in-');
        this.comp(dc.r);
        return;
      case K.TYPEINFO: this.str('typeinfo for '); this.comp(dc.l); return;
      case K.TYPEINFO_NAME: this.str('typeinfo name for '); this.comp(dc.l); return;
      case K.TYPEINFO_FN: this.str('typeinfo fn for '); this.comp(dc.l); return;
      case K.THUNK: this.str('non-virtual thunk to '); this.comp(dc.l); return;
      case K.VIRTUAL_THUNK: this.str('virtual thunk to '); this.comp(dc.l); return;
      case K.COVARIANT_THUNK: this.str('covariant return thunk to '); this.comp(dc.l); return;
      case K.JAVA_CLASS: this.str('java Class for '); this.comp(dc.l); return;
      case K.GUARD: this.str('guard variable for '); this.comp(dc.l); return;
      case K.TLS_INIT: this.str('TLS init function for '); this.comp(dc.l); return;
      case K.TLS_WRAPPER: this.str('TLS wrapper function for '); this.comp(dc.l); return;
      case K.REFTEMP:
        this.str('reference temporary #');
        this.comp(dc.r);
        this.str(' for ');
        this.comp(dc.l);
        return;
      case K.HIDDEN_ALIAS: this.str('hidden alias for '); this.comp(dc.l); return;
      case K.TRANSACTION_CLONE: this.str('transaction clone for '); this.comp(dc.l); return;
      case K.NONTRANSACTION_CLONE: this.str('non-transaction clone for '); this.comp(dc.l); return;
      case K.SUB_STD:
        this.str(dc.s);
        return;
      case K.RESTRICT: case K.VOLATILE: case K.CONST: {
        // The same cv-qualifier can be pushed twice while printing arrays; print it once.
        for (let p = this.modifiers; p !== null; p = p.next) {
          if (!p.printed) {
            if (!isCvQual(p.mod.k)) break;
            if (p.mod.k === dc.k) {
              this.comp(dc.l);
              return;
            }
          }
        }
        break; // to the modifier code below
      }
      case K.REFERENCE: case K.RVALUE_REFERENCE: {
        // Reference collapsing: & + && = &.
        let sub = dc.l;
        if (sub === null) {
          this.failed = true;
          return;
        }
        if (!this.isLambdaArg && sub.k === K.TEMPLATE_PARAM) {
          const scope = this.getSavedScope(sub);
          if (scope === null) {
            this.saveScope(sub);
          } else {
            let foundSelfOrParent = false;
            for (let e = this.stack; e !== null; e = e.parent) {
              if (e.dc === sub || (e.dc === dc && e !== this.stack)) {
                foundSelfOrParent = true;
                break;
              }
            }
            if (!foundSelfOrParent) {
              savedTemplates = this.templates;
              this.templates = scope.templates;
              needTemplateRestore = true;
            }
          }
          let a = this.lookupTemplateArgument(sub);
          if (a && a.k === K.TEMPLATE_ARGLIST) a = indexTemplateArgument(a, this.packIndex);
          if (a === null) {
            if (needTemplateRestore) this.templates = savedTemplates;
            this.failed = true;
            return;
          }
          sub = a;
        }
        if (sub.k === K.REFERENCE || sub.k === dc.k) dc = sub;
        else if (sub.k === K.RVALUE_REFERENCE) modInner = sub.l;
        break;
      }
      case K.VENDOR_TYPE_QUAL: case K.POINTER: case K.COMPLEX: case K.IMAGINARY:
      case K.RESTRICT_THIS: case K.VOLATILE_THIS: case K.CONST_THIS: case K.REFERENCE_THIS:
      case K.RVALUE_REFERENCE_THIS: case K.TRANSACTION_SAFE: case K.NOEXCEPT: case K.THROW_SPEC:
        break;
      case K.BUILTIN_TYPE:
        this.str(dc.bt!.name);
        return;
      case K.VENDOR_TYPE:
        this.comp(dc.l);
        return;
      case K.FUNCTION_TYPE: {
        if (dc.l !== null) {
          const dpm: Mod = { next: this.modifiers, mod: dc, printed: false, templates: this.templates };
          this.modifiers = dpm;
          this.comp(dc.l);
          this.modifiers = dpm.next;
          if (dpm.printed) return;
          this.ch(' ');
        }
        this.functionType(dc, this.modifiers);
        return;
      }
      case K.ARRAY_TYPE: {
        const hold = this.modifiers;
        const adpm: Mod[] = [{ next: hold, mod: dc, printed: false, templates: this.templates }];
        this.modifiers = adpm[0];
        let p = hold;
        while (p !== null && isCvQual(p.mod.k)) {
          if (!p.printed) {
            if (adpm.length >= 4) {
              this.failed = true;
              return;
            }
            const copy: Mod = { next: this.modifiers, mod: p.mod, printed: false, templates: p.templates };
            adpm.push(copy);
            this.modifiers = copy;
            p.printed = true;
          }
          p = p.next;
        }
        this.comp(dc.r);
        this.modifiers = hold;
        if (adpm[0].printed) return;
        for (let i = adpm.length - 1; i > 0; i--) this.mod(adpm[i].mod);
        this.arrayType(dc, this.modifiers);
        return;
      }
      case K.PTRMEM_TYPE: case K.VECTOR_TYPE: {
        const dpm: Mod = { next: this.modifiers, mod: dc, printed: false, templates: this.templates };
        this.modifiers = dpm;
        this.comp(dc.r);
        if (!dpm.printed) this.mod(dc);
        this.modifiers = dpm.next;
        return;
      }
      case K.FIXED_TYPE:
        this.failed = true;
        return;
      case K.ARGLIST: case K.TEMPLATE_ARGLIST:
        if (dc.l !== null) this.comp(dc.l);
        if (dc.r !== null) {
          this.str(', ');
          const len = this.out.length;
          this.comp(dc.r);
          // An empty argument pack printed nothing: drop the separator (libiberty keeps last_char).
          if (this.out.length === len) this.out = this.out.substring(0, len - 2);
        }
        return;
      case K.INITIALIZER_LIST:
        if (dc.l) this.comp(dc.l);
        this.ch('{');
        this.comp(dc.r);
        this.ch('}');
        return;
      case K.OPERATOR: {
        const name = dc.op!.name;
        this.str('operator');
        if (isLower(name.charCodeAt(0))) this.ch(' ');
        this.str(name.endsWith(' ') ? name.substring(0, name.length - 1) : name);
        return;
      }
      case K.EXTENDED_OPERATOR:
        this.str('operator ');
        this.comp(dc.l);
        return;
      case K.CONVERSION:
        this.str('operator ');
        this.conversion(dc);
        return;
      case K.NULLARY:
        this.exprOp(dc.l);
        return;
      case K.UNARY: {
        const op = dc.l!;
        let operand = dc.r!;
        let code: string | null = null;
        if (op.k === K.OPERATOR) {
          code = op.op!.code;
          if (code === 'ad') {
            if (operand.k === K.TYPED_NAME && operand.l!.k === K.QUAL_NAME && operand.r!.k === K.FUNCTION_TYPE) operand = operand.l!;
          }
          if (operand.k === K.BINARY_ARGS) {
            this.subexprN(operand.l);
            this.exprOp(op);
            return;
          }
        }
        if (code === 'sZ') {
          this.str(String(packLength(this.findPack(operand))));
          return;
        }
        if (code === 'sP') {
          this.str(String(this.argsLength(operand)));
          return;
        }
        if (op.k !== K.CAST) this.exprOp(op);
        else {
          this.ch('(');
          this.comp(op.l);
          this.ch(')');
        }
        if (code === 'gs') this.comp(operand);
        else if (code === 'st') {
          this.ch('(');
          this.comp(operand);
          this.ch(')');
        } else this.subexpr(operand);
        return;
      }
      case K.BINARY: {
        const args = dc.r!;
        if (args.k !== K.BINARY_ARGS) {
          this.failed = true;
          return;
        }
        const op = dc.l!;
        if (op.k === K.OPERATOR && isNewCast(op)) {
          this.exprOp(op);
          this.ch('<');
          this.comp(args.l);
          this.str('>(');
          this.comp(args.r);
          this.ch(')');
          return;
        }
        if (op.k === K.OPERATOR && this.maybeFold(dc)) return;
        if (op.k === K.OPERATOR && this.maybeDesignatedInit(dc)) return;
        const gt = op.k === K.OPERATOR && op.op!.name === '>';
        if (gt) this.ch('(');
        const code = op.k === K.OPERATOR ? op.op!.code : '';
        if (code === 'cl' && args.l!.k === K.TYPED_NAME) {
          const func = args.l!;
          if (func.r!.k !== K.FUNCTION_TYPE) this.failed = true;
          this.subexprN(func.l);
        } else this.subexprN(args.l);
        if (code === 'ix') {
          this.ch('[');
          this.comp(args.r);
          this.ch(']');
        } else {
          if (code !== 'cl') this.exprOp(op);
          this.subexprN(args.r);
        }
        if (gt) this.ch(')');
        return;
      }
      case K.BINARY_ARGS:
        this.failed = true;
        return;
      case K.TRINARY: {
        const a1 = dc.r!;
        if (a1.k !== K.TRINARY_ARG1 || a1.r === null || a1.r.k !== K.TRINARY_ARG2) {
          this.failed = true;
          return;
        }
        const op = dc.l!;
        if (op.k === K.OPERATOR && this.maybeFold(dc)) return;
        if (op.k === K.OPERATOR && this.maybeDesignatedInit(dc)) return;
        const first = a1.l;
        const second = a1.r.l;
        const third = a1.r.r;
        if (op.op?.code === 'qu') {
          this.subexprN(first);
          this.exprOp(op);
          this.subexprN(second);
          this.str(' : ');
          this.subexprN(third);
        } else {
          this.str('new ');
          if (first !== null && first.l !== null) {
            this.subexpr(first);
            this.ch(' ');
          }
          this.comp(second);
          if (third) this.subexpr(third);
        }
        return;
      }
      case K.TRINARY_ARG1: case K.TRINARY_ARG2:
        this.failed = true;
        return;
      case K.LITERAL: case K.LITERAL_NEG: {
        let tp = BP.DEFAULT;
        const type = dc.l!;
        const value = dc.r!;
        if (type.k === K.BUILTIN_TYPE) {
          tp = type.bt!.print;
          switch (tp) {
            case BP.INT: case BP.UNSIGNED: case BP.LONG: case BP.UNSIGNED_LONG: case BP.LONG_LONG:
            case BP.UNSIGNED_LONG_LONG:
              if (value.k === K.NAME) {
                if (dc.k === K.LITERAL_NEG) this.ch('-');
                this.comp(value);
                switch (tp) {
                  case BP.UNSIGNED: this.ch('u'); break;
                  case BP.LONG: this.ch('l'); break;
                  case BP.UNSIGNED_LONG: this.str('ul'); break;
                  case BP.LONG_LONG: this.str('ll'); break;
                  case BP.UNSIGNED_LONG_LONG: this.str('ull'); break;
                  default: break;
                }
                return;
              }
              break;
            case BP.BOOL:
              if (value.k === K.NAME && value.s.length === 1 && dc.k === K.LITERAL) {
                if (value.s === '0') {
                  this.str('false');
                  return;
                }
                if (value.s === '1') {
                  this.str('true');
                  return;
                }
              }
              break;
            default:
              break;
          }
        }
        this.ch('(');
        this.comp(type);
        this.ch(')');
        if (dc.k === K.LITERAL_NEG) this.ch('-');
        if (tp === BP.FLOAT) this.ch('[');
        this.comp(value);
        if (tp === BP.FLOAT) this.ch(']');
        return;
      }
      case K.NUMBER:
        this.str(String(dc.num));
        return;
      case K.JAVA_RESOURCE:
        this.str('java resource ');
        this.comp(dc.l);
        return;
      case K.COMPOUND_NAME:
        this.comp(dc.l);
        this.comp(dc.r);
        return;
      case K.CHARACTER:
        this.str(dc.s);
        return;
      case K.DECLTYPE:
        this.str('decltype (');
        this.comp(dc.l);
        this.ch(')');
        return;
      case K.PACK_EXPANSION: {
        const a = this.findPack(dc.l);
        if (a === null) {
          this.subexprN(dc.l);
          this.str('...');
          return;
        }
        const len = packLength(a);
        const pattern = dc.l;
        for (let i = 0; i < len; i++) {
          this.packIndex = i;
          this.comp(pattern);
          if (i < len - 1) this.str(', ');
        }
        return;
      }
      case K.FUNCTION_PARAM:
        if (dc.num === 0) this.str('this');
        else {
          this.str('{parm#');
          this.str(String(dc.num));
          this.ch('}');
        }
        return;
      case K.GLOBAL_CONSTRUCTORS:
        this.str('global constructors keyed to ');
        this.comp(dc.l);
        return;
      case K.GLOBAL_DESTRUCTORS:
        this.str('global destructors keyed to ');
        this.comp(dc.l);
        return;
      case K.LAMBDA:
        this.str('{lambda(');
        this.isLambdaArg++;
        this.comp(dc.l);
        this.isLambdaArg--;
        this.str(')#');
        this.str(String(dc.num + 1));
        this.ch('}');
        return;
      case K.UNNAMED_TYPE:
        this.str('{unnamed type#');
        this.str(String(dc.num + 1));
        this.ch('}');
        return;
      case K.CLONE:
        this.comp(dc.l);
        this.str(' [clone ');
        this.comp(dc.r);
        this.ch(']');
        return;
      default:
        this.failed = true;
        return;
    }

    // Modifiers: keep them on a stack so the declarator prints around the inner type.
    const dpm: Mod = { next: this.modifiers, mod: dc, printed: false, templates: this.templates };
    this.modifiers = dpm;
    if (modInner === null) modInner = dc.l;
    this.comp(modInner);
    if (!dpm.printed) this.mod(dc);
    this.modifiers = dpm.next;
    if (needTemplateRestore) this.templates = savedTemplates;
  }

  modList(mods: Mod | null, suffix: boolean): void {
    while (mods !== null && !this.failed) {
      if (mods.printed || (!suffix && isFnQual(mods.mod.k))) {
        mods = mods.next;
        continue;
      }
      mods.printed = true;
      const holdDpt = this.templates;
      this.templates = mods.templates;
      const m = mods.mod;
      if (m.k === K.FUNCTION_TYPE) {
        this.functionType(m, mods.next);
        this.templates = holdDpt;
        return;
      }
      if (m.k === K.ARRAY_TYPE) {
        this.arrayType(m, mods.next);
        this.templates = holdDpt;
        return;
      }
      if (m.k === K.LOCAL_NAME) {
        const holdModifiers = this.modifiers;
        this.modifiers = null;
        this.comp(m.l);
        this.modifiers = holdModifiers;
        this.str('::');
        let dc = m.r;
        if (dc !== null && dc.k === K.DEFAULT_ARG) {
          this.str('{default arg#');
          this.str(String(dc.num + 1));
          this.str('}::');
          dc = dc.l;
        }
        while (dc !== null && isFnQual(dc.k)) dc = dc.l;
        this.comp(dc);
        this.templates = holdDpt;
        return;
      }
      this.mod(m);
      this.templates = holdDpt;
      mods = mods.next;
    }
  }

  mod(m: Node): void {
    switch (m.k) {
      case K.RESTRICT: case K.RESTRICT_THIS: this.str(' restrict'); return;
      case K.VOLATILE: case K.VOLATILE_THIS: this.str(' volatile'); return;
      case K.CONST: case K.CONST_THIS: this.str(' const'); return;
      case K.TRANSACTION_SAFE: this.str(' transaction_safe'); return;
      case K.NOEXCEPT:
        this.str(' noexcept');
        if (m.r) {
          this.ch('(');
          this.comp(m.r);
          this.ch(')');
        }
        return;
      case K.THROW_SPEC:
        this.str(' throw');
        if (m.r) {
          this.ch('(');
          this.comp(m.r);
          this.ch(')');
        }
        return;
      case K.VENDOR_TYPE_QUAL:
        this.ch(' ');
        this.comp(m.r);
        return;
      case K.POINTER: this.ch('*'); return;
      case K.REFERENCE_THIS: this.str(' &'); return;
      case K.REFERENCE: this.ch('&'); return;
      case K.RVALUE_REFERENCE_THIS: this.str(' &&'); return;
      case K.RVALUE_REFERENCE: this.str('&&'); return;
      case K.COMPLEX: this.str(' _Complex'); return;
      case K.IMAGINARY: this.str(' _Imaginary'); return;
      case K.PTRMEM_TYPE:
        if (this.last !== 40 /* ( */) this.ch(' ');
        this.comp(m.l);
        this.str('::*');
        return;
      case K.TYPED_NAME:
        this.comp(m.l);
        return;
      case K.VECTOR_TYPE:
        this.str(' __vector(');
        this.comp(m.l);
        this.ch(')');
        return;
      default:
        this.comp(m);
        return;
    }
  }

  functionType(dc: Node, mods: Mod | null): void {
    let needParen = false;
    let needSpace = false;
    for (let p = mods; p !== null; p = p.next) {
      if (p.printed) break;
      switch (p.mod.k) {
        case K.POINTER: case K.REFERENCE: case K.RVALUE_REFERENCE:
          needParen = true;
          break;
        case K.RESTRICT: case K.VOLATILE: case K.CONST: case K.VENDOR_TYPE_QUAL: case K.COMPLEX:
        case K.IMAGINARY: case K.PTRMEM_TYPE:
          needSpace = true;
          needParen = true;
          break;
        default:
          break;
      }
      if (needParen) break;
    }
    if (needParen) {
      if (!needSpace && this.last !== 40 && this.last !== 42) needSpace = true;
      if (needSpace && this.last !== 32) this.ch(' ');
      this.ch('(');
    }
    const hold = this.modifiers;
    this.modifiers = null;
    this.modList(mods, false);
    if (needParen) this.ch(')');
    this.ch('(');
    if (dc.r !== null) this.comp(dc.r);
    this.ch(')');
    this.modList(mods, true);
    this.modifiers = hold;
  }

  arrayType(dc: Node, mods: Mod | null): void {
    let needSpace = true;
    if (mods !== null) {
      let needParen = false;
      for (let p: Mod | null = mods; p !== null; p = p.next) {
        if (!p.printed) {
          if (p.mod.k === K.ARRAY_TYPE) {
            needSpace = false;
            break;
          }
          needParen = true;
          needSpace = true;
          break;
        }
      }
      if (needParen) this.str(' (');
      this.modList(mods, false);
      if (needParen) this.ch(')');
    }
    if (needSpace) this.ch(' ');
    this.ch('[');
    if (dc.l !== null) this.comp(dc.l);
    this.ch(']');
  }

  exprOp(dc: Node | null): void {
    if (dc !== null && dc.k === K.OPERATOR) this.str(dc.op!.name);
    else this.comp(dc);
  }

  conversion(dc: Node): void {
    const hadCurrent = this.currentTemplate !== null;
    if (hadCurrent) this.templates = { next: this.templates, decl: this.currentTemplate! };
    const t = dc.l!;
    if (t.k !== K.TEMPLATE) {
      this.comp(t);
      if (hadCurrent) this.templates = this.templates!.next;
    } else {
      this.comp(t.l);
      if (hadCurrent) this.templates = this.templates!.next;
      if (this.last === 60) this.ch(' ');
      this.ch('<');
      this.comp(t.r);
      if (this.last === 62) this.ch(' ');
      this.ch('>');
    }
  }
}

function indexTemplateArgument(args: Node | null, i: number): Node | null {
  if (i < 0) return args;
  let a = args;
  for (; a !== null; a = a.r) {
    if (a.k !== K.TEMPLATE_ARGLIST) return null;
    if (i <= 0) break;
    i--;
  }
  if (i !== 0 || a === null) return null;
  return a.l;
}

function packLength(dc: Node | null): number {
  let count = 0;
  while (dc && dc.k === K.TEMPLATE_ARGLIST && dc.l !== null) {
    count++;
    dc = dc.r;
  }
  return count;
}

function isDesignatedInit(dc: Node): boolean {
  if (dc.k !== K.BINARY && dc.k !== K.TRINARY) return false;
  const code = dc.l?.op?.code;
  return code !== undefined && code[0] === 'd' && (code[1] === 'i' || code[1] === 'x' || code[1] === 'X');
}

/** Parses the whole name; undefined asks for a retry with the old unresolved-name reading. */
function parseTop(mangled: string, kind: 'mangled' | 'ctors' | 'dtors', params: boolean, verbose: boolean, state: number, trace?: DemangleTrace): Node | null | undefined {
  const p = new Parser(mangled, params, verbose);
  p.unresolvedNameState = state;
  p.trace = trace;
  let dc: Node | null;
  if (kind === 'mangled') {
    dc = p.mangledName(true);
  } else {
    p.n = 11;
    let inner: Node | null;
    if (p.peek() === C_US && p.peekNext() === 90 /* Z */) {
      p.n += 2;
      inner = p.encoding(false);
    } else inner = p.name(mangled.substring(11));
    dc = p.comp(kind === 'ctors' ? K.GLOBAL_CONSTRUCTORS : K.GLOBAL_DESTRUCTORS, inner, null);
    p.n = p.end;
  }
  if (params && p.n < p.end) dc = null;
  if (dc === null && p.unresolvedNameState === -1) return undefined;
  return dc;
}

/**
 * Demangles an Itanium C++ ABI name (`_Z...`, or the `_GLOBAL__I_`/`_GLOBAL__D_` constructor and
 * destructor keys) as binutils does; undefined when libiberty would not demangle it, so the
 * caller prints the input unchanged.
 */
export function demangleItanium(mangled: string, opts: DemangleItaniumOptions = {}): string | undefined {
  const trace = opts.trace;
  if (trace) { trace.kindAt.length = 0; trace.straight = true; }
  const nul = mangled.indexOf('\0');
  if (nul >= 0) mangled = mangled.substring(0, nul);
  const params = opts.params ?? true;
  const verbose = opts.verbose ?? false;
  let kind: 'mangled' | 'ctors' | 'dtors';
  if (mangled.startsWith('_Z')) kind = 'mangled';
  else if (mangled.startsWith('_GLOBAL_') && '._$'.includes(mangled[8] ?? 'x') && (mangled[9] === 'D' || mangled[9] === 'I') && mangled[10] === '_') {
    kind = mangled[9] === 'I' ? 'ctors' : 'dtors';
  } else return undefined;
  // libiberty refuses names whose component budget (2 per character) passes its recursion limit.
  if (2 * mangled.length > RECURSION_LIMIT) return undefined;
  if (!params && kind === 'mangled' && !opts.noFastPath) {
    const fast = plainNestedName(mangled, trace);
    if (fast !== undefined) return fast;
  }
  let dc = parseTop(mangled, kind, params, verbose, 1, trace);
  if (dc === undefined) {
    if (trace) { trace.kindAt.length = 0; trace.straight = false; }
    dc = parseTop(mangled, kind, params, verbose, 0);
  }
  if (!dc) return undefined;
  const pr = new Printer();
  pr.comp(dc);
  if (pr.failed) return undefined;
  return pr.out;
}

/**
 * demangleItanium's reading of a `_Z` name without its printing, for its trace: true when the
 * name parsed (the same prologue, fast path and first reading as demangleItanium) and the reading
 * went straight through. Whether the printing then succeeds is not known (a name whose printing
 * fails stays as it is).
 */
export function traceItanium(mangled: string, trace: DemangleTrace, opts: { params?: boolean; verbose?: boolean } = {}): boolean {
  trace.kindAt.length = 0; trace.straight = true;
  if (!mangled.startsWith('_Z') || mangled.includes('\0') || 2 * mangled.length > RECURSION_LIMIT) return false;
  const params = opts.params ?? true;
  if (!params && plainNestedName(mangled, trace) !== undefined) return true;
  trace.kindAt.length = 0;
  const dc = parseTop(mangled, 'mangled', params, opts.verbose ?? false, 1, trace);
  return dc !== undefined && dc !== null && trace.straight;
}

/**
 * Whether two mangled names (bytes) are constructor or destructor aliases that every demangling
 * prints the same: `_ZN` [r][V][K] [R|O] then source names (the first may be a standard
 * substitution St/Sa/Sb/Ss/Si/So/Sd), then a last C1..C5 or D0/D1/D2/D4/D5 and `E` — the complete
 * and base object forms GCC emits as aliases at one address — and the two names differ only in
 * that kind digit. The parser (Parser.nestedName/prefix/ctorDtorName, libiberty's d_nested_name)
 * reads both the same way up to the digit and never prints it, so both demangle to one text (or
 * both fail and stay as they are, one length). Also false when the text could begin with "SyS" or
 * "compat_SyS" (the first identifier starts so) and when the name holds "17h" (a legacy Rust hash
 * might take it to rustc-demangle): perf's choose_best_symbol then has no reason to prefer either,
 * without demangling them.
 */
export function ctorDtorTwins(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length || n < 6 || a[0] !== C_US || a[1] !== 90 /* Z */ || a[2] !== 78 /* N */) return false;
  let diff = -1;
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) { if (diff >= 0) return false; diff = i; }
  }
  if (diff < 0) return false;
  for (let i = 0; i + 2 < n; i++) if (a[i] === 49 && a[i + 1] === 55 && a[i + 2] === 104) return false; // "17h"
  let p = 3;
  while (p < n && (a[p] === 114 /* r */ || a[p] === 86 /* V */ || a[p] === 75 /* K */)) p++;
  if (p < n && (a[p] === 82 /* R */ || a[p] === 79 /* O */)) p++;
  let first = true;
  for (;;) {
    if (p >= diff) return false;
    const c = a[p];
    if (isDigit(c)) {
      // <source-name>: a length, then that many bytes.
      let len = 0;
      while (p < n && isDigit(a[p])) { len = len * 10 + a[p] - C_0; if (len > n) return false; p++; }
      if (len <= 0 || p + len > n) return false;
      if (first && (startsWithBytes(a, p, len, 'SyS') || startsWithBytes(a, p, len, 'compat_SyS'))) return false;
      p += len;
      // ABI tags, template arguments, an end or anything else than the next component: not handled.
      if (p >= n || !(isDigit(a[p]) || a[p] === 67 /* C */ || a[p] === 68 /* D */)) return false;
    } else if (c === 83 /* S */ && first && p + 1 < n && 'tabsiod'.includes(String.fromCharCode(a[p + 1]))) {
      p += 2;
      if (p >= n || !(isDigit(a[p]) || a[p] === 67 /* C */ || a[p] === 68 /* D */)) return false;
    } else if (c === 67 /* C */ || c === 68 /* D */) {
      // The last component: the differing kind digit, then the nested name's E.
      if (first || p + 1 !== diff || p + 2 >= n || a[p + 2] !== 69 /* E */) return false;
      const ok = c === 67 ? (k: number) => k >= 49 && k <= 53 : (k: number) => k === 48 || k === 49 || k === 50 || k === 52 || k === 53;
      return ok(a[diff]) && ok(b[diff]);
    } else return false;
    first = false;
  }
}

function startsWithBytes(a: Uint8Array, at: number, len: number, s: string): boolean {
  if (len < s.length) return false;
  for (let i = 0; i < s.length; i++) if (a[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * demangleItanium without parameters (DMGL_PARAMS off) for the commonest shape, without building
 * components: `_ZN` [r][V][K] [Dx] [R|O], source names (the first may be `St`), an optional last
 * C1..C5 or D0/D1/D2/D4/D5, then `E`. Without parameters the encoding stops after the name
 * (Parser.encoding) and drops its qualifiers, so the text is the names joined by "::", a
 * constructor repeating the last one and a destructor with "~". Undefined for any other shape
 * (ABI tags, templates, local names, operators, substitutions...): the full parser decides.
 */
export function plainNestedName(s: string, trace?: DemangleTrace): string | undefined {
  const n = s.length;
  if (n < 5 || s.charCodeAt(2) !== 78 /* N */) return undefined;
  let p = 3;
  for (;;) {
    const c = s.charCodeAt(p);
    if (c === 114 /* r */ || c === 86 /* V */ || c === 75 /* K */) p++;
    else if (c === 68 /* D */ && s.charCodeAt(p + 1) === 120 /* x */) p += 2;
    else break;
  }
  if (s.charCodeAt(p) === 82 /* R */ || s.charCodeAt(p) === 79 /* O */) p++;
  let out = '', last: string | undefined, parts = 0;
  for (;;) {
    if (p >= n || ++parts > 256) return undefined;
    const c = s.charCodeAt(p);
    if (isDigit(c)) {
      let len = 0;
      while (p < n && isDigit(s.charCodeAt(p))) { len = len * 10 + s.charCodeAt(p) - C_0; if (len > n) return undefined; p++; }
      if (len <= 0 || p + len > n) return undefined;
      let text = s.substring(p, p + len);
      if (len >= 10 && text.startsWith('_GLOBAL_')) {
        const g = text.charCodeAt(8);
        if ((g === 46 || g === C_US || g === 36) && text.charCodeAt(9) === 78 /* N */) text = '(anonymous namespace)';
      }
      p += len;
      out = parts === 1 ? text : out + '::' + text;
      last = text;
    } else if (c === 83 /* S */ && parts === 1 && s.charCodeAt(p + 1) === 116 /* t */) {
      p += 2;
      out = 'std';
    } else if ((c === 67 /* C */ || c === 68 /* D */) && last !== undefined) {
      const k = s.charCodeAt(p + 1);
      if (c === 67 ? !(k >= 49 && k <= 53) : !(k === 48 || k === 49 || k === 50 || k === 52 || k === 53)) return undefined;
      if (s.charCodeAt(p + 2) !== 69 /* E */) return undefined;
      trace?.kindAt.push(p + 1);
      p += 2;
      out += (c === 67 ? '::' : '::~') + last;
    } else return undefined;
    const next = s.charCodeAt(p);
    if (next === 69 /* E */) return parts === 1 && out === 'std' ? undefined : out;
    if (!(isDigit(next) || next === 67 || next === 68)) return undefined;
  }
}
