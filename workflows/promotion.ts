// promoteRelease: moves one immutable release to one environment. The workflow only orchestrates:
// approval gate → render values → commit and push → Argo CD refresh → sync to the pushed SHA → wait for
// convergence → verify live images → record. Every step is an activity (activities/<step>.ts). A step that
// exhausts its retries parks the promotion in `awaiting_operator` until an operator retries or aborts it
// (Workflow Updates, validated so that invalid actions never reach history). Abort after a push restores
// the environment's previous state in Git with a revert commit, synced like any other.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { PromotionStateKey } from './search-attributes.js';

// ---- Inputs, outputs and messages (imported by the API and tests) ----

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

export type PromotionStatus = 'awaiting_approval' | 'running' | 'awaiting_operator' | 'succeeded' | 'failed' | 'aborted';

export interface PromoteResult {
  status: 'succeeded' | 'failed' | 'aborted';
  commitSha: string | null;
  revertSha: string | null;
  message: string | null;
}

export const STEPS = [
  'approval',
  'render-values',
  'git-commit-push',
  'argocd-refresh',
  'argocd-sync',
  'argocd-wait',
  'verify-images',
  'record',
] as const;
export type StepName = (typeof STEPS)[number];

export interface ApproveInput {
  by: string;
  comment?: string;
}
export interface RetryInput {
  by: string;
  comment?: string;
}
export interface AbortInput {
  by: string;
  comment?: string;
  /** Leave Git as it is (no revert commit) even if a commit was pushed. */
  leaveGit?: boolean;
}
export interface ActionResult {
  accepted: true;
  status: PromotionStatus;
  approvals?: number;
}

export interface Progress {
  status: PromotionStatus;
  step: StepName | null;
  approvals: string[];
  commitSha: string | null;
  lastError: string | null;
}

export const approveUpdate = defineUpdate<ActionResult, [ApproveInput]>('approve');
export const retryUpdate = defineUpdate<ActionResult, [RetryInput]>('retry');
export const abortUpdate = defineUpdate<ActionResult, [AbortInput]>('abort');
export const progressQuery = defineQuery<Progress>('progress');

/** Steps an abort may interrupt: read-only ones, and the wait (it heartbeats, so it hears the cancel). */
const INTERRUPTIBLE_STEPS: ReadonlySet<StepName> = new Set(['render-values', 'argocd-refresh', 'argocd-wait', 'verify-images']);

export function promotionWorkflowId(environment: string): string {
  return `promote:${environment}`;
}

// ---- Activity options, grouped by kind of step ----

const retryQuick = { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 } as const;

/** Activity options grouped by kind of step. */
function stepOptions(t: StepTimeouts) {
  const quick: ActivityOptions = { startToCloseTimeout: `${t.stepSeconds} seconds`, retry: retryQuick };
  const git: ActivityOptions = {
    startToCloseTimeout: `${t.gitSeconds} seconds`,
    retry: { ...retryQuick, nonRetryableErrorTypes: ['GitAuthError', 'GitPermanentError', 'ConfigurationError'] },
  };
  const wait = (deadlineSeconds: number): ActivityOptions => ({
    // The environment's convergence deadline, plus slack for the activity to report the timeout itself.
    scheduleToCloseTimeout: `${deadlineSeconds + 60} seconds`,
    heartbeatTimeout: `${t.heartbeatSeconds} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3, nonRetryableErrorTypes: ['ConvergenceFailed'] },
  });
  return { quick, git, wait };
}

const bookkeeping: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 20 },
};

function activitiesFor(summary: string, options: ActivityOptions) {
  return proxyActivities<Activities>({ ...options, summary });
}

// Bookkeeping of the history record runs as local activities: no extra workflow task per transition
// (they are short database writes on the worker that runs the workflow).
const book = proxyLocalActivities<Activities>({ ...bookkeeping, summary: 'record deployment state' });

export async function promoteRelease(input: PromoteInput): Promise<PromoteResult> {
  const opts = stepOptions(input.timeouts ?? DEFAULT_STEP_TIMEOUTS);
  const quick = opts.quick;
  const gitOptions = opts.git;
  const waitActivities = (deadlineSeconds: number) => activitiesFor('wait for convergence', opts.wait(deadlineSeconds));
  let status: PromotionStatus = input.approval ? 'awaiting_approval' : 'running';
  let step: StepName | null = null;
  let commitSha: string | null = null;
  let lastError: string | null = null;
  /** The last finished step's own report (e.g. the wait step's final Argo CD observation). */
  let lastResult: string | null = null;
  const approvals: string[] = [];
  let decision: { kind: 'retry'; by: string } | { kind: 'abort'; input: AbortInput } | undefined;
  let stepScope: CancellationScope | undefined;
  // Read through a function: handlers change `decision` concurrently, which TypeScript's narrowing cannot see.
  const currentDecision = () => decision;

  const details = () => {
    const lines = [
      `## ${input.releaseId} → ${input.environment}`,
      `**Deployment:** ${input.deploymentId}${input.isRollback ? ' (rollback)' : ''}`,
      `**State:** ${status}`,
      `**Step:** ${step ?? '—'}`,
    ];
    if (input.approval) lines.push(`**Approvals:** ${approvals.length}/${input.approval.required} ${approvals.join(', ')}`);
    if (commitSha) lines.push(`**Commit:** ${commitSha}`);
    if (lastResult) lines.push(`**Last result:** ${lastResult}`);
    if (lastError) lines.push(`**Last error:** ${lastError}`);
    if (step === 'argocd-wait' && status === 'running') lines.push('The wait activity heartbeats its latest Argo CD observation (pending activity details).');
    if (status === 'awaiting_operator') lines.push('Operator actions: Update `retry` (run the failed step again) or `abort`.');
    if (status === 'awaiting_approval') lines.push('Waiting for Update `approve`.');
    setCurrentDetails(lines.join('\n\n'));
  };
  const setStatus = (next: PromotionStatus) => {
    status = next;
    upsertSearchAttributes([{ key: PromotionStateKey, value: next }]);
    details();
  };

  setHandler(progressQuery, () => ({ status, step, approvals: [...approvals], commitSha, lastError }));

  setHandler(
    approveUpdate,
    async (a) => {
      approvals.push(a.by);
      await book.recordTransition({ deploymentId: input.deploymentId, action: { action: 'approve', by: a.by, comment: a.comment } });
      details();
      return { accepted: true, status, approvals: approvals.length };
    },
    {
      description: 'Approve this promotion (protected environments). Args: { by, comment? }',
      validator: (a) => {
        if (!input.approval || status !== 'awaiting_approval') throw new Error(`nothing to approve: the promotion is ${status}`);
        if (!a.by) throw new Error('approve needs "by"');
        if (a.by === input.initiator) throw new Error('the initiator of a promotion cannot approve it');
        if (approvals.includes(a.by)) throw new Error(`${a.by} has already approved`);
        if (input.approval.approvers.length > 0 && !input.approval.approvers.includes(a.by)) {
          throw new Error(`${a.by} is not an approver of ${input.environment}`);
        }
      },
    },
  );

  setHandler(
    retryUpdate,
    (r) => {
      decision = { kind: 'retry', by: r.by };
      return { accepted: true, status };
    },
    {
      description: 'Run the failed step again (only while awaiting_operator). Args: { by, comment? }',
      validator: (r) => {
        if (status !== 'awaiting_operator') throw new Error(`nothing to retry: the promotion is ${status}`);
        if (decision) throw new Error('an operator decision is already being applied');
        if (!r.by) throw new Error('retry needs "by"');
      },
    },
  );

  setHandler(
    abortUpdate,
    (a) => {
      decision = { kind: 'abort', input: a };
      // Interrupt only steps that are safe to cut short; a push or sync in flight finishes first, so its
      // result (e.g. the pushed SHA) is known to the compensation.
      if (step && INTERRUPTIBLE_STEPS.has(step)) stepScope?.cancel();
      return { accepted: true, status };
    },
    {
      description: 'End the promotion; reverts a pushed commit unless leaveGit is true. Args: { by, comment?, leaveGit? }',
      validator: (a) => {
        if (status === 'succeeded' || status === 'failed' || status === 'aborted') throw new Error(`the promotion has ended (${status})`);
        if (step === 'record') throw new Error('the promotion is recording its success and can no longer be aborted');
        if (decision?.kind === 'abort') throw new Error('an abort is already in progress');
        if (!a.by) throw new Error('abort needs "by"');
      },
    },
  );

  const finish = async (result: PromoteResult): Promise<PromoteResult> => {
    setStatus(result.status);
    await book.recordTransition({
      deploymentId: input.deploymentId,
      status: result.status,
      message: result.message,
      ...(result.revertSha ? { revertSha: result.revertSha } : {}),
    });
    return result;
  };

  const abort = async (a: AbortInput): Promise<PromoteResult> => {
    return CancellationScope.nonCancellable(async () => {
      await book.recordTransition({
        deploymentId: input.deploymentId,
        action: { action: 'abort', by: a.by, comment: a.comment, step: step ?? undefined },
        message: `aborted by ${a.by}${step ? ` at step ${step}` : ''}`,
      });
      let revertSha: string | null = null;
      let message = `aborted by ${a.by}`;
      if (commitSha && !a.leaveGit) {
        step = null;
        try {
          const revert = await activitiesFor('revert pushed commit', gitOptions).revertPush({ deploymentId: input.deploymentId, sha: commitSha });
          revertSha = revert.sha;
          const deadlineAtMs = Date.now() + input.convergenceDeadlineSeconds * 1000;
          await activitiesFor('sync revert commit', quick).argocdSync({ deploymentId: input.deploymentId, sha: revert.sha });
          await waitActivities(input.convergenceDeadlineSeconds).argocdWait({
            deploymentId: input.deploymentId,
            sha: revert.sha,
            deadlineAtMs,
            recordStep: false,
          });
          message += `; Git restored by revert commit ${revert.sha}`;
        } catch (err) {
          message += `; restoring Git failed: ${describe(err)}`;
        }
      } else if (commitSha) {
        message += '; Git left as is on request';
      }
      return finish({ status: 'aborted', commitSha, revertSha, message });
    });
  };

  /** Runs one step; parks on failure until an operator retries or aborts. Returns undefined on abort. */
  async function runStep<T>(name: StepName, call: () => Promise<T>): Promise<{ value: T } | undefined> {
    step = name;
    details();
    for (;;) {
      if (currentDecision()?.kind === 'abort') return undefined;
      try {
        stepScope = new CancellationScope();
        const value = await stepScope.run(call);
        stepScope = undefined;
        lastError = null;
        const message = (value as { message?: unknown } | null)?.message;
        if (typeof message === 'string') lastResult = `${name}: ${message}`;
        return { value };
      } catch (err) {
        stepScope = undefined;
        if (currentDecision()?.kind === 'abort') return undefined;
        if (isCancellation(err)) {
          // The workflow itself was cancelled (e.g. from the Temporal UI): end it like an abort.
          decision = { kind: 'abort', input: { by: 'temporal-cancel', comment: 'workflow cancelled' } };
          return undefined;
        }
        lastError = describe(err);
        setStatus('awaiting_operator');
        await book.recordTransition({
          deploymentId: input.deploymentId,
          status: 'awaiting_operator',
          step: name,
          stepStatus: 'failed',
          message: lastError,
        });
        decision = undefined;
        await condition(() => decision !== undefined);
        const d = currentDecision();
        if (!d || d.kind === 'abort') return undefined;
        decision = undefined;
        setStatus('running');
        await book.recordTransition({
          deploymentId: input.deploymentId,
          status: 'running',
          action: { action: 'retry', by: d.by, step: name },
          message: `retry of ${name} by ${d.by}`,
        });
      }
    }
  }

  // ---- The promotion ----
  async function run(): Promise<PromoteResult> {
    details();
    upsertSearchAttributes([{ key: PromotionStateKey, value: status }]);
    await book.recordTransition({ deploymentId: input.deploymentId, status, runId: workflowInfo().runId, started: true });

    if (input.approval) {
      step = 'approval';
      details();
      const approved = await condition(
        () => approvals.length >= (input.approval?.required ?? 0) || decision?.kind === 'abort',
        input.approval.timeoutSeconds * 1000,
      );
      const afterApproval = currentDecision();
      if (afterApproval?.kind === 'abort') return abort(afterApproval.input);
      if (!approved) {
        await book.recordTransition({ deploymentId: input.deploymentId, action: { action: 'expire', by: 'system' }, step: 'approval', stepStatus: 'failed' });
        return finish({ status: 'failed', commitSha: null, revertSha: null, message: `approval expired after ${input.approval.timeoutSeconds}s` });
      }
      await book.recordTransition({ deploymentId: input.deploymentId, step: 'approval', stepStatus: 'succeeded', message: `approved by ${approvals.join(', ')}` });
      setStatus('running');
      await book.recordTransition({ deploymentId: input.deploymentId, status: 'running' });
    }

    const id = { deploymentId: input.deploymentId };
    if (!(await runStep('render-values', () => activitiesFor('render values', quick).renderValues(id)))) return abort(pendingAbort());

    const pushed = await runStep('git-commit-push', () => activitiesFor('commit and push', gitOptions).gitCommitPush(id));
    if (!pushed) return abort(pendingAbort());
    commitSha = pushed.value.sha;
    details();
    const sha = commitSha;

    if (!(await runStep('argocd-refresh', () => activitiesFor('Argo CD refresh', quick).argocdRefresh(id)))) return abort(pendingAbort());
    if (!(await runStep('argocd-sync', () => activitiesFor('Argo CD sync', quick).argocdSync({ ...id, sha })))) return abort(pendingAbort());
    if (
      !(await runStep('argocd-wait', () =>
        waitActivities(input.convergenceDeadlineSeconds).argocdWait({
          ...id,
          sha,
          deadlineAtMs: Date.now() + input.convergenceDeadlineSeconds * 1000,
          recordStep: true,
        }),
      ))
    )
      return abort(pendingAbort());
    if (!(await runStep('verify-images', () => activitiesFor('verify live images', quick).verifyImages({ ...id, sha })))) return abort(pendingAbort());

    step = 'record';
    details();
    await activitiesFor('record success', bookkeeping).recordSuccess({ ...id, sha });
    status = 'succeeded';
    upsertSearchAttributes([{ key: PromotionStateKey, value: status }]);
    step = null;
    details();
    return { status: 'succeeded', commitSha, revertSha: null, message: null };
  }

  try {
    return await run();
  } catch (err) {
    // Cancelled from outside (e.g. the Temporal UI): end like an abort, compensating in Git.
    if (isCancellation(err)) return abort({ by: 'temporal-cancel', comment: 'workflow cancelled' });
    // Anything else (a bookkeeping step out of retries, a bug): the history record must not stay active,
    // or the environment would be blocked for good.
    await CancellationScope.nonCancellable(() =>
      book.recordTransition({ deploymentId: input.deploymentId, status: 'failed', message: `promotion failed: ${describe(err)}` }),
    );
    throw err;
  }

  function pendingAbort(): AbortInput {
    const d = currentDecision();
    return d?.kind === 'abort' ? d.input : { by: 'system' };
  }
}

/** A short, secret-free description of a failure for history and the UI. */
function describe(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return describe(err.cause);
  if (err instanceof ApplicationFailure) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
