// The state of one running promotion and its message handlers (Temporal's "safe message handlers" shape:
// handlers only validate and change state through methods; the lifecycle in promotion.ts awaits conditions).
// It also owns how the promotion looks from outside: the PromotionState search attribute, the Temporal UI's
// current details, and the history record's transitions.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  currentUpdateInfo,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RecordTransitionInput } from '../activities/record-transition.js';
import type { ApprovalPolicy, VerifiedAction } from '../activities/admission.js';
import { FAILURE, isTerminal, STEP, type OperatorAction, type StepName } from '../domain/promotion.js';
import {
  abortUpdate,
  approveUpdate,
  progressQuery,
  retryUpdate,
  type AbortInput,
  type ActionResult,
  type OperatorActionInput,
  type PromoteInput,
  type RetryInput,
  type PromoteResult,
  type WorkflowStatus,
} from './promotion-messages.js';
import { admission, fromStepProblem, history, isInterruptible } from './promotion-steps.js';
import { PromotionStateKey } from './search-attributes.js';
import { syncWindowWait, waitForWindow, WINDOW_OPENED, type WindowWait } from './promotion-window.js';
import {
  actionRef,
  checkShape,
  currentDetails,
  describe,
  failureType,
  PATCH_VERIFY_ACTIONS,
  rejectAction,
  restartStep,
  RETRY_RESTARTS_PATCH,
  type Decision,
  type StepOutcome,
} from './promotion-support.js';

export { describe, PATCH_ADMIT, RETRY_RESTARTS_PATCH } from './promotion-support.js';

type Verified = Extract<VerifiedAction, { ok: true }>;

export class PromotionRun {
  status: WorkflowStatus;
  step: StepName | null = null;
  commitSha: string | null = null;
  /** The push step has started: a commit may have reached the remote even if its SHA never came back. */
  pushStarted = false;
  /** The abort's revert commit, once compensation pushed one. */
  revertSha: string | null = null;
  lastError: string | null = null;
  /** The failure type of the last failed step (e.g. SyncOperationFailed), decides where a retry restarts. */
  lastFailureType: string | null = null;
  windowBlockedSinceMs: number | null = null; // since when the current step waits for a sync window (promotion-window.ts)
  /** Retries applied so far; a retry Update answers once its own retry is applied. */
  private appliedRetries = 0;
  /** The last finished step's own report (e.g. the wait step's final Argo CD observation). */
  lastResult: string | null = null;
  /** Principals whose approval counted (each once). */
  readonly approvals: string[] = [];
  /** The approval policy in force: the input's until admission replaces it with the environment's. */
  approval: ApprovalPolicy | null;
  /** Set by admission: the run owns its record; every transition says so (`ownerRunId`). */
  admitted = false;
  /** Admission refused the run: it must end without touching the record it names. */
  refused = false;
  /** Admission is over (admitted, refused, or not done by a run older than the patch): operator actions may be verified. */
  admissionSettled = false;
  /** The operator's pending decision; handlers set it, the lifecycle consumes it. */
  private decision: Decision | undefined;
  private stepScope: CancellationScope | undefined;
  /** Sequence of this run's transitions: `<runId>:<seq>` is each one's idempotency key (deterministic). */
  private transitions = 0;

  constructor(readonly input: PromoteInput) {
    this.approval = input.approval;
    this.status = input.approval ? 'awaiting_approval' : 'running';
  }

  // ---- What the Temporal UI and the history record show ----

  details(): void {
    setCurrentDetails(currentDetails(this));
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

  /** One transition of the history record (a local activity, applied exactly once by its key). */
  record(transition: Omit<RecordTransitionInput, 'deploymentId'>): Promise<void> {
    const { runId } = workflowInfo();
    return history.recordTransition({
      deploymentId: this.input.deploymentId,
      key: `${runId}:${++this.transitions}`,
      ...(this.admitted ? { ownerRunId: runId } : {}),
      ...transition,
    });
  }

  /**
   * Admission (the first activity): the database re-checks what the API checked and claims the record for this
   * run; the environment's approval policy replaces the input's. Refused: the run fails, the record untouched. With
   * `start` (admit-and-start) it also checks the freeze windows and records start()'s transition; answers frozen.
   */
  async admit(start = false): Promise<boolean> {
    const { runId } = workflowInfo();
    const { admission: verdict, frozen } = await admission(this.input, start ? `${runId}:${++this.transitions}` : undefined);
    this.admissionSettled = true;
    if (!verdict.admitted) {
      this.refused = true;
      throw ApplicationFailure.nonRetryable(`promotion refused: ${verdict.reason}`, FAILURE.promotionRefused);
    }
    this.admitted = true;
    this.approval = verdict.approval;
    this.status = verdict.approval ? 'awaiting_approval' : 'running';
    return frozen;
  }

  /** The first transition: the record learns its run id and leaves `pending` (since admit-and-start: admit). */
  async start(): Promise<void> {
    this.setStatus(this.status);
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
    setHandler(progressQuery, () => ({
      status: this.status,
      step: this.step,
      approvals: [...this.approvals],
      commitSha: this.commitSha,
      lastError: this.lastError,
    }));

    setHandler(approveUpdate, (a) => (patched(PATCH_VERIFY_ACTIONS) ? this.approve(a) : this.legacyApprove(a)), {
      description: 'Approve this promotion (protected environments). Args: { actionId } of an action recorded by the API',
      validator: (a) => {
        checkShape(a);
        if (!this.approval || this.status !== 'awaiting_approval') throw new Error(`nothing to approve: the promotion is ${this.status}`);
      },
    });

    setHandler(retryUpdate, (r) => (patched(PATCH_VERIFY_ACTIONS) ? this.retry(r) : this.legacyRetry(r)), {
      description:
        'Run the failed step again, or restart from an earlier one (only while awaiting_operator). Args: { actionId, fromStep? } of an action recorded by the API',
      validator: (r) => {
        checkShape(r);
        if (this.status !== 'awaiting_operator') throw new Error(`nothing to retry: the promotion is ${this.status}`);
        if (this.decision) throw new Error('an operator decision is already being applied');
        const problem = fromStepProblem(r.fromStep, this.step);
        if (problem) throw new Error(problem);
      },
    });

    setHandler(abortUpdate, (a) => (patched(PATCH_VERIFY_ACTIONS) ? this.abort(a) : this.legacyAbort(a)), {
      description:
        'End the promotion; reverts a pushed commit unless the action says leaveGit. Args: { actionId } of an action recorded by the API',
      validator: (a) => {
        checkShape(a);
        const problem = this.abortProblem();
        if (problem) throw new Error(problem);
      },
    });
  }

  /** Why an abort is not valid now (undefined: it is). */
  private abortProblem(): string | undefined {
    if (isTerminal(this.status)) return `the promotion has ended (${this.status})`;
    if (this.step === STEP.record) return 'the promotion is recording its success and can no longer be aborted';
    if (this.decision?.kind === 'abort') return 'an abort is already in progress';
    return undefined;
  }

  /**
   * Verifies the operator action the Update refers to (a local activity: the `operator_actions` row exists,
   * matches this deployment and action, is unconsumed, and the principal may act) and consumes it. Anything
   * else fails the Update and is audited (`deployment.forged_action_rejected`); nothing changes here.
   */
  private async verify(action: OperatorAction, a: OperatorActionInput): Promise<Verified> {
    // An Update that arrives with the run's first task waits until admission has claimed the record.
    await condition(() => this.admissionSettled);
    if (this.refused) throw rejectAction('this run was refused at admission');
    const verdict = await history.verifyOperatorAction({
      actionId: typeof a.actionId === 'string' ? a.actionId : undefined,
      deploymentId: this.input.deploymentId,
      action,
      runId: workflowInfo().runId,
      updateId: currentUpdateInfo()?.id ?? '',
      ...(typeof a.by === 'string' ? { claimedBy: a.by } : {}),
    });
    if (!verdict.ok) throw rejectAction(verdict.reason);
    return verdict;
  }

  private async approve(a: OperatorActionInput): Promise<ActionResult> {
    // Checked before the action is consumed (and again after: the state may change while it is verified).
    if (this.status !== 'awaiting_approval') throw rejectAction(`nothing to approve: the promotion is ${this.status}`);
    const v = await this.verify('approve', a);
    if (this.status !== 'awaiting_approval') throw rejectAction(`nothing to approve: the promotion is ${this.status}`);
    // Recorded before it counts: an approval whose record failed never opens the gate.
    await this.record({
      action: {
        action: 'approve',
        by: v.principal,
        ...(v.comment ? { comment: v.comment } : {}),
        ...actionRef({ actionId: a.actionId, tokenId: v.tokenId }),
      },
      requestId: v.requestId,
    });
    if (!this.approvals.includes(v.principal)) this.approvals.push(v.principal);
    this.details();
    return { accepted: true, status: this.status, approvals: this.approvals.length };
  }

  private async retry(r: RetryInput): Promise<ActionResult> {
    if (this.status !== 'awaiting_operator' || this.decision) throw rejectAction(`nothing to retry: the promotion is ${this.status}`);
    const asked = fromStepProblem(r.fromStep, this.step);
    if (asked) throw rejectAction(asked);
    const v = await this.verify('retry', r);
    if (this.status !== 'awaiting_operator' || this.decision) throw rejectAction(`nothing to retry: the promotion is ${this.status}`);
    // The step to restart from is the one the API recorded with the action (the payload's was only checked early).
    const fromStep = v.fromStep ?? undefined;
    const problem = fromStepProblem(fromStep, this.step);
    if (problem) throw rejectAction(problem);
    const before = this.appliedRetries;
    this.decision = {
      kind: 'retry',
      by: v.principal,
      ...(fromStep ? { fromStep } : {}),
      ...actionRef({ actionId: r.actionId, tokenId: v.tokenId }),
      requestId: v.requestId,
    };
    // Answer with the state after the retry is applied (running again, recorded), never the parked one.
    if (patched(RETRY_RESTARTS_PATCH)) await condition(() => this.appliedRetries > before || isTerminal(this.status));
    return { accepted: true, status: this.status, step: this.step };
  }

  private async abort(a: OperatorActionInput): Promise<ActionResult> {
    const before = this.abortProblem();
    if (before) throw rejectAction(before);
    const v = await this.verify('abort', a);
    const after = this.abortProblem();
    if (after) throw rejectAction(after);
    this.decision = {
      kind: 'abort',
      input: {
        by: v.principal,
        ...(v.comment ? { comment: v.comment } : {}),
        ...(v.leaveGit ? { leaveGit: true } : {}),
        ...actionRef({ actionId: a.actionId, tokenId: v.tokenId }),
        requestId: v.requestId,
      },
    };
    if (isInterruptible(this.step)) this.stepScope?.cancel();
    return { accepted: true, status: this.status };
  }

  // Before operator-action-verify the payload's `by` was trusted; kept only so those histories replay (new Updates are verified).
  private async legacyApprove(a: OperatorActionInput & { by?: string }): Promise<ActionResult> {
    const by = a.by ?? '';
    this.approvals.push(by);
    await this.record({ action: { action: 'approve', by, ...(a.comment ? { comment: a.comment } : {}) } });
    this.details();
    return { accepted: true, status: this.status, approvals: this.approvals.length };
  }

  private legacyRetry(r: OperatorActionInput): Promise<ActionResult> {
    this.decision = { kind: 'retry', by: r.by ?? '' };
    return Promise.resolve({ accepted: true, status: this.status });
  }

  private legacyAbort(a: OperatorActionInput & { leaveGit?: boolean }): Promise<ActionResult> {
    this.decision = {
      kind: 'abort',
      input: { by: a.by ?? '', ...(a.comment ? { comment: a.comment } : {}), ...(a.leaveGit ? { leaveGit: true } : {}) },
    };
    if (isInterruptible(this.step)) this.stepScope?.cancel();
    return Promise.resolve({ accepted: true, status: this.status });
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
    const approval = this.approval;
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
   * Runs one step; when it fails (its retries exhausted), parks in awaiting_operator until an operator retries or
   * aborts, or a sync window's timer fires (the system retries). Returns undefined to abort. A retry restarts where
   * the step's preconditions hold again: the operator's `fromStep`, else the sync before a wait whose sync operation
   * failed or was replaced, else the failed step; from `restartFrom` with the retry's time (the wait judges fresh status).
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
        this.lastFailureType = this.windowBlockedSinceMs = null;
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
        const decision = await this.park(name, describe(err), syncWindowWait(this, err));
        if (decision.kind === 'abort') return undefined;
        const restarts = patched(RETRY_RESTARTS_PATCH);
        const from = restarts ? restartStep(name, decision.fromStep, this.lastFailureType) : name;
        this.setStatus('running');
        await this.record({
          status: 'running',
          action: { action: 'retry', by: decision.by, step: name, ...actionRef(decision) },
          message: from === name ? `retry of ${name} by ${decision.by}` : `retry of ${name} from ${from} by ${decision.by}`,
          ...(decision.requestId ? { requestId: decision.requestId } : {}),
        });
        this.appliedRetries++;
        if (restarts) return { restartFrom: from, retriedAtMs: Date.now() };
      }
    }
  }

  /** Parks the promotion on a failed step and waits for the operator's decision (or a sync window's timer). */
  private async park(step: StepName, error: string, wait?: WindowWait): Promise<Decision> {
    this.lastError = wait?.message ?? error;
    this.setStatus('awaiting_operator');
    await this.record({ status: 'awaiting_operator', step, stepStatus: wait ? 'pending' : 'failed', message: this.lastError });
    if (wait && (await waitForWindow(this, wait, () => this.decision !== undefined)) && !this.decision) return WINDOW_OPENED;
    // No reset of `decision`: an Update applied while the park was recorded must not be lost (a retry is cleared below).
    await condition(() => this.decision !== undefined);
    const decision = this.decision as Decision | undefined;
    if (!decision) throw ApplicationFailure.nonRetryable('operator decision vanished', FAILURE.invariantViolation);
    if (decision.kind === 'retry') this.decision = undefined;
    return decision;
  }
}
