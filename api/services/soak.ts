// The API's side of the soak (docs/verification-and-monitoring.md, "Soak and verified releases"): what a refusal
// for an upstream that is not verified says about each missing environment, and superseding a soak when a new
// promotion of the environment starts (the soaking run still holds the environment's workflow id).
import type { Client } from '@temporalio/client';
import type { Tx } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';
import { soakingRuns } from '../../db/soak.js';
import { latestVerification } from '../../db/verifications.js';
import { cancelRuns } from '../../integrations/workflow-start.js';

/** `{ missing, states }` of UPSTREAM_NOT_VERIFIED: each missing environment's verification state (e.g. soaking until …). */
export async function unverifiedDetails(db: Tx, releaseId: string, missing: string[]) {
  const states = [];
  for (const environment of missing) {
    const row = await latestVerification(db, { environment, releaseId });
    states.push({
      environment,
      state: row?.state ?? null,
      soakUntil: row?.soakUntil?.toISOString() ?? null,
      revokedAt: row?.revokedAt?.toISOString() ?? null,
      reason: row?.reason ?? null,
    });
  }
  return { missing, states };
}

/**
 * A new promotion of the environment supersedes the soak of the previous one, whose workflow still runs under
 * the environment's workflow id: its run is cancelled (the soak ends `failed`, "superseded before the soak
 * completed", and the workflow completes without touching Git; workflows/promotion-soak.ts). Only a run whose
 * deployment's row is `soaking` is cancelled (db/soak.ts soakingRuns, integrations/workflow-start.ts cancelRuns).
 */
export async function endSoakOfPreviousRun(
  deps: { db: Tx; client: Client; logger: Logger },
  input: { environment: string; workflowId: string },
): Promise<void> {
  await cancelRuns(deps.client, deps.logger, input.workflowId, await soakingRuns(deps.db, input));
}
