// Notification activities (docs/operations.md, "Notifications"):
//   dispatchNotifications   the dispatcher's batch: event log after the durable cursor → delivery rows → one
//                           delivery workflow per new row (workflow id from the delivery id: an idempotent start)
//   postNotification        one delivery attempt: load the delivery and its subscription by id, resolve the secret
//                           reference, check FC_ALLOWED_HOSTS, build and sign the body, POST with a timeout, record
//                           the attempt; throws (retryable) on anything but 2xx
//   deadLetterNotification  retries exhausted: state `dead`
// Workflow inputs and results carry ids and counts only: bodies, URLs and secrets stay in this process.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { ActivityDeps } from './deps.js';
import { secretsOf } from './promotion-context.js';
import { dispatchBatch, strandedDeliveries } from '../db/notification-dispatch.js';
import { getDelivery, getSubscription, markDeliveryDead, recordDeliveryAttempt } from '../db/notifications.js';
import { redactDeliveryError, type NotificationTarget } from '../domain/notifications.js';
import { cdeventBody, slackBody, webhookBody, type BodyContext } from '../domain/notification-bodies.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureOf } from '../domain/notification-signature.js';
import { checkUrlProblem } from '../domain/verification-policy.js';
import {
  DEFAULT_NOTIFY_SETTINGS,
  deliveryStartOptions,
  type DeadLetterInput,
  type DispatchInput,
  type DispatchResult,
  type NotifySettings,
  type PostInput,
  type PostResult,
} from '../workflows/notify-messages.js';

/** Delivery workflows started at once, and per activity call at most. */
const START_CONCURRENCY = 32;
const MAX_STARTS_PER_CALL = 2000;

/** A delivery that can never succeed as configured (refused host, unresolvable secret): dead at once. */
const CONFIG_FAILURE = 'NotificationConfigurationError';

function settingsOf(deps: ActivityDeps): NotifySettings {
  return deps.notifications ?? DEFAULT_NOTIFY_SETTINGS;
}

async function startDelivery(client: Client, deps: ActivityDeps, deliveryId: number, taskQueue: string): Promise<void> {
  try {
    await client.workflow.start(
      'deliverNotification',
      deliveryStartOptions({ deliveryId, redelivery: 0, settings: settingsOf(deps), taskQueue }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

interface Request {
  url: string;
  body: string;
  headers: Record<string, string>;
  secrets: string[];
}

function requestOf(
  deps: ActivityDeps,
  target: NotificationTarget,
  ctx: BodyContext,
  notification: Parameters<typeof webhookBody>[0],
): Request {
  const resolve = (ref: string, field: string): string => {
    try {
      return secretsOf(deps).resolve(ref);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`${field}: ${(err as Error).message}`, CONFIG_FAILURE);
    }
  };
  let url: string;
  let secret: string | undefined;
  let body: unknown;
  const headers: Record<string, string> = { 'content-type': 'application/json', [EVENT_ID_HEADER]: ctx.eventId };
  switch (target.kind) {
    case 'webhook':
      url = target.url;
      secret = resolve(target.secretRef, 'target.secretRef');
      body = webhookBody(notification, ctx);
      break;
    case 'slack':
      url = resolve(target.urlRef, 'target.urlRef');
      body = slackBody(notification, ctx);
      break;
    case 'cdevents':
      url = target.url;
      secret = target.secretRef === undefined ? undefined : resolve(target.secretRef, 'target.secretRef');
      body = cdeventBody(notification, ctx);
      headers['content-type'] = 'application/cloudevents+json';
      break;
    default: {
      const never: never = target;
      throw new Error(`unknown target ${String(never)}`);
    }
  }
  const problem = checkUrlProblem(url, deps.allowedHosts ?? []);
  // The URL is never repeated (a Slack URL is a secret; any URL may carry a token in its query).
  if (problem) throw ApplicationFailure.nonRetryable(`target URL ${problem.replace(/^host \S+/, 'host')}`, CONFIG_FAILURE);
  const text = JSON.stringify(body);
  if (secret !== undefined) headers[SIGNATURE_HEADER] = signatureOf(secret, Math.floor(Date.now() / 1000), text);
  return { url, body: text, headers, secrets: [secret, target.kind === 'slack' ? url : undefined].filter((s): s is string => !!s) };
}

export function createNotifyActivities(deps: ActivityDeps) {
  return {
    async dispatchNotifications(input: DispatchInput): Promise<DispatchResult> {
      const { client, info } = Context.current();
      let events = 0;
      let deliveries = 0;
      let caughtUp = false;
      // Bounded per activity (batches and deliveries started) so one call stays well inside its timeout; the
      // workflow calls again at once when it has not caught up.
      for (let i = 0; i < input.maxBatches && !caughtUp && deliveries < MAX_STARTS_PER_CALL; i++) {
        const batch = await dispatchBatch(deps.database.sql, { limit: input.batchSize, ...(input.name ? { name: input.name } : {}) });
        events += batch.events;
        caughtUp = batch.caughtUp;
        // A few starts in flight at once: each is one round trip to the Temporal server.
        const queue = [...batch.deliveryIds];
        await Promise.all(
          Array.from({ length: Math.min(START_CONCURRENCY, queue.length) }, async () => {
            for (let id = queue.shift(); id !== undefined; id = queue.shift())
              await startDelivery(client, deps, id, deps.notifyTaskQueue ?? info.taskQueue);
          }),
        );
        deliveries += batch.deliveryIds.length;
        Context.current().heartbeat();
      }
      for (const id of await strandedDeliveries(deps.database.sql, { olderThanSeconds: 60, limit: 100 })) {
        await startDelivery(client, deps, id, deps.notifyTaskQueue ?? info.taskQueue);
      }
      return { events, deliveries, caughtUp };
    },

    async postNotification(input: PostInput): Promise<PostResult> {
      const db = deps.database.db;
      const delivery = await getDelivery(db, { id: input.deliveryId });
      if (!delivery) return { outcome: 'gone' };
      if (delivery.state === 'delivered' && input.redelivery === 0) return { outcome: 'delivered', statusCode: delivery.lastStatusCode };
      const subscription = await getSubscription(db, { id: delivery.subscriptionId });
      if (!subscription) {
        await markDeliveryDead(db, { id: delivery.id, error: 'the subscription was deleted' });
        return { outcome: 'gone' };
      }
      const settings = settingsOf(deps);
      const ctx: BodyContext = { eventId: delivery.idempotencyKey, publicUrl: settings.publicUrl, subscriptionId: subscription.id };
      let request: Request;
      try {
        request = requestOf(deps, subscription.target, ctx, delivery.notification);
      } catch (err) {
        await recordDeliveryAttempt(db, {
          id: delivery.id,
          ok: false,
          statusCode: null,
          error: redactDeliveryError((err as Error).message),
        });
        throw err;
      }
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal: AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(settings.timeoutSeconds * 1000)]),
        });
        status = res.status;
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 200 || res.status >= 300) error = `receiver answered HTTP ${res.status}`;
      } catch (err) {
        const e = err as { name?: string; message?: string; cause?: { code?: string } };
        error =
          e.name === 'TimeoutError'
            ? `timed out after ${settings.timeoutSeconds} s`
            : `request failed: ${e.cause?.code ?? e.message ?? 'error'}`;
      }
      const redacted = error === null ? null : redactDeliveryError(error, request.secrets);
      await recordDeliveryAttempt(db, { id: delivery.id, ok: error === null, statusCode: status, error: redacted });
      if (redacted !== null) throw ApplicationFailure.retryable(redacted, 'NotificationDeliveryFailed');
      return { outcome: 'delivered', statusCode: status };
    },

    async deadLetterNotification(input: DeadLetterInput): Promise<void> {
      await markDeliveryDead(deps.database.db, { id: input.deliveryId });
      deps.logger.warn({ deliveryId: input.deliveryId }, 'notification delivery dead-lettered');
    },
  };
}
