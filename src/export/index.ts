export { toFolded, foldStacks, type FoldedOptions } from './folded.js';
export { toPprof, toPprofProfile, type PprofOptions } from './pprof.js';
export { toSpeedscope, toSpeedscopeObject, type SpeedscopeFile } from './speedscope.js';
