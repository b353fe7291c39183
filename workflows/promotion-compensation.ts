// Compensation of an aborted promotion, in its own history steps: `revert-push` (restore the environment's
// previous state in Git), then `revert-sync` and `revert-wait` for the revert commit. Their rows are created
// only now, so the forward rows keep what the forward run did. Runs inside the abort's non-cancellable scope.
import { STEP } from '../domain/promotion.js';
import { DEFAULT_STEP_TIMEOUTS, type AbortInput } from './promotion-messages.js';
import { describe, type PromotionRun } from './promotion-run.js';
import { activitiesWith, optionsFor } from './promotion-steps.js';

/** Workflow change: compensation records its own steps and reverts whenever the push step started. */
export const COMPENSATION_STEPS_PATCH = 'compensation-own-steps';

/**
 * What revertPush answers. The Git side decides what to compensate (this deployment's own commit, found by
 * its trailers, or the previous release re-rendered); `sha: null` means nothing was pushed to revert.
 * `status`/`message` are optional so both the old (`{ sha, status }`) and the new result shape work.
 */
interface RevertResult {
  sha: string | null;
  status?: string;
  message?: string;
}
type RevertPush = (input: { deploymentId: number; sha?: string }) => Promise<RevertResult>;

/** Runs the compensation steps; returns the abort message extended with what happened to Git. */
export async function compensateInSteps(run: PromotionRun, a: AbortInput, message: string): Promise<string> {
  const { input } = run;
  if (!run.pushStarted && !run.commitSha) return message;
  if (a.leaveGit) return `${message}; Git left as is on request`;
  const timeouts = input.timeouts ?? DEFAULT_STEP_TIMEOUTS;
  const deploymentId = input.deploymentId;
  const promotionId = `${deploymentId}:revert`;
  const mark = (
    step: (typeof STEP)['revertPush' | 'revertSync'],
    stepStatus: 'running' | 'succeeded' | 'skipped' | 'failed',
    msg: string,
  ) => run.record({ step, stepStatus, message: msg });

  run.enterStep(STEP.revertPush);
  let revert: RevertResult;
  try {
    await mark(STEP.revertPush, 'running', 'restoring the previous state in Git');
    const revertPush = activitiesWith('revert pushed commit', optionsFor('git', timeouts, 0)).revertPush as unknown as RevertPush;
    revert = await revertPush({ deploymentId, ...(run.commitSha ? { sha: run.commitSha } : {}) });
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
    return `${message}; Git restored by revert commit ${revert.sha}, but it did not converge: ${describe(err)}`;
  } finally {
    run.enterStep(null);
  }
}
