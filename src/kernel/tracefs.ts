// tracefs: where it is mounted, tracepoint ids and format files, the header files that
// perf's TRACING_DATA carries (tools/perf/util/trace-event-info.c reads the same files).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { KscopeError } from '../util/errors.js';

const CANDIDATES = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
let found: string | undefined;

/** The tracefs mount point; mounts it at /sys/kernel/tracing when absent, or says why it can't. */
export function tracingDir(): string {
  return (found ??= locateTracefs(CANDIDATES, '/sys/kernel/tracing'));
}

/** The first of `candidates` with an events directory, else tracefs mounted at `mountAt`. */
export function locateTracefs(candidates: readonly string[], mountAt: string): string {
  for (const d of candidates) {
    try {
      statSync(`${d}/events`);
      return d;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM') {
        throw new KscopeError(`cannot access tracefs at ${d}: permission denied`, 'tracepoints need root (or CAP_PERFMON and read access to the tracing directory)');
      }
    }
  }
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', mountAt], { stdio: 'pipe' });
  } catch (err) {
    throw new KscopeError(`tracefs is not mounted (looked in ${candidates.join(', ')}) and mounting it failed: ` + String((err as { stderr?: Buffer }).stderr ?? err).trim(),
      `mount it as root: mount -t tracefs nodev ${mountAt} (needs CONFIG_TRACING)`);
  }
  if (existsSync(`${mountAt}/events`)) return mountAt;
  throw new KscopeError('tracefs has no events directory', 'the kernel lacks CONFIG_EVENT_TRACING');
}

function readTracing(rel: string, what: string): string {
  const path = `${tracingDir()}/${rel}`;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new KscopeError(`${what}: ${path} does not exist`, "list tracepoints with 'ls " + tracingDir() + "/events'");
    if (code === 'EACCES' || code === 'EPERM') throw new KscopeError(`${what}: cannot read ${path}`, 'tracefs needs root (or chmod of the tracing directory)');
    throw err;
  }
}

/** The numeric id of tracepoint SUBSYS:NAME (attr.config for PERF_TYPE_TRACEPOINT). */
export function tracepointId(subsys: string, name: string): number {
  if (!/^[\w-]+$/.test(subsys) || !/^[\w-]+$/.test(name)) throw new KscopeError(`bad tracepoint name ${subsys}:${name}`);
  const text = readTracing(`events/${subsys}/${name}/id`, `unknown tracepoint ${subsys}:${name}`);
  return Number(text.trim());
}

/** The text of events/SUBSYS/NAME/format. */
export function tracepointFormat(subsys: string, name: string): string {
  return readTracing(`events/${subsys}/${name}/format`, `tracepoint ${subsys}:${name}`);
}

/** events/header_page and events/header_event. */
export function tracingHeaders(): { headerPage: string; headerEvent: string } {
  return { headerPage: readTracing('events/header_page', 'tracefs header_page'), headerEvent: readTracing('events/header_event', 'tracefs header_event') };
}

/** events/ftrace/*\/format files (perf puts them in TRACING_DATA). */
export function ftraceFormats(): { name: string; format: string }[] {
  const dir = `${tracingDir()}/events/ftrace`;
  let names: string[] = [];
  try { names = readdirSync(dir).sort(); } catch { return []; }
  const out: { name: string; format: string }[] = [];
  for (const n of names) {
    try { out.push({ name: n, format: readFileSync(`${dir}/${n}/format`, 'utf8') }); } catch { /* not an event */ }
  }
  return out;
}

/** printk_formats (for %s of kernel string pointers in tracepoints). */
export function printkFormats(): string {
  try { return readTracing('printk_formats', 'printk_formats'); } catch { return ''; }
}
