// queuedPromotion (id promote-queue:<deploymentId>): the durable waiter of one queued promotion (docs/governance.md
// "Queues"). It asks the dequeue activity whether its record may start — first in its environment's queue, the
// environment free, every rule re-checked — which then starts `promoteRelease` like the API does, and ends. Until
// then it sleeps on a durable timer (it survives worker restarts), woken early by queueWakeSignal (a deployment of
// the environment ended, a queued one was cancelled or superseded, a pause was lifted). A record that is no
// longer queued (superseded, aborted, failed at its start) ends it. Continues as new after a bounded number of
// looks so its history stays small.
import { condition, continueAsNew, log, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { QUEUE_RECHECK_SECONDS, queueWakeSignal, type QueuedPromotionInput, type QueueWaitOutcome } from './promotion-messages.js';
import { PromotionStateKey } from './search-attributes.js';

/** Looks per run before continue-as-new (about 8 history events each). */
export const QUEUE_LOOKS_PER_RUN = 100;

const { dequeuePromotion } = proxyActivities<Activities>({
  // Starting the run may wait (bounded) for the environment's previous run to close.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
  summary: 'start if first in line and free',
});

export async function queuedPromotion(input: QueuedPromotionInput): Promise<QueueWaitOutcome> {
  let woken = false;
  setHandler(queueWakeSignal, () => {
    woken = true;
  });
  const recheckMs = Math.max(1, input.recheckSeconds ?? QUEUE_RECHECK_SECONDS) * 1000;
  for (let look = 0; look < QUEUE_LOOKS_PER_RUN && !workflowInfo().continueAsNewSuggested; look++) {
    woken = false;
    let result: QueueWaitOutcome;
    try {
      result = await dequeuePromotion({ deploymentId: input.deploymentId });
    } catch (err) {
      // Postgres or Temporal unreachable for a while: look again at the next timer.
      log.warn('queued promotion could not look at its environment', { error: (err as Error).message });
      result = { outcome: 'waiting', message: 'queued: could not look at the environment' };
    }
    if (result.outcome === 'started') {
      upsertSearchAttributes([{ key: PromotionStateKey, value: 'pending' }]);
      return result;
    }
    if (result.outcome === 'ended') {
      upsertSearchAttributes([{ key: PromotionStateKey, value: result.status }]);
      return result;
    }
    await condition(() => woken, recheckMs);
  }
  return continueAsNew<typeof queuedPromotion>(input);
}
