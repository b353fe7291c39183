// Data access for the verification state of releases in environments (table release_verifications). One row
// per successful promotion; the newest row of an (environment, release) pair is the one that counts. Every
// change of state is audited in the same transaction.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { releaseVerifications } from './verification-schema.js';
import type { VerificationState } from '../domain/verification.js';

export type VerificationRow = typeof releaseVerifications.$inferSelect;

const SYSTEM: AuditActor = { name: 'system', tokenId: null };

/** Opens the row of a deployment that just made its release current (idempotent: an existing row is returned). */
export async function startVerification(
  tx: Tx,
  input: { deploymentId: number; environment: string; releaseId: string; state: VerificationState },
): Promise<VerificationRow> {
  await tx
    .insert(releaseVerifications)
    .values({ deploymentId: input.deploymentId, environment: input.environment, releaseId: input.releaseId, state: input.state })
    .onConflictDoNothing();
  const [row] = await tx.select().from(releaseVerifications).where(eq(releaseVerifications.deploymentId, input.deploymentId));
  if (!row) throw new Error(`verification row of deployment ${input.deploymentId} missing`);
  return row;
}

export interface SetVerificationInput {
  deploymentId: number;
  state: VerificationState;
  /** Only from these states (a revoked or failed row is never revived by a late writer). */
  from: readonly VerificationState[];
  checksPassedAt?: Date | null;
  soakUntil?: Date | null;
  reason?: string | null;
  evidence?: Record<string, unknown> | null;
  actor?: AuditActor;
}

/** Moves a deployment's row to a new state when it is in one of `from`; returns the row if it moved. */
export async function setVerificationState(tx: Tx, input: SetVerificationInput): Promise<VerificationRow | undefined> {
  const now = new Date();
  const [row] = await tx
    .update(releaseVerifications)
    .set({
      state: input.state,
      updatedAt: now,
      ...(input.checksPassedAt !== undefined ? { checksPassedAt: input.checksPassedAt } : {}),
      ...(input.soakUntil !== undefined ? { soakUntil: input.soakUntil } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.evidence !== undefined ? { evidence: input.evidence } : {}),
      ...(input.state === 'verified' ? { verifiedAt: now } : {}),
      ...(input.state === 'revoked' ? { revokedAt: now } : {}),
    })
    .where(and(eq(releaseVerifications.deploymentId, input.deploymentId), inArray(releaseVerifications.state, [...input.from])))
    .returning();
  if (row) {
    await recordAudit(tx, {
      actor: input.actor ?? SYSTEM,
      action: `verification.${input.state}`,
      subjectType: 'deployment',
      subjectId: String(row.deploymentId),
      details: { environment: row.environment, releaseId: row.releaseId, ...(input.reason ? { reason: input.reason } : {}) },
    });
  }
  return row;
}

/**
 * Revokes the verified (or still verifying/soaking) state of a release in an environment: a later failure of
 * the same release there (failed re-verification, rollback, sustained incident) takes its eligibility away.
 */
export async function revokeVerification(
  tx: Tx,
  input: { environment: string; releaseId: string; reason: string; actor?: AuditActor },
): Promise<VerificationRow | undefined> {
  const latest = await latestVerification(tx, input);
  if (!latest || !['verifying', 'soaking', 'verified'].includes(latest.state)) return undefined;
  return setVerificationState(tx, {
    deploymentId: latest.deploymentId,
    state: 'revoked',
    from: ['verifying', 'soaking', 'verified'],
    reason: input.reason,
    ...(input.actor ? { actor: input.actor } : {}),
  });
}

/** The newest row of a release in an environment. */
export async function latestVerification(tx: Tx, input: { environment: string; releaseId: string }): Promise<VerificationRow | undefined> {
  const [row] = await tx
    .select()
    .from(releaseVerifications)
    .where(and(eq(releaseVerifications.environment, input.environment), eq(releaseVerifications.releaseId, input.releaseId)))
    .orderBy(desc(releaseVerifications.deploymentId))
    .limit(1);
  return row;
}

export async function verificationOfDeployment(tx: Tx, input: { deploymentId: number }): Promise<VerificationRow | undefined> {
  const [row] = await tx.select().from(releaseVerifications).where(eq(releaseVerifications.deploymentId, input.deploymentId));
  return row;
}

/** Environments where the release's newest verification row is `verified`. */
export async function verifiedEnvironments(tx: Tx, input: { releaseId: string }): Promise<string[]> {
  const rows = await tx
    .selectDistinctOn([releaseVerifications.environment], {
      environment: releaseVerifications.environment,
      state: releaseVerifications.state,
    })
    .from(releaseVerifications)
    .where(eq(releaseVerifications.releaseId, input.releaseId))
    .orderBy(releaseVerifications.environment, desc(releaseVerifications.deploymentId));
  return rows.filter((r) => r.state === 'verified').map((r) => r.environment);
}

/**
 * The environment's last verified release other than `exceptReleaseId`: the rollback target. Newest first by
 * the deployment that made it current; a release whose newest row there is not `verified` does not count.
 */
export async function lastVerifiedRelease(
  tx: Tx,
  input: { environment: string; exceptReleaseId?: string | null },
): Promise<{ releaseId: string; deploymentId: number } | undefined> {
  const rows = await tx.execute<{ release_id: string; deployment_id: string }>(sql`
    select release_id, deployment_id from (
      select distinct on (release_id) release_id, deployment_id, state
      from release_verifications where environment = ${input.environment}
      order by release_id, deployment_id desc
    ) newest
    where state = 'verified' and release_id is distinct from ${input.exceptReleaseId ?? null}::uuid
    order by deployment_id desc limit 1`);
  const r = rows[0];
  return r ? { releaseId: r.release_id, deploymentId: Number(r.deployment_id) } : undefined;
}
