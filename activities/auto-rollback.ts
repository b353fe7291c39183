// Auto-rollback (docs/verification-and-monitoring.md): an incident the policy acts on with `rollback` promotes the
// environment's last verified release (db/verifications.ts lastVerifiedRelease; never the current one, never one
// whose newest verification there is failed or revoked) as an ordinary promotion: isRollback, initiator
// system:auto-rollback (no token), its reason naming the incident. At most one per incident: the deployment record
// and the incident's action are written in ONE transaction (recordIncidentAction is the guard), so a retried
// activity either finds the action recorded and does nothing, or writes both; the workflow start that follows is
// resumed by the next observation if the worker died in between (resumeAutoRollbackStart).
import type { ActivityDeps } from './deps.js';
import { getRelease } from '../db/releases.js';
import { insertDeployment, type DeploymentRow } from '../db/deployments.js';
import { recordIncidentAction, type IncidentRow } from '../db/incidents.js';
import { lastVerifiedRelease, revokeVerification } from '../db/verifications.js';
import type { EnvironmentRow } from '../db/environments.js';
import { startPromotionRun } from './promotion-start.js';
import { holdMessage, holdsOn } from '../db/holds.js';
import { AUTO_ROLLBACK_INITIATOR } from '../domain/verification.js';
import { STEPS } from '../domain/promotion.js';
import { promotionsStarted } from '../lib/metrics.js';
import { promotionWorkflowId } from '../workflows/promotion-messages.js';

export type AutoRollbackOutcome =
  | { outcome: 'rolled-back'; deploymentId: number; releaseId: string }
  | { outcome: 'refused'; message: string }
  /** Another promotion is active (or the incident was acted on meanwhile): nothing done, try again later. */
  | { outcome: 'busy' };

class Busy extends Error {
  override readonly name = 'AutoRollbackBusy';
}

/** Rolls the environment back to its last verified release because of `incident`. */
export async function autoRollback(
  deps: ActivityDeps,
  input: { environment: EnvironmentRow; incident: IncidentRow; currentReleaseId: string | null },
): Promise<AutoRollbackOutcome> {
  const db = deps.database.db;
  const env = input.environment;
  const { incident } = input;
  const what = `${incident.kind} incident #${incident.id}${incident.application ? ` (${incident.application})` : ''}`;
  const target = await lastVerifiedRelease(db, { environment: env.name, exceptReleaseId: input.currentReleaseId });
  const release = target && target.releaseId !== incident.releaseId ? await getRelease(db, { id: target.releaseId }) : undefined;
  // Governance holds (docs/governance.md): a rejected target, or a paused environment, refuses the rollback too.
  const held = release ? holdMessage(await holdsOn(db, { releaseId: release.id, environment: env.name })) : undefined;
  if (!release || held) {
    const message = held
      ? `auto-rollback refused: ${held} (${what})`
      : `auto-rollback refused: ${env.name} has no verified release to go back to (${what})`;
    const recorded = await db.transaction(async (tx) => {
      if (!(await recordIncidentAction(tx, { id: incident.id, action: 'rollback-refused', message }))) return false;
      if (input.currentReleaseId) {
        await revokeVerification(tx, { environment: env.name, releaseId: input.currentReleaseId, reason: `sustained ${what}` });
      }
      return true;
    });
    if (recorded) deps.logger.warn({ environment: env.name, incident: incident.id }, message);
    return { outcome: 'refused', message };
  }
  const reason = `auto-rollback: ${what}: ${incident.summary}`.slice(0, 1_000);
  let deployment: DeploymentRow;
  try {
    deployment = await db.transaction(async (tx) => {
      const inserted = await insertDeployment(tx, {
        environment: env.name,
        releaseId: release.id,
        previousReleaseId: env.currentReleaseId,
        isRollback: true,
        startedBy: AUTO_ROLLBACK_INITIATOR,
        startedByTokenId: null,
        reason,
        workflowId: promotionWorkflowId(env.name),
        steps: env.protected ? STEPS : STEPS.filter((s) => s !== 'approval'),
        requestId: `incident-${incident.id}`,
        // Restoring the last verified release is not held by a freeze window (recorded like a break-glass, with why).
        breakGlassReason: `auto-rollback on ${what}`,
      });
      if ('conflict' in inserted) throw new Busy(`deployment ${inserted.conflict.id} is active`);
      const message = `rolled back to release ${release.id} (product ${release.productVersion}) by deployment ${inserted.created.id}`;
      if (!(await recordIncidentAction(tx, { id: incident.id, action: 'rolled-back', deploymentId: inserted.created.id, message }))) {
        throw new Busy(`incident ${incident.id} was acted on already`);
      }
      if (input.currentReleaseId) {
        await revokeVerification(tx, { environment: env.name, releaseId: input.currentReleaseId, reason: `rolled back: ${what}` });
      }
      return inserted.created;
    });
  } catch (err) {
    if (err instanceof Busy) return { outcome: 'busy' };
    throw err;
  }
  promotionsStarted.inc({ environment: env.name, kind: 'rollback' });
  deps.logger.warn({ environment: env.name, incident: incident.id, deploymentId: deployment.id, releaseId: release.id }, reason);
  await startRollbackWorkflow(deps, env, deployment);
  return { outcome: 'rolled-back', deploymentId: deployment.id, releaseId: release.id };
}

/**
 * Starts the promotion workflow of an auto-rollback record (idempotent: a run that already exists is ours, since
 * the record is the environment's one active deployment). Left pending when Temporal refuses: the next observation
 * tries again, and the orphan sweep fails a record that never gets its run.
 */
export async function startRollbackWorkflow(deps: ActivityDeps, env: EnvironmentRow, deployment: DeploymentRow): Promise<void> {
  try {
    await startPromotionRun(deps, env, deployment, { initiator: AUTO_ROLLBACK_INITIATOR });
  } catch (err) {
    deps.logger.warn({ err, deploymentId: deployment.id }, 'auto-rollback workflow did not start; the next observation tries again');
    throw err;
  }
}

/** An auto-rollback record that never got its workflow (the worker died between the two): start it now. */
export async function resumeAutoRollbackStart(deps: ActivityDeps, env: EnvironmentRow, active: DeploymentRow): Promise<void> {
  if (active.startedBy !== AUTO_ROLLBACK_INITIATOR || active.status !== 'pending' || active.runId !== null) return;
  await startRollbackWorkflow(deps, env, active);
}
