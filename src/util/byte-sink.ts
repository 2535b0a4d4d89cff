// Byte sinks: where writers put bytes without doing I/O themselves (the mirror of byte-source.ts).
// A ByteSink appends in order (a pipe, stdout); a RandomAccessSink can also patch bytes already
// written (perf.data's header is written last, at offset 0). All calls are synchronous, so a
// writer can be finished from a signal handler path without awaiting anything.
import { closeSync, fsyncSync, fstatSync, openSync, writeSync } from 'node:fs';

export interface ByteSink {
  readonly name: string;
  /** Bytes appended so far: the offset the next write() lands at. */
  readonly position: number;
  /** Appends `bytes`. The sink may buffer; the caller may reuse `bytes` after the call returns. */
  write(bytes: Uint8Array): void;
  /** Pushes buffered bytes to the destination. */
  flush(): void;
  /** Flushes and releases the destination (closes a file the sink opened). */
  close(): void;
}

export interface RandomAccessSink extends ByteSink {
  /** Overwrites bytes at `offset`, which must lie within [0, position]; appends past the end grow. */
  pwrite(offset: number, bytes: Uint8Array): void;
}

/** Writes all of `bytes` to `fd` (at `position`, or at the fd's offset when null), retrying on EAGAIN. */
function writeAll(fd: number, bytes: Uint8Array, position: number | null): void {
  let done = 0;
  while (done < bytes.byteLength) {
    try {
      done += writeSync(fd, bytes, done, bytes.byteLength - done, position === null ? null : position + done);
    } catch (e) {
      // stdout may be a non-blocking pipe; wait a little for the reader to drain it.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2); continue; }
      throw e;
    }
  }
}

const DEFAULT_BUFFER = 1 << 18;

/** Collects bytes in memory; supports pwrite. `bytes()` returns what was written. */
export class BufferSink implements RandomAccessSink {
  private buf: Uint8Array;
  private len = 0;
  constructor(readonly name = '<buffer>', initial = 1 << 16) { this.buf = new Uint8Array(initial); }
  get position(): number { return this.len; }
  private reserve(end: number): void {
    if (end <= this.buf.byteLength) return;
    let cap = this.buf.byteLength || 1;
    while (cap < end) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  write(bytes: Uint8Array): void {
    this.reserve(this.len + bytes.byteLength);
    this.buf.set(bytes, this.len);
    this.len += bytes.byteLength;
  }
  pwrite(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset > this.len) throw new RangeError(`pwrite at ${offset} outside 0..${this.len}`);
    this.reserve(offset + bytes.byteLength);
    this.buf.set(bytes, offset);
    this.len = Math.max(this.len, offset + bytes.byteLength);
  }
  flush(): void {}
  close(): void {}
  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array { return this.buf.subarray(0, this.len); }
}

/** Appends to a file descriptor it does not own (stdout, a pipe), buffering up to `bufferSize` bytes. */
export class FdStreamSink implements ByteSink {
  private buf: Uint8Array;
  private used = 0;
  private written = 0;
  constructor(private fd: number, readonly name = '<stdout>', bufferSize = DEFAULT_BUFFER) {
    this.buf = new Uint8Array(bufferSize);
  }
  get position(): number { return this.written + this.used; }
  write(bytes: Uint8Array): void {
    if (this.used + bytes.byteLength > this.buf.byteLength) this.flush();
    if (bytes.byteLength >= this.buf.byteLength) { writeAll(this.fd, bytes, null); this.written += bytes.byteLength; return; }
    this.buf.set(bytes, this.used);
    this.used += bytes.byteLength;
  }
  flush(): void {
    if (this.used === 0) return;
    writeAll(this.fd, this.buf.subarray(0, this.used), null);
    this.written += this.used;
    this.used = 0;
  }
  close(): void { this.flush(); }
}

/**
 * A file written from offset 0 (created or truncated), buffered, with pwrite for patching headers.
 * Also wraps an fd it does not own (e.g. stdout redirected to a regular file) when given a number.
 */
export class FileSink implements RandomAccessSink {
  private fd: number;
  private readonly owned: boolean;
  private buf: Uint8Array;
  private used = 0;
  private written = 0;
  readonly name: string;
  constructor(target: string | number, opts: { name?: string; bufferSize?: number; mode?: number } = {}) {
    if (typeof target === 'number') {
      this.fd = target;
      this.owned = false;
      this.name = opts.name ?? `<fd ${target}>`;
    } else {
      this.fd = openSync(target, 'w', opts.mode ?? 0o600);
      this.owned = true;
      this.name = opts.name ?? target;
    }
    this.buf = new Uint8Array(opts.bufferSize ?? DEFAULT_BUFFER);
  }
  /** True when `fd` refers to a regular file, where pwrite works. */
  static isRegularFile(fd: number): boolean {
    try { return fstatSync(fd).isFile(); } catch { return false; }
  }
  get position(): number { return this.written + this.used; }
  write(bytes: Uint8Array): void {
    if (this.used + bytes.byteLength > this.buf.byteLength) this.flush();
    if (bytes.byteLength >= this.buf.byteLength) {
      writeAll(this.fd, bytes, this.written);
      this.written += bytes.byteLength;
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.byteLength;
  }
  pwrite(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset > this.position) throw new RangeError(`pwrite at ${offset} outside 0..${this.position}`);
    this.flush();
    writeAll(this.fd, bytes, offset);
    this.written = Math.max(this.written, offset + bytes.byteLength);
  }
  flush(): void {
    if (this.used === 0) return;
    writeAll(this.fd, this.buf.subarray(0, this.used), this.written);
    this.written += this.used;
    this.used = 0;
  }
  /** Flushes and asks the kernel to put the bytes on disk. */
  sync(): void { this.flush(); fsyncSync(this.fd); }
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    if (this.owned) closeSync(this.fd);
    this.fd = -1;
  }
}
