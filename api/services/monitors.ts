// Starting and waking environments' monitor workflows from the API (workflows/monitor.ts): an environment created
// or changed gets its monitor started, or woken to read its new configuration at once (signal-with-start: one
// call either way). Best effort: the configuration is saved whatever Temporal says, and the worker starts every
// missing monitor when it starts (worker.ts ensureMonitors).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../../lib/logger.js';
import { monitoringOf, monitorWorkflowId } from '../../domain/monitor.js';
import { monitorStartOptions, monitorWakeSignal } from '../../workflows/monitor-messages.js';

export async function wakeMonitor(
  deps: { client: Client; taskQueue: string; logger: Logger; enabled: boolean },
  env: { name: string; monitoring: unknown },
): Promise<void> {
  if (!deps.enabled) return;
  try {
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
  } catch (err) {
    deps.logger.warn({ environment: env.name, err: (err as Error).message }, 'could not start or wake the monitor workflow');
  }
}
