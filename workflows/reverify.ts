// reverifyEnvironment: runs an environment's verification checks again against its current release
// (`POST /v1/environments/:env/reverify`; docs/verification-and-monitoring.md, "Verification gates"). One run per
// environment at a time (workflow id `reverify:<env>`); the same check activity as the promotion's verify step.
// Its result is the outcome the API shows: passed, or failed with the release's verification revoked there and a
// `verification-failed` incident opened (both written by the activity, audited). Sandbox-safe.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ReverifyChecksResult } from '../activities/verify-gates.js';
import { checkActivityOptions, planChecks } from './promotion-verify.js';

export interface ReverifyInput {
  environment: string;
  releaseId: string;
  /** The deployment that made the release current. */
  deploymentId: number;
  requestedBy: string;
  reason: string | null;
  requestId?: string | null;
  heartbeatSeconds: number;
}

export type ReverifyResult = ReverifyChecksResult;

export async function reverifyEnvironment(input: ReverifyInput): Promise<ReverifyResult> {
  const plan = await planChecks(input.deploymentId);
  if (plan.checks.length === 0) {
    return { passed: true, message: 'no verification checks configured', revoked: false, incidentId: null, checks: [] };
  }
  const checks = proxyActivities<Activities>(checkActivityOptions(plan.checks, input.heartbeatSeconds, 're-verify'));
  return checks.reverifyChecks({
    environment: input.environment,
    deploymentId: input.deploymentId,
    releaseId: input.releaseId,
    requestedBy: input.requestedBy,
    reason: input.reason,
    ...(input.requestId ? { requestId: input.requestId } : {}),
  });
}
