// promoteRelease: moves one immutable release to one environment. The workflow only orchestrates:
// approval gate → the forward steps of promotion-steps.ts (render values → commit and push → Argo CD refresh
// → sync to the pushed SHA → wait for convergence → verify live images → verification gates) → record. A step that exhausts its
// retries parks the promotion in `awaiting_operator` until an operator retries or aborts it (Workflow Updates,
// validated so that invalid actions never reach history; see promotion-run.ts). Abort after a push restores
// the environment's previous state in Git with a revert commit, synced like any other.
//
// Versioning: promotions park for days, so every change to the commands this workflow issues (activities,
// local activities, timers, search-attribute upserts, their order) must keep the histories in
// test/histories/ replaying: guard it with patched('<change-id>') or add a new workflow type, and record
// the new behaviour into the corpus in the same commit (docs/contributing.md, "Changing the workflow").
import { allHandlersFinished, CancellationScope, condition, isCancellation, patched } from '@temporalio/workflow';
import { STEP } from '../domain/promotion.js';
import {
  DEFAULT_STEP_TIMEOUTS,
  type AbortInput,
  type PromoteInput,
  type PromoteResult,
  type WorkflowStatus,
} from './promotion-messages.js';
import { COMPENSATION_STEPS_PATCH, compensateInSteps } from './promotion-compensation.js';
import { AUTO_ROLLBACK_INITIATOR } from '../domain/workflow-ids.js';

/** Workflow change: a failed gate under onFailure `rollback` reverts the promotion's own commit before it ends failed. */
const VERIFY_ROLLBACK_PATCH = 'verification-rollback-reverts';
import { describe, PATCH_ADMIT, PromotionRun } from './promotion-run.js';
import {
  activitiesWith,
  BOOKKEEPING,
  FORWARD_STEPS,
  forwardIndex,
  history,
  optionsFor,
  stepInput,
  type StepContext,
  type StepReport,
} from './promotion-steps.js';
import { checkHolds, GOVERNANCE_HOLDS_PATCH, HOLDS_IN_STEP_PATCH } from './promotion-holds.js';
import { VERIFY_PLAN_PATCH } from './promotion-verify.js';
import { FREEZE_WAIT_PATCH, FreezeWatch, frozenAtStart, holdWhileFrozen } from './promotion-freeze.js';
import {
  ADMIT_AND_START_PATCH,
  RECORD_SUCCESS_LOCAL_PATCH,
  REFRESH_SYNC_PATCH,
  REFRESH_SYNC_SUMMARY,
  WAIT_VERIFY_PATCH,
  WAIT_VERIFY_SUMMARY,
} from './promotion-support.js';
import { SOAK_PATCH, soakAfterRecord } from './promotion-soak.js';

export async function promoteRelease(input: PromoteInput): Promise<PromoteResult> {
  const run = new PromotionRun(input);
  run.register();
  try {
    const result = await lifecycle(run);
    await condition(allHandlersFinished);
    return result;
  } catch (err) {
    // Refused at admission (a run started around the API): end without touching the record it named.
    if (run.refused) throw err;
    // Cancelled from outside (e.g. the Temporal UI): end like an abort, compensating in Git; never after the record
    // step made the release current (since soak-after-record): the promotion has succeeded, Git stays as it is.
    if (isCancellation(err) && run.status === 'succeeded' && patched(SOAK_PATCH)) return succeeded(run);
    if (isCancellation(err)) return compensate(run, { by: 'temporal-cancel', comment: 'workflow cancelled' });
    // Anything else (a bookkeeping step out of retries, a bug): the history record must not stay active,
    // or the environment would be blocked for good.
    await CancellationScope.nonCancellable(() => run.record({ status: 'failed', message: `promotion failed: ${describe(err)}` }));
    throw err;
  }
}

/** The release lifecycle: start, approval gate, forward steps, record. */
async function lifecycle(run: PromotionRun): Promise<PromoteResult> {
  const { input } = run;
  // Admission re-checks what the API checked (a run started straight on Temporal gains nothing); the approval
  // policy in force is the environment's from then on.
  let watch: FreezeWatch | undefined;
  let resume: WorkflowStatus;
  let frozen: boolean;
  if (patched(ADMIT_AND_START_PATCH)) {
    // One local activity admits, checks the freeze windows and records the start (three until admit-and-start).
    watch = new FreezeWatch();
    frozen = await run.admit(true);
    resume = run.status;
    run.setStatus(frozen ? 'scheduled' : run.status);
  } else {
    if (patched(PATCH_ADMIT)) await run.admit();
    else run.admissionSettled = true;
    // Since freeze-wait: a promotion admitted during a freeze (requested `whenOpen`) starts `scheduled` and waits.
    watch = patched(FREEZE_WAIT_PATCH) ? new FreezeWatch() : undefined;
    resume = run.status;
    frozen = watch !== undefined && (await frozenAtStart(run));
    if (frozen) run.status = 'scheduled';
    await run.start();
  }
  if (watch && frozen && (await holdWhileFrozen(run, watch, resume)) === 'aborted') return compensate(run, run.pendingAbort());

  const gate = await run.approvalGate();
  if (gate === 'aborted') return compensate(run, run.pendingAbort());
  // A freeze that began while the promotion waited for its approval holds it after the gate.
  if (gate === 'approved' && watch && run.approval && (await holdWhileFrozen(run, watch, 'running')) === 'aborted') {
    return compensate(run, run.pendingAbort());
  }
  if (gate === 'expired') {
    return run.finish({
      status: 'failed',
      commitSha: null,
      revertSha: null,
      message: `approval expired after ${run.approval?.timeoutSeconds}s`,
    });
  }

  const timeouts = input.timeouts ?? DEFAULT_STEP_TIMEOUTS;
  const ctx: StepContext = {
    deploymentId: input.deploymentId,
    sha: null,
    convergenceDeadlineSeconds: input.convergenceDeadlineSeconds,
    heartbeatSeconds: timeouts.heartbeatSeconds,
  };
  // Since governance-holds: a rejected release or a paused environment parks the promotion before its next step.
  const holds = patched(GOVERNANCE_HOLDS_PATCH);
  for (let i = 0; i < FORWARD_STEPS.length;) {
    const spec = FORWARD_STEPS[i] as (typeof FORWARD_STEPS)[number];
    // A step added by a workflow change (e.g. verify, `verification-gates`): runs started before it skip it.
    if (spec.patch && !patched(spec.patch)) {
      i++;
      continue;
    }
    if (spec.name === STEP.gitCommitPush) run.pushStarted = true;
    const sha = ctx.sha;
    // Refresh and sync in one activity (a failed sync half is left to the ordinary sync step, run next).
    const together = spec.name === STEP.argocdRefresh && sha !== null && patched(REFRESH_SYNC_PATCH);
    // Since holds-in-step the step's activity checks the holds itself (no local activity round trip before it).
    const inStep = holds && patched(HOLDS_IN_STEP_PATCH);
    if (inStep) ctx.checkHolds = true;
    // Since verify-plan-in-images: verify-images records the verify step skipped when there is nothing to check;
    // since wait-verify-together the wait's activity runs verify-images once converged (one round trip less).
    if (spec.name === STEP.argocdWait) ctx.waitThenVerify = patched(WAIT_VERIFY_PATCH);
    if ((spec.name === STEP.verifyImages || ctx.waitThenVerify) && patched(VERIFY_PLAN_PATCH)) ctx.planVerify = true;
    const summary = spec.name === STEP.argocdWait && ctx.waitThenVerify ? WAIT_VERIFY_SUMMARY : spec.summary;
    const activities = activitiesWith(summary, optionsFor(spec.kind, timeouts, input.convergenceDeadlineSeconds));
    const skipped = spec.name === STEP.verify && ctx.verifySkipped === true;
    const done = await run.runStep(spec.name, async (): Promise<StepReport> => {
      if (skipped) return {};
      if (holds && !inStep) await checkHolds(input.deploymentId);
      return together && sha
        ? CancellationScope.nonCancellable(() =>
            activitiesWith(REFRESH_SYNC_SUMMARY, optionsFor('quick', timeouts, 0)).argocdRefreshSync({ ...stepInput(ctx), sha }),
          )
        : spec.run(activities, ctx);
    });
    delete ctx.verifySkipped;
    if (!done) return compensate(run, run.pendingAbort());
    if ('restartFrom' in done) {
      // An operator's retry: restart there; the wait then judges only status reconciled after the retry.
      ctx.retriedAtMs = done.retriedAtMs;
      delete ctx.syncedAfterMs;
      i = forwardIndex(done.restartFrom);
      continue;
    }
    if (done.value.verificationFailed) {
      // A failed gate under onFailure `rollback`: the incident is open; since verification-rollback-reverts the
      // promotion reverts its own commit (as an abort does, synced and awaited) so the environment runs its current
      // release again, then ends failed (no park).
      if (!patched(VERIFY_ROLLBACK_PATCH)) {
        return run.finish({ status: 'failed', commitSha: run.commitSha, revertSha: null, message: done.value.verificationFailed });
      }
      const failed = done.value.verificationFailed;
      const message = await CancellationScope.nonCancellable(() =>
        compensateInSteps(run, { by: AUTO_ROLLBACK_INITIATOR, comment: 'verification failed' }, `${failed}; rolled back`),
      );
      return run.finish({ status: 'failed', commitSha: run.commitSha, revertSha: run.revertSha, message });
    }
    if (spec.name === STEP.gitCommitPush && done.value.sha) {
      ctx.sha = done.value.sha;
      // Only this deployment's own commit is its commit: a push that found nothing to change syncs the branch
      // head but owns nothing (results recorded before `ownCommit` existed carried the own commit as `sha`).
      run.commitSha = 'ownCommit' in done.value ? (done.value.ownCommit ?? null) : done.value.sha;
      run.details();
    }
    if (spec.name === STEP.verifyImages && done.value.verifySkipped) ctx.verifySkipped = true;
    // The wait's activity verified the live images too: that step is done (its result is the last one shown).
    const verified = spec.name === STEP.argocdWait ? done.value.verified : undefined;
    if (verified) {
      if (typeof verified.message === 'string') run.lastResult = `${STEP.verifyImages}: ${verified.message}`;
      if (verified.verifySkipped) ctx.verifySkipped = true;
    }
    const synced = together ? done.value.sync : spec.name === STEP.argocdSync ? done.value : undefined;
    if (synced && ctx.retriedAtMs !== undefined && synced.synced && !synced.alreadyOurs?.length) {
      // The retry started a new operation in every application: an operation older than the retry is not ours.
      ctx.syncedAfterMs = ctx.retriedAtMs;
    }
    i += (together && done.value.sync) || verified ? 2 : 1;
  }

  run.enterStep(STEP.record);
  // A local activity since record-success-local (idempotent: a repeated record of a succeeded deployment is a no-op).
  const recorder = patched(RECORD_SUCCESS_LOCAL_PATCH) ? history : activitiesWith('record success', BOOKKEEPING);
  // Since soak-after-record the same transaction opens the release's verification row (verified, or soaking).
  const soak = patched(SOAK_PATCH);
  const record = () =>
    recorder.recordSuccess({
      deploymentId: input.deploymentId,
      sha: ctx.sha ?? '',
      commitSha: run.commitSha,
      ...(soak ? { verification: true } : {}),
    });
  // A cancellation arriving while the release becomes current waits for the record (then it ends the soak, not Git).
  const recorded = soak ? await CancellationScope.nonCancellable(record) : await record();
  run.setStatus('succeeded');
  run.enterStep(null);
  if (soak) await soakAfterRecord(run, recorded?.verification, timeouts.stepSeconds);
  return succeeded(run);
}

function succeeded(run: PromotionRun): PromoteResult {
  return { status: 'succeeded', commitSha: run.commitSha, revertSha: null, message: null };
}

/**
 * Ends the promotion as aborted. Compensation runs whatever happens to the workflow meanwhile: a pushed
 * commit is reverted (unless the operator asked to leave Git as is), and the revert is synced and awaited.
 */
function compensate(run: PromotionRun, a: AbortInput): Promise<PromoteResult> {
  const { input } = run;
  return CancellationScope.nonCancellable(async () => {
    const step = run.step;
    await run.record({
      action: {
        action: 'abort',
        by: a.by,
        comment: a.comment,
        step: step ?? undefined,
        ...(a.actionId ? { actionId: a.actionId } : {}),
        ...(a.tokenId ? { tokenId: a.tokenId } : {}),
      },
      message: `aborted by ${a.by}${step ? ` at step ${step}` : ''}`,
      ...(a.requestId ? { requestId: a.requestId } : {}),
    });
    let revertSha: string | null = null;
    let message = `aborted by ${a.by}`;
    if (patched(COMPENSATION_STEPS_PATCH)) {
      message = await compensateInSteps(run, a, message);
      revertSha = run.revertSha;
    } else if (run.commitSha && !a.leaveGit) {
      const timeouts = input.timeouts ?? DEFAULT_STEP_TIMEOUTS;
      run.step = null;
      try {
        const revert = await activitiesWith('revert pushed commit', optionsFor('git', timeouts, 0)).revertPush({
          deploymentId: input.deploymentId,
          sha: run.commitSha,
        });
        revertSha = revert.sha;
        // Histories before the compensation patch always got a SHA back; today's revertPush may find nothing of
        // this deployment's to revert (then there is nothing to sync either).
        if (revert.sha) {
          const deadlineAtMs = Date.now() + input.convergenceDeadlineSeconds * 1000;
          await activitiesWith('sync revert commit', optionsFor('quick', timeouts, 0)).argocdSync({
            deploymentId: input.deploymentId,
            sha: revert.sha,
          });
          await activitiesWith('wait for convergence', optionsFor('wait', timeouts, input.convergenceDeadlineSeconds)).argocdWait({
            deploymentId: input.deploymentId,
            sha: revert.sha,
            deadlineAtMs,
            recordStep: false,
          });
          message += `; Git restored by revert commit ${revert.sha}`;
        } else {
          message += `; ${revert.message ?? 'nothing of this deployment to revert in Git'}`;
        }
      } catch (err) {
        message += `; restoring Git failed: ${describe(err)}`;
      }
    } else if (run.commitSha) {
      message += '; Git left as is on request';
    }
    return run.finish({ status: 'aborted', commitSha: run.commitSha, revertSha, message });
  });
}
