// Asks Temporal whether a promotion workflow is running: used by the API (next promote request) and the
// worker's orphan sweep to decide whether an active deployment-history record is orphaned (domain/orphan.ts).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WorkflowProbe } from '../domain/orphan.js';

/** Describes the workflow by id, and by run id when the record knows it; 'unknown' if Temporal does not answer. */
export async function probePromotionWorkflow(client: Client, workflowId: string, runId: string | null): Promise<WorkflowProbe> {
  try {
    const description = await client.workflow.getHandle(workflowId, runId ?? undefined).describe();
    const memo = description.memo as { deploymentId?: unknown } | undefined;
    const deploymentId = typeof memo?.deploymentId === 'number' ? memo.deploymentId : null;
    const status = description.status.name;
    return status === 'RUNNING' ? { state: 'running', deploymentId } : { state: 'closed', status, deploymentId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { state: 'not-found' };
    return { state: 'unknown' };
  }
}
