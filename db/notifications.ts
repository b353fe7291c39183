// Data access for notifications: subscriptions (admins, every change audited in the same transaction), the
// delivery log (one row per subscription and notification; attempts, last status, redacted last error) and the
// delivery state machine pending → delivered | failed-retrying → … → delivered | dead. The dispatcher's read
// of the event log is in db/notification-dispatch.ts.
import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { notificationDeliveries, notificationSubscriptions } from './notification-schema.js';
import type { SubscriptionInput } from '../domain/notifications.js';

export type SubscriptionRow = typeof notificationSubscriptions.$inferSelect;
export type DeliveryRow = typeof notificationDeliveries.$inferSelect;

interface Audited {
  actor: AuditActor;
  requestId?: string;
}

/** What the audit trail keeps of a subscription: everything but secret references' values (there are none: references only). */
function auditDetails(row: SubscriptionRow): Record<string, unknown> {
  return { name: row.name, enabled: row.enabled, filters: row.filters, targetKind: row.target.kind };
}

export async function insertSubscription(tx: Tx, input: SubscriptionInput & Audited): Promise<SubscriptionRow> {
  const [row] = await tx
    .insert(notificationSubscriptions)
    .values({
      name: input.name,
      enabled: input.enabled,
      filters: input.filters,
      target: input.target,
      createdBy: input.actor.name,
      createdByTokenId: input.actor.tokenId ?? null,
    })
    .returning();
  if (!row) throw new Error('subscription insert returned no row');
  await recordAudit(tx, {
    actor: input.actor,
    action: 'notification.subscription.create',
    subjectType: 'notification_subscription',
    subjectId: row.id,
    requestId: input.requestId ?? null,
    details: auditDetails(row),
  });
  return row;
}

export async function getSubscription(tx: Tx, input: { id: string; includeDeleted?: boolean }): Promise<SubscriptionRow | undefined> {
  const where = [eq(notificationSubscriptions.id, input.id)];
  if (!input.includeDeleted) where.push(isNull(notificationSubscriptions.deletedAt));
  const [row] = await tx
    .select()
    .from(notificationSubscriptions)
    .where(and(...where));
  return row;
}

export async function listSubscriptions(tx: Tx, input: { enabledOnly?: boolean } = {}): Promise<SubscriptionRow[]> {
  const where = [isNull(notificationSubscriptions.deletedAt)];
  if (input.enabledOnly) where.push(eq(notificationSubscriptions.enabled, true));
  return tx
    .select()
    .from(notificationSubscriptions)
    .where(and(...where))
    .orderBy(notificationSubscriptions.createdAt, notificationSubscriptions.id);
}

export async function updateSubscription(
  tx: Tx,
  input: { id: string } & SubscriptionInput & Audited,
): Promise<SubscriptionRow | undefined> {
  const [row] = await tx
    .update(notificationSubscriptions)
    .set({ name: input.name, enabled: input.enabled, filters: input.filters, target: input.target, updatedAt: new Date() })
    .where(and(eq(notificationSubscriptions.id, input.id), isNull(notificationSubscriptions.deletedAt)))
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'notification.subscription.update',
    subjectType: 'notification_subscription',
    subjectId: row.id,
    requestId: input.requestId ?? null,
    details: auditDetails(row),
  });
  return row;
}

export async function deleteSubscription(tx: Tx, input: { id: string } & Audited): Promise<SubscriptionRow | undefined> {
  const [row] = await tx
    .update(notificationSubscriptions)
    .set({ deletedAt: new Date(), enabled: false, updatedAt: new Date() })
    .where(and(eq(notificationSubscriptions.id, input.id), isNull(notificationSubscriptions.deletedAt)))
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'notification.subscription.delete',
    subjectType: 'notification_subscription',
    subjectId: row.id,
    requestId: input.requestId ?? null,
    details: { name: row.name },
  });
  return row;
}

/** A subscription's deliveries, newest first, keyset-paged by id. */
export async function listDeliveries(
  tx: Tx,
  input: { subscriptionId: string; beforeId?: number; limit: number },
): Promise<{ deliveries: DeliveryRow[]; hasMore: boolean }> {
  const where = [eq(notificationDeliveries.subscriptionId, input.subscriptionId)];
  if (input.beforeId !== undefined) where.push(lt(notificationDeliveries.id, input.beforeId));
  const rows = await tx
    .select()
    .from(notificationDeliveries)
    .where(and(...where))
    .orderBy(desc(notificationDeliveries.id))
    .limit(input.limit + 1);
  return { deliveries: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}

export async function getDelivery(tx: Tx, input: { id: number }): Promise<DeliveryRow | undefined> {
  const [row] = await tx.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, input.id));
  return row;
}

/** One attempt's outcome (the delivery activity, before it returns or throws). */
export async function recordDeliveryAttempt(
  tx: Tx,
  input: { id: number; ok: boolean; statusCode: number | null; error: string | null },
): Promise<void> {
  await tx
    .update(notificationDeliveries)
    .set({
      attempts: sql`${notificationDeliveries.attempts} + 1`,
      lastStatusCode: input.statusCode,
      lastError: input.error,
      updatedAt: new Date(),
      // A late failure of an attempt that raced a success never undoes `delivered`.
      state: input.ok
        ? 'delivered'
        : sql`case when ${notificationDeliveries.state} = 'delivered' then 'delivered' else 'failed-retrying' end`,
      ...(input.ok ? { deliveredAt: new Date() } : {}),
    })
    .where(eq(notificationDeliveries.id, input.id));
}

/** Retries exhausted (or a configuration that can never work): dead-lettered until an admin redelivers. */
export async function markDeliveryDead(tx: Tx, input: { id: number; error?: string }): Promise<void> {
  await tx
    .update(notificationDeliveries)
    .set({ state: 'dead', updatedAt: new Date(), ...(input.error ? { lastError: input.error } : {}) })
    .where(and(eq(notificationDeliveries.id, input.id), sql`${notificationDeliveries.state} <> 'delivered'`));
}

/** Redelivery: back to pending, one more redelivery (its workflow id); audited. Undefined: no such delivery. */
export async function redeliver(tx: Tx, input: { id: number } & Audited): Promise<DeliveryRow | undefined> {
  const [row] = await tx
    .update(notificationDeliveries)
    .set({ state: 'pending', redeliveries: sql`${notificationDeliveries.redeliveries} + 1`, updatedAt: new Date() })
    .where(eq(notificationDeliveries.id, input.id))
    .returning();
  if (!row) return undefined;
  await recordAudit(tx, {
    actor: input.actor,
    action: 'notification.delivery.redeliver',
    subjectType: 'notification_delivery',
    subjectId: String(row.id),
    requestId: input.requestId ?? null,
    details: { subscriptionId: row.subscriptionId, eventKey: row.eventKey, redeliveries: row.redeliveries },
  });
  return row;
}
