// Governance holds in the workflow (issue 11, workflow change `governance-holds`): a promotion whose release is
// rejected, or whose environment is paused, while it runs parks before its next step with the reason; a retry
// while the hold stands parks again; lifting the hold and ONE retry finish it; abort ends it. Real Temporal,
// worker, Git and the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { recordHistory } from './history-corpus.js';
import { commitsOn } from './git-fixtures.js';

const db = useTestDatabase();
let f: PromotionFixture;
let hookAction: ((point: string, attempt: number) => Promise<void> | void) | undefined;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'gated', protected: true, approvalsRequired: 1 }],
  });
  await f.startWorker({ testHooks: { at: (point, info) => hookAction?.(point, info.attempt) } });
});
afterAll(async () => {
  await f?.stopWorker();
  await f?.close();
});

const act = (id: number, action: string, token: string, body: unknown = {}) =>
  f.h.call('POST', `/v1/environments/${f.env.gated}/deployment-history/${id}/${action}`, { token, body });

/** Starts a promotion to the protected environment and waits until it waits for approval. */
async function awaitingApproval(tag: string): Promise<{ releaseId: string; deploymentId: number; workflowId: string }> {
  const releaseId = await f.createRelease(tag);
  const res = await f.promote(releaseId, 'gated');
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await f.waitFor('gated', res.body.deploymentId, ['awaiting_approval']);
  return { releaseId, deploymentId: res.body.deploymentId, workflowId: res.body.workflowId };
}

describe('governance holds while a promotion runs', () => {
  it('a release rejected while waiting for approval parks at its next step; unreject + ONE retry finishes it', async () => {
    const p = await awaitingApproval('5.0.0');
    expect(
      (await f.h.call('POST', `/v2/releases/${p.releaseId}/reject`, { body: { reason: 'bad build' }, token: f.h.tokens.releaser })).status,
    ).toBe(200);
    expect((await act(p.deploymentId, 'approve', f.tokens.approver1)).status).toBe(200);
    const parked = await f.waitFor('gated', p.deploymentId, ['awaiting_operator', 'succeeded', 'failed']);
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.message).toMatch(/held: release rejected by releaser-1: bad build/);
    const render = parked.steps.find((s: { name: string }) => s.name === 'render-values');
    expect(render).toMatchObject({ status: 'failed' });
    const before = (await commitsOn(f.repoPath)).length;

    // Still rejected: a retry parks again, nothing is pushed.
    expect((await act(p.deploymentId, 'retry', f.tokens.promoter)).status).toBe(200);
    await expect
      .poll(async () => (await f.h.call('GET', `/v1/environments/${f.env.gated}/deployment-history/${p.deploymentId}`)).body.actions.length)
      .toBeGreaterThanOrEqual(3);
    const again = await f.waitFor('gated', p.deploymentId, ['awaiting_operator', 'succeeded', 'failed']);
    expect(again.status).toBe('awaiting_operator');
    expect((await commitsOn(f.repoPath)).length).toBe(before);
    await recordHistory('governance-held-parked', p.workflowId, { complete: false });

    expect((await f.h.call('POST', `/v2/releases/${p.releaseId}/unreject`, { body: { reason: 'rebuilt fine' } })).status).toBe(200);
    expect((await act(p.deploymentId, 'retry', f.tokens.promoter)).status).toBe(200);
    const done = await f.waitFor('gated', p.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(done.status).toBe('succeeded');
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
    await recordHistory('governance-held-released', p.workflowId);
  });

  it('an environment paused while a promotion waits parks it; abort ends it without touching Git', async () => {
    const p = await awaitingApproval('5.1.0');
    expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/pause`, { body: { reason: 'incident 7' } })).status).toBe(200);
    const before = (await commitsOn(f.repoPath)).length;
    expect((await act(p.deploymentId, 'approve', f.tokens.approver1)).status).toBe(200);
    const parked = await f.waitFor('gated', p.deploymentId, ['awaiting_operator', 'succeeded', 'failed']);
    expect(parked.message).toMatch(new RegExp(`held: environment ${f.env.gated} paused by bootstrap-admin: incident 7`));
    expect((await act(p.deploymentId, 'abort', f.tokens.promoter, { comment: 'not today' })).status).toBe(200);
    const done = await f.waitFor('gated', p.deploymentId, ['aborted', 'failed', 'succeeded']);
    expect(done.status).toBe('aborted');
    expect((await commitsOn(f.repoPath)).length).toBe(before);
    expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/resume`, { body: { reason: 'over' } })).status).toBe(200);
  });

  it('a pause while the push runs parks the promotion at its next step, after the push; resume + ONE retry finishes it', async () => {
    // Since holds-in-step the step's own activity (here Argo CD refresh-and-sync) checks the hold before it starts.
    const p = await awaitingApproval('5.2.0');
    const before = (await commitsOn(f.repoPath)).length;
    hookAction = async (point) => {
      if (point !== 'git-commit-push:start') return;
      hookAction = undefined;
      expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/pause`, { body: { reason: 'incident 8' } })).status).toBe(200);
    };
    expect((await act(p.deploymentId, 'approve', f.tokens.approver1)).status).toBe(200);
    const parked = await f.waitFor('gated', p.deploymentId, ['awaiting_operator', 'succeeded', 'failed']);
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.message).toMatch(new RegExp(`held: environment ${f.env.gated} paused by bootstrap-admin: incident 8`));
    expect(parked.steps.find((s: { name: string }) => s.name === 'git-commit-push')).toMatchObject({ status: 'succeeded' });
    expect(parked.steps.find((s: { name: string }) => s.name === 'argocd-refresh')).toMatchObject({ status: 'failed' });
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);

    expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/resume`, { body: { reason: 'over' } })).status).toBe(200);
    expect((await act(p.deploymentId, 'retry', f.tokens.promoter)).status).toBe(200);
    const done = await f.waitFor('gated', p.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(done.status).toBe('succeeded');
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
  });

  // The wait's activity verifies the live images once converged (wait-verify-together), and verify-images records
  // an unconfigured verify step (verify-plan-in-images); neither may run past a hold.
  it.each([
    { during: 'argocd-wait', parksAt: 'verify-images', tag: '5.2.6', why: 'the wait verifies only when nothing holds' },
    { during: 'verify-images', parksAt: 'verify', tag: '5.2.5', why: 'verify-images leaves the verify step to the planner' },
  ])('a pause during $during parks at $parksAt ($why); resume + ONE retry finishes it', async ({ during, parksAt, tag }) => {
    const p = await awaitingApproval(tag);
    hookAction = async (point) => {
      if (point !== `${during}:start`) return;
      hookAction = undefined;
      expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/pause`, { body: { reason: `paused in ${during}` } })).status).toBe(
        200,
      );
    };
    expect((await act(p.deploymentId, 'approve', f.tokens.approver1)).status).toBe(200);
    const parked = await f.waitFor('gated', p.deploymentId, ['awaiting_operator', 'succeeded', 'failed']);
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.message).toMatch(new RegExp(`held: environment .* paused by bootstrap-admin: paused in ${during}`));
    expect(parked.steps.find((s: { name: string }) => s.name === during)).toMatchObject({ status: 'succeeded' });
    expect(parked.steps.find((s: { name: string }) => s.name === parksAt)).toMatchObject({ status: 'failed' });
    expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/resume`, { body: { reason: 'over' } })).status).toBe(200);
    expect((await act(p.deploymentId, 'retry', f.tokens.promoter)).status).toBe(200);
    const done = await f.waitFor('gated', p.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(done.status).toBe('succeeded');
    expect(done.steps.find((s: { name: string }) => s.name === 'verify')).toMatchObject({ status: 'skipped' });
    // The wait's verify half left to the ordinary verify-images step (wait-verify-together): in the replay corpus.
    if (during === 'argocd-wait') await recordHistory('wait-verify-deferred', p.workflowId);
  });

  it('a step retried by Temporal after a pause finishes that step (its first attempt asked), and the next step parks', async () => {
    const p = await awaitingApproval('5.3.0');
    const before = (await commitsOn(f.repoPath)).length;
    hookAction = async (point, attempt) => {
      if (point !== 'git-commit-push:start' || attempt !== 1) return;
      expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/pause`, { body: { reason: 'incident 9' } })).status).toBe(200);
      throw new Error('connection reset while pushing'); // a retryable failure: Temporal runs attempt 2
    };
    expect((await act(p.deploymentId, 'approve', f.tokens.approver1)).status).toBe(200);
    const parked = await f.waitFor('gated', p.deploymentId, ['awaiting_operator', 'succeeded', 'failed']);
    hookAction = undefined;
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.message).toMatch(/held: environment .* paused by bootstrap-admin: incident 9/);
    expect(parked.steps.find((s: { name: string }) => s.name === 'git-commit-push')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(parked.steps.find((s: { name: string }) => s.name === 'argocd-refresh')).toMatchObject({ status: 'failed' });
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
    expect((await f.h.call('POST', `/v1/environments/${f.env.gated}/resume`, { body: { reason: 'over' } })).status).toBe(200);
    expect((await act(p.deploymentId, 'abort', f.tokens.promoter, { comment: 'done here' })).status).toBe(200);
    expect((await f.waitFor('gated', p.deploymentId, ['aborted', 'failed', 'succeeded'])).status).toBe('aborted');
  });
});
