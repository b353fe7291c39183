// The API's side of the queue (docs/governance.md "Queues"): recording a queued promotion and starting its waiter
// workflow (newest-wins then supersedes the older ones); cancelling a queued promotion; waking
// an environment's waiters when something they wait for changed (best effort: they also look at a timer).
import type { Client } from '@temporalio/client';
import type { Database, Tx } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';
import { failUnstarted, insertDeployment, type DeploymentRow, type InsertDeploymentInput } from '../../db/deployments.js';
import { cancelQueued, listQueue, MAX_QUEUED, queuePosition, supersedeOlder } from '../../db/queue.js';
import { insertOperatorAction } from '../../db/operator-actions.js';
import type { QueuePolicy } from '../../domain/promotion.js';
import type { Actor } from '../../domain/roles.js';
import { queuedPromotionStartOptions, queuedPromotionWorkflowId, queueWakeSignal } from '../../workflows/promotion-messages.js';
import { signalEach } from '../../integrations/workflow-start.js';
import { ApiError } from '../errors.js';

export interface QueueDeps {
  database: Database;
  client: Client;
  taskQueue: string;
  logger: Logger;
}

/**
 * Queues a promotion of `input.releaseId` behind the environment's active one: a `queued` record (the same release
 * queued already: that record, created false), then its waiter. 409 QUEUE_FULL beyond MAX_QUEUED waiting.
 */
export async function enqueuePromotion(
  deps: QueueDeps,
  input: InsertDeploymentInput & { policy: QueuePolicy },
  /** Runs in the insert's transaction when the record was created (the auto-promotion hold of a person's promotion). */
  afterInsert?: (tx: Tx, row: DeploymentRow) => Promise<void>,
): Promise<{ deployment: DeploymentRow; created: boolean; position: number }> {
  const db = deps.database.db;
  const { policy, ...insert } = input;
  const result = await db.transaction(async (tx) => {
    if ((await listQueue(tx, { environment: insert.environment })).length >= MAX_QUEUED) {
      throw new ApiError('QUEUE_FULL', `${MAX_QUEUED} promotions already wait in the queue of ${insert.environment}`, {
        environment: insert.environment,
      });
    }
    const inserted = await insertDeployment(tx, { ...insert, queued: true });
    if ('conflict' in inserted) return { deployment: inserted.conflict, created: false };
    await afterInsert?.(tx, inserted.created);
    return { deployment: inserted.created, created: true };
  });
  const d = result.deployment;
  // Started for a repeated request too (USE_EXISTING: it finds the running waiter), so a lost start is made good.
  try {
    await deps.client.workflow.start(
      'queuedPromotion',
      queuedPromotionStartOptions({ deploymentId: d.id, environment: d.environment, releaseId: d.releaseId }, deps.taskQueue),
    );
  } catch (err) {
    if (result.created) {
      await db.transaction((tx) =>
        failUnstarted(tx, { deploymentId: d.id, message: `Temporal did not accept the queued promotion: ${(err as Error).message}` }),
      );
      deps.logger.error({ err }, 'failed to start the waiter of a queued promotion');
      throw new ApiError('SERVICE_UNAVAILABLE', 'Temporal is unavailable; the promotion was not queued', { deploymentId: d.id });
    }
    deps.logger.warn({ err: (err as Error).message, deploymentId: d.id }, 'could not (re)start the waiter of a queued promotion');
  }
  // newest-wins: the older queued promotions go only once this one is surely queued (its waiter runs), so a start
  // Temporal refused never costs the queue its entries.
  const superseded =
    result.created && policy === 'newest-wins'
      ? await db.transaction((tx) => supersedeOlder(tx, d, { name: insert.startedBy, tokenId: insert.startedByTokenId }))
      : [];
  if (superseded.length > 0) await signalWaiters(deps, superseded);
  const position = d.status === 'queued' ? await queuePosition(db, d) : 0;
  return { deployment: d, created: result.created, position };
}

/** Removes a queued promotion from its queue (the abort route); undefined when it is no longer queued. */
export async function cancelQueuedPromotion(
  deps: QueueDeps,
  input: { deployment: DeploymentRow; actor: Actor; comment: string | null; requestId: string },
): Promise<{ deployment: DeploymentRow; actionId: string } | undefined> {
  const done = await deps.database.db
    .transaction(async (tx) => {
      const action = await insertOperatorAction(tx, {
        deploymentId: input.deployment.id,
        action: 'abort',
        actor: input.actor,
        requestId: input.requestId,
        comment: input.comment,
        leaveGit: false,
      });
      const aborted = await cancelQueued(tx, {
        deploymentId: input.deployment.id,
        actionId: action.id,
        by: input.actor.principal,
        tokenId: input.actor.tokenId,
        comment: input.comment,
        requestId: input.requestId,
      });
      // Started meanwhile: nothing is recorded here; the caller sends the ordinary abort instead.
      if (!aborted) throw new NotQueued();
      return { deployment: aborted, actionId: action.id };
    })
    .catch((err: unknown) => {
      if (err instanceof NotQueued) return undefined;
      throw err;
    });
  if (done) await wakeQueue(deps, done.deployment.environment, [done.deployment]);
  return done;
}

class NotQueued extends Error {}

/** Wakes the waiters of `environment` (null: of every environment; and of `also`, records that just left the queue), best effort. */
export async function wakeQueue(deps: QueueDeps, environment: string | null, also: DeploymentRow[] = []): Promise<void> {
  try {
    const queued = await listQueue(deps.database.db, environment === null ? {} : { environment });
    await signalWaiters(deps, [...also, ...queued]);
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, environment }, 'could not wake the queue');
  }
}

async function signalWaiters(deps: QueueDeps, rows: DeploymentRow[]): Promise<void> {
  await signalEach(
    deps.client,
    rows.map((r) => queuedPromotionWorkflowId(r.id)),
    queueWakeSignal,
    (err, workflowId) => deps.logger.warn({ err: (err as Error).message, workflowId }, 'could not wake a queued promotion'),
  );
}
