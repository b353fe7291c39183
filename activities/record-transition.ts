// Bookkeeping activities of the promotion workflow: state transitions of the deployment-history record
// (with their audit events, exactly once per idempotency key) and the final record step, which makes the
// release current in the environment in the same transaction as the history record's success.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { applyTransition, recordSuccess, RecordEndedError, type TransitionInput } from '../db/deployments.js';
import { FAILURE } from '../domain/promotion.js';

export type RecordTransitionInput = Omit<TransitionInput, 'message'> & { message?: string | null };

export function createRecordActivities(deps: ActivityDeps) {
  return {
    async recordTransition(input: RecordTransitionInput): Promise<void> {
      await deps.database.db.transaction((tx) => applyTransition(tx, input));
    },
    async recordSuccess(input: { deploymentId: number; sha: string; commitSha?: string | null }): Promise<void> {
      try {
        await deps.database.db.transaction((tx) => recordSuccess(tx, input));
      } catch (err) {
        if (err instanceof RecordEndedError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.recordEnded);
        throw err;
      }
    },
  };
}
