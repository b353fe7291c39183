// The auto-promotion workflow's public surface (workflows/auto-promotion.ts): its input, outcome of one look, the
// wake-up Signal and the options of its start. Sandbox-safe and free of workflow logic, so the API, the worker and
// the activities import this module rather than the workflow body.
import { defineSignal } from '@temporalio/workflow';
import { autoPromotionWorkflowId } from '../domain/workflow-ids.js';
import { EnvironmentKey } from './search-attributes.js';

export interface AutoPromotionInput {
  environment: string;
  /** Caps the wait between two looks (default 600 s; each look says how long to wait). */
  recheckSeconds?: number;
}

/** Longest wait between two looks: signals make most looks prompt; this bounds a missed one. */
export const AUTO_PROMOTE_RECHECK_SECONDS = 30;

/** What one look decided (activities/auto-promotion.ts). */
export type AutoPromoteOutcome =
  | { outcome: 'stopped'; message: string }
  | { outcome: 'waiting'; state: string; message: string; recheckSeconds: number }
  | { outcome: 'promoted'; deploymentId: number; releaseId: string; message: string };

export interface AutoPromotionResult {
  stopped: string;
}

/** Look now: the environment's configuration, a hold, the upstream or a rule changed. */
export const autoPromoteWakeSignal = defineSignal('autoPromoteWake');

/**
 * One auto-promotion workflow per environment that has `autoPromote` (USE_EXISTING: starting it again is a no-op),
 * findable in the Temporal UI as `WorkflowType = 'autoPromotion' AND Environment = '<env>'`.
 */
export function autoPromotionStartOptions(environment: string, taskQueue: string) {
  return {
    taskQueue,
    workflowId: autoPromotionWorkflowId(environment),
    args: [{ environment }] as [AutoPromotionInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    staticSummary: `auto-promotion → ${environment}`,
    staticDetails: `Promotes to ${environment} what met its autoPromote rule upstream (docs/governance.md "Auto-promotion")`,
    typedSearchAttributes: [{ key: EnvironmentKey, value: environment }],
  };
}
