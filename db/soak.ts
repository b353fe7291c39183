// The verified lifecycle of a promotion after its record step (docs/verification-and-monitoring.md, "Soak and
// verified releases"): the record transaction opens the release's verification row (`verified` at once without a
// soak, else `soaking` until soakUntil); the soak's checks judge the database side (still current, not superseded,
// no open incident seen during the soak) and end the row. Every change of state is audited (db/verifications.ts).
import { and, eq, gte, inArray, isNull, ne } from 'drizzle-orm';
import type { Tx } from './client.js';
import { deployments, environments } from './promotion-schema.js';
import { incidents, releaseVerifications } from './verification-schema.js';
import { setVerificationState, startVerification, verificationOfDeployment, type VerificationRow } from './verifications.js';
import { ACTIVE_STATUSES } from '../domain/promotion.js';
import type { VerificationState } from '../domain/verification.js';

/** What the workflow needs to soak: the row's state after the record step, the end of the soak, the check interval. */
export interface SoakPlan {
  state: VerificationState;
  /** End of the soak (epoch ms), null without one. */
  soakUntilMs: number | null;
  /** Seconds between two soak checks: min(soak / 4, monitoring.intervalSeconds), at least 1 and soak / MAX_SOAK_CHECKS. */
  checkEverySeconds: number;
}

const DEFAULT_MONITOR_INTERVAL_SECONDS = 15;

/**
 * Checks one soak makes at most: each is a timer and an activity (about 11 history events), so a 30-day soak at the
 * monitoring interval would outgrow Temporal's history limit (51,200 events). Longer soaks check less often; the
 * monitor workflow watches the environment continuously meanwhile, and its incidents end the soak at the next check.
 */
export const MAX_SOAK_CHECKS = 400;

/** The soak check interval for a soak of `soakSeconds` under the environment's monitoring interval. */
export function soakCheckSeconds(soakSeconds: number, monitorIntervalSeconds: number | undefined): number {
  const wanted = Math.min(Math.ceil(soakSeconds / 4), monitorIntervalSeconds ?? DEFAULT_MONITOR_INTERVAL_SECONDS);
  return Math.max(1, wanted, Math.ceil(soakSeconds / MAX_SOAK_CHECKS));
}

/**
 * Runs in the record step's transaction, after the release became current: opens (or moves the gates' `verifying`
 * row to) `verified` when the environment has no soak, else `soaking` with soakUntil. The gates before record
 * have passed when this runs (a promotion only reaches record when they did). Idempotent: a repeated record finds
 * the row already moved and returns its plan; a row that is failed or revoked is never revived.
 */
export async function openVerificationOnRecord(tx: Tx, input: { deploymentId: number }): Promise<SoakPlan> {
  const [d] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId));
  if (!d) throw new Error(`deployment ${input.deploymentId} not found`);
  const [env] = await tx.select().from(environments).where(eq(environments.name, d.environment));
  if (!env) throw new Error(`environment ${d.environment} not found`);
  const soakSeconds = env.verification?.soakSeconds ?? 0;
  const checkEverySeconds = soakCheckSeconds(soakSeconds, env.monitoring?.intervalSeconds);
  let row = await startVerification(tx, { deploymentId: d.id, environment: d.environment, releaseId: d.releaseId, state: 'verifying' });
  if (row.state === 'verifying') {
    const now = new Date();
    const moved = await setVerificationState(tx, {
      deploymentId: d.id,
      state: soakSeconds > 0 ? 'soaking' : 'verified',
      from: ['verifying'],
      checksPassedAt: row.checksPassedAt ?? now,
      soakUntil: soakSeconds > 0 ? new Date(now.getTime() + soakSeconds * 1000) : null,
    });
    if (moved) row = moved;
  }
  return { state: row.state, soakUntilMs: row.soakUntil ? row.soakUntil.getTime() : null, checkEverySeconds };
}

/** Why the soak of a deployment cannot go on, judged on the database alone (undefined: it may). */
export type SoakProblem = { state: 'failed' | 'revoked'; reason: string };

/**
 * The database side of a soak check: the row is still `soaking`, the release is still current through this
 * deployment and no other promotion has started in the environment (else: superseded, `failed`), and no incident
 * of the environment is open that was seen since the soak began (else `revoked`).
 */
export async function soakProblem(tx: Tx, input: { deploymentId: number }): Promise<SoakProblem | { ended: VerificationRow } | undefined> {
  const row = await verificationOfDeployment(tx, input);
  if (!row) return { state: 'failed', reason: 'no verification row for this deployment' };
  if (row.state !== 'soaking') return { ended: row };
  const superseded = await supersededBy(tx, row);
  if (superseded) return { state: 'failed', reason: superseded };
  const open = await tx
    .select({ id: incidents.id, kind: incidents.kind, application: incidents.application, summary: incidents.summary })
    .from(incidents)
    .where(and(eq(incidents.environment, row.environment), isNull(incidents.resolvedAt), gte(incidents.lastSeenAt, row.updatedAt)))
    .limit(5);
  const first = open[0];
  if (first) {
    const more = open.length > 1 ? ` (and ${open.length - 1} more)` : '';
    return {
      state: 'revoked',
      reason: `incident ${first.id} open during the soak: ${first.kind} ${first.application} ${first.summary}${more}`.slice(0, 1000),
    };
  }
  return undefined;
}

/** Why the row's release is no longer the environment's soaking release (undefined: it still is). */
async function supersededBy(tx: Tx, row: VerificationRow): Promise<string | undefined> {
  const [env] = await tx.select().from(environments).where(eq(environments.name, row.environment));
  if (env && env.currentDeploymentId !== row.deploymentId) {
    return `superseded before the soak completed: release ${env.currentReleaseId ?? 'none'} became current (deployment ${env.currentDeploymentId ?? 'none'})`;
  }
  const [active] = await tx
    .select({ id: deployments.id, releaseId: deployments.releaseId })
    .from(deployments)
    .where(
      and(
        eq(deployments.environment, row.environment),
        inArray(deployments.status, [...ACTIVE_STATUSES]),
        ne(deployments.id, row.deploymentId),
      ),
    );
  if (active) return `superseded before the soak completed: deployment ${active.id} of release ${active.releaseId} started`;
  return undefined;
}

/** Ends a soaking row (from `soaking` only): verified, failed or revoked, with its reason. Returns the row as it is now. */
export async function endSoak(
  tx: Tx,
  input: { deploymentId: number; state: 'verified' | 'failed' | 'revoked'; reason?: string; evidence?: Record<string, unknown> },
): Promise<VerificationRow | undefined> {
  const moved = await setVerificationState(tx, {
    deploymentId: input.deploymentId,
    state: input.state,
    from: ['soaking'],
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.evidence ? { evidence: input.evidence } : {}),
  });
  return moved ?? verificationOfDeployment(tx, input);
}

/** The reason a soak ended by cancellation: superseded when another promotion started, else cancelled. */
export async function cancelledSoakReason(tx: Tx, input: { deploymentId: number; why: string }): Promise<string> {
  const row = await verificationOfDeployment(tx, input);
  const superseded = row ? await supersededBy(tx, row) : undefined;
  return superseded ?? `soak ended before it completed: ${input.why}`;
}

/** The runs of `workflowId` whose deployment is soaking in `environment` (a new promotion there supersedes them). */
export async function soakingRuns(
  tx: Tx,
  input: { environment: string; workflowId: string },
): Promise<Array<{ deploymentId: number; runId: string }>> {
  const rows = await tx
    .select({ deploymentId: deployments.id, runId: deployments.runId })
    .from(releaseVerifications)
    .innerJoin(deployments, eq(deployments.id, releaseVerifications.deploymentId))
    .where(
      and(
        eq(releaseVerifications.environment, input.environment),
        eq(releaseVerifications.state, 'soaking'),
        eq(deployments.workflowId, input.workflowId),
      ),
    );
  return rows.flatMap((r) => (r.runId ? [{ deploymentId: r.deploymentId, runId: r.runId }] : []));
}
