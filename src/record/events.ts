// Event specs as perf's -e parses them (tools/perf/util/parse-events.l, perf 6.1), reduced to
// what kscope records: software events, hardware events (with perf's cpu-clock fallback),
// tracepoints SUBSYS:NAME, and the :u :k :h :p modifiers.
import { KscopeError } from '../util/errors.js';
import { HW_EVENT_NAMES, PerfType, SW_EVENT_NAMES } from '../formats/perfdata/constants.js';

export interface EventSpec {
  /** The name as perf prints it (evsel__name), modifiers included. */
  name: string;
  type: PerfType;
  config: bigint;
  excludeUser: boolean;
  excludeKernel: boolean;
  /** Tracepoint subsystem and name (type TRACEPOINT). */
  tracepoint?: { subsys: string; name: string };
  /** precise_ip from :p modifiers. */
  precise: number;
  /** True for the default event (perf names the fallback cpu-clock:ppp and sets precise_ip 3). */
  isDefault?: boolean;
}

const SW_ALIASES: Record<string, number> = {
  'cpu-clock': 0, 'task-clock': 1, 'page-faults': 2, faults: 2, 'context-switches': 3, cs: 3,
  'cpu-migrations': 4, migrations: 4, 'minor-faults': 5, 'major-faults': 6, 'alignment-faults': 7,
  'emulation-faults': 8, dummy: 9, 'bpf-output': 10, 'cgroup-switches': 11,
};
const HW_ALIASES: Record<string, number> = {
  cycles: 0, 'cpu-cycles': 0, instructions: 1, 'cache-references': 2, 'cache-misses': 3,
  branches: 4, 'branch-instructions': 4, 'branch-misses': 5, 'bus-cycles': 6,
  'stalled-cycles-frontend': 7, 'idle-cycles-frontend': 7, 'stalled-cycles-backend': 8,
  'idle-cycles-backend': 8, 'ref-cycles': 9,
};

/** Splits "-e a,b -e c" values into single specs; commas inside tracepoint filters are not supported. */
export function splitEventList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

export function parseEvent(text: string): EventSpec {
  let base = text;
  let mods = '';
  // Tracepoints have one colon (subsys:name); a second one starts modifiers. Others: name:mods.
  const parts = text.split(':');
  if (parts.length === 3 || (parts.length === 2 && !(parts[0] in SW_ALIASES) && !(parts[0] in HW_ALIASES) && /^[ukhpPGHS]+$/.test(parts[1]) === false)) {
    base = parts.slice(0, 2).join(':');
    mods = parts[2] ?? '';
  } else if (parts.length === 2) {
    base = parts[0];
    mods = parts[1];
  }
  if (!/^[ukhpPGHS]*$/.test(mods)) throw new KscopeError(`bad event modifier ':${mods}' in ${text}`, 'modifiers are u (user), k (kernel), p (precise)');
  const u = mods.includes('u'), k = mods.includes('k');
  const excludeUser = k && !u;
  const excludeKernel = u && !k;
  const precise = (mods.match(/p/g) ?? []).length;
  const spec = (type: PerfType, config: bigint, extra: Partial<EventSpec> = {}): EventSpec => ({
    name: text, type, config, excludeUser, excludeKernel, precise, ...extra,
  });
  if (base in SW_ALIASES) return spec(PerfType.SOFTWARE, BigInt(SW_ALIASES[base]));
  if (base in HW_ALIASES) return spec(PerfType.HARDWARE, BigInt(HW_ALIASES[base]));
  const tp = /^([\w-]+):([\w-]+)$/.exec(base);
  if (tp) return spec(PerfType.TRACEPOINT, 0n, { tracepoint: { subsys: tp[1], name: tp[2] } });
  throw new KscopeError(`unknown event '${text}'`,
    `known: ${[...SW_EVENT_NAMES.slice(0, 7), ...HW_EVENT_NAMES.slice(0, 2)].join(', ')}, ..., and tracepoints SUBSYS:NAME (see /sys/kernel/tracing/events)`);
}

/** perf's default: cycles with the maximum precision it can get; on this kind of VM, cpu-clock:ppp. */
export function defaultEvent(): EventSpec {
  return { ...parseEvent('cycles'), name: 'cycles', precise: 3, isDefault: true };
}

/**
 * The software event perf falls back to when a hardware event can't be opened
 * (evsel__fallback: cycles → cpu-clock, named "cpu-clock" plus the original modifiers).
 */
export function fallbackEvent(e: EventSpec): EventSpec | undefined {
  if (e.type !== PerfType.HARDWARE || e.config !== 0n) return undefined;
  const mods = e.name.includes(':') ? e.name.slice(e.name.indexOf(':')) : e.isDefault ? ':ppp' : '';
  return { ...e, type: PerfType.SOFTWARE, config: 0n, name: `cpu-clock${mods}` };
}
