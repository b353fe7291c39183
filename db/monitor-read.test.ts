// The monitor's one-statement read (db/monitor-read.ts) returns what the drizzle reads it replaced return.
import { describe, expect, it } from 'vitest';
import { useTestDatabase, uniqueEnvName } from '../test/harness.js';
import { seedDeployment } from '../test/db-seed.js';
import { getEnvironment } from './environments.js';
import { findActiveDeployment } from './deployments.js';
import { listIncidents, openOrTouchIncident } from './incidents.js';
import { countOpenIncidents, readMonitorSnapshot } from './monitor-read.js';

const db = useTestDatabase();

describe('readMonitorSnapshot', () => {
  it('is the environment, its active deployment and its open incidents, as drizzle reads them', async () => {
    const env = uniqueEnvName('snap');
    const { deployment, release } = await seedDeployment(db.database, env);
    const { db: d, sql } = db.database;
    for (const application of ['a', 'b']) {
      await openOrTouchIncident(d, {
        environment: env,
        application,
        kind: 'drift',
        releaseId: release.id,
        deploymentId: deployment.id,
        summary: 's',
        evidence: { lines: ['l'] },
      });
    }
    const snapshot = await readMonitorSnapshot(sql, { environment: env });
    expect(snapshot?.environment).toEqual(await getEnvironment(d, { name: env }));
    expect(snapshot?.active).toEqual(await findActiveDeployment(d, { environment: env }));
    expect(snapshot?.active?.id).toBe(deployment.id);
    const open = (await listIncidents(d, { environment: env, open: true, limit: 100 })).incidents.length;
    expect(snapshot?.openIncidents).toBe(open);
    expect(open).toBe(2);
    expect(await countOpenIncidents(sql, { environment: env })).toBe(2);
  });

  it('has no active deployment once it ended, and nothing for an unknown environment', async () => {
    const env = uniqueEnvName('snap');
    const { deployment } = await seedDeployment(db.database, env);
    await db.database.sql`update deployments set status = 'aborted', finished_at = now() where id = ${deployment.id}`;
    const snapshot = await readMonitorSnapshot(db.database.sql, { environment: env });
    expect(snapshot?.active).toBeUndefined();
    expect(snapshot?.environment.name).toBe(env);
    expect(snapshot?.openIncidents).toBe(0);
    expect(await readMonitorSnapshot(db.database.sql, { environment: uniqueEnvName('none') })).toBeUndefined();
  });

  it('reuses the environment row while it is unchanged, and reads it again after any update of the row', async () => {
    const env = uniqueEnvName('snap');
    await seedDeployment(db.database, env);
    const { db: d, sql } = db.database;
    const first = await readMonitorSnapshot(sql, { environment: env });
    const second = await readMonitorSnapshot(sql, { environment: env });
    expect(second?.environment).toBe(first?.environment); // the same object: nothing parsed again
    // A configuration change, and a change of a column the API never shows as configuration.
    await sql`update environments set monitoring = ${JSON.stringify({ enabled: true, intervalSeconds: 45 })}::jsonb where name = ${env}`;
    const third = await readMonitorSnapshot(sql, { environment: env });
    expect(third?.environment).not.toBe(first?.environment);
    expect(third?.environment).toEqual(await getEnvironment(d, { name: env }));
    expect(third?.environment.monitoring).toMatchObject({ intervalSeconds: 45 });
    await sql`update environments set current_deployment_id = null where name = ${env}`;
    expect((await readMonitorSnapshot(sql, { environment: env }))?.environment.currentDeploymentId).toBeNull();
  });
});
