// Whether a sync window of an Application's AppProject blocks its sync now, and until when: Argo CD's
// syncwindows endpoint says which windows apply and whether a manual sync may run; the AppProject has their time
// zones; Argo's own rules (sync-window-rules.ts) then find the next moment a sync may run — the end of the active
// deny window(s), or the start of the next allow window — looking at most a week ahead.
import { ArgoCdError, type ArgoClient, type SyncWindow } from './argocd.js';
import {
  blockingWindows,
  canSync,
  describeWindow,
  InvalidSyncWindowError,
  nextSyncAllowed,
  SYNC_WINDOW_HORIZON_MS,
} from './sync-window-rules.js';

export interface SyncWindowBlock {
  application: string;
  /** The moment judged: Argo CD's clock when it answered (its `Date` header), else this process's. */
  nowMs: number;
  /** The sync asked about (manual: our sync request; automated: Argo's auto-sync) may run now. */
  canSync: boolean;
  /** Every window that applies to the application (with its time zone when the AppProject could be read). */
  windows: SyncWindow[];
  /** The windows that block it now (empty when it may run). */
  blocking: SyncWindow[];
  /** Their schedules, e.g. `['0 22 * * *']`. */
  schedules: string[];
  /** When the sync may run (epoch ms on Argo CD's clock, as `nowMs`); undefined: not within the horizon, or never. */
  opensAtMs?: number;
  /** Why the opening could not be computed (an invalid window, …), when it could not. */
  problem?: string;
  /** Time zones were read from the AppProject (false: it could not be read, UTC was assumed). */
  zonesKnown: boolean;
}

const same = (a: SyncWindow, b: SyncWindow) =>
  a.kind === b.kind && a.schedule === b.schedule && a.duration === b.duration && (a.manualSync ?? false) === (b.manualSync ?? false);

/**
 * Reads an application's sync windows and decides. `manual`: judge our sync request (a window with `manualSync`
 * lets it through; Argo's own `canSync` answer is authoritative), else Argo's automated sync. Errors of the
 * syncwindows call propagate (ArgoCdError); the AppProject is optional (a token without `projects, get`).
 */
export async function readSyncWindowBlock(
  argo: ArgoClient,
  q: { application: string; project?: string; manual: boolean; /** Default: Argo CD's time. */ nowMs?: number; horizonMs?: number },
): Promise<SyncWindowBlock> {
  const { windows: answer, serverTimeMs } = await argo.syncWindowsNow(q.application, q.project ? { project: q.project } : {});
  const now = q.nowMs ?? serverTimeMs ?? Date.now();
  const assigned = answer.assignedWindows ?? [];
  const base = { application: q.application, nowMs: now, windows: assigned, blocking: [], schedules: [], zonesKnown: true };
  if (assigned.length === 0) return { ...base, canSync: true };

  // The app endpoint shows kind, schedule, duration and manualSync only: the project has the time zones. Windows
  // the project does not list (a global project's) keep what the endpoint showed, read in UTC.
  let windows = assigned;
  let zonesKnown = false;
  if (q.project) {
    try {
      const own = (await argo.getProject(q.project)).spec?.syncWindows ?? [];
      windows = assigned.map((a) => own.find((p) => same(p, a)) ?? a);
      zonesKnown = assigned.every((a) => own.some((p) => same(p, a)));
    } catch (err) {
      if (!(err instanceof ArgoCdError) || err.retryable) throw err;
    }
  }
  try {
    const allowed = q.manual
      ? (answer.canSync ?? canSync(windows, { manual: true, atMs: now }))
      : canSync(windows, { manual: false, atMs: now });
    if (allowed) return { ...base, canSync: true, windows, zonesKnown };
    // Argo's answer stands even where our clock puts the window's end already behind us (clock skew).
    let blocking = blockingWindows(windows, q.manual, now);
    if (blocking.length === 0) blocking = (answer.activeWindows ?? []).filter((w) => w.kind === 'deny');
    const opensAtMs = nextSyncAllowed(windows, { manual: q.manual, fromMs: now, horizonMs: q.horizonMs ?? SYNC_WINDOW_HORIZON_MS });
    return {
      application: q.application,
      nowMs: now,
      canSync: false,
      windows,
      blocking,
      schedules: [...new Set(blocking.map((w) => w.schedule ?? '?'))],
      ...(opensAtMs !== undefined ? { opensAtMs: Math.max(opensAtMs, now) } : {}),
      zonesKnown,
    };
  } catch (err) {
    if (!(err instanceof InvalidSyncWindowError)) throw err;
    // Argo blocks every sync while a window cannot be evaluated; only fixing the project helps.
    return {
      ...base,
      canSync: false,
      blocking: assigned,
      schedules: assigned.map((w) => w.schedule ?? '?'),
      problem: err.message,
      zonesKnown,
    };
  }
}

/**
 * `blocked by sync window 0 22 * * * (deny 1h): prod-core may sync at 2025-06-02T23:00:01.000Z`: the park reason
 * shown in history and the UI.
 */
export function describeBlock(b: SyncWindowBlock, horizonMs = SYNC_WINDOW_HORIZON_MS): string {
  const windows = b.blocking.map(describeWindow).join(', ') || b.schedules.join(', ') || 'unknown';
  const when =
    b.opensAtMs !== undefined
      ? `may sync at ${new Date(b.opensAtMs).toISOString()}${b.zonesKnown ? '' : ' (time zones unknown, read as UTC)'}`
      : b.problem
        ? `cannot sync until the AppProject's windows are fixed: ${b.problem}`
        : `may not sync within the next ${Math.round(horizonMs / 86_400_000)} days`;
  return `blocked by sync window ${windows}: ${b.application} ${when}`;
}
