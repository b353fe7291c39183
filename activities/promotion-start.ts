// Starting a deployment's promotion run from the worker (the auto-rollback and the queue do it, as the API does
// for a promote request): the input from the environment's policy (promoteInputOf), one run per environment
// (a soaking previous run is superseded first), and the run id written to the record. Idempotent: a run that
// already runs for this deployment (a retried start) is taken as started.
import { activityInfo, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ActivityDeps } from './deps.js';
import { getRelease } from '../db/releases.js';
import type { DeploymentRow } from '../db/deployments.js';
import { setRunId } from '../db/orphans.js';
import type { EnvironmentRow } from '../db/environments.js';
import { cancelRuns, startAfterPreviousCloses } from '../integrations/workflow-start.js';
import { soakingRuns } from '../db/soak.js';
import { DEFAULT_STEP_TIMEOUTS, promoteInputOf, promotionStartOptions } from '../workflows/promotion-messages.js';

/** Starts `promoteRelease` for a pending record; returns the run id. Throws when Temporal refuses (the caller retries). */
export async function startPromotionRun(
  deps: ActivityDeps,
  env: EnvironmentRow,
  deployment: DeploymentRow,
  opts: { initiator: string; breakGlass?: boolean },
): Promise<string> {
  const db = deps.database.db;
  const release = await getRelease(db, { id: deployment.releaseId });
  if (!release) throw new Error(`release ${deployment.releaseId} vanished`);
  const input = promoteInputOf({
    environment: env,
    deployment,
    initiator: opts.initiator,
    timeouts: deps.promotionTimeouts ?? DEFAULT_STEP_TIMEOUTS,
  });
  const options = promotionStartOptions({
    input,
    productVersion: release.productVersion,
    digest: release.digest,
    taskQueue: deps.workflowTaskQueue ?? activityInfo().taskQueue,
    ...(opts.breakGlass ? { breakGlass: true } : {}),
  });
  const client = Context.current().client;
  let runId: string;
  try {
    // The previous release may still be soaking under the environment's workflow id: this promotion supersedes it.
    runId = await startAfterPreviousCloses(client, 'promoteRelease', options, async () =>
      cancelRuns(client, deps.logger, options.workflowId, await soakingRuns(db, { environment: env.name, workflowId: options.workflowId })),
    );
  } catch (err) {
    // Already started: fine only when the running run is this deployment's own (a retried start).
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const running = await client.workflow.getHandle(options.workflowId).describe();
      if (Number(running.memo?.deploymentId) === deployment.id) {
        await db.transaction((tx) => setRunId(tx, { deploymentId: deployment.id, runId: running.runId }));
        return running.runId;
      }
    }
    throw err;
  }
  await db.transaction((tx) => setRunId(tx, { deploymentId: deployment.id, runId }));
  return runId;
}
