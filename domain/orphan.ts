// When an active deployment-history record is orphaned: its promotion workflow is not running (never
// started — the API died between the insert and the start, Postgres or Temporal was down at the wrong
// moment — or ended without recording an outcome). An orphaned record would block its environment for good
// (one active promotion per environment), so the next promote request and the worker's periodic sweep fail
// it. Pure: the callers observe the workflow (integrations/temporal-probe.ts) and apply the verdict (db/orphans.ts).

/** What Temporal says about the promotion workflow of a record (described by workflow id, and run id if known). */
export type WorkflowProbe =
  | { state: 'running'; deploymentId: number | null }
  | { state: 'closed'; status: string; deploymentId: number | null }
  | { state: 'not-found' }
  /** Temporal did not answer: nothing can be concluded. */
  | { state: 'unknown' };

export interface ActiveRecord {
  id: number;
  runId: string | null;
  createdAt: Date;
  /**
   * Set when the record waited in a queue (docs/governance.md "Queues"): its start began when it left the queue,
   * its last update (queued → pending) — not when it was requested — so the grace period counts from `updatedAt`.
   */
  queuedAt?: Date | null;
  updatedAt?: Date;
}

/** Default for PROMOTION_ORPHAN_GRACE_SECONDS: how long a record without a run id may wait for its start. */
export const DEFAULT_ORPHAN_GRACE_SECONDS = 60;

/** Why the record is orphaned, or null when it is not (or when that cannot be told yet). */
export function orphanReason(record: ActiveRecord, probe: WorkflowProbe, now: Date, graceSeconds: number): string | null {
  if (probe.state === 'unknown') return null;
  if (record.runId) {
    // Described by its own run id: that run is ours.
    if (probe.state === 'running') return null;
    return `its workflow ended without recording an outcome (${probe.state === 'closed' ? probe.status : 'NOT_FOUND'})`;
  }
  // No run id: the start may still be in flight, so only a record older than the grace period can be judged,
  // and a running workflow counts only if it carries this deployment (its memo).
  const since = record.queuedAt && record.updatedAt ? record.updatedAt : record.createdAt;
  const ageSeconds = (now.getTime() - since.getTime()) / 1000;
  if (ageSeconds < graceSeconds) return null;
  if (probe.state === 'running' && probe.deploymentId === record.id) return null;
  const seen =
    probe.state === 'not-found'
      ? 'no workflow'
      : probe.state === 'running'
        ? "the running workflow is another deployment's"
        : `the last run is ${probe.status} and is not this deployment's`;
  return `its workflow never started (${seen} ${Math.round(ageSeconds)} s after the request): failed so that the environment is not blocked`;
}
