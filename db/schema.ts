// Drizzle schema of templates, releases, tokens and audit events, one section per table (environments,
// deployments and their steps are in db/promotion-schema.ts). Migrations in db/migrations are generated from
// both files by `npm run db:generate` (drizzle-kit) and are forward-only.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Descriptor, Template } from '../domain/descriptor.js';
import type { Override } from '../domain/validate.js';

/** Audit trail: one row per mutation, written in the same transaction as the change it describes. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    /** The API token that acted; null for the system itself (e.g. a workflow acting on its own). */
    actorTokenId: uuid('actor_token_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    requestId: text('request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  // The list (GET /v1/audit) is ordered by (at, id) descending and paged with a row comparison on both; each
  // filter has an index ending in (at, id), so a filtered page is an index range scan, never a sort.
  (t) => [
    index('audit_events_subject_idx').on(t.subjectType, t.subjectId, t.at, t.id),
    index('audit_events_at_idx').on(t.at, t.id),
    index('audit_events_actor_idx').on(t.actor, t.at, t.id),
    index('audit_events_actor_token_idx').on(t.actorTokenId, t.at, t.id),
    index('audit_events_action_idx').on(t.action, t.at, t.id),
  ],
);

/**
 * API tokens. Only the SHA-256 of a token is stored (tokens are 256-bit random, so a slow hash adds
 * nothing). Tokens are never deleted, only revoked, so audit rows and releases keep their creator.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** Who holds the token (a person or a system); approvals count per principal, not per token. */
    principal: text('principal').notNull(),
    role: text('role').$type<'viewer' | 'releaser' | 'promoter' | 'admin'>().notNull(),
    scopes: text('scopes')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Approver groups of the holder (`group:<name>` entries of an environment's approvers: domain/approval.ts). */
    groups: text('groups')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_idx').on(t.tokenHash),
    check('api_tokens_role_check', sql`${t.role} in ('viewer', 'releaser', 'promoter', 'admin')`),
  ],
);

/** Template revisions, keyed by (key, revision). Append-only: a trigger rejects UPDATE and DELETE. */
export const templates = pgTable(
  'templates',
  {
    key: text('key').notNull(),
    revision: integer('revision').notNull(),
    document: jsonb('document').$type<Template>().notNull(),
    digest: text('digest').notNull(),
    createdBy: text('created_by').notNull(),
    createdByTokenId: uuid('created_by_token_id').references(() => apiTokens.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.key, t.revision] }), check('templates_revision_check', sql`${t.revision} >= 1`)],
);

/**
 * Releases: the immutable artifact. The UUID is the release; the descriptor is stored with its canonical
 * digest and the template revision it was validated against. A trigger rejects UPDATE and DELETE.
 * `seq` orders releases for keyset pagination (newest first) without relying on clock ties.
 */
export const releases = pgTable(
  'releases',
  {
    id: uuid('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    productVersion: text('product_version').notNull(),
    templateKey: text('template_key').notNull(),
    templateRevision: integer('template_revision').notNull(),
    descriptor: jsonb('descriptor').$type<Descriptor>().notNull(),
    digest: text('digest').notNull(),
    overrides: jsonb('overrides').$type<Override[]>().notNull().default([]),
    createdBy: text('created_by').notNull(),
    createdByTokenId: uuid('created_by_token_id')
      .notNull()
      .references(() => apiTokens.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Idempotency-Key of the create request, unique per creating token. */
    idempotencyKey: text('idempotency_key'),
    /** Digest of what the create request asked for, to tell a retry from a different request. */
    requestDigest: text('request_digest').notNull(),
  },
  (t) => [
    uniqueIndex('releases_seq_idx').on(t.seq),
    uniqueIndex('releases_idempotency_idx').on(t.createdByTokenId, t.idempotencyKey),
    index('releases_product_version_idx').on(t.productVersion, t.seq),
    index('releases_created_by_idx').on(t.createdByTokenId, t.seq),
    index('releases_created_by_name_idx').on(t.createdBy, t.seq),
    foreignKey({ columns: [t.templateKey, t.templateRevision], foreignColumns: [templates.key, templates.revision] }),
  ],
);

/**
 * This installation (one row, created by its migration): a random id written into every GitOps commit
 * (`Flow-Controller-Installation`), so that a commit of another Flow Controller on the same repository, or
 * of this database before a restore, is never taken for ours (docs/gitops-engine.md).
 */
export const installation = pgTable(
  'installation',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    id: uuid('id').notNull().defaultRandom(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('installation_singleton_check', sql`${t.singleton}`)],
);
