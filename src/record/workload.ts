// The workload of `kscope record -- cmd args`, started as perf's evlist__prepare_workload does:
// the child waits on a pipe (the "go pipe") until the events are open on its pid with
// enable_on_exec, then execs the command. Node can't fork without exec, so the waiting is done
// by a tiny shell that reads fd 3 and then execs the command in place (same pid).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { KscopeError } from '../util/errors.js';

/** The path exec would run for `cmd` (searching $PATH when it has no slash), or undefined. */
export function findExecutable(cmd: string): string | undefined {
  const ok = (p: string) => {
    try { accessSync(p, constants.X_OK); return statSync(p).isFile(); } catch { return false; }
  };
  if (cmd.includes('/')) return ok(cmd) ? cmd : undefined;
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = join(d || '.', cmd);
    if (ok(p)) return p;
  }
  return undefined;
}

export interface Workload {
  pid: number;
  child: ChildProcess;
  /** Lets the command exec (closes the go pipe after one byte). */
  start(): void;
  /** Resolves with the exit code (128+signal for a signal) once the child has exited. */
  exited: Promise<number>;
  hasExited(): boolean;
}

export function prepareWorkload(argv: readonly string[], opts: { stdoutToStderr?: boolean } = {}): Workload {
  if (!argv.length) throw new KscopeError('no command to run', 'usage: kscope record [options] -- command [args]');
  if (!findExecutable(argv[0])) {
    throw new KscopeError(`Workload failed: ${argv[0]}: command not found or not executable`, 'give a path or a command on $PATH');
  }
  const child = spawn('/bin/sh', ['-c', 'read go <&3 || exit 127; exec 3<&-; exec "$@"', 'kscope-exec', ...argv], {
    stdio: ['inherit', opts.stdoutToStderr ? process.stderr : 'inherit', 'inherit', 'pipe'],
  });
  if (child.pid === undefined) throw new KscopeError(`cannot start the workload ${argv[0]}`);
  let done = false;
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      resolve(code ?? (signal ? 128 + (({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0) : 1));
    });
  });
  const go = child.stdio[3] as NodeJS.WritableStream;
  return {
    pid: child.pid,
    child,
    start() { go.end('g\n'); },
    exited,
    hasExited: () => done,
  };
}
