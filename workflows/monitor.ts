// monitorEnvironment: one long-running workflow per environment (id monitor-<env>) that observes the current
// release's applications every `monitoring.intervalSeconds` (a durable timer: it survives worker restarts) and lets
// the tick activity open, resolve and act on incidents (activities/monitor-tick.ts). The configuration is read
// from the database on every tick, so an environment change needs no restart; the API's wake Signal observes at
// once. Ends when monitoring is disabled (the API starts it again when it is enabled), and continues as new after
// a bounded number of observations so its history stays small.
import { condition, continueAsNew, log, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { monitorStatusQuery, monitorWakeSignal, type MonitorInput, type MonitorResult, type MonitorStatus } from './monitor-messages.js';

/** Observations per run before continue-as-new (about 7 history events each). */
export const MONITOR_ITERATIONS_PER_RUN = 200;
/** Pause after a failed observation when the configuration could not be read. */
const FALLBACK_INTERVAL_SECONDS = 15;

// A local activity: the observation runs inside the workflow task (a marker in history instead of three activity
// events and a second workflow task), which halves the worker's and the server's work per observation. It is
// short (a few reads) and idempotent, so a retry after a lost workflow task is harmless.
const { monitorTick } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 2, initialInterval: '1 second' },
  summary: 'observe the environment',
});

export async function monitorEnvironment(input: MonitorInput): Promise<MonitorResult> {
  const carried = input.carried;
  let status: MonitorStatus = {
    lastObservedAt: carried?.lastObservedAt ?? null,
    lastError: carried?.lastError ?? null,
    progressing: carried?.progressing ?? false,
    applications: carried?.applications ?? [],
    openIncidents: carried?.openIncidents ?? 0,
    iterations: 0,
    totalIterations: carried?.totalIterations ?? 0,
  };
  let woken = false;
  setHandler(monitorStatusQuery, () => status);
  setHandler(monitorWakeSignal, () => {
    woken = true;
  });
  let interval = FALLBACK_INTERVAL_SECONDS;
  // At least one observation per run: a crafted input of 0 must not loop through continue-as-new.
  const perRun = Math.max(1, input.iterationsPerRun ?? MONITOR_ITERATIONS_PER_RUN);
  while (status.iterations < perRun && !workflowInfo().continueAsNewSuggested) {
    woken = false;
    const counts = { iterations: status.iterations + 1, totalIterations: status.totalIterations + 1 };
    try {
      const tick = await monitorTick({ environment: input.environment });
      if (tick.stopped) return { stopped: tick.stopped };
      interval = tick.intervalSeconds;
      status = {
        lastObservedAt: tick.observedAt,
        lastError: null,
        progressing: tick.progressing,
        // During a promotion the applications last seen are shown as progressing (nothing is judged).
        applications: tick.progressing
          ? status.applications.map((a) => ({ application: a.application, state: 'progressing' as const, problems: [] }))
          : tick.applications,
        openIncidents: tick.openIncidents,
        ...counts,
      };
    } catch (err) {
      // Argo CD, Kubernetes or Postgres unreachable: the applications are unknown until the next observation.
      const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      log.warn('monitor observation failed', { environment: input.environment, error: message });
      status = {
        ...status,
        lastError: message.slice(0, 500),
        applications: status.applications.map((a) => ({ ...a, state: 'unknown' as const })),
        ...counts,
      };
    }
    await condition(() => woken, interval * 1000);
  }
  return continueAsNew<typeof monitorEnvironment>({
    environment: input.environment,
    ...(input.iterationsPerRun !== undefined ? { iterationsPerRun: input.iterationsPerRun } : {}),
    carried: status,
  });
}
