// Governance holds between steps (workflow change `governance-holds`, docs/governance.md): before each forward
// step the promotion asks (a local activity) whether its release has been rejected or its environment paused;
// if so the step fails before it starts and the promotion parks with the reason. A retry asks again, so it
// resumes only once the rejection is lifted or the environment resumed; abort works as for any park.
import { ApplicationFailure } from '@temporalio/workflow';
import { FAILURE } from '../domain/promotion.js';
import { history } from './promotion-steps.js';

export const GOVERNANCE_HOLDS_PATCH = 'governance-holds';

/** Throws a non-retryable PromotionHeld failure (the step parks) when something holds the promotion. */
export async function checkHolds(deploymentId: number): Promise<void> {
  const { held } = await history.checkPromotionHolds({ deploymentId });
  if (held) throw ApplicationFailure.nonRetryable(`held: ${held}`, FAILURE.promotionHeld);
}
