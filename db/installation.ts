// The installation id: a random UUID created once per database (migration 0005 inserts the row; the
// insert below only covers a database whose row was deleted). Loaded by the Git activities for the
// `Flow-Controller-Installation` trailer.
import { sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { installation } from './schema.js';

export async function getInstallationId(tx: Tx): Promise<string> {
  const [row] = await tx.select({ id: installation.id }).from(installation);
  if (row) return row.id;
  await tx.insert(installation).values({}).onConflictDoNothing();
  const [created] = await tx
    .select({ id: installation.id })
    .from(installation)
    .where(sql`${installation.singleton}`);
  if (!created) throw new Error('installation row missing');
  return created.id;
}
