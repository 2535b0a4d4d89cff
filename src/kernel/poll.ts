// Waiting for ring-buffer data without blocking Node's event loop: poll(2) runs on koffi's
// async worker thread and resolves a promise; timers and signals keep running meanwhile.
import { getLibc } from './ffi.js';

export const POLLIN = 1;
export const POLLERR = 8;
export const POLLHUP = 16;

export interface PollResult {
  /** How many fds have events (0 on timeout, -1 on error such as EINTR). */
  ready: number;
  /** revents per fd, in the order given. */
  revents: number[];
}

/** poll(fds, POLLIN, timeoutMs) on a worker thread. */
export function pollAsync(fds: readonly number[], timeoutMs: number): Promise<PollResult> {
  const buf = new Uint8Array(8 * fds.length);
  const v = new DataView(buf.buffer);
  fds.forEach((fd, i) => { v.setInt32(i * 8, fd, true); v.setInt16(i * 8 + 4, POLLIN, true); });
  return new Promise((resolve, reject) => {
    getLibc().poll.async(buf, fds.length, timeoutMs, (err, res) => {
      if (err) return reject(err);
      resolve({ ready: res, revents: fds.map((_, i) => v.getInt16(i * 8 + 6, true)) });
    });
  });
}

/** Synchronous poll (for tests and final drains). */
export function pollSync(fds: readonly number[], timeoutMs: number): PollResult {
  const buf = new Uint8Array(8 * fds.length);
  const v = new DataView(buf.buffer);
  fds.forEach((fd, i) => { v.setInt32(i * 8, fd, true); v.setInt16(i * 8 + 4, POLLIN, true); });
  const res = getLibc().poll(buf, fds.length, timeoutMs);
  return { ready: res, revents: fds.map((_, i) => v.getInt16(i * 8 + 6, true)) };
}
