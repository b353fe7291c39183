// Starting and waking environments' monitor workflows from the API (workflows/monitor.ts): an environment created
// or changed gets its monitor started, or woken to read its new configuration at once (signal-with-start: one
// call either way). Best effort: the configuration is saved whatever Temporal says, and the worker starts every
// missing monitor when it starts (worker.ts ensureMonitors). Also reads a monitor's status for the status endpoint.
import { WorkflowNotFoundError, type Client, type Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Logger } from '../../lib/logger.js';
import { monitoringOf, monitorWorkflowId } from '../../domain/monitor.js';
import {
  monitorStartOptions,
  monitorStatusQuery,
  monitorWakeSignal,
  type MonitorStatus,
  type MonitorWatchProgress,
} from '../../workflows/monitor-messages.js';

/**
 * The monitor's status: its Query, and the heartbeat of its running watch activity. The watch returns to the
 * workflow only when something changes, so the Query's status is true but for its `lastObservedAt`, which is then
 * the watch's (heartbeated right after each observation: at most an interval and an observation old, as a tick's was).
 * Undefined when the workflow does not answer (no worker, not running).
 */
export async function monitorStatusOf(client: Client, environment: string): Promise<MonitorStatus | undefined> {
  const handle = client.workflow.getHandle(monitorWorkflowId(environment));
  const [status, described] = await Promise.all([handle.query(monitorStatusQuery), handle.describe().catch(() => undefined)]);
  // The newest time any pending watch reported (after a wake, a cancelled watch may still be finishing next to the new one).
  let watched: string | null = null;
  for (const a of described?.raw.pendingActivities ?? []) {
    const payload = a.activityType?.name === 'monitorWatch' ? a.heartbeatDetails?.payloads?.[0] : undefined;
    const at = payload ? defaultPayloadConverter.fromPayload<MonitorWatchProgress>(payload)?.lastObservedAt : null;
    if (at && (!watched || at > watched)) watched = at;
  }
  return watched && (!status.lastObservedAt || watched > status.lastObservedAt) ? { ...status, lastObservedAt: watched } : status;
}

export async function wakeMonitor(
  deps: { client: Client; connection: Connection; taskQueue: string; logger: Logger; enabled: boolean },
  env: { name: string; monitoring: unknown },
): Promise<void> {
  if (!deps.enabled) return;
  // Bounded: an unreachable Temporal must not hold up saving an environment.
  await deps.connection
    .withDeadline(Date.now() + WAKE_TIMEOUT_MS, () => wake(deps, env))
    .catch((err: unknown) => {
      deps.logger.warn({ environment: env.name, err: (err as Error).message }, 'could not start or wake the monitor workflow');
    });
}

const WAKE_TIMEOUT_MS = 3_000;

async function wake(deps: { client: Client; taskQueue: string }, env: { name: string; monitoring: unknown }): Promise<void> {
  // Disabled: a running monitor is woken so that it reads the configuration and ends now.
  if (!monitoringOf(env.monitoring).enabled) {
    await deps.client.workflow
      .getHandle(monitorWorkflowId(env.name))
      .signal(monitorWakeSignal)
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
    return;
  }
  await deps.client.workflow.signalWithStart('monitorEnvironment', {
    ...monitorStartOptions(env.name, deps.taskQueue),
    signal: monitorWakeSignal,
    signalArgs: [],
  });
}
