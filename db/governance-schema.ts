// Drizzle schema of release governance (docs/governance.md): freeze windows. Kept apart like the other
// schema files so each reads alone.
import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiTokens } from './schema.js';
import { environments } from './promotion-schema.js';
import { sqlList } from './sql-list.js';
import { FREEZE_KINDS, type FreezeKind, type FreezeSchedule } from '../domain/freeze.js';

/**
 * A freeze window of one environment, or of all (`environment` null). Never deleted: ending a window sets
 * `endedAt` (and who), so the audit trail and past decisions stay explainable.
 */
export const freezeWindows = pgTable(
  'freeze_windows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    environment: text('environment').references(() => environments.name),
    kind: text('kind').$type<FreezeKind>().notNull(),
    schedule: jsonb('schedule').$type<FreezeSchedule>().notNull(),
    reason: text('reason').notNull(),
    createdBy: text('created_by').notNull(),
    createdByTokenId: uuid('created_by_token_id').references(() => apiTokens.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    endedBy: text('ended_by'),
  },
  (t) => [
    check('freeze_windows_kind_check', sql`${t.kind} in (${sqlList(FREEZE_KINDS)})`),
    index('freeze_windows_env_idx').on(t.environment, t.createdAt),
  ],
);
