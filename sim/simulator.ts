// createSimulator(): the embeddable cluster simulator — an Argo CD API server (HTTP) and a
// Kubernetes API server (HTTPS) on loopback sharing one simulated cluster, Applications that read
// real Git repositories, and the fault-injection surface (methods here, /sim/admin/* over HTTP).
// Test infrastructure and sandbox only: never to be used when a real Argo CD is configured.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SyncWindow } from '../integrations/argocd-schema.js';
import { type AppSpec, AppSpecBody, ArgoApiError } from './argo-app.js';
import { ArgoController } from './argo-controller.js';
import { createArgoServer } from './argo-server.js';
import { createRealScheduler, type Scheduler } from './clock.js';
import { Cluster } from './cluster.js';
import { type ApiTarget, describeFaults, FaultState, type HttpFault, type StreamFault } from './faults.js';
import { type AppChangeListener, AppWatchHub, StreamFaultBody } from './argo-stream.js';
import { GitSource } from './git-source.js';
import { createKubeServer, generateTls } from './kube-server.js';
import { closeServer, listen } from './http-util.js';
import { reconcileEvery } from './periodic-reconcile.js';
import { resolveTiming, type Timing } from './timing.js';
import { advanceClock, windowsAdmin } from './windows-admin.js';
import { createPrometheusServer, MetricStore, metricsAdmin, type MetricFaults } from './prometheus.js';

export type { AppSpec } from './argo-app.js';
export type { SyncWindow } from '../integrations/argocd-schema.js';
export { ManualScheduler, createRealScheduler, type Scheduler } from './clock.js';
export { INSTANT_TIMING, SANDBOX_TIMING, type Timing } from './timing.js';

export interface SimulatorOptions {
  host?: string;
  /** 0 (default) = any free port. */
  argoPort?: number;
  kubePort?: number;
  timing?: Partial<Timing>;
  /** Inject a ManualScheduler for deterministic tests; real timers by default. */
  scheduler?: Scheduler;
  /** Where mirror clones of Application repos live; a temp dir (removed on close) by default. */
  gitCacheDir?: string;
  argoAdmin?: { username: string; password: string };
  kubeToken?: string;
  /** Lifetime of Argo session tokens. */
  tokenTtlMs?: number;
  /** Seed for the share-of-requests faults. */
  seed?: number;
}

/** Also the metrics of the simulator's Prometheus (sim/prometheus.ts): setMetric, removeMetric, setErrorRate. */
export interface SimFaults extends MetricFaults {
  /** Image pull failure: new pods of the workload never become ready; Deployments go Degraded (ProgressDeadlineExceeded). */
  degradeWorkload(namespace: string, name: string): void;
  /** New pods stay ContainerCreating forever: health stays Progressing. */
  stallWorkload(namespace: string, name: string): void;
  clearWorkload(namespace: string, name: string): void;
  /** The next `count` sync operations end in `phase` (default Failed) with SyncFailed resources. */
  failNextSyncs(count: number, opts?: { phase?: 'Failed' | 'Error'; message?: string }): void;
  /** 5xx / hanging requests for a share of requests, and/or added latency, on one API. */
  httpFaults(target: ApiTarget, fault: Partial<HttpFault>): void;
  clearHttpFaults(target?: ApiTarget): void;
  /** The application watch stream's unkindness (sim/faults.ts StreamFault); undefined clears it. */
  stream(fault: StreamFault | undefined): void;
  /** Someone else's operation (a user, or auto-sync) starts now; with hold (default) it stays Running until released. */
  startForeignOperation(app: string, opts?: { username?: string; automated?: boolean; hold?: boolean }): Promise<void>;
  releaseForeignOperation(app: string): void;
  /** A deny window that never closes applies to `app` ('*' = all), as a global project's would: 403, no auto-sync. */
  blockSyncs(app: string): void;
  unblockSyncs(app: string): void;
  /** `kubectl set image`: out-of-band change of a live workload's container image (drift). */
  setImage(target: {
    kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet';
    namespace: string;
    name: string;
    container: string;
    image: string;
  }): void;
  /** Every Argo session token issued so far becomes invalid (401 `invalid session: …`). */
  expireTokens(): void;
  /** The Kubernetes API answers 403 Forbidden for this namespace. */
  forbidNamespace(namespace: string): void;
  allowNamespace(namespace: string): void;
  /** API requests received so far by `<argo|kube> <METHOD> <path>` (e.g. `argo POST /api/v1/session`). */
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  clearAll(): void;
}

export interface Simulator {
  argoUrl: string;
  kubeUrl: string;
  /** The Prometheus-compatible query API (`/api/v1/query`, sim/prometheus.ts) over series set through `faults`. */
  promUrl: string;
  /** base64 of the CA PEM, as `certificate-authority-data` / client-node `caData`. */
  kubeCaData: string;
  kubeCaPem: string;
  kubeToken: string;
  argoAdmin: { username: string; password: string };
  scheduler: Scheduler;
  /** Registers an Application and runs its first reconcile (reads Git). */
  addApplication(spec: AppSpec): Promise<void>;
  /** Replaces an AppProject's `spec.syncWindows`, each validated as Argo does (else ArgoApiError 400, nothing changed). */
  setSyncWindows(project: string, windows: SyncWindow[]): void;
  /** The clock of Argo CD and the cluster (sync windows are judged on it), and moving it forward (sim/windows-admin.ts). */
  now(): number;
  advanceClock(ms: number): void;
  /** Every Application change as the watch stream sees it, at the simulator's time; returns the unsubscribe. */
  onApplicationChange(listener: AppChangeListener): () => void;
  /** Same as GET ?refresh=normal, without HTTP. */
  refresh(app: string): Promise<void>;
  /** Argo CD's periodic reconciliation from now on (sim/periodic-reconcile.ts); off unless asked for. */
  reconcileEvery(periodMs: number): void;
  /** How many times the repo-server ran Helm (renders are cached per revision). */
  readonly helmRuns: number;
  /** How many times the repo-server ran kustomize. */
  readonly kustomizeRuns: number;
  /**
   * Serves a local chart directory as `chart` at `version` of the Helm repository `repoURL`, for sources with
   * `chart:` (no Helm repository is contacted; the version must be given exactly as `targetRevision`).
   */
  registerHelmChart(c: { repoURL: string; chart: string; version: string; dir: string }): void;
  setTiming(timing: Partial<Timing>): void;
  readonly timing: Timing;
  faults: SimFaults;
  /** Clears applications, live workloads and faults; servers keep running, tokens stay valid. */
  reset(): void;
  close(): Promise<void>;
}

export async function createSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const sched = opts.scheduler ?? createRealScheduler();
  let timing = resolveTiming(opts.timing);
  const ownCache = opts.gitCacheDir === undefined;
  const cacheDir = opts.gitCacheDir ?? (await mkdtemp(path.join(os.tmpdir(), 'fc-sim-git-')));
  const faultState = new FaultState(opts.seed ?? 42);
  const cluster = new Cluster(sched, () => timing, faultState);
  const git = new GitSource(cacheDir);
  const controller = new ArgoController(sched, () => timing, cluster, git, faultState);
  const metrics = new MetricStore(cluster);
  const hub = (controller.watch = new AppWatchHub(sched, faultState, () => controller.names().map((n) => controller.lookup(n))));
  const argoAdmin = opts.argoAdmin ?? { username: 'admin', password: randomBytes(9).toString('base64url') };
  const kubeToken = opts.kubeToken ?? `sim-${randomBytes(24).toString('hex')}`;

  const faults: SimFaults = {
    setMetric: (m) => metrics.setMetric(m),
    removeMetric: (m) => metrics.removeMetric(m),
    setErrorRate: (ns, name, ratio) => metrics.setErrorRate(ns, name, ratio),
    clearMetrics: () => metrics.clearMetrics(),
    degradeWorkload: (ns, name) => void faultState.workloads.set(FaultState.workloadKey(ns, name), 'degraded'),
    stallWorkload: (ns, name) => void faultState.workloads.set(FaultState.workloadKey(ns, name), 'progressing'),
    clearWorkload(ns, name) {
      faultState.workloads.delete(FaultState.workloadKey(ns, name));
      cluster.faultCleared(ns, name);
    },
    failNextSyncs(count, o = {}) {
      faultState.syncFailure =
        count > 0
          ? {
              remaining: count,
              phase: o.phase ?? 'Failed',
              message: o.message ?? 'simulated failure: admission webhook denied the request',
            }
          : undefined;
    },
    httpFaults(target, f) {
      faultState.http[target] = {
        errorRate: f.errorRate ?? 0,
        errorStatus: f.errorStatus ?? 503,
        timeoutRate: f.timeoutRate ?? 0,
        latencyMs: f.latencyMs ?? 0,
      };
    },
    clearHttpFaults(target) {
      for (const t of target ? [target] : (['argo', 'kube'] as const)) faultState.http[t] = undefined;
      argo.hanging.releaseAll();
      kube.hanging.releaseAll();
    },
    stream: (f) => void (faultState.stream = f),
    startForeignOperation: (app, o = {}) => controller.foreignOperation(app, o),
    releaseForeignOperation: (app) => controller.releaseOperation(app),
    blockSyncs: (app) => void faultState.syncWindows.add(app),
    unblockSyncs: (app) => void faultState.syncWindows.delete(app),
    setImage(t) {
      const kind = t.kind ?? 'Deployment';
      cluster.setImage(kind, t.namespace, t.name, t.container, t.image);
    },
    expireTokens: () => argo.sessions.expireAll(),
    forbidNamespace: (ns) => void faultState.kubeForbidden.add(ns),
    allowNamespace: (ns) => void faultState.kubeForbidden.delete(ns),
    requestCounts: () => Object.fromEntries(faultState.requestCounts),
    resetRequestCounts: () => faultState.requestCounts.clear(),
    clearAll() {
      const stuck = [...faultState.workloads.keys()];
      faultState.clearAll();
      metrics.clearMetrics();
      argo.hanging.releaseAll();
      kube.hanging.releaseAll();
      controller.releaseAll();
      for (const key of stuck) {
        const [ns = '', name = ''] = key.split('/');
        cluster.faultCleared(ns, name);
      }
    },
  };

  function reset(): void {
    faults.clearAll();
    faults.resetRequestCounts();
    controller.reset();
    hub.closeAll();
    cluster.reset();
    sched.cancelAll();
  }

  async function admin(method: string, p: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const b = (body ?? {}) as Record<string, unknown>;
    const str = (k: string) => {
      const v = b[k];
      if (typeof v !== 'string' || v === '') throw new ArgoApiError(400, 3, `field "${k}" (string) is required`);
      return v;
    };
    const ok = { status: 200, body: { ok: true } };
    const route = `${method} ${p.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /state':
        return { status: 200, body: { applications: controller.names(), timing, faults: describeFaults(faultState) } };
      case 'POST /reset':
        reset();
        return ok;
      case 'POST /timing':
        timing = resolveTiming({ ...timing, ...(b as Partial<Timing>) });
        return { status: 200, body: { timing } };
      case 'POST /applications':
        await controller.addApplication(AppSpecBody.parse(body));
        return ok;
      case 'DELETE /faults':
        faults.clearAll();
        return ok;
      case 'POST /faults/workload': {
        const mode = b.mode ?? 'degraded';
        if (mode === 'degraded') faults.degradeWorkload(str('namespace'), str('name'));
        else if (mode === 'progressing') faults.stallWorkload(str('namespace'), str('name'));
        else faults.clearWorkload(str('namespace'), str('name'));
        return ok;
      }
      case 'DELETE /faults/workload':
        faults.clearWorkload(str('namespace'), str('name'));
        return ok;
      case 'POST /faults/fail-syncs':
        faults.failNextSyncs(typeof b.count === 'number' ? b.count : 1, {
          phase: b.phase === 'Error' ? 'Error' : 'Failed',
          message: typeof b.message === 'string' ? b.message : undefined,
        });
        return ok;
      case 'DELETE /faults/fail-syncs':
        faults.failNextSyncs(0);
        return ok;
      case 'POST /faults/http': {
        const target = b.target === 'kube' ? 'kube' : 'argo';
        const num = (k: string) => (typeof b[k] === 'number' ? b[k] : undefined);
        faults.httpFaults(target, {
          errorRate: num('errorRate'),
          errorStatus: num('errorStatus'),
          timeoutRate: num('timeoutRate'),
          latencyMs: num('latencyMs'),
        });
        return ok;
      }
      case 'POST /faults/stream':
        faults.stream(StreamFaultBody.parse(body));
        return ok;
      case 'DELETE /faults/stream':
        faults.stream(undefined);
        return ok;
      case 'DELETE /faults/http':
        faults.clearHttpFaults(b.target === 'kube' || b.target === 'argo' ? b.target : undefined);
        return ok;
      case 'POST /faults/foreign-operation':
        await faults.startForeignOperation(str('app'), {
          username: typeof b.username === 'string' ? b.username : undefined,
          automated: b.automated === true,
          hold: b.hold !== false,
        });
        return ok;
      case 'DELETE /faults/foreign-operation':
        faults.releaseForeignOperation(str('app'));
        return ok;
      case 'POST /faults/sync-window':
        faults.blockSyncs(typeof b.app === 'string' ? b.app : '*');
        return ok;
      case 'DELETE /faults/sync-window':
        faults.unblockSyncs(typeof b.app === 'string' ? b.app : '*');
        return ok;
      case 'POST /faults/set-image': {
        const kind = b.kind === 'StatefulSet' || b.kind === 'DaemonSet' ? b.kind : 'Deployment';
        faults.setImage({ kind, namespace: str('namespace'), name: str('name'), container: str('container'), image: str('image') });
        return ok;
      }
      case 'POST /faults/expire-tokens':
        faults.expireTokens();
        return ok;
      case 'POST /faults/kube-forbidden':
        faults.forbidNamespace(str('namespace'));
        return ok;
      case 'DELETE /faults/kube-forbidden':
        faults.allowNamespace(str('namespace'));
        return ok;
      case 'GET /requests':
        return { status: 200, body: { requests: faults.requestCounts() } };
      case 'DELETE /requests':
        faults.resetRequestCounts();
        return ok;
      default:
        return (
          windowsAdmin(route, body, { projects: controller.projects, sched }) ??
          metricsAdmin(route, body, faults) ?? {
            status: 404,
            body: { error: `unknown admin route ${route}` },
          }
        );
    }
  }

  const argo = createArgoServer({
    controller,
    stream: hub,
    faults: faultState,
    sched,
    users: { [argoAdmin.username]: argoAdmin.password },
    tokenTtlMs: opts.tokenTtlMs ?? 24 * 3600_000,
    admin: async (method, p, body) => {
      try {
        return await admin(method, p, body);
      } catch (err) {
        if (err instanceof z.ZodError) return { status: 400, body: { error: z.prettifyError(err) } };
        if (err instanceof ArgoApiError) return { status: err.httpStatus, body: { error: err.message } };
        return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
      }
    },
  });
  const tls = await generateTls();
  const kube = createKubeServer({
    cluster,
    faults: faultState,
    tls,
    token: kubeToken,
    user: 'system:serviceaccount:flow-controller:flow-controller',
    namespaces: () => controller.namespaces(),
  });
  const argoPort = await listen(argo.server, host, opts.argoPort ?? 0);
  const kubePort = await listen(kube.server, host, opts.kubePort ?? 0);
  const prom = createPrometheusServer({ store: metrics, sched });
  const promPort = await listen(prom, host, 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    argoUrl: `http://${urlHost}:${argoPort}`,
    kubeUrl: `https://${urlHost}:${kubePort}`,
    promUrl: `http://${urlHost}:${promPort}`,
    kubeCaData: Buffer.from(tls.caPem, 'utf8').toString('base64'),
    kubeCaPem: tls.caPem,
    kubeToken,
    argoAdmin,
    scheduler: sched,
    addApplication: (spec) => controller.addApplication(spec),
    onApplicationChange: (listener) => hub.onChange(listener),
    refresh: (name) => controller.refresh(controller.lookup(name)),
    reconcileEvery: (periodMs) => reconcileEvery(controller, sched, periodMs),
    setSyncWindows: (project, windows) => controller.projects.setSyncWindows(project, windows),
    now: () => sched.now(),
    advanceClock: (ms) => advanceClock(sched, ms),
    setTiming(t) {
      timing = resolveTiming({ ...timing, ...t });
    },
    get timing() {
      return timing;
    },
    get helmRuns() {
      return controller.repo.helmRuns;
    },
    get kustomizeRuns() {
      return controller.repo.kustomizeRuns;
    },
    registerHelmChart: (c) => controller.repo.registerChart(c),
    faults,
    reset,
    async close() {
      sched.cancelAll();
      hub.closeAll();
      argo.hanging.releaseAll();
      kube.hanging.releaseAll();
      await Promise.all([closeServer(argo.server), closeServer(kube.server), closeServer(prom)]);
      if (ownCache) await rm(cacheDir, { recursive: true, force: true });
    },
  };
}
