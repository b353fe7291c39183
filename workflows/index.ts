// Entry point of the workflow bundle: every workflow type the worker runs must be exported here.
export * from './system-check.js';
export * from './promotion.js';
export * from './sweep-orphans.js';
export * from './reverify.js';
export * from './monitor.js';
export * from './notify.js';
export * from './promotion-queue.js';
export * from './auto-promotion.js';
