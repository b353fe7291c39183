// Re-verification of an environment (`POST /v1/environments/:env/reverify`; docs/verification-and-monitoring.md,
// "Verification gates"): the environment's checks run again against its current release as the workflow
// reverifyEnvironment (one run per environment at a time), and its outcome is read back from Temporal.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApiError } from '../errors.js';
import type { PromotionServiceDeps } from './promotions.js';
import { getEnvironment } from '../../db/environments.js';
import { findActiveDeployment } from '../../db/deployments.js';
import { recordAudit } from '../../db/audit.js';
import type { Actor } from '../../domain/roles.js';
import { VerificationConfig } from '../../domain/verification.js';
import { reverifyWorkflowId } from '../../workflows/promotion-messages.js';
import { EnvironmentKey, ReleaseIdKey } from '../../workflows/search-attributes.js';
import type { reverifyEnvironment, ReverifyInput, ReverifyResult } from '../../workflows/reverify.js';

export type ReverifyStatus = 'running' | 'passed' | 'failed' | 'error';

export interface ReverifyView {
  environment: string;
  workflowId: string;
  runId: string;
  releaseId: string | null;
  status: ReverifyStatus;
  startedAt: string | null;
  closedAt: string | null;
  /** The outcome once the run has ended (passed or failed); `error` carries its reason in `message`. */
  result: ReverifyResult | null;
  message: string | null;
}

export async function startReverify(
  deps: PromotionServiceDeps,
  input: { environment: string; reason: string | null; actor: Actor; requestId: string },
): Promise<ReverifyView> {
  const db = deps.database.db;
  const env = await getEnvironment(db, { name: input.environment });
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${input.environment} does not exist`);
  if (!env.currentReleaseId || env.currentDeploymentId === null) {
    throw new ApiError('NO_CURRENT_RELEASE', `Environment ${env.name} has no current release to verify`);
  }
  const checks = VerificationConfig.safeParse(env.verification ?? {});
  if (!checks.success || checks.data.checks.length === 0) {
    throw new ApiError('NO_VERIFICATION_CHECKS', `Environment ${env.name} has no verification checks configured`);
  }
  const active = await findActiveDeployment(db, { environment: env.name });
  if (active) {
    throw new ApiError('PROMOTION_IN_PROGRESS', `Deployment ${active.id} is ${active.status} in ${env.name}; re-verify once it has ended`, {
      deploymentId: active.id,
      status: active.status,
    });
  }
  const workflowId = reverifyWorkflowId(env.name);
  const args: ReverifyInput = {
    environment: env.name,
    releaseId: env.currentReleaseId,
    deploymentId: env.currentDeploymentId,
    requestedBy: input.actor.name,
    reason: input.reason,
    requestId: input.requestId,
    heartbeatSeconds: deps.timeouts.heartbeatSeconds,
  };
  let runId: string;
  try {
    const handle = await deps.client.workflow.start<typeof reverifyEnvironment>('reverifyEnvironment', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [args],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `re-verify ${env.currentReleaseId} in ${env.name}`,
      staticDetails: `Re-verification of ${env.name} (release ${env.currentReleaseId}, deployment ${env.currentDeploymentId}) requested by ${input.actor.name}${input.reason ? `: ${input.reason}` : ''}`,
      typedSearchAttributes: [
        { key: EnvironmentKey, value: env.name },
        { key: ReleaseIdKey, value: env.currentReleaseId },
      ],
    });
    runId = handle.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ApiError('REVERIFY_IN_PROGRESS', `A re-verification of ${env.name} is already running`, { workflowId });
    }
    deps.logger.error({ err }, 'failed to start re-verification workflow');
    throw new ApiError('SERVICE_UNAVAILABLE', 'Temporal is unavailable; the re-verification was not started');
  }
  await db.transaction((tx) =>
    recordAudit(tx, {
      actor: { name: input.actor.name, tokenId: input.actor.tokenId },
      action: 'environment.reverify_requested',
      subjectType: 'environment',
      subjectId: env.name,
      requestId: input.requestId,
      details: { releaseId: env.currentReleaseId, deploymentId: env.currentDeploymentId, workflowId, runId, reason: input.reason },
    }),
  );
  return {
    environment: env.name,
    workflowId,
    runId,
    releaseId: env.currentReleaseId,
    status: 'running',
    startedAt: new Date().toISOString(),
    closedAt: null,
    result: null,
    message: null,
  };
}

/** The environment's latest re-verification as Temporal knows it (404 when none ran, or its history expired). */
export async function readReverify(deps: PromotionServiceDeps, environment: string): Promise<ReverifyView> {
  const env = await getEnvironment(deps.database.db, { name: environment });
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${environment} does not exist`);
  const workflowId = reverifyWorkflowId(env.name);
  const handle = deps.client.workflow.getHandle<typeof reverifyEnvironment>(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError('NOT_FOUND', `No re-verification of ${env.name} is known`);
    throw new ApiError('SERVICE_UNAVAILABLE', 'Temporal is unavailable');
  }
  const base = {
    environment: env.name,
    workflowId,
    runId: description.runId,
    releaseId: (description.typedSearchAttributes.get(ReleaseIdKey) as string | undefined) ?? null,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString() ?? null,
  };
  if (description.status.name === 'RUNNING') return { ...base, status: 'running', result: null, message: null };
  if (description.status.name === 'COMPLETED') {
    const result = await handle.result();
    return { ...base, status: result.passed ? 'passed' : 'failed', result, message: result.message };
  }
  let message: string = description.status.name.toLowerCase();
  await handle.result().catch((err: unknown) => {
    const cause = (err as { cause?: { cause?: Error; message?: string } }).cause;
    message = cause?.cause?.message ?? cause?.message ?? message;
  });
  return { ...base, status: 'error', result: null, message };
}
