export * from './sleep.js';
export * from './revision-retry.js';
export * from './transient-policy.js';
export * from './portal-slots.js';
