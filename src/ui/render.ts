// One entry point from a StackProfile to the bytes of any output format, so commands (`kscope flame`,
// `kscope report --export`) stay thin compositions.
import type { StackProfile } from '../analysis/stack-profile.js';
import { toFolded, writeFolded, type ByteSink, type FoldedOptions } from '../export/folded.js';
import { toPprof } from '../export/pprof.js';
import { toSpeedscope, writeSpeedscope } from '../export/speedscope.js';
import { toFlameHtml } from './flame-html.js';
import type { FlameOptions } from './flame-data.js';

export const PROFILE_FORMATS = ['folded', 'pprof', 'speedscope', 'html'] as const;
export type ProfileFormat = (typeof PROFILE_FORMATS)[number];

export type RenderOptions = FoldedOptions & FlameOptions & { rawPprof?: boolean };

export function isProfileFormat(s: string): s is ProfileFormat {
  return (PROFILE_FORMATS as readonly string[]).includes(s);
}

/** The format a file name asks for, by its extension, or undefined. */
export function profileFormatForPath(path: string): ProfileFormat | undefined {
  const p = path.toLowerCase();
  if (p.endsWith('.html') || p.endsWith('.htm')) return 'html';
  if (p.endsWith('.speedscope.json') || p.endsWith('.json')) return 'speedscope';
  if (p.endsWith('.pb.gz') || p.endsWith('.pprof') || p.endsWith('.pb')) return 'pprof';
  if (p.endsWith('.folded') || p.endsWith('.collapsed') || p.endsWith('.txt')) return 'folded';
  return undefined;
}

export function renderProfile(p: StackProfile, format: ProfileFormat, opts: RenderOptions = {}): Uint8Array {
  switch (format) {
    case 'folded':
      return new TextEncoder().encode(toFolded(p, opts));
    case 'pprof':
      return toPprof(p, { raw: opts.rawPprof });
    case 'speedscope':
      return new TextEncoder().encode(toSpeedscope(p, { name: opts.title }));
    case 'html':
      return new TextEncoder().encode(toFlameHtml(p, opts));
  }
}

/**
 * Writes a profile in `format` to `sink` chunk by chunk; folded stacks are streamed without ever
 * holding the whole text (the largest of the formats: ~100 MB for a busy system-wide recording).
 */
export function writeProfile(p: StackProfile, format: ProfileFormat, opts: RenderOptions, sink: ByteSink): void {
  if (format === 'folded') writeFolded(p, opts, sink);
  else if (format === 'speedscope') writeSpeedscope(p, { name: opts.title }, sink);
  else sink(renderProfile(p, format, opts));
}
