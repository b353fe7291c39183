// Data access of auto-promotion (docs/governance.md "Auto-promotion"): what an environment's upstream has run, in
// the shape domain/auto-promotion.ts chooses from, and the holds a manual promotion (or a person) places on it.
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { autoPromotionHolds } from './governance-schema.js';
import { deployments } from './promotion-schema.js';
import { ACTIVE_STATUSES } from '../domain/promotion.js';
import { AUTO_PROMOTION_INITIATOR, type UpstreamRelease } from '../domain/auto-promotion.js';
import type { DeploymentRow } from './deployments.js';

export type AutoPromotionHoldRow = typeof autoPromotionHolds.$inferSelect;

/** Upstream releases looked at per decision (newest first): the choice never needs more. */
const CANDIDATES = 20;

/**
 * The releases that succeeded in `from` and are newer than the target's current one (newest first, at most 20),
 * each with when it first became current there, whether its newest verification row there is `verified`, and why it
 * is excluded: rejected; rolled back in `from` after it last succeeded there; or failed, aborted, rolled back or
 * revoked in the target (auto-promotion tries a release once per environment).
 */
export async function upstreamReleases(
  tx: Tx,
  input: { from: string; target: string; currentSeq: number | null },
): Promise<UpstreamRelease[]> {
  const rows = await tx.execute<{
    release_id: string;
    seq: string;
    product_version: string;
    became_current_at: Date | string;
    last_success_id: string;
    upstream_state: string | null;
    rejected: boolean;
    rolled_back_upstream: boolean;
    failed_in_target: boolean;
    target_state: string | null;
  }>(sql`
    with up as (
      select d.release_id, min(d.finished_at) as became_current_at, max(d.id) as last_success_id
      from deployments d
      where d.environment = ${input.from} and d.status = 'succeeded'
      group by d.release_id
    )
    select up.release_id, r.seq, r.product_version, up.became_current_at, up.last_success_id,
      (select v.state from release_verifications v
        where v.environment = ${input.from} and v.release_id = up.release_id order by v.deployment_id desc limit 1) as upstream_state,
      exists (select 1 from release_rejections j where j.release_id = up.release_id and j.lifted_at is null) as rejected,
      exists (select 1 from deployments b where b.environment = ${input.from} and b.previous_release_id = up.release_id
        and b.is_rollback and b.status = 'succeeded' and b.id > up.last_success_id) as rolled_back_upstream,
      exists (select 1 from deployments t where t.environment = ${input.target} and (
        (t.release_id = up.release_id and t.status in ('failed', 'aborted'))
        or (t.previous_release_id = up.release_id and t.is_rollback and t.status = 'succeeded'))) as failed_in_target,
      (select v.state from release_verifications v
        where v.environment = ${input.target} and v.release_id = up.release_id order by v.deployment_id desc limit 1) as target_state
    from up join releases r on r.id = up.release_id
    where ${input.currentSeq}::bigint is null or r.seq > ${input.currentSeq}::bigint
    order by r.seq desc
    limit ${CANDIDATES}`);
  return rows.map((r) => {
    const excluded = r.rejected
      ? `release ${r.release_id} is rejected`
      : r.rolled_back_upstream
        ? `release ${r.release_id} was rolled back in ${input.from}`
        : r.failed_in_target || r.target_state === 'failed' || r.target_state === 'revoked'
          ? `release ${r.release_id} failed or was rolled back in ${input.target} before`
          : null;
    return {
      releaseId: r.release_id,
      seq: Number(r.seq),
      productVersion: r.product_version,
      becameCurrentAt: new Date(r.became_current_at),
      verified: r.upstream_state === 'verified',
      excluded,
    };
  });
}

/** The active or queued promotion auto-promotion started in `environment`, if one is in flight. */
export async function autoPromotionInFlight(tx: Tx, input: { environment: string }): Promise<DeploymentRow | undefined> {
  const [row] = await tx
    .select()
    .from(deployments)
    .where(
      and(
        eq(deployments.environment, input.environment),
        inArray(deployments.status, [...ACTIVE_STATUSES, 'queued']),
        eq(deployments.startedBy, AUTO_PROMOTION_INITIATOR),
      ),
    )
    .orderBy(desc(deployments.id))
    .limit(1);
  return row;
}

/** The newest promotion auto-promotion started in `environment` (any status). */
export async function lastAutoPromotion(tx: Tx, input: { environment: string }): Promise<DeploymentRow | undefined> {
  const [row] = await tx
    .select()
    .from(deployments)
    .where(and(eq(deployments.environment, input.environment), eq(deployments.startedBy, AUTO_PROMOTION_INITIATOR)))
    .orderBy(desc(deployments.id))
    .limit(1);
  return row;
}

/** The hold in force on the environment's auto-promotion, if any. */
export async function autoPromotionHold(tx: Tx, input: { environment: string }): Promise<AutoPromotionHoldRow | undefined> {
  const [row] = await tx
    .select()
    .from(autoPromotionHolds)
    .where(and(eq(autoPromotionHolds.environment, input.environment), isNull(autoPromotionHolds.resumedAt)));
  return row;
}

/** Holds the environment's auto-promotion; undefined when it is held already (the hold in force is unchanged). Audited. */
export async function holdAutoPromotion(
  tx: Tx,
  input: { environment: string; reason: string; actor: AuditActor; deploymentId?: number; requestId?: string },
): Promise<AutoPromotionHoldRow | undefined> {
  const [row] = await tx
    .insert(autoPromotionHolds)
    .values({
      environment: input.environment,
      reason: input.reason,
      heldBy: input.actor.name,
      heldByTokenId: input.actor.tokenId ?? null,
      deploymentId: input.deploymentId ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'auto_promotion.hold',
    subjectType: 'environment',
    subjectId: input.environment,
    requestId: input.requestId ?? null,
    details: { reason: input.reason, deploymentId: input.deploymentId ?? null },
  });
  return row;
}

/** Lifts the hold; undefined when auto-promotion was not held. Audited. */
export async function resumeAutoPromotion(
  tx: Tx,
  input: { environment: string; reason: string; actor: AuditActor; requestId?: string },
): Promise<AutoPromotionHoldRow | undefined> {
  const [row] = await tx
    .update(autoPromotionHolds)
    .set({ resumedAt: new Date(), resumedBy: input.actor.name, resumeReason: input.reason })
    .where(and(eq(autoPromotionHolds.environment, input.environment), isNull(autoPromotionHolds.resumedAt)))
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'auto_promotion.resume',
    subjectType: 'environment',
    subjectId: input.environment,
    requestId: input.requestId ?? null,
    details: { reason: input.reason, heldBy: row.heldBy, holdReason: row.reason },
  });
  return row;
}
