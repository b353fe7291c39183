// The database's own copy of the promotion vocabulary (the status check constraint and the partial index
// that allows one active promotion per environment, both in committed migrations) must equal
// domain/promotion.ts. A new status added to the domain without a migration fails here.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ACTIVE_STATUSES, allTransitions, PROMOTION_STATUSES } from '../domain/promotion.js';
import { useTestDatabase } from '../test/harness.js';

const db = useTestDatabase();

/** The quoted literals of a constraint or index definition, in order: `'a'::text` → a. */
const literals = (definition: string) => [...definition.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]);

describe('SQL vocabulary', () => {
  it('the status check constraint lists exactly the promotion statuses', async () => {
    const rows = await db.database.db.execute<{ def: string }>(
      sql`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'deployments_status_check'`,
    );
    expect(rows).toHaveLength(1);
    expect(literals(rows[0]!.def)).toEqual([...PROMOTION_STATUSES]);
  });

  it('the one-active-promotion index covers exactly the active statuses', async () => {
    const rows = await db.database.db.execute<{ def: string }>(
      sql`select indexdef as def from pg_indexes where indexname = 'deployments_one_active_idx'`,
    );
    expect(rows).toHaveLength(1);
    expect(literals(rows[0]!.def)).toEqual([...ACTIVE_STATUSES]);
  });

  it('the lifecycle table read by the deployments trigger lists exactly canTransition', async () => {
    const rows = await db.database.db.execute<{ from_status: string; to_status: string }>(
      sql`select from_status, to_status from promotion_transitions`,
    );
    expect(rows.map((r) => `${r.from_status}->${r.to_status}`).sort()).toEqual(
      allTransitions()
        .map(([a, b]) => `${a}->${b}`)
        .sort(),
    );
  });
});
