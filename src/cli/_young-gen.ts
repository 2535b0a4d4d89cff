// V8's young generation for commands that stream a recording through small caches.
import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial size (two 1 MiB semi-spaces) instead of letting the
 * scavenger grow it to two 16 MiB ones. V8 doubles the semi-spaces whenever more bytes survived
 * scavenges since the last growth than the young generation holds; a command that builds tens of
 * MiB of long-lived caches (locations, symbol names, frame lines) while it streams records crosses
 * that line four times, so both semi-spaces end at 16 MiB: ~30 MiB of resident memory for objects
 * that mostly die young. With the growth factor at 1 (read by V8 at each resize; V8 clamps it to 2
 * only when the heap is configured, i.e. on the command line) the scavenges are smaller and more
 * frequent: `kscope script` and `kscope report -g none` on a 108 MB system-wide recording measured
 * ~30 MiB smaller and no slower. Not for the call-graph report: there the trees it builds are
 * promoted early and the old generation's marking costs more than the scavenges saved.
 * Only this process is affected; a V8 without the flag ignores it.
 */
export function keepYoungGenerationSmall(): void {
  try { setFlagsFromString('--semi-space-growth-factor=1'); } catch { /* not fatal */ }
}
