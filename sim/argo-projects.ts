// The simulated Argo CD's AppProjects, as far as Flow Controller meets them: their sync windows
// (`spec.syncWindows[]`), judged on the simulator's clock by Argo's own rules (integrations/sync-window-rules.ts):
// the API server refuses a manual sync a window blocks (403 `cannot sync: blocked by sync window`, checked before
// anything else of the request), the controller's auto-sync does not start while one blocks, and a running
// operation a window catches stays Running ("Sync operation blocked by sync window") until it may go on. The
// views: GET /api/v1/projects/{name}, …/projects/{name}/syncwindows and …/applications/{name}/syncwindows.
// `faults.blockSyncs(app)` adds a deny window that never closes, as a global project's window would.
import { randomUUID } from 'node:crypto';
import type { AppProject, SyncWindow } from '../integrations/argocd-schema.js';
import { activeWindows, canSync, InvalidSyncWindowError, matchWindows, validateSyncWindow } from '../integrations/sync-window-rules.js';
import { ArgoApiError, type SimApp } from './argo-app.js';
import { DEST_SERVER } from './argo-views.js';
import { rfc3339, type Scheduler } from './clock.js';
import type { FaultState } from './faults.js';

interface SimProject {
  uid: string;
  createdAt: number;
  resourceVersion: number;
  syncWindows: SyncWindow[];
}

/** The window `blockSyncs(app)` stands for: deny, every minute for an hour, so never closing. */
function faultWindow(app: string): SyncWindow {
  return { kind: 'deny', schedule: '* * * * *', duration: '1h', applications: [app], timeZone: 'UTC' };
}

/** Argo's JSON of one window: Go's omitempty drops empty lists, false booleans and empty strings. */
function windowJson(w: SyncWindow): SyncWindow {
  return Object.fromEntries(
    Object.entries(w).filter(([, v]) => v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0)),
  ) as SyncWindow;
}

/** ApplicationSyncWindow of the application's syncwindows endpoint: four fields, every one always present. */
function appWindowJson(w: SyncWindow) {
  return { kind: w.kind ?? '', schedule: w.schedule ?? '', duration: w.duration ?? '', manualSync: w.manualSync === true };
}

export class ProjectRegistry {
  private projects = new Map<string, SimProject>();
  private version = 1;

  constructor(
    private readonly sched: Scheduler,
    private readonly faults: FaultState,
  ) {
    this.ensure('default');
  }

  /** Forgets every project's windows (the `default` project stays). */
  reset(): void {
    this.projects.clear();
    this.ensure('default');
  }

  /** An Application's project exists (Argo does not create an app in a missing project). */
  ensure(name: string): void {
    if (!this.projects.has(name)) {
      this.projects.set(name, { uid: randomUUID(), createdAt: this.sched.now(), resourceVersion: this.version++, syncWindows: [] });
    }
  }

  /**
   * Replaces a project's sync windows; they must pass Argo's project validation (ValidateProject: each window's
   * Validate, a selector, no duplicate), else an error and nothing changed.
   */
  setSyncWindows(name: string, windows: readonly SyncWindow[]): void {
    const seen = new Set<string>();
    for (const w of windows) {
      try {
        validateSyncWindow(w);
      } catch (err) {
        if (err instanceof InvalidSyncWindowError) throw new ArgoApiError(400, 3, err.message);
        throw err;
      }
      const id = `'${w.kind ?? ''}':'${w.schedule ?? ''}':'${w.duration ?? ''}'`;
      if (![w.applications, w.namespaces, w.clusters].some((l) => (l ?? []).length > 0)) {
        throw new ArgoApiError(400, 11, `window ${id} requires one of application, cluster or namespace`);
      }
      const { kind, schedule, duration, applications, namespaces, clusters, timeZone, andOperator } = w;
      const identity = JSON.stringify([kind, schedule, duration, applications, namespaces, clusters, timeZone || 'UTC', andOperator]);
      if (seen.has(identity)) {
        throw new ArgoApiError(
          409,
          6,
          `sync window with kind '${kind ?? ''}', schedule '${schedule ?? ''}', and duration '${duration ?? ''}' already exists`,
        );
      }
      seen.add(identity);
    }
    this.ensure(name);
    const p = this.projects.get(name) as SimProject;
    // Argo's Validate defaults the zone to UTC.
    p.syncWindows = windows.map((w) => ({ ...structuredClone(w), timeZone: w.timeZone || 'UTC' }));
    p.resourceVersion = this.version++;
  }

  /** The windows of the app's project (and of the blockSyncs fault) that apply to the app. */
  windowsFor(app: SimApp): SyncWindow[] {
    const own = this.projects.get(app.spec.project)?.syncWindows ?? [];
    const faults = [...this.faults.syncWindows].map(faultWindow);
    return matchWindows([...own, ...faults], { name: app.spec.name, namespace: app.spec.namespace, server: DEST_SERVER });
  }

  /** server/application Sync: a manual sync a window blocks is refused (403, before any other check). */
  checkManualSync(app: SimApp): void {
    let allowed: boolean;
    try {
      allowed = canSync(this.windowsFor(app), { manual: true, atMs: this.sched.now() });
    } catch (err) {
      if (err instanceof InvalidSyncWindowError) throw new ArgoApiError(403, 7, `cannot sync: invalid sync window: ${err.message}`);
      throw err;
    }
    if (!allowed) throw new ArgoApiError(403, 7, 'cannot sync: blocked by sync window');
  }

  /** The controller's auto-sync runs only when `CanSync(false)` (an invalid window also stops it). */
  allowsAutoSync(app: SimApp): boolean {
    try {
      return canSync(this.windowsFor(app), { manual: false, atMs: this.sched.now() });
    } catch {
      return false;
    }
  }

  /** controller/sync.go syncWindowPreventsSync: may the app's running operation go on now? */
  blocksOperation(app: SimApp): boolean {
    const state = app.operationState;
    const manual = state ? state.operation.initiatedBy?.automated !== true : false;
    const started = state?.startedAt ? Date.parse(state.startedAt) : undefined;
    try {
      return !canSync(this.windowsFor(app), { manual, atMs: this.sched.now(), ...(started ? { operationStartedAtMs: started } : {}) });
    } catch {
      return true;
    }
  }

  /** GET /api/v1/applications/{name}/syncwindows. An invalid window is an internal error (500, code 2), as in Argo. */
  appSyncWindowsJson(app: SimApp): Record<string, unknown> {
    const assigned = this.windowsFor(app);
    try {
      const can = canSync(assigned, { manual: true, atMs: this.sched.now() });
      const active = activeWindows(assigned, this.sched.now());
      return {
        ...(active.length > 0 ? { activeWindows: active.map(appWindowJson) } : {}),
        ...(assigned.length > 0 ? { assignedWindows: assigned.map(appWindowJson) } : {}),
        canSync: can,
      };
    } catch (err) {
      // GetApplicationSyncWindows wraps CanSync's error once more.
      if (err instanceof InvalidSyncWindowError) throw new ArgoApiError(500, 2, `invalid sync windows: ${err.message}`);
      throw err;
    }
  }

  private require(name: string): SimProject {
    const p = this.projects.get(name);
    if (!p) throw new ArgoApiError(404, 5, `appprojects.argoproj.io "${name}" not found`);
    return p;
  }

  /** GET /api/v1/projects/{name}: the AppProject (every source and destination allowed). */
  projectJson(name: string): AppProject {
    const p = this.require(name);
    return {
      metadata: {
        name,
        namespace: 'argocd',
        uid: p.uid,
        resourceVersion: String(p.resourceVersion),
        creationTimestamp: rfc3339(p.createdAt),
      },
      spec: {
        sourceRepos: ['*'],
        destinations: [{ server: '*', namespace: '*' }],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        ...(p.syncWindows.length > 0 ? { syncWindows: p.syncWindows.map(windowJson) } : {}),
      },
      status: {},
    };
  }

  /** GET /api/v1/projects/{name}/syncwindows: the project's windows active now (`{}` when none). */
  projectSyncWindowsJson(name: string): Record<string, unknown> {
    const p = this.require(name);
    try {
      const active = activeWindows(p.syncWindows, this.sched.now());
      return active.length > 0 ? { windows: active.map(windowJson) } : {};
    } catch (err) {
      if (err instanceof InvalidSyncWindowError) throw new ArgoApiError(500, 2, err.message);
      throw err;
    }
  }
}
