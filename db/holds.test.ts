// The one-statement hold read of the promotion steps (db/holds.ts holdOfDeployment) says what holdMessage of
// holdsOn (the drizzle reads it replaced) says: nothing, a rejection before any pause, a global pause before the
// environment's own, and nothing once lifted.
import { describe, expect, it } from 'vitest';
import { useTestDatabase, uniqueEnvName } from '../test/harness.js';
import { seedDeployment } from '../test/db-seed.js';
import { holdMessage, holdOfDeployment, holdsOn } from './holds.js';

const db = useTestDatabase();

describe('holdOfDeployment', () => {
  it('equals holdMessage(holdsOn) for a deployment whatever holds it', async () => {
    const env = uniqueEnvName('hold');
    const { deployment, release } = await seedDeployment(db.database, env);
    const { db: d, sql } = db.database;
    const expectSame = async (expected: RegExp | undefined) => {
      const one = await holdOfDeployment(sql, deployment.id);
      expect(one).toBe(holdMessage(await holdsOn(d, { releaseId: release.id, environment: env })));
      if (expected) expect(one).toMatch(expected);
      else expect(one).toBeUndefined();
    };
    await expectSame(undefined);
    await sql`insert into environment_pauses (environment, reason, paused_by) values (${env}, 'env reason', 'ann')`;
    await expectSame(new RegExp(`environment ${env} paused by ann: env reason`));
    await sql`insert into environment_pauses (environment, reason, paused_by) values (null, 'all reason', 'bob')`;
    await expectSame(/all environments paused by bob: all reason/);
    await sql`insert into release_rejections (release_id, reason, rejected_by) values (${release.id}, 'bad build', 'cid')`;
    await expectSame(/release rejected by cid: bad build/);
    await sql`update release_rejections set lifted_at = now(), lifted_by = 'cid', lift_reason = 'ok' where release_id = ${release.id}`;
    await sql`update environment_pauses set resumed_at = now(), resumed_by = 'bob', resume_reason = 'ok' where environment is null`;
    await expectSame(new RegExp(`environment ${env} paused by ann`));
    await sql`update environment_pauses set resumed_at = now(), resumed_by = 'ann', resume_reason = 'ok' where environment = ${env}`;
    await expectSame(undefined);
    expect(await holdOfDeployment(sql, 987_654_321)).toBeUndefined();
  });
});
