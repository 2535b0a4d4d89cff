// Feature sections of perf.data files made by Linux perf on this machine: every section decodes,
// re-encodes to the same bytes, and the decoded values agree with what perf itself reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perfSkipReason, standardRecordings, runPerf } from './helpers/fixtures.js';
import { locateFeatures } from './helpers/feature-sections.js';
import { decodeFeature, encodeFeature, featureName, type FeatureContext } from '../src/formats/perfdata/features.js';
import { Feature } from '../src/formats/perfdata/constants.js';
import { FormatError } from '../src/util/errors.js';
import { makeAttr } from '../src/formats/perfdata/attr.js';

const skip = perfSkipReason();

function ctxFor(file: string, offset: number, nrCpusAvail?: number): FeatureContext {
  return { littleEndian: true, file, fileOffset: offset, nrCpusAvail };
}

function nrCpusOf(loc: ReturnType<typeof locateFeatures>): number | undefined {
  const f = loc.features.find((x) => x.id === Feature.NRCPUS);
  return f ? decodeFeature(Feature.NRCPUS, f.bytes, ctxFor('', 0)).nrCpusAvailable : undefined;
}

test('every feature section of the standard recordings decodes and re-encodes byte for byte', { skip }, () => {
  const recs = standardRecordings();
  let sections = 0;
  for (const [name, path] of Object.entries(recs)) {
    const loc = locateFeatures(path);
    assert.ok(loc.features.length >= 10, `${name}: found ${loc.features.length} feature sections`);
    const nrCpus = nrCpusOf(loc);
    for (const f of loc.features) {
      const value = decodeFeature(f.id, f.bytes, ctxFor(path, f.offset, nrCpus));
      const again = encodeFeature(f.id, value, true);
      assert.deepEqual(again, f.bytes.slice(0, again.length), `${name}: ${featureName(f.id)} re-encodes`);
      // pipe-mode records are padded to 8 bytes; file sections are exact
      if (!loc.pipe) assert.equal(again.length, f.bytes.length, `${name}: ${featureName(f.id)} length`);
      assert.deepEqual(decodeFeature(f.id, again, ctxFor(path, 0, nrCpus)), value, `${name}: ${featureName(f.id)} round trip`);
      sections++;
    }
  }
  assert.ok(sections > 100, `decoded ${sections} sections`);
});

test('decoded values agree with perf report --header-only and perf buildid-list', { skip }, () => {
  const path = standardRecordings().fp;
  const loc = locateFeatures(path);
  const get = <F extends number>(id: F) => {
    const f = loc.features.find((x) => x.id === id);
    assert.ok(f, `feature ${featureName(id)} present`);
    return decodeFeature(id, f.bytes, ctxFor(path, f.offset, nrCpusOf(loc)));
  };
  const header = runPerf(['report', '--header-only', '-I', '-i', path]).stdout;
  const line = (key: string) => header.split('\n').find((l) => l.startsWith(`# ${key} :`))?.slice(key.length + 5);
  assert.equal(get(Feature.HOSTNAME), line('hostname'));
  assert.equal(get(Feature.OSRELEASE), line('os release'));
  assert.equal(get(Feature.VERSION), line('perf version'));
  assert.equal(get(Feature.ARCH), line('arch'));
  assert.equal(get(Feature.CPUDESC), line('cpudesc'));
  assert.equal(get(Feature.CPUID), line('cpuid'));
  assert.equal(`${get(Feature.TOTAL_MEM)} kB`, line('total memory'));
  assert.equal(String(get(Feature.NRCPUS).nrCpusOnline), line('nrcpus online'));
  assert.equal(get(Feature.CMDLINE).join(' ') + ' ', line('cmdline'));
  const desc = get(Feature.EVENT_DESC);
  assert.equal(desc.events[0].name, 'cpu-clock:ppp');
  assert.equal(desc.attrSize, 128);
  assert.match(header, new RegExp(`id = \\{ ${desc.events[0].ids.join(', ')} \\}`));
  const topo = get(Feature.CPU_TOPOLOGY);
  assert.ok(topo.cpus && topo.dieSiblings, 'perf 6.1 writes die information');
  for (const s of topo.coreSiblings) assert.ok(header.includes(`# sibling sockets : ${s}\n`));
  const builds = runPerf(['buildid-list', '-i', path]).stdout.trim().split('\n');
  const ours = get(Feature.BUILD_ID).map((b) => `${Buffer.from(b.buildId).toString('hex')} ${b.filename}`);
  for (const l of builds) assert.ok(ours.includes(l), `build-id ${l} decoded (ours: ${ours.join('; ')})`);
  const pmus = get(Feature.PMU_MAPPINGS);
  assert.ok(header.includes(`# pmu mappings: ${pmus.map((p) => `${p.name} = ${p.type}`).join(', ')}\n`));
});

test('CPU_TOPOLOGY sections that stop early (old perf) decode as perf does', () => {
  const full = { coreSiblings: ['0-3'], threadSiblings: ['0-1', '2-3'], cpus: [0, 1, 2, 3].map((i) => ({ coreId: i >> 1, socketId: 0, dieId: 0 })), dieSiblings: ['0-3'] };
  const noDie = { coreSiblings: ['0-3'], threadSiblings: ['0-1', '2-3'], cpus: [0, 1, 2, 3].map((i) => ({ coreId: i >> 1, socketId: 0 })) };
  const lists = { coreSiblings: ['0-3'], threadSiblings: ['0-1', '2-3'] };
  for (const v of [full, noDie, lists]) {
    const b = encodeFeature(Feature.CPU_TOPOLOGY, v);
    assert.deepEqual(decodeFeature(Feature.CPU_TOPOLOGY, b, { littleEndian: true, nrCpusAvail: 4 }), v);
    assert.deepEqual(decodeFeature(Feature.CPU_TOPOLOGY, b, { littleEndian: true }), v, 'count inferred from the size');
  }
});

test('synthetic values of the features the recordings lack round-trip, in both byte orders', () => {
  const samples: [number, unknown][] = [
    [Feature.GROUP_DESC, [{ name: '{anon_group}', leaderIdx: 0, nrMembers: 2 }]],
    [Feature.AUXTRACE, [{ fileOffset: 4096n, size: 65536n }]],
    [Feature.CLOCKID, 1n],
    [Feature.DIR_FORMAT, 1n],
    [Feature.CLOCK_DATA, { version: 1, clockid: 1, todNs: 1700000000123456789n, clockidNs: 4162977278000n }],
    [Feature.COMPRESSED, { version: 0, type: 1, level: 1, ratio: 12, mmapLen: 528384 }],
    [Feature.CPU_PMU_CAPS, [{ name: 'branches', value: '32' }, { name: 'max_precise', value: '3' }]],
    [Feature.PMU_CAPS, [{ caps: [{ name: 'branches', value: '16' }], pmuName: 'cpu_atom' }]],
    [Feature.HYBRID_TOPOLOGY, [{ pmuName: 'cpu_core', cpus: '0-7' }, { pmuName: 'cpu_atom', cpus: '8-15' }]],
    [Feature.BPF_PROG_INFO, [{ infoLen: 8, dataLen: 3, arrays: 5n, info: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), data: new Uint8Array([9, 9, 9]) }]],
    [Feature.BPF_BTF, [{ id: 7, data: new Uint8Array([0x9f, 0xeb, 1, 0]) }]],
    [Feature.BRANCH_STACK, {}],
    [Feature.STAT, {}],
    [Feature.BUILD_ID, [
      { misc: 1 | (1 << 15), pid: -1, buildId: new Uint8Array(16).fill(0xab), filename: '[kernel.kallsyms]' },
      { misc: 2, pid: 1234, buildId: new Uint8Array(20).fill(0xcd), filename: '/usr/bin/true' },
    ]],
    [Feature.EVENT_DESC, { attrSize: 136, events: [{ attr: makeAttr({ type: 1, size: 136, config: 9n, samplePeriod: 4000n }), name: 'dummy:u', ids: [1n, 2n, 3n] }] }],
    [99, { raw: new Uint8Array([1, 2, 3]) }],
  ];
  for (const le of [true, false]) {
    for (const [id, value] of samples) {
      const b = encodeFeature(id, value as never, le);
      assert.deepEqual(decodeFeature(id, b, { littleEndian: le }), value, `${featureName(id)} le=${le}`);
    }
  }
});

test('BUILD_ID tables of the old ABI (no pid field) decode as perf_header__read_build_ids_abi_quirk does', () => {
  const name = new TextEncoder().encode('[kernel.kallsyms]');
  const b = new Uint8Array(32 + 64);
  const v = new DataView(b.buffer);
  v.setUint32(0, 67, true); v.setUint16(4, 1, true); v.setUint16(6, b.length, true);
  b.fill(0x11, 8, 28);
  b.set(name, 32);
  const [e] = decodeFeature(Feature.BUILD_ID, b, { littleEndian: true });
  assert.equal(e.filename, '[kernel.kallsyms]');
  assert.equal(e.pid, -1);
  assert.deepEqual(e.buildId, new Uint8Array(20).fill(0x11));
});

test('truncated and bit-flipped sections give FormatError, never another failure', { skip }, () => {
  const path = standardRecordings().tracepoints;
  const loc = locateFeatures(path);
  const nrCpus = nrCpusOf(loc);
  let errors = 0;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (const f of loc.features) {
    if (f.bytes.length === 0) continue;
    const cuts = new Set([1, 3, 4, 5, Math.floor(f.bytes.length / 2), f.bytes.length - 1].filter((n) => n > 0 && n < f.bytes.length));
    for (const n of cuts) {
      try {
        decodeFeature(f.id, f.bytes.slice(0, n), ctxFor(path, f.offset, nrCpus));
      } catch (e) {
        assert.ok(e instanceof FormatError, `${featureName(f.id)} cut at ${n}: ${e}`);
        assert.ok(e.offset >= f.offset && e.offset <= f.offset + n, `${featureName(f.id)}: offset ${e.offset} within the section`);
        errors++;
      }
    }
    for (let k = 0; k < 20; k++) {
      const b = f.bytes.slice();
      const i = Math.floor(rand() * b.length);
      b[i] ^= 1 << Math.floor(rand() * 8);
      try { decodeFeature(f.id, b, ctxFor(path, f.offset, nrCpus)); } catch (e) {
        assert.ok(e instanceof FormatError, `${featureName(f.id)} flipped at ${i}: ${e}`);
        errors++;
      }
    }
  }
  assert.ok(errors > 20, `${errors} FormatErrors`);
});
