// The queue's activities (docs/governance.md "Queues"): `dequeuePromotion` judges a queued record (db/queue.ts
// judgeQueued: first in line, environment free, every rule re-checked) and, when it may go, starts its promotion
// run like the API does (startPromotionRun). `wakeQueue` tells an environment's waiters that something changed;
// the bookkeeping activities call it after a deployment of that environment ended (best effort: a waiter that
// misses it looks again at its timer).
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { judgeQueued, listQueue } from '../db/queue.js';
import { getEnvironment } from '../db/environments.js';
import { startPromotionRun } from './promotion-start.js';
import { promotionsStarted } from '../lib/metrics.js';
import { queuedPromotionWorkflowId, queueWakeSignal, type QueueWaitOutcome } from '../workflows/promotion-messages.js';
import { signalEach } from '../integrations/workflow-start.js';
import { wakeAutoPromoters } from './auto-promotion.js';

/** Postgres unique_violation: another promotion took the environment between the look and the update. */
const isUniqueViolation = (err: unknown) =>
  (err as { code?: string; cause?: { code?: string } }).code === '23505' || (err as { cause?: { code?: string } }).cause?.code === '23505';

export function createQueueActivities(deps: ActivityDeps) {
  return {
    async dequeuePromotion(input: { deploymentId: number }): Promise<QueueWaitOutcome> {
      const db = deps.database.db;
      let judged;
      try {
        judged = await db.transaction((tx) => judgeQueued(tx, input));
      } catch (err) {
        if (isUniqueViolation(err)) return { outcome: 'waiting', message: 'queued: another promotion took the environment first' };
        throw err;
      }
      if (judged.verdict === 'wait') return { outcome: 'waiting', message: judged.message };
      const d = judged.deployment;
      if (judged.verdict === 'ended') {
        // It failed at its start (or was cancelled): the next one in line may go now.
        if (d.status !== 'pending') {
          await wakeQueue(deps, d.environment);
          await wakeAutoPromoters(deps, d.environment);
        }
        return { outcome: 'ended', status: d.status, message: d.message };
      }
      const env = await getEnvironment(db, { name: d.environment });
      if (!env) throw new Error(`environment ${d.environment} vanished`);
      const runId = await startPromotionRun(deps, env, d, { initiator: d.startedBy, breakGlass: d.breakGlassReason !== null });
      promotionsStarted.inc({ environment: env.name, kind: d.isRollback ? 'rollback' : 'promotion' });
      deps.logger.info({ deploymentId: d.id, environment: d.environment, runId }, 'queued promotion started');
      return { outcome: 'started', runId, whenOpen: d.whenOpen };
    },
  };
}

/** Signals every queued promotion of `environment` (best effort, after the caller's commit). */
export async function wakeQueue(deps: ActivityDeps, environment: string): Promise<void> {
  try {
    const queued = await listQueue(deps.database.db, { environment });
    if (queued.length === 0) return;
    await signalEach(
      Context.current().client,
      queued.map((d) => queuedPromotionWorkflowId(d.id)),
      queueWakeSignal,
      (err, workflowId) => deps.logger.warn({ err: (err as Error).message, workflowId }, 'could not wake a queued promotion'),
    );
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, environment }, 'could not wake the queue');
  }
}
