// The promotion order rule (domain/environment.ts checkPromotionRules) with what it reads from the database: where the
// release succeeded, and where it is verified when the environment requires it. One place for the API's promote
// request, the workflow's admission, the queue's start and auto-promotion's look.
import type { Tx } from './client.js';
import type { EnvironmentRow } from './environments.js';
import { succeededEnvironments } from './deployments.js';
import { verifiedEnvironments } from './verifications.js';
import { checkPromotionRules, type RuleViolation } from '../domain/environment.js';

/** Why `releaseId` may not be promoted to `env` by the promotion order rule (undefined: it may). */
export async function promotionRuleViolation(
  tx: Tx,
  env: Pick<EnvironmentRow, 'name' | 'currentReleaseId' | 'upstream' | 'upstreamRequires'>,
  releaseId: string,
): Promise<RuleViolation | undefined> {
  return checkPromotionRules({
    environment: env.name,
    releaseId,
    currentReleaseId: env.currentReleaseId,
    upstream: env.upstream,
    succeededIn: await succeededEnvironments(tx, { releaseId }),
    upstreamRequires: env.upstreamRequires,
    ...(env.upstreamRequires === 'verified' ? { verifiedIn: await verifiedEnvironments(tx, { releaseId }) } : {}),
  });
}
