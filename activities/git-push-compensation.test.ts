// The Git activities against a real database and real bare repositories (audit findings 3, 4 and 9, issue #8):
// the installation id in every commit, the pushed commit persisted before anything else can fail, and an
// abort's revertPush that compensates only this deployment's own work.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from './index.js';
import { apiHarness, type ApiHarness } from '../test/api-harness.js';
import { commitsOn, createBareRepo, fileAt, tempDir } from '../test/git-fixtures.js';
import { silentLogger, useTestDatabase } from '../test/harness.js';
import { SAMPLE_TEMPLATE, sampleDescriptor } from '../sim/rig.js';
import { failUnstarted, findActiveDeployment, getDeployment, insertDeployment } from '../db/deployments.js';
import { installation } from '../db/schema.js';
import { STEPS } from '../domain/promotion.js';
import { DEFAULT_PATH_PATTERN } from '../domain/environment.js';

const t = useTestDatabase();
let h: ApiHarness;
let root: string;
let bare: string;
const releases: Record<string, string> = {};

function environmentConfig(repoUrl: string) {
  return {
    displayOrder: 0,
    gitops: { repoUrl, branch: 'main', pathPattern: DEFAULT_PATH_PATTERN },
    argocd: {
      serverUrl: 'https://argocd.invalid',
      project: 'default',
      usernameRef: 'env:FC_SECRET_ARGO_USER',
      passwordRef: 'env:FC_SECRET_ARGO_PASSWORD',
    },
    kubernetes: { server: 'https://kube.invalid', namespace: 'x', tokenRef: 'env:FC_SECRET_KUBE_TOKEN' },
  };
}

beforeAll(async () => {
  root = await tempDir('fc-act-git-');
  bare = await createBareRepo(root, 'gitops', { 'README.md': '# environments\n' });
  h = await apiHarness(t.database);
  for (const env of ['prod', 'dev']) {
    const res = await h.call('PUT', `/v1/environments/${env}`, { body: environmentConfig(bare) });
    if (res.status !== 201) throw new Error(`environment: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const tpl = await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE });
  if (tpl.status !== 201 && tpl.status !== 200) throw new Error(`template: ${tpl.status}`);
  for (const tag of ['1.0.0', '2.0.0', '3.0.0', '4.0.0']) {
    const res = await h.call('POST', '/v2/releases/create/1.0.0', { body: sampleDescriptor(tag), token: h.tokens.releaser });
    if (res.status !== 201) throw new Error(`release: ${res.status} ${JSON.stringify(res.body)}`);
    releases[tag] = (res.body as { releaseId: string }).releaseId;
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function deployment(environment: string, tag: string, previous: string | null): Promise<number> {
  // Each test stands alone: a deployment a failed test left active is ended first.
  const active = await findActiveDeployment(t.database.db, { environment });
  if (active) await finish(active.id);
  const r = await insertDeployment(t.database.db, {
    environment,
    releaseId: releases[tag] as string,
    previousReleaseId: previous ? (releases[previous] as string) : null,
    isRollback: false,
    startedBy: 'ada',
    startedByTokenId: null,
    reason: null,
    workflowId: `promote:${environment}`,
    steps: STEPS,
  });
  if (!('created' in r)) throw new Error('an active deployment is in the way');
  return r.created.id;
}

/** Ends a deployment so that the next one of its environment can be inserted. */
const finish = (id: number) => failUnstarted(t.database.db, { deploymentId: id, message: 'test: done' });

function activities(failAfterPush = false) {
  return createActivities({
    database: t.database,
    logger: silentLogger,
    gitWorkDir: path.join(root, 'work'),
    testHooks: {
      at: (point) => {
        if (failAfterPush && point === 'git-commit-push:pushed') throw new Error('test: the worker dies after the push');
      },
    },
  });
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);
const PROD = 'environments/prod/core/values.yaml';
const DEV = 'environments/dev/core/values.yaml';

describe('git-commit-push and revertPush', () => {
  it('commits carry the installation id of this database', async () => {
    const [row] = await t.database.db.select().from(installation);
    expect(row?.id).toMatch(/^[0-9a-f-]{36}$/);
    const id = await deployment('prod', '1.0.0', null);
    const r = await run(activities().gitCommitPush, { deploymentId: id });
    expect(r).toMatchObject({ pushStatus: 'pushed', ownCommit: r.sha });
    expect((await commitsOn(bare))[0]?.trailers).toMatchObject({
      'Flow-Controller-Installation': row?.id,
      'Flow-Controller-Environment': 'prod',
      'Flow-Controller-Deployment': String(id),
      'Flow-Controller-Release': releases['1.0.0'],
    });
    await finish(id);
  });

  it('finding 9: a push whose activity then fails is persisted at once, and the abort reverts it', async () => {
    const before = await fileAt(bare, 'main', PROD);
    const id = await deployment('prod', '2.0.0', '1.0.0');
    await expect(run(activities(true).gitCommitPush, { deploymentId: id })).rejects.toThrow(/dies after the push/);
    const head = (await commitsOn(bare))[0];
    expect(head?.trailers['Flow-Controller-Deployment']).toBe(String(id));
    expect((await getDeployment(t.database.db, { id }))?.commitSha).toBe(head?.sha);
    // A retry of the step finds its own commit (trailers and tree) and pushes nothing.
    expect(await run(activities().gitCommitPush, { deploymentId: id })).toMatchObject({
      pushStatus: 'skipped-existing-commit',
      sha: head?.sha,
      ownCommit: head?.sha,
    });
    // The workflow never learnt the sha: revertPush is called without one (the new input shape).
    const r = await run(activities().revertPush, { deploymentId: id });
    expect(r.status).toBe('reverted');
    expect(await fileAt(bare, 'main', PROD)).toBe(before);
    await finish(id);
  });

  it('finding 3: after a no-change push no foreign commit is recorded or reverted; the previous release is restored', async () => {
    const d1 = await deployment('prod', '3.0.0', '1.0.0');
    await run(activities().gitCommitPush, { deploymentId: d1 });
    await finish(d1);
    const d2 = await deployment('dev', '4.0.0', null);
    const dev = await run(activities().gitCommitPush, { deploymentId: d2 });
    await finish(d2);
    const devFile = await fileAt(bare, 'main', DEV);

    const d3 = await deployment('prod', '3.0.0', '1.0.0');
    const pushed = await run(activities().gitCommitPush, { deploymentId: d3 });
    expect(pushed).toMatchObject({ pushStatus: 'skipped-no-change', sha: dev.sha, ownCommit: null });
    expect((await getDeployment(t.database.db, { id: d3 }))?.commitSha).toBeNull();

    // Old input shape: the workflow hands over dev's commit as "the sha".
    const r = await run(activities().revertPush, { deploymentId: d3, sha: pushed.sha });
    expect(r.status).toBe('restored-previous');
    expect(await fileAt(bare, 'main', DEV)).toBe(devFile);
    expect(await fileAt(bare, 'main', PROD)).toContain('tag: "1.0.0"');
    await finish(d3);

    // No previous release and nothing of ours in Git: nothing to revert, nothing to sync.
    const d4 = await deployment('dev', '4.0.0', null);
    expect(await run(activities().revertPush, { deploymentId: d4, sha: dev.sha })).toMatchObject({
      status: 'nothing-to-revert',
      sha: null,
    });
    expect(await fileAt(bare, 'main', DEV)).toBe(devFile);
    await finish(d4);
  });
});
