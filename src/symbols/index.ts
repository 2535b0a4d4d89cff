// symbols/: address → frames. See README.md.
export * from './types.js';
export * from './symbol-index.js';
export * from './debug-files.js';
export * from './symbolizer.js';
export * from './kernel.js';
export * from './jit.js';
export * from './demangle.js';
export * from './debug-info.js';
