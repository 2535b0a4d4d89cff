// Where the separate debug file of a binary may live, in the order gdb and perf look
// (gdb "Separate Debug Files"; perf tools/perf/util/dso.c dso__read_binary_type_filename):
//   1. /usr/lib/debug/.build-id/xx/rest.debug                         (gdb, perf BUILDID_DEBUGINFO)
//   2. ~/.debug/.build-id/xx/rest/debug, then .../elf                 (perf's build-id cache)
//   3. .gnu_debuglink NAME: DIR/NAME, DIR/.debug/NAME, /usr/lib/debug/DIR/NAME   (gdb)
//   4. /usr/lib/debug/PATH.debug and /usr/lib/debug/PATH              (perf FEDORA/UBUNTU_DEBUGINFO)
// Build-id candidates must carry the same build-id; debuglink candidates must match the CRC-32
// (or, when both have one, the build-id), as gdb checks.
import { readElf, isElf, type ElfFile } from '../formats/elf/index.js';
import { FormatError } from '../util/index.js';
import type { SymbolLoader } from './types.js';

export interface DebugCandidate {
  path: string;
  /** How the candidate is verified. */
  check: 'build-id' | 'crc' | 'none';
}

function dirname(p: string): string { const i = p.lastIndexOf('/'); return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i); }
function join(a: string, b: string): string { return a.endsWith('/') ? a + b : `${a}/${b}`; }

/** Candidate paths for the debug file of the binary at `path`, most specific first. */
export function debugFileCandidates(
  path: string,
  buildId: string | undefined,
  debugLink: string | undefined,
  opts: { homeDir?: string; debugDirs?: string[] } = {},
): DebugCandidate[] {
  const debugDirs = opts.debugDirs ?? ['/usr/lib/debug'];
  const out: DebugCandidate[] = [];
  if (buildId && buildId.length > 2) {
    const xx = buildId.slice(0, 2), rest = buildId.slice(2);
    for (const d of debugDirs) out.push({ path: `${join(d, '.build-id')}/${xx}/${rest}.debug`, check: 'build-id' });
    if (opts.homeDir) {
      const cache = `${join(opts.homeDir, '.debug/.build-id')}/${xx}/${rest}`;
      out.push({ path: `${cache}/debug`, check: 'build-id' });
      out.push({ path: `${cache}/elf`, check: 'build-id' });
    }
  }
  const dir = dirname(path);
  if (debugLink) {
    out.push({ path: join(dir, debugLink), check: 'crc' });
    out.push({ path: join(join(dir, '.debug'), debugLink), check: 'crc' });
    for (const d of debugDirs) out.push({ path: join(d + (dir.startsWith('/') ? dir : '/' + dir), debugLink), check: 'crc' });
  }
  const abs = path.startsWith('/') ? path : '/' + path;
  for (const d of debugDirs) {
    out.push({ path: `${d}${abs}.debug`, check: buildId ? 'build-id' : 'none' });
    out.push({ path: `${d}${abs}`, check: buildId ? 'build-id' : 'none' });
  }
  const seen = new Set<string>([path]);
  return out.filter((c) => !seen.has(c.path) && (seen.add(c.path), true));
}

/**
 * Opens the ELF file at `path` through the loader: by ranges when the loader can (`open`), else
 * whole (`readFile`). Undefined when it cannot be read or is not ELF; malformed ELF throws
 * FormatError.
 */
export function openElf(loader: SymbolLoader, path: string): ElfFile | undefined {
  if (loader.open) {
    const f = loader.open(path);
    if (!f) return undefined;
    let elf: ElfFile | undefined;
    try {
      if (f.size >= 4 && isElf(f.read(0, 4))) elf = readElf(f, path);
    } finally { if (!elf) f.close?.(); }
    return elf;
  }
  const bytes = loader.readFile(path);
  return bytes && isElf(bytes) ? readElf(bytes, path) : undefined;
}

/**
 * Finds and opens the separate debug file of `elf` (read from `path`) through the loader; undefined
 * when none passes its check. Unreadable or malformed candidates are skipped.
 */
export function findDebugFile(path: string, elf: ElfFile, loader: SymbolLoader): { path: string; elf: ElfFile } | undefined {
  const buildId = elf.buildIdHex();
  let link: { file: string; crc: number } | undefined;
  try { link = elf.debugLink(); } catch (e) { if (!(e instanceof FormatError)) throw e; }
  for (const c of debugFileCandidates(path, buildId, link?.file, loader)) {
    let dbg: ElfFile | undefined;
    try { dbg = openElf(loader, c.path); } catch (e) { if (e instanceof FormatError) continue; throw e; }
    if (!dbg) continue;
    let dbgId: string | undefined;
    try { dbgId = dbg.buildIdHex(); } catch (e) { if (!(e instanceof FormatError)) throw e; }
    let ok = c.check !== 'build-id' || dbgId === buildId;
    if (ok && c.check === 'crc') {
      try { ok = buildId && dbgId ? buildId === dbgId : dbg.crc32() === link!.crc; } catch (e) { if (!(e instanceof FormatError)) throw e; ok = false; }
    }
    if (!ok) { dbg.close(); continue; }
    return { path: c.path, elf: dbg };
  }
  return undefined;
}

/** Paths where the supplementary (dwz) file named by .gnu_debugaltlink may be, gdb's order. */
export function altLinkCandidates(path: string, altFile: string, altBuildId: string, opts: { debugDirs?: string[] } = {}): string[] {
  const out: string[] = [];
  const debugDirs = opts.debugDirs ?? ['/usr/lib/debug'];
  if (altBuildId.length > 2) for (const d of debugDirs) out.push(`${join(d, '.build-id')}/${altBuildId.slice(0, 2)}/${altBuildId.slice(2)}.debug`);
  out.push(altFile.startsWith('/') ? altFile : join(dirname(path), altFile));
  return out;
}
