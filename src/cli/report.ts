// kscope report: `-i FILE` (default perf.data; `-i -` reads a pipe-mode stream from stdin).
// --stats prints record counts exactly as `perf report --stats` does; --header-only / --header print
// the header lines as perf does (-I adds the extended ones).
import { statSync } from 'node:fs';
import { Command } from 'commander';
import { openPerfData } from '../formats/perfdata/index.js';
import { computeStats, formatStats } from '../analysis/stats.js';
import { headerInputOf, headerText } from '../analysis/header.js';
import { FdStreamSource, FileSource } from '../util/byte-source.js';
import { KscopeError } from '../util/errors.js';

export const summary = 'Read perf.data and report on it (--stats, --header-only, as perf report)';

export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('kscope report')
    .description(summary)
    .option('-i, --input <file>', 'input file name ("-" reads pipe-mode perf.data from stdin)', 'perf.data')
    .option('--stats', 'display record counts per type and per event')
    .option('--header', 'show the perf.data header before the report')
    .option('--header-only', 'show only the perf.data header')
    .option('-I, --show-info', 'with --header/--header-only: also the extended header (topology, caches)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
  const o = cmd.opts<{ input: string; stats?: boolean; header?: boolean; headerOnly?: boolean; showInfo?: boolean }>();
  if (!o.stats && !o.headerOnly) {
    throw new KscopeError('kscope report needs --stats or --header-only for now', 'run: kscope report --stats -i FILE');
  }
  const stdin = o.input === '-';
  const file = stdin ? openPerfData(new FdStreamSource(0, '<stdin>')) : openPerfData(new FileSource(o.input));
  try {
    if (o.headerOnly || o.header) {
      // perf prints fstat's st_mtime of its input: the epoch for a pipe.
      const mtime = stdin ? statOrEpoch() : statSync(o.input).mtime;
      const input = headerInputOf(file, mtime);
      // Pipe mode: perf prints HEADER_FEATURE records as it processes them only for --header-only.
      if (file.pipe && !o.headerOnly) input.features = [];
      process.stdout.write(headerText(input, { full: o.showInfo }));
      if (o.headerOnly) return 0;
    }
    process.stdout.write(formatStats(computeStats(file)));
  } finally {
    file.close();
  }
  return 0;
}

function statOrEpoch(): Date {
  try {
    const s = statSync('/dev/stdin');
    return s.isFIFO() ? new Date(0) : s.mtime;
  } catch {
    return new Date(0);
  }
}
