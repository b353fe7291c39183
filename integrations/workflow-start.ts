// Starting a promotion workflow (the API's promote request and the monitor's auto-rollback share it): one run per
// environment, whose previous run may still be closing when its record is already final.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowStartOptions } from '@temporalio/client';

/**
 * Starts `workflowType` with `options`; when the id is still taken by a run that is closing (its record is final,
 * the workflow completes a task later), waits (bounded) for it to close and starts once more. Returns the run id.
 * Throws WorkflowExecutionAlreadyStartedError when a run really is running.
 */
export async function startAfterPreviousCloses(client: Client, workflowType: string, options: WorkflowStartOptions): Promise<string> {
  const start = () => client.workflow.start(workflowType, options);
  try {
    return (await start()).firstExecutionRunId;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !(await previousRunClosed(client, options.workflowId))) throw err;
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
