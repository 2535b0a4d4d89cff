// headerLines against Linux perf: `perf report --header-only [-I]` on every standard recording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { perfSkipReason, standardRecordings, runPerf } from './helpers/fixtures.js';
import { locateFeatures } from './helpers/feature-sections.js';
import { headerLines, headerText, headerInputOf, type HeaderInput } from '../src/analysis/header.js';
import { openPerfData } from '../src/formats/perfdata/reader.js';
import { FileSource } from '../src/util/byte-source.js';
import { statSync } from 'node:fs';

const skip = perfSkipReason();

function inputFor(path: string): HeaderInput {
  const loc = locateFeatures(path);
  return {
    pipe: loc.pipe, capturedOn: loc.mtimeMs, dataOffset: loc.dataOffset, dataSize: loc.dataSize, file: path,
    features: loc.features.map((f) => ({ id: f.id, bytes: f.bytes, fileOffset: f.offset })), featureBits: loc.featBits,
  };
}

function perfHeader(path: string, pipe: boolean, full: boolean): string {
  const args = ['report', '--header-only', ...(full ? ['-I'] : []), '-i', pipe ? '-' : path];
  if (!pipe) {
    const r = runPerf(args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  }
  // stdin redirected from the file (not a pipe), so perf's fstat sees the file's mtime
  const r = spawnSync('sh', ['-c', 'exec perf "$@" < "$0"', path, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

for (const full of [false, true]) {
  test(`headerText equals perf report --header-only${full ? ' -I' : ''} on every standard recording`, { skip }, () => {
    for (const [name, path] of Object.entries(standardRecordings())) {
      const input = inputFor(path);
      const expected = perfHeader(path, input.pipe, full);
      assert.equal(headerText(input, { full }), expected, `${name}`);
      assert.deepEqual(headerLines(input, { full }), expected.replace(/\n$/, '').split('\n'), `${name} lines`);
    }
  });
}

test('perf report --header prints the header lines and then the report', { skip }, () => {
  const path = standardRecordings().fp;
  const header = perfHeader(path, false, false);
  const r = runPerf(['report', '--header', '--stdio', '-i', path]);
  assert.ok(r.stdout.startsWith(header), 'report --header begins with the --header-only text');
  assert.match(r.stdout.slice(header.length), /^#\n# Total Lost Samples/);
});

test('headerInputOf(openPerfData(...)) gives the same text as perf', { skip }, () => {
  for (const [name, path] of Object.entries(standardRecordings())) {
    const pf = openPerfData(new FileSource(path), path);
    const text = headerText(headerInputOf(pf, statSync(path).mtimeMs), { full: true });
    assert.equal(text, perfHeader(path, pf.pipe, true), name);
  }
});
