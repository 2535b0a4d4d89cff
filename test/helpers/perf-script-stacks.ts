// Test-only: reads the text of `perf script -F comm,pid,tid,time,period,ip,sym,dso` into a
// StackProfile, so exporters can be checked against Linux perf's own output on the same recording.
// A sample is a header line `comm pid/tid time: period` followed by callchain lines
// `\t addr sym (dso)`, leaf first, and a blank line.
import { FrameKind, StackProfileBuilder, type FrameInput, type StackProfile } from '../../src/analysis/stack-profile.js';

/** The -F fields parsePerfScriptStacks expects. */
export const PERF_SCRIPT_FIELDS = ['-F', 'comm,pid,tid,time,period,ip,sym,dso'];

const HEADER = /^(.+?)\s+(-?\d+)\/(-?\d+)\s+(\d+)\.(\d+):\s+(\d+)\s*$/;
// The DSO is the last balanced parenthesized group: "(/memfd:x (deleted))" nests one level.
const FRAME = /^\s+[0-9a-f]+ (.*) \(((?:[^()]|\([^()]*\))*)\)$/;

function kindOf(dso: string): FrameKind {
  // by the DSO perf names, as stackcollapse.py does: a user-context garbage address above
  // 0xffff800000000000 without a map prints "([unknown])" and is no kernel frame
  if (dso === '[kernel.kallsyms]' || dso.startsWith('[kernel')) return FrameKind.Kernel;
  if (/perf-\d+\.map$/.test(dso) || /jit-\d+\.dump$/.test(dso) || dso === '[JIT]') return FrameKind.Jit;
  return FrameKind.User;
}

export function parsePerfScriptStacks(text: string, meta: { eventName?: string; periodNs?: boolean } = {}): StackProfile {
  const b = new StackProfileBuilder({
    ...(meta.periodNs ? { periodType: { type: 'cpu', unit: 'nanoseconds' } } : {}),
    ...(meta.eventName ? { eventName: meta.eventName } : {}),
  });
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i++];
    if (line.trim() === '') continue;
    const h = HEADER.exec(line);
    if (!h) throw new Error(`perf script line ${i}: not a sample header: ${JSON.stringify(line)}`);
    const frames: FrameInput[] = [];
    while (i < lines.length && lines[i].trim() !== '') {
      const f = FRAME.exec(lines[i++]);
      if (!f) throw new Error(`perf script line ${i}: not a callchain entry: ${JSON.stringify(lines[i - 1])}`);
      const [, sym, dso] = f;
      frames.push({
        name: sym === '[unknown]' ? undefined : sym,
        module: dso === '[unknown]' ? undefined : dso,
        kind: kindOf(dso),
      });
    }
    b.addSample({
      frames,
      order: 'leafToRoot',
      pid: Number(h[2]),
      tid: Number(h[3]),
      comm: h[1],
      time: Number(h[4]) * 1e9 + Number(h[5].padEnd(9, '0')),
      period: Number(h[6]),
    });
  }
  return b.build();
}
