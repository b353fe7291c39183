// The step registry of a promotion (kargo's registry.go shape): one row per forward step with its kind of
// timeout/retry preset, whether an abort may interrupt it, its Temporal UI summary and the activity call.
// Adding a step is one row here, one activity file in activities/, and its name in domain/promotion.ts STEPS.
// Sandbox-safe: activities are imported as a type only.
import { ApplicationFailure, proxyActivities, proxyLocalActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Admission, AdmitInput } from '../activities/admission.js';
import { FAILURE, NON_RETRYABLE_GIT_FAILURES, NON_RETRYABLE_WAIT_FAILURES, STEP, type StepName } from '../domain/promotion.js';
import type { PromoteInput, StepTimeouts } from './promotion-messages.js';
import { runVerifyStep, VERIFICATION_GATES_PATCH } from './promotion-verify.js';

/** Timeout and retry presets, grouped by kind of step. */
export type StepKind = 'quick' | 'git' | 'wait';

const retryQuick = {
  initialInterval: '500 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 5,
} as const;

/** The options of a kind of step, from the promotion's timeouts and its convergence deadline. */
export function optionsFor(kind: StepKind, t: StepTimeouts, deadlineSeconds: number): ActivityOptions {
  switch (kind) {
    case 'quick':
      return { startToCloseTimeout: `${t.stepSeconds} seconds`, retry: retryQuick };
    case 'git':
      return {
        startToCloseTimeout: `${t.gitSeconds} seconds`,
        retry: { ...retryQuick, nonRetryableErrorTypes: [...NON_RETRYABLE_GIT_FAILURES] },
      };
    case 'wait':
      return {
        // The environment's convergence deadline, plus slack for the activity to report the timeout itself.
        scheduleToCloseTimeout: `${deadlineSeconds + 60} seconds`,
        heartbeatTimeout: `${t.heartbeatSeconds} seconds`,
        retry: {
          initialInterval: '1 second',
          maximumInterval: '10 seconds',
          maximumAttempts: 3,
          nonRetryableErrorTypes: [...NON_RETRYABLE_WAIT_FAILURES],
        },
      };
  }
}

/** Options of the history bookkeeping (short database writes, retried patiently). */
export const BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 20 },
};

/** Activities with one set of options and a Temporal UI summary (the activity row's label). */
export function activitiesWith(summary: string, options: ActivityOptions) {
  return proxyActivities<Activities>({ ...options, summary });
}

/**
 * Bookkeeping of the history record runs as local activities: no extra workflow task per transition
 * (they are short database writes on the worker that runs the workflow).
 */
export const history = proxyLocalActivities<Activities>({ ...BOOKKEEPING, summary: 'record deployment state' });

/** The admission local activity; with `startKey` (admit-and-start) also the freeze check and the first transition. */
export async function admission(input: PromoteInput, startKey?: string): Promise<{ admission: Admission; frozen: boolean }> {
  const { workflowId, runId } = workflowInfo();
  const a: AdmitInput = { deploymentId: input.deploymentId, releaseId: input.releaseId, environment: input.environment, workflowId, runId };
  return startKey ? history.admitAndStart({ ...a, key: startKey }) : { admission: await history.admitPromotion(a), frozen: false };
}

/** What a forward step's call sees: the promotion's ids and what earlier steps produced. */
export interface StepContext {
  deploymentId: number;
  /** The pushed commit; set once git-commit-push succeeded. */
  sha: string | null;
  convergenceDeadlineSeconds: number;
  /** Set by an operator's retry (workflow time): the wait judges only status reconciled after it. */
  retriedAtMs?: number;
  /** Set when the retried sync started a new operation in every application: older operations are not ours. */
  syncedAfterMs?: number;
  /** The heartbeat timeout of long steps (the verify step's check activity). */
  heartbeatSeconds?: number;
  /** Since holds-in-step: the step's activity checks the governance holds itself (workflows/promotion-holds.ts). */
  checkHolds?: boolean;
  /** Since verify-plan-in-images: verify-images records the verify step skipped when it has nothing to check… */
  planVerify?: boolean;
  /** …and said so: the verify step then runs no activity. */
  verifySkipped?: boolean;
  /** Since wait-verify-together: the wait step's activity verifies the live images once converged. */
  waitThenVerify?: boolean;
}

/** The activity input of a forward step: the deployment, and the holds check when the step makes it. */
export const stepInput = (c: StepContext) => ({ deploymentId: c.deploymentId, ...(c.checkHolds ? { checkHolds: true } : {}) });

/** The report every step activity returns (some add fields, e.g. the pushed `sha`). */
export interface StepReport {
  message?: string;
  /** The revision Argo CD should sync (the push step). */
  sha?: string;
  /** This deployment's own commit, or null when the push found nothing to change (the push step). */
  ownCommit?: string | null;
  /** argocd-sync: applications synced now, and those whose operation was already ours. */
  synced?: string[];
  alreadyOurs?: string[];
  /** argocdRefreshSync: its sync half's report (absent when that half failed and the sync step runs on its own). */
  sync?: { synced?: string[]; alreadyOurs?: string[] };
  /** verify: the gate failed under onFailure `rollback` (incident opened); the promotion ends failed with this message. */
  verificationFailed?: string;
  /** verify-images (planVerify): the verify step is recorded skipped. */
  verifySkipped?: boolean;
  /** argocdWaitVerify: its verify-images half's report (absent when that half did not succeed). */
  verified?: { message?: string; verifySkipped?: boolean };
}

export interface StepSpec {
  name: Exclude<StepName, 'approval' | 'record'>;
  kind: StepKind;
  /** May an abort cut this step short? Read-only steps and the wait (it heartbeats) yes; a push or sync in
   * flight finishes first, so its result (e.g. the pushed SHA) is known to the compensation. */
  interruptible: boolean;
  summary: string;
  /** A step added by a workflow change: it runs only where patched(patch) holds (older histories skip it). */
  patch?: string;
  run(activities: Activities, ctx: StepContext): Promise<StepReport>;
}

function pushedSha(ctx: StepContext): string {
  if (!ctx.sha) throw ApplicationFailure.nonRetryable('no pushed commit to act on', FAILURE.missingCommit);
  return ctx.sha;
}

/** The forward steps, in order (the approval gate before them and the record step after are the lifecycle's). */
export const FORWARD_STEPS: readonly StepSpec[] = [
  {
    name: STEP.renderValues,
    kind: 'quick',
    interruptible: true,
    summary: 'render values',
    run: (a, c) => a.renderValues(stepInput(c)),
  },
  {
    name: STEP.gitCommitPush,
    kind: 'git',
    interruptible: false,
    summary: 'commit and push',
    run: (a, c) => a.gitCommitPush(stepInput(c)),
  },
  {
    name: STEP.argocdRefresh,
    kind: 'quick',
    interruptible: true,
    summary: 'Argo CD refresh',
    run: (a, c) => a.argocdRefresh(stepInput(c)),
  },
  {
    name: STEP.argocdSync,
    kind: 'quick',
    interruptible: false,
    summary: 'Argo CD sync',
    run: (a, c) => a.argocdSync({ ...stepInput(c), sha: pushedSha(c) }),
  },
  {
    name: STEP.argocdWait,
    kind: 'wait',
    interruptible: true,
    summary: 'wait for convergence',
    // The deadline is taken when the attempt series starts (workflow time, deterministic), so a retry by an
    // operator gets a full deadline again.
    run: (a, c) =>
      (c.waitThenVerify ? a.argocdWaitVerify : a.argocdWait)({
        ...stepInput(c),
        ...(c.waitThenVerify && c.planVerify ? { planVerify: true } : {}),
        sha: pushedSha(c),
        deadlineAtMs: Date.now() + c.convergenceDeadlineSeconds * 1000,
        recordStep: true,
        ...(c.retriedAtMs !== undefined ? { freshAfterMs: c.retriedAtMs } : {}),
        ...(c.syncedAfterMs !== undefined ? { syncedAfterMs: c.syncedAfterMs } : {}),
      }),
  },
  {
    name: STEP.verifyImages,
    kind: 'quick',
    interruptible: true,
    summary: 'verify live images',
    run: (a, c) => a.verifyImages({ ...stepInput(c), sha: pushedSha(c), ...(c.planVerify ? { planVerify: true } : {}) }),
  },
  {
    name: STEP.verify,
    kind: 'quick',
    interruptible: true,
    summary: 'verification gates',
    patch: VERIFICATION_GATES_PATCH,
    // A local activity plans the gate, a heartbeating activity runs the checks (workflows/promotion-verify.ts).
    run: (_a, c) => runVerifyStep(c),
  },
];

const INTERRUPTIBLE: ReadonlySet<StepName> = new Set(FORWARD_STEPS.filter((s) => s.interruptible).map((s) => s.name));

/** Whether an abort may cancel the step that is running now. */
export function isInterruptible(step: StepName | null): boolean {
  return step !== null && INTERRUPTIBLE.has(step);
}

/** Position of a forward step in FORWARD_STEPS (-1 for the approval gate, the record step and revert steps). */
export function forwardIndex(step: StepName | null | undefined): number {
  return step ? FORWARD_STEPS.findIndex((s) => s.name === step) : -1;
}

/**
 * Why a retry's `fromStep` is not acceptable, or undefined when it is: it must be a forward step, the failed
 * one or an earlier one. Restarting before the push after a commit was pushed is allowed: render and push
 * are idempotent (the push finds this deployment's commit by its trailers and pushes nothing when the
 * re-rendered tree is unchanged). If the rendering changed meanwhile (an edited environment), the re-run push
 * commits the new rendering as this deployment's commit: what Argo CD then syncs is what the push reports.
 */
export function fromStepProblem(fromStep: StepName | undefined, failed: StepName | null): string | undefined {
  if (fromStep === undefined) return undefined;
  const from = forwardIndex(fromStep);
  if (from < 0) return `cannot restart from ${fromStep}: not a forward step (${FORWARD_STEPS.map((s) => s.name).join(', ')})`;
  const at = forwardIndex(failed);
  if (from > at) return `cannot restart from ${fromStep}: it comes after the failed step ${failed ?? 'none'}`;
  return undefined;
}
