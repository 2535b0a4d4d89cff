// procfs and sysfs readers: threads, maps, comm, status, online CPUs, kallsyms. The text formats
// are parsed in formats/ (proc-maps.ts) or here when they are one line.
import { readdirSync, readFileSync } from 'node:fs';
import { KscopeError } from '../util/errors.js';
import { parseProcMaps, type ProcMap } from '../formats/proc-maps.js';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ESRCH') throw new KscopeError(`${what}: ${path} does not exist (the process is gone?)`);
    if (code === 'EACCES' || code === 'EPERM') throw new KscopeError(`${what}: cannot read ${path}`, 'run as the process owner or root');
    throw err;
  }
}

/** Thread ids of a process, from /proc/PID/task, sorted with the main thread first. */
export function readThreads(pid: number): number[] {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/task`);
  } catch {
    throw new KscopeError(`no such process: ${pid}`, 'check the pid with ps');
  }
  return names.map(Number).filter(Number.isInteger).sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
}

export function readMaps(pid: number): ProcMap[] {
  const path = `/proc/${pid}/maps`;
  return parseProcMaps(readText(path, `reading the mappings of ${pid}`), path);
}

/** /proc/PID/task/TID/comm without its newline (at most 15 bytes). */
export function readComm(pid: number, tid = pid): string {
  return readText(`/proc/${pid}/task/${tid}/comm`, `reading the name of ${tid}`).replace(/\n$/, '');
}

export interface ProcStatus { name: string; tgid: number; ppid: number; pid: number }

export function readStatus(tid: number): ProcStatus {
  const text = readText(`/proc/${tid}/status`, `reading the status of ${tid}`);
  const map = new Map<string, string>();
  for (const m of text.matchAll(/^(\w+):\s*(.*)$/gm)) map.set(m[1], m[2]);
  return { name: map.get('Name') ?? '', tgid: Number(map.get('Tgid')), ppid: Number(map.get('PPid')), pid: Number(map.get('Pid')) };
}

/** What perf reads of /proc/PID/task/TID/status to synthesize a task (perf_event__get_comm_ids). */
export interface TaskStatus { name: string; tgid: number; ppid: number; kernelThread: boolean }

/** A kernel thread has a Threads: line but no VmPeak: (it has no mm), perf's test too. */
export function readTaskStatus(pid: number, tid: number): TaskStatus {
  const text = readText(`/proc/${pid}/task/${tid}/status`, `reading the status of ${tid}`);
  const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(text)?.[1];
  return {
    name: field('Name') ?? '', tgid: Number(field('Tgid') ?? -1), ppid: Number(field('PPid') ?? -1),
    kernelThread: field('VmPeak') === undefined && field('Threads') !== undefined,
  };
}

/** All process ids in /proc. */
export function listPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** Parses a CPU list such as "0-3,8,10-11" (sysfs cpu lists and -C). */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new KscopeError(`bad CPU list "${text.trim()}"`, 'use a list like 0-3,6');
    const a = Number(m[1]), b = m[2] !== undefined ? Number(m[2]) : a;
    for (let c = a; c <= b; c++) out.push(c);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

export function readOnlineCpus(): number[] {
  return parseCpuList(readText('/sys/devices/system/cpu/online', 'reading the online CPUs'));
}

/** Number of CPUs the kernel may bring up (/sys/devices/system/cpu/possible). */
export function readPossibleCpus(): number[] {
  return parseCpuList(readText('/sys/devices/system/cpu/possible', 'reading the possible CPUs'));
}

/**
 * Addresses of named symbols in /proc/kallsyms, as hex strings (zero when kptr_restrict hides
 * them). One pass over the file.
 */
export function readKallsymsAddresses(names: readonly string[]): Map<string, bigint> {
  const want = new Set(names);
  const out = new Map<string, bigint>();
  const text = readText('/proc/kallsyms', 'reading kernel symbols');
  for (const m of text.matchAll(/^([0-9a-f]+) \S (\S+)$/gm)) {
    if (want.has(m[2]) && !out.has(m[2])) {
      out.set(m[2], BigInt('0x' + m[1]));
      if (out.size === want.size) break;
    }
  }
  return out;
}

export function readKallsymsText(): string {
  return readText('/proc/kallsyms', 'reading kernel symbols');
}

/** kernel.perf_event_max_sample_rate: the highest -F the kernel accepts (it lowers it under load). */
export function readMaxSampleRate(): number | undefined {
  try {
    const n = Number(readFileSync('/proc/sys/kernel/perf_event_max_sample_rate', 'utf8').trim());
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** kernel.perf_event_paranoid, or undefined when unreadable. */
export function readParanoid(): number | undefined {
  try {
    const n = Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
