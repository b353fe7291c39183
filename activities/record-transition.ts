// Bookkeeping activities of the promotion workflow: state transitions of the deployment-history record
// (with their audit events, exactly once per idempotency key) and the final record step, which makes the
// release current in the environment in the same transaction as the history record's success.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { applyTransition, recordSuccess, RecordEndedError, type TransitionInput } from '../db/deployments.js';
import { openVerificationOnRecord, type SoakPlan } from '../db/soak.js';
import { FAILURE } from '../domain/promotion.js';

export type RecordTransitionInput = Omit<TransitionInput, 'message'> & { message?: string | null };

export function createRecordActivities(deps: ActivityDeps) {
  return {
    async recordTransition(input: RecordTransitionInput): Promise<void> {
      await deps.database.db.transaction((tx) => applyTransition(tx, input));
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
        return await deps.database.db.transaction(async (tx) => {
          await recordSuccess(tx, record);
          return verification ? { verification: await openVerificationOnRecord(tx, { deploymentId: input.deploymentId }) } : undefined;
        });
      } catch (err) {
        if (err instanceof RecordEndedError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.recordEnded);
        throw err;
      }
    },
  };
}
