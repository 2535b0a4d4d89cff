// Byte sources: how parsers get bytes without doing I/O themselves (CONVENTIONS.md 3).
// A RandomAccessSource serves ranges of a file or buffer; a StreamSource serves bytes in order
// (a pipe, stdin). File-backed sources live here in util/ so that formats/ stays free of I/O.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface RandomAccessSource {
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Returns up to `length` bytes at `offset` (fewer only at the end of the source). */
  read(offset: number, length: number): Uint8Array;
  /** Optional: reads up to target.length bytes at `offset` into `target` (no allocation); returns the count. */
  readInto?(offset: number, target: Uint8Array): number;
  close?(): void;
}

export interface StreamSource {
  readonly name: string;
  /** Reads up to `max` bytes into a new array; an empty array means end of stream. */
  next(max: number): Uint8Array;
  close?(): void;
}

/** Reads into all of `buf` from `offset` of an open file (short only at its end); returns the count. */
export function preadFully(fd: number, buf: Uint8Array, offset: number): number {
  let got = 0;
  while (got < buf.byteLength) {
    const n = readSync(fd, buf, got, buf.byteLength - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export class BufferSource implements RandomAccessSource {
  constructor(readonly bytes: Uint8Array, readonly name = '<buffer>') {}
  get size(): number { return this.bytes.byteLength; }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.subarray(Math.min(offset, this.bytes.byteLength), Math.min(offset + length, this.bytes.byteLength));
  }
}

export class FileSource implements RandomAccessSource {
  private fd: number;
  readonly size: number;
  constructor(readonly name: string) {
    this.fd = openSync(name, 'r');
    this.size = fstatSync(this.fd).size;
  }
  read(offset: number, length: number): Uint8Array {
    const len = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(len);
    const got = preadFully(this.fd, buf, offset);
    return got === len ? buf : buf.subarray(0, got);
  }
  readInto(offset: number, target: Uint8Array): number {
    const len = Math.max(0, Math.min(target.byteLength, this.size - offset));
    return preadFully(this.fd, len === target.byteLength ? target : target.subarray(0, len), offset);
  }
  close(): void { if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; } }
}

/** Reads a file descriptor in order (a pipe or stdin), blocking; retries on EAGAIN. */
export class FdStreamSource implements StreamSource {
  constructor(private fd: number, readonly name = '<stdin>') {}
  next(max: number): Uint8Array {
    const buf = new Uint8Array(max);
    for (;;) {
      try {
        const n = readSync(this.fd, buf, 0, max, null);
        return buf.subarray(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; }
        if (code === 'EOF') return buf.subarray(0, 0);
        throw e;
      }
    }
  }
}

/** Serves a random-access source in order, for readers written against StreamSource. */
export class SequentialSource implements StreamSource {
  private offset = 0;
  constructor(private src: RandomAccessSource) {}
  get name(): string { return this.src.name; }
  next(max: number): Uint8Array {
    const b = this.src.read(this.offset, max);
    this.offset += b.byteLength;
    return b;
  }
}
