// Notification workflows (docs/operations.md, "Notifications"):
//   notificationDispatcher  a singleton per task queue: one activity per batch (event log → delivery rows → delivery
//                           workflows), a durable timer while idle, continue-as-new after a bounded number of batches
//   deliverNotification     one per delivery (and per manual redelivery): one POST activity retried with exponential
//                           backoff for hours, then dead-lettered
// Both only orchestrate; bodies, URLs and secrets never enter them (activities/notify.ts loads everything by id).
import { ActivityFailure, continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DeliveryInput, DeliveryResult, DispatcherInput } from './notify-messages.js';

/** Batches per dispatcher run before continue-as-new (about 6 history events each). */
export const DISPATCHER_ITERATIONS_PER_RUN = 500;

const { dispatchNotifications } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  summary: 'dispatch notifications from the event log',
});

const { deadLetterNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  summary: 'dead-letter the delivery',
});

export async function notificationDispatcher(input: DispatcherInput): Promise<void> {
  const perRun = Math.max(1, input.iterationsPerRun ?? DISPATCHER_ITERATIONS_PER_RUN);
  for (let i = 0; i < perRun && !workflowInfo().continueAsNewSuggested; i++) {
    const r = await dispatchNotifications({
      batchSize: input.batchSize ?? 200,
      maxBatches: input.maxBatches ?? 10,
      ...(input.name ? { name: input.name } : {}),
    });
    if (r.caughtUp) await sleep(Math.max(100, input.pollMs));
  }
  await continueAsNew<typeof notificationDispatcher>(input);
}

export async function deliverNotification(input: DeliveryInput): Promise<DeliveryResult> {
  const { postNotification } = proxyActivities<Activities>({
    // The request's own timeout, plus time to load the delivery and record the attempt.
    startToCloseTimeout: `${input.timeoutSeconds + 15} seconds`,
    retry: {
      initialInterval: `${input.retry.initialSeconds} seconds`,
      backoffCoefficient: 2,
      maximumInterval: `${input.retry.maxIntervalSeconds} seconds`,
      maximumAttempts: input.retry.maxAttempts,
      nonRetryableErrorTypes: ['NotificationConfigurationError'],
    },
    summary: 'POST the notification',
  });
  try {
    const r = await postNotification({ deliveryId: input.deliveryId, redelivery: input.redelivery });
    return { outcome: r.outcome };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await deadLetterNotification({ deliveryId: input.deliveryId });
    return { outcome: 'dead' };
  }
}
