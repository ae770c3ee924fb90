export * from './base64url.js';
export * from './multibase.js';
export * from './bytes.js';
export * from './integers.js';
