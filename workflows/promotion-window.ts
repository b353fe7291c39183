// Waiting for Argo CD sync windows (workflow change `sync-window-wait`). When the sync step is refused by a sync
// window, or the wait sees Argo's automated sync held back by one, the activity fails with SyncWindowBlocked and
// says which application waits and how long (until the window should open, at most the recheck interval). The
// step then parks in awaiting_operator with the reason "blocked by sync window <schedule> …"; on a durable timer
// the workflow checks the windows again (`checkSyncWindow`, read-only, nothing recorded) until the sync may run,
// and then the system retries the step, as an operator would. An operator's retry or abort ends the wait at once,
// as for any park. The wait is bounded: a step waits for windows at most MAX_SYNC_WINDOW_WAIT_MS in a row, and
// parks for an operator at once when no opening is in sight (a window that never closes, an invalid window).
// With several clusters the failure and the park name the cluster (`cluster <name>: blocked by …`); the wait is
// recognized by the failure type, never by the message. Sandbox-safe.
import { ActivityFailure, ApplicationFailure, condition, isCancellation, patched } from '@temporalio/workflow';
import { FAILURE, syncWindowParkMessage } from '../domain/promotion.js';
import type { SyncWindowFailureDetails } from '../activities/sync-window.js';
import type { RecordTransitionInput } from '../activities/record-transition.js';
import { DEFAULT_STEP_TIMEOUTS, type PromoteInput } from './promotion-messages.js';
import { activitiesWith, optionsFor } from './promotion-steps.js';
import type { Decision } from './promotion-support.js';

export const SYNC_WINDOW_WAIT_PATCH = 'sync-window-wait';

/** How long one step waits for sync windows in a row, at most, before it waits for an operator (7 days). */
export const MAX_SYNC_WINDOW_WAIT_MS = 7 * 24 * 3600_000;

/** What a park that waits for a sync window shows, which application it waits for, and when it checks first. */
export interface WindowWait {
  waitMs: number;
  message: string;
  application: string;
  /** The cluster whose Argo CD holds the sync (absent in histories from before several clusters). */
  cluster?: string;
  manual: boolean;
}

/**
 * The sync windows have opened: the system retries the step, as an operator's retry would (recorded as `retry`
 * by `system`; the wait then judges only status reconciled after it).
 */
export const WINDOW_OPENED: Decision = { kind: 'retry', by: 'system' };

/** What waitForWindow needs of the run. */
export interface WindowRun {
  input: PromoteInput;
  /** When (workflow time) the current step was first blocked by a sync window; null when it is not. */
  windowBlockedSinceMs: number | null;
  record(transition: Omit<RecordTransitionInput, 'deploymentId'>): Promise<void>;
}

function applicationFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure) return applicationFailure(err.cause);
  return err instanceof ApplicationFailure ? err : undefined;
}

/** The wait for a sync window a step's failure asks for, or undefined when it parks for an operator as usual. */
export function syncWindowWait(run: WindowRun, err: unknown): WindowWait | undefined {
  const failure = applicationFailure(err);
  if (failure?.type !== FAILURE.syncWindowBlocked) {
    run.windowBlockedSinceMs = null;
    return undefined;
  }
  const now = Date.now();
  run.windowBlockedSinceMs ??= now;
  const d = (failure.details?.[0] ?? {}) as Partial<SyncWindowFailureDetails>;
  if (typeof d.waitMs !== 'number' || d.waitMs <= 0 || typeof d.application !== 'string') return undefined;
  if (now + d.waitMs - run.windowBlockedSinceMs > MAX_SYNC_WINDOW_WAIT_MS || !patched(SYNC_WINDOW_WAIT_PATCH)) return undefined;
  return {
    waitMs: d.waitMs,
    message: syncWindowParkMessage(failure.message),
    application: d.application,
    ...(typeof d.cluster === 'string' ? { cluster: d.cluster } : {}),
    manual: d.manual !== false,
  };
}

/**
 * The parked step's wait for its sync window: true once the windows allow the sync; false when an operator
 * decided first, or when the wait gives up (its bound reached, no opening in sight any more: recorded, the
 * promotion then waits for an operator). A failed check (Argo CD unreachable) is tried again at the next tick.
 */
export async function waitForWindow(run: WindowRun, wait: WindowWait, decided: () => boolean): Promise<boolean> {
  const check = activitiesWith('check sync windows', optionsFor('quick', run.input.timeouts ?? DEFAULT_STEP_TIMEOUTS, 0));
  const since = run.windowBlockedSinceMs ?? Date.now();
  let waitMs = wait.waitMs;
  for (;;) {
    if (await condition(decided, waitMs)) return false;
    let result;
    try {
      const { application, cluster, manual } = wait; // the cluster whose windows block (with several)
      result = await check.checkSyncWindow({ deploymentId: run.input.deploymentId, application, ...(cluster ? { cluster } : {}), manual });
    } catch (err) {
      if (isCancellation(err)) throw err;
      continue;
    }
    if (decided()) return false;
    if (result.open) return true;
    if (result.waitMs === null || Date.now() + result.waitMs - since > MAX_SYNC_WINDOW_WAIT_MS) {
      await run.record({ message: `${result.message}; no longer waiting on its own: Retry or Abort` });
      return false;
    }
    waitMs = result.waitMs;
  }
}
