// Kubernetes JSON shapes (apps/v1, batch/v1, core/v1) of the simulated cluster's live workloads and pods:
// what the Kubernetes API server serves and what Argo's managed-resources embed as live state.
// Pure views of the live state in cluster.ts; ReplicaSets exist only here, derived from the pods' hashes.
import { createHash } from 'node:crypto';
import { type ContainerSpec, imageIdFor } from './chart.js';
import { rfc3339 } from './clock.js';
import { type LivePod, type LiveWorkload, podCounts } from './cluster.js';

const NODE = 'sim-node-1';

function podLabels(w: LiveWorkload, pod: LivePod): Record<string, string> {
  const labels = { ...pod.template.labels };
  if (w.kind === 'Deployment') labels['pod-template-hash'] = pod.hash;
  if (w.kind === 'StatefulSet') {
    labels['controller-revision-hash'] = `${w.name}-${pod.hash}`;
    labels['statefulset.kubernetes.io/pod-name'] = pod.name;
  }
  if (w.kind === 'DaemonSet') {
    labels['controller-revision-hash'] = pod.hash;
    labels['pod-template-generation'] = String(w.generation);
  }
  return labels;
}

export function ownerOf(w: LiveWorkload, pod: LivePod): { apiVersion: string; kind: string; name: string; uid: string } {
  if (w.kind === 'Deployment')
    return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${w.name}-${pod.hash}`, uid: replicaSetUid(w, pod.hash) };
  return { apiVersion: 'apps/v1', kind: w.kind, name: w.name, uid: w.uid };
}

export function podJson(w: LiveWorkload, pod: LivePod, withKind = true): Record<string, unknown> {
  const started = rfc3339(pod.createdAt);
  const containerStatus = (c: ContainerSpec) => ({
    name: c.name,
    image: c.image,
    imageID: pod.waiting ? '' : imageIdFor(c.image),
    ready: pod.ready,
    started: pod.ready,
    restartCount: 0,
    state: pod.waiting
      ? { waiting: pod.waiting.message ? pod.waiting : { reason: pod.waiting.reason } }
      : { running: { startedAt: started } },
  });
  const owner = ownerOf(w, pod);
  return {
    ...(withKind ? { kind: 'Pod', apiVersion: 'v1' } : {}),
    metadata: {
      name: pod.name,
      ...(w.kind === 'StatefulSet' ? {} : { generateName: pod.name.slice(0, pod.name.lastIndexOf('-') + 1) }),
      namespace: w.namespace,
      uid: pod.uid,
      resourceVersion: String(pod.resourceVersion),
      creationTimestamp: started,
      ...(pod.deletionAt !== undefined ? { deletionTimestamp: rfc3339(pod.deletionAt + 30_000), deletionGracePeriodSeconds: 30 } : {}),
      labels: podLabels(w, pod),
      ...(Object.keys(pod.template.annotations).length > 0 ? { annotations: { ...pod.template.annotations } } : {}),
      ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...(pod.template.initContainers.length > 0 ? { initContainers: pod.template.initContainers.map((c) => ({ ...c })) } : {}),
      containers: pod.template.containers.map((c) => ({ ...c })),
      nodeName: NODE,
      restartPolicy: 'Always',
    },
    status: {
      phase: pod.ready ? 'Running' : 'Pending',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: pod.ready ? 'True' : 'False', ...(pod.ready ? {} : { reason: 'ContainersNotReady' }) },
        { type: 'ContainersReady', status: pod.ready ? 'True' : 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
      hostIP: '10.0.0.1',
      podIP: `10.244.0.${(pod.resourceVersion % 250) + 2}`,
      startTime: started,
      ...(pod.template.initContainers.length > 0
        ? {
            initContainerStatuses: pod.template.initContainers.map((c) => ({
              name: c.name,
              image: c.image,
              imageID: imageIdFor(c.image),
              ready: true,
              restartCount: 0,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            })),
          }
        : {}),
      containerStatuses: pod.template.containers.map(containerStatus),
      qosClass: 'BestEffort',
    },
  };
}

export function workloadJson(w: LiveWorkload, withKind = true): Record<string, unknown> {
  const omitZero = (o: Record<string, number | string | undefined | unknown[]>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== undefined));
  const metadata = {
    name: w.name,
    namespace: w.namespace,
    uid: w.uid,
    resourceVersion: String(w.resourceVersion),
    generation: w.generation,
    creationTimestamp: rfc3339(w.createdAt),
    labels: { ...w.labels },
    annotations: { ...w.annotations },
  };
  const podTemplate = {
    metadata: {
      labels: { ...w.template.labels },
      ...(Object.keys(w.template.annotations).length ? { annotations: { ...w.template.annotations } } : {}),
    },
    spec: {
      ...(w.template.initContainers.length > 0 ? { initContainers: w.template.initContainers.map((c) => ({ ...c })) } : {}),
      containers: w.template.containers.map((c) => ({ ...c })),
      restartPolicy: w.kind === 'CronJob' ? 'OnFailure' : 'Always',
    },
  };
  const head = (kind: string, apiVersion: string) => (withKind ? { kind, apiVersion } : {});
  const { active, updated, ready } = podCounts(w);
  switch (w.kind) {
    case 'Deployment': {
      const complete =
        w.observedGeneration >= w.generation &&
        updated.length === w.replicas &&
        active.length === w.replicas &&
        ready.length === w.replicas;
      const rsName = `${w.name}-${w.templateHash}`;
      return {
        ...head('Deployment', 'apps/v1'),
        metadata: { ...metadata, annotations: { ...metadata.annotations, 'deployment.kubernetes.io/revision': String(w.generation) } },
        spec: {
          replicas: w.replicas,
          selector: { matchLabels: { ...w.selector } },
          template: podTemplate,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
        status: {
          ...omitZero({
            observedGeneration: w.observedGeneration,
            replicas: active.length,
            updatedReplicas: updated.length,
            readyReplicas: ready.length,
            availableReplicas: ready.length,
            unavailableReplicas: Math.max(0, w.replicas - ready.length),
          }),
          conditions: [
            {
              type: 'Available',
              status: ready.length >= w.replicas - Math.floor(w.replicas / 4) ? 'True' : 'False',
              reason: ready.length >= w.replicas - Math.floor(w.replicas / 4) ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
              message: 'Deployment has minimum availability.',
            },
            w.progressDeadlineExceeded
              ? {
                  type: 'Progressing',
                  status: 'False',
                  reason: 'ProgressDeadlineExceeded',
                  message: `ReplicaSet "${rsName}" has timed out progressing.`,
                }
              : complete
                ? {
                    type: 'Progressing',
                    status: 'True',
                    reason: 'NewReplicaSetAvailable',
                    message: `ReplicaSet "${rsName}" has successfully progressed.`,
                  }
                : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` },
          ],
        },
      };
    }
    case 'StatefulSet': {
      const current = active.filter((p) => p.hash === w.currentRevisionHash);
      return {
        ...head('StatefulSet', 'apps/v1'),
        metadata,
        spec: {
          replicas: w.replicas,
          selector: { matchLabels: { ...w.selector } },
          serviceName: w.name,
          template: podTemplate,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          podManagementPolicy: 'OrderedReady',
        },
        status: {
          ...omitZero({
            observedGeneration: w.observedGeneration,
            replicas: active.length,
            readyReplicas: ready.length,
            availableReplicas: ready.length,
            currentReplicas: current.length,
            updatedReplicas: updated.length,
          }),
          currentRevision: `${w.name}-${w.currentRevisionHash}`,
          updateRevision: `${w.name}-${w.templateHash}`,
          collisionCount: 0,
        },
      };
    }
    case 'DaemonSet':
      return {
        ...head('DaemonSet', 'apps/v1'),
        metadata,
        spec: {
          selector: { matchLabels: { ...w.selector } },
          template: podTemplate,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        },
        status: {
          currentNumberScheduled: active.length,
          desiredNumberScheduled: 1,
          numberMisscheduled: 0,
          numberReady: ready.length,
          ...omitZero({
            observedGeneration: w.observedGeneration,
            updatedNumberScheduled: updated.length,
            numberAvailable: ready.length,
            numberUnavailable: Math.max(0, 1 - ready.length),
          }),
        },
      };
    case 'CronJob':
      return {
        ...head('CronJob', 'batch/v1'),
        metadata,
        spec: {
          schedule: w.schedule ?? '0 * * * *',
          jobTemplate: { spec: { template: podTemplate } },
          concurrencyPolicy: 'Allow',
          suspend: false,
        },
        status: {},
      };
    default: {
      const never: never = w.kind;
      throw new Error(`unknown kind ${String(never)}`);
    }
  }
}

export function replicaSetUid(w: LiveWorkload, hash: string): string {
  const h = createHash('sha256').update(`${w.uid}/${hash}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
