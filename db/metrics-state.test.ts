// The scrape-time state (db/metrics-state.ts): every environment, its queued and its waiting or parked promotions,
// its open incidents — queued and active promotions come from separate branches (one per partial index).
import { describe, expect, it } from 'vitest';
import { useTestDatabase, uniqueEnvName } from '../test/harness.js';
import { seedDeployment } from '../test/db-seed.js';
import { readMetricsState } from './metrics-state.js';

const db = useTestDatabase();

describe('readMetricsState', () => {
  it('counts queued promotions and waiting or parked ones per environment, not running or ended ones', async () => {
    const [queued, waiting, running] = [uniqueEnvName('mq'), uniqueEnvName('mw'), uniqueEnvName('mr')];
    const { sql } = db.database;
    const q = await seedDeployment(db.database, queued);
    const w = await seedDeployment(db.database, waiting);
    const r = await seedDeployment(db.database, running);
    // A promotion is queued when it is requested, never later: the lifecycle trigger is off for this fixture only.
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update deployments set status = 'queued' where id = ${q.deployment.id}`;
    });
    await sql`update deployments set status = 'awaiting_approval' where id = ${w.deployment.id}`;
    await sql`update deployments set status = 'running' where id = ${r.deployment.id}`;
    const rows = await readMetricsState(db.database.db);
    const of = (env: string) => rows.filter((row) => row.environment === env).map((row) => [row.row, row.key, row.count]);
    expect(of(queued)).toEqual(
      expect.arrayContaining([
        ['environment', null, 0],
        ['active', 'queued', 1],
      ]),
    );
    expect(of(waiting)).toEqual(
      expect.arrayContaining([
        ['environment', null, 0],
        ['active', 'awaiting_approval', 1],
      ]),
    );
    expect(of(running)).toEqual([['environment', null, 0]]);
    expect(of(queued)).toHaveLength(2);
    expect(of(waiting)).toHaveLength(2);
  });
});
