// kscope report: `-i FILE` (default perf.data; `-i -` reads a pipe-mode stream from stdin), always
// --stdio text as Linux `perf report --stdio` prints it. --stats prints record counts exactly as
// `perf report --stats` does; --header/--header-only the header lines.
import { Command } from 'commander';
import { statSync } from 'node:fs';
import { openPerfData } from '../formats/perfdata/index.js';
import { computeStats, formatStats } from '../analysis/stats.js';
import { FdStreamSource, FileSource } from '../util/byte-source.js';
import { TextOut } from './_text-out.js';

export const summary = 'Show a profile of perf.data as perf report --stdio does (sort keys, children, call graphs, --stats, --header)';
import type { Opts } from './_report-text.js';

export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('kscope report')
    .description(summary)
    .option('-i, --input <file>', 'input file name ("-" reads pipe-mode perf.data from stdin)', 'perf.data')
    .option('--stats', 'display record counts per type and per event')
    .option('--stdio', 'text output (the only output; accepted for perf compatibility)')
    .option('--tui', 'accepted; kscope prints text')
    .option('-s, --sort <keys>', 'sort by key(s): comm, pid (tid), dso, sym, cpu, srcline, srcfile, symoff, trace (default: comm,dso,sym; trace when every event is a tracepoint)')
    .option('-n, --show-nr-samples', 'show a column with the number of samples')
    .option('--show-total-period', 'show a column with the sum of periods')
    .option('--children', 'accumulate callchains of children to parent entries (default with callchains)')
    .option('--no-children', 'do not accumulate callchains')
    .option('-g, --call-graph [opts]', 'print_type,threshold,print_limit,order,sort_key,branch,value: graph|flat|folded|fractal|none, threshold %, limit, caller|callee, percent|period|count (no value: graph,0.5,caller,function,percent)')
    .option('-G, --inverted', 'caller order call graphs (the same as -g caller)')
    .option('--percent-limit <pct>', 'do not show entries under this percentage', '0')
    .option('--percentage <relative|absolute>', 'percentages of filtered reports: of the samples left (relative) or of all (absolute, the default)')
    .option('-c, --comms <list>', 'only consider symbols in these comms')
    .option('--comm <list>', 'the same as --comms')
    .option('--dso <list>', 'the same as --dsos')
    .option('--pid <list>', 'only consider these pids')
    .option('--tid <list>', 'only consider these tids')
    .option('-d, --dsos <list>', 'only consider symbols in these dsos')
    .option('-S, --symbols <list>', 'only consider these symbols (names, or hex sample addresses)')
    .option('-C, --cpu <list>', 'only these cpus')
    .option('--time <str>', 'time ranges of samples to consider: start,stop in seconds (either may be empty), several separated by spaces, or percentages: 10%/2, 0%-10%,30%-40%')
    .option('--header', 'show the data header, then the report')
    .option('--header-only', 'show only the data header')
    .option('-I, --show-info', 'with --header/--header-only: also the extended header (topology, caches)')
    .option('--no-inline', 'do not add inlined functions\' frames to callchains unwound from --call-graph dwarf samples')
    .option('--max-stack <n>', 'at most this many callchain entries per sample (default: kernel.perf_event_max_stack)')
    .option('--symfs <dir>', 'look for symbol files relative to this directory')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code ?? 1;
  }
  const raw = cmd.opts<Record<string, unknown>>();
  const o: Opts = { ...(raw as unknown as Opts), comm: (raw.comms ?? raw.comm) as string | undefined, dso: (raw.dsos ?? raw.dso) as string | undefined };
  // perf's --percent-limit also sets the call graph threshold; options apply in command-line order
  if (cmd.getOptionValueSource('percentLimit') === 'cli') {
    const isPl = (a: string) => a === '--percent-limit' || a.startsWith('--percent-limit=');
    const isG = (a: string) => a === '-g' || a === '--call-graph' || a.startsWith('--call-graph=') || /^-g./.test(a);
    const last = (f: (a: string) => boolean) => argv.reduce((k, a, i) => (f(a) ? i : k), -1);
    o.percentLimitAfterGraph = last(isPl) > last(isG);
  }
  const file = o.input === '-' ? openPerfData(new FdStreamSource(0, '<stdin>')) : openPerfData(new FileSource(o.input));
  const text = new TextOut();
  try {
    let out = '';
    if (o.header || o.headerOnly) {
      // perf prints fstat's st_mtime of its input: the epoch for a pipe.
      const mtime = o.input === '-' ? statOrEpoch() : statSync(o.input).mtime;
      const { headerInputOf, headerText } = await import('../analysis/header.js'); // only for --header: the report starts faster
      const input = headerInputOf(file, mtime);
      // Pipe mode: perf prints HEADER_FEATURE records as it processes them only for --header-only.
      if (file.pipe && !o.headerOnly) input.features = [];
      out += headerText(input, { full: o.showInfo });
      if (o.headerOnly) { process.stdout.write(out); return 0; }
    }
    if (o.stats) { process.stdout.write(out + formatStats(computeStats(file))); return 0; }
    // The symbolizer, machine model and histograms load only here: --stats and --header start fast.
    const { writeReport } = await import('./_report-text.js');
    text.write(out);
    await writeReport(file, o, text.line);
    text.flush();
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
