// The promotion workflow's public surface: its input and result, the operator Updates and the progress
// Query, and the workflow id per environment. Sandbox-safe and free of workflow logic, so the API and the
// tests import this module rather than the workflow body.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PromotionStatus, StepName } from '../domain/promotion.js';
import { BreakGlassKey, DeploymentIdKey, EnvironmentKey, PromotionStateKey, ReleaseIdKey } from './search-attributes.js';

export interface PromoteInput {
  deploymentId: number;
  releaseId: string;
  environment: string;
  initiator: string;
  isRollback: boolean;
  /** null: the environment is not protected. */
  approval: { required: number; approvers: string[]; timeoutSeconds: number } | null;
  convergenceDeadlineSeconds: number;
  /** Activity timeouts; defaults below. Set by the API from configuration (short in tests). */
  timeouts?: StepTimeouts;
}

export interface StepTimeouts {
  /** startToClose of quick steps (render, refresh, sync, verify). */
  stepSeconds: number;
  /** startToClose of the Git steps (push, revert). */
  gitSeconds: number;
  /** Heartbeat timeout of the convergence wait: how soon a dead worker's wait is retried elsewhere. */
  heartbeatSeconds: number;
}

export const DEFAULT_STEP_TIMEOUTS: StepTimeouts = { stepSeconds: 60, gitSeconds: 120, heartbeatSeconds: 30 };

/** What the workflow itself can be in (the record's `pending` exists only before the workflow runs). */
export type WorkflowStatus = Exclude<PromotionStatus, 'pending'>;

export interface PromoteResult {
  status: 'succeeded' | 'failed' | 'aborted';
  commitSha: string | null;
  revertSha: string | null;
  message: string | null;
}

/**
 * What the API sends with an operator Update: the id of the `operator_actions` row it recorded and authorized
 * first (who, token, role, scope, request id, comment). The workflow verifies and consumes that row before the
 * action counts; nothing else in the payload is trusted. `by`/`comment`/`leaveGit` in the payload are the
 * pre-verification shape, read only when replaying histories written before the `operator-action-verify` patch.
 */
export interface OperatorActionInput {
  actionId?: string;
  /** Legacy (pre-patch histories only): never trusted by the current code. */
  by?: string;
  comment?: string;
}
export type ApproveInput = OperatorActionInput;
export interface RetryInput extends OperatorActionInput {
  /**
   * Restart from this forward step (the failed one or an earlier one); default: the failed step. The validator
   * checks it early; what counts is the verified operator action's `fromStep` (the API recorded it).
   */
  fromStep?: StepName;
}
export interface AbortUpdateInput extends OperatorActionInput {
  /** Legacy (pre-patch histories only); the verified row's leave_git decides. */
  leaveGit?: boolean;
}
/** An abort as the workflow carries it out (from a verified operator action, or the system's own). */
export interface AbortInput {
  by: string;
  comment?: string;
  /** Leave Git as it is (no revert commit) even if a commit was pushed. */
  leaveGit?: boolean;
  /** The verified operator action (token id and request id go to the audit event). */
  actionId?: string;
  tokenId?: string;
  requestId?: string | null;
}
export interface ActionResult {
  accepted: true;
  /** The state after the action was applied (retry: once the promotion runs again). */
  status: WorkflowStatus;
  step?: StepName | null;
  approvals?: number;
}

export interface Progress {
  status: WorkflowStatus;
  step: StepName | null;
  approvals: string[];
  commitSha: string | null;
  lastError: string | null;
}

export const approveUpdate = defineUpdate<ActionResult, [ApproveInput]>('approve');
export const retryUpdate = defineUpdate<ActionResult, [RetryInput]>('retry');
export const abortUpdate = defineUpdate<ActionResult, [AbortUpdateInput]>('abort');
export const progressQuery = defineQuery<Progress>('progress');
/**
 * Freeze windows changed (created or ended; sent by the API to scheduled promotions): a promotion waiting for a
 * window looks at the windows again now instead of at its next timer. It carries nothing, so it grants nothing.
 */
export const freezeChangedSignal = defineSignal('freezeChanged');

export function promotionWorkflowId(environment: string): string {
  return `promote:${environment}`;
}

/** The re-verification of an environment (workflows/reverify.ts): one run per environment at a time. */
export function reverifyWorkflowId(environment: string): string {
  return `reverify:${environment}`;
}

/** What a promotion's start needs beyond its input: the release's identity for the Temporal UI. */
export interface PromotionStartInfo {
  input: PromoteInput;
  productVersion: string;
  digest: string;
  taskQueue: string;
  /** Started through a freeze by an admin (docs/governance.md): the BreakGlass search attribute. */
  breakGlass?: boolean;
}

/**
 * The options of a promotion workflow's start (the API's promote request and the monitor's auto-rollback start
 * it alike): one run per environment at a time, its summary and search attributes for the Temporal UI.
 */
export function promotionStartOptions(s: PromotionStartInfo) {
  const { input } = s;
  return {
    taskQueue: s.taskQueue,
    workflowId: promotionWorkflowId(input.environment),
    args: [input] as [PromoteInput],
    workflowIdConflictPolicy: 'FAIL' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    staticSummary: `${input.releaseId} → ${input.environment}${input.isRollback ? ' (rollback)' : ''}`,
    staticDetails: `Release ${input.releaseId} (product ${s.productVersion}, digest ${s.digest}) → ${input.environment}; deployment ${input.deploymentId}; started by ${input.initiator}`,
    typedSearchAttributes: [
      { key: ReleaseIdKey, value: input.releaseId },
      { key: EnvironmentKey, value: input.environment },
      { key: DeploymentIdKey, value: String(input.deploymentId) },
      { key: PromotionStateKey, value: 'pending' },
      ...(s.breakGlass ? [{ key: BreakGlassKey, value: 'yes' }] : []),
    ],
    memo: { deploymentId: input.deploymentId, releaseId: input.releaseId, environment: input.environment },
  };
}

/** What a promotion's input is built from: the environment's approval policy and deadline (a db row has them). */
export interface PromoteInputSource {
  environment: {
    name: string;
    protected: boolean;
    approvalsRequired: number;
    approvers: string[];
    approvalTimeoutSeconds: number;
    convergenceDeadlineSeconds: number;
  };
  deployment: { id: number; releaseId: string; isRollback: boolean };
  initiator: string;
  timeouts: StepTimeouts;
}

/** The input of a deployment's promotion run (the API, the queue and the auto-rollback build it alike). */
export function promoteInputOf(s: PromoteInputSource): PromoteInput {
  const env = s.environment;
  return {
    deploymentId: s.deployment.id,
    releaseId: s.deployment.releaseId,
    environment: env.name,
    initiator: s.initiator,
    isRollback: s.deployment.isRollback,
    approval: env.protected
      ? { required: env.approvalsRequired, approvers: env.approvers, timeoutSeconds: env.approvalTimeoutSeconds }
      : null,
    convergenceDeadlineSeconds: env.convergenceDeadlineSeconds,
    timeouts: s.timeouts,
  };
}

// ---- Queued promotions (docs/governance.md "Queues"): one small waiter workflow per queued deployment ----

export interface QueuedPromotionInput {
  deploymentId: number;
  environment: string;
  releaseId: string;
  /** Fallback re-check without a wake-up signal (default QUEUE_RECHECK_SECONDS). */
  recheckSeconds?: number;
}

/** Without a wake-up, a queued promotion looks at its environment again this often. */
export const QUEUE_RECHECK_SECONDS = 30;

export type QueueWaitOutcome =
  | { outcome: 'started'; runId: string | null; whenOpen: boolean }
  | { outcome: 'waiting'; message: string }
  /** The record is no longer queued (superseded, aborted, failed at its start, or started by an earlier attempt). */
  | { outcome: 'ended'; status: PromotionStatus; message: string | null };

/**
 * Something changed for the queue of the waiter's environment (a deployment ended, a queued one was cancelled or
 * superseded, a pause was lifted): look now instead of at the next timer. It carries nothing, so it grants nothing.
 */
export const queueWakeSignal = defineSignal('queueWake');

export function queuedPromotionWorkflowId(deploymentId: number): string {
  return `promote-queue:${deploymentId}`;
}

/** The start options of a queued deployment's waiter (`queuedPromotion`); starting it twice finds the first. */
export function queuedPromotionStartOptions(input: QueuedPromotionInput, taskQueue: string) {
  return {
    taskQueue,
    workflowId: queuedPromotionWorkflowId(input.deploymentId),
    args: [input] as [QueuedPromotionInput],
    // A repeated request finds the running waiter, or starts a new one if it was lost (terminated from the UI).
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    staticSummary: `queued: ${input.releaseId} → ${input.environment}`,
    staticDetails: `Deployment ${input.deploymentId} waits in the queue of ${input.environment}; it starts promote:${input.environment} when the environment is free and it is first`,
    typedSearchAttributes: [
      { key: ReleaseIdKey, value: input.releaseId },
      { key: EnvironmentKey, value: input.environment },
      { key: DeploymentIdKey, value: String(input.deploymentId) },
      { key: PromotionStateKey, value: 'queued' },
    ],
    memo: { deploymentId: input.deploymentId, releaseId: input.releaseId, environment: input.environment },
  };
}
