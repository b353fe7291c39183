// Sync windows in the Argo CD steps. When a window of the application's AppProject blocks the sync, the step reads
// the windows, works out when the sync may run (integrations/argocd-sync-windows.ts) and ends the attempt with a
// SyncWindowBlocked failure whose details tell the workflow what to wait for and how long. The workflow then
// parks and calls `checkSyncWindow` on a timer (when the window should open, at least every recheck interval, so
// that an edited or removed window counts soon) until the sync may run; then the step runs again. With several
// clusters the details name the cluster whose window blocks, and the check reads that cluster's Argo CD.
import { ApplicationFailure } from '@temporalio/activity';
import { DEFAULT_SYNC_WINDOW_RECHECK_MS, type ActivityDeps } from './deps.js';
import { loadContext, toFailure } from './promotion-context.js';
import { onCluster, promotionTargets } from './promotion-targets.js';
import type { ArgoClient } from '../integrations/argocd.js';
import { describeBlock, readSyncWindowBlock, type SyncWindowBlock } from '../integrations/argocd-sync-windows.js';
import { FAILURE } from '../domain/promotion.js';

/** Slack after the computed opening (Argo CD's `Date` header has second precision). */
const OPENING_MARGIN_MS = 1000;
const MIN_WAIT_MS = 1000;

/** The failure details the workflow reads (`workflows/promotion-window.ts`). */
export interface SyncWindowFailureDetails {
  application: string;
  /** The environment's cluster (domain/clusters.ts target name) whose Argo CD blocks the sync. */
  cluster: string;
  /** The sync that was blocked: ours (manual), or Argo's automated sync. */
  manual: boolean;
  schedules: string[];
  /** When the sync may run (ISO), null when not within a week (or an invalid window blocks it). */
  opensAt: string | null;
  /** How long the workflow waits before it checks again; null: no opening in sight, park for an operator. */
  waitMs: number | null;
}

function waitMsOf(deps: ActivityDeps, block: SyncWindowBlock): number | null {
  if (block.opensAtMs === undefined) return null;
  const recheckMs = deps.syncWindowRecheckMs ?? DEFAULT_SYNC_WINDOW_RECHECK_MS;
  return Math.max(MIN_WAIT_MS, Math.min(block.opensAtMs - block.nowMs + OPENING_MARGIN_MS, recheckMs));
}

/** The step's failure (the caller's onCluster/naming prefixes `cluster <name>: ` when there are several). */
export function syncWindowFailure(
  deps: ActivityDeps,
  block: SyncWindowBlock,
  { manual, cluster }: { manual: boolean; cluster: string },
): ApplicationFailure {
  const details: SyncWindowFailureDetails = {
    application: block.application,
    cluster,
    manual,
    schedules: block.schedules,
    opensAt: block.opensAtMs === undefined ? null : new Date(block.opensAtMs).toISOString(),
    waitMs: waitMsOf(deps, block),
  };
  return ApplicationFailure.nonRetryable(describeBlock(block), FAILURE.syncWindowBlocked, details);
}

/**
 * The sync window block of one application, or undefined when its windows let the sync run now (`manual`: our
 * sync request; else Argo's automated sync).
 */
export async function windowBlock(
  argo: ArgoClient,
  q: { application: string; project: string; manual: boolean },
): Promise<SyncWindowBlock | undefined> {
  const block = await readSyncWindowBlock(argo, q);
  return block.canSync ? undefined : block;
}

export interface CheckSyncWindowInput {
  deploymentId: number;
  application: string;
  /** Absent in histories from before several clusters: the environment's top-level target. */
  cluster?: string;
  manual: boolean;
}
export interface CheckSyncWindowResult {
  /** The sync may run now: the step can run again. */
  open: boolean;
  /** Still blocked: when to check again (null: no opening in sight). */
  waitMs: number | null;
  message: string;
}

export function createSyncWindowActivities(deps: ActivityDeps) {
  return {
    /** Does a sync window still block the application's sync? Read-only; idempotent. */
    async checkSyncWindow(input: CheckSyncWindowInput): Promise<CheckSyncWindowResult> {
      try {
        const ctx = await loadContext(deps, input.deploymentId);
        const targets = promotionTargets(deps, ctx);
        const target = input.cluster === undefined ? targets[0] : targets.find((t) => t.name === input.cluster);
        // The cluster left the environment's configuration: the step runs again and finds out what holds now.
        if (!target) return { open: true, waitMs: null, message: `cluster ${input.cluster ?? '?'} is no longer configured` };
        const q = { application: input.application, project: target.argocd.project, manual: input.manual };
        const block = await onCluster(target, () => windowBlock(target.argo(), q));
        const where = target.several ? `cluster ${target.name}: ` : '';
        if (!block) return { open: true, waitMs: null, message: `${where}${input.application}: sync windows allow the sync now` };
        return { open: false, waitMs: waitMsOf(deps, block), message: `${where}${describeBlock(block)}` };
      } catch (err) {
        throw toFailure(err);
      }
    },
  };
}
