// Bookkeeping activities of the promotion workflow: state transitions of the deployment-history record
// (with their audit events, exactly once per idempotency key) and the final record step, which makes the
// release current in the environment in the same transaction as the history record's success.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { applyTransition, getDeployment, recordSuccess, RecordEndedError, type TransitionInput } from '../db/deployments.js';
import { openVerificationOnRecord, type SoakPlan } from '../db/soak.js';
import { FAILURE, isTerminal } from '../domain/promotion.js';
import { wakeQueue } from './promotion-queue.js';

export type RecordTransitionInput = Omit<TransitionInput, 'message'> & { message?: string | null };

export function createRecordActivities(deps: ActivityDeps) {
  return {
    async recordTransition(input: RecordTransitionInput): Promise<void> {
      const row = await deps.database.db.transaction((tx) => applyTransition(tx, input));
      // The environment is free again: its queued promotions look now (docs/governance.md "Queues").
      if (input.status !== undefined && isTerminal(row.status)) await wakeQueue(deps, row.environment);
    },
    /**
     * With `verification` (workflows since soak-after-record), the same transaction opens the release's
     * verification row (db/soak.ts) and the soak plan comes back; without it nothing is returned (older histories).
     */
    async recordSuccess(input: {
      deploymentId: number;
      sha: string;
      commitSha?: string | null;
      verification?: boolean;
    }): Promise<{ verification: SoakPlan } | undefined> {
      const { verification, ...record } = input;
      try {
        const result = await deps.database.db.transaction(async (tx) => {
          await recordSuccess(tx, record);
          const environment = (await getDeployment(tx, { id: input.deploymentId }))?.environment;
          return {
            environment,
            plan: verification ? { verification: await openVerificationOnRecord(tx, { deploymentId: input.deploymentId }) } : undefined,
          };
        });
        if (result.environment) await wakeQueue(deps, result.environment);
        return result.plan;
      } catch (err) {
        if (err instanceof RecordEndedError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.recordEnded);
        throw err;
      }
    },
  };
}
