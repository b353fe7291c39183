// The side-door guards of the promotion workflow (docs/security.md): admitting a run (its first activity
// re-checks what the API checked) and verifying an operator action before it counts. Both run as local
// activities; both refuse by returning a verdict (audited in the database), never by retrying.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { admitDeployment, type Admission, type AdmitInput } from '../db/admission.js';
import { verifyOperatorAction, type VerifiedAction, type VerifyOperatorActionInput } from '../db/operator-actions.js';
import { FAILURE } from '../domain/promotion.js';
import { eq } from 'drizzle-orm';
import { deployments, deploymentTransitionKeys } from '../db/promotion-schema.js';
import { applyTransitionMoved } from '../db/deployments.js';
import type { Tx } from '../db/client.js';
import { holdOfDeployment } from '../db/holds.js';
import { freezeWindowOf, listFreezeWindows } from '../db/freezes.js';
import { freezeStateAt, nextOpenAt } from '../domain/freeze.js';

export type { Admission, AdmitInput, ApprovalPolicy } from '../db/admission.js';
export type { VerifiedAction } from '../db/operator-actions.js';

/** What holds the promotion (its release rejected, its environment or every environment paused), or null. */
export async function promotionHeld(deps: ActivityDeps, deploymentId: number): Promise<string | null> {
  return (await holdOfDeployment(deps.database.sql, deploymentId)) ?? null;
}

/** Fails the step before it starts (non-retryable PromotionHeld: the promotion parks) when something holds it. */
export async function throwIfHeld(deps: ActivityDeps, deploymentId: number): Promise<void> {
  const held = await promotionHeld(deps, deploymentId);
  if (held) throw ApplicationFailure.nonRetryable(`held: ${held}`, FAILURE.promotionHeld);
}

/** checkFreeze's answer, in a transaction or not. */
async function freezeOf(tx: Tx, deploymentId: number): Promise<{ frozen: boolean; reasons: string[]; nextOpenAtMs: number | null }> {
  const [d] = await tx
    .select({ environment: deployments.environment, breakGlassReason: deployments.breakGlassReason })
    .from(deployments)
    .where(eq(deployments.id, deploymentId));
  // Break-glass (an admin's override, with a reason): no freeze window holds this promotion.
  if (!d || d.breakGlassReason !== null) return { frozen: false, reasons: [], nextOpenAtMs: null };
  const windows = (await listFreezeWindows(tx, { environment: d.environment })).map(freezeWindowOf);
  const now = Date.now();
  const state = freezeStateAt(windows, now);
  return {
    frozen: state.frozen,
    reasons: state.blocks.map((b) => b.reason),
    nextOpenAtMs: state.frozen ? nextOpenAt(windows, now) : now,
  };
}

export function createAdmissionActivities(deps: ActivityDeps) {
  const logRefusal = (input: AdmitInput, verdict: Admission) => {
    if (verdict.admitted) return;
    deps.logger.warn({ deploymentId: input.deploymentId, workflowId: input.workflowId, reason: verdict.reason }, 'promotion run refused');
  };
  return {
    async admitPromotion(input: AdmitInput): Promise<Admission> {
      const verdict = await deps.database.db.transaction((tx) => admitDeployment(tx, input));
      logRefusal(input, verdict);
      return verdict;
    },
    /**
     * What holds a running promotion before its next step (docs/governance.md): its release rejected, its
     * environment (or every environment) paused. `held` null: nothing; the workflow parks otherwise.
     */
    async checkPromotionHolds(input: { deploymentId: number }): Promise<{ held: string | null }> {
      return { held: await promotionHeld(deps, input.deploymentId) };
    },
    /**
     * Since admit-and-start, the run's first local activity: admission, the freeze check and the first transition
     * (the status it starts in: `scheduled` when a freeze window holds it, else awaiting approval or running) in one
     * transaction, where they were three local activities (each a round trip between workflow and worker).
     * Refused: nothing recorded but the refusal's audit, as admitPromotion.
     */
    async admitAndStart(input: AdmitInput & { key: string }): Promise<{ admission: Admission; frozen: boolean }> {
      const out = await deps.database.db.transaction(async (tx) => {
        const admission = await admitDeployment(tx, input);
        if (!admission.admitted) return { admission, frozen: false };
        // A retry of an attempt that committed (its answer lost): answer what was recorded, not a fresh freeze check.
        const [applied] = await tx
          .select({ status: deployments.status })
          .from(deploymentTransitionKeys)
          .innerJoin(deployments, eq(deployments.id, deploymentTransitionKeys.deploymentId))
          .where(eq(deploymentTransitionKeys.key, input.key));
        if (applied) return { admission, frozen: applied.status === 'scheduled' };
        const { frozen } = await freezeOf(tx, input.deploymentId);
        const status = frozen ? 'scheduled' : admission.approval ? 'awaiting_approval' : 'running';
        const { deploymentId, key, runId } = input;
        await applyTransitionMoved(tx, { deploymentId, key, ownerRunId: runId, status, runId, started: true });
        return { admission, frozen };
      });
      logRefusal(input, out.admission);
      return out;
    },
    /** Whether a freeze window holds the promotion now, why, and when it should open (ms; null: never). */
    async checkFreeze(input: { deploymentId: number }): Promise<{ frozen: boolean; reasons: string[]; nextOpenAtMs: number | null }> {
      return freezeOf(deps.database.db, input.deploymentId);
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
