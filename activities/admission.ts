// The side-door guards of the promotion workflow (docs/security.md): admitting a run (its first activity
// re-checks what the API checked) and verifying an operator action before it counts. Both run as local
// activities; both refuse by returning a verdict (audited in the database), never by retrying.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { admitDeployment, type Admission, type AdmitInput } from '../db/admission.js';
import { verifyOperatorAction, type VerifiedAction, type VerifyOperatorActionInput } from '../db/operator-actions.js';
import { FAILURE } from '../domain/promotion.js';
import { eq } from 'drizzle-orm';
import { deployments } from '../db/promotion-schema.js';
import { holdMessage, holdsOn } from '../db/holds.js';
import { freezeWindowOf, listFreezeWindows } from '../db/freezes.js';
import { freezeStateAt, nextOpenAt } from '../domain/freeze.js';

export type { Admission, ApprovalPolicy } from '../db/admission.js';
export type { VerifiedAction } from '../db/operator-actions.js';

export function createAdmissionActivities(deps: ActivityDeps) {
  return {
    async admitPromotion(input: AdmitInput): Promise<Admission> {
      const verdict = await deps.database.db.transaction((tx) => admitDeployment(tx, input));
      if (!verdict.admitted) {
        deps.logger.warn(
          { deploymentId: input.deploymentId, workflowId: input.workflowId, reason: verdict.reason },
          'promotion run refused',
        );
      }
      return verdict;
    },
    /**
     * What holds a running promotion before its next step (docs/governance.md): its release rejected, its
     * environment (or every environment) paused. `held` null: nothing; the workflow parks otherwise.
     */
    async checkPromotionHolds(input: { deploymentId: number }): Promise<{ held: string | null }> {
      const [d] = await deps.database.db
        .select({ releaseId: deployments.releaseId, environment: deployments.environment })
        .from(deployments)
        .where(eq(deployments.id, input.deploymentId));
      if (!d) return { held: null };
      return { held: holdMessage(await holdsOn(deps.database.db, d)) ?? null };
    },
    /** Whether a freeze window holds the promotion now, why, and when it should open (ms; null: never). */
    async checkFreeze(input: { deploymentId: number }): Promise<{ frozen: boolean; reasons: string[]; nextOpenAtMs: number | null }> {
      const [d] = await deps.database.db
        .select({ environment: deployments.environment, breakGlassReason: deployments.breakGlassReason })
        .from(deployments)
        .where(eq(deployments.id, input.deploymentId));
      // Break-glass (an admin's override, with a reason): no freeze window holds this promotion.
      if (!d || d.breakGlassReason !== null) return { frozen: false, reasons: [], nextOpenAtMs: null };
      const windows = (await listFreezeWindows(deps.database.db, { environment: d.environment })).map(freezeWindowOf);
      const now = Date.now();
      const state = freezeStateAt(windows, now);
      return {
        frozen: state.frozen,
        reasons: state.blocks.map((b) => b.reason),
        nextOpenAtMs: state.frozen ? nextOpenAt(windows, now) : now,
      };
    },
    async verifyOperatorAction(input: VerifyOperatorActionInput): Promise<VerifiedAction> {
      if (!Number.isSafeInteger(input.deploymentId)) throw ApplicationFailure.nonRetryable('bad deployment id', FAILURE.badInput);
      const verdict = await deps.database.db.transaction((tx) => verifyOperatorAction(tx, input));
      if (!verdict.ok) {
        deps.logger.warn({ deploymentId: input.deploymentId, action: input.action, reason: verdict.reason }, 'operator action refused');
      }
      return verdict;
    },
  };
}
