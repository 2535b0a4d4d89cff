// Numbers of the perf.data format and the perf_event ABI, named as the kernel and perf name them.
// Sources: include/uapi/linux/perf_event.h (Linux 6.18), tools/perf/util/event.h and header.h
// (perf 6.1). This file is the contract shared by the reader, the writer, kernel/ and record/.

/** enum perf_event_type: kernel records (1..22) and perf's own user records (64..83). */
export const enum RecordType {
  MMAP = 1, LOST = 2, COMM = 3, EXIT = 4, THROTTLE = 5, UNTHROTTLE = 6, FORK = 7, READ = 8,
  SAMPLE = 9, MMAP2 = 10, AUX = 11, ITRACE_START = 12, LOST_SAMPLES = 13, SWITCH = 14,
  SWITCH_CPU_WIDE = 15, NAMESPACES = 16, KSYMBOL = 17, BPF_EVENT = 18, CGROUP = 19,
  TEXT_POKE = 20, AUX_OUTPUT_HW_ID = 21, CALLCHAIN_DEFERRED = 22,
  // enum perf_user_event_type (tools/lib/perf/include/perf/event.h)
  HEADER_ATTR = 64, HEADER_EVENT_TYPE = 65, HEADER_TRACING_DATA = 66, HEADER_BUILD_ID = 67,
  FINISHED_ROUND = 68, ID_INDEX = 69, AUXTRACE_INFO = 70, AUXTRACE = 71, AUXTRACE_ERROR = 72,
  THREAD_MAP = 73, CPU_MAP = 74, STAT_CONFIG = 75, STAT = 76, STAT_ROUND = 77, EVENT_UPDATE = 78,
  TIME_CONV = 79, HEADER_FEATURE = 80, COMPRESSED = 81, FINISHED_INIT = 82, COMPRESSED2 = 83,
}

/** perf's names for record types, as `perf report --stats` prints them. */
export const RECORD_NAMES: Record<number, string> = {
  1: 'MMAP', 2: 'LOST', 3: 'COMM', 4: 'EXIT', 5: 'THROTTLE', 6: 'UNTHROTTLE', 7: 'FORK', 8: 'READ',
  9: 'SAMPLE', 10: 'MMAP2', 11: 'AUX', 12: 'ITRACE_START', 13: 'LOST_SAMPLES', 14: 'SWITCH',
  15: 'SWITCH_CPU_WIDE', 16: 'NAMESPACES', 17: 'KSYMBOL', 18: 'BPF_EVENT', 19: 'CGROUP',
  20: 'TEXT_POKE', 21: 'AUX_OUTPUT_HW_ID', 22: 'CALLCHAIN_DEFERRED',
  64: 'ATTR', 65: 'EVENT_TYPE', 66: 'TRACING_DATA', 67: 'BUILD_ID', 68: 'FINISHED_ROUND',
  69: 'ID_INDEX', 70: 'AUXTRACE_INFO', 71: 'AUXTRACE', 72: 'AUXTRACE_ERROR', 73: 'THREAD_MAP',
  74: 'CPU_MAP', 75: 'STAT_CONFIG', 76: 'STAT', 77: 'STAT_ROUND', 78: 'EVENT_UPDATE',
  79: 'TIME_CONV', 80: 'FEATURE', 81: 'COMPRESSED', 82: 'FINISHED_INIT', 83: 'COMPRESSED2',
};

/** enum perf_event_sample_format: bits of attr.sample_type. All fit in 32 bits. */
export const enum SampleType {
  IP = 1 << 0, TID = 1 << 1, TIME = 1 << 2, ADDR = 1 << 3, READ = 1 << 4, CALLCHAIN = 1 << 5,
  ID = 1 << 6, CPU = 1 << 7, PERIOD = 1 << 8, STREAM_ID = 1 << 9, RAW = 1 << 10,
  BRANCH_STACK = 1 << 11, REGS_USER = 1 << 12, STACK_USER = 1 << 13, WEIGHT = 1 << 14,
  DATA_SRC = 1 << 15, IDENTIFIER = 1 << 16, TRANSACTION = 1 << 17, REGS_INTR = 1 << 18,
  PHYS_ADDR = 1 << 19, AUX = 1 << 20, CGROUP = 1 << 21, DATA_PAGE_SIZE = 1 << 22,
  CODE_PAGE_SIZE = 1 << 23, WEIGHT_STRUCT = 1 << 24,
}

/** enum perf_event_read_format. */
export const enum ReadFormat {
  TOTAL_TIME_ENABLED = 1, TOTAL_TIME_RUNNING = 2, ID = 4, GROUP = 8, LOST = 16,
}

/** enum perf_branch_sample_type bits that change the sample layout. */
export const BRANCH_SAMPLE_HW_INDEX = 1n << 17n;
export const BRANCH_SAMPLE_COUNTERS = 1n << 19n;

/** enum perf_callchain_context: markers inside a callchain, as u64 (-32, -128, ...). */
export const PERF_CONTEXT_HV = 0xffffffffffffffe0n;
export const PERF_CONTEXT_KERNEL = 0xffffffffffffff80n;
export const PERF_CONTEXT_USER = 0xfffffffffffffe00n;
export const PERF_CONTEXT_GUEST = 0xfffffffffffff800n;
export const PERF_CONTEXT_GUEST_KERNEL = 0xfffffffffffff780n;
export const PERF_CONTEXT_GUEST_USER = 0xfffffffffffff600n;
export const PERF_CONTEXT_USER_DEFERRED = 0xfffffffffffff480n;
export const PERF_CONTEXT_MAX = 0xfffffffffffff001n;
/** High u32 word shared by all context markers: a callchain entry whose high word is this and low word >= 0xfffff001 is a marker. */
export const PERF_CONTEXT_HI = 0xffffffff;

/** enum perf_type_id: attr.type. */
export const enum PerfType {
  HARDWARE = 0, SOFTWARE = 1, TRACEPOINT = 2, HW_CACHE = 3, RAW = 4, BREAKPOINT = 5,
}

/** enum perf_hw_id. */
export const HW_EVENT_NAMES = [
  'cycles', 'instructions', 'cache-references', 'cache-misses', 'branches', 'branch-misses',
  'bus-cycles', 'stalled-cycles-frontend', 'stalled-cycles-backend', 'ref-cycles',
] as const;

/** enum perf_sw_ids, indexed by config. */
export const SW_EVENT_NAMES = [
  'cpu-clock', 'task-clock', 'page-faults', 'context-switches', 'cpu-migrations', 'minor-faults',
  'major-faults', 'alignment-faults', 'emulation-faults', 'dummy', 'bpf-output', 'cgroup-switches',
] as const;

/** misc field of perf_event_header. */
export const enum Misc {
  CPUMODE_MASK = 7, CPUMODE_UNKNOWN = 0, KERNEL = 1, USER = 2, HYPERVISOR = 3, GUEST_KERNEL = 4,
  GUEST_USER = 5,
  /** MMAP/MMAP2: data (not exec) mapping. COMM: comm changed on exec. SWITCH: switch out. */
  MMAP_DATA = 1 << 13, COMM_EXEC = 1 << 13, SWITCH_OUT = 1 << 13,
  /** MMAP2 carries a build-id instead of maj/min/ino/ino_generation. */
  MMAP_BUILD_ID = 1 << 14,
  EXACT_IP = 1 << 14, SWITCH_OUT_PREEMPT = 1 << 14,
  EXT_RESERVED = 1 << 15,
}

/** Feature bits of perf_file_header.adds_features (tools/perf/util/header.h, enum HEADER_*). */
export const enum Feature {
  RESERVED = 0, TRACING_DATA = 1, BUILD_ID = 2, HOSTNAME = 3, OSRELEASE = 4, VERSION = 5,
  ARCH = 6, NRCPUS = 7, CPUDESC = 8, CPUID = 9, TOTAL_MEM = 10, CMDLINE = 11, EVENT_DESC = 12,
  CPU_TOPOLOGY = 13, NUMA_TOPOLOGY = 14, BRANCH_STACK = 15, PMU_MAPPINGS = 16, GROUP_DESC = 17,
  AUXTRACE = 18, STAT = 19, CACHE = 20, SAMPLE_TIME = 21, MEM_TOPOLOGY = 22, CLOCKID = 23,
  DIR_FORMAT = 24, BPF_PROG_INFO = 25, BPF_BTF = 26, COMPRESSED = 27, CPU_PMU_CAPS = 28,
  CLOCK_DATA = 29, HYBRID_TOPOLOGY = 30, PMU_CAPS = 31,
  /** First bit past the features; the bitmap has 256 bits. */
  LAST = 32,
}

export const FEATURE_NAMES: Record<number, string> = {
  1: 'TRACING_DATA', 2: 'BUILD_ID', 3: 'HOSTNAME', 4: 'OSRELEASE', 5: 'VERSION', 6: 'ARCH',
  7: 'NRCPUS', 8: 'CPUDESC', 9: 'CPUID', 10: 'TOTAL_MEM', 11: 'CMDLINE', 12: 'EVENT_DESC',
  13: 'CPU_TOPOLOGY', 14: 'NUMA_TOPOLOGY', 15: 'BRANCH_STACK', 16: 'PMU_MAPPINGS',
  17: 'GROUP_DESC', 18: 'AUXTRACE', 19: 'STAT', 20: 'CACHE', 21: 'SAMPLE_TIME',
  22: 'MEM_TOPOLOGY', 23: 'CLOCKID', 24: 'DIR_FORMAT', 25: 'BPF_PROG_INFO', 26: 'BPF_BTF',
  27: 'COMPRESSED', 28: 'CPU_PMU_CAPS', 29: 'CLOCK_DATA', 30: 'HYBRID_TOPOLOGY', 31: 'PMU_CAPS',
};

/** "PERFILE2" read as a little-endian u64; the byte-swapped value means a big-endian file. */
export const PERF_MAGIC2 = 'PERFILE2';
/** sizeof(struct perf_file_header) of perf 6.1; older or newer files say their own size. */
export const PERF_FILE_HEADER_SIZE = 104;
/** sizeof(struct perf_pipe_file_header): magic and size only. */
export const PERF_PIPE_HEADER_SIZE = 16;
/** sizeof(struct perf_event_header). */
export const PERF_EVENT_HEADER_SIZE = 8;
