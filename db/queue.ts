// Queued promotions (docs/governance.md "Queues"): a promotion requested with `queue: true` while its environment
// is busy waits as a `queued` record (not active: the one-active index ignores it). Its waiter workflow asks
// `judgeQueued` when something may have changed; the record starts (queued → pending, the same row) only when it
// is the head of its environment's queue (oldest queued id), the environment has no active promotion, and every
// rule the API checks still holds. Every change is audited in the same transaction.
import { and, asc, desc, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit } from './audit.js';
import { deployments, environments, operatorActions } from './promotion-schema.js';
import { releases } from './schema.js';
import { applyTransition, findActiveDeployment, type DeploymentRow } from './deployments.js';
import { holdMessage, holdsOn } from './holds.js';
import { promotionRuleViolation } from './promotion-rules.js';
import { freezeWindowOf, listFreezeWindows } from './freezes.js';
import { AUTO_PROMOTION_INITIATOR } from '../domain/auto-promotion.js';
import { autoPromotionHold } from './auto-promotion.js';
import { freezeStateAt, nextOpenAt } from '../domain/freeze.js';

/** At most this many promotions wait in one environment's queue (a further request is refused, 409 QUEUE_FULL). */
export const MAX_QUEUED = 50;

/** The queued records of an environment (absent: of every environment), first to start first. */
export async function listQueue(tx: Tx, input: { environment?: string }): Promise<DeploymentRow[]> {
  const queued = eq(deployments.status, 'queued');
  return tx
    .select()
    .from(deployments)
    .where(input.environment === undefined ? queued : and(eq(deployments.environment, input.environment), queued))
    .orderBy(asc(deployments.id))
    .limit(input.environment === undefined ? 1000 : MAX_QUEUED + 10);
}

/**
 * The deployment an environment's view shows (as db/prepared.ts readBoard does): its active one, else the newest
 * that left the queue (queued and superseded ones never held the environment).
 */
export async function boardDeployment(tx: Tx, input: { environment: string }): Promise<DeploymentRow | null> {
  const active = await findActiveDeployment(tx, input);
  if (active) return active;
  const [row] = await tx
    .select()
    .from(deployments)
    .where(and(eq(deployments.environment, input.environment), notInArray(deployments.status, ['queued', 'superseded'])))
    .orderBy(desc(deployments.id))
    .limit(1);
  return row ?? null;
}

/** 1-based position of a queued record in its environment's queue. */
export async function queuePosition(tx: Tx, row: Pick<DeploymentRow, 'id' | 'environment'>): Promise<number> {
  const [r] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(deployments)
    .where(and(eq(deployments.environment, row.environment), eq(deployments.status, 'queued'), lt(deployments.id, row.id)));
  return (r?.n ?? 0) + 1;
}

/**
 * newest-wins: the older queued records of the environment become `superseded` (terminal) by `newest`, each
 * audited with the superseding deployment. Returns them (their waiters are told after the commit).
 */
export async function supersedeOlder(
  tx: Tx,
  newest: DeploymentRow,
  actor: { name: string; tokenId: string | null },
): Promise<DeploymentRow[]> {
  const older = await tx
    .select()
    .from(deployments)
    .where(and(eq(deployments.environment, newest.environment), eq(deployments.status, 'queued'), lt(deployments.id, newest.id)))
    .for('update');
  const out: DeploymentRow[] = [];
  for (const d of older) {
    const message = `superseded by deployment ${newest.id} (release ${newest.releaseId}; queue policy newest-wins)`;
    const row = await supersedeQueued(tx, d, message, actor, { supersededBy: newest.id, supersedingReleaseId: newest.releaseId });
    if (row) out.push(row);
  }
  return out;
}

/** Moves a queued record to `superseded` with `message`, audited; undefined when it is no longer queued. */
async function supersedeQueued(
  tx: Tx,
  d: DeploymentRow,
  message: string,
  actor: { name: string; tokenId: string | null },
  details: Record<string, unknown> = {},
): Promise<DeploymentRow | undefined> {
  const [row] = await tx
    .update(deployments)
    .set({ status: 'superseded', message, finishedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(deployments.id, d.id), eq(deployments.status, 'queued')))
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor,
    action: 'deployment.superseded',
    subjectType: 'deployment',
    subjectId: String(d.id),
    details: { environment: d.environment, releaseId: d.releaseId, ...details, message },
  });
  return row;
}

export type QueueJudgement =
  { verdict: 'start'; deployment: DeploymentRow } | { verdict: 'wait'; message: string } | { verdict: 'ended'; deployment: DeploymentRow };

/**
 * Decides for a queued record, under its row lock: wait (not first, environment busy, paused), fail (a rule no
 * longer holds: rejected release, upstream, already current, a freeze with no opening ahead), or start: the row
 * becomes `pending` with its predecessor as of now (`whenOpen` when a freeze window is open and one will open:
 * the promotion then waits in `scheduled`). A record already `pending` without a run (a start that did not
 * finish) is started again. A concurrent promotion taking the environment first makes the update fail on the
 * one-active index: the caller treats that as wait.
 */
export async function judgeQueued(tx: Tx, input: { deploymentId: number }): Promise<QueueJudgement> {
  const [d] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId)).for('update');
  if (!d) throw new Error(`deployment ${input.deploymentId} not found`);
  if (d.status === 'pending' && d.runId === null && d.queuedAt !== null) return { verdict: 'start', deployment: d };
  if (d.status !== 'queued') return { verdict: 'ended', deployment: d };
  const wait = async (message: string): Promise<QueueJudgement> => {
    const text = `queued: ${message}`;
    if (d.message !== text) await tx.update(deployments).set({ message: text, updatedAt: new Date() }).where(eq(deployments.id, d.id));
    return { verdict: 'wait', message: text };
  };
  const fail = async (message: string): Promise<QueueJudgement> => {
    const row = await applyTransition(tx, { deploymentId: d.id, status: 'failed', message: `not started from the queue: ${message}` });
    return { verdict: 'ended', deployment: row };
  };
  // Auto-promotion's own record (docs/governance.md "Auto-promotion") ends `superseded` — not failed: the release stays
  // eligible — when auto-promotion was held or turned off meanwhile, or the release is no longer newer than the current
  // one (auto-promotion only moves forward).
  if (d.startedBy === AUTO_PROMOTION_INITIATOR) {
    const why = await autoPromotionObsolete(tx, d);
    if (why) {
      const row = await supersedeQueued(tx, d, `not started: ${why}`, { name: AUTO_PROMOTION_INITIATOR, tokenId: null });
      if (!row) throw new Error(`deployment ${d.id} changed under its lock`);
      return { verdict: 'ended', deployment: row };
    }
  }
  const [head] = await tx
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.environment, d.environment), eq(deployments.status, 'queued')))
    .orderBy(asc(deployments.id))
    .limit(1);
  if (head && head.id !== d.id) return wait(`behind deployment ${head.id}`);
  const active = await findActiveDeployment(tx, { environment: d.environment });
  if (active) return wait(`waiting for deployment ${active.id} (${active.status})`);

  const [env] = await tx.select().from(environments).where(eq(environments.name, d.environment));
  const [release] = await tx.select().from(releases).where(eq(releases.id, d.releaseId));
  if (!env || !release) return fail('its environment or release no longer exists');
  const violation = await promotionRuleViolation(tx, env, d.releaseId);
  if (violation) return fail(`${violation.code}: ${violation.message}`);
  const holds = await holdsOn(tx, { releaseId: d.releaseId, environment: env.name });
  if (holds.rejection) return fail(`RELEASE_REJECTED: release ${d.releaseId} is rejected: ${holds.rejection.reason}`);
  // A pause stops the line: the queue waits (resuming wakes it).
  if (holds.pauses.length > 0) return wait(`held: ${holdMessage(holds)}`);
  let whenOpen = d.whenOpen;
  if (d.breakGlassReason === null) {
    const windows = (await listFreezeWindows(tx, { environment: env.name })).map(freezeWindowOf);
    const frozen = freezeStateAt(windows, Date.now());
    if (frozen.frozen) {
      const reasons = frozen.blocks.map((b) => b.reason).join('; ');
      if (nextOpenAt(windows, Date.now()) === null)
        return fail(`ENVIRONMENT_FROZEN: promotions to ${env.name} are frozen: ${reasons}; no open time ahead`);
      whenOpen = true; // waits for the window in `scheduled` (docs/governance.md)
    }
  }
  let isRollback = false;
  if (env.currentReleaseId) {
    const [current] = await tx.select({ seq: releases.seq }).from(releases).where(eq(releases.id, env.currentReleaseId));
    isRollback = !!current && release.seq < current.seq;
  }
  const [row] = await tx
    .update(deployments)
    .set({ status: 'pending', previousReleaseId: env.currentReleaseId, isRollback, whenOpen, message: null, updatedAt: new Date() })
    .where(and(eq(deployments.id, d.id), eq(deployments.status, 'queued')))
    .returning();
  if (!row) throw new Error(`deployment ${d.id} changed under its lock`);
  await recordAudit(tx, {
    actor: { name: 'system', tokenId: null },
    action: 'deployment.dequeued',
    subjectType: 'deployment',
    subjectId: String(d.id),
    details: { environment: d.environment, releaseId: d.releaseId, previousReleaseId: env.currentReleaseId, isRollback, whenOpen },
  });
  return { verdict: 'start', deployment: row };
}

/** Why auto-promotion's queued record must not start any more, if it must not. */
async function autoPromotionObsolete(tx: Tx, d: DeploymentRow): Promise<string | undefined> {
  const [env] = await tx.select().from(environments).where(eq(environments.name, d.environment));
  if (!env?.autoPromote) return `auto-promotion of ${d.environment} was turned off`;
  const hold = await autoPromotionHold(tx, { environment: d.environment });
  if (hold) return `auto-promotion of ${d.environment} is held by ${hold.heldBy}: ${hold.reason}`;
  if (!env.currentReleaseId) return undefined;
  const rows = await tx
    .select({ id: releases.id, seq: releases.seq })
    .from(releases)
    .where(inArray(releases.id, [env.currentReleaseId, d.releaseId]));
  const seqOf = (id: string) => rows.find((r) => r.id === id)?.seq ?? 0;
  if (seqOf(d.releaseId) <= seqOf(env.currentReleaseId)) {
    return `release ${d.releaseId} is no longer newer than ${d.environment}'s current release ${env.currentReleaseId} (auto-promotion only moves forward)`;
  }
  return undefined;
}

/**
 * Cancels a queued record (the abort route): the operator action row (who, token, role, scope) is recorded and
 * applied at once — there is no workflow to verify it, nothing was pushed — and the record becomes `aborted`.
 * Undefined when the record is no longer queued (it started meanwhile: the caller sends the ordinary abort).
 */
export async function cancelQueued(
  tx: Tx,
  input: { deploymentId: number; actionId: string; by: string; tokenId: string; comment: string | null; requestId: string | null },
): Promise<DeploymentRow | undefined> {
  const [d] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId)).for('update');
  if (!d || d.status !== 'queued') return undefined;
  await tx
    .update(operatorActions)
    .set({ outcome: 'applied', decidedAt: new Date() })
    .where(and(eq(operatorActions.id, input.actionId), eq(operatorActions.outcome, 'pending')));
  return applyTransition(tx, {
    deploymentId: d.id,
    status: 'aborted',
    message: `removed from the queue by ${input.by}${input.comment ? `: ${input.comment}` : ''}`,
    action: {
      action: 'abort',
      by: input.by,
      actionId: input.actionId,
      tokenId: input.tokenId,
      ...(input.comment ? { comment: input.comment } : {}),
    },
    requestId: input.requestId,
  });
}
