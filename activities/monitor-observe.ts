// What the monitor sees of an environment's current release (domain/monitor.ts judges it): for every application
// of every cluster, Argo CD's sync and health and, through that cluster's Kubernetes API, the images and release
// id of each workload's Ready pods against the release's descriptor — the same reads and comparison as the
// verify-images step (verify-workloads.ts), so a drift the monitor reports is one verify-images would refuse.
// Kubernetes is read on every observation: a `kubectl set image` shows in Argo CD only once it notices.
import type { ActivityDeps } from './deps.js';
import type { PromotionContext } from './promotion-context.js';
import { mappedWorkloadOf } from './mapped-workload.js';
import { eachApplication } from './argocd-refresh.js';
import { onCluster, targetApplications, type TargetApp } from './promotion-targets.js';
import { verifyApplications, type ApplicationResources } from './verify-workloads.js';
import type { ObservedApplication } from '../integrations/argocd-observed.js';
import type { ProjectWatches } from '../integrations/argocd-project-watch.js';
import { KubeApiError, type KubeClient, type Workload, type WorkloadKind } from '../integrations/kube.js';
import { matches, parseSelector } from '../domain/label-selector.js';
import type { AppObservation } from '../domain/monitor.js';

/**
 * Observes every application of the context's current release (the environment's clusters in order). With
 * `watches`, Argo CD's state comes from each project's watch stream where it is live (argocd-project-watch.ts).
 */
export async function observeApplications(deps: ActivityDeps, ctx: PromotionContext, watches?: ProjectWatches): Promise<AppObservation[]> {
  const apps = await targetApplications(deps, ctx);
  const byTarget = new Map<string, TargetApp[]>();
  for (const app of apps) byTarget.set(app.target.name, [...(byTarget.get(app.target.name) ?? []), app]);
  const parts = await eachApplication([...byTarget.values()], (group) => observeTarget(ctx, group, watches));
  return parts.flat();
}

async function observeTarget(ctx: PromotionContext, apps: TargetApp[], watches: ProjectWatches | undefined): Promise<AppObservation[]> {
  const target = (apps[0] as TargetApp).target;
  return onCluster(target, async () => {
    const argo = target.argo();
    const project = watches?.forProject(argo, target.argocd.project);
    // Each application is read once, leanly (integrations/argocd-observed.ts: only the fields used here): its
    // sync/health here, its managed workloads in verifyApplications.
    const get = (name: string, opts: { project: string }): Promise<ObservedApplication> =>
      argo.observeApplication ? argo.observeApplication(name, opts) : argo.getApplication(name, opts);
    const observe = (name: string, opts: { project: string }): Promise<ObservedApplication> =>
      project ? project.observe(name, () => get(name, opts)) : get(name, opts);
    const read = new Map<string, ObservedApplication>();
    await eachApplication(apps, async (a) => {
      read.set(a.name, await observe(a.name, { project: target.argocd.project }));
    });
    const cached: ApplicationResources = {
      getApplication: (name, opts) => {
        const known = read.get(name);
        return known ? Promise.resolve(known) : observe(name, opts);
      },
    };
    const verified = await verifyApplications({
      argo: cached,
      kube: namespaceReads(target.kube()),
      project: target.argocd.project,
      namespace: target.kubernetes.namespace,
      releaseId: ctx.release.id,
      descriptor: ctx.release.descriptor,
      applications: apps.map((a) => ({ group: a.group, name: a.name })),
      mappedWorkload: (group, service) => mappedWorkloadOf(ctx.environment.gitops, group, service),
    });
    return apps.map((a) => {
      const app = read.get(a.name);
      return {
        application: a.label,
        sync: app?.status?.sync?.status,
        health: app?.status?.health?.status,
        healthMessage: app?.status?.health?.message,
        mismatches: verified.mismatches
          .filter((m) => m.application === a.name)
          .map((m) => ({ workload: m.workload, container: m.container, expected: m.expected, running: m.running })),
      };
    });
  });
}

/**
 * The Kubernetes reads of one observation, namespace by namespace: one list of pods per namespace and one list of
 * workloads per namespace and kind asked for (a release of Deployments lists no StatefulSets or DaemonSets), instead
 * of a GET and a pod list per workload (what verify-workloads asks for is answered from them, the label selector
 * matched here). Where RBAC allows `get` but not `list` on workloads, the workloads are read one by one as before.
 */
export function namespaceReads(kube: KubeClient): KubeClient {
  const pods = new Map<string, ReturnType<KubeClient['listPods']>>();
  const workloads = new Map<string, Promise<Map<string, Workload> | undefined>>();
  const listed = (namespace: string, kind: WorkloadKind) => {
    const key = `${namespace}\0${kind}`;
    let hit = workloads.get(key);
    if (!hit) {
      hit = kube.listWorkloads(namespace, undefined, [kind]).then(
        (all) => new Map(all.map((w) => [`${w.kind}/${w.object.metadata?.name ?? ''}`, w])),
        (err: unknown) => {
          if (err instanceof KubeApiError && err.reason === 'Forbidden') return undefined;
          throw err;
        },
      );
      workloads.set(key, hit);
    }
    return hit;
  };
  return {
    ...kube,
    async listPods(namespace, labelSelector) {
      let all = pods.get(namespace);
      if (!all) pods.set(namespace, (all = kube.listPods(namespace)));
      const requirements = parseSelector(labelSelector);
      return (await all).filter((p) => matches(requirements, p.metadata?.labels));
    },
    async getWorkload(kind, namespace, name) {
      const found = (await listed(namespace, kind))?.get(`${kind}/${name}`);
      return found ?? kube.getWorkload(kind, namespace, name);
    },
  };
}
