// A promotion parked too long (monitoring policy `rollback` with `rollbackParkedAfterSeconds`,
// docs/verification-and-monitoring.md): the monitor ends it as the Temporal UI's cancel would — the workflow
// compensates, reverting its own commit (synced and awaited), so the environment runs its current release, the
// last one that succeeded there, again. Parked since: the record's last transition (the park). Audited once per
// deployment as `deployment.auto_abort` by system:auto-rollback.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDeps } from './deps.js';
import { recordAudit } from '../db/audit.js';
import type { DeploymentRow } from '../db/deployments.js';
import { AUTO_ROLLBACK_INITIATOR, type MonitoringConfig } from '../domain/verification.js';

/** Deployments this worker has already asked to end (a cancellation takes a few ticks to complete). */
const asked = new Set<number>();

/** Ends `active` when it has been parked longer than the policy allows; returns a line for the tick's actions. */
export async function endParkedTooLong(
  deps: ActivityDeps,
  config: Pick<MonitoringConfig, 'policy' | 'rollbackParkedAfterSeconds'>,
  active: DeploymentRow,
  now: Date,
): Promise<string | undefined> {
  const limit = config.rollbackParkedAfterSeconds;
  if (config.policy !== 'rollback' || limit === undefined || active.status !== 'awaiting_operator') return undefined;
  const parkedMs = now.getTime() - active.updatedAt.getTime();
  if (parkedMs < limit * 1000 || asked.has(active.id)) return undefined;
  try {
    await Context.current()
      .client.workflow.getHandle(active.workflowId, active.runId ?? undefined)
      .cancel();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined; // ended meanwhile
    throw err;
  }
  if (asked.size > 10_000) asked.clear();
  asked.add(active.id);
  const reason = `parked for ${Math.round(parkedMs / 1000)} s (rollbackParkedAfterSeconds ${limit}): ended, its commit reverted`;
  await recordAudit(deps.database.db, {
    actor: { name: AUTO_ROLLBACK_INITIATOR, tokenId: null },
    action: 'deployment.auto_abort',
    subjectType: 'deployment',
    subjectId: String(active.id),
    details: { environment: active.environment, releaseId: active.releaseId, reason },
  });
  deps.logger.warn({ deploymentId: active.id, environment: active.environment }, reason);
  return `ended parked deployment ${active.id}`;
}
