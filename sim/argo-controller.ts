// The simulated Argo CD application controller and API semantics: Applications read their source (or
// sources) from real Git (GitSource), render them (repo-server.ts), compare with the live cluster,
// and run sync operations the way Argo does (operation → Running with syncResult.revision(s) →
// apply → Succeeded/Failed, history, then a lagging reconcile for health). HTTP lives in
// argo-server.ts; this module throws ArgoApiError with Argo's status, grpc code and message.
// This file holds the registry, refresh and reconcile; the operations' state machine is in
// argo-operations.ts, the JSON views in argo-views.ts, the app's state in argo-app.ts, sources and
// their revisions in argo-sources.ts.
import { randomUUID } from 'node:crypto';
import type {
  Application,
  ApplicationTree,
  HealthStatusCode,
  ManagedResourcesResponse,
  ResourceStatus,
} from '../integrations/argocd-schema.js';
import {
  type AppSpec,
  ArgoApiError,
  type AutomatedPolicy,
  automatedPolicy,
  isInSync,
  type Rendered,
  type SimApp,
  type SyncRequest,
} from './argo-app.js';
import { workloadHealth } from './argo-health.js';
import { type OperationHost, startOperation, terminateOperation } from './argo-operations.js';
import { ProjectRegistry } from './argo-projects.js';
import { requestedRevisions, revisionsLabel, sourcesOfSpec, syncedRevisions } from './argo-sources.js';
import { applicationJson, managedResourcesJson, resourceTreeJson } from './argo-views.js';
import { groupForKind, RenderError } from './chart.js';
import { rfc3339, type Scheduler } from './clock.js';
import { type Cluster, type LiveWorkload, workloadKey } from './cluster.js';
import type { FaultState } from './faults.js';
import { type GitSource, RevisionError } from './git-source.js';
import { matches, parseSelector } from './label-selector.js';
import { RepoServer } from './repo-server.js';
import type { Timing } from './timing.js';

/** Argo CD's default `controller.self.heal.timeout.seconds`. */
const SELF_HEAL_BACKOFF_MS = 5000;
const HEALTH_ORDER: HealthStatusCode[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

export class ArgoController {
  private apps = new Map<string, SimApp>();
  private readonly ops: OperationHost;
  /** Manifest generation with its per-revision cache (Argo CD's repo-server). */
  readonly repo: RepoServer;
  /** AppProjects and their sync windows. */
  readonly projects: ProjectRegistry;
  /** Told of every change of an Application object: the watch stream (sim/argo-stream.ts). */
  watch: { changed(app: SimApp): void; deleted(app: SimApp): void } | undefined;

  constructor(
    private readonly sched: Scheduler,
    private readonly timing: () => Timing,
    private readonly cluster: Cluster,
    git: GitSource,
    private readonly faults: FaultState,
  ) {
    cluster.onChange = (w) => this.liveChanged(w);
    this.repo = new RepoServer(git);
    const projects = (this.projects = new ProjectRegistry(sched, faults));
    this.ops = { sched, timing, cluster, faults, projects, bump: (a) => this.bump(a), scheduleReconcile: (a) => this.scheduleReconcile(a) };
  }

  reset(): void {
    for (const app of this.apps.values()) {
      for (const c of app.opCancels) c();
      this.watch?.deleted(app);
    }
    this.apps.clear();
    this.projects.reset();
  }

  names(): string[] {
    return [...this.apps.keys()];
  }

  /** Destination namespaces of the Applications (the platform team creates them with the app). */
  namespaces(): string[] {
    return [...new Set([...this.apps.values()].map((a) => a.spec.namespace))];
  }

  async addApplication(spec: AppSpec): Promise<void> {
    if (this.apps.has(spec.name)) throw new Error(`application ${spec.name} already exists`);
    const app: SimApp = {
      spec: {
        name: spec.name,
        project: spec.project ?? 'default',
        ...sourcesOfSpec(spec),
        namespace: spec.namespace,
        automated: automatedPolicy(spec.automated),
        labels: spec.labels ?? {},
        ownerReferences: spec.ownerReferences ?? [],
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
    };
    this.apps.set(spec.name, app);
    this.projects.ensure(app.spec.project);
    await this.refresh(app);
  }

  setAutomated(name: string, automated: boolean | AutomatedPolicy): void {
    const app = this.require(name);
    app.spec.automated = automatedPolicy(automated);
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

  /** Resolves every source (at `requested[i]`, else its targetRevision; fetching Git) and renders them. */
  private async fetchTarget(app: SimApp, requested: string[] = []): Promise<Rendered> {
    const revisions: string[] = [];
    for (const [i, source] of app.spec.sources.entries()) revisions.push(await this.repo.resolve(source, requested[i] ?? ''));
    return { revisions, ...(await this.repo.render(app.spec, revisions)) };
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

  /**
   * The application controller's autoSync (argo-cd controller/appcontroller.go), run after every reconcile:
   * only when OutOfSync and no operation runs; without automated prune, nothing when only pruning is needed;
   * a SHA whose last attempt failed is not retried (SyncError condition); a SHA already synced successfully is
   * synced again only with selfHeal. The operation is `initiatedBy: {automated: true}` and prunes only with
   * automated prune; it runs with the same timing (stale windows) as a manual sync.
   */
  private maybeAutoSync(app: SimApp): void {
    const policy = app.spec.automated;
    const target = app.target;
    // Argo's controller runs autoSync only when the sync windows allow an automated sync (CanSync(false)).
    if (!policy || app.operation || !target || app.sync.status !== 'OutOfSync' || !this.projects.allowsAutoSync(app)) return;
    if (!policy.prune && app.resources.filter((r) => r.status !== 'Synced').every((r) => r.requiresPruning === true)) return;
    const last = app.operationState;
    const synced = syncedRevisions(app, last?.syncResult);
    const attempted =
      last !== undefined &&
      JSON.stringify(synced) === JSON.stringify(target.revisions) &&
      last.phase !== 'Running' &&
      last.phase !== 'Terminating';
    if (attempted) {
      if (last.phase !== 'Succeeded') {
        this.setCondition(app, 'SyncError', `Failed last sync attempt to ${revisionsLabel(target.revisions)}: ${last.message ?? ''}`);
        return;
      }
      if (!policy.selfHeal) return;
      // Argo backs self-heal off (selfHealTimeoutSeconds, default 5 s) and refreshes when the backoff ends.
      const since = this.sched.now() - (Date.parse(last.finishedAt ?? '') || 0);
      if (since < SELF_HEAL_BACKOFF_MS) {
        this.sched.schedule(SELF_HEAL_BACKOFF_MS - since, () => {
          if (this.apps.get(app.spec.name) !== app) return;
          this.reconcileNow(app);
          this.maybeAutoSync(app);
        });
        return;
      }
    }
    this.setCondition(app, 'SyncError', undefined);
    startOperation(this.ops, app, {
      rendered: target,
      initiatedBy: { automated: true },
      info: [],
      prune: policy.prune,
      syncOptions: [],
      dryRun: false,
    });
  }

  private setCondition(app: SimApp, type: string, message: string | undefined): void {
    const others = app.conditions.filter((c) => c.type !== type);
    app.conditions = message === undefined ? others : [...others, { type, message, lastTransitionTime: rfc3339(this.sched.now()) }];
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
      if (this.apps.get(app.spec.name) !== app) return;
      this.reconcileNow(app);
      this.maybeAutoSync(app);
    });
  }

  private bump(app: SimApp): void {
    app.resourceVersion = this.cluster.nextResourceVersion();
    this.watch?.changed(app);
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
      const synced = isInSync(d, live);
      if (!synced) outOfSync = true;
      const health = d.kind === 'CronJob' && live ? undefined : workloadHealth(live);
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
      const health = workloadHealth(live);
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
    if (!app.target) app.sync = { status: 'Unknown', revisions: app.sync.revisions };
    else app.sync = { status: outOfSync ? 'OutOfSync' : 'Synced', revisions: app.target.revisions };
    const worst = healths.reduce<HealthStatusCode>((acc, h) => (HEALTH_ORDER.indexOf(h) > HEALTH_ORDER.indexOf(acc) ? h : acc), 'Healthy');
    app.health = { status: worst };
    app.reconciledAt = this.sched.now();
    this.bump(app);
  }

  // ---- operations ------------------------------------------------------------------------------

  async sync(name: string, req: SyncRequest, username: string, project?: string): Promise<Application> {
    const app = this.lookup(name, project);
    this.projects.checkManualSync(app); // before anything else of the request, as argo-cd's Sync
    // Per source ('' = its targetRevision); refuses another revision than the target under auto-sync.
    const requested = requestedRevisions(app, req);
    let rendered: Rendered;
    try {
      rendered = await this.fetchTarget(app, requested);
      // Argo fetches the target too; keep the comparison target current.
      const atTarget = requested.every((r, i) => r === '' || r === app.spec.sources[i]?.targetRevision);
      app.target = atTarget ? rendered : await this.fetchTarget(app).catch(() => app.target);
    } catch (err) {
      // FailedPrecondition, as resolveSourceRevisions wraps resolveRevision's error.
      if (err instanceof RevisionError) throw new ArgoApiError(400, 9, `error resolving repo revision: ${err.message}`);
      if (err instanceof RenderError) throw new ArgoApiError(400, 3, `error rendering manifests: ${err.message}`);
      throw err;
    }
    if (app.operation) throw new ArgoApiError(400, 9, 'another operation is already in progress');
    startOperation(this.ops, app, {
      rendered,
      initiatedBy: { username },
      info: req.infos ?? [],
      prune: req.prune ?? false,
      syncOptions: req.syncOptions?.items ?? [],
      dryRun: req.dryRun ?? false,
    });
    return applicationJson(app);
  }

  /** Someone else's operation (another user or auto-sync); `hold` keeps it Running until released. */
  async foreignOperation(name: string, opts: { username?: string; automated?: boolean; hold?: boolean }): Promise<void> {
    const app = this.require(name);
    if (app.operation) throw new ArgoApiError(400, 9, 'another operation is already in progress');
    const rendered = await this.fetchTarget(app);
    app.target = rendered;
    startOperation(this.ops, app, {
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

  terminate(name: string, project?: string): void {
    terminateOperation(this.ops, this.lookup(name, project));
  }

  // ---- JSON views (argo-views.ts) ---------------------------------------------------------------

  getJson(name: string, project?: string): Application {
    return applicationJson(this.lookup(name, project));
  }

  list(selector?: string, project?: string): Application[] {
    const reqs = parseSelector(selector);
    return [...this.apps.values()]
      .filter((a) => matches(reqs, a.spec.labels) && (!project || a.spec.project === project))
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name))
      .map((a) => applicationJson(a));
  }

  resourceTree(name: string, project?: string): ApplicationTree {
    return resourceTreeJson(this.lookup(name, project), this.cluster);
  }

  managedResources(name: string, project?: string): ManagedResourcesResponse {
    return managedResourcesJson(this.lookup(name, project), this.cluster);
  }
}
