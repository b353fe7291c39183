// Data access for template revisions: append a revision, resolve a product version through its fallback
// chain, list keys and revisions.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { templates } from './schema.js';
import type { Template } from '../domain/descriptor.js';

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateMeta = Omit<TemplateRow, 'document'>;

const meta = {
  key: templates.key,
  revision: templates.revision,
  digest: templates.digest,
  createdBy: templates.createdBy,
  createdByTokenId: templates.createdByTokenId,
  createdAt: templates.createdAt,
};

export interface SaveTemplateInput {
  key: string;
  document: Template;
  digest: string;
  createdBy: string;
  createdByTokenId: string | null;
}

/**
 * Appends a revision for `key`, unless the newest revision already has this digest (then that revision is
 * returned with created=false, so a repeated PUT is idempotent). Must run inside a transaction: an advisory
 * lock on the key serialises concurrent saves so revision numbers never collide.
 */
export async function saveTemplateRevision(tx: Tx, input: SaveTemplateInput): Promise<{ row: TemplateRow; created: boolean }> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`template:${input.key}`}, 0))`);
  const [latest] = await tx.select().from(templates).where(eq(templates.key, input.key)).orderBy(desc(templates.revision)).limit(1);
  if (latest && latest.digest === input.digest) return { row: latest, created: false };
  const [row] = await tx
    .insert(templates)
    .values({ ...input, revision: (latest?.revision ?? 0) + 1 })
    .returning();
  if (!row) throw new Error('template insert returned no row');
  return { row, created: true };
}

/** The newest revision of the first key in `chain` that has one. */
export async function resolveTemplate(tx: Tx, input: { chain: string[] }): Promise<TemplateRow | undefined> {
  const chain = sql`${sql.raw('ARRAY[')}${sql.join(
    input.chain.map((k) => sql`${k}::text`),
    sql`, `,
  )}${sql.raw(']')}`;
  const [row] = await tx
    .select()
    .from(templates)
    .where(sql`${templates.key} = any(${chain})`)
    .orderBy(sql`array_position(${chain}, ${templates.key})`, desc(templates.revision))
    .limit(1);
  return row;
}

/** A given revision of `key`, or its newest when `revision` is omitted. */
export async function getTemplate(tx: Tx, input: { key: string; revision?: number }): Promise<TemplateRow | undefined> {
  const where =
    input.revision === undefined ? eq(templates.key, input.key) : and(eq(templates.key, input.key), eq(templates.revision, input.revision));
  const [row] = await tx.select().from(templates).where(where).orderBy(desc(templates.revision)).limit(1);
  return row;
}

export interface TemplateKeySummary extends TemplateMeta {
  revisions: number;
}

/** Every key with its newest revision's metadata (unsorted; the caller orders keys by semver). */
export async function listTemplateKeys(tx: Tx): Promise<TemplateKeySummary[]> {
  const rows = await tx.execute<{
    key: string;
    revision: number;
    digest: string;
    created_by: string;
    created_by_token_id: string | null;
    created_at: string | Date;
    revisions: string | number;
  }>(sql`
    select distinct on (key) key, revision, digest, created_by, created_by_token_id, created_at,
           count(*) over (partition by key) as revisions
    from templates order by key, revision desc`);
  return [...rows].map((r) => ({
    key: r.key,
    revision: Number(r.revision),
    digest: r.digest,
    createdBy: r.created_by,
    createdByTokenId: r.created_by_token_id,
    createdAt: new Date(r.created_at),
    revisions: Number(r.revisions),
  }));
}

export async function listTemplateRevisions(tx: Tx, input: { key: string }): Promise<TemplateMeta[]> {
  return tx.select(meta).from(templates).where(eq(templates.key, input.key)).orderBy(desc(templates.revision));
}
