// Steps "argocd-refresh" and "argocd-sync" in one activity (workflow change `refresh-sync-together`): one
// context load, one set of clients, one workflow round trip. Every application is refreshed and then synced to
// the pushed SHA, all applications at once; the refresh's answer is the state the sync's idempotency check
// reads (no second GET). Each step keeps its own history row, recorded as the separate activities record them.
// Only the refresh's failures fail this activity (the refresh step parks, as before). When the sync half fails
// (another operation running, a sync window, anything), nothing of it is recorded and the result says so: the
// workflow then runs the ordinary argocd-sync step, with its own retries, parks and sync-window waits (an
// application synced here is found already ours there).
import type { ActivityDeps } from './deps.js';
import { activityInfo } from '@temporalio/activity';
import { hook, loadContext, recordedStep, toFailure, type StepInput } from './promotion-context.js';
import { targetApplications } from './promotion-targets.js';
import { refreshApplications, type ArgocdRefreshResult } from './argocd-refresh.js';
import { syncApplications, type ArgocdSyncResult } from './argocd-sync.js';
import { markStepFinished, markStepStarted } from '../db/deployments.js';
import { STEP } from '../domain/promotion.js';
import { addLogBindings } from '../lib/logger.js';
import { secondsSince, stepDuration } from '../lib/metrics.js';

export interface ArgocdRefreshSyncInput extends StepInput {
  sha: string;
}
export interface ArgocdRefreshSyncResult extends ArgocdRefreshResult {
  /** The sync half's result; absent when it failed (then `syncDeferred` says why). */
  sync?: ArgocdSyncResult;
  syncDeferred?: string;
}

export function createArgocdRefreshSync(deps: ActivityDeps) {
  return {
    async argocdRefreshSync(input: ArgocdRefreshSyncInput): Promise<ArgocdRefreshSyncResult> {
      const { deploymentId } = input;
      const { ctx, apps, states, ...refresh } = await recordedStep(
        deps,
        { deploymentId, step: STEP.argocdRefresh, holds: input.checkHolds },
        async () => {
          const ctx = await loadContext(deps, deploymentId);
          const apps = await targetApplications(deps, ctx);
          const { outcome, states } = await refreshApplications(ctx, apps);
          return { ...outcome, ctx, apps, states };
        },
      );
      addLogBindings({ step: STEP.argocdSync });
      const started = performance.now();
      try {
        await hook(deps, `${STEP.argocdSync}:start`, deploymentId);
        const sync = await syncApplications(deps, ctx, { deploymentId, sha: input.sha }, apps, states);
        const db = deps.database.db;
        await markStepStarted(db, { deploymentId, step: STEP.argocdSync, attempt: activityInfo().attempt });
        await markStepFinished(db, { deploymentId, step: STEP.argocdSync, status: sync.status, message: sync.message });
        stepDuration.observe({ step: STEP.argocdSync, outcome: sync.status }, secondsSince(started));
        return { ...refresh, sync };
      } catch (err) {
        stepDuration.observe({ step: STEP.argocdSync, outcome: 'failed' }, secondsSince(started));
        return { ...refresh, syncDeferred: toFailure(err).message };
      }
    },
  };
}
