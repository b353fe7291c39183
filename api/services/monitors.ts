// Starting and waking environments' monitor workflows from the API (workflows/monitor.ts): an environment created
// or changed gets its monitor started, or woken to read its new configuration at once (signal-with-start: one
// call either way). Best effort: the configuration is saved whatever Temporal says, and the worker starts every
// missing monitor when it starts (worker.ts ensureMonitors).
import { WorkflowNotFoundError, type Client, type Connection } from '@temporalio/client';
import type { Logger } from '../../lib/logger.js';
import { monitoringOf, monitorWorkflowId } from '../../domain/monitor.js';
import { monitorStartOptions, monitorWakeSignal } from '../../workflows/monitor-messages.js';

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
