// Release ids by unambiguous prefix (issue 13): a path may name a release by its full UUID or by its first 8 or
// more hex digits (hyphens optional), as flowctl and people type them. The prefix becomes a key range on the
// primary key ([prefix000…, prefixfff…]), so resolving is one index range scan, never a text search.
import { z } from '@hono/zod-openapi';
import { and, asc, gte, lte } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { releases } from '../../db/schema.js';
import { ApiError } from '../errors.js';

const FULL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A release in a path: its UUID, or an unambiguous prefix of at least 8 hex digits. */
export const ReleaseRef = z
  .string()
  .min(8)
  .max(36)
  .regex(/^[0-9a-fA-F][0-9a-fA-F-]{7,35}$/, 'a release id, or its first 8 or more hex digits');

/** The UUID text with the prefix's hex digits padded by `fill` (0 for the low end, f for the high end). */
function pad(hex: string, fill: '0' | 'f'): string {
  const h = hex.padEnd(32, fill);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The release a reference names: 404 RELEASE_NOT_FOUND, or 400 AMBIGUOUS_RELEASE_ID listing the candidates. */
export async function resolveReleaseId(db: Tx, ref: string): Promise<string> {
  const text = ref.toLowerCase();
  if (FULL.test(text)) return text;
  const hex = text.replaceAll('-', '');
  if (!/^[0-9a-f]{8,32}$/.test(hex))
    throw new ApiError('BAD_REQUEST', `"${ref}" is not a release id or a prefix of one (8 or more hex digits)`);
  const rows = await db
    .select({ id: releases.id, productVersion: releases.productVersion })
    .from(releases)
    .where(and(gte(releases.id, pad(hex, '0')), lte(releases.id, pad(hex, 'f'))))
    .orderBy(asc(releases.id))
    .limit(6);
  const [only] = rows;
  if (rows.length === 1 && only) return only.id;
  if (rows.length === 0) throw new ApiError('RELEASE_NOT_FOUND', `No release id starts with ${ref}`);
  throw new ApiError(
    'AMBIGUOUS_RELEASE_ID',
    `${ref} matches several releases: ${rows
      .slice(0, 5)
      .map((r) => `${r.id} (${r.productVersion})`)
      .join(', ')}${rows.length > 5 ? ', …' : ''}; give more digits`,
    { candidates: rows.slice(0, 5) },
  );
}
