// Drizzle schema of notifications (docs/operations.md, "Notifications"): admins' subscriptions, one delivery row
// per (subscription, notification) — unique, so re-reading the event log never duplicates a delivery — and the
// dispatcher's durable cursor into the event log.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { apiTokens } from './schema.js';
import { sqlList } from './sql-list.js';
import {
  DELIVERY_STATES,
  type DeliveryState,
  type Notification,
  type NotificationTarget,
  type SubscriptionFilters,
} from '../domain/notifications.js';

/** A subscription. Never deleted: DELETE sets `deletedAt`, so its delivery log stays explainable. */
export const notificationSubscriptions = pgTable(
  'notification_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    filters: jsonb('filters').$type<SubscriptionFilters>().notNull(),
    /** Secrets by reference only (`env:`/`file:`), resolved by the delivery activity. */
    target: jsonb('target').$type<NotificationTarget>().notNull(),
    createdBy: text('created_by').notNull(),
    createdByTokenId: uuid('created_by_token_id').references(() => apiTokens.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('notification_subscriptions_active_idx')
      .on(t.createdAt)
      .where(sql`${t.deletedAt} is null`),
  ],
);

export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => notificationSubscriptions.id),
    /** The notification's key (`<tx>.<id>:<type>`, domain/notifications.ts). */
    eventKey: text('event_key').notNull(),
    /** X-Flow-Event-Id: stable for every attempt and redelivery (domain/notification-signature.ts). */
    idempotencyKey: text('idempotency_key').notNull(),
    notification: jsonb('notification').$type<Notification>().notNull(),
    state: text('state').$type<DeliveryState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** Manual redeliveries so far (each runs a fresh delivery workflow). */
    redeliveries: integer('redeliveries').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    /** Redacted: no secrets, no URL query strings. */
    lastError: text('last_error'),
    /** When the event was written (event → delivery latency). */
    eventAt: timestamp('event_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('notification_deliveries_event_idx').on(t.subscriptionId, t.eventKey),
    uniqueIndex('notification_deliveries_key_idx').on(t.idempotencyKey),
    index('notification_deliveries_list_idx').on(t.subscriptionId, t.id),
    // The dispatcher looks for deliveries never attempted (a start lost to a crash) on every pass: keep it small.
    index('notification_deliveries_unattempted_idx')
      .on(t.createdAt)
      .where(sql`${t.state} = 'pending' and ${t.attempts} = 0 and ${t.redeliveries} = 0`),
    check('notification_deliveries_state_check', sql`${t.state} in (${sqlList(DELIVERY_STATES)})`),
  ],
);

/** The dispatcher's position in the event log (db/events.ts): one row per dispatcher name. */
export const notificationCursors = pgTable('notification_cursors', {
  name: text('name').primaryKey(),
  tx: bigint('tx', { mode: 'number' }).notNull(),
  eventId: bigint('event_id', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
