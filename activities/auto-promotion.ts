// Auto-promotion's activities (docs/governance.md "Auto-promotion"): `autoPromoteLook` decides for one environment
// (db/auto-promotion-look.ts) and, when a release is due, queues its promotion by system:auto-promotion — a `queued`
// record and its waiter (workflows/promotion-queue.ts), so the environment's queue policy, pauses, freezes and approval
// gate apply exactly as to a person's `queue: true` request. `wakeAutoPromoters` signals the environments that follow
// one whose state changed; `ensureAutoPromoters` starts every missing auto-promotion workflow at worker start.
import { activityInfo, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { ActivityDeps } from './deps.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { lookAtAutoPromotion } from '../db/auto-promotion-look.js';
import { autoPromotionFollowers } from '../db/auto-promotion.js';
import { getEnvironment, listEnvironments } from '../db/environments.js';
import { insertDeployment, type DeploymentRow } from '../db/deployments.js';
import { STEPS } from '../domain/promotion.js';
import { AUTO_PROMOTION_INITIATOR, autoPromotionWorkflowId } from '../domain/auto-promotion.js';
import { promotionWorkflowId, queuedPromotionStartOptions } from '../workflows/promotion-messages.js';
import {
  AUTO_PROMOTE_RECHECK_SECONDS,
  autoPromotionStartOptions,
  autoPromoteWakeSignal,
  type AutoPromoteOutcome,
} from '../workflows/auto-promotion-messages.js';
import { signalEach } from '../integrations/workflow-start.js';

/** Longest wait between two looks while held, soaking or frozen (a resume, a soak's end or a window's opening wakes it). */
const LONG_RECHECK_SECONDS = 300;

/** What the look's transaction decided: an outcome, a promotion of its own in flight, or a record it created. */
type Decided =
  | { kind: 'outcome'; outcome: AutoPromoteOutcome }
  | { kind: 'promoting'; deployment: DeploymentRow }
  | { kind: 'created'; deployment: DeploymentRow; message: string };

const waiting = (state: string, message: string, recheckSeconds: number): Decided => ({
  kind: 'outcome',
  outcome: { outcome: 'waiting', state, message, recheckSeconds },
});

/** Seconds from the database's `now` to `at`, between 1 and LONG_RECHECK_SECONDS. */
const secondsUntil = (at: Date, now: Date) => Math.min(LONG_RECHECK_SECONDS, Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000)));

export function createAutoPromotionActivities(deps: ActivityDeps) {
  return {
    async autoPromoteLook(input: { environment: string }): Promise<AutoPromoteOutcome> {
      const db = deps.database.db;
      const client = Context.current().client;
      const info = activityInfo();
      const taskQueue = info.taskQueue;
      const decided = await db.transaction(async (tx): Promise<Decided> => {
        // One look per environment at a time, whatever runs it (a retried attempt overlapping a slow one).
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${autoPromotionWorkflowId(input.environment)}))`);
        const env = await getEnvironment(tx, { name: input.environment });
        if (!env) return { kind: 'outcome', outcome: { outcome: 'stopped', message: 'environment-gone' } };
        const look = await lookAtAutoPromotion(tx, env);
        switch (look.state) {
          case 'promoting':
            return { kind: 'promoting', deployment: look.deployment };
          case 'off':
            return { kind: 'outcome', outcome: { outcome: 'stopped', message: 'auto-promotion is off' } };
          case 'held':
            return waiting('held', `held by ${look.hold.heldBy}: ${look.hold.reason}`, LONG_RECHECK_SECONDS);
          case 'busy':
            return waiting('busy', `deployment ${look.deployment.id} is ${look.deployment.status}`, AUTO_PROMOTE_RECHECK_SECONDS);
          case 'idle':
          case 'blocked':
          case 'paused':
            return waiting(look.state, look.message, AUTO_PROMOTE_RECHECK_SECONDS);
          case 'soaking':
            return waiting('soaking', look.message, secondsUntil(look.eligibleAt, look.now));
          case 'frozen':
            return waiting('frozen', look.message, look.nextOpenAt ? secondsUntil(look.nextOpenAt, look.now) : LONG_RECHECK_SECONDS);
          case 'ready':
            break;
        }
        // The environment has no promotion active or queued (the look saw to it, under the lock): queue this one.
        const inserted = await insertDeployment(tx, {
          environment: env.name,
          releaseId: look.release.releaseId,
          // Decided when it starts (db/queue.ts judgeQueued), as for every queued promotion.
          previousReleaseId: env.currentReleaseId,
          isRollback: false,
          startedBy: AUTO_PROMOTION_INITIATOR,
          startedByTokenId: null,
          reason: `auto-promotion: ${look.message}`,
          workflowId: promotionWorkflowId(env.name),
          steps: env.protected ? STEPS : STEPS.filter((s) => s !== 'approval'),
          requestId: `${info.workflowExecution?.workflowId ?? 'auto-promotion'}/${info.activityId}`,
          queued: true,
        });
        if ('conflict' in inserted) return { kind: 'promoting', deployment: inserted.conflict };
        return { kind: 'created', deployment: inserted.created, message: look.message };
      });
      if (decided.kind === 'outcome') return decided.outcome;
      const d = decided.deployment;
      // Its waiter starts the promotion (or ends the record: held, turned off, no longer newer; db/queue.ts). A waiter
      // lost after the commit (a start that failed, then a retried look) is started again (USE_EXISTING).
      if (d.status === 'queued') await startWaiter(client, taskQueue, d);
      if (decided.kind === 'promoting') {
        return {
          outcome: 'waiting',
          state: 'promoting',
          message: `deployment ${d.id} (release ${d.releaseId}) is ${d.status}`,
          recheckSeconds: AUTO_PROMOTE_RECHECK_SECONDS,
        };
      }
      deps.logger.info({ deploymentId: d.id, environment: d.environment, releaseId: d.releaseId }, 'auto-promotion queued a promotion');
      return { outcome: 'promoted', deploymentId: d.id, releaseId: d.releaseId, message: decided.message };
    },
  };
}

async function startWaiter(client: Client, taskQueue: string, d: DeploymentRow): Promise<void> {
  await client.workflow.start(
    'queuedPromotion',
    queuedPromotionStartOptions({ deploymentId: d.id, environment: d.environment, releaseId: d.releaseId }, taskQueue),
  );
}

/**
 * Signals the auto-promotion of every environment that follows `environment` (and its own), best effort: called after
 * a deployment there ended or a release's verification changed. A missed signal costs at most one recheck interval.
 */
export async function wakeAutoPromoters(deps: ActivityDeps, environment: string): Promise<void> {
  try {
    const followers = (await autoPromotionFollowers(deps.database.db, { environment })).map(autoPromotionWorkflowId);
    if (followers.length === 0) return;
    await signalEach(Context.current().client, followers, autoPromoteWakeSignal, (err, workflowId) =>
      deps.logger.debug({ err: (err as Error).message, workflowId }, 'could not wake an auto-promotion'),
    );
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, environment }, 'could not wake auto-promotion');
  }
}

/** Starts the auto-promotion workflow of every environment with `autoPromote` (idempotent: USE_EXISTING). */
export async function ensureAutoPromoters(
  client: Client,
  opts: { taskQueue: string; database: Database; logger: Logger },
): Promise<string[]> {
  const started: string[] = [];
  for (const env of await listEnvironments(opts.database.db)) {
    if (!env.autoPromote) continue;
    try {
      await client.workflow.start('autoPromotion', autoPromotionStartOptions(env.name, opts.taskQueue));
      started.push(env.name);
    } catch (err) {
      opts.logger.warn({ environment: env.name, err: (err as Error).message }, 'could not start the auto-promotion workflow');
    }
  }
  return started;
}
