// The simulated cluster: live workloads and their pods, the rollout controllers that replace pods
// one by one on the scheduler, and the Kubernetes JSON shapes (apps/v1, core/v1) served by the
// Kubernetes API server and embedded in Argo's managed-resources. Argo health of each workload is
// computed here with gitops-engine's rules for Deployments, StatefulSets and DaemonSets.
import { createHash, randomUUID } from 'node:crypto';
import { type ContainerSpec, type DesiredWorkload, type PodTemplate, type WorkloadKindValues, groupForKind, imageIdFor, templateHash } from './chart.js';
import { rfc3339, type Scheduler } from './clock.js';
import type { FaultState } from './faults.js';
import type { Timing } from './timing.js';

export interface LivePod {
  uid: string;
  name: string;
  hash: string;
  ordinal?: number;
  template: PodTemplate;
  ready: boolean;
  waiting?: { reason: string; message: string };
  createdAt: number;
  deletionAt?: number;
  resourceVersion: number;
}

export interface LiveWorkload {
  uid: string;
  kind: WorkloadKindValues;
  namespace: string;
  name: string;
  generation: number;
  observedGeneration: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  selector: Record<string, string>;
  replicas: number;
  schedule?: string;
  template: PodTemplate;
  templateHash: string;
  /** StatefulSet: revision all pods were at when the last rollout completed. */
  currentRevisionHash: string;
  pods: LivePod[];
  createdAt: number;
  resourceVersion: number;
  progressDeadlineExceeded: boolean;
  /** Pending scheduler tasks of the running rollout. */
  cancels: (() => void)[];
}

export type ApplyResult = 'created' | 'configured' | 'unchanged';

export interface ArgoHealth {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message?: string;
}

const NODE = 'sim-node-1';

export function workloadKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function suffix(seed: string, len = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < len; i++) out += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return out;
}

export class Cluster {
  private readonly workloads = new Map<string, LiveWorkload>();
  private rv = 1000;
  /** Called after every live change (pods, status, spec); the Argo controller reacts to it. */
  onChange: (w: LiveWorkload) => void = () => {};

  constructor(
    private readonly sched: Scheduler,
    private readonly timing: () => Timing,
    private readonly faults: FaultState,
  ) {}

  nextResourceVersion(): number {
    return ++this.rv;
  }

  get(kind: string, namespace: string, name: string): LiveWorkload | undefined {
    return this.workloads.get(workloadKey(kind, namespace, name));
  }

  list(filter: { kind?: string; namespace?: string } = {}): LiveWorkload[] {
    return [...this.workloads.values()]
      .filter((w) => (filter.kind === undefined || w.kind === filter.kind) && (filter.namespace === undefined || w.namespace === filter.namespace))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  pods(namespace?: string): { workload: LiveWorkload; pod: LivePod }[] {
    return this.list({ namespace }).flatMap((w) => w.pods.map((pod) => ({ workload: w, pod })));
  }

  reset(): void {
    for (const w of this.workloads.values()) for (const c of w.cancels) c();
    this.workloads.clear();
  }

  /** Creates or updates a workload as `kubectl apply` would; a pod-spec change starts a rollout. */
  apply(d: DesiredWorkload): ApplyResult {
    const key = workloadKey(d.kind, d.namespace, d.name);
    const hash = templateHash(d.template);
    const existing = this.workloads.get(key);
    const now = this.sched.now();
    if (!existing) {
      const w: LiveWorkload = {
        uid: randomUUID(),
        kind: d.kind,
        namespace: d.namespace,
        name: d.name,
        generation: 1,
        observedGeneration: 0,
        labels: { ...d.labels },
        annotations: { ...d.annotations },
        selector: { ...d.selector },
        replicas: d.replicas,
        schedule: d.schedule,
        template: structuredClone(d.template),
        templateHash: hash,
        currentRevisionHash: hash,
        pods: [],
        createdAt: now,
        resourceVersion: this.nextResourceVersion(),
        progressDeadlineExceeded: false,
        cancels: [],
      };
      this.workloads.set(key, w);
      this.startRollout(w);
      this.onChange(w);
      return 'created';
    }
    const specChanged = existing.templateHash !== hash || existing.replicas !== d.replicas || existing.schedule !== d.schedule;
    const metaChanged =
      JSON.stringify(existing.labels) !== JSON.stringify(d.labels) || JSON.stringify(existing.annotations) !== JSON.stringify(d.annotations);
    if (!specChanged && !metaChanged) return 'unchanged';
    existing.labels = { ...d.labels };
    existing.annotations = { ...d.annotations };
    existing.resourceVersion = this.nextResourceVersion();
    if (specChanged) {
      existing.replicas = d.replicas;
      existing.schedule = d.schedule;
      existing.template = structuredClone(d.template);
      this.specChanged(existing);
    }
    this.onChange(existing);
    return 'configured';
  }

  delete(kind: string, namespace: string, name: string): boolean {
    const w = this.workloads.get(workloadKey(kind, namespace, name));
    if (!w) return false;
    for (const c of w.cancels) c();
    this.workloads.delete(workloadKey(kind, namespace, name));
    this.onChange(w);
    return true;
  }

  /** Out-of-band change, as `kubectl set image kind/name container=image` does. */
  setImage(kind: string, namespace: string, name: string, container: string, image: string): void {
    const w = this.get(kind, namespace, name);
    if (!w) throw new Error(`${kind} ${namespace}/${name} not found`);
    const c = [...w.template.containers, ...w.template.initContainers].find((x) => x.name === container);
    if (!c) throw new Error(`container ${container} not found in ${kind} ${namespace}/${name}`);
    c.image = image;
    w.resourceVersion = this.nextResourceVersion();
    this.specChanged(w);
    this.onChange(w);
  }

  /** Re-evaluates stuck pods after a workload fault was cleared. */
  faultCleared(namespace: string, name: string): void {
    for (const w of this.list({ namespace }).filter((x) => x.name === name)) {
      let changed = false;
      for (const p of w.pods) {
        if (!p.ready && p.deletionAt === undefined && p.hash === w.templateHash) {
          p.ready = true;
          p.waiting = undefined;
          p.resourceVersion = this.nextResourceVersion();
          changed = true;
        }
      }
      if (w.progressDeadlineExceeded) {
        w.progressDeadlineExceeded = false;
        changed = true;
      }
      if (changed) {
        this.touch(w);
        this.scheduleStep(w, 0);
      }
    }
  }

  private specChanged(w: LiveWorkload): void {
    w.generation += 1;
    w.templateHash = templateHash(w.template);
    w.progressDeadlineExceeded = false;
    this.startRollout(w);
  }

  private touch(w: LiveWorkload): void {
    w.resourceVersion = this.nextResourceVersion();
    this.onChange(w);
  }

  private podStepMs(w: LiveWorkload): number {
    const t = this.timing();
    if (t.podStepMs > 0) return t.podStepMs;
    return t.rolloutMs > 0 ? Math.round(t.rolloutMs / Math.max(1, w.replicas)) : 0;
  }

  private later(w: LiveWorkload, delayMs: number, fn: () => void): void {
    const cancel = this.sched.schedule(delayMs, () => {
      w.cancels = w.cancels.filter((c) => c !== cancel);
      if (this.workloads.get(workloadKey(w.kind, w.namespace, w.name)) !== w) return;
      fn();
    });
    w.cancels.push(cancel);
  }

  private startRollout(w: LiveWorkload): void {
    for (const c of w.cancels) c();
    w.cancels = [];
    const generation = w.generation;
    this.later(w, this.timing().observeMs, () => {
      w.observedGeneration = generation;
      this.touch(w);
      this.scheduleStep(w, 0);
    });
  }

  private scheduleStep(w: LiveWorkload, delayMs: number): void {
    this.later(w, delayMs, () => this.step(w));
  }

  private active(w: LiveWorkload): LivePod[] {
    return w.pods.filter((p) => p.deletionAt === undefined);
  }

  /** One controller step: at most one pod created and one pod terminated. */
  private step(w: LiveWorkload): void {
    if (w.kind === 'CronJob') return;
    const active = this.active(w);
    const isNew = (p: LivePod) => p.hash === w.templateHash;
    // A new pod that never became ready (fault) blocks the rollout, like maxUnavailable would.
    if (active.some((p) => isNew(p) && !p.ready)) return;
    const fresh = active.filter(isNew);
    const old = active.filter((p) => !isNew(p));
    let progressed = true;
    if (w.kind === 'Deployment') {
      if (fresh.length < w.replicas) {
        const pod = this.createPod(w);
        if (pod.ready && old[0] && fresh.length + 1 + old.length > w.replicas) this.terminate(w, old[0]);
      } else if (old[0]) this.terminate(w, old[0]);
      else if (fresh.length > w.replicas) this.terminate(w, fresh[fresh.length - 1] as LivePod);
      else progressed = false;
    } else if (w.kind === 'StatefulSet') {
      const byOrdinalDesc = [...active].sort((a, b) => (b.ordinal ?? 0) - (a.ordinal ?? 0));
      const extra = byOrdinalDesc.find((p) => (p.ordinal ?? 0) >= w.replicas);
      const missing = [...Array(w.replicas).keys()].find((i) => !active.some((p) => p.ordinal === i));
      const stale = byOrdinalDesc.find((p) => !isNew(p));
      if (extra) this.remove(w, extra);
      else if (missing !== undefined) this.createPod(w, missing);
      else if (stale) {
        this.remove(w, stale);
        this.createPod(w, stale.ordinal);
      } else {
        progressed = w.currentRevisionHash !== w.templateHash;
        w.currentRevisionHash = w.templateHash;
      }
    } else {
      if (old[0]) {
        this.terminate(w, old[0]);
        this.createPod(w);
      } else if (fresh.length === 0) this.createPod(w);
      else progressed = false;
    }
    if (!progressed) return;
    this.touch(w);
    this.scheduleStep(w, this.podStepMs(w));
  }

  private createPod(w: LiveWorkload, ordinal?: number): LivePod {
    const now = this.sched.now();
    const uid = randomUUID();
    const name =
      w.kind === 'StatefulSet' ? `${w.name}-${ordinal ?? 0}` : w.kind === 'Deployment' ? `${w.name}-${w.templateHash}-${suffix(uid)}` : `${w.name}-${suffix(uid)}`;
    const mode = this.faults.workloadMode(w.namespace, w.name);
    const image = w.template.containers[0]?.image ?? '';
    const pod: LivePod = {
      uid,
      name,
      hash: w.templateHash,
      ordinal,
      template: structuredClone(w.template),
      ready: mode === undefined,
      waiting:
        mode === 'degraded'
          ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` }
          : mode === 'progressing'
            ? { reason: 'ContainerCreating', message: '' }
            : undefined,
      createdAt: now,
      resourceVersion: this.nextResourceVersion(),
    };
    w.pods.push(pod);
    if (mode === 'degraded' && w.kind === 'Deployment') {
      this.later(w, this.timing().progressDeadlineMs, () => {
        if (!pod.ready && w.pods.includes(pod)) {
          w.progressDeadlineExceeded = true;
          this.touch(w);
        }
      });
    }
    return pod;
  }

  private terminate(w: LiveWorkload, pod: LivePod): void {
    pod.deletionAt = this.sched.now();
    pod.resourceVersion = this.nextResourceVersion();
    this.later(w, this.timing().terminationMs, () => {
      w.pods = w.pods.filter((p) => p !== pod);
      this.touch(w);
    });
  }

  private remove(w: LiveWorkload, pod: LivePod): void {
    w.pods = w.pods.filter((p) => p !== pod);
  }

  // ---- Kubernetes JSON -------------------------------------------------------------------------

  private podLabels(w: LiveWorkload, pod: LivePod): Record<string, string> {
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

  ownerOf(w: LiveWorkload, pod: LivePod): { apiVersion: string; kind: string; name: string; uid: string } {
    if (w.kind === 'Deployment') return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${w.name}-${pod.hash}`, uid: replicaSetUid(w, pod.hash) };
    return { apiVersion: 'apps/v1', kind: w.kind, name: w.name, uid: w.uid };
  }

  podJson(w: LiveWorkload, pod: LivePod, withKind = true): Record<string, unknown> {
    const started = rfc3339(pod.createdAt);
    const containerStatus = (c: ContainerSpec) => ({
      name: c.name,
      image: c.image,
      imageID: pod.waiting ? '' : imageIdFor(c.image),
      ready: pod.ready,
      started: pod.ready,
      restartCount: 0,
      state: pod.waiting ? { waiting: pod.waiting.message ? pod.waiting : { reason: pod.waiting.reason } } : { running: { startedAt: started } },
    });
    const owner = this.ownerOf(w, pod);
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
        labels: this.podLabels(w, pod),
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

  private counts(w: LiveWorkload) {
    const active = this.active(w);
    const updated = active.filter((p) => p.hash === w.templateHash);
    const ready = active.filter((p) => p.ready);
    return { active, updated, ready };
  }

  workloadJson(w: LiveWorkload, withKind = true): Record<string, unknown> {
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
      metadata: { labels: { ...w.template.labels }, ...(Object.keys(w.template.annotations).length ? { annotations: { ...w.template.annotations } } : {}) },
      spec: {
        ...(w.template.initContainers.length > 0 ? { initContainers: w.template.initContainers.map((c) => ({ ...c })) } : {}),
        containers: w.template.containers.map((c) => ({ ...c })),
        restartPolicy: w.kind === 'CronJob' ? 'OnFailure' : 'Always',
      },
    };
    const head = (kind: string, apiVersion: string) => (withKind ? { kind, apiVersion } : {});
    const { active, updated, ready } = this.counts(w);
    switch (w.kind) {
      case 'Deployment': {
        const complete = w.observedGeneration >= w.generation && updated.length === w.replicas && active.length === w.replicas && ready.length === w.replicas;
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
                ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }
                : complete
                  ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }
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
          spec: { selector: { matchLabels: { ...w.selector } }, template: podTemplate, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } },
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
          spec: { schedule: w.schedule ?? '0 * * * *', jobTemplate: { spec: { template: podTemplate } }, concurrencyPolicy: 'Allow', suspend: false },
          status: {},
        };
      default: {
        const never: never = w.kind;
        throw new Error(`unknown kind ${String(never)}`);
      }
    }
  }

  /** Argo CD health of a live workload, after gitops-engine's health checks. */
  health(w: LiveWorkload | undefined): ArgoHealth {
    if (!w) return { status: 'Missing' };
    const { active, updated, ready } = this.counts(w);
    switch (w.kind) {
      case 'Deployment':
        if (w.generation > w.observedGeneration) {
          return { status: 'Progressing', message: 'Waiting for rollout to finish: observed deployment generation less than desired generation' };
        }
        if (w.progressDeadlineExceeded) return { status: 'Degraded', message: `Deployment "${w.name}" exceeded its progress deadline` };
        if (updated.length < w.replicas) {
          return { status: 'Progressing', message: `Waiting for rollout to finish: ${updated.length} out of ${w.replicas} new replicas have been updated...` };
        }
        if (active.length > updated.length) {
          return { status: 'Progressing', message: `Waiting for rollout to finish: ${active.length - updated.length} old replicas are pending termination...` };
        }
        if (ready.length < updated.length) {
          return { status: 'Progressing', message: `Waiting for rollout to finish: ${ready.length} of ${updated.length} updated replicas are available...` };
        }
        return { status: 'Healthy' };
      case 'StatefulSet':
        if (w.observedGeneration === 0 || w.generation > w.observedGeneration) {
          return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
        }
        if (ready.length < w.replicas) return { status: 'Progressing', message: `Waiting for ${w.replicas - ready.length} pods to be ready...` };
        if (w.currentRevisionHash !== w.templateHash) {
          return { status: 'Progressing', message: `waiting for statefulset rolling update to complete ${updated.length} pods at revision ${w.name}-${w.templateHash}...` };
        }
        return { status: 'Healthy', message: `statefulset rolling update complete ${w.replicas} pods at revision ${w.name}-${w.templateHash}...` };
      case 'DaemonSet':
        if (w.generation > w.observedGeneration) {
          return { status: 'Progressing', message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation' };
        }
        if (updated.length < 1 || active.length > updated.length) {
          return { status: 'Progressing', message: `Waiting for daemon set "${w.name}" rollout to finish: ${updated.length} out of 1 new pods have been updated...` };
        }
        if (ready.length < 1) return { status: 'Progressing', message: `Waiting for daemon set "${w.name}" rollout to finish: ${ready.length} of 1 updated pods are available...` };
        return { status: 'Healthy' };
      case 'CronJob':
        return { status: 'Healthy' };
      default: {
        const never: never = w.kind;
        throw new Error(`unknown kind ${String(never)}`);
      }
    }
  }

  /** Argo health of a pod node in the resource tree. */
  podHealth(pod: LivePod): ArgoHealth {
    if (pod.ready) return { status: 'Healthy' };
    if (pod.waiting?.reason === 'ImagePullBackOff') return { status: 'Degraded', message: pod.waiting.message };
    return { status: 'Progressing' };
  }

  group(w: LiveWorkload): string {
    return groupForKind(w.kind);
  }
}

export function replicaSetUid(w: LiveWorkload, hash: string): string {
  const h = createHash('sha256').update(`${w.uid}/${hash}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
