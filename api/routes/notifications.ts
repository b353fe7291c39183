// Notifications (docs/operations.md, "Notifications"): admins' subscriptions and their delivery log.
//   POST   /v1/notifications/subscriptions                  create (audited)                                admin
//   GET    /v1/notifications/subscriptions                  list                                            admin
//   GET    /v1/notifications/subscriptions/:id              one                                             admin
//   PUT    /v1/notifications/subscriptions/:id              replace (audited)                               admin
//   PATCH  /v1/notifications/subscriptions/:id              change some fields (audited)                    admin
//   DELETE /v1/notifications/subscriptions/:id              delete (the row and its log stay; audited)      admin
//   GET    /v1/notifications/subscriptions/:id/deliveries   delivery log, newest first (keyset paging)      admin
//   POST   /v1/notifications/deliveries/:id/redeliver       a fresh delivery, same X-Flow-Event-Id (audited) admin
// Targets name secrets by reference only; the webhook/CDEvents URL must pass FC_ALLOWED_HOSTS (a Slack URL is a
// secret reference, checked when it is resolved).
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { iso } from '../schemas.js';
import { positionId } from '../cursor.js';
import { targetPolicyOf } from '../../lib/config.js';
import { secretRefProblem } from '../../domain/target-policy.js';
import { checkUrlProblem } from '../../domain/verification-policy.js';
import {
  DELIVERY_STATES,
  NotificationTarget,
  NotificationType,
  SubscriptionFilters,
  SubscriptionInput,
} from '../../domain/notifications.js';
import {
  deleteSubscription,
  getDelivery,
  getSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  redeliver,
  updateSubscription,
  type DeliveryRow,
  type SubscriptionRow,
} from '../../db/notifications.js';
import { deliveryStartOptions, notifySettingsOf, notifyTaskQueue } from '../../workflows/notify-messages.js';

const Subscription = z
  .object({
    id: z.string(),
    ...SubscriptionInput.shape,
    enabled: z.boolean(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('NotificationSubscription');

const SubscriptionBody = z.object(SubscriptionInput.shape).strict().openapi('NotificationSubscriptionRequest');
// Not SubscriptionInput.partial(): its `enabled` default would re-enable a disabled subscription on every patch.
const SubscriptionPatch = z
  .object({
    name: SubscriptionInput.shape.name.optional(),
    enabled: z.boolean().optional(),
    filters: SubscriptionFilters.optional(),
    target: NotificationTarget.optional(),
  })
  .strict()
  .openapi('NotificationSubscriptionPatch');

const Delivery = z
  .object({
    id: z.number().int(),
    subscriptionId: z.string(),
    eventKey: z.string(),
    idempotencyKey: z.string().openapi({ description: 'X-Flow-Event-Id: the same for every attempt and redelivery' }),
    type: NotificationType,
    environment: z.string().nullable(),
    deploymentId: z.number().int().nullable(),
    summary: z.string(),
    state: z.enum(DELIVERY_STATES),
    attempts: z.number().int(),
    redeliveries: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable().openapi({ description: 'Redacted: no secrets, no URL query strings' }),
    eventAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('NotificationDelivery');

function subscriptionView(r: SubscriptionRow): z.infer<typeof Subscription> {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    filters: r.filters,
    target: r.target,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function deliveryView(d: DeliveryRow): z.infer<typeof Delivery> {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    eventKey: d.eventKey,
    idempotencyKey: d.idempotencyKey,
    type: d.notification.type,
    environment: d.notification.environment,
    deploymentId: d.notification.deploymentId,
    summary: d.notification.summary,
    state: d.state,
    attempts: d.attempts,
    redeliveries: d.redeliveries,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    eventAt: d.eventAt.toISOString(),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    deliveredAt: iso(d.deliveredAt),
  };
}

/** The installation's policy on the target: URL allowed (and without credentials), references resolvable. */
function checkTarget(c: Context<AppEnv>, input: SubscriptionInput): void {
  const policy = targetPolicyOf(c.var.deps.config);
  const problems: Array<{ path: string; message: string }> = [];
  const t = input.target;
  if (t.kind === 'webhook' || t.kind === 'cdevents') {
    const p = checkUrlProblem(t.url, policy.allowedHosts);
    if (p) problems.push({ path: 'target.url', message: p });
  }
  const refs: Array<[string, string | undefined]> =
    t.kind === 'slack' ? [['target.urlRef', t.urlRef]] : [['target.secretRef', t.kind === 'webhook' ? t.secretRef : t.secretRef]];
  for (const [path, ref] of refs) {
    const p = ref === undefined ? undefined : secretRefProblem(ref, policy);
    if (p) problems.push({ path, message: p });
  }
  if (problems.length > 0) {
    throw new ApiError('SUBSCRIPTION_INVALID', `invalid subscription: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, {
      problems,
    });
  }
}

const IdParam = z.object({ id: z.guid().openapi({ param: { name: 'id', in: 'path' } }) });
const DeliveryIdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const TAGS = ['notifications'];

const createSub = protectedRoute('admin', {
  method: 'post',
  path: '/v1/notifications/subscriptions',
  tags: TAGS,
  summary: 'Create a notification subscription',
  request: { body: { content: { 'application/json': { schema: SubscriptionBody } }, required: true } },
  responses: { 201: json(Subscription, 'Created') },
  errors: [400, 415, 422],
});
const listSub = protectedRoute('admin', {
  method: 'get',
  path: '/v1/notifications/subscriptions',
  tags: TAGS,
  summary: 'Notification subscriptions',
  responses: { 200: json(z.object({ subscriptions: z.array(Subscription) }), 'Subscriptions') },
  errors: [400],
});
const getSub = protectedRoute('admin', {
  method: 'get',
  path: '/v1/notifications/subscriptions/{id}',
  tags: TAGS,
  summary: 'One notification subscription',
  request: { params: IdParam },
  responses: { 200: json(Subscription, 'Subscription') },
  errors: [400, 404],
});
const putSub = protectedRoute('admin', {
  method: 'put',
  path: '/v1/notifications/subscriptions/{id}',
  tags: TAGS,
  summary: 'Replace a notification subscription',
  request: { params: IdParam, body: { content: { 'application/json': { schema: SubscriptionBody } }, required: true } },
  responses: { 200: json(Subscription, 'Replaced') },
  errors: [400, 404, 415, 422],
});
const patchSub = protectedRoute('admin', {
  method: 'patch',
  path: '/v1/notifications/subscriptions/{id}',
  tags: TAGS,
  summary: 'Change some fields of a notification subscription',
  request: { params: IdParam, body: { content: { 'application/json': { schema: SubscriptionPatch } }, required: true } },
  responses: { 200: json(Subscription, 'Changed') },
  errors: [400, 404, 415, 422],
});
const deleteSub = protectedRoute('admin', {
  method: 'delete',
  path: '/v1/notifications/subscriptions/{id}',
  tags: TAGS,
  summary: 'Delete a notification subscription (its delivery log stays)',
  request: { params: IdParam },
  responses: { 200: json(Subscription, 'Deleted') },
  errors: [400, 404],
});
const listDel = protectedRoute('admin', {
  method: 'get',
  path: '/v1/notifications/subscriptions/{id}/deliveries',
  tags: TAGS,
  summary: 'Delivery log of a subscription, newest first',
  request: {
    params: IdParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(512).optional().openapi({ description: 'Opaque: the nextCursor of the previous page' }),
    }),
  },
  responses: { 200: json(z.object({ deliveries: z.array(Delivery), nextCursor: z.string().nullable() }), 'A page of deliveries') },
  errors: [400, 404],
});
const redeliverRoute = protectedRoute('admin', {
  method: 'post',
  path: '/v1/notifications/deliveries/{id}/redeliver',
  tags: TAGS,
  summary: 'Deliver again (a fresh delivery workflow; same X-Flow-Event-Id)',
  request: { params: DeliveryIdParam },
  responses: { 202: json(Delivery, 'Redelivery started') },
  errors: [400, 404, 409, 503],
});

async function mustGet(c: Context<AppEnv>, id: string): Promise<SubscriptionRow> {
  const row = await getSubscription(c.var.deps.database.db, { id });
  if (!row) throw new ApiError('SUBSCRIPTION_NOT_FOUND', `No notification subscription ${id}`);
  return row;
}

export const notificationRoutes = createRouter()
  .openapi(createSub, async (c) => {
    const body = c.req.valid('json');
    checkTarget(c, body);
    const actor = actorOf(c);
    const row = await c.var.deps.database.db.transaction((tx) => insertSubscription(tx, { ...body, actor, requestId: c.var.requestId }));
    return c.json(subscriptionView(row), 201);
  })
  .openapi(listSub, async (c) => c.json({ subscriptions: (await listSubscriptions(c.var.deps.database.db)).map(subscriptionView) }, 200))
  .openapi(getSub, async (c) => c.json(subscriptionView(await mustGet(c, c.req.valid('param').id)), 200))
  .openapi(putSub, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    checkTarget(c, body);
    const row = await c.var.deps.database.db.transaction((tx) =>
      updateSubscription(tx, { id, ...body, actor: actorOf(c), requestId: c.var.requestId }),
    );
    if (!row) throw new ApiError('SUBSCRIPTION_NOT_FOUND', `No notification subscription ${id}`);
    return c.json(subscriptionView(row), 200);
  })
  .openapi(patchSub, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      const current = await getSubscription(tx, { id });
      if (!current) throw new ApiError('SUBSCRIPTION_NOT_FOUND', `No notification subscription ${id}`);
      const merged: SubscriptionInput = {
        name: patch.name ?? current.name,
        enabled: patch.enabled ?? current.enabled,
        filters: patch.filters ?? current.filters,
        target: patch.target ?? current.target,
      };
      checkTarget(c, merged);
      return updateSubscription(tx, { id, ...merged, actor: actorOf(c), requestId: c.var.requestId });
    });
    if (!row) throw new ApiError('SUBSCRIPTION_NOT_FOUND', `No notification subscription ${id}`);
    return c.json(subscriptionView(row), 200);
  })
  .openapi(deleteSub, async (c) => {
    const { id } = c.req.valid('param');
    const row = await c.var.deps.database.db.transaction((tx) =>
      deleteSubscription(tx, { id, actor: actorOf(c), requestId: c.var.requestId }),
    );
    if (!row) throw new ApiError('SUBSCRIPTION_NOT_FOUND', `No notification subscription ${id}`);
    return c.json(subscriptionView(row), 200);
  })
  .openapi(listDel, async (c) => {
    const sub = await mustGet(c, c.req.valid('param').id);
    const q = c.req.valid('query');
    const { cursors } = c.var.deps.reads;
    const position = q.cursor === undefined ? undefined : await cursors.decode('deliveries', q.cursor);
    const { deliveries, hasMore } = await listDeliveries(c.var.deps.database.db, {
      subscriptionId: sub.id,
      limit: q.limit,
      ...(position === undefined ? {} : { beforeId: positionId(position, 0) }),
    });
    const last = deliveries.at(-1);
    return c.json(
      { deliveries: deliveries.map(deliveryView), nextCursor: hasMore && last ? await cursors.encode('deliveries', [last.id]) : null },
      200,
    );
  })
  .openapi(redeliverRoute, async (c) => {
    const { id } = c.req.valid('param');
    const db = c.var.deps.database.db;
    const current = await getDelivery(db, { id });
    if (!current) throw new ApiError('DELIVERY_NOT_FOUND', `No notification delivery ${id}`);
    if (!(await getSubscription(db, { id: current.subscriptionId }))) {
      throw new ApiError('CONFLICT', `The subscription of delivery ${id} was deleted`);
    }
    const row = await db.transaction((tx) => redeliver(tx, { id, actor: actorOf(c), requestId: c.var.requestId }));
    if (!row) throw new ApiError('DELIVERY_NOT_FOUND', `No notification delivery ${id}`);
    const config = c.var.deps.config;
    try {
      await c.var.deps.temporal.client.workflow.start(
        'deliverNotification',
        deliveryStartOptions({
          deliveryId: row.id,
          redelivery: row.redeliveries,
          settings: notifySettingsOf(config),
          taskQueue: notifyTaskQueue(config.TEMPORAL_TASK_QUEUE, config.NOTIFY_WORKER_ACTIVITIES > 0),
        }),
      );
    } catch (err) {
      throw new ApiError('WORKER_UNAVAILABLE', 'could not start the delivery workflow; try again', undefined, { cause: err });
    }
    return c.json(deliveryView(row), 202);
  });
