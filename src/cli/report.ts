// kscope report: `-i FILE` (default perf.data; `-i -` reads a pipe-mode stream from stdin).
// --stats prints record counts exactly as `perf report --stats` does.
import { Command } from 'commander';
import { openPerfData } from '../formats/perfdata/index.js';
import { computeStats, formatStats } from '../analysis/stats.js';
import { FdStreamSource, FileSource } from '../util/byte-source.js';
import { KscopeError } from '../util/errors.js';

export const summary = 'Read perf.data and report on it (--stats: record counts per type, as perf report --stats)';

export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('kscope report')
    .description(summary)
    .option('-i, --input <file>', 'input file name ("-" reads pipe-mode perf.data from stdin)', 'perf.data')
    .option('--stats', 'display record counts per type and per event')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code ?? 1;
  }
  const o = cmd.opts<{ input: string; stats?: boolean }>();
  if (!o.stats) {
    throw new KscopeError('kscope report needs --stats for now', 'run: kscope report --stats -i FILE');
  }
  const file = o.input === '-' ? openPerfData(new FdStreamSource(0, '<stdin>')) : openPerfData(new FileSource(o.input));
  try {
    process.stdout.write(formatStats(computeStats(file)));
  } finally {
    file.close();
  }
  return 0;
}
