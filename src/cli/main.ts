// kscope's entry point: `kscope COMMAND [args]`. Each command is one file, cli/COMMAND.ts, that
// exports `summary` and `run(argv)`; this file finds it by name so commands never share a registry.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../util/errors.js';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number | void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const NOT_COMMANDS = new Set(['main', 'common']);

function commandNames(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_COMMANDS.has(n) && !n.startsWith('_'))
    .sort();
}

async function loadCommand(name: string): Promise<Command | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || NOT_COMMANDS.has(name) || !commandNames().includes(name)) return undefined;
  return (await import(`./${name}.js`)) as Command;
}

async function usage(): Promise<string> {
  const lines = ['usage: kscope COMMAND [ARGS]', '', 'commands:'];
  for (const n of commandNames()) {
    const c = await loadCommand(n);
    if (c) lines.push(`  ${n.padEnd(12)} ${c.summary}`);
  }
  lines.push('', "See 'kscope COMMAND --help' for a command's options.");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write((await usage()) + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write('kscope 0.1.0\n');
    return 0;
  }
  const cmd = await loadCommand(name);
  if (!cmd) {
    process.stderr.write(`kscope: '${name}' is not a kscope command.\n${await usage()}\n`);
    return 1;
  }
  try {
    return (await cmd.run(rest)) ?? 0;
  } catch (err) {
    if ((err as { code?: string }).code === 'EPIPE') return 0;
    process.stderr.write(describeError(err) + '\n');
    return (err as { exitCode?: number }).exitCode ?? 1;
  }
}
