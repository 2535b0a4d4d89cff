// Run by `npm test` before the test files (which run two at a time): makes the standard recordings
// one after another while nothing else of the suite runs, so that the system-wide ones hold the
// workload and the kernel rather than a compiler or browser another test file happens to run.
import { perfSkipReason, standardRecordings } from './fixtures.js';

const why = perfSkipReason();
if (why) {
  console.log(`make-fixtures: skipped, ${why}`);
} else {
  const t0 = Date.now();
  const recs = standardRecordings();
  console.log(`make-fixtures: ${Object.keys(recs).length} standard recordings ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
