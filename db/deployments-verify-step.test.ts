// The record step and the verify step row of a run that never ran it (it started on a worker older than the
// verification-gates change): the row the deployment was created with is recorded skipped, never left pending.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../test/harness.js';
import { insertToken } from './tokens.js';
import { saveTemplateRevision } from './templates.js';
import { insertRelease } from './releases.js';
import { applyTransition, getSteps, insertDeployment, markStepFinished, recordSuccess } from './deployments.js';
import { STEPS } from '../domain/promotion.js';

const db = useTestDatabase();

async function seedDeployment(env: string) {
  const { db: d } = db.database;
  const token = await insertToken(d, {
    name: `seed-${env}`,
    role: 'promoter',
    scopes: ['*'],
    tokenHash: crypto.randomUUID(),
    createdBy: 'test',
  });
  const template = await d.transaction((tx) =>
    saveTemplateRevision(tx, {
      key: `t-${env}`,
      document: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<T>' } } } } } },
      digest: `d-${crypto.randomUUID()}`,
      createdBy: 'seed',
      createdByTokenId: token.id,
    }),
  );
  const { row: release } = await insertRelease(d, {
    id: crypto.randomUUID(),
    productVersion: '1.0.0',
    templateKey: template.row.key,
    templateRevision: template.row.revision,
    descriptor: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1' } } } } } },
    digest: 'sha256:x',
    overrides: [],
    createdBy: 'seed',
    createdByTokenId: token.id,
    idempotencyKey: null,
    requestDigest: 'sha256:r',
  });
  await d.execute(
    sql`insert into environments (name, display_order, gitops, argocd, kubernetes) values (${env}, 0, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb)`,
  );
  const inserted = await d.transaction((tx) =>
    insertDeployment(tx, {
      environment: env,
      releaseId: release.id,
      previousReleaseId: null,
      isRollback: false,
      startedBy: 'seed',
      startedByTokenId: token.id,
      reason: null,
      workflowId: `promote:${env}`,
      steps: STEPS,
    }),
  );
  if (!('created' in inserted)) throw new Error('conflict');
  return { deployment: inserted.created, release };
}

describe('recordSuccess and the verify step', () => {
  it('a verify row still pending at success is recorded skipped; a recorded one is kept', async () => {
    const { db: d } = db.database;
    for (const [env, ran] of [
      ['old-run', false],
      ['new-run', true],
    ] as const) {
      const { deployment } = await seedDeployment(env);
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
