// Node I/O for analysis/machine.ts's injected sources: the running kernel's kallsyms, modules and
// build-id (/sys/kernel/notes), and the [vdso] image of this process (the running kernel's).
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { nodeFileLoader, type NodeFileLoader } from './node-loader.js';

function read(path: string): Uint8Array | undefined {
  try { const b = readFileSync(path); return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); } catch { return undefined; }
}

/**
 * A /proc file, read through one growing buffer: such files report size 0, so readFileSync reads
 * them in 64 KB chunks and concatenates (for /proc/kallsyms, 5 MB, ~10 ms more than this).
 */
function readProc(path: string): Uint8Array | undefined {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return undefined; }
  try {
    // 8 MB holds a usual kallsyms; the pages not written to are never touched, so cost no memory.
    let buf = Buffer.allocUnsafeSlow(8 << 20), n = 0;
    for (;;) {
      if (n === buf.length) { const grown = Buffer.allocUnsafeSlow(buf.length * 2); buf.copy(grown, 0, 0, n); buf = grown; }
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } catch { return undefined; } finally { closeSync(fd); }
}

/** The GNU build-id note (type 3) in /sys/kernel/notes, hex; undefined when unreadable. */
export function runningKernelBuildId(): string | undefined {
  const b = read('/sys/kernel/notes');
  if (!b) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  while (p + 12 <= b.length) {
    const namesz = v.getUint32(p, true), descsz = v.getUint32(p + 4, true), type = v.getUint32(p + 8, true);
    const name = p + 12, desc = name + ((namesz + 3) & ~3);
    if (desc + descsz > b.length) break;
    if (type === 3 && namesz === 4 && b[name] === 0x47 && b[name + 1] === 0x4e && b[name + 2] === 0x55) {
      return Buffer.from(b.subarray(desc, desc + descsz)).toString('hex');
    }
    p = desc + ((descsz + 3) & ~3);
  }
  return undefined;
}

/** The [vdso] image mapped into this process. */
export function readVdso(): Uint8Array | undefined {
  try {
    const m = /^([0-9a-f]+)-([0-9a-f]+) .*\[vdso\]$/m.exec(readFileSync('/proc/self/maps', 'utf8'));
    if (!m) return undefined;
    const start = parseInt(m[1], 16), end = parseInt(m[2], 16);
    const buf = Buffer.alloc(end - start);
    const fd = openSync('/proc/self/mem', 'r');
    try { readSync(fd, buf, 0, buf.length, start); } finally { closeSync(fd); }
    return new Uint8Array(buf);
  } catch { return undefined; }
}

/** Everything analysis/machine.ts's MachineOptions needs, for this machine. `symfs` prefixes DSO paths. */
export function nodeMachineIo(opts: { symfs?: string } = {}): {
  loader: NodeFileLoader;
  kallsyms: () => { kallsyms: Uint8Array; modules?: Uint8Array } | undefined;
  runningKernelBuildId: () => string | undefined;
  vdso: () => Uint8Array | undefined;
} {
  return {
    loader: nodeFileLoader({ root: opts.symfs }),
    kallsyms: () => { const k = readProc('/proc/kallsyms'); return k ? { kallsyms: k, modules: readProc('/proc/modules') } : undefined; },
    runningKernelBuildId,
    vdso: readVdso,
  };
}
