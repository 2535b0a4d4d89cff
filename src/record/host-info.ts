// The host description perf writes into feature sections (tools/perf/util/header.c write_*):
// hostname, osrelease, arch, nrcpus, cpudesc, cpuid, total_mem, cpu_topology.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Feature } from '../formats/perfdata/constants.js';
import type { CpuTopology, FeatureValueMap } from '../formats/perfdata/features.js';
import { readOnlineCpus, readPossibleCpus } from '../kernel/procfs.js';

function read(path: string): string | undefined {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}

/** /proc/cpuinfo's first "model name", squeezed as perf's write_cpudesc does ("AMD EPYC"). */
export function cpuDescription(): string {
  const info = read('/proc/cpuinfo') ?? '';
  const m = /^model name\s*:\s*(.*)$/m.exec(info);
  return (m?.[1] ?? os.cpus()[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim();
}

/** x86's get_cpuid: "vendor,family,model,stepping" (AuthenticAMD,25,17,1). */
export function cpuId(): string {
  const info = read('/proc/cpuinfo') ?? '';
  const f = (k: string) => new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim();
  const vendor = f('vendor_id');
  if (!vendor) return os.machine();
  return `${vendor},${f('cpu family') ?? 0},${f('model') ?? 0},${f('stepping') ?? 0}`;
}

export function totalMemKb(): bigint {
  const m = /^MemTotal:\s*(\d+)/m.exec(read('/proc/meminfo') ?? '');
  return m ? BigInt(m[1]) : BigInt(Math.round(os.totalmem() / 1024));
}

/** build_cpu_topology: sibling lists in first-seen order, per-CPU core, socket and die ids. */
export function cpuTopology(): CpuTopology | undefined {
  const cpus = readPossibleCpus();
  const online = new Set(readOnlineCpus());
  const core: string[] = [], thread: string[] = [], die: string[] = [];
  const per: CpuTopology['cpus'] = [];
  for (const c of cpus) {
    const d = `/sys/devices/system/cpu/cpu${c}/topology`;
    const num = (f: string) => Number((read(`${d}/${f}`) ?? '-1').trim());
    if (!online.has(c)) { per.push({ coreId: -1 >>> 0, socketId: -1 >>> 0, dieId: -1 >>> 0 }); continue; }
    const pk = (read(`${d}/package_cpus_list`) ?? read(`${d}/core_siblings_list`))?.trim();
    const th = (read(`${d}/core_cpus_list`) ?? read(`${d}/thread_siblings_list`))?.trim();
    const di = read(`${d}/die_cpus_list`)?.trim();
    if (pk === undefined || th === undefined) return undefined;
    if (!core.includes(pk)) core.push(pk);
    if (!thread.includes(th)) thread.push(th);
    if (di !== undefined && !die.includes(di)) die.push(di);
    per.push({ coreId: num('core_id') >>> 0, socketId: num('physical_package_id') >>> 0, dieId: num('die_id') >>> 0 });
  }
  return { coreSiblings: core, threadSiblings: thread, cpus: per, dieSiblings: die.length ? die : undefined };
}

export type HostFeatures = Partial<{ [F in keyof FeatureValueMap]: FeatureValueMap[F] }>;

export function hostFeatures(version: string, cmdline: string[]): HostFeatures {
  const f: HostFeatures = {
    [Feature.HOSTNAME]: os.hostname(),
    [Feature.OSRELEASE]: os.release(),
    [Feature.VERSION]: version,
    [Feature.ARCH]: os.machine(),
    [Feature.NRCPUS]: { nrCpusAvailable: readPossibleCpus().length, nrCpusOnline: readOnlineCpus().length },
    [Feature.CPUDESC]: cpuDescription(),
    [Feature.CPUID]: cpuId(),
    [Feature.TOTAL_MEM]: totalMemKb(),
    [Feature.CMDLINE]: cmdline,
  };
  const topo = cpuTopology();
  if (topo) f[Feature.CPU_TOPOLOGY] = topo;
  return f;
}
