// Governance holds between steps (workflow change `governance-holds`, docs/governance.md): before each forward
// step the promotion asks whether its release has been rejected or its environment paused; if so the step fails
// before it starts and the promotion parks with the reason. A retry asks again, so it resumes only once the
// rejection is lifted or the environment resumed; abort works as for any park. Until `holds-in-step` a local
// activity asked before each step (one more round trip between workflow and worker per step, ~12 ms on the
// benchmark machine: docs/benchmarks.md); since, the step's own activity asks first (`checkHolds` in its input,
// activities/promotion-context.ts recordedStep; the verify step's planner), with the same failure.
import { ApplicationFailure } from '@temporalio/workflow';
import { FAILURE } from '../domain/promotion.js';
import { history } from './promotion-steps.js';

export const GOVERNANCE_HOLDS_PATCH = 'governance-holds';
/** Workflow change: the hold is checked by each step's activity instead of a local activity before it. */
export const HOLDS_IN_STEP_PATCH = 'holds-in-step';

/** Throws a non-retryable PromotionHeld failure (the step parks) when something holds the promotion. */
export async function checkHolds(deploymentId: number): Promise<void> {
  const { held } = await history.checkPromotionHolds({ deploymentId });
  if (held) throw ApplicationFailure.nonRetryable(`held: ${held}`, FAILURE.promotionHeld);
}
