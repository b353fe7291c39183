// The environment's policy on sustained incidents (domain/monitor.ts dueAction): `alert` records the alert (the
// notification hook point: a warning log line and the incident.alerted audit event), `resync` asks Argo CD to sync
// the current release's commit again (the promotion's own sync code path, tagged as this incident's operation so a
// retry does not sync twice), `rollback` promotes the last verified release (auto-rollback.ts). A sustained monitor
// incident also revokes the current release's verified state. One automatic action per incident, ever.
import type { ActivityDeps } from './deps.js';
import type { PromotionContext } from './promotion-context.js';
import { targetApplications } from './promotion-targets.js';
import { syncApplications } from './argocd-sync.js';
import { autoRollback } from './auto-rollback.js';
import { listIncidents, recordIncidentAction, type IncidentRow } from '../db/incidents.js';
import { revokeVerification } from '../db/verifications.js';
import type { EnvironmentRow } from '../db/environments.js';
import { dueAction } from '../domain/monitor.js';
import type { MonitoringConfig } from '../domain/verification.js';

export interface PolicyInput {
  environment: EnvironmentRow;
  config: MonitoringConfig;
  /** The current release's context (null: nothing is current, e.g. a failed gate on the first promotion). */
  ctx: PromotionContext | null;
  now: Date;
}

/** Acts on every due incident of the environment; returns the actions taken. Stops after a rollback started. */
export async function applyPolicy(deps: ActivityDeps, input: PolicyInput): Promise<string[]> {
  const db = deps.database.db;
  const env = input.environment;
  const open = (await listIncidents(db, { environment: env.name, open: true, limit: 100 })).incidents.reverse();
  const taken: string[] = [];
  for (const incident of open) {
    const action = dueAction(incident, input.config, input.now);
    if (!action) continue;
    const what = `${incident.kind} incident #${incident.id}${incident.application ? ` in ${incident.application}` : ''}`;
    const currentReleaseId = input.ctx?.release.id ?? null;
    if (incident.kind !== 'verification-failed' && currentReleaseId && action !== 'rollback') {
      await db.transaction((tx) =>
        revokeVerification(tx, { environment: env.name, releaseId: currentReleaseId, reason: `sustained ${what}: ${incident.summary}` }),
      );
    }
    switch (action) {
      case 'alert': {
        if (await db.transaction((tx) => recordIncidentAction(tx, { id: incident.id, action: 'alerted', message: `alert: ${what}` }))) {
          deps.logger.warn(
            { environment: env.name, incident: incident.id, kind: incident.kind, summary: incident.summary },
            'incident alert',
          );
          taken.push(`alerted #${incident.id}`);
        }
        break;
      }
      case 'resync': {
        const message = await resync(deps, input.ctx, incident);
        if (await db.transaction((tx) => recordIncidentAction(tx, { id: incident.id, action: 'resynced', message }))) {
          deps.logger.warn({ environment: env.name, incident: incident.id }, message);
          taken.push(`resynced #${incident.id}`);
        }
        break;
      }
      case 'rollback': {
        const outcome = await autoRollback(deps, { environment: env, incident, currentReleaseId });
        if (outcome.outcome === 'rolled-back') return [...taken, `rolled back #${incident.id} by deployment ${outcome.deploymentId}`];
        if (outcome.outcome === 'refused') taken.push(`rollback refused #${incident.id}`);
        break;
      }
      default: {
        const never: never = action;
        throw new Error(`unknown policy ${String(never)}`);
      }
    }
  }
  return taken;
}

/** Syncs every application to the current release's commit again; the message says what was asked. */
async function resync(deps: ActivityDeps, ctx: PromotionContext | null, incident: IncidentRow): Promise<string> {
  const sha = ctx?.deployment.commitSha;
  if (!ctx || !sha) return `resync skipped: the current release has no commit of its own to sync to`;
  const result = await syncApplications(
    deps,
    ctx,
    { deploymentId: ctx.deployment.id, sha, promotionId: `resync:incident-${incident.id}` },
    await targetApplications(deps, ctx),
  );
  return `resync: ${result.message}`;
}
