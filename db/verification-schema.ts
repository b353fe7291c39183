// Drizzle schema of what happens after a promotion (docs/verification-and-monitoring.md): the verification
// state of each release in each environment, and the incidents the monitor (or a failed gate) opens.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { releases } from './schema.js';
import { deployments, environments } from './promotion-schema.js';
import { sqlList } from './sql-list.js';
import {
  INCIDENT_ACTIONS,
  INCIDENT_KINDS,
  VERIFICATION_STATES,
  type IncidentAction,
  type IncidentKind,
  type VerificationState,
} from '../domain/verification.js';

/**
 * One row per successful promotion (written by its workflow when the record step makes the release current):
 * the release's verification state in that environment. The newest row of a (environment, release) pair is
 * the one that counts; `verified` rows make the release eligible downstream where that is required.
 */
export const releaseVerifications = pgTable(
  'release_verifications',
  {
    deploymentId: bigint('deployment_id', { mode: 'number' })
      .primaryKey()
      .references(() => deployments.id),
    environment: text('environment')
      .notNull()
      .references(() => environments.name),
    releaseId: uuid('release_id')
      .notNull()
      .references(() => releases.id),
    state: text('state').$type<VerificationState>().notNull(),
    /** When the gates passed (null while they run, or when they failed). */
    checksPassedAt: timestamp('checks_passed_at', { withTimezone: true, mode: 'date' }),
    /** End of the soak (null: no soak, or not started). */
    soakUntil: timestamp('soak_until', { withTimezone: true, mode: 'date' }),
    verifiedAt: timestamp('verified_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    /** Why the state is failed or revoked. */
    reason: text('reason'),
    /** The last evaluation of every check: `{ checks: [{ name, kind, passed, samples: [...] }] }` (bounded). */
    evidence: jsonb('evidence').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('release_verifications_state_check', sql`${t.state} in (${sqlList(VERIFICATION_STATES)})`),
    index('release_verifications_release_idx').on(t.releaseId, t.environment, t.deploymentId),
    index('release_verifications_env_idx').on(t.environment, t.deploymentId),
    // DORA (db/dora.ts): an environment's revocations by time.
    index('release_verifications_revoked_idx')
      .on(t.environment, t.revokedAt)
      .where(sql`${t.revokedAt} is not null`),
  ],
);

/**
 * An incident: a difference between the live state and the current release (drift, degraded, missing,
 * out-of-sync) or a failed verification gate. At most one open incident per environment, application and kind
 * (a partial unique index); `action` records the one automatic action taken on it (never more than one).
 */
export const incidents = pgTable(
  'incidents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    environment: text('environment')
      .notNull()
      .references(() => environments.name),
    /** The Argo CD application (`<cluster>/<app>` when the environment spans several clusters); '' = the environment. */
    application: text('application').notNull().default(''),
    kind: text('kind').$type<IncidentKind>().notNull(),
    /** The current release when it was opened, and the deployment that made it current. */
    releaseId: uuid('release_id').references(() => releases.id),
    deploymentId: bigint('deployment_id', { mode: 'number' }).references(() => deployments.id),
    summary: text('summary').notNull(),
    /** Bounded evidence: `{ lines: ["staging/api/api: expected org/api:2.4.8, running org/api:hotfix"], … }`. */
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull().default({}),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    action: text('action').$type<IncidentAction>(),
    actionAt: timestamp('action_at', { withTimezone: true, mode: 'date' }),
    /** The rollback promotion the action started, if any. */
    actionDeploymentId: bigint('action_deployment_id', { mode: 'number' }).references(() => deployments.id),
    actionMessage: text('action_message'),
  },
  (t) => [
    check('incidents_kind_check', sql`${t.kind} in (${sqlList(INCIDENT_KINDS)})`),
    check('incidents_action_check', sql`${t.action} is null or ${t.action} in (${sqlList(INCIDENT_ACTIONS)})`),
    uniqueIndex('incidents_one_open_idx')
      .on(t.environment, t.application, t.kind)
      .where(sql`${t.resolvedAt} is null`),
    // History per environment, newest first (keyset on id), with or without the open filter.
    index('incidents_env_idx').on(t.environment, t.id),
    // DORA (db/dora.ts): an environment's incidents by opening time.
    index('incidents_env_first_seen_idx').on(t.environment, t.firstSeenAt),
  ],
);
