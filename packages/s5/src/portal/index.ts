export * from './auth.js';
export * from './http.js';
export * from './answers.js';
export * from './probe.js';
export * from './login.js';
export * from './login-share.js';
export * from './subscription.js';
export * from './portal-client.js';
