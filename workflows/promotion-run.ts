// The state of one running promotion and its message handlers (Temporal's "safe message handlers" shape:
// handlers only validate and change state through methods; the lifecycle in promotion.ts awaits conditions).
// It also owns how the promotion looks from outside: the PromotionState search attribute, the Temporal UI's
// current details, and the history record's transitions.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RecordTransitionInput } from '../activities/record-transition.js';
import { FAILURE, isTerminal, STEP, type StepName } from '../domain/promotion.js';
import {
  abortUpdate,
  approveUpdate,
  progressQuery,
  retryUpdate,
  type AbortInput,
  type PromoteInput,
  type PromoteResult,
  type WorkflowStatus,
} from './promotion-messages.js';
import { fromStepProblem, history, isInterruptible } from './promotion-steps.js';
import { PromotionStateKey } from './search-attributes.js';

type Decision = { kind: 'retry'; by: string; fromStep?: StepName } | { kind: 'abort'; input: AbortInput };

/** Workflow change: a retry restarts where its preconditions are re-established (see runStep). */
export const RETRY_RESTARTS_PATCH = 'retry-reestablishes-preconditions';

/** What runStep tells the lifecycle. */
export type StepOutcome<T> = { value: T } | { restartFrom: StepName; retriedAtMs: number } | undefined;

export class PromotionRun {
  status: WorkflowStatus;
  step: StepName | null = null;
  commitSha: string | null = null;
  /** The push step has started: a commit may have reached the remote even if its SHA never came back. */
  pushStarted = false;
  /** The abort's revert commit, once compensation pushed one. */
  revertSha: string | null = null;
  lastError: string | null = null;
  /** The last finished step's own report (e.g. the wait step's final Argo CD observation). */
  lastResult: string | null = null;
  /** The failure type of the last failed step (e.g. SyncOperationFailed), decides where a retry restarts. */
  lastFailureType: string | null = null;
  /** Retries applied so far; a retry Update answers once its own retry is applied. */
  private appliedRetries = 0;
  readonly approvals: string[] = [];
  /** The operator's pending decision; handlers set it, the lifecycle consumes it. */
  private decision: Decision | undefined;
  private stepScope: CancellationScope | undefined;

  constructor(readonly input: PromoteInput) {
    this.status = input.approval ? 'awaiting_approval' : 'running';
  }

  // ---- What the Temporal UI and the history record show ----

  details(): void {
    const { input } = this;
    const lines = [
      `## ${input.releaseId} → ${input.environment}`,
      `**Deployment:** ${input.deploymentId}${input.isRollback ? ' (rollback)' : ''}`,
      `**State:** ${this.status}`,
      `**Step:** ${this.step ?? '—'}`,
    ];
    if (input.approval) lines.push(`**Approvals:** ${this.approvals.length}/${input.approval.required} ${this.approvals.join(', ')}`);
    if (this.commitSha) lines.push(`**Commit:** ${this.commitSha}`);
    if (this.lastResult) lines.push(`**Last result:** ${this.lastResult}`);
    if (this.lastError) lines.push(`**Last error:** ${this.lastError}`);
    if (this.step === STEP.argocdWait && this.status === 'running') {
      lines.push('The wait activity heartbeats its latest Argo CD observation (pending activity details).');
    }
    if (this.status === 'awaiting_operator') lines.push('Operator actions: Update `retry` (run the failed step again) or `abort`.');
    if (this.status === 'awaiting_approval') lines.push('Waiting for Update `approve`.');
    setCurrentDetails(lines.join('\n\n'));
  }

  setStatus(next: WorkflowStatus): void {
    this.status = next;
    upsertSearchAttributes([{ key: PromotionStateKey, value: next }]);
    this.details();
  }

  enterStep(step: StepName | null): void {
    this.step = step;
    this.details();
  }

  /** One transition of the history record (a local activity, idempotent on retry). */
  record(transition: Omit<RecordTransitionInput, 'deploymentId'>): Promise<void> {
    return history.recordTransition({ deploymentId: this.input.deploymentId, ...transition });
  }

  /** The first transition: the record learns its run id and leaves `pending`. */
  async start(): Promise<void> {
    this.details();
    upsertSearchAttributes([{ key: PromotionStateKey, value: this.status }]);
    await this.record({ status: this.status, runId: workflowInfo().runId, started: true });
  }

  /** The last transition of a promotion that did not succeed. */
  async finish(result: PromoteResult): Promise<PromoteResult> {
    this.setStatus(result.status);
    await this.record({ status: result.status, message: result.message, ...(result.revertSha ? { revertSha: result.revertSha } : {}) });
    return result;
  }

  // ---- Operator messages ----

  register(): void {
    const { input } = this;
    setHandler(progressQuery, () => ({
      status: this.status,
      step: this.step,
      approvals: [...this.approvals],
      commitSha: this.commitSha,
      lastError: this.lastError,
    }));

    setHandler(
      approveUpdate,
      async (a) => {
        this.approvals.push(a.by);
        await this.record({ action: { action: 'approve', by: a.by, comment: a.comment } });
        this.details();
        return { accepted: true, status: this.status, approvals: this.approvals.length };
      },
      {
        description: 'Approve this promotion (protected environments). Args: { by, comment? }',
        validator: (a) => {
          if (!input.approval || this.status !== 'awaiting_approval')
            throw new Error(`nothing to approve: the promotion is ${this.status}`);
          if (!a.by) throw new Error('approve needs "by"');
          if (a.by === input.initiator) throw new Error('the initiator of a promotion cannot approve it');
          if (this.approvals.includes(a.by)) throw new Error(`${a.by} has already approved`);
          if (input.approval.approvers.length > 0 && !input.approval.approvers.includes(a.by)) {
            throw new Error(`${a.by} is not an approver of ${input.environment}`);
          }
        },
      },
    );

    setHandler(
      retryUpdate,
      async (r) => {
        const before = this.appliedRetries;
        this.decision = { kind: 'retry', by: r.by, ...(r.fromStep ? { fromStep: r.fromStep } : {}) };
        // Answer with the state after the retry is applied (running again, recorded), never the parked one.
        if (patched(RETRY_RESTARTS_PATCH)) await condition(() => this.appliedRetries > before || isTerminal(this.status));
        return { accepted: true, status: this.status, step: this.step };
      },
      {
        description:
          'Run the failed step again, or restart from an earlier one (only while awaiting_operator). Args: { by, comment?, fromStep? }',
        validator: (r) => {
          if (this.status !== 'awaiting_operator') throw new Error(`nothing to retry: the promotion is ${this.status}`);
          if (this.decision) throw new Error('an operator decision is already being applied');
          if (!r.by) throw new Error('retry needs "by"');
          const problem = fromStepProblem(r.fromStep, this.step);
          if (problem) throw new Error(problem);
        },
      },
    );

    setHandler(
      abortUpdate,
      (a) => {
        this.decision = { kind: 'abort', input: a };
        if (isInterruptible(this.step)) this.stepScope?.cancel();
        return { accepted: true, status: this.status };
      },
      {
        description: 'End the promotion; reverts a pushed commit unless leaveGit is true. Args: { by, comment?, leaveGit? }',
        validator: (a) => {
          if (isTerminal(this.status)) throw new Error(`the promotion has ended (${this.status})`);
          if (this.step === STEP.record) throw new Error('the promotion is recording its success and can no longer be aborted');
          if (this.decision?.kind === 'abort') throw new Error('an abort is already in progress');
          if (!a.by) throw new Error('abort needs "by"');
        },
      },
    );
  }

  /** The abort an operator asked for, if any. */
  abortRequested(): AbortInput | undefined {
    return this.decision?.kind === 'abort' ? this.decision.input : undefined;
  }

  /** The abort to carry out now: the operator's, or the system's when none was asked for. */
  pendingAbort(): AbortInput {
    return this.abortRequested() ?? { by: 'system' };
  }

  // ---- Gates and steps ----

  /** Waits for the approvals (or an abort, or the timeout). */
  async approvalGate(): Promise<'approved' | 'expired' | 'aborted'> {
    const approval = this.input.approval;
    if (!approval) return 'approved';
    this.enterStep(STEP.approval);
    const approved = await condition(
      () => this.approvals.length >= approval.required || this.abortRequested() !== undefined,
      approval.timeoutSeconds * 1000,
    );
    if (this.abortRequested()) return 'aborted';
    if (!approved) {
      await this.record({ action: { action: 'expire', by: 'system' }, step: STEP.approval, stepStatus: 'failed' });
      return 'expired';
    }
    await this.record({ step: STEP.approval, stepStatus: 'succeeded', message: `approved by ${this.approvals.join(', ')}` });
    this.setStatus('running');
    await this.record({ status: 'running' });
    return 'approved';
  }

  /**
   * Runs one step; when it fails (its retries exhausted), parks in awaiting_operator until an operator
   * retries or aborts. Returns undefined when the promotion is to be aborted. A retry restarts where the
   * step's preconditions are re-established: the step the operator named (`fromStep`), else the sync before
   * a wait whose sync operation failed or was replaced, else the failed step itself; the lifecycle restarts
   * from `restartFrom` (the failed step included) with the retry's time, so the wait judges fresh status only.
   */
  async runStep<T extends { message?: unknown }>(name: StepName, call: () => Promise<T>): Promise<StepOutcome<T>> {
    this.enterStep(name);
    for (;;) {
      if (this.abortRequested()) return undefined;
      try {
        const scope = new CancellationScope();
        this.stepScope = scope;
        const value = await scope.run(call);
        this.stepScope = undefined;
        this.lastError = null;
        this.lastFailureType = null;
        if (typeof value.message === 'string') this.lastResult = `${name}: ${value.message}`;
        return { value };
      } catch (err) {
        this.stepScope = undefined;
        if (this.abortRequested()) return undefined;
        if (isCancellation(err)) {
          // The workflow itself was cancelled (e.g. from the Temporal UI): end it like an abort.
          this.decision = { kind: 'abort', input: { by: 'temporal-cancel', comment: 'workflow cancelled' } };
          return undefined;
        }
        this.lastFailureType = failureType(err);
        const decision = await this.park(name, describe(err));
        if (decision.kind === 'abort') return undefined;
        const restarts = patched(RETRY_RESTARTS_PATCH);
        const from = restarts ? restartStep(name, decision.fromStep, this.lastFailureType) : name;
        this.setStatus('running');
        await this.record({
          status: 'running',
          action: { action: 'retry', by: decision.by, step: name },
          message: from === name ? `retry of ${name} by ${decision.by}` : `retry of ${name} from ${from} by ${decision.by}`,
        });
        this.appliedRetries++;
        if (restarts) return { restartFrom: from, retriedAtMs: Date.now() };
      }
    }
  }

  /** Parks the promotion on a failed step and waits for the operator's decision. */
  private async park(step: StepName, error: string): Promise<Decision> {
    this.lastError = error;
    this.setStatus('awaiting_operator');
    await this.record({ status: 'awaiting_operator', step, stepStatus: 'failed', message: error });
    this.decision = undefined;
    await condition(() => this.decision !== undefined);
    const decision = this.decision as Decision | undefined;
    if (!decision) throw ApplicationFailure.nonRetryable('operator decision vanished', 'InvariantViolation');
    if (decision.kind === 'retry') this.decision = undefined;
    return decision;
  }
}

/** Where a retry of `failed` restarts (see runStep). */
function restartStep(failed: StepName, fromStep: StepName | undefined, failure: string | null): StepName {
  if (fromStep) return fromStep;
  if (failed === STEP.argocdWait && failure === FAILURE.syncOperationFailed) return STEP.argocdSync;
  return failed;
}

/** The failure type an activity reported (ApplicationFailure.type), if any. */
function failureType(err: unknown): string | null {
  if (err instanceof ActivityFailure && err.cause) return failureType(err.cause);
  if (err instanceof ApplicationFailure) return err.type ?? null;
  return null;
}

/** A short, secret-free description of a failure for history and the UI. */
export function describe(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return describe(err.cause);
  if (err instanceof ApplicationFailure) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
