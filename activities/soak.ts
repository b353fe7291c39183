// The soak of a promotion after its record step (workflows/promotion-soak.ts waits; this judges). A soak check
// reads the database side (db/soak.ts: still current, not superseded, no open incident) and the applications'
// Argo CD sync/health (the environment's applications, resolved like every promotion step does); a problem ends
// the soaking row at once (`failed` when superseded, `revoked` when unhealthy). The final check, at soakUntil,
// makes the release `verified` when all is still well. Retried transient failures (Argo CD or Postgres down)
// only delay the verdict; the row is changed from `soaking` only, so a late or repeated check changes nothing.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { hook, loadContext } from './promotion-context.js';
import { targetApplications } from './promotion-targets.js';
import { cancelledSoakReason, endSoak, soakProblem } from '../db/soak.js';
import { FAILURE } from '../domain/promotion.js';
import type { VerificationState } from '../domain/verification.js';
import { wakeAutoPromoters } from './auto-promotion.js';

export type { SoakPlan } from '../db/soak.js';

export interface SoakCheckInput {
  deploymentId: number;
  /** The check at soakUntil: all well → `verified`. */
  final: boolean;
}

export interface SoakCheckResult {
  /** The row's state after the check (`soaking` while the soak goes on). */
  state: VerificationState;
  /** Why it ended, when it did not end verified. */
  reason: string | null;
  /** The applications as this check saw them (`name: Synced/Healthy`). */
  applications: string[];
}

/** The applications that are not Synced/Healthy, as `label: sync/health` (and every one, for the evidence). */
async function applicationHealth(deps: ActivityDeps, deploymentId: number): Promise<{ bad: string[]; all: string[] }> {
  const ctx = await loadContext(deps, deploymentId);
  const apps = await targetApplications(deps, ctx);
  const all: string[] = [];
  const bad: string[] = [];
  for (const app of apps) {
    const live = await app.target.argo().getApplication(app.name, { project: app.target.argocd.project });
    const sync = live.status?.sync?.status ?? 'Unknown';
    const health = live.status?.health?.status ?? 'Unknown';
    const line = `${app.label}: ${sync}/${health}`;
    all.push(line);
    if (sync !== 'Synced' || health !== 'Healthy') bad.push(line);
  }
  return { bad, all };
}

function nonRetryable(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.nonRetryable === true;
}

export function createSoakActivities(deps: ActivityDeps) {
  const db = deps.database.db;
  return {
    async soakCheck(input: SoakCheckInput): Promise<SoakCheckResult> {
      if (!Number.isSafeInteger(input.deploymentId)) throw ApplicationFailure.nonRetryable('bad deployment id', FAILURE.badInput);
      await hook(deps, 'soak-check:start', input.deploymentId);
      const problem = await db.transaction((tx) => soakProblem(tx, input));
      if (problem && 'ended' in problem) return { state: problem.ended.state, reason: problem.ended.reason, applications: [] };
      const end = async (state: 'verified' | 'failed' | 'revoked', reason: string | undefined, applications: string[]) => {
        const row = await db.transaction((tx) =>
          endSoak(tx, { deploymentId: input.deploymentId, state, ...(reason ? { reason } : {}), evidence: { soak: { applications } } }),
        );
        // Verified (or not) here: environments that auto-promote from this one look now.
        if (row) await wakeAutoPromoters(deps, row.environment);
        return { state: row?.state ?? state, reason: row?.reason ?? reason ?? null, applications };
      };
      if (problem) return end(problem.state, problem.reason, []);
      let health: { bad: string[]; all: string[] };
      try {
        health = await applicationHealth(deps, input.deploymentId);
      } catch (err) {
        // An application that cannot be resolved or read for good (deleted, forbidden) is not a healthy soak.
        if (!nonRetryable(err)) throw err;
        return end('revoked', `applications unreadable during the soak: ${(err as Error).message}`.slice(0, 1000), []);
      }
      if (health.bad.length > 0)
        return end('revoked', `not Synced/Healthy during the soak: ${health.bad.join(', ')}`.slice(0, 1000), health.all);
      if (input.final) return end('verified', undefined, health.all);
      return { state: 'soaking', reason: null, applications: health.all };
    },

    /** Ends a soak that was cancelled (superseded by another promotion, or the workflow cancelled): `failed`. */
    async endSoakCancelled(input: { deploymentId: number; why: string }): Promise<SoakCheckResult> {
      const row = await db.transaction(async (tx) => {
        const reason = await cancelledSoakReason(tx, input);
        return endSoak(tx, { deploymentId: input.deploymentId, state: 'failed', reason });
      });
      return { state: row?.state ?? 'failed', reason: row?.reason ?? null, applications: [] };
    },
  };
}
