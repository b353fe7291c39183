// Which Argo CD applications an environment promotes, and how each is synced. By name pattern the answer is
// pure (domain/environment.ts); by label selector it is Argo's list API (`GET /api/v1/applications?selector=`,
// then the environment's project), matched to descriptor groups by the group label. Used by the promotion
// steps (activities/promotion-context.ts) and by the live view (api/services/live-status.ts).
import { applicationSelectorOf, applicationsOf, matchApplicationsToGroups, type GroupMatch } from '../domain/environment.js';
import type { ArgoTarget } from '../domain/environment.js';
import type { Application, ArgoClient } from './argocd.js';

export interface SelectionEnv {
  name: string;
  argocd: Pick<ArgoTarget, 'project' | 'applicationPattern' | 'applicationSelector' | 'groupLabel'>;
}

/** One entry per group: its application's name, or why none (or several) matched. */
export async function resolveApplications(argo: ArgoClient, env: SelectionEnv, groups: string[]): Promise<GroupMatch[]> {
  const selector = applicationSelectorOf(env);
  if (selector === undefined) return applicationsOf(env, Object.fromEntries(groups.map((g) => [g, null])));
  const list = await argo.listApplications(selector);
  const apps = (list.items ?? [])
    .filter((a) => (a.spec.project ?? 'default') === env.argocd.project)
    .map((a) => ({ name: a.metadata.name, labels: a.metadata.labels }));
  return matchApplicationsToGroups(env, groups, apps);
}

/** Does this application get its operations from Argo's automated sync rather than from our sync request? */
export function usesAutomatedSync(env: { argocd: { syncMode?: ArgoTarget['syncMode'] | undefined } }, app: Application): boolean {
  const mode = env.argocd.syncMode ?? 'detect';
  if (mode === 'explicit') return false;
  if (mode === 'auto') return true;
  return isAutomatedSyncEnabled(app);
}

/** Argo's `SyncPolicy.IsAutomatedSyncEnabled`: `automated` set and not `enabled: false`. */
export function isAutomatedSyncEnabled(app: Application): boolean {
  const automated = app.spec.syncPolicy?.automated;
  return automated !== undefined && automated !== null && automated.enabled !== false;
}
