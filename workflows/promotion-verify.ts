// Step "verify" of the promotion (workflow change `verification-gates`; docs/verification-and-monitoring.md,
// "Verification gates"), and the activity options both the step and the re-verification use. A local activity
// plans the gate (the environment's checks; with none it records the step `skipped` and nothing else runs), then
// one heartbeating activity samples every check for its duration. Sampling happens inside the activity, not on
// workflow timers: the history holds two events per run of the gate however many samples the checks take, and
// resolved secrets never come near Temporal. A failed gate parks the promotion (the activity fails with
// VerificationFailed) or, with onFailure `rollback`, comes back as `verificationFailed`: the lifecycle then ends
// the promotion failed. Sandbox-safe.
import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { PlannedCheck } from '../activities/verify-gates.js';
import { FAILURE } from '../domain/promotion.js';

export const VERIFICATION_GATES_PATCH = 'verification-gates';
/**
 * Workflow change: the verify-images activity also does the planner's work when there is nothing to check (it
 * records the verify step `skipped`), so the common promotion reaches its record without the planner's local
 * activity round trip; with checks, a hold or any doubt the step runs as before.
 */
export const VERIFY_PLAN_PATCH = 'verify-plan-in-images';

const planner = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 20 },
  summary: 'plan verification gates',
});

/** The options of the check activity: long enough for the slowest check, heartbeating, retried twice. */
export function checkActivityOptions(checks: readonly PlannedCheck[], heartbeatSeconds: number, label: string): ActivityOptions {
  const longest = Math.max(0, ...checks.map((c) => c.durationSeconds + c.intervalSeconds + c.timeoutSeconds));
  const names = checks.map((c) => `${c.name} (${c.kind})`).join(', ');
  return {
    startToCloseTimeout: `${longest + 60} seconds`,
    heartbeatTimeout: `${heartbeatSeconds} seconds`,
    retry: {
      initialInterval: '1 second',
      maximumInterval: '10 seconds',
      maximumAttempts: 3,
      nonRetryableErrorTypes: [FAILURE.verificationFailed, FAILURE.configuration, FAILURE.notFound],
    },
    summary: `${label}: ${names}`.slice(0, 200),
  };
}

export interface VerifyStepContext {
  deploymentId: number;
  /** Since holds-in-step: the planner checks the governance holds first. */
  checkHolds?: boolean;
  /** The promotion's heartbeat timeout (PROMOTION_HEARTBEAT_TIMEOUT_SECONDS). */
  heartbeatSeconds?: number;
}

export interface VerifyStepReport {
  /** Absent when the gate was skipped: the last result shown stays the previous step's. */
  message?: string;
  /** Set when the gate failed under onFailure `rollback`: the promotion ends failed with this message. */
  verificationFailed?: string;
}

export async function runVerifyStep(c: VerifyStepContext): Promise<VerifyStepReport> {
  const plan = await planner.planVerification({
    deploymentId: c.deploymentId,
    record: true,
    ...(c.checkHolds ? { checkHolds: true } : {}),
  });
  if (plan.checks.length === 0) return {};
  const gates = proxyActivities<Activities>(checkActivityOptions(plan.checks, c.heartbeatSeconds ?? 30, 'verify'));
  const result = await gates.verifyGates({ deploymentId: c.deploymentId });
  return result.rollback ? { message: result.message, verificationFailed: result.message } : { message: result.message };
}

/** Plans a re-verification (nothing recorded): see workflows/reverify.ts. */
export function planChecks(deploymentId: number) {
  return planner.planVerification({ deploymentId, record: false });
}
