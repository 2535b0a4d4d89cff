export * from './errors.js';
export * from './reader.js';
export * from './byte-source.js';
export * from './hex.js';
