// admitAndStart (workflow change admit-and-start): admission, the freeze check and the first transition in one
// transaction; a retry of an attempt that committed answers what was recorded, not a fresh freeze check.
import { describe, expect, it } from 'vitest';
import { useTestDatabase, uniqueEnvName } from '../test/harness.js';
import { seedDeployment } from '../test/db-seed.js';
import { createLogger } from '../lib/logger.js';
import { getDeployment } from '../db/deployments.js';
import { insertFreezeWindow } from '../db/freezes.js';
import { createAdmissionActivities } from './admission.js';
import type { ActivityDeps } from './deps.js';

const db = useTestDatabase();
const activities = () =>
  createAdmissionActivities({ database: db.database, logger: createLogger({ level: 'silent' }) } as unknown as ActivityDeps);
const freeze = (environment: string) =>
  insertFreezeWindow(db.database.db, {
    environment,
    kind: 'deny',
    schedule: { type: 'once', from: new Date(Date.now() - 60_000).toISOString(), until: new Date(Date.now() + 3_600_000).toISOString() },
    reason: 'test',
    actor: { name: 'test' },
  });

async function admit(env: string, runId: string) {
  const { deployment, release } = await seedDeployment(db.database, env);
  const input = {
    deploymentId: deployment.id,
    releaseId: release.id,
    environment: env,
    workflowId: `promote:${env}`,
    runId,
    key: `${runId}:1`,
  };
  return { deploymentId: deployment.id, input };
}

describe('admitAndStart', () => {
  it('records the start (running, scheduled under a freeze) and answers a retry with what it recorded', async () => {
    const open = uniqueEnvName('admit');
    const a = await admit(open, 'run-open');
    const first = await activities().admitAndStart(a.input);
    expect(first).toMatchObject({ admission: { admitted: true }, frozen: false });
    expect(await getDeployment(db.database.db, { id: a.deploymentId })).toMatchObject({ status: 'running', runId: 'run-open' });
    // A freeze begins, then the attempt is retried (its answer was lost): it still says what it recorded.
    await freeze(open);
    expect(await activities().admitAndStart(a.input)).toMatchObject({ admission: { admitted: true }, frozen: false });
    expect((await getDeployment(db.database.db, { id: a.deploymentId }))?.status).toBe('running');

    const frozen = uniqueEnvName('admit');
    const b = await admit(frozen, 'run-frozen');
    // Requested to wait for the window (`whenOpen`), as the API records it during a freeze.
    await db.database.sql`update deployments set when_open = true where id = ${b.deploymentId}`;
    await freeze(frozen);
    expect(await activities().admitAndStart(b.input)).toMatchObject({ admission: { admitted: true }, frozen: true });
    expect((await getDeployment(db.database.db, { id: b.deploymentId }))?.status).toBe('scheduled');
    expect((await activities().admitAndStart(b.input)).frozen).toBe(true);

    // Another run is refused and records nothing.
    const other = await activities().admitAndStart({ ...b.input, runId: 'run-other', key: 'run-other:1' });
    expect(other.admission.admitted).toBe(false);
    expect(await getDeployment(db.database.db, { id: b.deploymentId })).toMatchObject({ status: 'scheduled', runId: 'run-frozen' });
  });
});
