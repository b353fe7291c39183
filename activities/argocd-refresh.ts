// Step "argocd-refresh": asks Argo CD to re-read Git for every application of the release's groups
// (GET ?refresh=normal blocks until the controller has reconciled), on every cluster of the environment.
// Idempotent by nature.
import type { ActivityDeps } from './deps.js';
import { loadContext, recordedStep, type StepOutcome } from './promotion-context.js';
import { onCluster, targetApplications } from './promotion-targets.js';
import { STEP } from '../domain/promotion.js';

export interface ArgocdRefreshInput {
  deploymentId: number;
}
export interface ArgocdRefreshResult extends StepOutcome {
  applications: Array<{ name: string; sync: string | undefined; health: string | undefined; revision: string | undefined }>;
}

export function createArgocdRefresh(deps: ActivityDeps) {
  return {
    async argocdRefresh(input: ArgocdRefreshInput): Promise<ArgocdRefreshResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.argocdRefresh }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const applications = [];
        // Every cluster of the environment (activities/promotion-targets.ts); `label` names the cluster when there are several.
        for (const app of await targetApplications(deps, ctx)) {
          const a = await onCluster(app.target, () =>
            app.target.argo().getApplication(app.name, { refresh: 'normal', project: app.target.argocd.project }),
          );
          applications.push({
            name: app.label,
            sync: a.status?.sync?.status,
            health: a.status?.health?.status,
            revision: a.status?.sync?.revision,
          });
        }
        return {
          status: 'succeeded' as const,
          message: applications.map((a) => `${a.name}: ${a.sync ?? '?'}/${a.health ?? '?'}`).join(', '),
          observation: { applications },
          applications,
        };
      });
    },
  };
}
