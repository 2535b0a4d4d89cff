// `kscope inject -i IN -o OUT`: rewrite a perf.data file or stream as perf inject does with no
// options: records in file order, compressed records expanded, pipe mode turned into file mode
// (or file mode into pipe mode when the output is `-`, as perf writes pipe mode to stdout).
import { Command } from 'commander';
import { FdStreamSource, FileSource } from '../util/byte-source.js';
import { FdStreamSink, FileSink } from '../util/byte-sink.js';
import { KscopeError } from '../util/errors.js';
import { openPerfData } from '../formats/perfdata/reader.js';
import { rewriteToFile, rewriteToPipe } from '../formats/perfdata/rewrite.js';

export const summary = 'Rewrite perf.data: expand compressed records, convert pipe mode to file mode';

export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('kscope inject')
    .description(summary)
    .option('-i, --input <file>', 'input file name, - for stdin (pipe mode)', '-')
    .option('-o, --output <file>', 'output file name, - for stdout (written in pipe mode)', '-')
    .option('--keep-compressed', 'copy COMPRESSED records as they are instead of expanding them')
    .option('-v, --verbose', 'print what was copied to stderr')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code ?? 1;
  }
  if (cmd.args.length) throw new KscopeError(`unexpected argument '${cmd.args[0]}'`, "see 'kscope inject --help'");
  const o = cmd.opts<{ input: string; output: string; keepCompressed?: boolean; verbose?: boolean }>();
  if (o.input !== '-' && o.input === o.output) throw new KscopeError('input and output are the same file', 'write to another file, then rename it');

  const source = o.input === '-' ? new FdStreamSource(0, '<stdin>') : new FileSource(o.input);
  const input = openPerfData(source, o.input === '-' ? '<stdin>' : o.input);
  const decompress = !o.keepCompressed;
  let stats;
  try {
    if (o.output === '-') {
      const sink = new FdStreamSink(1, '<stdout>');
      stats = rewriteToPipe(input, sink, { decompress });
      sink.close();
    } else {
      const sink = new FileSink(o.output);
      try {
        stats = rewriteToFile(input, sink, { decompress });
      } finally {
        sink.close();
      }
    }
  } finally {
    input.close();
  }
  if (o.verbose) {
    process.stderr.write(`kscope inject: ${stats.records} records, ${stats.decompressed} compressed records expanded, ${stats.features} features\n`);
  }
  return 0;
}
