// Steps "argocd-wait" and "verify-images" in one activity (workflow change `wait-verify-together`): as soon as
// every application has converged, the live images are verified in the same activity, without a workflow round
// trip between the two (and, with planVerify, the verify step is recorded skipped when it has nothing to check).
// Each step keeps its own history row, recorded as the separate activities record them. Only the wait's failures
// fail this activity (the wait step parks, as before). When the verify half does not succeed (a governance hold,
// an image mismatch, a Kubernetes error, anything), the result says why (the step's row shows the attempt) and
// the workflow runs the ordinary verify-images step next, with its own retries, hold check and park.
import { activityInfo, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { promotionHeld } from './admission.js';
import { createArgocdWait, type ArgocdWaitInput, type ArgocdWaitResult } from './argocd-wait.js';
import { toFailure } from './promotion-context.js';
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

export function createArgocdWaitVerify(deps: ActivityDeps) {
  const { argocdWait } = createArgocdWait(deps);
  const { verifyImages } = createVerifyImages(deps);
  return {
    async argocdWaitVerify(input: ArgocdWaitVerifyInput): Promise<ArgocdWaitVerifyResult> {
      const { planVerify, ...wait } = input;
      const waited = await argocdWait(wait);
      // The verify-images step's hold check, whatever this activity's attempt (verify-images asks on a first one
      // only; the wait's own check ran before it waited).
      let verifyDeferred: string | undefined;
      if (input.checkHolds) {
        const held = await promotionHeld(deps, input.deploymentId).catch((err: unknown) => toFailure(err).message);
        if (held) verifyDeferred = `held: ${held}`;
      }
      if (verifyDeferred) return { ...waited, verifyDeferred };
      // The wait heartbeats; the Kubernetes reads here must not let the heartbeat timeout pass either.
      const every = Math.max(100, Math.floor((activityInfo().heartbeatTimeoutMs ?? 30_000) / 3));
      const beat = setInterval(() => heartbeat({ polls: waited.polls, verifying: true }), every);
      try {
        const verified = await verifyImages({
          deploymentId: input.deploymentId,
          sha: input.sha,
          ...(input.checkHolds ? { checkHolds: true } : {}),
          ...(planVerify ? { planVerify } : {}),
        });
        return { ...waited, verified };
      } catch (err) {
        return { ...waited, verifyDeferred: toFailure(err).message };
      } finally {
        clearInterval(beat);
      }
    },
  };
}
