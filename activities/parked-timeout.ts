// A promotion parked too long (monitoring policy `rollback` with `rollbackParkedAfterSeconds`,
// docs/verification-and-monitoring.md): the monitor ends it as the Temporal UI's cancel would — the workflow
// compensates, reverting its own commit (synced and awaited), so the environment runs its current release, the
// last one that succeeded there, again. Parked since: the record's last transition (the park). A promotion that
// waits for a sync window is not stuck (it resumes on its own) and is left alone. Audited once per deployment (a
// key in the database) as `deployment.auto_abort` by system:auto-rollback.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDeps } from './deps.js';
import { recordAudit } from '../db/audit.js';
import type { DeploymentRow } from '../db/deployments.js';
import { deploymentTransitionKeys } from '../db/promotion-schema.js';
import { parkReasonOf } from '../domain/promotion.js';
import { AUTO_ROLLBACK_INITIATOR, type MonitoringConfig } from '../domain/verification.js';

/** Ends `active` when it has been parked longer than the policy allows; returns a line for the tick's actions. */
export async function endParkedTooLong(
  deps: ActivityDeps,
  config: Pick<MonitoringConfig, 'policy' | 'rollbackParkedAfterSeconds'>,
  active: DeploymentRow,
  now: Date,
): Promise<string | undefined> {
  const limit = config.rollbackParkedAfterSeconds;
  if (config.policy !== 'rollback' || limit === undefined || active.status !== 'awaiting_operator') return undefined;
  if (parkReasonOf(active) === 'sync-window') return undefined;
  const parkedMs = now.getTime() - active.updatedAt.getTime();
  if (parkedMs < limit * 1000) return undefined;
  const reason = `parked for ${Math.round(parkedMs / 1000)} s (rollbackParkedAfterSeconds ${limit}): ended, its commit reverted`;
  // Once per deployment, whatever worker or retry gets here: the key and the audit event in one transaction.
  const first = await deps.database.db.transaction(async (tx) => {
    const fresh = await tx
      .insert(deploymentTransitionKeys)
      .values({ key: `auto-abort:${active.id}`, deploymentId: active.id })
      .onConflictDoNothing()
      .returning();
    if (fresh.length === 0) return false;
    await recordAudit(tx, {
      actor: { name: AUTO_ROLLBACK_INITIATOR, tokenId: null },
      action: 'deployment.auto_abort',
      subjectType: 'deployment',
      subjectId: String(active.id),
      details: { environment: active.environment, releaseId: active.releaseId, reason },
    });
    return true;
  });
  // A repeated cancel is harmless (the workflow is already compensating): sent on every due tick until it ends.
  try {
    await Context.current()
      .client.workflow.getHandle(active.workflowId, active.runId ?? undefined)
      .cancel();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined; // ended meanwhile
    throw err;
  }
  if (!first) return undefined;
  deps.logger.warn({ deploymentId: active.id, environment: active.environment }, reason);
  return `ended parked deployment ${active.id}`;
}
