// The simulated cluster: live workloads and their pods, and the rollout controllers that replace pods
// one by one on the scheduler. Their Kubernetes JSON shapes (served by the Kubernetes API server and
// embedded in Argo's managed-resources) are in k8s-json.ts; their Argo health, computed with
// gitops-engine's rules, is in argo-health.ts.
import { createHash, randomUUID } from 'node:crypto';
import { type DesiredWorkload, type PodTemplate, type WorkloadKindValues, groupForKind, templateHash } from './chart.js';
import type { Scheduler } from './clock.js';
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
      .filter(
        (w) =>
          (filter.kind === undefined || w.kind === filter.kind) && (filter.namespace === undefined || w.namespace === filter.namespace),
      )
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
      JSON.stringify(existing.labels) !== JSON.stringify(d.labels) ||
      JSON.stringify(existing.annotations) !== JSON.stringify(d.annotations);
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
      w.kind === 'StatefulSet'
        ? `${w.name}-${ordinal ?? 0}`
        : w.kind === 'Deployment'
          ? `${w.name}-${w.templateHash}-${suffix(uid)}`
          : `${w.name}-${suffix(uid)}`;
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

  group(w: LiveWorkload): string {
    return groupForKind(w.kind);
  }
}

/** The pods that are not terminating, those of them at the current template, and the ready ones (status and health read these). */
export function podCounts(w: LiveWorkload): { active: LivePod[]; updated: LivePod[]; ready: LivePod[] } {
  const active = w.pods.filter((p) => p.deletionAt === undefined);
  const updated = active.filter((p) => p.hash === w.templateHash);
  const ready = active.filter((p) => p.ready);
  return { active, updated, ready };
}
