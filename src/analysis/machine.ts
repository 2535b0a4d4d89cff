// The machine model of a recording, as perf's tools/perf/util/machine.c, thread.c, maps.c, map.c
// (perf 6.1) build it while processing records in delivery order (PerfDataFile.orderedRecords()):
//
//   threads   keyed by tid. A new thread whose pid != tid shares its leader's maps (thread__init_maps);
//             its comm is ":TID" until a COMM names it; pid 0 is "swapper" (perf_session__register_idle_thread).
//   COMM      sets the thread's comm (misc & COMM_EXEC: an exec; perf keeps the maps, MMAPs replace them).
//   FORK      replaces any thread with that tid, copies the parent's comm when it was set, and clones
//             the parent's maps for a new process (pid != parent pid), unless misc & FORK_EXEC... (perf:
//             PERF_RECORD_MISC_FORK_EXEC, synthesized) — thread__fork / thread__clone_maps.
//   EXIT      marks the thread dead; it stays findable (samples may still name it).
//   MMAP(2)   pid -1: a kernel map ([kernel.kallsyms]_text, modules); else a map of the process,
//             overlapping older maps are cut (maps__fixup_overlappings). Anonymous executable maps
//             (//anon, [heap], /dev/zero, ...) become /tmp/perf-PID.map with identity map_ip (map__new).
//   KSYMBOL   a kernel map + symbol for bpf programs and out-of-line kernel code (machine__process_ksymbol).
//
// A sample resolves to its thread, then every frame: the sample ip, then callchain entries (PERF_CONTEXT_*
// markers switch the cpumode: thread__resolve_callchain_sample, add_callchain_ip) or, for
// --call-graph dwarf samples, the kernel part of the callchain followed by the user frames unwound
// from PERF_SAMPLE_REGS_USER/STACK_USER (callers looked up at return address - 1 as perf's libdw
// unwinder reports them). A frame → map (map_ip: ip - start + pgoff) → DSO → symbol, cached per
// (DSO, address), interned so that the same function is the same object everywhere.
//
// Kernel symbols come from /proc/kallsyms when the recording's kernel build-id (BUILD_ID feature)
// equals the running kernel's (/sys/kernel/notes) or was not recorded, else from perf's build-id
// cache (~/.debug/[kernel.kallsyms]/BUILDID/kallsyms), as dso__find_kallsyms does. User DSOs load
// through symbols/'s Symbolizer (build-id checked, ~/.debug/.build-id fallback).
//
// All file access goes through injected functions, so analysis/ does no I/O itself.
import { Feature, Misc, RecordType } from '../formats/perfdata/constants.js';
import { decodeFeature } from '../formats/perfdata/features.js';
import type { PerfDataFile } from '../formats/perfdata/reader.js';
import type { PerfRecord } from '../formats/perfdata/stream.js';
import type { PerfSample } from '../formats/perfdata/sample.js';
import { SampleType } from '../formats/perfdata/constants.js';
import { PT_LOAD, toHex } from '../formats/elf/index.js';
import { Symbolizer, dwarfDebugInfo, type Dso as ElfDso, type SymbolLoader } from '../symbols/index.js';
import { KernelSymbols } from '../symbols/kernel.js';
import { JitSymbols } from '../symbols/jit.js';
import { cfiModuleFromElf, DwarfUnwinder, type CfiModule, type MappedModule } from '../unwind/dwarf-unwind.js';
import { hexOfHalves } from '../util/hex.js';

const TWO32 = 0x100000000;
const UTF8 = new TextDecoder();
/** perf's PERF_RECORD_MISC_FORK_EXEC (synthesized FORK of an existing task: no maps clone). */
const MISC_FORK_EXEC = 1 << 13;
const PERF_CONTEXT_HI = 0xffffffff;
const KSYM_TYPE_OOL = 2;

/** Injected I/O for the machine (util/node-loader.ts and cli/ provide the Node versions). */
export interface MachineOptions {
  /** Reads DSOs, debug files, perf-PID.map files and the kallsyms build-id cache. */
  loader: SymbolLoader;
  /** The running kernel's /proc/kallsyms (and /proc/modules) text. */
  kallsyms?: () => { kallsyms: string | Uint8Array; modules?: string | Uint8Array } | undefined;
  /** The running kernel's build-id (from /sys/kernel/notes), hex. */
  runningKernelBuildId?: () => string | undefined;
  /** The bytes of the [vdso] image (the running kernel's; perf reads its own). */
  vdso?: () => Uint8Array | undefined;
  /** Unwind --call-graph dwarf samples (default true). */
  unwind?: boolean;
  /** Applied to user-space symbol names (perf demangles C++/Rust, without parameters). */
  demangle?: (name: string) => string;
  /**
   * The demangled form of a name where names of aliases are compared (perf demangles as it loads
   * symbols; default `demangle`). Give it when names are demangled later, at print time.
   */
  rankName?: (name: string) => string;
  /** Symbolizer to share (else one is made from `loader`). */
  symbolizer?: Symbolizer;
}

/** A shared object as perf's struct dso: one per path (and kernel image / module / bpf symbol). */
export class DsoInfo {
  /** Dense id (order of creation). */
  id = 0;
  /**
   * perf's allocation order of its struct dso, which callchain children compare by pointer
   * (match_chain_dso_addresses): the DSOs of the BUILD_ID feature first, in its order (perf
   * creates them while reading the header), then the others as met.
   */
  rank = 0;
  elf: ElfDso | undefined | null = null;
  jit: JitSymbols | undefined | null = null;
  cfi: CfiModule | undefined | null = null;
  /** perf's elf_base_address: the first PT_LOAD's p_vaddr - p_offset (for the unwinder's table base). */
  elfBase = 0;
  /** Per-address cache of resolved locations (map_ip address → Loc); made at the DSO's first sample. */
  cache: LocTable | undefined = undefined;
  /** Locations of unresolved callchain entries, keyed by the raw ip (perf keys those by raw ip). */
  rawCache: LocTable | undefined = undefined;
  /** Symbols by index in the DSO's symbol table. */
  readonly syms = new Map<number, SymInfo>();
  constructor(
    /** Long name: the path ("/usr/lib/x86_64-linux-gnu/libc.so.6", "[kernel.kallsyms]", "[vdso]"). */
    readonly longName: string,
    /** What perf prints in "Shared Object": the basename, or the bracketed name. */
    readonly shortName: string,
    readonly kind: 'user' | 'kernel' | 'jit' | 'vdso' | 'bpf' | 'anon',
    public buildId?: string,
  ) {}
}

/** A function symbol of a DSO (interned: compare by identity). */
export interface SymInfo {
  name: string;
  /** Start in the DSO's address space (exact below 2^53; kernel starts are approximate doubles). */
  start: number;
  /** Exact start as hex without 0x (kernel addresses exceed 2^53). */
  startHex: string;
  dso: DsoInfo;
  /** Dense id across the machine. */
  id: number;
  /**
   * A made-up symbol for an inlined function (perf's new_inline_sym: the name from DWARF, the
   * frame symbol's start); perf prints it "name (inlined)".
   */
  inlined?: boolean;
}

/** One resolved address (interned per DSO and address): what a hist entry or a frame needs. */
export interface Loc {
  dso: DsoInfo | undefined;
  sym: SymInfo | undefined;
  /** perf's al->level: 'k' kernel, '.' user, 'g' guest kernel, 'u' guest user, 'H' hypervisor. */
  level: string;
  /** The address perf keys and prints unresolved entries by (map_ip'd for sample ips, raw for callchain entries), hex. */
  addrHex: string;
  /** That address as u32 halves, where the Loc knows them (the machine's do): compare without the text. */
  readonly addrHi?: number;
  readonly addrLo?: number;
  /** Offset into the symbol (symoff), 0 when unresolved. */
  offset: number;
  /** Dense id across the machine (hist keys use it). */
  id: number;
  /**
   * For an unresolved callchain entry (keyed by its raw ip): its map-relative address, which
   * orders against the addresses of resolved frames of the same DSO as the raw ips do.
   */
  readonly relAddr?: number;
}

/**
 * The Loc the machine makes: the address kept as u32 halves, its hex text made when first asked
 * for (most locations are never printed unresolved).
 */
class AddrLoc implements Loc {
  private hex: string | undefined = undefined;
  /**
   * The halves as int32: small integers live in the object, while a u32 at or above 2^31 (half of
   * all addresses) would be a separate 16-byte heap number per field and location.
   */
  private readonly hi: number;
  private readonly lo: number;
  readonly offset: number;
  constructor(
    readonly dso: DsoInfo | undefined,
    readonly sym: SymInfo | undefined,
    readonly level: string,
    hi: number,
    lo: number,
    offset: number,
    readonly id: number,
    readonly relAddr?: number,
  ) {
    this.hi = hi | 0;
    this.lo = lo | 0;
    this.offset = offset === (offset | 0) ? offset | 0 : offset;
  }
  get addrHi(): number { return this.hi >>> 0; }
  get addrLo(): number { return this.lo >>> 0; }
  get addrHex(): string { return (this.hex ??= hexOfHalves(this.addrHi, this.addrLo)); }
}

/** Words of a slot's memo (ResolvedSample.selfMemo): Hists keeps (its serial, the comm id, the entry idx). */
const SLOT_MEMO = 3;
/** Where a LocTable slot's memo words start: after hi, lo and the Loc id. */
const SLOT_MEMO_AT = 3;
/** Int32 words per LocTable slot: hi, lo, Loc id, then the memo words. */
const SLOT = SLOT_MEMO_AT + SLOT_MEMO;

/**
 * A table from u64 addresses (u32 halves) to Loc ids: open addressing in one
 * Int32Array (per slot: hi, lo, id, then SLOT_MEMO words; filled up to 3/4), no boxed keys or
 * per-entry objects. A hit reads one slot and no Loc object: the per-sample path takes the id
 * (ResolvedSample.selfId), and the memo words beside it (what Hists derived from that Loc: its
 * entry) come in the same cache line.
 */
class LocTable {
  slots = new Int32Array(SLOT * 32); // small: most DSOs see few addresses
  private mask = 31;
  private count = 0;
  private static hash(hi: number, lo: number): number {
    let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi + 0x632be5ab, 0xc2b2ae35);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
  }
  /** The word index of the slot of (hi, lo) in `slots`; that of the empty slot where it would go when absent (its id word 0). */
  find(hi: number, lo: number): number {
    const s = this.slots, mask = this.mask;
    hi |= 0; lo |= 0;
    for (let i = LocTable.hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      const j = i * SLOT, v = s[j + 2];
      if (v === 0 || (s[j + 1] === lo && s[j] === hi)) return j;
    }
  }
  /** The Loc id of (hi, lo), 0 when not in the table. */
  get(hi: number, lo: number): number { return this.slots[this.find(hi, lo) + 2]; }
  /** Adds (hi, lo) → id (> 0); the address must not be in the table. Returns the word index of its slot. */
  set(hi: number, lo: number, id: number): number {
    this.count++;
    hi |= 0; lo |= 0;
    let j = this.find(hi, lo);
    const s = this.slots;
    s[j] = hi; s[j + 1] = lo; s[j + 2] = id;
    if (this.count * 4 > this.mask * 3) {
      const old = this.slots;
      this.mask = this.mask * 2 + 1;
      const t = this.slots = new Int32Array(SLOT * (this.mask + 1));
      for (let k = 0; k < old.length; k += SLOT) {
        if (old[k + 2] === 0) continue;
        const at = this.find(old[k], old[k + 1]);
        for (let w = 0; w < SLOT; w++) t[at + w] = old[k + w];
      }
      j = this.find(hi, lo);
    }
    return j;
  }
}

/** A map of a process or the kernel. */
export interface MapEntry {
  start: number;
  end: number;
  pgoff: number;
  dso: DsoInfo;
  /** identity map_ip (anonymous/JIT maps): the DSO address is the ip itself. */
  identity: boolean;
}

/** A process's address space: maps sorted by start, no overlaps. Shared by a process's threads. */
export class Maps {
  entries: MapEntry[] = [];
  private last: MapEntry | undefined;
  private lowest: Map<DsoInfo, number> | undefined;

  /** The lowest start of this DSO's maps (perf's read_unwind_spec_eh_frame walks every map for it). */
  lowestStart(dso: DsoInfo): number {
    const c = this.lowest ??= new Map();
    let v = c.get(dso);
    if (v === undefined) {
      v = NaN;
      for (const m of this.entries) if (m.dso === dso) { v = m.start; break; }
      c.set(dso, v);
    }
    return v;
  }
  /** The starts of `entries` (that array: insert() makes a new one), made at the first find() after a change: the search reads no MapEntry but the one found. */
  private starts: Float64Array | undefined;
  private startsOf: MapEntry[] | undefined;

  find(ip: number): MapEntry | undefined {
    const l = this.last;
    if (l && ip >= l.start && ip < l.end) return l;
    const e = this.entries;
    let s = this.starts;
    if (s === undefined || this.startsOf !== e) {
      this.startsOf = e;
      s = this.starts = new Float64Array(e.length);
      for (let k = 0; k < e.length; k++) s[k] = e[k].start;
    }
    // the last map starting at or below ip (maps are sorted and do not overlap)
    let lo = 0, hi = s.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (s[mid] <= ip) lo = mid + 1; else hi = mid; }
    if (lo === 0) return undefined;
    const m = e[lo - 1];
    if (ip >= m.end) return undefined;
    this.last = m;
    return m;
  }

  /** Inserts a map, cutting the parts of older maps it overlaps (maps__fixup_overlappings). */
  insert(m: MapEntry): void {
    this.last = undefined;
    this.lowest = undefined;
    const out: MapEntry[] = [];
    let placed = false;
    for (const o of this.entries) {
      if (o.end <= m.start || o.start >= m.end) {
        if (!placed && o.start >= m.end) { out.push(m); placed = true; }
        out.push(o);
        continue;
      }
      if (o.start < m.start) out.push({ ...o, end: m.start });
      if (!placed) { out.push(m); placed = true; }
      if (o.end > m.end) out.push({ ...o, start: m.end, pgoff: o.identity ? o.pgoff : o.pgoff + (m.end - o.start) });
    }
    if (!placed) out.push(m);
    this.entries = out;
  }

  clone(): Maps {
    const c = new Maps();
    c.entries = this.entries.slice();
    return c;
  }
}

/** Comm texts as dense ids (Thread.commId), shared by all machines: equal texts, equal ids. */
const commIds = new Map<string, number>();

export class Thread {
  private text = '';
  /** A dense id of the comm text (equal texts, equal ids): what per-sample keys compare. */
  commId = -1;
  commSet = false;
  exited = false;
  ppid = -1;
  constructor(public pid: number, readonly tid: number, public maps: Maps) {
    this.comm = `:${tid}`;
  }
  get comm(): string { return this.text; }
  set comm(c: string) {
    this.text = c;
    let id = commIds.get(c);
    if (id === undefined) { id = commIds.size; commIds.set(c, id); }
    this.commId = id;
  }
}

/** The resolved frames of one sample; reused across samples (read it before the next resolve). */
export class ResolvedSample {
  thread!: Thread;
  /** The sample's cpumode (misc & 7). */
  cpumode = 0;
  cpu = -1;
  period = 0;
  /** Frames, innermost first: frames[0] is the sample ip. */
  frames: Loc[] = [];
  /**
   * frames[0]'s id while frames[0] is selfLoc (what resolve() set): a consumer reads the id
   * without the Loc object (one memory access less per sample).
   */
  selfId = 0;
  selfLoc: Loc | undefined = undefined;
  /**
   * With selfLoc: the SLOT_MEMO words beside the sample ip's cache slot (at selfMemoAt), where a
   * consumer may keep what it derived from that Loc, tagged so it knows its own; undefined when the
   * Loc has no slot. Only a cache: a table grown since leaves the words in its old array.
   */
  selfMemo: Int32Array | undefined = undefined;
  selfMemoAt = 0;
  /** Callchain frames (perf's callchain cursor): frames[0..n) from the callchain, innermost first; 0 without callchains. */
  chain: Loc[] = [];
  chainLength = 0;
  /**
   * The raw address of each chain entry (perf's callchain node ip, what a children-mode hist
   * entry keeps as he->ip): exact below 2^53, kernel addresses approximate.
   */
  chainIps: number[] = [];
  /** Per chain entry, a srcline perf's callchain node carries (addr2line's inline records of unwound frames); else unset. */
  chainSrclines: (string | undefined)[] | undefined;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function isAnon(name: string): boolean {
  return name.startsWith('//anon') || name.startsWith('/dev/zero') || name.startsWith('/anon_hugepage');
}
function isNoDso(name: string): boolean {
  return name.startsWith('[stack') || name.startsWith('/SYSV') || name === '[heap]';
}

/** The machine: threads, maps, DSOs, symbols. Feed it every record with process(), resolve samples with resolve(). */
export class Machine {
  readonly threads = new Map<number, Thread>();
  readonly dsos = new Map<string, DsoInfo>();
  readonly symbolizer: Symbolizer;
  readonly buildIds = new Map<string, string>();
  /** Long names of the BUILD_ID feature's DSOs in its order (see DsoInfo.rank). */
  private readonly headerDsoRank = new Map<string, number>();
  /** Kernel-side maps of KSYMBOL records (bpf programs, trampolines). */
  readonly ksymMaps: { startHi: number; startLo: number; end: number; start: number; dso: DsoInfo; sym: SymInfo }[] = [];
  /** Whether a kernel map ([kernel.kallsyms]_text) was seen. */
  kernelMapSeen = false;
  kernelDso: DsoInfo;
  private kernelSyms: KernelSymbols | undefined | null = null;
  private readonly moduleDsos = new Map<string, DsoInfo>();
  /** Every Loc made, by id (ids are dense from 1). */
  private readonly locs: Loc[] = [undefined as unknown as Loc];
  private nextSymId = 1;
  private readonly inlineLocs = new Map<Loc, Map<string, Loc>>();
  private readonly inlineSyms = new Map<SymInfo, Map<string, SymInfo>>();
  private unknownLocs = new Map<string, Loc>();
  private unwinder: DwarfUnwinder | undefined;
  private unwindThread: Thread | undefined;
  private readonly unwindPcs: number[] = [];
  private readonly kernelLocs = new LocTable();
  /** Per kallsyms symbol position and per module id: the SymInfo and DSO made for it. */
  /** kallsyms symbol index → its SymInfo, for the symbols seen (a few thousand of ~100k+: not an array by index). */
  private readonly kernelSymInfos = new Map<number, SymInfo>();
  private kernelSymsOf: KernelSymbols | undefined = undefined;
  private readonly kernelModuleDsos: (DsoInfo | undefined)[] = [];
  /** resolve's last thread (findnewThread by tid, pid), until a record changes the threads. */
  private lastThread: Thread | undefined = undefined;
  /**
   * resolve's threads by tid & 255 (system-wide samples switch threads often), valid while
   * threadGen[slot] is gen: a side-band record (which may replace a tid's thread) bumps gen.
   */
  private readonly threadCache: (Thread | undefined)[] = new Array<Thread | undefined>(256).fill(undefined);
  private readonly threadGen = new Int32Array(256);
  private gen = 1;
  /** The slots array and word index of the last LocTable slot userLocAt or kernelLoc found or filled. */
  private slotsOfLast: Int32Array | undefined = undefined;
  private slotOfLast = 0;

  constructor(readonly file: PerfDataFile | undefined, readonly opts: MachineOptions) {
    // DWARF is read only when asked (inline frames, source lines): symbol lookups don't touch it.
    this.symbolizer = opts.symbolizer ?? new Symbolizer(opts.loader, { debugInfo: dwarfDebugInfo, rankName: opts.rankName ?? opts.demangle });
    if (file && file.features.has(Feature.BUILD_ID)) {
      try {
        const bytes = file.readFeature(Feature.BUILD_ID);
        if (bytes) {
          const entries = decodeFeature(Feature.BUILD_ID, bytes, { littleEndian: file.littleEndian, file: file.name, fileOffset: file.features.get(Feature.BUILD_ID)?.offset });
          for (const e of entries) {
            this.buildIds.set(e.filename, toHex(e.buildId));
            if (!this.headerDsoRank.has(e.filename)) this.headerDsoRank.set(e.filename, this.headerDsoRank.size);
          }
        }
      } catch { /* a damaged BUILD_ID section: symbolize without build-ids */ }
    }
    this.kernelDso = this.dso('[kernel.kallsyms]', '[kernel.kallsyms]', 'kernel');
    const idle = this.findnewThread(0, 0);
    idle.comm = 'swapper'; idle.commSet = true;
  }

  /** Interned DSO by long name. */
  dso(longName: string, shortName = basename(longName), kind: DsoInfo['kind'] = 'user'): DsoInfo {
    let d = this.dsos.get(longName);
    if (!d) {
      d = new DsoInfo(longName, shortName, kind, this.buildIds.get(longName));
      d.id = this.dsos.size;
      d.rank = this.headerDsoRank.get(longName) ?? this.headerDsoRank.size + d.id;
      this.dsos.set(longName, d);
    }
    return d;
  }

  findThread(tid: number): Thread | undefined { return this.threads.get(tid); }

  /** machine__findnew_thread. */
  findnewThread(pid: number, tid: number): Thread {
    let t = this.threads.get(tid);
    if (t) {
      if (t.pid === -1 && pid !== -1 && pid !== t.pid) {
        t.pid = pid;
        if (pid !== tid) t.maps = this.findnewThread(pid, pid).maps;
      }
      return t;
    }
    const maps = pid === tid || pid === -1 ? new Maps() : this.findnewThread(pid, pid).maps;
    t = new Thread(pid, tid, maps);
    this.threads.set(tid, t);
    return t;
  }

  /** Applies a side-band record (COMM, FORK, EXIT, MMAP, MMAP2, KSYMBOL); other types are ignored. */
  process(rec: PerfRecord): void {
    const t = rec.type;
    if (t === RecordType.SAMPLE || t >= 64) return;
    this.lastThread = undefined;
    this.gen++;
    const b = rec.bytes;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const le = this.file ? this.file.littleEndian : true;
    const u64 = (o: number) => le ? v.getUint32(o + 4, true) * TWO32 + v.getUint32(o, true) : v.getUint32(o, false) * TWO32 + v.getUint32(o + 4, false);
    const cstr = (from: number) => {
      let e = from;
      while (e < b.length && b[e] !== 0) e++;
      return UTF8.decode(b.subarray(from, e));
    };
    switch (t) {
      case RecordType.COMM: {
        const pid = v.getInt32(8, le), tid = v.getInt32(12, le);
        const th = this.findnewThread(pid, tid);
        th.comm = cstr(16);
        th.commSet = true;
        return;
      }
      case RecordType.FORK: {
        const pid = v.getInt32(8, le), ppid = v.getInt32(12, le), tid = v.getInt32(16, le), ptid = v.getInt32(20, le);
        const parent = this.findnewThread(ppid, ptid);
        if (this.threads.has(tid)) this.threads.delete(tid);
        const th = this.findnewThread(pid, tid);
        if (parent.commSet) { th.comm = parent.comm; th.commSet = true; }
        th.ppid = parent.tid;
        if (th.pid !== parent.pid && th.maps !== parent.maps && !(rec.misc & MISC_FORK_EXEC)) th.maps = parent.maps.clone();
        if (th.pid !== parent.pid && th.pid === th.tid) {
          // Threads of the new process created later share these maps through findnewThread.
        }
        return;
      }
      case RecordType.EXIT: {
        const tid = v.getInt32(16, le);
        const th = this.threads.get(tid);
        if (th) th.exited = true;
        return;
      }
      case RecordType.MMAP:
      case RecordType.MMAP2: {
        const pid = v.getInt32(8, le), tid = v.getInt32(12, le);
        const addrHi = le ? v.getUint32(20, true) : v.getUint32(16, false);
        const addrLo = le ? v.getUint32(16, true) : v.getUint32(20, false);
        const len = u64(24), pgoff = u64(32);
        let nameAt = 40;
        // MMAP has no prot: perf takes PROT_EXEC unless MISC_MMAP_DATA (machine__process_mmap_event)
        let prot = rec.misc & Misc.MMAP_DATA ? 0 : 4;
        if (t === RecordType.MMAP2) {
          let buildId: string | undefined;
          if (rec.misc & Misc.MMAP_BUILD_ID) buildId = toHex(b.subarray(44, 44 + Math.min(b[40], 20)));
          prot = v.getUint32(64, le);
          nameAt = 72;
          const name = cstr(nameAt);
          if (buildId && !this.buildIds.has(name)) this.buildIds.set(name, buildId);
          this.mmap(rec.misc, pid, tid, addrHi, addrLo, len, pgoff, prot, name);
        } else {
          this.mmap(rec.misc, pid, tid, addrHi, addrLo, len, pgoff, prot, cstr(nameAt));
        }
        return;
      }
      case RecordType.KSYMBOL: {
        const addrHi = le ? v.getUint32(12, true) : v.getUint32(8, false);
        const addrLo = le ? v.getUint32(8, true) : v.getUint32(12, false);
        const len = v.getUint32(16, le), ksymType = v.getUint16(20, le), flags = v.getUint16(22, le);
        const name = cstr(24);
        if (flags & 1) return; // PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER: perf removes the map; keep the symbol for earlier samples
        const dso = ksymType === KSYM_TYPE_OOL ? this.kernelDso : this.dso(name, name, 'bpf');
        const start = addrHi * TWO32 + addrLo;
        const sym: SymInfo = { name, start, startHex: hexOfHalves(addrHi, addrLo), dso, id: this.nextSymId++ };
        this.ksymMaps.push({ startHi: addrHi, startLo: addrLo, start, end: start + len, dso, sym });
        return;
      }
      default:
        return;
    }
  }

  private mmap(misc: number, pid: number, tid: number, addrHi: number, addrLo: number, len: number, pgoff: number, prot: number, name: string): void {
    const cpumode = misc & Misc.CPUMODE_MASK;
    if (pid === -1 || cpumode === Misc.KERNEL || cpumode === Misc.GUEST_KERNEL) {
      if (name.startsWith('[kernel.kallsyms]') || name.startsWith('[guest.kernel.kallsyms')) this.kernelMapSeen = true;
      return; // kernel and module maps: symbols come from kallsyms, which knows module ranges
    }
    // Data maps (a recording with mmap_data: --call-graph dwarf, -d) join the thread's maps as in
    // perf 6.1 (one maps tree): a wild callchain address in [stack] or a DSO's data prints so.
    const th = this.findnewThread(pid, tid);
    const start = addrHi * TWO32 + addrLo;
    let dso: DsoInfo;
    let identity = false;
    const noFile = isAnon(name) || isNoDso(name);
    if (noFile && prot & 4) {
      const p = `/tmp/perf-${pid}.map`;
      dso = this.dso(p, `[JIT] tid ${pid}`, 'jit'); // perf 6.1's short name for perf-PID.map DSOs
      identity = true;
    } else if (noFile) {
      dso = this.dso(name, basename(name), 'anon'); // map__new: identity map_ip, a DSO loaded with no symbols
      identity = true;
    } else if (name === '[vdso]') {
      dso = this.dso('[vdso]', '[vdso]', 'vdso');
    } else {
      dso = this.dso(name);
    }
    th.maps.insert({ start, end: start + len, pgoff, dso, identity });
  }

  private kernelSymbols(): KernelSymbols | undefined {
    if (this.kernelSyms !== null) return this.kernelSyms;
    this.kernelSyms = undefined;
    const want = this.buildIds.get('[kernel.kallsyms]');
    const running = this.opts.runningKernelBuildId?.();
    try {
      if (!want || (running && running === want)) {
        const k = this.opts.kallsyms?.();
        if (k) this.kernelSyms = KernelSymbols.fromText(k.kallsyms, k.modules);
      } else if (this.opts.loader.homeDir) {
        const b = this.opts.loader.readFile(`${this.opts.loader.homeDir}/.debug/[kernel.kallsyms]/${want}/kallsyms`);
        if (b) this.kernelSyms = KernelSymbols.fromText(b);
      }
    } catch { this.kernelSyms = undefined; }
    if (this.kernelSyms && this.kernelSyms.restricted) this.kernelSyms = undefined;
    return this.kernelSyms;
  }

  /**
   * The location of an inlined function's frame at `loc` (perf's callchain entry with a made-up
   * inline symbol: same DSO, level and address; the symbol named `name`, starting where loc's
   * symbol starts). Interned per (loc, name): equal inline frames are one hist entry.
   */
  inlinedLoc(loc: Loc, name: string): Loc {
    const base = loc.sym;
    if (!base) return loc;
    const byName = (this.inlineLocs.get(loc) ?? this.inlineLocs.set(loc, new Map()).get(loc)!);
    let l = byName.get(name);
    if (!l) {
      let syms = this.inlineSyms.get(base);
      if (!syms) { syms = new Map(); this.inlineSyms.set(base, syms); }
      let sym = syms.get(name);
      if (!sym) { sym = { name, start: base.start, startHex: base.startHex, dso: base.dso, id: this.nextSymId++, inlined: true }; syms.set(name, sym); }
      l = { dso: loc.dso, sym, level: loc.level, addrHex: loc.addrHex, offset: loc.offset, id: this.locs.length };
      this.locs.push(l);
      byName.set(name, l);
    }
    return l;
  }

  /** A new AddrLoc with the next id, kept in locs. */
  private newLoc(dso: DsoInfo | undefined, sym: SymInfo | undefined, level: string, hi: number, lo: number, offset: number, relAddr?: number): AddrLoc {
    const l = new AddrLoc(dso, sym, level, hi, lo, offset, this.locs.length, relAddr);
    this.locs.push(l);
    return l;
  }

  /** The Loc of an id (from a LocTable or ResolvedSample.selfId). */

  private unknownLoc(level: string, hi: number, lo: number): Loc {
    const k = level + hexOfHalves(hi, lo);
    let l = this.unknownLocs.get(k);
    if (!l) { l = this.newLoc(undefined, undefined, level, hi, lo, 0); this.unknownLocs.set(k, l); }
    return l;
  }

  /** A kernel address (hi, lo) → Loc id (callchain entries too: kernel addresses are not map-relative). */
  private kernelLoc(hi: number, lo: number, level: string): number {
    const table = this.kernelLocs;
    const at = table.find(hi, lo), known = table.slots[at + 2];
    if (known !== 0) { this.slotsOfLast = table.slots; this.slotOfLast = at; return known; }
    let l: Loc | undefined;
    const addr = hi * TWO32 + lo;
    for (const m of this.ksymMaps) {
      if (addr >= m.start && addr < m.end) {
        // Exact: the halves' differences are exact doubles and the sum rounds once, as Number(bigint) does.
        const off = (hi - m.startHi) * TWO32 + (lo - m.startLo);
        l = this.newLoc(m.dso, m.sym, level, hi, lo, off);
        break;
      }
    }
    if (!l) {
      const ks = this.kernelSymbols();
      const i = ks ? ks.findAt(hi, lo) : -1;
      if (i >= 0) {
        const sym = this.kernelSym(ks!, i);
        const sHi = ks!.startHiAt(i), sLo = ks!.startLoAt(i);
        l = this.newLoc(sym.dso, sym, level, hi, lo, (hi - sHi) * TWO32 + (lo - sLo));
      } else if (this.kernelMapSeen || ks) {
        l = this.newLoc(this.kernelDso, undefined, level, hi, lo, 0);
      } else {
        l = this.unknownLoc(level, hi, lo);
      }
    }
    this.slotOfLast = table.set(hi, lo, l.id);
    this.slotsOfLast = table.slots;
    return l.id;
  }

  /** The SymInfo of kallsyms symbol i (one per symbol: KernelSymbols keeps one symbol per start address). */
  private kernelSym(ks: KernelSymbols, i: number): SymInfo {
    if (this.kernelSymsOf !== ks) { this.kernelSymInfos.clear(); this.kernelSymsOf = ks; }
    let sym = this.kernelSymInfos.get(i);
    if (sym) return sym;
    const mid = ks.moduleIdAt(i);
    let dso = this.kernelModuleDsos[mid];
    if (!dso) { const mod = ks.table.moduleNames[mid]; dso = this.kernelModuleDsos[mid] = mod ? this.moduleDso(mod) : this.kernelDso; }
    const sHi = ks.startHiAt(i), sLo = ks.startLoAt(i);
    sym = { name: ks.nameAt(i), start: sHi * TWO32 + sLo, startHex: hexOfHalves(sHi, sLo), dso, id: this.nextSymId++ };
    this.kernelSymInfos.set(i, sym);
    return sym;
  }

  private moduleDso(mod: string): DsoInfo {
    let d = this.moduleDsos.get(mod);
    if (!d) { d = this.dso(`[${mod}]`, `[${mod}]`, 'kernel'); this.moduleDsos.set(mod, d); }
    return d;
  }

  private loadElf(dso: DsoInfo): ElfDso | undefined {
    if (dso.elf !== null) return dso.elf;
    dso.elf = undefined;
    try {
      if (dso.kind === 'vdso') {
        const bytes = this.opts.vdso?.();
        if (bytes) {
          const loader: SymbolLoader = { readFile: (p) => (p === '[vdso]' ? bytes : undefined) };
          dso.elf = new Symbolizer(loader, { searchDebugFiles: false }).dso('[vdso]');
        }
      } else if (dso.kind === 'user') {
        dso.elf = this.symbolizer.dso(dso.longName, dso.buildId);
      }
    } catch { dso.elf = undefined; }
    return dso.elf;
  }

  private loadJit(dso: DsoInfo): JitSymbols | undefined {
    if (dso.jit !== null) return dso.jit;
    dso.jit = undefined;
    const b = this.opts.loader.readFile(dso.longName);
    if (b) { try { dso.jit = JitSymbols.fromText(b, dso.longName); } catch { dso.jit = undefined; } }
    return dso.jit;
  }

  /** A user address (< 2^53) of a thread → Loc. `raw`: a callchain entry (unresolved ones key by raw ip). */
  userLoc(th: Thread, ip: number, level: string, raw: boolean): Loc {
    return this.locs[this.userLocAt(th, Math.floor(ip / TWO32), ip >>> 0, level, raw)];
  }

  /** userLoc's id for the address hi * 2^32 + lo (u32 halves as arguments: no boxed double per call). */
  private userLocAt(th: Thread, hi: number, lo: number, level: string, raw: boolean): number {
    const ip = hi * TWO32 + lo;
    const m = th.maps.find(ip);
    if (!m) return this.unknownLoc(level, hi, lo).id;
    const dso = m.dso;
    const rel = m.identity ? ip : ip - m.start + m.pgoff;
    const relHi = Math.floor(rel / TWO32), relLo = rel >>> 0;
    const cache = dso.cache ??= new LocTable();
    let at = cache.find(relHi, relLo), id = cache.slots[at + 2];
    if (id === 0) {
      id = this.lookupInDso(dso, rel, level).id;
      at = cache.set(relHi, relLo, id);
    }
    this.slotsOfLast = cache.slots; this.slotOfLast = at;
    if (raw && this.locs[id].sym === undefined) {
      const rawCache = dso.rawCache ??= new LocTable();
      let r = rawCache.get(hi, lo);
      if (r === 0) { r = this.newLoc(dso, undefined, level, hi, lo, 0, rel).id; rawCache.set(hi, lo, r); }
      return r;
    }
    return id;
  }

  private lookupInDso(dso: DsoInfo, rel: number, level: string): Loc {
    let sym: SymInfo | undefined;
    let offset = 0;
    if (dso.kind === 'jit') {
      const j = this.loadJit(dso);
      const s = j?.find(rel);
      if (s) {
        const key = s.start;
        sym = dso.syms.get(key);
        if (!sym || sym.name !== s.name) { sym = { name: s.name, start: s.start, startHex: s.start.toString(16), dso, id: this.nextSymId++ }; dso.syms.set(key, sym); }
        offset = rel - s.start;
      }
    } else {
      const e = this.loadElf(dso);
      if (e) {
        const a = e.addressOfFileOffsetNumber(rel);
        if (a !== undefined) {
          const i = e.symbols.findIndex(a);
          if (i >= 0) {
            sym = dso.syms.get(i);
            if (!sym) {
              const ent = e.symbols.entry(i);
              sym = { name: this.opts.demangle ? this.opts.demangle(ent.name) : ent.name, start: Number(ent.start), startHex: ent.start.toString(16), dso, id: this.nextSymId++ };
              dso.syms.set(i, sym);
            }
            offset = a - sym.start;
          }
        }
      }
    }
    return this.newLoc(dso, sym, level, Math.floor(rel / TWO32), rel >>> 0, offset);
  }

  /** An address with a cpumode → Loc (perf's thread__find_symbol). */
  locate(th: Thread, cpumode: number, hi: number, lo: number, raw: boolean): Loc {
    return this.locs[this.locateId(th, cpumode, hi, lo, raw)];
  }

  /** locate's Loc id. */
  private locateId(th: Thread, cpumode: number, hi: number, lo: number, raw: boolean): number {
    switch (cpumode) {
      case Misc.KERNEL: return this.kernelLoc(hi, lo, 'k');
      case Misc.GUEST_KERNEL: return this.unknownLoc('g', hi, lo).id;
      case Misc.GUEST_USER: return this.unknownLoc('u', hi, lo).id;
      case Misc.HYPERVISOR: return this.unknownLoc('H', hi, lo).id;
      default:
        if (hi >= 0x200000) return this.unknownLoc('.', hi, lo).id;
        return this.userLocAt(th, hi, lo, '.', raw);
    }
  }

  /**
   * Resolves a decoded sample: thread, the sample ip's Loc (frames[0] / out.frames) and its callchain
   * (out.chain, innermost first, markers removed). `out` is reused.
   */
  resolve(s: PerfSample, out: ResolvedSample = new ResolvedSample(), withChain = true): ResolvedSample {
    // samples of one thread come in runs: skip the lookup while nothing changed the threads
    const lt = this.lastThread;
    let th: Thread;
    if (lt !== undefined && lt.tid === s.tid && lt.pid === s.pid) th = lt;
    else {
      const k = s.tid & 255, c = this.threadCache[k];
      if (c !== undefined && this.threadGen[k] === this.gen && c.tid === s.tid && c.pid === s.pid) th = c;
      else { th = this.findnewThread(s.pid, s.tid); this.threadCache[k] = th; this.threadGen[k] = this.gen; }
      this.lastThread = th;
    }
    out.thread = th;
    const cpumode = s.misc & Misc.CPUMODE_MASK;
    out.cpumode = cpumode;
    out.cpu = s.cpu;
    out.period = s.sampleType & SampleType.PERIOD ? s.period : Number(s.event?.attr.samplePeriod ?? 0);
    this.slotsOfLast = undefined;
    const id = this.locateId(th, cpumode, s.ipHi, s.ipLo, false);
    out.selfMemo = this.slotsOfLast;
    out.selfMemoAt = this.slotOfLast + SLOT_MEMO_AT;
    out.selfId = id;
    out.selfLoc = out.frames[0] = this.locs[id];
    let n = 0;
    const chain = out.chain;
    if (withChain && s.sampleType & SampleType.CALLCHAIN) {
      let mode: number = Misc.USER;
      const cc = s.callchain;
      chain: for (let i = 0; i < s.callchainNr; i++) {
        const lo = cc[2 * i], hi = cc[2 * i + 1];
        if (hi === PERF_CONTEXT_HI && lo >= 0xfffff001) {
          switch (lo) {
            case 0xffffffe0: mode = Misc.HYPERVISOR; break;
            case 0xffffff80: mode = Misc.KERNEL; break;
            case 0xfffffe00: mode = Misc.USER; break;
            default:
              // perf 6.1's add_callchain_ip knows only these three contexts: any other value at or
              // above PERF_CONTEXT_MAX (a guest context, or a frame-pointer walk that read e.g.
              // 0xffffffffffffffb8 as a return address) means "the callchain is corrupted.
              // Discard all": the cursor is reset and the sample has no call chain.
              n = 0;
              break chain;
          }
          continue;
        }
        out.chainIps[n] = hi * TWO32 + lo;
        chain[n++] = this.locs[this.locateId(th, mode, hi, lo, true)];
      }
    }
    // perf's thread__resolve_callchain_unwind: "Bail out if nothing was captured" (no registers, or a
    // stack dump of size 0: not even the sampled ip is a user frame then).
    if (withChain && this.opts.unwind !== false && s.regsUser && s.regsUser.abi !== 0n && s.stackUser && s.stackUserDynSize > 0 && s.event) {
      const pcs = this.unwindUser(th, s);
      const interrupted = this.unwinder!.interrupted;
      for (let i = 0; i < pcs.length; i++) {
        // perf decrements return addresses into the call, not the sampled ip nor a pc a signal
        // interrupted (unw_is_signal_frame), and drops a frame whose pc is then 0 (`ips[j] ? entry() : 0`)
        const dec = i === 0 || interrupted[i] ? 0 : 1;
        const pc = pcs[i] - dec;
        if (pc === 0) continue;
        out.chainIps[n] = pc;
        if (pc < 0) { // a return address of 0 (libunwind still counts it a frame): perf prints 0 - 1
          chain[n++] = this.locs[this.userLocAt(th, 0xffffffff, 0xffffffff, '.', true)];
        } else if (pc >= 2 ** 53) { // garbage above 2^53: printed from its exact u32 halves when known
          const x = this.unwinder!.exact(pcs[i]);
          const lo = x ? (x[1] - dec) >>> 0 : pc >>> 0;
          const hi = x ? x[0] - (dec && x[1] === 0 ? 1 : 0) : Math.floor(pc / TWO32);
          chain[n++] = this.locs[this.userLocAt(th, hi, lo, '.', true)];
        } else {
          chain[n++] = this.userLoc(th, pc, '.', true);
        }
      }
    }
    out.chainLength = n;
    return out;
  }

  private unwindUser(th: Thread, s: PerfSample): number[] {
    if (!this.unwinder) {
      this.unwinder = new DwarfUnwinder((pc) => this.findModule(pc), 127, (addr) => this.unwindRead(addr));
    }
    this.unwindThread = th;
    return this.unwinder.unwind({ regs: s.regsUser!.regs, mask: Number(s.event!.attr.sampleRegsUser), stack: s.stackUser!, stackSize: s.stackUserDynSize }, this.unwindPcs);
  }

  /** perf's access_dso_mem for the unwinder: no map → undefined; a DSO's file bytes; else 0. */
  private unwindRead(addr: number): number | undefined {
    const th = this.unwindThread;
    const m = th?.maps.find(addr);
    if (!m) return undefined;
    if (m.identity) return 0;
    const e = this.loadElf(m.dso);
    if (!e) return 0;
    try {
      const b = e.elf.range(addr - m.start + m.pgoff, 8, 'unwinder read');
      const lo = (b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24) >>> 0, hi = (b[4] | b[5] << 8 | b[6] << 16 | b[7] << 24) >>> 0;
      return hi * TWO32 + lo;
    } catch { return 0; }
  }

  private findModule(pc: number): MappedModule | undefined {
    const th = this.unwindThread;
    if (!th) return undefined;
    const m = th.maps.find(pc);
    if (!m || m.identity) return undefined;
    const dso = m.dso;
    const e = this.loadElf(dso);
    if (!e) return undefined;
    if (dso.cfi === null) {
      try { dso.cfi = cfiModuleFromElf(e.elf); } catch { dso.cfi = undefined; }
      const load = e.elf.programHeaders.find((p) => p.type === PT_LOAD);
      dso.elfBase = load ? Number(load.vaddr) - Number(load.offset) : 0;
    }
    if (!dso.cfi) return undefined;
    const off = dso.kind === 'vdso' ? 0 : m.pgoff;
    const a = e.addressOfFileOffsetNumber(off);
    if (a === undefined) return undefined;
    const bias = m.start - a;
    // perf 6.1 places .eh_frame_hdr at the lowest start of *any* of the thread's maps of this DSO
    // minus elf_base_address. perf keeps a process's maps across exec, so after a re-exec an older
    // mapping of the DSO can be lower: its FDE lookups then fail and libunwind guesses frames.
    return { cfi: dso.cfi, bias, ehFrameMisplaced: th.maps.lowestStart(dso) - dso.elfBase !== bias };
  }
}

/** perf's sample period: PERF_SAMPLE_PERIOD's value, else attr.sample_period. */
export function samplePeriod(s: PerfSample): number {
  return s.sampleType & SampleType.PERIOD ? s.period : Number(s.event?.attr.samplePeriod ?? 0);
}
