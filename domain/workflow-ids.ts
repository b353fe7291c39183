// Names the workflow code shares with the rest of the code, in a module that imports nothing. The workflow sandbox
// evaluates every module a workflow imports once per cached workflow (the SDK's reusable V8 context keeps module
// state per workflow), so a constant taken from a module with zod schemas cost each workflow zod's 18 modules and
// the schemas (~0.7 MB each, docs/benchmarks.md "Worker memory"); test/workflow-bundle.test.ts keeps zod out.

/** The initiator of a rollback the verification gates or the monitor start. */
export const AUTO_ROLLBACK_INITIATOR = 'system:auto-rollback';
/** The actor of the monitor's incident actions. */
export const MONITOR_INITIATOR = 'system:monitor';

/** The monitor workflow of an environment (one per environment: the id is the lock). */
export function monitorWorkflowId(environment: string): string {
  return `monitor-${environment}`;
}

/** The auto-promotion workflow of an environment (docs/governance.md "Auto-promotion"). */
export function autoPromotionWorkflowId(environment: string): string {
  return `auto-promote:${environment}`;
}
