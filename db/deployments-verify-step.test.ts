// The record step and the verify step row of a run that never ran it (it started on a worker older than the
// verification-gates change): the row the deployment was created with is recorded skipped, never left pending.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../test/harness.js';
import { seedDeployment } from '../test/db-seed.js';
import { applyTransition, getSteps, markStepFinished, recordSuccess } from './deployments.js';

const db = useTestDatabase();

describe('recordSuccess and the verify step', () => {
  it('a verify row still pending at success is recorded skipped; a recorded one is kept', async () => {
    const { db: d } = db.database;
    for (const [env, ran] of [
      ['old-run', false],
      ['new-run', true],
    ] as const) {
      const { deployment } = await seedDeployment(db.database, env);
      await d.transaction((tx) => applyTransition(tx, { deploymentId: deployment.id, status: 'running' }));
      if (ran)
        await markStepFinished(d, { deploymentId: deployment.id, step: 'verify', status: 'succeeded', message: '1 check(s) passed' });
      await d.transaction((tx) => recordSuccess(tx, { deploymentId: deployment.id, sha: 'a'.repeat(40) }));
      const verify = (await getSteps(d, { deploymentId: deployment.id })).find((s) => s.step === 'verify');
      expect(verify?.status).toBe(ran ? 'succeeded' : 'skipped');
      expect(verify?.message).toMatch(ran ? /passed/ : /started before verification gates/);
    }
    const [row] = await d.execute(sql`select count(*)::int as n from deployment_steps where step = 'verify' and status = 'pending'`);
    expect(row?.n).toBe(0);
  });
});
