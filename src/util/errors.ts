// Errors are values with context (shared/DESIGN.md): parsers throw FormatError naming the file,
// the byte offset and what was expected; kernel and usage problems throw KscopeError with a fix.

/** Malformed input: names the file, the absolute byte offset, what was expected and what was found. */
export class FormatError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly expected: string,
    readonly found?: string,
  ) {
    super(`${file}: at offset ${offset} (0x${offset.toString(16)}): expected ${expected}${found !== undefined ? `, found ${found}` : ''}`);
    this.name = 'FormatError';
  }
}

/** A user-facing failure that is not about a file's bytes: what went wrong and, if known, what to change. */
export class KscopeError extends Error {
  constructor(message: string, readonly hint?: string, readonly errno?: number) {
    super(message);
    this.name = 'KscopeError';
  }
}

/** One line for the terminal: FormatError and KscopeError print as themselves, anything else as a bug. */
export function describeError(err: unknown): string {
  if (err instanceof FormatError) return `kscope: ${err.message}`;
  if (err instanceof KscopeError) return `kscope: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`;
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    return `kscope: ${String((err as { message: unknown }).message)}`; // Node system errors (ENOENT, EACCES) already name the path
  }
  return `kscope: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
}
