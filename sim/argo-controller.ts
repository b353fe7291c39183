// The simulated Argo CD application controller and API semantics: Applications read their source
// from real Git (GitSource), render it with the chart convention, compare with the live cluster,
// and run sync operations the way Argo does (operation → Running with syncResult.revision →
// apply → Succeeded/Failed, history, then a lagging reconcile for health). HTTP lives in
// argo-server.ts; this module throws ArgoApiError with Argo's status, grpc code and message.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type {
  Application,
  ApplicationCondition,
  ApplicationTree,
  HealthStatusCode,
  Info,
  ManagedResourcesResponse,
  Operation,
  OperationInitiator,
  OperationState,
  ResourceNode,
  ResourceResult,
  ResourceStatus,
  RevisionHistory,
} from '../integrations/argocd-schema.js';
import { type DesiredWorkload, groupForKind, parseValues, RenderError, renderWorkloads, templateHash } from './chart.js';
import { rfc3339, type Scheduler } from './clock.js';
import { type ArgoHealth, type Cluster, type LiveWorkload, replicaSetUid, workloadKey } from './cluster.js';
import type { FaultState } from './faults.js';
import { type GitSource, RevisionError } from './git-source.js';
import { matches, parseSelector } from './label-selector.js';
import type { Timing } from './timing.js';

export interface AppSpec {
  name: string;
  project?: string;
  /** Path or file:// URL of a Git repository (bare or not). */
  repoURL: string;
  /** Directory of the app inside the repo, e.g. `environments/dev/core`. */
  path: string;
  /** Branch, tag or SHA; default `main`. */
  targetRevision?: string;
  /** Helm value files, relative to `path`; default `['values.yaml']`. */
  valueFiles?: string[];
  /** Destination namespace. */
  namespace: string;
  /** Auto-sync (syncPolicy.automated) on or off. */
  automated?: boolean;
  labels?: Record<string, string>;
}

export class ArgoApiError extends Error {
  override readonly name = 'ArgoApiError';
  constructor(
    readonly httpStatus: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface Rendered {
  sha: string;
  workloads: DesiredWorkload[];
}

interface SimApp {
  spec: Required<Omit<AppSpec, 'labels'>> & { labels: Record<string, string> };
  uid: string;
  createdAt: number;
  resourceVersion: number;
  generation: number;
  annotations: Record<string, string>;
  operation: Operation | null;
  operationState: OperationState | undefined;
  history: RevisionHistory[];
  reconciledAt: number | undefined;
  sync: { status: 'Synced' | 'OutOfSync' | 'Unknown'; revision?: string };
  health: ArgoHealth;
  resources: ResourceStatus[];
  conditions: ApplicationCondition[];
  images: string[];
  target: Rendered | undefined;
  /** Live objects this app has applied (for pruning and reconcile triggers). */
  managed: Map<string, { kind: string; namespace: string; name: string }>;
  opCancels: (() => void)[];
  release: (() => void) | undefined;
  reconcileScheduled: boolean;
  lastAutoSyncedSha: string | undefined;
}

const HEALTH_ORDER: HealthStatusCode[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];
const DEST_SERVER = 'https://kubernetes.default.svc';
const ARGO_NAMESPACE = 'argocd';

export interface SyncRequest {
  revision?: string;
  prune?: boolean;
  dryRun?: boolean;
  syncOptions?: { items?: string[] };
  infos?: Info[];
}

export class ArgoController {
  private apps = new Map<string, SimApp>();

  constructor(
    private readonly sched: Scheduler,
    private readonly timing: () => Timing,
    private readonly cluster: Cluster,
    private readonly git: GitSource,
    private readonly faults: FaultState,
  ) {
    cluster.onChange = (w) => this.liveChanged(w);
  }

  reset(): void {
    for (const app of this.apps.values()) for (const c of app.opCancels) c();
    this.apps.clear();
  }

  names(): string[] {
    return [...this.apps.keys()];
  }

  async addApplication(spec: AppSpec): Promise<void> {
    if (this.apps.has(spec.name)) throw new Error(`application ${spec.name} already exists`);
    const app: SimApp = {
      spec: {
        name: spec.name,
        project: spec.project ?? 'default',
        repoURL: spec.repoURL,
        path: spec.path,
        targetRevision: spec.targetRevision ?? 'main',
        valueFiles: spec.valueFiles ?? ['values.yaml'],
        namespace: spec.namespace,
        automated: spec.automated ?? false,
        labels: spec.labels ?? {},
      },
      uid: randomUUID(),
      createdAt: this.sched.now(),
      resourceVersion: this.cluster.nextResourceVersion(),
      generation: 1,
      annotations: {},
      operation: null,
      operationState: undefined,
      history: [],
      reconciledAt: undefined,
      sync: { status: 'Unknown' },
      health: { status: 'Missing' },
      resources: [],
      conditions: [],
      images: [],
      target: undefined,
      managed: new Map(),
      opCancels: [],
      release: undefined,
      reconcileScheduled: false,
      lastAutoSyncedSha: undefined,
    };
    this.apps.set(spec.name, app);
    await this.refresh(app);
  }

  setAutomated(name: string, automated: boolean): void {
    const app = this.require(name);
    app.spec.automated = automated;
    this.bump(app);
  }

  // ---- lookups with Argo's RBAC semantics ------------------------------------------------------

  /** A missing app is 403 without `project` (existence must not leak) and 404 with it. */
  lookup(name: string, project?: string): SimApp {
    const app = this.apps.get(name);
    if (project) {
      if (!app || app.spec.project !== project) throw new ArgoApiError(404, 5, `applications.argoproj.io "${name}" not found`);
      return app;
    }
    if (!app) throw new ArgoApiError(403, 7, 'permission denied');
    return app;
  }

  private require(name: string): SimApp {
    const app = this.apps.get(name);
    if (!app) throw new Error(`application ${name} not found`);
    return app;
  }

  // ---- refresh / reconcile ---------------------------------------------------------------------

  private async render(app: SimApp, sha: string): Promise<DesiredWorkload[]> {
    const files: { name: string; text: string }[] = [];
    for (const vf of app.spec.valueFiles) {
      const file = path.posix.join(app.spec.path, vf);
      const text = await this.git.readFile(app.spec.repoURL, sha, file);
      if (text === undefined) throw new RenderError(`Error: open ${file}: no such file or directory`);
      files.push({ name: file, text });
    }
    return renderWorkloads(parseValues(files), { app: app.spec.name, namespace: app.spec.namespace });
  }

  private async fetchTarget(app: SimApp): Promise<Rendered> {
    const sha = await this.git.resolve(app.spec.repoURL, app.spec.targetRevision);
    return { sha, workloads: await this.render(app, sha) };
  }

  /** GET ?refresh: fetch Git, re-render the target revision, reconcile; resolves when reconciled. */
  async refresh(app: SimApp, hard = false): Promise<void> {
    app.annotations['argocd.argoproj.io/refresh'] = hard ? 'hard' : 'normal';
    try {
      app.target = await this.fetchTarget(app);
      app.conditions = app.conditions.filter((c) => c.type !== 'ComparisonError');
    } catch (err) {
      if (!(err instanceof RevisionError || err instanceof RenderError)) throw err;
      app.conditions = [
        ...app.conditions.filter((c) => c.type !== 'ComparisonError'),
        { type: 'ComparisonError', message: `Failed to load target state: ${err.message}`, lastTransitionTime: rfc3339(this.sched.now()) },
      ];
      app.target = undefined;
    } finally {
      delete app.annotations['argocd.argoproj.io/refresh'];
    }
    this.reconcileNow(app);
    this.maybeAutoSync(app);
  }

  private maybeAutoSync(app: SimApp): void {
    if (!app.spec.automated || app.operation || !app.target || app.sync.status !== 'OutOfSync') return;
    if (app.lastAutoSyncedSha === app.target.sha) return;
    app.lastAutoSyncedSha = app.target.sha;
    this.startOperation(app, {
      rendered: app.target,
      initiatedBy: { automated: true },
      info: [],
      prune: true,
      syncOptions: [],
      dryRun: false,
    });
  }

  private liveChanged(w: LiveWorkload): void {
    const key = workloadKey(w.kind, w.namespace, w.name);
    for (const app of this.apps.values()) {
      if (app.managed.has(key) || app.target?.workloads.some((d) => workloadKey(d.kind, d.namespace, d.name) === key)) {
        this.scheduleReconcile(app);
      }
    }
  }

  private scheduleReconcile(app: SimApp): void {
    if (app.reconcileScheduled) return;
    app.reconcileScheduled = true;
    this.sched.schedule(this.timing().healthLagMs, () => {
      app.reconcileScheduled = false;
      if (this.apps.get(app.spec.name) === app) this.reconcileNow(app);
    });
  }

  private bump(app: SimApp): void {
    app.resourceVersion = this.cluster.nextResourceVersion();
  }

  private isInSync(d: DesiredWorkload, live: LiveWorkload | undefined): boolean {
    return (
      live !== undefined &&
      live.templateHash === templateHash(d.template) &&
      live.replicas === d.replicas &&
      JSON.stringify(live.labels) === JSON.stringify(d.labels) &&
      JSON.stringify(live.annotations) === JSON.stringify(d.annotations)
    );
  }

  /** Compare target with live: sync status, per-resource health, app health, images, reconciledAt. */
  reconcileNow(app: SimApp): void {
    const resources: ResourceStatus[] = [];
    const healths: HealthStatusCode[] = [];
    const images = new Set<string>();
    let outOfSync = false;
    const desired = app.target?.workloads ?? [];
    const desiredKeys = new Set(desired.map((d) => workloadKey(d.kind, d.namespace, d.name)));
    for (const d of desired) {
      const live = this.cluster.get(d.kind, d.namespace, d.name);
      const synced = this.isInSync(d, live);
      if (!synced) outOfSync = true;
      const health = d.kind === 'CronJob' && live ? undefined : this.cluster.health(live);
      if (health) healths.push(health.status);
      resources.push({
        group: groupForKind(d.kind),
        version: 'v1',
        kind: d.kind,
        namespace: d.namespace,
        name: d.name,
        status: synced ? 'Synced' : 'OutOfSync',
        ...(health ? { health: { status: health.status, ...(health.message ? { message: health.message } : {}) } } : {}),
      });
    }
    for (const [key, ref] of app.managed) {
      const live = this.cluster.get(ref.kind, ref.namespace, ref.name);
      if (!live) {
        if (!desiredKeys.has(key)) app.managed.delete(key);
        continue;
      }
      for (const p of live.pods) for (const c of [...p.template.initContainers, ...p.template.containers]) images.add(c.image);
      if (desiredKeys.has(key)) continue;
      outOfSync = true;
      const health = this.cluster.health(live);
      healths.push(health.status);
      resources.push({
        group: groupForKind(live.kind),
        version: 'v1',
        kind: live.kind,
        namespace: live.namespace,
        name: live.name,
        status: 'OutOfSync',
        requiresPruning: true,
        health: { status: health.status, ...(health.message ? { message: health.message } : {}) },
      });
    }
    app.resources = resources;
    app.images = [...images].sort();
    if (!app.target) app.sync = { status: 'Unknown', revision: app.sync.revision };
    else app.sync = { status: outOfSync ? 'OutOfSync' : 'Synced', revision: app.target.sha };
    const worst = healths.reduce<HealthStatusCode>((acc, h) => (HEALTH_ORDER.indexOf(h) > HEALTH_ORDER.indexOf(acc) ? h : acc), 'Healthy');
    app.health = { status: worst };
    app.reconciledAt = this.sched.now();
    this.bump(app);
  }

  // ---- operations ------------------------------------------------------------------------------

  async sync(name: string, req: SyncRequest, username: string, project?: string): Promise<Application> {
    const app = this.lookup(name, project);
    const requested = req.revision ?? '';
    const target = app.spec.targetRevision;
    if (app.spec.automated && requested !== '' && requested !== target) {
      throw new ArgoApiError(400, 3, `Cannot sync to ${requested}: auto-sync currently set to ${target}`);
    }
    if (this.faults.syncBlocked(name)) throw new ArgoApiError(403, 7, 'cannot sync: blocked by sync window');
    let rendered: Rendered;
    try {
      const sha = await this.git.resolve(app.spec.repoURL, requested === '' ? target : requested);
      rendered = { sha, workloads: await this.render(app, sha) };
      // Argo fetches the target too; keep the comparison target current.
      app.target = requested === '' || requested === target ? rendered : await this.fetchTarget(app).catch(() => app.target);
    } catch (err) {
      if (err instanceof RevisionError) throw new ArgoApiError(400, 3, `error resolving repo revision: ${err.message}`);
      if (err instanceof RenderError) throw new ArgoApiError(400, 3, `error rendering manifests: ${err.message}`);
      throw err;
    }
    if (app.operation) throw new ArgoApiError(400, 9, 'another operation is already in progress');
    this.startOperation(app, {
      rendered,
      initiatedBy: { username },
      info: req.infos ?? [],
      prune: req.prune ?? false,
      syncOptions: req.syncOptions?.items ?? [],
      dryRun: req.dryRun ?? false,
    });
    return this.toJson(app);
  }

  /** Someone else's operation (another user or auto-sync); `hold` keeps it Running until released. */
  async foreignOperation(name: string, opts: { username?: string; automated?: boolean; hold?: boolean }): Promise<void> {
    const app = this.require(name);
    if (app.operation) throw new ArgoApiError(400, 9, 'another operation is already in progress');
    const rendered = await this.fetchTarget(app);
    app.target = rendered;
    this.startOperation(app, {
      rendered,
      initiatedBy: opts.automated ? { automated: true } : { username: opts.username ?? 'alice' },
      info: [],
      prune: true,
      syncOptions: [],
      dryRun: false,
      hold: opts.hold ?? true,
    });
  }

  /** Lets a held (foreign) operation continue to apply and finish. */
  releaseOperation(name: string): void {
    const app = this.apps.get(name);
    const release = app?.release;
    if (app && release) {
      app.release = undefined;
      release();
    }
  }

  releaseAll(): void {
    for (const name of this.apps.keys()) this.releaseOperation(name);
  }

  private startOperation(
    app: SimApp,
    o: { rendered: Rendered; initiatedBy: OperationInitiator; info: Info[]; prune: boolean; syncOptions: string[]; dryRun: boolean; hold?: boolean },
  ): void {
    const operation: Operation = {
      sync: {
        revision: o.rendered.sha,
        prune: o.prune,
        ...(o.dryRun ? { dryRun: true } : {}),
        ...(o.syncOptions.length > 0 ? { syncOptions: [...o.syncOptions] } : {}),
      },
      initiatedBy: o.initiatedBy,
      ...(o.info.length > 0 ? { info: o.info.map((i) => ({ name: i.name, value: i.value })) } : {}),
      retry: {},
    };
    app.operation = operation;
    app.operationState = undefined;
    this.bump(app);
    const t = this.timing();
    const later = (delay: number, fn: () => void) => {
      const cancel = this.sched.schedule(delay, () => {
        app.opCancels = app.opCancels.filter((c) => c !== cancel);
        fn();
      });
      app.opCancels.push(cancel);
    };
    later(t.operationStartMs, () => {
      app.operationState = {
        operation: structuredClone(operation),
        phase: 'Running',
        message: 'one or more tasks are running',
        startedAt: rfc3339(this.sched.now()),
        syncResult: { revision: o.rendered.sha, source: this.sourceJson(app) },
      };
      this.bump(app);
      const apply = () => later(this.timing().applyMs, () => this.applyOperation(app, o.rendered, o.prune, o.dryRun));
      if (o.hold) app.release = apply;
      else apply();
    });
  }

  private applyOperation(app: SimApp, rendered: Rendered, prune: boolean, dryRun: boolean): void {
    const state = app.operationState;
    if (!state || state.phase !== 'Running') return;
    const now = rfc3339(this.sched.now());
    const failure = dryRun ? undefined : this.faults.takeSyncFailure();
    const results: ResourceResult[] = [];
    if (failure) {
      for (const d of rendered.workloads) {
        results.push({
          ...this.resultRef(d),
          status: 'SyncFailed',
          message: failure.message,
          hookPhase: 'Failed',
          syncPhase: 'Sync',
          images: d.template.containers.map((c) => c.image),
        });
      }
      state.phase = failure.phase;
      state.message = failure.phase === 'Failed' ? `one or more objects failed to apply, reason: ${failure.message}` : failure.message;
    } else {
      for (const d of rendered.workloads) {
        const verb = dryRun ? 'configured (dry run)' : this.cluster.apply(d);
        if (!dryRun) app.managed.set(workloadKey(d.kind, d.namespace, d.name), { kind: d.kind, namespace: d.namespace, name: d.name });
        results.push({
          ...this.resultRef(d),
          status: 'Synced',
          message: `${d.kind.toLowerCase()}.${groupForKind(d.kind)}/${d.name} ${verb}`,
          hookPhase: 'Running',
          syncPhase: 'Sync',
          images: d.template.containers.map((c) => c.image),
        });
      }
      const keep = new Set(rendered.workloads.map((d) => workloadKey(d.kind, d.namespace, d.name)));
      for (const [key, ref] of [...app.managed]) {
        if (keep.has(key)) continue;
        const base = { group: groupForKind(ref.kind as DesiredWorkload['kind']), version: 'v1', kind: ref.kind, namespace: ref.namespace, name: ref.name };
        if (prune && !dryRun) {
          this.cluster.delete(ref.kind, ref.namespace, ref.name);
          app.managed.delete(key);
          results.push({ ...base, status: 'Pruned', message: 'pruned', syncPhase: 'Sync' });
        } else {
          results.push({ ...base, status: 'PruneSkipped', message: 'ignored (requires pruning)', syncPhase: 'Sync' });
        }
      }
      state.phase = 'Succeeded';
      state.message = 'successfully synced (all tasks run)';
      if (!dryRun) {
        const prev = app.history[app.history.length - 1];
        app.history.push({
          id: prev ? prev.id + 1 : 0,
          revision: rendered.sha,
          deployStartedAt: state.startedAt,
          deployedAt: now,
          initiatedBy: state.operation.initiatedBy,
          source: this.sourceJson(app),
        });
        if (app.history.length > 10) app.history.shift();
      }
    }
    state.finishedAt = now;
    if (state.syncResult) state.syncResult.resources = results;
    app.operation = null;
    this.bump(app);
    // Health is assessed in a separate loop: it lags behind finishedAt.
    this.scheduleReconcile(app);
  }

  private resultRef(d: DesiredWorkload) {
    return { group: groupForKind(d.kind), version: 'v1', kind: d.kind, namespace: d.namespace, name: d.name };
  }

  terminate(name: string, project?: string): void {
    const app = this.lookup(name, project);
    if (!app.operation) throw new ArgoApiError(400, 3, 'Unable to terminate operation. No operation is in progress');
    for (const c of app.opCancels) c();
    app.opCancels = [];
    app.release = undefined;
    const operation = app.operation;
    const state: OperationState = app.operationState ?? {
      operation: structuredClone(operation),
      phase: 'Running',
      startedAt: rfc3339(this.sched.now()),
      syncResult: { revision: operation.sync?.revision ?? '' },
    };
    state.phase = 'Terminating';
    state.message = 'terminating';
    app.operationState = state;
    this.bump(app);
    this.sched.schedule(this.timing().terminateMs, () => {
      if (app.operationState !== state || state.phase !== 'Terminating') return;
      state.phase = 'Failed';
      state.message = 'Operation terminated';
      state.finishedAt = rfc3339(this.sched.now());
      app.operation = null;
      this.bump(app);
      this.scheduleReconcile(app);
    });
  }

  // ---- JSON views ------------------------------------------------------------------------------

  private sourceJson(app: SimApp) {
    return { repoURL: app.spec.repoURL, path: app.spec.path, targetRevision: app.spec.targetRevision, helm: { valueFiles: [...app.spec.valueFiles] } };
  }

  toJson(app: SimApp): Application {
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
        ...(Object.keys(app.annotations).length > 0 ? { annotations: { ...app.annotations } } : {}),
      },
      spec: {
        source: this.sourceJson(app),
        destination: { server: DEST_SERVER, namespace: s.namespace },
        project: s.project,
        ...(s.automated ? { syncPolicy: { automated: { prune: true } } } : {}),
      },
      status: {
        resources: structuredClone(app.resources),
        sync: {
          status: app.sync.status,
          comparedTo: { source: this.sourceJson(app), destination: { server: DEST_SERVER, namespace: s.namespace } },
          ...(app.sync.revision ? { revision: app.sync.revision } : {}),
        },
        health: { status: app.health.status, ...(app.health.message ? { message: app.health.message } : {}) },
        ...(app.history.length > 0 ? { history: structuredClone(app.history) } : {}),
        ...(app.conditions.length > 0 ? { conditions: structuredClone(app.conditions) } : {}),
        ...(app.reconciledAt !== undefined ? { reconciledAt: rfc3339(app.reconciledAt) } : {}),
        ...(app.operationState ? { operationState: structuredClone(app.operationState) } : {}),
        sourceType: 'Helm',
        summary: app.images.length > 0 ? { images: [...app.images] } : {},
      },
    };
    if (app.operation) json.operation = structuredClone(app.operation);
    return json;
  }

  getJson(name: string, project?: string): Application {
    return this.toJson(this.lookup(name, project));
  }

  list(selector?: string, project?: string): Application[] {
    const reqs = parseSelector(selector);
    return [...this.apps.values()]
      .filter((a) => matches(reqs, a.spec.labels) && (!project || a.spec.project === project))
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name))
      .map((a) => this.toJson(a));
  }

  resourceTree(name: string, project?: string): ApplicationTree {
    const app = this.lookup(name, project);
    const nodes: ResourceNode[] = [];
    for (const ref of app.managed.values()) {
      const w = this.cluster.get(ref.kind, ref.namespace, ref.name);
      if (!w) continue;
      const group = groupForKind(w.kind);
      const health = this.cluster.health(w);
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
        const owner = this.cluster.ownerOf(w, pod);
        const ph = this.cluster.podHealth(pod);
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
            { name: 'Status Reason', value: pod.deletionAt !== undefined ? 'Terminating' : pod.ready ? 'Running' : (pod.waiting?.reason ?? 'Pending') },
            { name: 'Containers', value: `${pod.ready ? pod.template.containers.length : 0}/${pod.template.containers.length}` },
          ],
        });
      }
    }
    return { nodes, orphanedNodes: [], hosts: [] };
  }

  managedResources(name: string, project?: string): ManagedResourcesResponse {
    const app = this.lookup(name, project);
    const keys = new Map<string, { kind: DesiredWorkload['kind']; namespace: string; name: string; desired?: DesiredWorkload }>();
    for (const d of app.target?.workloads ?? []) keys.set(workloadKey(d.kind, d.namespace, d.name), { kind: d.kind, namespace: d.namespace, name: d.name, desired: d });
    for (const [k, ref] of app.managed) if (!keys.has(k)) keys.set(k, { kind: ref.kind as DesiredWorkload['kind'], namespace: ref.namespace, name: ref.name });
    const items = [...keys.values()].map((r) => {
      const live = this.cluster.get(r.kind, r.namespace, r.name);
      const target = r.desired ? desiredJson(r.desired) : null;
      const liveJson = live ? this.cluster.workloadJson(live) : null;
      return {
        group: groupForKind(r.kind),
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        targetState: JSON.stringify(target),
        liveState: JSON.stringify(liveJson),
        normalizedLiveState: JSON.stringify(liveJson),
        predictedLiveState: JSON.stringify(target),
        modified: !(r.desired && this.isInSync(r.desired, live)),
      };
    });
    return { items };
  }
}

/** The manifest Helm would render for a desired workload (Argo's targetState). */
function desiredJson(d: DesiredWorkload): Record<string, unknown> {
  const template = {
    metadata: { labels: { ...d.template.labels }, ...(Object.keys(d.template.annotations).length ? { annotations: { ...d.template.annotations } } : {}) },
    spec: {
      ...(d.template.initContainers.length ? { initContainers: d.template.initContainers } : {}),
      containers: d.template.containers,
    },
  };
  const metadata = { name: d.name, namespace: d.namespace, labels: d.labels, annotations: d.annotations };
  switch (d.kind) {
    case 'Deployment':
      return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: d.replicas, selector: { matchLabels: d.selector }, template } };
    case 'StatefulSet':
      return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec: { replicas: d.replicas, serviceName: d.name, selector: { matchLabels: d.selector }, template } };
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
