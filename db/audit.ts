// Data access for the audit trail. recordAudit() is called by every mutation inside the transaction that
// makes the change, so an event exists exactly when the change does.
import { and, desc, eq, getTableColumns, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Tx } from './client.js';
import { auditEvents } from './schema.js';

export interface AuditActor {
  name: string;
  /** Null when the system acts on its own (no API token involved). */
  tokenId?: string | null;
}

export interface RecordAuditInput {
  actor: AuditActor;
  action: string;
  subjectType: string;
  subjectId: string;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

export type AuditEvent = typeof auditEvents.$inferSelect;

const SECRET_KEY = /^(token|secret|password|authorization|apikey|api_key)$|secret|password/i;

/** Defence in depth: callers never pass secrets, but a key that names one is censored anyway. */
export function scrubDetails(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubDetails);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : scrubDetails(v)]),
  );
}

export async function recordAudit(tx: Tx, input: RecordAuditInput): Promise<{ id: number }> {
  const [row] = await tx
    .insert(auditEvents)
    .values({
      actor: input.actor.name,
      actorTokenId: input.actor.tokenId ?? null,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      requestId: input.requestId ?? null,
      details: scrubDetails(input.details ?? {}) as Record<string, unknown>,
    })
    .returning({ id: auditEvents.id });
  if (!row) throw new Error('audit insert returned no row');
  return row;
}

export interface ListAuditInput {
  actor?: string;
  actorTokenId?: string;
  action?: string;
  subjectType?: string;
  subjectId?: string;
  since?: Date;
  until?: Date;
  /** Keyset cursor: events before this (at, id) in the list's order. `at` is Postgres's text (microseconds). */
  before?: { at: string; id: number };
  limit: number;
}

/** An event of a list page, with its `at` as Postgres text (microsecond precision) for the next cursor. */
export type ListedAuditEvent = AuditEvent & { atText: string };

/**
 * Newest first by (at, id), paged with a row comparison on both (every filter has an index ending in (at, id));
 * fetches one extra row to tell whether another page exists.
 */
export async function listAudit(tx: Tx, input: ListAuditInput): Promise<{ events: ListedAuditEvent[]; hasMore: boolean }> {
  const where: SQL[] = [];
  if (input.actor !== undefined) where.push(eq(auditEvents.actor, input.actor));
  if (input.actorTokenId !== undefined) where.push(eq(auditEvents.actorTokenId, input.actorTokenId));
  if (input.action !== undefined) where.push(eq(auditEvents.action, input.action));
  if (input.subjectType !== undefined) where.push(eq(auditEvents.subjectType, input.subjectType));
  if (input.subjectId !== undefined) where.push(eq(auditEvents.subjectId, input.subjectId));
  if (input.since !== undefined) where.push(gte(auditEvents.at, input.since));
  if (input.until !== undefined) where.push(lte(auditEvents.at, input.until));
  if (input.before !== undefined) {
    where.push(sql`(${auditEvents.at}, ${auditEvents.id}) < (${input.before.at}::timestamptz, ${input.before.id})`);
  }
  const rows = await tx
    .select({ ...getTableColumns(auditEvents), atText: sql<string>`${auditEvents.at}::text` })
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(input.limit + 1);
  return { events: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}
