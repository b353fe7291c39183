// The promotion workflow's public surface: its input and result, the operator Updates and the progress
// Query, and the workflow id per environment. Sandbox-safe and free of workflow logic, so the API and the
// tests import this module rather than the workflow body.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PromotionStatus, StepName } from '../domain/promotion.js';

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

export interface ApproveInput {
  by: string;
  comment?: string;
}
export interface RetryInput {
  by: string;
  comment?: string;
  /** Restart from this forward step (the failed one or an earlier one); default: the failed step. */
  fromStep?: StepName;
}
export interface AbortInput {
  by: string;
  comment?: string;
  /** Leave Git as it is (no revert commit) even if a commit was pushed. */
  leaveGit?: boolean;
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
export const abortUpdate = defineUpdate<ActionResult, [AbortInput]>('abort');
export const progressQuery = defineQuery<Progress>('progress');

export function promotionWorkflowId(environment: string): string {
  return `promote:${environment}`;
}
