// Drizzle schema: the tables of Flow Controller. One section per table; migrations in db/migrations are
// generated from this file by `npm run db:generate` (drizzle-kit) and are forward-only.
import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Audit trail: one row per mutation, written in the same transaction as the change it describes. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    requestId: text('request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_subject_idx').on(t.subjectType, t.subjectId), index('audit_events_at_idx').on(t.at)],
);
