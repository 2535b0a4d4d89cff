// The Node implementation of symbols/'s injected file loader (symbols/types.ts SymbolLoader):
// util/ may do I/O, symbols/ may not. Also reads the demangler's wasm from node_modules.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { preadFully } from './byte-source.js';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';

/** symbols/types.ts RandomAccessFile, structurally (util/ imports nothing of ours). */
export interface NodeRandomAccessFile {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export interface NodeFileLoader {
  readFile(path: string): Uint8Array | undefined;
  open(path: string): NodeRandomAccessFile | undefined;
  homeDir?: string;
  debugDirs?: string[];
}

/** Descriptors kept open at once per loader; files beyond it are reopened on their next read. */
const MAX_OPEN_FDS = 16;

/**
 * A file read by ranges with readSync. Its descriptor is opened on demand and may be closed by the
 * loader's LRU (or close()); a reopen checks that the file is still the same (inode, size, mtime),
 * else reads return no bytes, which the ELF reader reports as a FormatError.
 */
class RangedFile implements NodeRandomAccessFile {
  fd = -1;
  constructor(
    readonly path: string,
    readonly size: number,
    private readonly ino: number,
    private readonly mtimeMs: number,
    fd: number,
    private readonly pool: FdPool,
  ) { this.fd = fd; pool.opened(this); }

  read(offset: number, length: number): Uint8Array {
    const len = Math.max(0, Math.min(length, this.size - offset));
    if (len === 0) return new Uint8Array(0);
    if (this.fd < 0 && !this.reopen()) return new Uint8Array(0);
    this.pool.touch(this);
    const buf = new Uint8Array(len);
    const got = preadFully(this.fd, buf, offset);
    return got === len ? buf : buf.subarray(0, got);
  }

  private reopen(): boolean {
    let fd: number;
    try { fd = openSync(this.path, 'r'); } catch { return false; }
    const st = fstatSync(fd);
    if (st.ino !== this.ino || st.size !== this.size || st.mtimeMs !== this.mtimeMs) { closeSync(fd); return false; }
    this.fd = fd;
    this.pool.opened(this);
    return true;
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    this.pool.closed(this);
  }
}

/** The open RangedFiles of one loader, least recently read first (a Map keeps insertion order). */
class FdPool {
  private readonly open = new Map<RangedFile, true>();
  opened(f: RangedFile): void {
    this.open.set(f, true);
    while (this.open.size > MAX_OPEN_FDS) this.open.keys().next().value!.close();
  }
  touch(f: RangedFile): void { this.open.delete(f); this.open.set(f, true); }
  closed(f: RangedFile): void { this.open.delete(f); }
}

/**
 * Reads files with fs (readFileSync whole, or openSync/readSync by ranges); missing or unreadable
 * files are undefined. `root` prefixes every path (like perf --symfs).
 */
export function nodeFileLoader(opts: { root?: string; homeDir?: string; debugDirs?: string[] } = {}): NodeFileLoader {
  const root = opts.root ? opts.root.replace(/\/+$/, '') : '';
  const pool = new FdPool();
  return {
    readFile(path: string): Uint8Array | undefined {
      try {
        const b = readFileSync(root + path);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch {
        return undefined;
      }
    },
    open(path: string): NodeRandomAccessFile | undefined {
      let fd: number;
      try { fd = openSync(root + path, 'r'); } catch { return undefined; }
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) { closeSync(fd); return undefined; }
        return new RangedFile(root + path, st.size, st.ino, st.mtimeMs, fd, pool);
      } catch {
        closeSync(fd);
        return undefined;
      }
    },
    homeDir: opts.homeDir ?? homedir(),
    debugDirs: opts.debugDirs,
  };
}

/** The bytes of gecko-profiler-demangle's index_bg.wasm (see symbols/demangle.ts). */
export function readDemanglerWasm(): Uint8Array {
  const require = createRequire(import.meta.url);
  return new Uint8Array(readFileSync(require.resolve('gecko-profiler-demangle/index_bg.wasm')));
}
