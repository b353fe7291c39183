// createActivities(deps): the factory that returns every activity function the worker registers.
// Workflows import the *type* `Activities` only (proxyActivities<Activities>).
import type { ActivityDeps } from './deps.js';
import { createSystemCheckActivities } from './system-check.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSystemCheckActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
