// Data access for the two governance holds (docs/governance.md): rejected releases and paused environments.
// Each change is audited in the same transaction; rows are never deleted (lifting / resuming keeps them).
import { and, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Sql, Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { environmentPauses, releaseRejections } from './governance-schema.js';

export type RejectionRow = typeof releaseRejections.$inferSelect;
export type PauseRow = typeof environmentPauses.$inferSelect;

/** Rejects a release; undefined when it is already rejected (the one in force is unchanged). */
export async function rejectRelease(
  tx: Tx,
  input: { releaseId: string; reason: string; actor: AuditActor; requestId?: string },
): Promise<RejectionRow | undefined> {
  const [row] = await tx
    .insert(releaseRejections)
    .values({
      releaseId: input.releaseId,
      reason: input.reason,
      rejectedBy: input.actor.name,
      rejectedByTokenId: input.actor.tokenId ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'release.reject',
    subjectType: 'release',
    subjectId: input.releaseId,
    requestId: input.requestId ?? null,
    details: { reason: input.reason },
  });
  return row;
}

/** Lifts the rejection in force; undefined when the release is not rejected. */
export async function unrejectRelease(
  tx: Tx,
  input: { releaseId: string; reason: string | null; actor: AuditActor; requestId?: string },
): Promise<RejectionRow | undefined> {
  const [row] = await tx
    .update(releaseRejections)
    .set({ liftedAt: new Date(), liftedBy: input.actor.name, liftReason: input.reason })
    .where(and(eq(releaseRejections.releaseId, input.releaseId), isNull(releaseRejections.liftedAt)))
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'release.unreject',
    subjectType: 'release',
    subjectId: input.releaseId,
    requestId: input.requestId ?? null,
    details: { reason: input.reason, rejectedBy: row.rejectedBy, rejectionReason: row.reason },
  });
  return row;
}

/** The rejection in force of a release, if any. */
export async function rejectionOf(tx: Tx, input: { releaseId: string }): Promise<RejectionRow | undefined> {
  const [row] = await tx
    .select()
    .from(releaseRejections)
    .where(and(eq(releaseRejections.releaseId, input.releaseId), isNull(releaseRejections.liftedAt)));
  return row;
}

/** Of these releases, the rejected ones (one indexed query for a page of a list). */
export async function rejectedAmong(tx: Tx, input: { releaseIds: string[] }): Promise<Set<string>> {
  if (input.releaseIds.length === 0) return new Set();
  const rows = await tx
    .select({ releaseId: releaseRejections.releaseId })
    .from(releaseRejections)
    .where(and(inArray(releaseRejections.releaseId, input.releaseIds), isNull(releaseRejections.liftedAt)));
  return new Set(rows.map((r) => r.releaseId));
}

/** Pauses an environment (`environment` null: all); undefined when it is paused already. */
export async function pauseEnvironment(
  tx: Tx,
  input: { environment: string | null; reason: string; actor: AuditActor; requestId?: string },
): Promise<PauseRow | undefined> {
  const [row] = await tx
    .insert(environmentPauses)
    .values({
      environment: input.environment,
      reason: input.reason,
      pausedBy: input.actor.name,
      pausedByTokenId: input.actor.tokenId ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'environment.pause',
    subjectType: 'environment',
    subjectId: input.environment ?? '*',
    requestId: input.requestId ?? null,
    details: { reason: input.reason },
  });
  return row;
}

/** Resumes; undefined when it was not paused. */
export async function resumeEnvironment(
  tx: Tx,
  input: { environment: string | null; reason: string; actor: AuditActor; requestId?: string },
): Promise<PauseRow | undefined> {
  const [row] = await tx
    .update(environmentPauses)
    .set({ resumedAt: new Date(), resumedBy: input.actor.name, resumeReason: input.reason })
    .where(
      and(
        input.environment === null ? isNull(environmentPauses.environment) : eq(environmentPauses.environment, input.environment),
        isNull(environmentPauses.resumedAt),
      ),
    )
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'environment.resume',
    subjectType: 'environment',
    subjectId: input.environment ?? '*',
    requestId: input.requestId ?? null,
    details: { reason: input.reason, pausedBy: row.pausedBy, pauseReason: row.reason },
  });
  return row;
}

/** The pauses in force that stop `environment`: its own and the global one (global first). */
export async function pausesOf(tx: Tx, input: { environment: string }): Promise<PauseRow[]> {
  return tx
    .select()
    .from(environmentPauses)
    .where(
      and(
        isNull(environmentPauses.resumedAt),
        or(isNull(environmentPauses.environment), eq(environmentPauses.environment, input.environment)),
      ),
    )
    .orderBy(desc(isNull(environmentPauses.environment)));
}

/**
 * Why a promotion of `releaseId` to `environment` must not start or go on now: the release is rejected, or the
 * environment (or every environment) is paused. Empty when nothing holds it. The workflow's admission and its
 * hold check between steps read this; the API answers 422 RELEASE_REJECTED / 409 ENVIRONMENT_PAUSED.
 */
export async function holdsOn(
  tx: Tx,
  input: { releaseId: string; environment: string },
): Promise<{ rejection?: RejectionRow; pauses: PauseRow[] }> {
  const [rejection, pauses] = await Promise.all([rejectionOf(tx, input), pausesOf(tx, input)]);
  return { ...(rejection ? { rejection } : {}), pauses };
}

/** One line saying what holds a promotion (for park messages and refusals). */
export function holdMessage(h: {
  rejection?: Pick<RejectionRow, 'rejectedBy' | 'reason'>;
  pauses: Array<Pick<PauseRow, 'environment' | 'pausedBy' | 'reason'>>;
}): string | undefined {
  if (h.rejection) return `release rejected by ${h.rejection.rejectedBy}: ${h.rejection.reason}`;
  const p = h.pauses[0];
  if (p) return `${p.environment === null ? 'all environments' : `environment ${p.environment}`} paused by ${p.pausedBy}: ${p.reason}`;
  return undefined;
}

/** Every pause in force (per environment and global). */
export async function listPauses(tx: Tx): Promise<PauseRow[]> {
  return tx.select().from(environmentPauses).where(isNull(environmentPauses.resumedAt)).orderBy(environmentPauses.pausedAt);
}

/**
 * What holds a deployment's promotion now (holdMessage of holdsOn for its release and environment), in one prepared
 * statement: every forward step asks before it starts (activities/promotion-context.ts recordedStep).
 */
const DEPLOYMENT_HOLD = `select r.rejected_by as "rejectedBy", r.reason as "rejectionReason",
    p.environment as "pauseEnvironment", p.paused_by as "pausedBy", p.reason as "pauseReason"
  from deployments d
  left join lateral (select rejected_by, reason from release_rejections
    where release_id = d.release_id and lifted_at is null limit 1) r on true
  left join lateral (select environment, paused_by, reason from environment_pauses
    where resumed_at is null and (environment is null or environment = d.environment)
    order by environment is null desc limit 1) p on true
  where d.id = $1`;

export async function holdOfDeployment(sql: Sql, deploymentId: number): Promise<string | undefined> {
  const [h] = await sql.unsafe<Array<Record<string, string | null>>>(DEPLOYMENT_HOLD, [deploymentId], { prepare: true });
  if (!h) return undefined;
  return holdMessage({
    ...(h.rejectedBy !== null ? { rejection: { rejectedBy: h.rejectedBy as string, reason: h.rejectionReason as string } } : {}),
    pauses:
      h.pausedBy !== null
        ? [{ environment: h.pauseEnvironment ?? null, pausedBy: h.pausedBy as string, reason: h.pauseReason as string }]
        : [],
  });
}
