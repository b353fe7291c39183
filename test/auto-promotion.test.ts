// Auto-promotion (issue 11, docs/governance.md "Auto-promotion"): an environment with `autoPromote` follows its
// upstream. Its autoPromotion workflow queues a promotion by system:auto-promotion of the newest release whose soak
// (counted from when it first became current upstream) has ended; the queue then applies pauses, freezes and the
// approval gate. A person's promotion of another release holds it until resumed. Real Temporal, worker, Git and the
// simulator; every wait is for an observable state (the auto-promotion's state, a deployment's status).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type Loose } from './api-harness.js';
import { useTestDatabase, waitUntil } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { recordHistory } from './history-corpus.js';
import { autoPromotionWorkflowId } from '../domain/auto-promotion.js';
import { checkPage, openUi } from './ui-kit.js';

const db = useTestDatabase();
let f: PromotionFixture;
const SOAK = 10;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [
      { key: 'dev' },
      { key: 'prod', upstream: ['dev'], autoPromote: { from: 'dev', soakSeconds: SOAK } },
      { key: 'follow', upstream: ['dev'], autoPromote: { from: 'dev' } },
      // Its own upstream: the other tests' releases must not wait at its gate.
      { key: 'qa' },
      { key: 'gated', upstream: ['qa'], protected: true, approvalsRequired: 1, autoPromote: { from: 'qa' } },
    ],
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.stopWorker();
  await f?.close();
});

const until = waitUntil;
let tags = 0;
const nextTag = () => `8.${Math.floor(tags / 10)}.${tags++ % 10}`;
const viewer = () => f.h.tokens.viewer;
const autoOf = async (envKey: string): Promise<Loose> =>
  (await f.h.call('GET', `/v1/environments/${f.env[envKey]}/auto-promotion`, { token: viewer() })).body;
const historyOf = async (envKey: string): Promise<Loose[]> =>
  (await f.h.call('GET', `/v1/environments/${f.env[envKey]}/deployment-history?limit=50`, { token: viewer() })).body.deployments;

/** A new release promoted to dev (or `envKey`) by a person; resolves once it succeeded there. */
async function intoDev(envKey = 'dev'): Promise<{ releaseId: string; deploymentId: number }> {
  const releaseId = await f.createRelease(nextTag());
  const res = await f.promote(releaseId, envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect((await f.waitFor(envKey, res.body.deploymentId, ['succeeded', 'failed', 'aborted'])).status).toBe('succeeded');
  return { releaseId, deploymentId: res.body.deploymentId };
}

/** The auto-promotion deployment of `releaseId` in the environment, once it exists. */
const autoDeploymentOf = (envKey: string, releaseId: string) =>
  until(`auto-promotion of ${releaseId} to ${envKey}`, async () =>
    (await historyOf(envKey)).find((d) => d.releaseId === releaseId && d.startedBy === 'system:auto-promotion'),
  );

describe('auto-promotion', () => {
  it('promotes after the soak counted from when the release became current upstream, across a worker restart; a newer release upstream does not starve it', async () => {
    const r1 = await intoDev();
    const soaking = await until('prod soaking r1', async () => {
      const a = await autoOf('prod');
      return a.state === 'soaking' && a.candidate?.releaseId === r1.releaseId ? a : undefined;
    });
    const devRow = await f.waitFor('dev', r1.deploymentId, ['succeeded']);
    expect(Date.parse(soaking.candidate.eligibleAt) - Date.parse(devRow.finishedAt)).toBe(SOAK * 1000);
    expect(soaking.config).toEqual({ from: f.env.dev, when: 'succeeded', soakSeconds: SOAK });
    // The soak is a durable timer: a worker restart does not lose it.
    await f.stopWorker();
    await f.startWorker();
    // r2 replaces r1 in dev halfway through r1's soak. r1's soak is not reset: it is promoted when its own soak ends,
    // before r2's (which ends at least SOAK/2 later).
    await until('half of the soak', async () =>
      Date.parse((await autoOf('prod')).candidate?.eligibleAt ?? '0') - Date.now() < (SOAK / 2) * 1000 ? true : undefined,
    );
    const r2 = await intoDev();
    const auto1 = await autoDeploymentOf('prod', r1.releaseId);
    expect(Date.parse(auto1.createdAt)).toBeGreaterThanOrEqual(Date.parse(soaking.candidate.eligibleAt));
    expect(auto1.reason).toContain(`auto-promotion: release ${r1.releaseId}`);
    expect((await f.waitFor('prod', auto1.id, ['succeeded', 'failed', 'aborted'])).status).toBe('succeeded');
    // Then r2, after its own soak: each release exactly once, each with its own commit.
    const auto2 = await autoDeploymentOf('prod', r2.releaseId);
    expect((await f.waitFor('prod', auto2.id, ['succeeded', 'failed', 'aborted'])).status).toBe('succeeded');
    const prod = await historyOf('prod');
    expect(prod.map((d) => [d.releaseId, d.startedBy, d.status])).toEqual([
      [r2.releaseId, 'system:auto-promotion', 'succeeded'],
      [r1.releaseId, 'system:auto-promotion', 'succeeded'],
    ]);
    expect(new Set(prod.map((d) => d.commitSha)).size).toBe(2);
    expect(await autoOf('prod')).toMatchObject({ state: 'idle', lastDeploymentId: auto2.id });
  }, 180_000);

  it('a manual promotion of another release holds auto-promotion until someone resumes it', async () => {
    const a = await intoDev();
    const autoA = await autoDeploymentOf('follow', a.releaseId);
    expect((await f.waitFor('follow', autoA.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    const b = await intoDev();
    const autoB = await autoDeploymentOf('follow', b.releaseId);
    expect((await f.waitFor('follow', autoB.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    // A person rolls follow back to a: auto-promotion is held, with who and why.
    const back = await f.promote(a.releaseId, 'follow');
    expect(back.status, JSON.stringify(back.body)).toBe(202);
    expect((await f.waitFor('follow', back.body.deploymentId, ['succeeded', 'failed'])).status).toBe('succeeded');
    const held = await autoOf('follow');
    expect(held).toMatchObject({ state: 'held', hold: { deploymentId: back.body.deploymentId, resumedAt: null } });
    expect(held.hold.heldBy).toMatch(/^promoter-/);
    expect(held.hold.reason).toContain(`manual promotion of release ${a.releaseId}`);
    // A new release in dev is not promoted while held; a second hold is 409.
    const c = await intoDev();
    expect((await autoOf('follow')).state).toBe('held');
    const again = await f.h.call('POST', `/v1/environments/${f.env.follow}/auto-promotion/hold`, {
      token: f.tokens.promoter,
      body: { reason: 'twice' },
    });
    expect(errorOf(again.body).code).toBe('CONFLICT');
    expect(
      (await f.h.call('POST', `/v1/environments/${f.env.follow}/auto-promotion/resume`, { token: viewer(), body: { reason: 'x' } })).status,
    ).toBe(403);
    const resumed = await f.h.call('POST', `/v1/environments/${f.env.follow}/auto-promotion/resume`, {
      token: f.tokens.promoter,
      body: { reason: 'rollback done' },
    });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body).toMatchObject({ resumeReason: 'rollback done', resumedBy: expect.stringMatching(/^promoter-/) });
    // The newest release goes; b, rolled back here, is never tried again.
    const autoC = await autoDeploymentOf('follow', c.releaseId);
    expect((await f.waitFor('follow', autoC.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect((await historyOf('follow')).filter((d) => d.releaseId === b.releaseId)).toHaveLength(1);
    const audit = await f.h.call('GET', `/v1/audit?subjectId=${f.env.follow}&limit=50`);
    const actions = (audit.body.events as Loose[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auto_promotion.hold', 'auto_promotion.resume']));
    await recordHistory('auto-promotion', autoPromotionWorkflowId(f.env.follow as string), { complete: false });

    // The board shows it: held by whom and why, then (resumed) what it follows.
    const hold = await f.h.call('POST', `/v1/environments/${f.env.follow}/auto-promotion/hold`, {
      token: f.tokens.promoter,
      body: { reason: 'release train paused for the demo' },
    });
    expect(hold.status).toBe(200);
    // A quiet board for the page checks: prod (soak 10 s) has promoted this test's releases too, so no event re-renders
    // the page under them.
    await until('prod idle', async () => ((await autoOf('prod')).state === 'idle' ? true : undefined), 120_000);
    const pageErrors: string[] = [];
    const ui = await openUi(f.h.app.fetch, pageErrors);
    try {
      await ui.page.goto(`${ui.base}/ui/#/signin`);
      await ui.page.fill('#signin-token', f.tokens.promoter);
      await ui.page.click('#signin-form button[type=submit]');
      await ui.page.waitForURL(/#\/environments$/);
      const auto = ui.page.locator(`.env-column[data-env="${f.env.follow}"] .auto-promotion`);
      await auto.waitFor();
      expect(await auto.getAttribute('data-state')).toBe('held');
      expect(await auto.innerText()).toContain('release train paused for the demo');
      expect(await ui.page.locator(`.env-column[data-env="${f.env.prod}"] .auto-promotion`).innerText()).toContain(
        `when succeeded · soak ${SOAK} s`,
      );
      expect(await checkPage(ui.page, 'board-auto-promotion')).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await ui.close();
    }
  }, 180_000);

  it('respects pauses, rejections and the approval gate', async () => {
    const pause = await f.h.call('POST', `/v1/environments/${f.env.gated}/pause`, {
      token: f.tokens.promoter,
      body: { reason: 'incident 7' },
    });
    expect(pause.status).toBe(200);
    const r = await intoDev('qa');
    expect(
      await until('gated paused', async () => {
        const a = await autoOf('gated');
        return a.state === 'paused' && a.candidate?.releaseId === r.releaseId ? a : undefined;
      }),
    ).toMatchObject({ message: expect.stringContaining('incident 7') });
    // Rejected: skipped (nothing else to promote: idle), whatever the pause.
    const rejected = await f.h.call('POST', `/v2/releases/${r.releaseId}/reject`, { token: f.h.tokens.releaser, body: { reason: 'CVE' } });
    expect(rejected.status).toBe(200);
    expect(await autoOf('gated')).toMatchObject({ state: 'idle', message: expect.stringContaining('not rejected') });
    expect((await f.h.call('POST', `/v2/releases/${r.releaseId}/unreject`, { body: { reason: 'false positive' } })).status).toBe(200);
    expect((await autoOf('gated')).state).toBe('paused');
    expect((await historyOf('gated')).length).toBe(0);
    // Resumed: the promotion by system:auto-promotion waits at the approval gate like any other.
    expect(
      (await f.h.call('POST', `/v1/environments/${f.env.gated}/resume`, { token: f.tokens.promoter, body: { reason: 'ok' } })).status,
    ).toBe(200);
    const auto = await autoDeploymentOf('gated', r.releaseId);
    await f.waitFor('gated', auto.id, ['awaiting_approval']);
    expect(await autoOf('gated')).toMatchObject({ state: 'promoting', deploymentId: auto.id });
    const ok = await f.h.call('POST', `/v1/environments/${f.env.gated}/deployment-history/${auto.id}/approve`, {
      token: f.tokens.approver1,
      body: {},
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await f.waitFor('gated', auto.id, ['succeeded', 'failed'])).status).toBe('succeeded');
  });

  it('validates the rule: from must be an upstream', async () => {
    const res = await f.h.call('GET', `/v1/environments/${f.env.prod}`, { token: viewer() });
    expect(res.body.config.autoPromote).toEqual({ from: f.env.dev, when: 'succeeded', soakSeconds: SOAK });
    const bad = await f.h.call('PUT', `/v1/environments/${f.env.prod}`, {
      body: { ...res.body.config, autoPromote: { from: f.env.gated } },
    });
    expect([400, 422]).toContain(bad.status);
    expect(JSON.stringify(bad.body)).toContain('upstream');
    expect((await autoOf('prod')).config).toMatchObject({ from: f.env.dev });
  });
});
