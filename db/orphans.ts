// Data access for the liveness of active deployment-history records: the run id the API learns from
// Temporal, the active records the orphan sweep looks at, and failing an orphaned record (domain/orphan.ts).
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Tx } from './client.js';
import { deployments } from './promotion-schema.js';
import { applyTransition, type DeploymentRow } from './deployments.js';
import { ACTIVE_STATUSES } from '../domain/promotion.js';

/** Records the run id returned by the workflow start (the workflow's first activity writes the same). */
export async function setRunId(tx: Tx, input: { deploymentId: number; runId: string }): Promise<void> {
  await tx
    .update(deployments)
    .set({ runId: input.runId })
    .where(and(eq(deployments.id, input.deploymentId), isNull(deployments.runId)));
}

/** Every active record, in every environment. */
export async function listActiveDeployments(tx: Tx): Promise<DeploymentRow[]> {
  return tx
    .select()
    .from(deployments)
    .where(inArray(deployments.status, [...ACTIVE_STATUSES]));
}

/**
 * Fails an orphaned record (status `failed`, the reason as its message, audited as `deployment.failed` by
 * `system`), provided it is still as it was judged: same status, same run id. False when it changed meanwhile.
 */
export async function failOrphan(tx: Tx, input: { judged: DeploymentRow; message: string }): Promise<boolean> {
  const [now] = await tx.select().from(deployments).where(eq(deployments.id, input.judged.id)).for('update');
  if (!now || now.status !== input.judged.status || now.runId !== input.judged.runId) return false;
  const row = await applyTransition(tx, { deploymentId: now.id, status: 'failed', message: input.message });
  return row.status === 'failed';
}
