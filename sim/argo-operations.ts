// Sync operations of the simulated Argo CD, run the way Argo runs them: the operation is recorded, turns
// Running with syncResult.revision (multi-source: revisions, one per source) after `operationStartMs`, applies after `applyMs` (a held foreign
// operation waits to be released first), and ends Succeeded or Failed with a history entry; health is
// reassessed later by the controller's reconcile. Terminate ends a running operation Failed after
// `terminateMs`. The controller (argo-controller.ts) validates requests and decides when to start one.
import type { Info, Operation, OperationInitiator, OperationState, ResourceResult } from '../integrations/argocd-schema.js';
import { ArgoApiError, type Rendered, type SimApp } from './argo-app.js';
import type { ProjectRegistry } from './argo-projects.js';
import { historyRevisionFields, operationRevisionFields, syncResultRevisionFields } from './argo-sources.js';
import { type DesiredWorkload, groupForKind } from './chart.js';
import { rfc3339, type Scheduler } from './clock.js';
import { type Cluster, workloadKey } from './cluster.js';
import type { FaultState } from './faults.js';
import type { Timing } from './timing.js';

/** What the operations use of the controller: its clock, timing, cluster and faults, and its bookkeeping. */
export interface OperationHost {
  sched: Scheduler;
  timing: () => Timing;
  cluster: Cluster;
  faults: FaultState;
  /** The sync windows, which may hold a running operation (controller/sync.go syncWindowPreventsSync). */
  projects: ProjectRegistry;
  bump: (app: SimApp) => void;
  scheduleReconcile: (app: SimApp) => void;
}

export interface OperationRequest {
  rendered: Rendered;
  initiatedBy: OperationInitiator;
  info: Info[];
  prune: boolean;
  syncOptions: string[];
  dryRun: boolean;
  hold?: boolean;
}

export function startOperation(host: OperationHost, app: SimApp, o: OperationRequest): void {
  const operation: Operation = {
    sync: {
      ...operationRevisionFields(app, o.rendered.revisions),
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
  host.bump(app);
  const t = host.timing();
  const later = (delay: number, fn: () => void) => {
    const cancel = host.sched.schedule(delay, () => {
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
      startedAt: rfc3339(host.sched.now()),
      syncResult: syncResultRevisionFields(app, o.rendered.revisions),
    };
    host.bump(app);
    const apply = () => later(host.timing().applyMs, () => applyWhenAllowed(host, app, o, later));
    if (o.hold) app.release = apply;
    else apply();
  });
}

/** How often the controller looks again at an operation a sync window holds. */
const WINDOW_RECHECK_MS = 1000;

/** Applies, unless a sync window holds the operation: then it stays Running with Argo's message and is retried. */
function applyWhenAllowed(host: OperationHost, app: SimApp, o: OperationRequest, later: (delay: number, fn: () => void) => void): void {
  const state = app.operationState;
  if (state?.phase === 'Running' && host.projects.blocksOperation(app)) {
    if (state.message !== 'Sync operation blocked by sync window') {
      state.message = 'Sync operation blocked by sync window';
      host.bump(app);
    }
    later(WINDOW_RECHECK_MS, () => applyWhenAllowed(host, app, o, later));
    return;
  }
  applyOperation(host, app, o.rendered, o.prune, o.dryRun);
}

function applyOperation(host: OperationHost, app: SimApp, rendered: Rendered, prune: boolean, dryRun: boolean): void {
  const state = app.operationState;
  if (!state || state.phase !== 'Running') return;
  const now = rfc3339(host.sched.now());
  const failure = dryRun ? undefined : host.faults.takeSyncFailure();
  const results: ResourceResult[] = [];
  if (failure) {
    for (const d of rendered.workloads) {
      results.push({
        ...resultRef(d),
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
      const verb = dryRun ? 'configured (dry run)' : host.cluster.apply(d);
      if (!dryRun) app.managed.set(workloadKey(d.kind, d.namespace, d.name), { kind: d.kind, namespace: d.namespace, name: d.name });
      results.push({
        ...resultRef(d),
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
      const base = {
        group: groupForKind(ref.kind as DesiredWorkload['kind']),
        version: 'v1',
        kind: ref.kind,
        namespace: ref.namespace,
        name: ref.name,
      };
      if (prune && !dryRun) {
        host.cluster.delete(ref.kind, ref.namespace, ref.name);
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
        ...historyRevisionFields(app, rendered.revisions),
        deployStartedAt: state.startedAt,
        deployedAt: now,
        initiatedBy: state.operation.initiatedBy,
      });
      if (app.history.length > 10) app.history.shift();
    }
  }
  state.finishedAt = now;
  if (state.syncResult) state.syncResult.resources = results;
  app.operation = null;
  host.bump(app);
  // Health is assessed in a separate loop: it lags behind finishedAt.
  host.scheduleReconcile(app);
}

function resultRef(d: DesiredWorkload) {
  return { group: groupForKind(d.kind), version: 'v1', kind: d.kind, namespace: d.namespace, name: d.name };
}

export function terminateOperation(host: OperationHost, app: SimApp): void {
  if (!app.operation) throw new ArgoApiError(400, 3, 'Unable to terminate operation. No operation is in progress');
  for (const c of app.opCancels) c();
  app.opCancels = [];
  app.release = undefined;
  const operation = app.operation;
  const state: OperationState = app.operationState ?? {
    operation: structuredClone(operation),
    phase: 'Running',
    startedAt: rfc3339(host.sched.now()),
    syncResult: {
      revision: operation.sync?.revision ?? '',
      ...(operation.sync?.revisions ? { revisions: [...operation.sync.revisions] } : {}),
    },
  };
  state.phase = 'Terminating';
  state.message = 'terminating';
  app.operationState = state;
  host.bump(app);
  host.sched.schedule(host.timing().terminateMs, () => {
    if (app.operationState !== state || state.phase !== 'Terminating') return;
    state.phase = 'Failed';
    state.message = 'Operation terminated';
    state.finishedAt = rfc3339(host.sched.now());
    app.operation = null;
    host.bump(app);
    host.scheduleReconcile(app);
  });
}
