// Pure decisions over observed state, no I/O: "has *my* commit converged in this Argo CD
// Application?" (the algorithm in docs/argocd-contract.md, after `argocd app wait` and Kargo's
// argocd-update) and "has this Kubernetes workload finished rolling out?". Callers poll and feed
// each observation in; a `waiting` answer means poll again (refreshing when the clause says so)
// until the step's deadline, `failed` is terminal and carries Argo's or Kubernetes' message. For a multi-source
// Application the revisions judged are those of the sources Flow Controller writes (`sourceIndexes`), read from
// `syncResult.revisions[]` and `status.sync.revisions[]` (integrations/argocd-sources.ts).
import type { Application, HealthStatusCode, OperationPhase, SyncStatusCode } from './argocd-schema.js';
import { writtenRevision } from './argocd-sources.js';
import type { Workload } from './kube.js';

export type ConvergenceState = 'converged' | 'waiting' | 'failed';

/** Which clause of the algorithm decided; stable identifiers for logs, metrics and tests. */
export type ConvergenceClause =
  | 'operation-pending'
  | 'no-operation-state'
  | 'operation-not-ours'
  | 'operation-failed'
  | 'operation-running'
  | 'not-finished'
  | 'not-succeeded'
  | 'wrong-revision'
  | 'stale-reconcile'
  | 'out-of-sync'
  | 'sync-revision-mismatch'
  | 'degraded'
  | 'not-healthy'
  | 'error-condition'
  | 'converged';

export interface ConvergenceObservation {
  operationPending: boolean;
  operationPhase?: OperationPhase;
  operationMessage?: string;
  operationStartedAt?: string;
  operationFinishedAt?: string;
  syncResultRevision?: string;
  initiatedBy?: { username?: string; automated?: boolean };
  promotionInfo?: string;
  reconciledAt?: string;
  syncStatus?: SyncStatusCode;
  syncRevision?: string;
  health?: HealthStatusCode;
  healthMessage?: string;
  errorConditions: { type: string; message: string }[];
}

export interface ConvergenceResult {
  state: ConvergenceState;
  clause: ConvergenceClause;
  reason: string;
  /** When true the caller should ask for `?refresh=normal` on its next poll rather than a plain GET. */
  refresh: boolean;
  observation: ConvergenceObservation;
}

export interface ConvergenceTarget {
  /** The full commit SHA Flow Controller pushed and asked Argo CD to sync. */
  sha: string;
  /** Sent as sync `infos: [{name: 'promotion', value: promotionId}]`; identifies our operation. */
  promotionId: string;
  /** Our sync request time; an operation started earlier (second precision, as Argo stores it) is not ours. */
  startedAfter?: Date;
  /**
   * An operator's retry time: status reconciled earlier (second precision) predates the retry and is not
   * judged; the caller refreshes until Argo has reconciled again.
   */
  reconciledAfter?: Date;
  /**
   * Pitfall 5 with a shared branch: after our operation synced `sha`, Argo compares the app at the
   * branch head, which other writers (other environments' promotions in the same repository) may have
   * moved on. When true, a Synced app compared at a different revision counts as converged for our
   * operation; the caller must then prove the live state itself (verify-images checks every workload's
   * release-id annotation and running images). When false, keep waiting, as `argocd app wait` does.
   */
  acceptNewerBranchRevision?: boolean;
  /**
   * Auto-sync mode (the application's automated sync policy does the syncing, we send no sync): an operation
   * initiated by Argo's automated sync counts as ours when its `syncResult.revision` is exactly `sha`. An
   * automated operation at any other revision (an older one, before Argo noticed our commit) is not: keep
   * refreshing until Argo's own operation reaches the SHA. `startedAfter` does not apply to it (nothing of
   * ours was sent after which it must start; Argo never re-syncs a SHA it already attempted).
   */
  acceptAutomated?: boolean;
  /**
   * Multi-source apps: the 0-based positions in `spec.sources` of the sources that read the environment's
   * repository (`writtenSources`); their entries of `syncResult.revisions[]` and `status.sync.revisions[]` must be
   * `sha` where a single-source app's `revision` must. Ignored for a single-source app; for a multi-source app
   * without it no revision is found (the caller always passes it).
   */
  sourceIndexes?: readonly number[];
}

/** The `infos` entry name Flow Controller puts on its sync operations. */
export const PROMOTION_INFO_NAME = 'promotion';
const ERROR_CONDITIONS = new Set(['ComparisonError', 'InvalidSpecError', 'SyncError']);

function observe(app: Application, target: ConvergenceTarget): ConvergenceObservation {
  const st = app.status;
  const op = st?.operationState;
  const written = target.sourceIndexes ?? [];
  return {
    operationPending: app.operation !== undefined && app.operation !== null,
    operationPhase: op?.phase,
    operationMessage: op?.message,
    operationStartedAt: op?.startedAt,
    operationFinishedAt: op?.finishedAt,
    syncResultRevision: writtenRevision(app, written, op?.syncResult, target.sha),
    initiatedBy: op?.operation.initiatedBy,
    promotionInfo: op?.operation.info?.find((i) => i.name === PROMOTION_INFO_NAME)?.value,
    reconciledAt: st?.reconciledAt,
    syncStatus: st?.sync?.status,
    syncRevision: writtenRevision(app, written, st?.sync, target.sha),
    health: st?.health?.status,
    // Argo leaves the app-level health message empty; the reason sits on the worst resource.
    healthMessage:
      st?.health?.message ?? st?.resources?.find((r) => r.health?.status === st.health?.status && r.health?.message)?.health?.message,
    errorConditions: (st?.conditions ?? []).filter((c) => ERROR_CONDITIONS.has(c.type)).map((c) => ({ type: c.type, message: c.message })),
  };
}

function ms(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const t = Date.parse(time);
  return Number.isNaN(t) ? undefined : t;
}

export function assessConvergence(app: Application, target: ConvergenceTarget): ConvergenceResult {
  const o = observe(app, target);
  const result = (state: ConvergenceState, clause: ConvergenceClause, reason: string, refresh = false): ConvergenceResult => ({
    state,
    clause,
    reason,
    refresh,
    observation: o,
  });

  if (o.operationPending) {
    const by = app.operation?.initiatedBy;
    const who = by?.automated ? 'auto-sync' : (by?.username ?? 'unknown');
    return result('waiting', 'operation-pending', `an operation (initiated by ${who}) is pending or running`);
  }
  // Auto-sync mode: refresh, Argo's automated sync starts when a reconcile finds the app OutOfSync (a sync window
  // may have held it back when our commit was first seen).
  if (o.operationPhase === undefined)
    return result('waiting', 'no-operation-state', 'no operation state recorded yet', target.acceptAutomated === true);

  // Pitfall 4: the last operation may be auto-sync's or another user's.
  const startedAt = ms(o.operationStartedAt);
  const after = target.startedAfter ? Math.floor(target.startedAfter.getTime() / 1000) * 1000 : undefined;
  const automatedAtSha = target.acceptAutomated === true && o.initiatedBy?.automated === true && o.syncResultRevision === target.sha;
  if (
    !automatedAtSha &&
    (o.promotionInfo !== target.promotionId || (after !== undefined && (startedAt === undefined || startedAt < after)))
  ) {
    const by = o.initiatedBy?.automated ? 'auto-sync' : (o.initiatedBy?.username ?? 'unknown');
    if (target.acceptAutomated) {
      // Refresh: Argo's automated sync starts when a reconcile finds the app OutOfSync at our commit.
      return result(
        'waiting',
        'operation-not-ours',
        `waiting for Argo CD's automated sync to ${target.sha} (last operation by ${by} at ${o.syncResultRevision ?? 'no revision'})`,
        true,
      );
    }
    return result(
      'waiting',
      'operation-not-ours',
      `last operation is not ours (initiated by ${by}, promotion ${o.promotionInfo ?? 'none'})`,
    );
  }

  if (o.operationPhase === 'Failed' || o.operationPhase === 'Error') {
    return result('failed', 'operation-failed', `sync ${o.operationPhase}: ${o.operationMessage ?? 'no message'}`);
  }
  // Pitfall 3: syncResult.revision is already set while Running.
  if (o.operationPhase === 'Running' || o.operationPhase === 'Terminating') {
    return result('waiting', 'operation-running', `operation ${o.operationPhase}: ${o.operationMessage ?? ''}`.trim());
  }
  const finishedAt = ms(o.operationFinishedAt);
  if (finishedAt === undefined) return result('waiting', 'not-finished', 'operation has no finishedAt yet');
  if (o.operationPhase !== 'Succeeded') return result('waiting', 'not-succeeded', `operation phase ${o.operationPhase}`);
  if (o.syncResultRevision !== target.sha) {
    return result('failed', 'wrong-revision', `operation synced ${o.syncResultRevision ?? 'nothing'}, expected ${target.sha}`);
  }
  // Pitfalls 1 and 2: Succeeded is not rolled out, and health right after finishedAt may be stale.
  const reconciledAt = ms(o.reconciledAt);
  if (reconciledAt === undefined || reconciledAt < finishedAt) {
    return result('waiting', 'stale-reconcile', 'application not reconciled since the operation finished; health unknown', true);
  }
  const retriedAt = target.reconciledAfter ? Math.floor(target.reconciledAfter.getTime() / 1000) * 1000 : undefined;
  // Strictly after: a reconcile stamped in the retry's own second may predate it.
  if (retriedAt !== undefined && reconciledAt <= retriedAt) {
    return result('waiting', 'stale-reconcile', 'application not reconciled since the retry began; health unknown', true);
  }
  if (o.syncStatus !== 'Synced') return result('waiting', 'out-of-sync', `sync status ${o.syncStatus ?? 'missing'}`, true);
  // Pitfall 5: the branch may have moved on to a newer commit.
  const newer = o.syncRevision !== target.sha;
  if (newer && !target.acceptNewerBranchRevision) {
    return result(
      'waiting',
      'sync-revision-mismatch',
      `application compared at ${o.syncRevision ?? 'nothing'}, expected ${target.sha}`,
      true,
    );
  }
  if (o.health === 'Degraded') return result('failed', 'degraded', `application Degraded: ${o.healthMessage ?? 'no message'}`);
  if (o.health !== 'Healthy') {
    return result('waiting', 'not-healthy', `health ${o.health ?? 'missing'}${o.healthMessage ? `: ${o.healthMessage}` : ''}`);
  }
  const cond = o.errorConditions[0];
  if (cond) return result('waiting', 'error-condition', `${cond.type}: ${cond.message}`, true);
  return result(
    'converged',
    'converged',
    newer
      ? `revision ${target.sha} synced and healthy (branch since moved to ${o.syncRevision ?? '?'}; live state verified next)`
      : `revision ${target.sha} synced and healthy`,
  );
}

export type RolloutState = 'rolledOut' | 'progressing' | 'failed';
export interface RolloutResult {
  state: RolloutState;
  reason: string;
}

/** Rollout status of one workload, per the Kubernetes section of the contract (kubectl rollout status). */
export function assessWorkloadRollout(workload: Workload): RolloutResult {
  const meta = workload.object.metadata;
  const id = `${workload.kind} ${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
  const generation = meta?.generation ?? 0;
  const observed = workload.object.status?.observedGeneration ?? 0;
  // Pitfall 6: the controller has not seen the new spec yet.
  if (observed < generation) {
    return { state: 'progressing', reason: `${id}: waiting for the controller to observe generation ${generation} (observed ${observed})` };
  }
  switch (workload.kind) {
    case 'Deployment': {
      const { spec, status } = workload.object;
      const deadline = status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      if (deadline) return { state: 'failed', reason: `${id}: ${deadline.message ?? 'progress deadline exceeded'}` };
      const want = spec?.replicas ?? 1;
      const updated = status?.updatedReplicas ?? 0;
      const total = status?.replicas ?? 0;
      const available = status?.availableReplicas ?? 0;
      if (updated === want && total === want && available === want)
        return { state: 'rolledOut', reason: `${id}: ${want} replicas updated and available` };
      return { state: 'progressing', reason: `${id}: ${updated} of ${want} updated, ${total} total, ${available} available` };
    }
    case 'StatefulSet': {
      const { spec, status } = workload.object;
      const want = spec?.replicas ?? 1;
      const ready = status?.readyReplicas ?? 0;
      const revisionsMatch = status?.updateRevision !== undefined && status.updateRevision === status.currentRevision;
      if (ready === want && revisionsMatch)
        return { state: 'rolledOut', reason: `${id}: ${want} replicas ready at ${status?.currentRevision ?? ''}` };
      return {
        state: 'progressing',
        reason: `${id}: ${ready} of ${want} ready, current ${status?.currentRevision ?? '-'}, update ${status?.updateRevision ?? '-'}`,
      };
    }
    case 'DaemonSet': {
      const status = workload.object.status;
      const desired = status?.desiredNumberScheduled ?? 0;
      const updated = status?.updatedNumberScheduled ?? 0;
      const available = status?.numberAvailable ?? 0;
      if (updated >= desired && available >= desired) return { state: 'rolledOut', reason: `${id}: ${desired} pods updated and available` };
      return { state: 'progressing', reason: `${id}: ${updated} of ${desired} updated, ${available} available` };
    }
    default: {
      const never: never = workload;
      return { state: 'failed', reason: `unsupported workload ${String(never)}` };
    }
  }
}
