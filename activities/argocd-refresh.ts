// Step "argocd-refresh": asks Argo CD to re-read Git for every application of the release's groups
// (GET ?refresh=normal blocks until the controller has reconciled). Idempotent by nature. A multi-source
// application must have a source reading the environment's repository (else a configuration error naming it);
// the revision reported is that source's.
import type { ActivityDeps } from './deps.js';
import { applicationsFor, argoClientFor, loadContext, recordedStep, writtenSourcesOf, type StepOutcome } from './promotion-context.js';
import { writtenRevision } from '../integrations/argocd-sources.js';
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
        const argo = argoClientFor(deps, ctx.environment);
        const appRefs = await applicationsFor(ctx, argo);
        const applications = [];
        for (const app of appRefs) {
          const a = await argo.getApplication(app.name, { refresh: 'normal', project: ctx.environment.argocd.project });
          applications.push({
            name: app.name,
            sync: a.status?.sync?.status,
            health: a.status?.health?.status,
            revision: writtenRevision(a, writtenSourcesOf(a, ctx.environment), a.status?.sync),
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
