// The host description perf writes into feature sections (tools/perf/util/header.c write_*):
// hostname, osrelease, arch, nrcpus, cpudesc, cpuid, total_mem, cpu_topology.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { Feature } from '../formats/perfdata/constants.js';
import type { CacheLevel, CpuTopology, FeatureValueMap, MemTopology, NumaNode, PmuMapping } from '../formats/perfdata/features.js';
import { parseCpuList, readOnlineCpus, readPossibleCpus } from './procfs.js';

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

/** write_pmu_mappings: each /sys/bus/event_source/devices/NAME with its type number. */
export function pmuMappings(): PmuMapping[] {
  const dir = '/sys/bus/event_source/devices';
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return []; }
  const out: PmuMapping[] = [];
  for (const name of names) {
    const t = read(`${dir}/${name}/type`);
    if (t !== undefined && /^\d+\s*$/.test(t)) out.push({ type: Number(t), name });
  }
  return out;
}

/** write_numa_topology: per online node its memory (kB, from nodeN/meminfo) and CPU list. */
export function numaTopology(): NumaNode[] {
  const online = read('/sys/devices/system/node/online');
  if (online === undefined) return [];
  const out: NumaNode[] = [];
  for (const node of parseCpuList(online)) {
    const mi = read(`/sys/devices/system/node/node${node}/meminfo`) ?? '';
    const kb = (k: string) => BigInt(new RegExp(`${k}:\\s*(\\d+)`).exec(mi)?.[1] ?? '0');
    out.push({ node, memTotal: kb('MemTotal'), memFree: kb('MemFree'), cpus: (read(`/sys/devices/system/node/node${node}/cpulist`) ?? '').trim() });
  }
  return out;
}

/** build_caches: each distinct cache of each online CPU (cpuN/cache/indexM), sorted by level. */
export function cacheLevels(): CacheLevel[] {
  const out: CacheLevel[] = [];
  for (const cpu of readOnlineCpus()) {
    for (let i = 0; ; i++) {
      const d = `/sys/devices/system/cpu/cpu${cpu}/cache/index${i}`;
      const level = read(`${d}/level`);
      if (level === undefined) break;
      const t = (f: string) => (read(`${d}/${f}`) ?? '').trim();
      const c: CacheLevel = {
        level: Number(level), lineSize: Number(t('coherency_line_size')), sets: Number(t('number_of_sets')),
        ways: Number(t('ways_of_associativity')), type: t('type'), size: t('size'), map: t('shared_cpu_list'),
      };
      if (!out.some((x) => x.level === c.level && x.type === c.type && x.map === c.map && x.size === c.size)) out.push(c);
    }
  }
  return out.sort((a, b) => a.level - b.level);
}

/** build_mem_topology: per node, the bitmap of memory block indexes (nodeN/memoryM links). */
export function memTopology(): MemTopology | undefined {
  const bs = read('/sys/devices/system/memory/block_size_bytes');
  const online = read('/sys/devices/system/node/online');
  if (bs === undefined || online === undefined) return undefined;
  const nodes: MemTopology['nodes'] = [];
  for (const node of parseCpuList(online)) {
    let blocks: number[] = [];
    try {
      blocks = readdirSync(`/sys/devices/system/node/node${node}`).map((n) => /^memory(\d+)$/.exec(n)).filter((m) => m).map((m) => Number(m![1]));
    } catch { continue; }
    const bits = blocks.length ? Math.max(...blocks) + 1 : 0;
    const words: bigint[] = new Array(Math.ceil(bits / 64)).fill(0n);
    for (const b of blocks) words[b >> 6] |= 1n << BigInt(b & 63);
    nodes.push({ node, bits, words });
  }
  return { version: 1n, blockSize: BigInt('0x' + bs.trim()), nodes };
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
  const numa = numaTopology();
  if (numa.length) f[Feature.NUMA_TOPOLOGY] = numa;
  const caches = cacheLevels();
  if (caches.length) f[Feature.CACHE] = { version: 1, caches };
  const mem = memTopology();
  if (mem?.nodes.length) f[Feature.MEM_TOPOLOGY] = mem;
  const pmus = pmuMappings();
  if (pmus.length) f[Feature.PMU_MAPPINGS] = pmus;
  const topo = cpuTopology();
  if (topo) f[Feature.CPU_TOPOLOGY] = topo;
  return f;
}
