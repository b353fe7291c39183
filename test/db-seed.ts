// A deployment record with everything it refers to (token, template, release, environment) written straight into
// the database, for tests of db/ that need one and no promotion: db/side-door.test.ts, db/deployments-verify-step.test.ts.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { insertToken } from '../db/tokens.js';
import { saveTemplateRevision } from '../db/templates.js';
import { insertRelease } from '../db/releases.js';
import { insertDeployment } from '../db/deployments.js';
import { STEPS } from '../domain/promotion.js';

export async function seedDeployment(database: Database, env: string) {
  const { db: d } = database;
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
