// Several clusters per environment (docs/bring-your-own-repo.md "Several clusters per environment"): an
// environment's deployment targets — the top-level `argocd`/`kubernetes` pair, then each of `clusters` — and
// the rules across them, checked when an environment is saved (422 ENVIRONMENT_INVALID naming the field, e.g.
// `clusters[0].argocd.serverUrl`). Pure: no I/O.
import { checkArgoSelection, DEFAULT_APPLICATION_PATTERN, type ArgoTarget, type ClusterTarget, type KubeTarget } from './environment.js';
import type { EnvironmentConfig } from './environment.js';
import { checkTargetPolicy, type TargetPolicy, type TargetProblem } from './target-policy.js';

/** The name of the top-level target's cluster when `clusterName` does not give one. */
export const DEFAULT_CLUSTER_NAME = 'default';

/** One cluster an environment deploys to: its Argo CD and the Kubernetes API that verification reads. */
export interface DeployTarget {
  name: string;
  argocd: ArgoTarget;
  kubernetes: KubeTarget;
  /** Where its configuration lives: `` for the top-level target, `clusters[0].` for the first of `clusters`. */
  field: string;
}

/** What targetsOf reads: a configuration, a stored row (null = absent) or a preflight target. */
export interface ClusteredEnv {
  argocd: ArgoTarget;
  kubernetes: KubeTarget;
  clusterName?: string | null | undefined;
  clusters?: readonly ClusterTarget[] | null | undefined;
}

/** Every target of an environment, the top-level one first (the only one of a single-cluster environment). */
export function targetsOf(env: ClusteredEnv): DeployTarget[] {
  return [
    { name: env.clusterName ?? DEFAULT_CLUSTER_NAME, argocd: env.argocd, kubernetes: env.kubernetes, field: '' },
    ...(env.clusters ?? []).map((c, i) => ({ name: c.name, argocd: c.argocd, kubernetes: c.kubernetes, field: `clusters[${i}].` })),
  ];
}

/** Argo CD server, project and selection: two targets with the same key would promote the same applications. */
function selectionKey(a: ArgoTarget): string {
  let server = a.serverUrl.toLowerCase();
  try {
    const u = new URL(a.serverUrl);
    server = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    // unparsable URLs are refused by the schema; compare them as given
  }
  const selection =
    a.applicationSelector !== undefined
      ? `selector:${a.applicationSelector}`
      : `pattern:${a.applicationPattern ?? DEFAULT_APPLICATION_PATTERN}`;
  return JSON.stringify([server, a.project, selection]);
}

/**
 * Every reason the further clusters of `config` break the rules (empty = fine; the top-level target is
 * checked by checkTargetPolicy and checkArgoSelection as before): cluster names unique across all targets,
 * the installation's policy and a sensible application selection per cluster, and no two targets selecting
 * the same applications of the same Argo CD (they would be synced twice and judged twice).
 */
export function checkClusters(
  config: Pick<EnvironmentConfig, 'gitops' | 'argocd' | 'kubernetes' | 'clusterName' | 'clusters'>,
  policy: TargetPolicy,
): TargetProblem[] {
  const problems: TargetProblem[] = [];
  const targets = targetsOf(config);
  const seen = new Map<string, DeployTarget>();
  const selections = new Map<string, DeployTarget>();
  for (const t of targets) {
    if (t.field !== '') {
      const earlier = seen.get(t.name);
      if (earlier) {
        const which =
          earlier.field === '' ? `the top-level target's (clusterName, default "${DEFAULT_CLUSTER_NAME}")` : `${earlier.field}name`;
        problems.push({ path: `${t.field}name`, message: `cluster name "${t.name}" is already ${which}: cluster names are unique` });
      }
      // The Git side is the environment's and checked once; each cluster brings its own Argo CD and Kubernetes.
      const own = checkTargetPolicy({ gitops: config.gitops, argocd: t.argocd, kubernetes: t.kubernetes }, policy).filter(
        (p) => !p.path.startsWith('gitops.'),
      );
      for (const p of [...own, ...checkArgoSelection(t.argocd)]) problems.push({ path: `${t.field}${p.path}`, message: p.message });
      const same = selections.get(selectionKey(t.argocd));
      if (same) {
        problems.push({
          path: `${t.field}argocd`,
          message:
            `selects the same applications of the same Argo CD and project as cluster "${same.name}": give each cluster its own ` +
            'applications (argocd.applicationPattern or argocd.applicationSelector)',
        });
      }
    }
    if (!seen.has(t.name)) seen.set(t.name, t);
    if (!selections.has(selectionKey(t.argocd))) selections.set(selectionKey(t.argocd), t);
  }
  return problems;
}
