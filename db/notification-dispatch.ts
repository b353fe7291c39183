// The notification dispatcher's read of the event log (docs/events.md): in one transaction, lock the durable
// cursor row, read the next events after it (completed transactions only, like every reader of the log), map
// each to notifications (domain/notifications.ts), insert one delivery per matching subscription — unique on
// (subscription, notification key), so a batch read twice inserts nothing twice — and move the cursor. The caller
// starts a delivery workflow per new delivery id after the commit.
import type { Sql } from './client.js';
import { currentPosition, eventRowOf, type EventPosition, type EventRowText } from './events.js';
import { matches, notificationsOf, type EventLogRow, type SubscriptionFilters } from '../domain/notifications.js';
import { idempotencyKeyOf } from '../domain/notification-signature.js';

export const DEFAULT_DISPATCHER = 'default';

export interface DispatchBatchResult {
  /** Events read in this batch. */
  events: number;
  /** Ids of the deliveries this batch created. */
  deliveryIds: number[];
  /** Fewer events than the limit were waiting: the dispatcher has caught up. */
  caughtUp: boolean;
  position: EventPosition;
}

interface DispatchRowText extends EventRowText {
  previous_status: string | null;
}

/** Reads the cursor, creating it at the log's current end on first use (no notifications for the past). */
async function lockCursor(tx: Sql, name: string): Promise<EventPosition> {
  const start = await currentPosition(tx);
  await tx`insert into notification_cursors (name, tx, event_id) values (${name}, ${start.tx}, ${start.id}) on conflict (name) do nothing`;
  const [row] = await tx<
    Array<{ tx: string; event_id: string }>
  >`select tx, event_id from notification_cursors where name = ${name} for update`;
  if (!row) throw new Error('notification cursor missing');
  return { tx: Number(row.tx), id: Number(row.event_id) };
}

export async function dispatchBatch(sql: Sql, input: { name?: string; limit: number }): Promise<DispatchBatchResult> {
  const name = input.name ?? DEFAULT_DISPATCHER;
  return sql.begin(async (raw) => {
    const tx = raw as unknown as Sql;
    const after = await lockCursor(tx, name);
    const rows = await tx<DispatchRowText[]>`
      select e.tx, e.id, e.at, e.type, e.environment, e.release_id, e.deployment_id, e.data,
        case when e.type = 'deployment' then (
          select p.data->>'status' from events p
          where p.deployment_id = e.deployment_id and p.type = 'deployment' and (p.tx, p.id) < (e.tx, e.id)
          order by p.tx desc, p.id desc limit 1) end as previous_status
      from events e
      where (e.tx, e.id) > (${after.tx}, ${after.id})
        and e.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
      order by e.tx, e.id
      limit ${input.limit}`;
    const last = rows.at(-1);
    const position = last ? { tx: Number(last.tx), id: Number(last.id) } : after;
    const subscriptions = rows.length
      ? await tx<Array<{ id: string; filters: SubscriptionFilters }>>`
          select id, filters from notification_subscriptions where enabled and deleted_at is null`
      : [];
    const deliveries: Array<Record<string, unknown>> = [];
    for (const r of rows) {
      const row: EventLogRow = eventRowOf(r);
      for (const n of notificationsOf(row, r.previous_status ?? undefined)) {
        for (const s of subscriptions) {
          if (!matches(s.filters, n)) continue;
          deliveries.push({
            subscription_id: s.id,
            event_key: n.key,
            idempotency_key: idempotencyKeyOf(s.id, n.key),
            // Text: the server casts it to the jsonb column (the bulk helper does not serialize objects).
            notification: JSON.stringify(n),
            event_at: row.at.toISOString(),
          });
        }
      }
    }
    let deliveryIds: number[] = [];
    if (deliveries.length > 0) {
      const inserted = await tx<Array<{ id: string }>>`
        insert into notification_deliveries ${tx(deliveries, 'subscription_id', 'event_key', 'idempotency_key', 'notification', 'event_at')}
        on conflict do nothing returning id`;
      deliveryIds = inserted.map((d) => Number(d.id));
    }
    if (last)
      await tx`update notification_cursors set tx = ${position.tx}, event_id = ${position.id}, updated_at = now() where name = ${name}`;
    return { events: rows.length, deliveryIds, caughtUp: rows.length < input.limit, position };
  }) as Promise<DispatchBatchResult>;
}

/**
 * Deliveries created but never attempted for `olderThanSeconds` (the process died between the dispatch commit
 * and the workflow start): the dispatcher starts their workflows again (the start is idempotent).
 */
export async function strandedDeliveries(sql: Sql, input: { olderThanSeconds: number; limit: number }): Promise<number[]> {
  const rows = await sql<Array<{ id: string }>>`
    select id from notification_deliveries
    where state = 'pending' and attempts = 0 and redeliveries = 0 and created_at < now() - make_interval(secs => ${input.olderThanSeconds})
    order by id limit ${input.limit}`;
  return rows.map((r) => Number(r.id));
}
