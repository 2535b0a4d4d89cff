import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { perfSkipReason, standardRecordings } from './helpers/fixtures.js';

test('Linux perf makes the standard recordings on this machine', { skip: perfSkipReason() }, () => {
  const recs = standardRecordings();
  for (const [name, path] of Object.entries(recs)) assert.ok(statSync(path).size > 0, `${name} is empty`);
});
