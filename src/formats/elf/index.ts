// ELF: see elf.ts for the address representation (bigint addresses, (hi, lo) symbol value columns).
export * from './constants.js';
export * from './elf.js';
export * from './symbols.js';
export * from './notes.js';
export * from './crc32.js';
