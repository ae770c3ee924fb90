export * from './blake3.js';
export * from './derive-hash.js';
export * from './ed25519.js';
