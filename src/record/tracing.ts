// TRACING_DATA as perf's tracing_data_get (tools/perf/util/trace-event-info.c, 6.1) gathers it:
// header_page, header_event, every events/ftrace format, the format of each recorded tracepoint
// grouped by subsystem, no kallsyms (perf ≥ 6.0 writes size 0), printk_formats, saved_cmdlines.
import { readFileSync } from 'node:fs';
import type { TracingData } from '../formats/perfdata/tracing-data.js';
import { printkFormats, tracepointFormat, tracingDir, tracingHeaders } from '../kernel/tracefs.js';

export function collectTracingData(tracepoints: readonly { subsys: string; name: string }[]): TracingData {
  const { headerPage, headerEvent } = tracingHeaders();
  const systems: { name: string; formats: string[] }[] = [];
  for (const tp of tracepoints) {
    let s = systems.find((x) => x.name === tp.subsys);
    if (!s) systems.push((s = { name: tp.subsys, formats: [] }));
    const f = tracepointFormat(tp.subsys, tp.name);
    if (!s.formats.includes(f)) s.formats.push(f);
  }
  let savedCmdlines = '';
  try { savedCmdlines = readFileSync(`${tracingDir()}/saved_cmdlines`, 'utf8'); } catch { /* optional */ }
  return {
    version: '0.6', bigEndian: false, longSize: 8, pageSize: 4096, headerPage, headerEvent,
    // Only the ftrace "events" that were asked for (record_ftrace_files filters by the list).
    ftraceFormats: systems.find((x) => x.name === 'ftrace')?.formats ?? [], systems: systems.filter((x) => x.name !== 'ftrace'), kallsyms: '', printk: printkFormats(),
    savedCmdlines, size: 0,
  };
}
