// Drizzle schema of the event log (docs/events.md): every transition of a promotion, step, operator action,
// verification, incident and freeze window, in commit order, written by triggers (migration 0011) so that no
// writer can forget one and none can forge one. GET /v1/events streams it (Server-Sent Events, resumable).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /**
     * The writing transaction's id. Ids are assigned at insert, not at commit, so readers order by (tx, id) and
     * read only transactions older than every one still running (db/events.ts): a later commit can never land
     * behind a position a reader has passed.
     */
    tx: bigint('tx', { mode: 'number' })
      .notNull()
      .default(sql`(pg_current_xact_id()::text::bigint)`),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** `deployment`, `step`, `operator-action`, `verification`, `incident`, `freeze`. */
    type: text('type').notNull(),
    environment: text('environment'),
    releaseId: uuid('release_id'),
    deploymentId: bigint('deployment_id', { mode: 'number' }),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    index('events_position_idx').on(t.tx, t.id),
    index('events_environment_idx').on(t.environment, t.tx, t.id),
    index('events_release_idx').on(t.releaseId, t.tx, t.id),
    index('events_deployment_idx').on(t.deploymentId, t.tx, t.id),
  ],
);
