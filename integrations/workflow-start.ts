// Starting a promotion workflow (the API's promote request and the monitor's auto-rollback share it): one run per
// environment, whose previous run may still be closing when its record is already final, or soaking its release
// (then the caller ends the soak first: `beforeRetry`).
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Logger } from '../lib/logger.js';

/**
 * Starts `workflowType` with `options`; when the id is still taken by a run that is closing (its record is final,
 * the workflow completes a task later), waits (bounded) for it to close and starts once more. Returns the run id.
 * Throws WorkflowExecutionAlreadyStartedError when a run really is running.
 */
export async function startAfterPreviousCloses(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions,
  /** Runs when the id is taken, before waiting for the previous run to close (e.g. ending its soak). */
  beforeRetry?: () => Promise<void>,
): Promise<string> {
  const start = () => client.workflow.start(workflowType, options);
  try {
    return (await start()).firstExecutionRunId;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await beforeRetry?.();
    if (!(await previousRunClosed(client, options.workflowId))) throw err;
    return (await start()).firstExecutionRunId;
  }
}

/** Waits (bounded) until no run of `workflowId` is running; true when none is. */
async function previousRunClosed(client: Client, workflowId: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { status } = await client.workflow.getHandle(workflowId).describe();
      if (status.name !== 'RUNNING') return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return true;
      throw err;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Cancels these runs of `workflowId` (a soak superseded by a new promotion); a run already gone is fine. */
export async function cancelRuns(
  client: Client,
  logger: Logger,
  workflowId: string,
  runs: Array<{ deploymentId: number; runId: string }>,
): Promise<void> {
  for (const r of runs) {
    try {
      await client.workflow.getHandle(workflowId, r.runId).cancel();
      logger.info({ deploymentId: r.deploymentId, workflowId }, 'soak superseded by a new promotion');
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) logger.warn({ err: (err as Error).message }, 'could not cancel a soaking run');
    }
  }
}

/** Sends `signal` to each workflow (best effort: one that is gone or unreachable is reported to `onError`). */
export async function signalEach(
  client: Client,
  workflowIds: readonly string[],
  signal: SignalDefinition,
  onError: (err: unknown, workflowId: string) => void,
): Promise<void> {
  await Promise.all(
    workflowIds.map((id) =>
      client.workflow
        .getHandle(id)
        .signal(signal)
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) onError(err, id);
        }),
    ),
  );
}
