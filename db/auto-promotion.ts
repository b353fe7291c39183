// Data access of auto-promotion (docs/governance.md "Auto-promotion"): what an environment's upstream has run, in
// the shape domain/auto-promotion.ts chooses from, and the holds a manual promotion (or a person) places on it.
import { and, desc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { autoPromotionHolds } from './governance-schema.js';
import { deployments, environments } from './promotion-schema.js';
import { ACTIVE_STATUSES } from '../domain/promotion.js';
import { AUTO_PROMOTION_INITIATOR, type UpstreamRelease } from '../domain/auto-promotion.js';
import type { DeploymentRow } from './deployments.js';

export type AutoPromotionHoldRow = typeof autoPromotionHolds.$inferSelect;

/** Upstream releases looked at per decision (newest first). Bounds a look's work; exclusions are filtered before it. */
const CANDIDATES = 500;

/**
 * The releases newer than the target's current one that succeeded in `from` and are not excluded, newest first (at
 * most CANDIDATES), each with when it first became current there and whether its newest verification row there is
 * `verified`. Excluded (never returned): rejected; rolled back in `from` after it last succeeded there; or, in the
 * target, a promotion of it that started and then failed or was aborted, a succeeded rollback away from it, or its
 * verification failed or revoked (auto-promotion tries a release once per environment). Driven from the releases newer
 * than the current one (releases_seq_idx), each looked up by deployments_release_idx: no scan of an environment's
 * whole history.
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
    upstream_state: string | null;
  }>(sql`
    select r.id as release_id, r.seq, r.product_version, up.became_current_at,
      (select v.state from release_verifications v
        where v.release_id = r.id and v.environment = ${input.from} order by v.deployment_id desc limit 1) as upstream_state
    from releases r
    cross join lateral (
      select min(d.finished_at) as became_current_at, max(d.id) as last_success_id
      from deployments d where d.release_id = r.id and d.environment = ${input.from} and d.status = 'succeeded'
    ) up
    where (${input.currentSeq}::bigint is null or r.seq > ${input.currentSeq}::bigint)
      and up.last_success_id is not null
      and not exists (select 1 from release_rejections j where j.release_id = r.id and j.lifted_at is null)
      and not exists (select 1 from deployments b where b.previous_release_id = r.id and b.is_rollback
        and b.environment = ${input.from} and b.status = 'succeeded' and b.id > up.last_success_id)
      and not exists (select 1 from deployments t where t.release_id = r.id and t.environment = ${input.target}
        and t.status in ('failed', 'aborted') and t.started_at is not null)
      and not exists (select 1 from deployments b where b.previous_release_id = r.id and b.is_rollback
        and b.environment = ${input.target} and b.status = 'succeeded')
      and coalesce((select v.state from release_verifications v
        where v.release_id = r.id and v.environment = ${input.target} order by v.deployment_id desc limit 1), '') not in ('failed', 'revoked')
    order by r.seq desc
    limit ${CANDIDATES}`);
  return rows.map((r) => ({
    releaseId: r.release_id,
    seq: Number(r.seq),
    productVersion: r.product_version,
    becameCurrentAt: new Date(r.became_current_at),
    verified: r.upstream_state === 'verified',
    excluded: null,
  }));
}

/** A promotion active or queued in `environment`: auto-promotion's own if it has one, else a person's (the newest). */
export async function promotionInFlight(tx: Tx, input: { environment: string }): Promise<DeploymentRow | undefined> {
  const [row] = await tx
    .select()
    .from(deployments)
    .where(and(eq(deployments.environment, input.environment), inArray(deployments.status, [...ACTIVE_STATUSES, 'queued'])))
    .orderBy(desc(sql`${deployments.startedBy} = ${AUTO_PROMOTION_INITIATOR}`), desc(deployments.id))
    .limit(1);
  return row;
}

/** The environments whose auto-promotion follows `environment`, and `environment` itself when it auto-promotes. */
export async function autoPromotionFollowers(tx: Tx, input: { environment: string }): Promise<string[]> {
  const rows = await tx
    .select({ name: environments.name })
    .from(environments)
    .where(
      and(
        isNotNull(environments.autoPromote),
        or(eq(environments.name, input.environment), sql`${environments.autoPromote}->>'from' = ${input.environment}`),
      ),
    );
  return rows.map((r) => r.name);
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
