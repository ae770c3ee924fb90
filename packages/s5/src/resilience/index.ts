export * from './sleep.js';
export * from './revision-retry.js';
export * from './transient-policy.js';
