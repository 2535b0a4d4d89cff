// kscope demo: what `npm start` runs. Reads the bundled recording examples/burn.perf.data (made by
// `perf record -g` of test/workloads/burn.c) and prints its header and record statistics.
import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPerfData } from '../formats/perfdata/index.js';
import { headerInputOf, headerText } from '../analysis/header.js';
import { computeStats, formatStats } from '../analysis/stats.js';
import { FileSource } from '../util/byte-source.js';

export const summary = 'Show what kscope does on the bundled example recording (run by npm start)';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`usage: kscope demo\n\n${summary}.\n`);
    return 0;
  }
  const path = join(repoRoot, 'examples/burn.perf.data');
  const shown = relative(process.cwd(), path) || path;
  const file = openPerfData(new FileSource(path), shown);
  try {
    process.stdout.write(`kscope demo: reading ${shown}, a recording of 'perf record -g' on test/workloads/burn.c\n\n`);
    process.stdout.write(`$ kscope report --header-only -i ${shown}\n`);
    process.stdout.write(headerText(headerInputOf(file, statSync(path).mtime)));
    process.stdout.write(`\n$ kscope report --stats -i ${shown}\n`);
    process.stdout.write(formatStats(computeStats(file)));
  } finally {
    file.close();
  }
  return 0;
}
