// Preflight of every cluster an environment deploys to (domain/clusters.ts): the Argo CD and Kubernetes
// checks of preflight-targets.ts run for each target concurrently. With several clusters every check names
// its cluster (`cluster` field, id suffix `@<cluster>`, message prefix with the configuration entry, e.g.
// `cluster eu-2 (clusters[0]): …`, against which the field names in the message read); with one, the checks
// are exactly those of a single-cluster environment.
import { targetsOf, type ClusteredEnv, type DeployTarget } from '../../domain/clusters.js';
import type { GitopsTarget } from '../../domain/environment.js';
import type { TargetClients } from '../../integrations/targets.js';
import type { PreflightCheck } from './preflight-checks.js';
import { argoChecks, kubeChecks, type PlannedFile } from './preflight-targets.js';

export async function clusterChecks(
  targets: TargetClients,
  env: ClusteredEnv & { name: string; gitops: GitopsTarget },
  groups: string[],
  filesOf?: (group: string) => PlannedFile[],
): Promise<PreflightCheck[]> {
  const clusters = targetsOf(env);
  const perCluster = await Promise.all(
    clusters.map(async (t) => {
      const view = { name: env.name, gitops: env.gitops, argocd: t.argocd, kubernetes: t.kubernetes };
      const [argo, kube] = await Promise.all([argoChecks(targets, view, groups, filesOf), kubeChecks(targets, view)]);
      return clusters.length === 1 ? [...argo, ...kube] : [...argo, ...kube].map((c) => labelled(c, t));
    }),
  );
  return perCluster.flat();
}

function labelled(c: PreflightCheck, t: DeployTarget): PreflightCheck {
  const where = t.field === '' ? `cluster ${t.name}` : `cluster ${t.name} (${t.field.slice(0, -1)})`;
  return { ...c, id: `${c.id}@${t.name}`, cluster: t.name, message: `${where}: ${c.message}` };
}
