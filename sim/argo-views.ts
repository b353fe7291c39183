// JSON views of the simulated Argo CD Applications, as the API server returns them: the Application
// (GET/list/sync), its resource tree (with the ReplicaSets and pods Argo shows) and its managed resources
// (target and live manifests). Functions of the app's state and the live cluster; they change nothing.
import type { Application, ApplicationTree, ManagedResourcesResponse, ResourceNode } from '../integrations/argocd-schema.js';
import { isInSync, type SimApp } from './argo-app.js';
import { sourceTypeFields, specSourcesJson, syncStatusFields } from './argo-sources.js';
import { podHealth, workloadHealth } from './argo-health.js';
import { type DesiredWorkload, groupForKind } from './chart.js';
import { rfc3339 } from './clock.js';
import { type Cluster, workloadKey } from './cluster.js';
import { ownerOf, replicaSetUid, workloadJson } from './k8s-json.js';

export const DEST_SERVER = 'https://kubernetes.default.svc';
const ARGO_NAMESPACE = 'argocd';

export function applicationJson(app: SimApp): Application {
  const s = app.spec;
  const json: Application = {
    metadata: {
      name: s.name,
      namespace: ARGO_NAMESPACE,
      uid: app.uid,
      resourceVersion: String(app.resourceVersion),
      generation: app.generation,
      creationTimestamp: rfc3339(app.createdAt),
      ...(Object.keys(s.labels).length > 0 ? { labels: { ...s.labels } } : {}),
      ...(s.ownerReferences.length > 0 ? { ownerReferences: structuredClone(s.ownerReferences) } : {}),
      ...(Object.keys(app.annotations).length > 0 ? { annotations: { ...app.annotations } } : {}),
    },
    spec: {
      ...specSourcesJson(app),
      destination: { server: DEST_SERVER, namespace: s.namespace },
      project: s.project,
      ...(s.automated ? { syncPolicy: { automated: { ...s.automated } } } : {}),
    },
    status: {
      resources: structuredClone(app.resources),
      sync: {
        status: app.sync.status,
        ...syncStatusFields(app, app.sync.revisions),
      },
      health: { status: app.health.status, ...(app.health.message ? { message: app.health.message } : {}) },
      ...(app.history.length > 0 ? { history: structuredClone(app.history) } : {}),
      ...(app.conditions.length > 0 ? { conditions: structuredClone(app.conditions) } : {}),
      ...(app.reconciledAt !== undefined ? { reconciledAt: rfc3339(app.reconciledAt) } : {}),
      ...(app.operationState ? { operationState: structuredClone(app.operationState) } : {}),
      ...sourceTypeFields(app),
      summary: app.images.length > 0 ? { images: [...app.images] } : {},
    },
  };
  if (app.operation) json.operation = structuredClone(app.operation);
  return json;
}

export function resourceTreeJson(app: SimApp, cluster: Cluster): ApplicationTree {
  const nodes: ResourceNode[] = [];
  for (const ref of app.managed.values()) {
    const w = cluster.get(ref.kind, ref.namespace, ref.name);
    if (!w) continue;
    const group = groupForKind(w.kind);
    const health = workloadHealth(w);
    nodes.push({
      group,
      version: 'v1',
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
      uid: w.uid,
      resourceVersion: String(w.resourceVersion),
      createdAt: rfc3339(w.createdAt),
      ...(w.kind === 'CronJob' ? {} : { health: { status: health.status, ...(health.message ? { message: health.message } : {}) } }),
    });
    const parent = { group, kind: w.kind, namespace: w.namespace, name: w.name, uid: w.uid };
    if (w.kind === 'Deployment') {
      for (const hash of new Set(w.pods.map((p) => p.hash).concat(w.templateHash))) {
        const podsOfRs = w.pods.filter((p) => p.hash === hash);
        const ready = podsOfRs.filter((p) => p.ready && p.deletionAt === undefined).length;
        const want = hash === w.templateHash ? w.replicas : 0;
        nodes.push({
          group: 'apps',
          version: 'v1',
          kind: 'ReplicaSet',
          namespace: w.namespace,
          name: `${w.name}-${hash}`,
          uid: replicaSetUid(w, hash),
          parentRefs: [parent],
          info: [{ name: 'Revision', value: hash === w.templateHash ? `Rev:${w.generation}` : 'Rev:old' }],
          health: { status: ready >= want ? 'Healthy' : 'Progressing' },
        });
      }
    }
    for (const pod of w.pods) {
      const owner = ownerOf(w, pod);
      const ph = podHealth(pod);
      nodes.push({
        version: 'v1',
        kind: 'Pod',
        namespace: w.namespace,
        name: pod.name,
        uid: pod.uid,
        resourceVersion: String(pod.resourceVersion),
        createdAt: rfc3339(pod.createdAt),
        parentRefs: [{ group: 'apps', kind: owner.kind, namespace: w.namespace, name: owner.name, uid: owner.uid }],
        images: [...pod.template.initContainers, ...pod.template.containers].map((c) => c.image),
        health: { status: ph.status, ...(ph.message ? { message: ph.message } : {}) },
        info: [
          {
            name: 'Status Reason',
            value: pod.deletionAt !== undefined ? 'Terminating' : pod.ready ? 'Running' : (pod.waiting?.reason ?? 'Pending'),
          },
          { name: 'Containers', value: `${pod.ready ? pod.template.containers.length : 0}/${pod.template.containers.length}` },
        ],
      });
    }
  }
  return { nodes, orphanedNodes: [], hosts: [] };
}

export function managedResourcesJson(app: SimApp, cluster: Cluster): ManagedResourcesResponse {
  const keys = new Map<string, { kind: DesiredWorkload['kind']; namespace: string; name: string; desired?: DesiredWorkload }>();
  for (const d of app.target?.workloads ?? [])
    keys.set(workloadKey(d.kind, d.namespace, d.name), { kind: d.kind, namespace: d.namespace, name: d.name, desired: d });
  for (const [k, ref] of app.managed)
    if (!keys.has(k)) keys.set(k, { kind: ref.kind as DesiredWorkload['kind'], namespace: ref.namespace, name: ref.name });
  const items = [...keys.values()].map((r) => {
    const live = cluster.get(r.kind, r.namespace, r.name);
    const target = r.desired ? desiredJson(r.desired) : null;
    const liveJson = live ? workloadJson(live) : null;
    return {
      group: groupForKind(r.kind),
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      targetState: JSON.stringify(target),
      liveState: JSON.stringify(liveJson),
      normalizedLiveState: JSON.stringify(liveJson),
      predictedLiveState: JSON.stringify(target),
      modified: !(r.desired && isInSync(r.desired, live)),
    };
  });
  return { items };
}

/** The manifest Helm would render for a desired workload (Argo's targetState). */
function desiredJson(d: DesiredWorkload): Record<string, unknown> {
  const template = {
    metadata: {
      labels: { ...d.template.labels },
      ...(Object.keys(d.template.annotations).length ? { annotations: { ...d.template.annotations } } : {}),
    },
    spec: {
      ...(d.template.initContainers.length ? { initContainers: d.template.initContainers } : {}),
      containers: d.template.containers,
    },
  };
  const metadata = { name: d.name, namespace: d.namespace, labels: d.labels, annotations: d.annotations };
  switch (d.kind) {
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: { replicas: d.replicas, selector: { matchLabels: d.selector }, template },
      };
    case 'StatefulSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata,
        spec: { replicas: d.replicas, serviceName: d.name, selector: { matchLabels: d.selector }, template },
      };
    case 'DaemonSet':
      return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata, spec: { selector: { matchLabels: d.selector }, template } };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind: 'CronJob', metadata, spec: { schedule: d.schedule, jobTemplate: { spec: { template } } } };
    default: {
      const never: never = d.kind;
      throw new Error(`unknown kind ${String(never)}`);
    }
  }
}
