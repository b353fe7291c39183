// Pieces of the promotion run that are not its state: the patch ids of its versioned changes, the operator
// decision type, and pure helpers (where a retry restarts, failure descriptions, the Update payload check).
// Sandbox-safe.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FAILURE, STEP, type StepName } from '../domain/promotion.js';
import type { AbortInput, PromoteInput, WorkflowStatus } from './promotion-messages.js';

export type Decision =
  | { kind: 'retry'; by: string; fromStep?: StepName; actionId?: string; tokenId?: string; requestId?: string | null }
  | { kind: 'abort'; input: AbortInput };

/** Patch ids of the side-door guards (docs/security-notes/side-door.md). */
export const PATCH_VERIFY_ACTIONS = 'operator-action-verify';
export const PATCH_ADMIT = 'admit-promotion';
/** Workflow change: admission, the freeze check and the first transition in one local activity (admitAndStart). */
export const ADMIT_AND_START_PATCH = 'admit-and-start';
/** Workflow change: a retry restarts where its preconditions are re-established (see runStep). */
export const RETRY_RESTARTS_PATCH = 'retry-reestablishes-preconditions';
/**
 * Workflow change: the refresh and sync steps run as one activity (argocdRefreshSync); when its sync half fails,
 * the ordinary sync step runs next. Fewer round trips per promotion (docs/benchmarks.md, "End-to-end latency").
 */
export const REFRESH_SYNC_PATCH = 'refresh-sync-together';
export const REFRESH_SYNC_SUMMARY = 'Argo CD refresh and sync';
/**
 * Workflow change: the convergence wait and verify-images in one activity (argocdWaitVerify) as soon as everything
 * converged; when its verify half did not succeed the ordinary verify-images step runs next.
 */
export const WAIT_VERIFY_PATCH = 'wait-verify-together';
export const WAIT_VERIFY_SUMMARY = 'wait for convergence, verify live images';
/** Workflow change: the record step's recordSuccess runs as a local activity (no activity task round trip). */
export const RECORD_SUCCESS_LOCAL_PATCH = 'record-success-local';

/** What runStep tells the lifecycle. */
export type StepOutcome<T> = { value: T } | { restartFrom: StepName; retriedAtMs: number } | undefined;

/** The operator action's audit fields, for the history record's action entry. */
export function actionRef(v: { actionId?: string; tokenId?: string }): { actionId?: string; tokenId?: string } {
  return { ...(v.actionId ? { actionId: v.actionId } : {}), ...(v.tokenId ? { tokenId: v.tokenId } : {}) };
}

export function rejectAction(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, FAILURE.operatorActionRejected);
}

/** Where a retry of `failed` restarts (see runStep). */
export function restartStep(failed: StepName, fromStep: StepName | undefined, failure: string | null): StepName {
  if (fromStep) return fromStep;
  if (failed === STEP.argocdWait && failure === FAILURE.syncOperationFailed) return STEP.argocdSync;
  return failed;
}

/** The failure type an activity reported (ApplicationFailure.type), if any. */
export function failureType(err: unknown): string | null {
  if (err instanceof ActivityFailure && err.cause) return failureType(err.cause);
  if (err instanceof ApplicationFailure) return err.type ?? null;
  return null;
}

/** Cheap shape check of an operator Update's payload (the validator; the handler verifies the action itself). */
export function checkShape(a: unknown): void {
  if (typeof a !== 'object' || a === null) throw new Error('the Update needs { actionId }');
  const { actionId } = a as { actionId?: unknown };
  if (actionId !== undefined && (typeof actionId !== 'string' || actionId.length > 100)) throw new Error('actionId must be a short string');
}

/** A short, secret-free description of a failure for history and the UI. */
export function describe(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return describe(err.cause);
  if (err instanceof ApplicationFailure) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** What the Temporal UI shows as the run's current details (markdown). */
export function currentDetails(run: {
  input: PromoteInput;
  status: WorkflowStatus;
  step: StepName | null;
  approval: { required: number } | null;
  approvals: readonly string[];
  commitSha: string | null;
  lastResult: string | null;
  lastError: string | null;
}): string {
  const { input } = run;
  const lines = [
    `## ${input.releaseId} → ${input.environment}`,
    `**Deployment:** ${input.deploymentId}${input.isRollback ? ' (rollback)' : ''}`,
    `**State:** ${run.status}`,
    `**Step:** ${run.step ?? '—'}`,
  ];
  if (run.approval) lines.push(`**Approvals:** ${run.approvals.length}/${run.approval.required} ${run.approvals.join(', ')}`);
  if (run.commitSha) lines.push(`**Commit:** ${run.commitSha}`);
  if (run.lastResult) lines.push(`**Last result:** ${run.lastResult}`);
  if (run.lastError) lines.push(`**Last error:** ${run.lastError}`);
  if (run.step === STEP.argocdWait && run.status === 'running') {
    lines.push(
      'The wait activity heartbeats its latest Argo CD observation (pending activity details); once everything converged it verifies the live images.',
    );
  }
  if (run.step === STEP.verify && run.status === 'running') {
    lines.push('The verify activity heartbeats where each check stands (pending activity details); the step row keeps the evidence.');
  }
  if (run.status === 'awaiting_operator') lines.push('Operator actions: Update `retry` (run the failed step again) or `abort`.');
  if (run.status === 'awaiting_approval') lines.push('Waiting for Update `approve`.');
  return lines.join('\n\n');
}
