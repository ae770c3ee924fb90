export * from './auth.js';
export * from './http.js';
export * from './subscription.js';
export * from './portal-client.js';
