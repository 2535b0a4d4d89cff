// `kscope addr2line`: binutils addr2line 2.40 compatible output (binutils/addr2line.c
// translate_addresses), answering each stdin line as it arrives so it works as a co-process.
import { readSync, readFileSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { readElf, type ElfByteSource, type ElfFile } from '../formats/elf/index.js';
import { nodeFileLoader } from '../util/node-loader.js';
import { DwarfSymbolizer, toAddress53, type SourceFrame } from '../symbols/dwarf-symbolizer.js';
import { KscopeError } from '../util/errors.js';

export const summary = 'translate addresses into file names and line numbers (binutils addr2line compatible)';

interface Options {
  exe: string;
  functions: boolean;
  inlines: boolean;
  demangle: boolean;
  addresses: boolean;
  pretty: boolean;
  basenames: boolean;
  section?: string;
  addrs: string[];
}

const USAGE = `Usage: kscope addr2line [option(s)] [addr(s)]
 Convert addresses into line number/file name pairs.
 If no addresses are specified on the command line, they will be read from stdin
 The options are:
  -a --addresses         Show addresses
  -e --exe=<executable>  Set the input file name (default is a.out)
  -i --inlines           Unwind inlined functions
  -j --section=<name>    Read section-relative offsets instead of addresses
  -p --pretty-print      Make the output easier to read for humans
  -s --basenames         Strip directory names
  -f --functions         Show function names
  -C --demangle[=style]  Demangle function names
  -h --help              Display this information
`;

function parseArgs(argv: string[]): Options | number {
  const o: Options = { exe: 'a.out', functions: false, inlines: false, demangle: false, addresses: false, pretty: false, basenames: false, addrs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { o.addrs.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const val = (): string => { if (v !== undefined) return v; if (i + 1 >= argv.length) throw new KscopeError(`option '${k}' requires an argument`); return argv[++i]; };
      switch (k) {
        case '--addresses': o.addresses = true; break;
        case '--exe': o.exe = val(); break;
        case '--inlines': o.inlines = true; break;
        case '--section': o.section = val(); break;
        case '--pretty-print': o.pretty = true; break;
        case '--basenames': o.basenames = true; break;
        case '--functions': o.functions = true; break;
        case '--demangle': o.demangle = true; break;
        case '--no-demangle': o.demangle = false; break;
        case '--target': val(); break;
        case '--help': process.stdout.write(USAGE); return 0;
        default: throw new KscopeError(`unrecognized option '${a}'`, "see 'kscope addr2line --help'");
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j];
        const rest = (): string => { const r = a.slice(j + 1); j = a.length; if (r) return r; if (i + 1 >= argv.length) throw new KscopeError(`option requires an argument -- '${ch}'`); return argv[++i]; };
        switch (ch) {
          case 'a': o.addresses = true; break;
          case 'e': o.exe = rest(); break;
          case 'i': o.inlines = true; break;
          case 'j': o.section = rest(); break;
          case 'p': o.pretty = true; break;
          case 's': o.basenames = true; break;
          case 'f': o.functions = true; break;
          case 'C': o.demangle = true; j = a.length; break; // -C[style]
          case 'b': rest(); break;
          case 'r': case 'R': break;
          case 'h': case 'H': process.stdout.write(USAGE); return 0;
          default: throw new KscopeError(`invalid option -- '${ch}'`, "see 'kscope addr2line --help'");
        }
      }
      continue;
    }
    o.addrs.push(a);
  }
  return o;
}

/**
 * The file a .gnu_debugaltlink names, with the build-id it records: an absolute name as is, a
 * relative one next to the executable or in its .debug/ folder, then under /usr/lib/debug (the
 * places bfd's find_separate_debug_file looks).
 */
function findSupplementary(exe: string, link: { file: string; buildId: Uint8Array }): ElfFile | undefined {
  const dir = dirname(resolve(exe));
  const cands = isAbsolute(link.file)
    ? [link.file, join('/usr/lib/debug', link.file)]
    : [join(dir, link.file), join(dir, '.debug', link.file), join('/usr/lib/debug', dir, link.file)];
  for (const c of cands) {
    let elf: ElfFile;
    try { const f = loader.open(c); if (!f) continue; elf = readElf(f, c); } catch { continue; }
    const id = elf.buildId();
    if (id && id.length === link.buildId.length && id.every((b, i) => b === link.buildId[i])) return elf;
  }
  return undefined;
}

const loader = nodeFileLoader();

/**
 * The executable read by ranges (only its headers, symbol tables and DWARF sections are read, so a
 * large file costs little memory); a special file (a pipe) is read whole.
 */
function openExe(path: string): Uint8Array | ElfByteSource {
  const f = loader.open(path);
  if (f) return f;
  try { const b = readFileSync(path); return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new KscopeError(`'${path}': No such file`);
    throw e;
  }
}

const BIG = 1n << 52n;
function isHex(c: number): boolean { return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102); }

/** bfd_scan_vma(buf, NULL, 16): optional blanks and 0x, then hex digits; anything else stops it. */
function scanVma(s: string): bigint {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) i += 2;
  const start = i;
  while (i < s.length && /[0-9a-fA-F]/.test(s[i])) i++;
  if (i === start) return 0n;
  const hex = s.slice(start, i);
  return BigInt.asUintN(64, hex.length <= 12 ? BigInt(parseInt(hex, 16)) : BigInt('0x' + hex));
}

export class Addr2line {
  private sym: DwarfSymbolizer;
  private width: number;
  private sectionBase = 0n;
  constructor(readonly elf: ElfFile, readonly o: Options, private demangle?: (s: string) => string) {
    // Damaged DWARF: one warning line naming the file and offset, then symbol-table answers.
    let warned = false;
    this.sym = new DwarfSymbolizer(elf, {
      onWarning: (e) => {
        if (warned) return;
        warned = true;
        process.stderr.write(`kscope addr2line: warning: ${o.exe}: ${e.message}; using the symbol table there\n`);
      },
      loadSupplementary: (link) => {
        const f = findSupplementary(o.exe, link);
        if (!f) process.stderr.write(`kscope addr2line: warning: ${o.exe}: supplementary DWARF file '${link.file}' (.gnu_debugaltlink) not found\n`);
        return f;
      },
    });
    this.width = elf.header.bits === 64 ? 16 : 8;
    if (o.section) {
      const s = elf.sections.find((x) => x.name === o.section);
      if (!s) throw new KscopeError(`${o.exe}: cannot find section ${o.section}`);
      this.sectionBase = s.addr;
    }
  }

  /** The text addr2line prints for one input address. */
  answer(input: string): string {
    // Fast path without BigInt: up to 13 hex digits (below 2^52) and a small section base.
    let i = 0;
    const len = input.length;
    while (i < len && (input.charCodeAt(i) === 32 || input.charCodeAt(i) === 9)) i++;
    if (input.charCodeAt(i) === 48 && (input.charCodeAt(i + 1) | 0x20) === 120) i += 2;
    const start = i;
    while (i < len && isHex(input.charCodeAt(i))) i++;
    if (i - start <= 13 && this.sectionBase < BIG) {
      let v = i > start ? parseInt(input.slice(start, i), 16) : 0;
      if (this.elf.header.bits === 32) v %= 4294967296;
      const at = v + Number(this.sectionBase);
      if (at < 2 ** 53) {
        const addr = this.o.addresses ? '0x' + v.toString(16).padStart(this.width, '0') + (this.o.pretty ? ': ' : '\n') : '';
        return this.format(addr, this.sym.findFrames(at));
      }
    }
    let pc = scanVma(input);
    if (this.elf.header.bits === 32) pc = BigInt.asUintN(32, pc);
    const addr = this.o.addresses ? '0x' + pc.toString(16).padStart(this.width, '0') + (this.o.pretty ? ': ' : '\n') : '';
    return this.format(addr, this.lookup(pc + this.sectionBase));
  }

  private format(out: string, frames: SourceFrame[] | undefined): string {
    const o = this.o;
    if (!frames) {
      if (o.functions) out += o.pretty ? '?? ' : '??\n';
      return out + '??:0\n';
    }
    const n = o.inlines ? frames.length : 1;
    for (let k = 0; k < n; k++) {
      const f = frames[k];
      if (o.functions) {
        let name = f.functionName;
        if (!name) name = '??';
        else if (this.demangle) name = this.demangle(name);
        out += name + (o.pretty ? ' at ' : '\n');
      }
      let file = f.file;
      if (o.basenames && file !== undefined) { const h = file.lastIndexOf('/'); if (h >= 0) file = file.slice(h + 1); }
      out += (file ?? '??') + ':';
      if (f.line !== 0) out += f.discriminator !== 0 ? `${f.line} (discriminator ${f.discriminator})\n` : `${f.line}\n`;
      else out += '?\n';
      if (k + 1 < n && o.pretty) out += ' (inlined by) ';
    }
    return out;
  }

  private lookup(pc: bigint): SourceFrame[] | undefined {
    if (pc >= 1n << 53n && (pc >> 53n) !== (1n << 11n) - 1n) return undefined; // not representable (see cursor.ts)
    return this.sym.findFrames(toAddress53(pc));
  }
}

/**
 * V8 compiles a function with its optimizing tier (TurboFan, on background threads) once the
 * function has run about 64 KB of bytecode. A typical addr2line run (a few thousand addresses) is
 * over before that compiled code pays back: on a 40-unit C++ program the background compiles
 * cost a third of the process's CPU time while the main thread got no faster. A budget 8 times
 * larger leaves short runs in the baseline tiers and still optimizes the loops of long ones
 * (hundreds of thousands of addresses), which measured as fast as before. Only this command's
 * process is affected (a V8 without the flag would print a warning and run as before).
 */
function tuneTierUp(): void {
  try { setFlagsFromString('--interrupt-budget=524288'); } catch { /* not fatal */ }
}

export async function run(argv: string[]): Promise<number> {
  tuneTierUp();
  const parsed = parseArgs(argv);
  if (typeof parsed === 'number') return parsed;
  const o = parsed;
  const elf = readElf(openExe(o.exe), o.exe);
  // The demangler's modules load only for -C.
  const a2l = new Addr2line(elf, o, o.demangle ? await (await import('./_demangle.js')).loadDemangler() : undefined);
  if (o.addrs.length) {
    let out = '';
    for (const a of o.addrs) out += a2l.answer(a);
    process.stdout.write(out);
    return 0;
  }
  // stdin: answer each complete line before reading more, so a co-process never waits on us.
  const fd = 0;
  const buf = Buffer.allocUnsafe(1 << 16);
  let pending = '';
  for (;;) {
    let n: number;
    try { n = readSync(fd, buf, 0, buf.length, null); } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EAGAIN') { await new Promise((r) => setTimeout(r, 1)); continue; }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    pending += buf.toString('latin1', 0, n);
    let out = '';
    let nl: number, from = 0;
    while ((nl = pending.indexOf('\n', from)) >= 0) {
      out += a2l.answer(pending.slice(from, nl));
      from = nl + 1;
      if (out.length > 1 << 16) { writeAll(out); out = ''; }
    }
    pending = pending.slice(from);
    if (out) writeAll(out);
  }
  if (pending.length) writeAll(a2l.answer(pending));
  return 0;
}

/** Synchronous write so each answer is out before the next read (co-process use). */
function writeAll(s: string): void {
  // Names and paths were decoded from UTF-8. The string goes to the fd without a Buffer in
  // between; a partial write (a pipe's EAGAIN) continues from a Buffer at the byte it stopped.
  let done = 0;
  try { done = writeSync(1, s); } catch (e) {
    if ((e as { code?: string }).code !== 'EAGAIN') throw e;
  }
  if (done === Buffer.byteLength(s)) return;
  const b = Buffer.from(s, 'utf8');
  let off = done;
  while (off < b.length) {
    try { off += writeSyncFd(b, off); } catch (e) {
      if ((e as { code?: string }).code === 'EAGAIN') continue;
      throw e;
    }
  }
}

function writeSyncFd(b: Buffer, off: number): number { return writeSync(1, b, off, b.length - off); }
