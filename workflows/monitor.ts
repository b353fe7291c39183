// monitorEnvironment: one long-running workflow per environment (id monitor-<env>) that observes the current
// release's applications every `monitoring.intervalSeconds` and lets the observation open, resolve and act on
// incidents (activities/monitor-tick.ts). Since the `monitor-watch` patch the observations run inside a long-running
// heartbeating activity on `<task queue>-monitor` (activities/monitor-watch.ts) that returns only when something
// changed or after ~10 minutes, so a steady environment costs no workflow task per interval; a worker that dies
// mid-watch loses it to the heartbeat timeout and the retry resumes on another (or the restarted) worker. Runs
// started before the patch keep the old loop: a local activity per interval and a durable timer. The configuration
// is read from the database on every observation, so an environment change needs no restart; the API's wake Signal
// cancels the watch and observes at once. Ends when monitoring is disabled (the API starts it again when it is
// enabled), and continues as new after a bounded number of observations so its history stays small.
import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { MonitorSeen, MonitorWatchResult } from '../activities/monitor-watch.js';
import {
  monitorStatusQuery,
  monitorTaskQueue,
  monitorWakeSignal,
  type MonitorInput,
  type MonitorResult,
  type MonitorStatus,
} from './monitor-messages.js';

/** Observations per run before continue-as-new (about 7 history events each). */
export const MONITOR_ITERATIONS_PER_RUN = 200;
/** Pause after a failed observation when the configuration could not be read. */
const FALLBACK_INTERVAL_SECONDS = 15;
/** activities/monitor-watch.ts WATCH_MAX_SECONDS and WATCH_HEARTBEAT_EVERY_SECONDS (not imported: activity code). */
const WATCH_MAX_SECONDS = 600;
const WATCH_HEARTBEAT_EVERY_SECONDS = 20;

/** The state a run shares with its Query and Signal handlers. */
interface Run {
  input: MonitorInput;
  status: MonitorStatus;
  perRun: number;
  woken: boolean;
  /** The running watch's scope: the wake Signal cancels it. */
  watching?: CancellationScope;
}

export async function monitorEnvironment(input: MonitorInput): Promise<MonitorResult> {
  const carried = input.carried;
  const run: Run = {
    input,
    status: {
      lastObservedAt: carried?.lastObservedAt ?? null,
      lastError: carried?.lastError ?? null,
      progressing: carried?.progressing ?? false,
      applications: carried?.applications ?? [],
      openIncidents: carried?.openIncidents ?? 0,
      iterations: 0,
      totalIterations: carried?.totalIterations ?? 0,
    },
    // At least one observation per run: a crafted input of 0 must not loop through continue-as-new.
    perRun: Math.max(1, input.iterationsPerRun ?? MONITOR_ITERATIONS_PER_RUN),
    woken: false,
  };
  setHandler(monitorStatusQuery, () => run.status);
  setHandler(monitorWakeSignal, () => {
    run.woken = true;
    run.watching?.cancel();
  });
  const stopped = patched('monitor-watch') ? await watchLoop(run) : await tickLoop(run);
  if (stopped) return stopped;
  return continueAsNew<typeof monitorEnvironment>({
    environment: input.environment,
    ...(input.iterationsPerRun !== undefined ? { iterationsPerRun: input.iterationsPerRun } : {}),
    carried: run.status,
  });
}

/** The status after a successful observation (during a promotion the applications last seen show as progressing). */
function observedStatus(
  status: MonitorStatus,
  tick: { observedAt: string; progressing: boolean; applications: MonitorStatus['applications']; openIncidents: number },
): MonitorStatus {
  return {
    ...status,
    lastObservedAt: tick.observedAt,
    lastError: null,
    progressing: tick.progressing,
    applications: tick.progressing
      ? status.applications.map((a) => ({ application: a.application, state: 'progressing' as const, problems: [] }))
      : tick.applications,
    openIncidents: tick.openIncidents,
  };
}

/** Argo CD, Kubernetes or Postgres unreachable: the applications are unknown until the next observation. */
function failedStatus(status: MonitorStatus, message: string): MonitorStatus {
  log.warn('monitor observation failed', { error: message });
  return {
    ...status,
    lastError: message.slice(0, 500),
    applications: status.applications.map((a) => ({ ...a, state: 'unknown' as const })),
  };
}

const errorMessage = (err: unknown) =>
  err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);

/** The watch's options: its heartbeat timeout follows the interval, so a dead worker's watch is retried promptly. */
function watchActivity(intervalSeconds: number) {
  const beat = Math.min(intervalSeconds, WATCH_HEARTBEAT_EVERY_SECONDS);
  return proxyActivities<Activities>({
    taskQueue: monitorTaskQueue(workflowInfo().taskQueue),
    heartbeatTimeout: `${2 * beat + 10} seconds`,
    startToCloseTimeout: `${intervalSeconds + WATCH_MAX_SECONDS + 300} seconds`,
    retry: { maximumAttempts: 3, initialInterval: '1 second' },
    summary: 'watch the environment',
  }).monitorWatch;
}

/** Since `monitor-watch`: one watch activity at a time, back to the workflow only on a change (or its budget). */
async function watchLoop(run: Run): Promise<MonitorResult | undefined> {
  let interval = FALLBACK_INTERVAL_SECONDS;
  let seen: MonitorSeen | null = null;
  let delayFirst = false;
  while (run.status.iterations < run.perRun && !workflowInfo().continueAsNewSuggested) {
    if (run.woken) delayFirst = false;
    run.woken = false;
    const scope = new CancellationScope();
    run.watching = scope;
    let result: MonitorWatchResult;
    try {
      const watch = watchActivity(interval);
      result = await scope.run(() =>
        watch({
          environment: run.input.environment,
          intervalSeconds: interval,
          previous: seen,
          delayFirst,
          maxObservations: run.perRun - run.status.iterations,
        }),
      );
    } catch (err) {
      if (isCancellation(err) && run.woken) continue; // woken: observe again at once
      if (isCancellation(err)) throw err; // the workflow itself is cancelled
      result = { reason: 'error', observations: 1, error: errorMessage(err) };
    } finally {
      run.watching = undefined;
    }
    if (result.last?.stopped) return { stopped: result.last.stopped };
    if (result.last) {
      interval = result.last.intervalSeconds;
      seen = { progressing: result.last.progressing, applications: result.last.applications, openIncidents: result.last.openIncidents };
      run.status = observedStatus(run.status, result.last);
    }
    if (result.error !== undefined) {
      run.status = failedStatus(run.status, result.error);
      seen = null; // the next successful observation comes back to the workflow
    }
    run.status = {
      ...run.status,
      iterations: run.status.iterations + result.observations,
      totalIterations: run.status.totalIterations + result.observations,
    };
    delayFirst = true;
  }
  return undefined;
}

// A local activity: the observation runs inside the workflow task (a marker in history instead of three activity
// events and a second workflow task). Runs started before `monitor-watch` replay this loop unchanged.
const { monitorTick } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 2, initialInterval: '1 second' },
  summary: 'observe the environment',
});

/** Before `monitor-watch`: one observation (a local activity) per interval, a durable timer between them. */
async function tickLoop(run: Run): Promise<MonitorResult | undefined> {
  let interval = FALLBACK_INTERVAL_SECONDS;
  while (run.status.iterations < run.perRun && !workflowInfo().continueAsNewSuggested) {
    run.woken = false;
    const counts = { iterations: run.status.iterations + 1, totalIterations: run.status.totalIterations + 1 };
    try {
      const tick = await monitorTick({ environment: run.input.environment });
      if (tick.stopped) return { stopped: tick.stopped };
      interval = tick.intervalSeconds;
      run.status = { ...observedStatus(run.status, tick), ...counts };
    } catch (err) {
      run.status = { ...failedStatus(run.status, errorMessage(err)), ...counts };
    }
    await condition(() => run.woken, interval * 1000);
  }
  return undefined;
}
