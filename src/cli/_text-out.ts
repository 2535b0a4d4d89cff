// Report text streamed to a file descriptor: lines gather into chunks of about 64 KiB that go out
// through a synchronous byte sink (FdStreamSink waits out EAGAIN on a non-blocking pipe), so the
// text never sits whole in memory and a slow reader holds the writer back.
import { FdStreamSink, type ByteSink } from '../util/byte-sink.js';

const CHUNK = 1 << 16;

export class TextOut {
  private pending = '';
  constructor(private readonly sink: ByteSink = new FdStreamSink(1, '<stdout>', CHUNK)) {}
  /** Appends text as is. */
  write(s: string): void {
    this.pending += s;
    if (this.pending.length >= CHUNK) this.drain();
  }
  /** Appends a line and its newline (a LineSink). */
  readonly line = (l: string): void => {
    this.pending += l + '\n';
    if (this.pending.length >= CHUNK) this.drain();
  };
  private drain(): void {
    if (!this.pending) return;
    const s = this.pending;
    this.pending = '';
    this.sink.write(Buffer.from(s, 'utf8'));
  }
  /** Writes out everything appended so far. */
  flush(): void {
    this.drain();
    this.sink.flush();
  }
}
