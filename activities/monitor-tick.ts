// One observation of the monitor workflow (workflows/monitor.ts): reads the environment's configuration (so a
// change applies at the next tick), observes the current release's applications (monitor-observe.ts), opens,
// touches and resolves the monitor's incidents (drift, degraded, missing, out-of-sync) and applies the policy to
// sustained ones (monitor-policy.ts). While a promotion is active nothing is judged: our own rollout is not drift.
import type { ActivityDeps } from './deps.js';
import { type PromotionContext } from './promotion-context.js';
import { getDeployment, type DeploymentRow } from '../db/deployments.js';
import { getRelease, type ReleaseRow } from '../db/releases.js';
import { observeApplications } from './monitor-observe.js';
import { applyPolicy } from './monitor-policy.js';
import { resumeAutoRollbackStart } from './auto-rollback.js';
import { endParkedTooLong } from './parked-timeout.js';
import { getEnvironment, type EnvironmentRow } from '../db/environments.js';
import { findActiveDeployment } from '../db/deployments.js';
import { countOpenIncidents, readMonitorSnapshot } from '../db/monitor-read.js';
import { isRollingOut } from '../domain/promotion.js';
import { openOrTouchIncident, resolveIncidents, resolveIncidentsOfOtherDeployments } from '../db/incidents.js';
import { incidentsOf, judgeApplication, monitoringOf, MONITOR_KINDS, type AppVerdict } from '../domain/monitor.js';
import type { MonitorApp } from '../workflows/monitor-messages.js';
import { monitorLastObservation } from '../lib/metrics.js';
import { createProjectWatches } from '../integrations/argocd-project-watch.js';

export interface MonitorTickInput {
  environment: string;
}

export interface MonitorTickResult {
  /** Set when the monitor should end: monitoring disabled, or the environment no longer exists. */
  stopped?: 'disabled' | 'environment-gone';
  intervalSeconds: number;
  observedAt: string;
  progressing: boolean;
  applications: MonitorApp[];
  openIncidents: number;
  /** What the policy did in this tick (`alerted #12`, `rolled back #12 by deployment 40`). */
  actions: string[];
}

/** How many current deployments (with their release) a worker keeps between observations. */
const CONTEXT_CACHE_SIZE = 1_000;

export function createMonitorTick(deps: ActivityDeps) {
  // Argo CD's state from each project's watch stream, opened by the first observation that needs it (ARGOCD_WATCH).
  const watches = deps.argocdWatch === false ? undefined : (deps.projectWatches ?? createProjectWatches());
  // The current deployment of an environment is final and its release immutable: read once, not every tick.
  const contexts = new Map<number, { deployment: DeploymentRow; release: ReleaseRow }>();
  const contextOf = async (env: EnvironmentRow, deploymentId: number): Promise<PromotionContext> => {
    let hit = contexts.get(deploymentId);
    if (!hit) {
      const db = deps.database.db;
      const deployment = await getDeployment(db, { id: deploymentId });
      const release = deployment && (await getRelease(db, { id: deployment.releaseId }));
      if (!deployment || !release) throw new Error(`current deployment ${deploymentId} of ${env.name} not found`);
      hit = { deployment, release };
      if (contexts.size >= CONTEXT_CACHE_SIZE) contexts.delete(contexts.keys().next().value as number);
      contexts.set(deploymentId, hit);
    }
    return { ...hit, environment: env };
  };
  const activities = {
    async monitorTick(input: MonitorTickInput): Promise<MonitorTickResult> {
      const db = deps.database.db;
      const now = new Date();
      // One statement: the environment, its active deployment and its open incidents' count (db/monitor-read.ts).
      const snapshot = await readMonitorSnapshot(deps.database.sql, { environment: input.environment });
      const env = snapshot?.environment;
      const base = {
        intervalSeconds: 15,
        observedAt: now.toISOString(),
        progressing: false,
        applications: [],
        openIncidents: 0,
        actions: [],
      };
      if (!env) return { ...base, stopped: 'environment-gone' };
      const config = monitoringOf(env.monitoring);
      if (!config.enabled) return { ...base, stopped: 'disabled' };
      const result = { ...base, intervalSeconds: config.intervalSeconds };
      const openCount = () => countOpenIncidents(deps.database.sql, { environment: env.name });

      const active = snapshot.active;
      if (active) await resumeAutoRollbackStart(deps, env, active);
      const ended = active ? await endParkedTooLong(deps, config, active, now) : undefined;
      if (ended) return { ...result, progressing: true, openIncidents: await openCount(), actions: [ended] };
      // A rollout of our own is not drift; a promotion waiting for its approval or a freeze window changes nothing yet.
      if (active && isRollingOut(active.status)) return { ...result, progressing: true, openIncidents: snapshot.openIncidents };
      let ctx: PromotionContext | null = null;
      let verdicts: AppVerdict[] = [];
      if (env.currentDeploymentId !== null) {
        ctx = await contextOf(env, env.currentDeploymentId);
        verdicts = (await observeApplications(deps, ctx, watches)).map((o) => judgeApplication(env.name, o));
      }
      const applications = verdicts.map((v) => ({ application: v.application, state: v.state, problems: v.problems.map((p) => p.line) }));
      // The usual case: everything in sync and nothing open — nothing to write, no policy to apply. (The count is
      // the one read before observing: an incident opened meanwhile by someone else is seen at the next observation.)
      if (snapshot.openIncidents === 0 && verdicts.every((v) => v.problems.length === 0)) return { ...result, applications };
      const written = await db.transaction(async (tx) => {
        // A promotion that started while we observed owns the environment now: its rollout is not drift.
        const again = await getEnvironment(tx, { name: env.name });
        if (
          !again ||
          again.currentDeploymentId !== env.currentDeploymentId ||
          isRollingOut((await findActiveDeployment(tx, { environment: env.name }))?.status ?? 'succeeded')
        ) {
          return false;
        }
        // Incidents about an earlier current deployment are over: the release changed since (a promotion or a
        // rollback); what persists is opened afresh about this one, with its own sustain period.
        await resolveIncidentsOfOtherDeployments(tx, {
          environment: env.name,
          deploymentId: env.currentDeploymentId,
          kinds: MONITOR_KINDS,
        });
        const stillOpen: Array<{ application: string; kind: (typeof MONITOR_KINDS)[number] }> = [];
        for (const v of verdicts) {
          for (const inc of incidentsOf(v)) {
            stillOpen.push({ application: v.application, kind: inc.kind });
            const { opened } = await openOrTouchIncident(tx, {
              environment: env.name,
              application: v.application,
              kind: inc.kind,
              releaseId: ctx?.release.id ?? null,
              deploymentId: ctx?.deployment.id ?? null,
              summary: inc.summary,
              evidence: { lines: inc.lines },
            });
            if (opened)
              deps.logger.warn({ environment: env.name, application: v.application, kind: inc.kind, lines: inc.lines }, 'incident opened');
          }
        }
        await resolveIncidents(tx, { environment: env.name, stillOpen, onlyKinds: MONITOR_KINDS });
        return true;
      });
      if (!written) return { ...result, progressing: true, openIncidents: await openCount() };
      const actions = await applyPolicy(deps, { environment: env, config, ctx, now: new Date() });
      return { ...result, applications, openIncidents: await openCount(), actions };
    },
  };
  /** The observation, and its time as `flow_controller_monitor_last_observation_timestamp_seconds` (lib/metrics.ts). */
  const monitorTick = async (input: MonitorTickInput): Promise<MonitorTickResult> => {
    const result = await activities.monitorTick(input);
    if (result.stopped) monitorLastObservation.remove({ environment: input.environment });
    else monitorLastObservation.set({ environment: input.environment }, Date.now() / 1000);
    return result;
  };
  return { monitorTick };
}
