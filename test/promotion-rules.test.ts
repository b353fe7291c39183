// Promotion rules, checked before anything starts, on real services: order (upstream), already current,
// unknown release/environment, scope, one promotion per environment (idempotent for the same release,
// 409 for another), rollback, and two environments in one repository promoted at the same moment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf } from './api-harness.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'dev' }, { key: 'staging', upstream: ['dev'] }, { key: 'east' }, { key: 'west' }],
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
});

const done = ['succeeded', 'failed', 'awaiting_operator', 'aborted'];

describe('rules checked before a promotion starts', () => {
  it('rejects bad input with distinct codes and stores nothing', async () => {
    const releaseId = await f.createRelease('2.0.0');
    const cases: Array<[() => Promise<{ status: number; body: unknown }>, number, string]> = [
      [() => f.promote(releaseId, 'staging'), 409, 'UPSTREAM_NOT_PROMOTED'],
      [() => f.promote(releaseId, 'nowhere'), 404, 'ENVIRONMENT_NOT_FOUND'],
      [() => f.promote('00000000-0000-4000-8000-000000000000', 'dev'), 404, 'RELEASE_NOT_FOUND'],
      [
        () => f.h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: 'Not A Name' }, token: f.tokens.promoter }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        () =>
          f.h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: f.env.dev, extra: 1 }, token: f.tokens.promoter }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        () => f.h.call('POST', `/v2/releases/not-a-uuid/promote`, { body: { environment: f.env.dev }, token: f.tokens.promoter }),
        400,
        'VALIDATION_FAILED',
      ],
      [() => f.promote(releaseId, 'dev', f.h.tokens.releaser), 403, 'FORBIDDEN'],
      [() => f.promote(releaseId, 'dev', f.h.tokens.promoter /* scoped to "staging" only */), 403, 'FORBIDDEN'],
      [
        () => f.h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: f.env.dev }, token: null }),
        401,
        'UNAUTHENTICATED',
      ],
    ];
    for (const [call, status, code] of cases) {
      const res = await call();
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(errorOf(res.body).code).toBe(code);
    }
    const upstream = await f.promote(releaseId, 'staging');
    expect(errorOf(upstream.body).details.missing).toEqual([f.env.dev]);
    const history = await f.h.call('GET', `/v1/environments/${f.env.dev}/deployment-history`, { token: f.h.tokens.viewer });
    expect(history.body.deployments).toEqual([]);
  });

  it('answers "already current" without a new run, and enforces one promotion per environment', async () => {
    const r1 = await f.createRelease('2.1.0');
    const r2 = await f.createRelease('2.2.0');
    // Without a worker the first promotion stays pending, so the concurrency rules can be observed.
    await f.stopWorker();
    const [a, b] = await Promise.all([f.promote(r1, 'dev'), f.promote(r1, 'dev')]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 202]);
    expect(a.body.deploymentId).toBe(b.body.deploymentId);
    const other = await f.promote(r2, 'dev');
    expect(other.status).toBe(409);
    expect(errorOf(other.body).code).toBe('PROMOTION_IN_PROGRESS');
    expect(errorOf(other.body).details.deploymentId).toBe(a.body.deploymentId);

    await f.startWorker();
    const d = await f.waitFor('dev', a.body.deploymentId, done);
    expect(d.status).toBe('succeeded');
    const again = await f.promote(r1, 'dev');
    expect(again.status).toBe(409);
    expect(errorOf(again.body).code).toBe('ALREADY_CURRENT');
    const history = await f.h.call('GET', `/v1/environments/${f.env.dev}/deployment-history?releaseId=${r1}`, { token: f.h.tokens.viewer });
    expect(history.body.deployments).toHaveLength(1);
  });

  it('promoting an older release is a rollback, marked in the history', async () => {
    const r3 = await f.createRelease('3.0.0');
    const first = await f.promote(r3, 'dev');
    expect((await f.waitFor('dev', first.body.deploymentId, done)).status).toBe('succeeded');
    const envBefore = await f.h.call('GET', `/v1/environments/${f.env.dev}?live=false`, { token: f.h.tokens.viewer });
    const older = (await f.h.call('GET', `/v1/environments/${f.env.dev}/deployment-history?status=succeeded`, { token: f.h.tokens.viewer }))
      .body.deployments[1].releaseId as string;
    const rb = await f.promote(older, 'dev');
    expect(rb.status).toBe(202);
    expect(rb.body.isRollback).toBe(true);
    const d = await f.waitFor('dev', rb.body.deploymentId, done);
    expect(d.status).toBe('succeeded');
    expect(d.isRollback).toBe(true);
    expect(d.previousReleaseId).toBe(envBefore.body.currentReleaseId);
    expect(d.changes.changes.length).toBeGreaterThan(0);
    const envAfter = await f.h.call('GET', `/v1/environments/${f.env.dev}?live=false`, { token: f.h.tokens.viewer });
    expect(envAfter.body.currentReleaseId).toBe(older);
  });

  it('two environments in one repository promoted at the same moment both succeed, each commit once', async () => {
    const r = await f.createRelease('4.0.0');
    const [east, west] = await Promise.all([f.promote(r, 'east'), f.promote(r, 'west')]);
    expect(east.status).toBe(202);
    expect(west.status).toBe(202);
    const [de, dw] = await Promise.all([f.waitFor('east', east.body.deploymentId, done), f.waitFor('west', west.body.deploymentId, done)]);
    expect(de.status).toBe('succeeded');
    expect(dw.status).toBe('succeeded');
    const log = await simpleGit(f.repoPath).raw([
      'log',
      '--format=%(trailers:key=Flow-Controller-Deployment,valueonly,separator=)',
      'main',
    ]);
    const ids = log.split('\n').filter(Boolean);
    expect(ids.filter((id) => id === String(east.body.deploymentId))).toHaveLength(1);
    expect(ids.filter((id) => id === String(west.body.deploymentId))).toHaveLength(1);
  });
});
