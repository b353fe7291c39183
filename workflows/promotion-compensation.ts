// Compensation of an aborted promotion, in its own history steps: `revert-push` (restore the environment's
// previous state in Git), then `revert-sync` and `revert-wait` for the revert commit. Their rows are created
// only now, so the forward rows keep what the forward run did. Runs inside the abort's non-cancellable scope.
import type { RevertPushResult } from '../activities/revert-push.js';
import { STEP } from '../domain/promotion.js';
import { DEFAULT_STEP_TIMEOUTS, type AbortInput } from './promotion-messages.js';
import { describe, type PromotionRun } from './promotion-run.js';
import { activitiesWith, optionsFor } from './promotion-steps.js';

/** Workflow change: compensation records its own steps and reverts whenever the push step started. */
export const COMPENSATION_STEPS_PATCH = 'compensation-own-steps';

/** Runs the compensation steps; returns the abort message extended with what happened to Git. */
export async function compensateInSteps(run: PromotionRun, a: AbortInput, message: string): Promise<string> {
  const { input } = run;
  if (!run.pushStarted && !run.commitSha) return message;
  if (a.leaveGit) return `${message}; Git left as is on request`;
  const timeouts = input.timeouts ?? DEFAULT_STEP_TIMEOUTS;
  const deploymentId = input.deploymentId;
  const promotionId = `${deploymentId}:revert`;
  const mark = (
    step: (typeof STEP)['revertPush' | 'revertSync' | 'revertWait'],
    stepStatus: 'running' | 'succeeded' | 'skipped' | 'failed',
    msg: string,
  ) => run.record({ step, stepStatus, message: msg });

  run.enterStep(STEP.revertPush);
  let revert: RevertPushResult;
  try {
    await mark(STEP.revertPush, 'running', 'restoring the previous state in Git');
    revert = await activitiesWith('revert pushed commit', optionsFor('git', timeouts, 0)).revertPush({
      deploymentId,
      ...(run.commitSha ? { sha: run.commitSha } : {}),
    });
    const what = revert.message ?? (revert.sha ? `revert commit ${revert.sha}` : 'nothing to revert');
    await mark(STEP.revertPush, revert.sha ? 'succeeded' : 'skipped', what);
  } catch (err) {
    const why = describe(err);
    await mark(STEP.revertPush, 'failed', why);
    run.enterStep(null);
    return `${message}; restoring Git failed: ${why}`;
  }
  if (!revert.sha) {
    run.enterStep(null);
    return `${message}; nothing to revert in Git${revert.message ? ` (${revert.message})` : ''}`;
  }
  run.revertSha = revert.sha;
  try {
    run.enterStep(STEP.revertSync);
    const deadlineAtMs = Date.now() + input.convergenceDeadlineSeconds * 1000;
    await activitiesWith('sync revert commit', optionsFor('quick', timeouts, 0)).argocdSync({
      deploymentId,
      sha: revert.sha,
      promotionId,
      step: STEP.revertSync,
      recordStep: true,
    });
    run.enterStep(STEP.revertWait);
    await activitiesWith('wait for the revert to converge', optionsFor('wait', timeouts, input.convergenceDeadlineSeconds)).argocdWait({
      deploymentId,
      sha: revert.sha,
      deadlineAtMs,
      promotionId,
      step: STEP.revertWait,
      recordStep: true,
    });
    return `${message}; Git restored by revert commit ${revert.sha}`;
  } catch (err) {
    // The failed revert step says so in its own row (its activity records only its attempts' progress).
    const why = describe(err);
    if (run.step === STEP.revertSync || run.step === STEP.revertWait) await mark(run.step, 'failed', why);
    return `${message}; Git restored by revert commit ${revert.sha}, but it did not converge: ${why}`;
  } finally {
    run.enterStep(null);
  }
}
