// Data access for releases. Rows are inserted once and never updated (the database enforces it).
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Tx } from './client.js';
import { releases } from './schema.js';
import type { Descriptor } from '../domain/descriptor.js';
import type { Override } from '../domain/validate.js';

export type ReleaseRow = typeof releases.$inferSelect;
export type ReleaseSummaryRow = Omit<ReleaseRow, 'descriptor'>;

export interface InsertReleaseInput {
  id: string;
  productVersion: string;
  templateKey: string;
  templateRevision: number;
  descriptor: Descriptor;
  digest: string;
  overrides: Override[];
  createdBy: string;
  createdByTokenId: string;
  idempotencyKey: string | null;
  requestDigest: string;
}

/**
 * Inserts a release. With an idempotency key, a concurrent insert of the same key by the same token loses
 * the race quietly and gets the winner's row back with created=false.
 */
export async function insertRelease(tx: Tx, input: InsertReleaseInput): Promise<{ row: ReleaseRow; created: boolean }> {
  const [row] = await tx
    .insert(releases)
    .values(input)
    .onConflictDoNothing({ target: [releases.createdByTokenId, releases.idempotencyKey] })
    .returning();
  if (row) return { row, created: true };
  if (input.idempotencyKey === null) throw new Error('release insert returned no row');
  const existing = await findReleaseByIdempotencyKey(tx, {
    createdByTokenId: input.createdByTokenId,
    idempotencyKey: input.idempotencyKey,
  });
  if (!existing) throw new Error('idempotent release vanished after a conflicting insert');
  return { row: existing, created: false };
}

export async function findReleaseByIdempotencyKey(
  tx: Tx,
  input: { createdByTokenId: string; idempotencyKey: string },
): Promise<ReleaseRow | undefined> {
  const [row] = await tx
    .select()
    .from(releases)
    .where(and(eq(releases.createdByTokenId, input.createdByTokenId), eq(releases.idempotencyKey, input.idempotencyKey)))
    .limit(1);
  return row;
}

export async function getRelease(tx: Tx, input: { id: string }): Promise<ReleaseRow | undefined> {
  const [row] = await tx.select().from(releases).where(eq(releases.id, input.id)).limit(1);
  return row;
}

export interface ListReleasesInput {
  productVersion?: string;
  /** Creator: a token id. */
  createdByTokenId?: string;
  /** Creator: a token name. */
  createdBy?: string;
  /** Keyset cursor: releases older than this sequence number. */
  beforeSeq?: number;
  limit: number;
}

/** Newest first, without descriptors; one extra row tells whether another page exists. */
export async function listReleases(tx: Tx, input: ListReleasesInput): Promise<{ rows: ReleaseSummaryRow[]; hasMore: boolean }> {
  const where: SQL[] = [];
  if (input.productVersion !== undefined) where.push(eq(releases.productVersion, input.productVersion));
  if (input.createdByTokenId !== undefined) where.push(eq(releases.createdByTokenId, input.createdByTokenId));
  if (input.createdBy !== undefined) where.push(eq(releases.createdBy, input.createdBy));
  if (input.beforeSeq !== undefined) where.push(lt(releases.seq, input.beforeSeq));
  const rows = await tx
    .select({
      id: releases.id,
      seq: releases.seq,
      productVersion: releases.productVersion,
      templateKey: releases.templateKey,
      templateRevision: releases.templateRevision,
      digest: releases.digest,
      overrides: releases.overrides,
      createdBy: releases.createdBy,
      createdByTokenId: releases.createdByTokenId,
      createdAt: releases.createdAt,
      idempotencyKey: releases.idempotencyKey,
      requestDigest: releases.requestDigest,
    })
    .from(releases)
    .where(and(...where))
    .orderBy(desc(releases.seq))
    .limit(input.limit + 1);
  return { rows: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}
