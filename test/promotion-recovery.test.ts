// Recovery on real services under realistic Argo CD timing (every stale status window outlasts the worker's
// poll): a promotion succeeds only once the new pods are the ready ones; a foreign operation at another SHA
// is never taken for ours; a retry re-establishes the failed step's preconditions (a failed sync operation
// is synced again), judges fresh status only, and finishes with ONE operator retry; a transient Degraded
// within the environment's grace period needs no retry at all; `fromStep`; abort's own revert-* steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient } from '../integrations/kube.js';
import { REALISTIC_TEST_TIMING } from '../sim/timing.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf, type Loose } from './api-harness.js';
import { commitsOn, writeDirect } from './git-fixtures.js';
import { recordHistory } from './history-corpus.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'real' }, { key: 'heal' }, { key: 'grace', degradedGraceSeconds: 30 }, { key: 'foreign', convergenceDeadlineSeconds: 8 }],
    timing: REALISTIC_TEST_TIMING,
    pollIntervalMs: 200,
    apiEnv: { PROMOTION_STEP_TIMEOUT_SECONDS: '10', PROMOTION_GIT_TIMEOUT_SECONDS: '10', PROMOTION_HEARTBEAT_TIMEOUT_SECONDS: '5' },
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
});

const ended = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];
const step = (d: Loose, name: string) => d.steps.find((s: { name: string }) => s.name === name);
const detail = async (envKey: string, id: number): Promise<Loose> =>
  (await f.h.call('GET', `/v1/environments/${f.env[envKey]}/deployment-history/${id}`, { token: f.h.tokens.viewer })).body;
const act = (envKey: string, id: number, action: string, body?: unknown) =>
  f.h.call('POST', `/v1/environments/${f.env[envKey]}/deployment-history/${id}/${action}`, {
    token: f.tokens.promoter,
    ...(body ? { body } : {}),
  });
async function promoteOk(tag: string, envKey: string): Promise<{ deploymentId: number }> {
  const release = await f.createRelease(tag);
  const res = await f.promote(release, envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body;
}
/** Polls an observable condition (never a fixed sleep window). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/**
 * Images of the pods that serve now (Ready and not terminating: a deleted pod leaves the endpoints at once,
 * as in Kubernetes), and of the terminating ones.
 */
async function pods(envKey: string): Promise<{ ready: string[]; terminating: string[] }> {
  const kube = createKubeClient({ server: f.sim.kubeUrl, caData: f.sim.kubeCaData, token: f.sim.kubeToken });
  const list = await kube.listPods(f.env[envKey] as string);
  const images = (ps: typeof list) => [...new Set(ps.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
  const isReady = (p: (typeof list)[number]) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const gone = (p: (typeof list)[number]) => !!p.metadata?.deletionTimestamp;
  return { ready: images(list.filter((p) => isReady(p) && !gone(p))), terminating: images(list.filter(gone)) };
}

describe('under realistic Argo CD timing', () => {
  it('succeeds only when no old pod is Ready any more, having observed the stale windows', async () => {
    const first = await promoteOk('2.0.0', 'real');
    expect((await f.waitFor('real', first.deploymentId, ended)).status).toBe('succeeded');
    const p = await promoteOk('2.0.1', 'real');
    const d = await f.waitFor('real', p.deploymentId, ended, 60_000);
    expect(d.status, d.message).toBe('succeeded');
    expect((await pods('real')).ready).toEqual(['org/api:2.0.1', 'org/gateway:stable']);
    // The wait step saw the rollout in progress (more than one poll), not a status that was already final.
    expect(step(d, 'argocd-wait').observation.polls).toBeGreaterThan(1);
  });

  it('a failed sync operation parks; ONE retry syncs again and succeeds', async () => {
    f.sim.faults.failNextSyncs(1, { message: 'admission webhook "policy.example.com" denied the request' });
    const p = await promoteOk('2.1.0', 'real');
    const parked = await f.waitFor('real', p.deploymentId, ended, 60_000);
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.currentStep).toBe('argocd-wait');
    expect(parked.message).toMatch(/denied the request/);

    const retried = await act('real', p.deploymentId, 'retry', { comment: 'webhook fixed' });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    // The answer shows the state after the retry was applied, never the parked one.
    expect(retried.body.status).toBe('running');
    expect(retried.body.deployment.status).toBe('running');

    const d = await f.waitFor('real', p.deploymentId, ended, 60_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.actions.map((a: { action: string }) => a.action)).toEqual(['start', 'retry']);
    expect(step(d, 'argocd-sync').attempts).toBe(2);
    expect((await pods('real')).ready).toEqual(['org/api:2.1.0', 'org/gateway:stable']);
    await recordHistory('resync-retry', `promote:${f.env.real}`);
  });

  it('Degraded → heal → a single retry succeeds (stale Degraded status from before the retry is not judged)', async () => {
    const first = await promoteOk('2.2.0', 'heal');
    expect((await f.waitFor('heal', first.deploymentId, ended, 60_000)).status).toBe('succeeded');
    f.sim.faults.degradeWorkload(f.env.heal as string, 'api');
    const p = await promoteOk('2.2.1', 'heal');
    const parked = await f.waitFor('heal', p.deploymentId, ended, 60_000);
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.message).toMatch(/Degraded/);

    f.sim.faults.clearWorkload(f.env.heal as string, 'api');
    const retried = await act('heal', p.deploymentId, 'retry');
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    const d = await f.waitFor('heal', p.deploymentId, ended, 60_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.actions.map((a: { action: string }) => a.action)).toEqual(['start', 'retry']);
    expect((await pods('heal')).ready).toEqual(['org/api:2.2.1', 'org/gateway:stable']);
  });

  it('a transient Degraded that heals within the grace period needs no retry at all', async () => {
    f.sim.faults.degradeWorkload(f.env.grace as string, 'api');
    const p = await promoteOk('2.3.0', 'grace');
    // The wait step has observably seen Degraded (and kept waiting on its grace period) before we heal.
    await until(
      async () => /Degraded/.test(step(await detail('grace', p.deploymentId), 'argocd-wait')?.message ?? ''),
      'Degraded observed',
    );
    expect((await detail('grace', p.deploymentId)).status).toBe('running');
    f.sim.faults.clearWorkload(f.env.grace as string, 'api');
    const d = await f.waitFor('grace', p.deploymentId, ended, 60_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.actions.map((a: { action: string }) => a.action)).toEqual(['start']);
  });

  it('a foreign operation after ours, at another SHA, is not taken for ours; one retry syncs ours again', async () => {
    const ns = f.env.foreign as string;
    f.sim.faults.stallWorkload(ns, 'api');
    const p = await promoteOk('2.4.0', 'foreign');
    // Our operation has finished and the wait is on the rollout: now someone else syncs the branch head,
    // which another writer has just moved to a different commit.
    await until(
      async () => /Progressing/.test(step(await detail('foreign', p.deploymentId), 'argocd-wait')?.message ?? ''),
      'rollout observed',
    );
    const ours = (await detail('foreign', p.deploymentId)).commitSha as string;
    const other = await writeDirect(f.repoPath, 'main', { 'NOTES.md': 'someone else was here\n' }, 'unrelated change');
    expect(other).not.toBe(ours);
    await f.sim.faults.startForeignOperation(`${ns}-core`, { username: 'someone-else', hold: false });
    f.sim.faults.clearWorkload(ns, 'api');

    const parked = await f.waitFor('foreign', p.deploymentId, ended, 60_000);
    expect(parked.status, parked.message).toBe('awaiting_operator');
    expect(parked.message).toMatch(/not ours/);

    expect((await act('foreign', p.deploymentId, 'retry')).status).toBe(200);
    const d = await f.waitFor('foreign', p.deploymentId, ended, 60_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.actions.map((a: { action: string }) => a.action)).toEqual(['start', 'retry']);
    expect(step(d, 'argocd-sync').attempts).toBe(2);
  });
});

describe('operator actions', () => {
  it('retry may restart from an earlier step, never a later one; invalid actions answer 409 with the state', async () => {
    f.sim.faults.failNextSyncs(1, { message: 'hook PreSync/db-migrate failed' });
    const p = await promoteOk('3.0.0', 'real');
    expect((await f.waitFor('real', p.deploymentId, ended, 60_000)).status).toBe('awaiting_operator');

    const later = await act('real', p.deploymentId, 'retry', { fromStep: 'verify-images' });
    expect(later.status).toBe(409);
    expect(errorOf(later.body).code).toBe('INVALID_ACTION');
    expect(errorOf(later.body).message).toMatch(/after the failed step/);
    expect(errorOf(later.body).details).toMatchObject({ status: 'awaiting_operator', currentStep: 'argocd-wait' });
    const unknown = await act('real', p.deploymentId, 'retry', { fromStep: 'somewhere' });
    expect(unknown.status).toBe(400);

    // Before the push that already happened: render and push run again and push nothing new.
    const commitsBefore = (await commitsOn(f.repoPath)).length;
    const retried = await act('real', p.deploymentId, 'retry', { fromStep: 'render-values' });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.status).toBe('running');
    const d = await f.waitFor('real', p.deploymentId, ended, 60_000);
    expect(d.status, d.message).toBe('succeeded');
    expect(step(d, 'render-values').attempts).toBe(2);
    expect(step(d, 'git-commit-push').attempts).toBe(2);
    expect(step(d, 'git-commit-push').message).toMatch(/nothing pushed/);
    expect((await commitsOn(f.repoPath)).length).toBe(commitsBefore);

    const ended409 = await act('real', p.deploymentId, 'retry');
    expect(ended409.status).toBe(409);
    expect(errorOf(ended409.body).details).toMatchObject({ status: 'succeeded' });
    await recordHistory('from-step-retry', `promote:${f.env.real}`);
  });

  it('abort after the push compensates in its own revert-push, revert-sync and revert-wait steps', async () => {
    const ns = f.env.real as string;
    f.sim.faults.stallWorkload(ns, 'api');
    const p = await promoteOk('3.1.0', 'real');
    await until(async () => step(await detail('real', p.deploymentId), 'argocd-wait')?.status === 'running', 'waiting');
    const before = await detail('real', p.deploymentId);
    const forwardSync = step(before, 'argocd-sync');
    const aborted = await act('real', p.deploymentId, 'abort', { comment: 'stuck rollout' });
    expect(aborted.status, JSON.stringify(aborted.body)).toBe(200);
    f.sim.faults.clearWorkload(ns, 'api');
    const d = await f.waitFor('real', p.deploymentId, ['aborted', 'failed', 'succeeded'], 60_000);
    expect(d.status).toBe('aborted');
    expect(d.revertSha).toMatch(/^[0-9a-f]{40}$/);
    const names = d.steps.map((s: { name: string }) => s.name);
    expect(names.slice(-3)).toEqual(['revert-push', 'revert-sync', 'revert-wait']);
    expect(step(d, 'revert-push').status).toBe('succeeded');
    expect(step(d, 'revert-sync').status).toBe('succeeded');
    expect(step(d, 'revert-sync').message).toContain(d.revertSha.slice(0, 12));
    expect(step(d, 'revert-wait').status).toBe('succeeded');
    // The forward rows keep what the forward run did.
    expect(step(d, 'argocd-sync')).toMatchObject({ status: 'succeeded', attempts: forwardSync.attempts, message: forwardSync.message });
    expect(step(d, 'argocd-sync').message).toContain(d.commitSha.slice(0, 12));
    await recordHistory('aborted-revert-steps', `promote:${f.env.real}`);
  });
});
