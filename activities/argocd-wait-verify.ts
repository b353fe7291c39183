// Steps "argocd-wait" and "verify-images" in one activity (workflow change `wait-verify-together`): as soon as
// every application has converged, the live images are verified in the same activity, without a workflow round
// trip between the two (and, with planVerify, the verify step is recorded skipped when it has nothing to check).
// Each step keeps its own history row, recorded as the separate activities record them. Only the wait's failures
// fail this activity (the wait step parks, as before). The verify half runs only while the promotion is still at the
// wait (not after an abort cancelled it), nothing holds it, and within a minute and the activity's time left. When
// the verify half does not succeed (a governance hold, an image mismatch, a Kubernetes error, anything), the result
// says why (the step's row shows the attempt) and the workflow runs the ordinary verify-images step next, with its
// own retries, hold check and park.
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { promotionHeld } from './admission.js';
import { createArgocdWait, type ArgocdWaitInput, type ArgocdWaitResult } from './argocd-wait.js';
import { hook, stillAtStep, toFailure } from './promotion-context.js';
import { STEP } from '../domain/promotion.js';
import { createVerifyImages, type VerifyImagesResult } from './verify-images.js';

export interface ArgocdWaitVerifyInput extends ArgocdWaitInput {
  /** Passed on to verify-images (verify-plan-in-images). */
  planVerify?: boolean;
}
export interface ArgocdWaitVerifyResult extends ArgocdWaitResult {
  /** The verify half's result; absent when it did not succeed (then `verifyDeferred` says why). */
  verified?: VerifyImagesResult;
  verifyDeferred?: string;
}

/** The verify half's bound: the quick steps' default timeout, within what the wait activity has left. */
const VERIFY_WITHIN_MS = 60_000;
const MARGIN_MS = 5_000;

export function createArgocdWaitVerify(deps: ActivityDeps) {
  const { argocdWait } = createArgocdWait(deps);
  const { verifyImages } = createVerifyImages(deps);

  /** Why the verify half must not run now (it is then left to the verify-images step), or undefined. */
  async function notNow(input: ArgocdWaitVerifyInput): Promise<string | undefined> {
    // Aborted meanwhile (the workflow cancelled this activity and compensates): record nothing more.
    if (cancellationSignal().aborted) return 'the step was cancelled';
    if (!(await stillAtStep(deps, input.deploymentId, STEP.argocdWait))) return 'the promotion is no longer at the wait';
    // The verify-images step's hold check, whatever this activity's attempt.
    const held = input.checkHolds ? await promotionHeld(deps, input.deploymentId) : null;
    return held !== null ? `held: ${held}` : undefined;
  }

  return {
    async argocdWaitVerify(input: ArgocdWaitVerifyInput): Promise<ArgocdWaitVerifyResult> {
      try {
        return await waitThenVerify(input);
      } finally {
        await hook(deps, 'argocd-wait-verify:end', input.deploymentId);
      }
    },
  };

  async function waitThenVerify(input: ArgocdWaitVerifyInput): Promise<ArgocdWaitVerifyResult> {
    const { planVerify, ...wait } = input;
    const waited = await argocdWait(wait);
    let why: string | undefined;
    try {
      why = await notNow(input);
    } catch (err) {
      why = toFailure(err).message;
    }
    // What the activity has left before its schedule-to-close timeout (the wait's deadline + 60 s).
    const info = activityInfo();
    const closesAt = info.scheduleToCloseTimeoutMs > 0 ? info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs : Infinity;
    const withinMs = Math.min(VERIFY_WITHIN_MS, closesAt - Date.now() - MARGIN_MS);
    if (why === undefined && withinMs <= 0) why = 'no time left in the wait activity';
    if (why !== undefined) return { ...waited, verifyDeferred: why };
    // The wait heartbeats; the Kubernetes reads here must not let the heartbeat timeout pass either.
    const every = Math.max(100, Math.floor((info.heartbeatTimeoutMs ?? 30_000) / 3));
    const beat = setInterval(() => heartbeat({ polls: waited.polls, verifying: true }), every);
    let timer: NodeJS.Timeout | undefined;
    try {
      const verified = await Promise.race([
        verifyImages({ deploymentId: input.deploymentId, sha: input.sha, ...(planVerify ? { planVerify } : {}) }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`live images not verified within ${Math.round(withinMs / 1000)} s`)), withinMs);
        }),
      ]);
      return { ...waited, verified };
    } catch (err) {
      return { ...waited, verifyDeferred: toFailure(err).message };
    } finally {
      clearInterval(beat);
      clearTimeout(timer);
    }
  }
}
