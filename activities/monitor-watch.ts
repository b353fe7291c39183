// monitorWatch: the monitor's observations inside one long-running activity (workflows/monitor.ts, patch
// `monitor-watch`). It runs the same observation as monitorTick (monitor-tick.ts: the same incident writes, policy
// actions and audit) every `intervalSeconds` in-process, heartbeating, and returns to the workflow only when
// something the workflow must know happened: the applications' states, a promotion's start or end, the open
// incidents' count or the interval changed, the policy acted, monitoring stopped, an observation failed twice — or
// after its budget (the run's remaining observations, WATCH_MAX_SECONDS). A steady environment so costs its reads
// and one heartbeat per interval (right after its observation, carrying its time for the status endpoint), no
// workflow task. Cancellation (the workflow's wake Signal) reaches it through the answer to a heartbeat, so within
// an interval (or WATCH_HEARTBEAT_EVERY_SECONDS), and ends it in its sleep, never half-way through an observation.
// (A second heartbeat a second before each observation cost a Temporal RPC per environment and interval and
// brought the wake forward by that one second only.)
import { CancelledFailure, Context } from '@temporalio/activity';
import type { MonitorApp, MonitorWatchProgress } from '../workflows/monitor-messages.js';
import { createLimiter } from '../lib/limiter.js';
import type { MonitorTickInput, MonitorTickResult } from './monitor-tick.js';

/** A watch returns after about this long whatever happens (continue-as-new and new code still come through). */
export const WATCH_MAX_SECONDS = 600;
/** While it sleeps, the watch heartbeats at least this often (the workflow sizes the heartbeat timeout to it). */
export const WATCH_HEARTBEAT_EVERY_SECONDS = 20;
/** During a slow observation (Argo CD or Kubernetes timing out), a heartbeat this often. */
const OBSERVING_HEARTBEAT_MS = 5_000;
/** An observation that takes longer fails (as the local activity's 2-minute limit did): a stuck read never hides behind heartbeats. */
export const OBSERVATION_TIMEOUT_MS = 120_000;
/** Observations running at once in this process, whatever the monitor worker's slots (they share the database pool). */
export const MAX_CONCURRENT_OBSERVATIONS = 50;

const observationSlot = createLimiter(MAX_CONCURRENT_OBSERVATIONS);

/** What the workflow knows of the environment: the watch returns when an observation differs. */
export interface MonitorSeen {
  progressing: boolean;
  applications: MonitorApp[];
  openIncidents: number;
}

export interface MonitorWatchInput {
  environment: string;
  /** The interval the workflow sized the heartbeat timeout to: a different configured interval returns. */
  intervalSeconds: number;
  /** null: return after the first observation (a new run, or after a failure). */
  previous: MonitorSeen | null;
  /** Wait an interval before the first observation (the workflow has just observed); false after a wake. */
  delayFirst: boolean;
  /** At most this many observations (the rest of the workflow run's budget). */
  maxObservations: number;
  /** Default WATCH_MAX_SECONDS (tests use less). */
  maxSeconds?: number;
}

export interface MonitorWatchResult {
  reason: 'changed' | 'stopped' | 'interval' | 'error' | 'budget' | 'time';
  /** Observations made, the failed one included. */
  observations: number;
  /** The last successful observation (absent when none succeeded). */
  last?: MonitorTickResult;
  /** The error of the last observation (it failed twice, a second apart). */
  error?: string;
}

export const seenOf = (t: MonitorTickResult): MonitorSeen => ({
  progressing: t.progressing,
  applications: t.applications,
  openIncidents: t.openIncidents,
});

const keyOf = (s: MonitorSeen) => JSON.stringify([s.progressing, s.openIncidents, s.applications]);

/** The watch activity, built on the worker's monitorTick (its cache of current deployments is shared). */
export function createMonitorWatch(tick: (input: MonitorTickInput) => Promise<MonitorTickResult>) {
  return {
    monitorWatch: (input: MonitorWatchInput): Promise<MonitorWatchResult> => watchEnvironment(tick, input),
  };
}

export async function watchEnvironment(
  tick: (input: MonitorTickInput) => Promise<MonitorTickResult>,
  input: MonitorWatchInput,
): Promise<MonitorWatchResult> {
  const ctx = Context.current();
  const started = Date.now();
  const intervalMs = input.intervalSeconds * 1000;
  const maxMs = (input.maxSeconds ?? WATCH_MAX_SECONDS) * 1000;
  // A retried attempt carries on from what the previous one reported (its heartbeat details), not from nothing.
  const carried = ctx.info.heartbeatDetails as Partial<MonitorWatchProgress> | undefined;
  const progress: MonitorWatchProgress = { lastObservedAt: carried?.lastObservedAt ?? null, observations: carried?.observations ?? 0 };
  let last: MonitorTickResult | undefined;

  /**
   * Sleeps `ms`, heartbeating every WATCH_HEARTBEAT_EVERY_SECONDS (none for an interval shorter than that: the one
   * after each observation keeps the heartbeat timeout); rejects at once on cancellation.
   */
  const pause = async (ms: number) => {
    let left = ms;
    while (left > WATCH_HEARTBEAT_EVERY_SECONDS * 1000) {
      await ctx.sleep(WATCH_HEARTBEAT_EVERY_SECONDS * 1000);
      ctx.heartbeat(progress);
      left -= WATCH_HEARTBEAT_EVERY_SECONDS * 1000;
    }
    await ctx.sleep(left);
  };
  const observe = (): Promise<MonitorTickResult> =>
    observationSlot(async () => {
      const beat = setInterval(() => ctx.heartbeat(progress), OBSERVING_HEARTBEAT_MS);
      let timer: NodeJS.Timeout | undefined;
      try {
        // Bounded: a read stuck on a lock or a pool never holds the watch (it fails like any observation).
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`observation took longer than ${OBSERVATION_TIMEOUT_MS / 1000} s`)),
            OBSERVATION_TIMEOUT_MS,
          );
        });
        return await Promise.race([tick({ environment: input.environment }), timeout]);
      } finally {
        clearInterval(beat);
        clearTimeout(timer);
      }
    });

  // A retried attempt (a worker restarted, a heartbeat timed out) observes at once: the environment has not been
  // observed since the previous attempt's last observation. Spread over a second so that a restart's retries do
  // not all observe in the same instant.
  const retried = ctx.info.attempt > 1;
  await pause(retried ? Math.floor(Math.random() * Math.min(intervalMs, 1_000)) : input.delayFirst ? intervalMs : 0);
  for (;;) {
    let t: MonitorTickResult;
    try {
      try {
        t = await observe();
      } catch (err) {
        if (err instanceof CancelledFailure) throw err;
        await ctx.sleep(1_000); // one retry, as the local activity had
        t = await observe();
      }
    } catch (err) {
      if (err instanceof CancelledFailure) throw err;
      const message = err instanceof Error ? err.message : String(err);
      return { reason: 'error', observations: progress.observations + 1, ...(last ? { last } : {}), error: message };
    }
    last = t;
    progress.observations += 1;
    progress.lastObservedAt = t.observedAt;
    ctx.heartbeat(progress); // the status endpoint reads the observation's time from here at once
    const reason = (() => {
      if (t.stopped) return 'stopped' as const;
      if (t.intervalSeconds !== input.intervalSeconds) return 'interval' as const;
      if (!input.previous || keyOf(t) !== keyOf(input.previous) || t.actions.length > 0) return 'changed' as const;
      if (progress.observations >= input.maxObservations) return 'budget' as const;
      if (Date.now() - started + intervalMs > maxMs) return 'time' as const;
      return undefined;
    })();
    if (reason) return { reason, observations: progress.observations, last: t };
    await pause(intervalMs);
  }
}
