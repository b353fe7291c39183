// Step "argocd-refresh": asks Argo CD to re-read Git for every application of the release's groups
// (GET ?refresh=normal blocks until the controller has reconciled), on every cluster of the environment, all
// applications at once. Idempotent by nature. A multi-source application must have a source reading the
// environment's repository (else a configuration error naming it, and its cluster when there are several); the
// revision reported is that source's.
import type { ActivityDeps } from './deps.js';
import {
  loadContext,
  recordedStep,
  writtenSourcesOf,
  type PromotionContext,
  type StepOutcome,
  type StepInput,
} from './promotion-context.js';
import { onCluster, targetApplications, type TargetApp } from './promotion-targets.js';
import { writtenRevision } from '../integrations/argocd-sources.js';
import type { Application } from '../integrations/argocd.js';
import { STEP } from '../domain/promotion.js';

export type ArgocdRefreshInput = StepInput;
export interface RefreshedApplication {
  name: string;
  sync: string | undefined;
  health: string | undefined;
  revision: string | undefined;
}
export interface ArgocdRefreshResult extends StepOutcome {
  applications: RefreshedApplication[];
}

/**
 * Runs `fn` for every application at once and returns the results in the applications' order; when some fail,
 * the first failing application's error (in that order, as a sequential loop would report it) after all settled.
 */
export async function eachApplication<A, T>(apps: readonly A[], fn: (app: A) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(apps.map(fn));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** Refreshes the applications (in parallel); also returns each one's refreshed state, by label. */
export async function refreshApplications(
  ctx: PromotionContext,
  apps: readonly TargetApp[],
): Promise<{ outcome: ArgocdRefreshResult; states: Map<string, Application> }> {
  const refreshed = await eachApplication(apps, (app) =>
    onCluster(app.target, async () => {
      const a = await app.target.argo().getApplication(app.name, { refresh: 'normal', project: app.target.argocd.project });
      return { a, written: writtenSourcesOf(a, ctx.environment) };
    }),
  );
  const applications = refreshed.map(({ a, written }, i) => ({
    name: (apps[i] as TargetApp).label,
    sync: a.status?.sync?.status,
    health: a.status?.health?.status,
    revision: writtenRevision(a, written, a.status?.sync),
  }));
  return {
    outcome: {
      status: 'succeeded' as const,
      message: applications.map((a) => `${a.name}: ${a.sync ?? '?'}/${a.health ?? '?'}`).join(', '),
      observation: { applications },
      applications,
    },
    states: new Map(refreshed.map(({ a }, i) => [(apps[i] as TargetApp).label, a])),
  };
}

export function createArgocdRefresh(deps: ActivityDeps) {
  return {
    async argocdRefresh(input: ArgocdRefreshInput): Promise<ArgocdRefreshResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.argocdRefresh, holds: input.checkHolds }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        // Every cluster of the environment (activities/promotion-targets.ts); `label` names the cluster when there are several.
        return (await refreshApplications(ctx, await targetApplications(deps, ctx))).outcome;
      });
    },
  };
}
