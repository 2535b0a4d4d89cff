// symbols/: address → frames. See README.md.
export * from './types.js';
export * from './symbol-index.js';
export * from './debug-files.js';
export * from './symbolizer.js';
