// Drizzle schema of release governance (docs/governance.md): freeze windows, rejected releases, paused
// environments. Kept apart like the other schema files so each reads alone.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { apiTokens, releases } from './schema.js';
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

/**
 * A rejection of a release: while one is in force (not lifted) the release cannot be promoted anywhere, its
 * running promotions park, and auto-promotion skips it. Lifting (admins) keeps the row, with who and why.
 */
export const releaseRejections = pgTable(
  'release_rejections',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    releaseId: uuid('release_id')
      .notNull()
      .references(() => releases.id),
    reason: text('reason').notNull(),
    rejectedBy: text('rejected_by').notNull(),
    rejectedByTokenId: uuid('rejected_by_token_id').references(() => apiTokens.id),
    rejectedAt: timestamp('rejected_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    liftedAt: timestamp('lifted_at', { withTimezone: true, mode: 'date' }),
    liftedBy: text('lifted_by'),
    liftReason: text('lift_reason'),
  },
  (t) => [
    uniqueIndex('release_rejections_one_idx')
      .on(t.releaseId)
      .where(sql`${t.liftedAt} is null`),
  ],
);

/**
 * A paused environment (`environment` null: all of them), stopping the line: no promotion starts there and
 * running ones park at their next step. Resuming keeps the row, with who and why.
 */
export const environmentPauses = pgTable(
  'environment_pauses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    environment: text('environment').references(() => environments.name),
    reason: text('reason').notNull(),
    pausedBy: text('paused_by').notNull(),
    pausedByTokenId: uuid('paused_by_token_id').references(() => apiTokens.id),
    pausedAt: timestamp('paused_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    resumedAt: timestamp('resumed_at', { withTimezone: true, mode: 'date' }),
    resumedBy: text('resumed_by'),
    resumeReason: text('resume_reason'),
  },
  (t) => [
    uniqueIndex('environment_pauses_one_idx')
      .on(sql`coalesce(${t.environment}, '')`)
      .where(sql`${t.resumedAt} is null`),
  ],
);

/**
 * A hold on an environment's auto-promotion (docs/governance.md "Auto-promotion"): placed by a manual promotion of
 * another release (with the deployment) or by hand; auto-promotion starts nothing there until someone resumes it.
 * Resuming keeps the row, with who and why.
 */
export const autoPromotionHolds = pgTable(
  'auto_promotion_holds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    environment: text('environment')
      .notNull()
      .references(() => environments.name),
    reason: text('reason').notNull(),
    heldBy: text('held_by').notNull(),
    heldByTokenId: uuid('held_by_token_id').references(() => apiTokens.id),
    /** The manual promotion that placed it (null: placed by hand). */
    deploymentId: bigint('deployment_id', { mode: 'number' }),
    heldAt: timestamp('held_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    resumedAt: timestamp('resumed_at', { withTimezone: true, mode: 'date' }),
    resumedBy: text('resumed_by'),
    resumeReason: text('resume_reason'),
  },
  (t) => [
    uniqueIndex('auto_promotion_holds_one_idx')
      .on(t.environment)
      .where(sql`${t.resumedAt} is null`),
  ],
);
