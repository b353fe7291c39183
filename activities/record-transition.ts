// Bookkeeping activities of the promotion workflow: state transitions of the deployment-history record
// (with their audit events, exactly once per idempotency key) and the final record step, which makes the
// release current in the environment in the same transaction as the history record's success.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { applyTransitionMoved, getDeployment, recordSuccess, RecordEndedError, type TransitionInput } from '../db/deployments.js';
import { openVerificationOnRecord, type SoakPlan } from '../db/soak.js';
import { FAILURE, isTerminal } from '../domain/promotion.js';
import { promotionEnded } from '../lib/metrics.js';
import { wakeQueue } from './promotion-queue.js';
import { wakeAutoPromoters } from './auto-promotion.js';

export type RecordTransitionInput = Omit<TransitionInput, 'message'> & { message?: string | null };

export function createRecordActivities(deps: ActivityDeps) {
  return {
    async recordTransition(input: RecordTransitionInput): Promise<void> {
      const { row, from } = await deps.database.db.transaction((tx) => applyTransitionMoved(tx, input));
      if (from !== null && isTerminal(row.status)) promotionEnded(row);
      // The environment is free again: its queued promotions look now (docs/governance.md "Queues"); a retried
      // activity wakes them again, harmlessly.
      if (input.status !== undefined && isTerminal(row.status)) {
        await wakeQueue(deps, row.environment);
        await wakeAutoPromoters(deps, row.environment);
      }
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
        const { ended, result } = await deps.database.db.transaction(async (tx) => {
          const ended = await recordSuccess(tx, record);
          const soak = verification
            ? { verification: await openVerificationOnRecord(tx, { deploymentId: input.deploymentId }) }
            : undefined;
          return { ended, result: soak };
        });
        if (ended) promotionEnded({ ...ended, status: 'succeeded', finishedAt: new Date() });
        const environment = ended?.environment ?? (await getDeployment(deps.database.db, { id: input.deploymentId }))?.environment;
        if (environment) {
          await wakeQueue(deps, environment);
          // Environments that follow this one may have a release to promote now (docs/governance.md "Auto-promotion").
          await wakeAutoPromoters(deps, environment);
        }
        return result;
      } catch (err) {
        if (err instanceof RecordEndedError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.recordEnded);
        throw err;
      }
    },
  };
}
