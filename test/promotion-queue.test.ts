// Queues instead of 409s (issue 11, docs/governance.md "Queues"): `queue: true` while another promotion holds the
// environment records a `queued` deployment and starts its waiter (queuedPromotion, promote-queue:<id>), which
// starts the promotion when the environment is free and it is first in line, re-checking every rule then. A
// protected environment keeps a promotion active deterministically (it waits for approval) until the test
// approves or aborts it; every wait is for an observable state. Real Temporal, worker, Git and the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './api-harness.js';
import { temporalClient, useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { recordHistory } from './history-corpus.js';
import { queuedPromotionWorkflowId } from '../workflows/promotion-messages.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [
      { key: 'fifo', protected: true, approvalsRequired: 1 },
      { key: 'latest', protected: true, approvalsRequired: 1, queuePolicy: 'newest-wins' },
    ],
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.stopWorker();
  await f?.close();
});

let tags = 0;
const nextTag = () => `7.${Math.floor(tags / 10)}.${tags++ % 10}`;

const promote = (releaseId: string, envKey: string, extra: Record<string, unknown> = {}) =>
  f.h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: f.env[envKey], ...extra }, token: f.tokens.promoter });
const act = (envKey: string, id: number, action: string, token = f.tokens.promoter, body: unknown = {}) =>
  f.h.call('POST', `/v1/environments/${f.env[envKey]}/deployment-history/${id}/${action}`, { token, body });
const queueOf = async (envKey: string) =>
  (await f.h.call('GET', `/v1/environments/${f.env[envKey]}/queue`, { token: f.h.tokens.viewer })).body;
const get = async (envKey: string, id: number) =>
  (await f.h.call('GET', `/v1/environments/${f.env[envKey]}/deployment-history/${id}`, { token: f.h.tokens.viewer })).body;

/** A promotion that holds the environment: it waits for approval until the test approves or aborts it. */
async function holder(envKey: string): Promise<number> {
  const res = await promote(await f.createRelease(nextTag()), envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await f.waitFor(envKey, res.body.deploymentId, ['awaiting_approval']);
  return res.body.deploymentId as number;
}

/** Queues a new release behind the environment's active promotion. */
async function enqueue(envKey: string): Promise<{ id: number; releaseId: string; position: number }> {
  const releaseId = await f.createRelease(nextTag());
  const res = await promote(releaseId, envKey, { queue: true });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.status).toBe('queued');
  return { id: res.body.deploymentId, releaseId, position: res.body.queuePosition };
}

async function waiterClosed(deploymentId: number): Promise<{ status: string; result: unknown }> {
  const { client, connection } = await temporalClient();
  try {
    const handle = client.workflow.getHandle(queuedPromotionWorkflowId(deploymentId));
    const result = await handle.result();
    return { status: (await handle.describe()).status.name, result };
  } finally {
    await connection.close();
  }
}

describe('queued promotions', () => {
  it('fifo: three queued releases start one after the other, in order, each after the previous ended', async () => {
    const a = await holder('fifo');
    const b = await enqueue('fifo');
    const c = await enqueue('fifo');
    const d = await enqueue('fifo');
    expect([b.position, c.position, d.position]).toEqual([1, 2, 3]);
    // Without `queue` nothing changed: 409. The same release queued again is the same record (200).
    const other = await f.createRelease(nextTag());
    const refused = await promote(other, 'fifo');
    expect(refused.status).toBe(409);
    expect(errorOf(refused.body).code).toBe('PROMOTION_IN_PROGRESS');
    const again = await promote(c.releaseId, 'fifo', { queue: true });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ deploymentId: c.id, status: 'queued', queuePosition: 2 });
    const queue = await queueOf('fifo');
    expect(queue.policy).toBe('fifo');
    expect(queue.queue.map((e: { deploymentId: number; position: number }) => [e.position, e.deploymentId])).toEqual([
      [1, b.id],
      [2, c.id],
      [3, d.id],
    ]);
    const board = (await f.h.call('GET', '/v1/environments', { token: f.h.tokens.viewer })).body;
    expect(board.environments.find((e: { name: string }) => e.name === f.env.fifo).queueLength).toBe(3);
    // A queued one has not started: approve is refused, and the history shows it queued.
    expect(errorOf((await act('fifo', b.id, 'approve', f.tokens.approver1)).body).code).toBe('INVALID_ACTION');
    expect(await get('fifo', b.id)).toMatchObject({ status: 'queued', message: `queued: waiting for deployment ${a} (awaiting_approval)` });

    // The holder succeeds (the record step wakes the queue): B starts, C and D still wait.
    expect((await act('fifo', a, 'approve', f.tokens.approver1)).status).toBe(200);
    expect((await f.waitFor('fifo', a, ['succeeded', 'failed', 'aborted'])).status).toBe('succeeded');
    await f.waitFor('fifo', b.id, ['awaiting_approval']);
    expect((await get('fifo', c.id)).status).toBe('queued');
    expect((await get('fifo', d.id)).status).toBe('queued');
    expect(await waiterClosed(b.id)).toMatchObject({ status: 'COMPLETED', result: { outcome: 'started' } });
    await recordHistory('queue-started', queuedPromotionWorkflowId(b.id));
    // B is approved and succeeds; C starts with B as its predecessor (decided at its start, not when queued).
    expect((await act('fifo', b.id, 'approve', f.tokens.approver1)).status).toBe(200);
    expect((await f.waitFor('fifo', b.id, ['succeeded', 'failed', 'aborted'])).status).toBe('succeeded');
    const cStarted = await f.waitFor('fifo', c.id, ['awaiting_approval']);
    expect(cStarted.previousReleaseId).toBe(b.releaseId);
    expect(cStarted.queuedAt).not.toBeNull();
    expect((await get('fifo', d.id)).status).toBe('queued');
    // C is aborted at its gate (an ordinary abort: the terminal transition wakes the queue); D starts.
    expect((await act('fifo', c.id, 'abort')).status).toBe(200);
    await f.waitFor('fifo', c.id, ['aborted']);
    await f.waitFor('fifo', d.id, ['awaiting_approval']);
    expect((await queueOf('fifo')).queue).toEqual([]);
    expect((await act('fifo', d.id, 'abort')).status).toBe(200);
    await f.waitFor('fifo', d.id, ['aborted']);
  });

  it('newest-wins: a newer queued release supersedes the older queued ones, audited with the superseding id', async () => {
    const a = await holder('latest');
    const b = await enqueue('latest');
    const c = await enqueue('latest');
    expect(c.position).toBe(1);
    const bRow = await get('latest', b.id);
    expect(bRow).toMatchObject({ status: 'superseded', message: expect.stringContaining(`superseded by deployment ${c.id}`) });
    expect(bRow.finishedAt).not.toBeNull();
    expect(await waiterClosed(b.id)).toMatchObject({ result: { outcome: 'ended', status: 'superseded' } });
    await recordHistory('queue-superseded', queuedPromotionWorkflowId(b.id));
    const audit = await f.h.call('GET', `/v1/audit?action=deployment.superseded&subjectId=${b.id}`);
    expect(JSON.stringify(audit.body)).toContain(`"supersededBy":${c.id}`);
    const d = await enqueue('latest');
    expect((await get('latest', c.id)).status).toBe('superseded');
    expect((await queueOf('latest')).queue.map((e: { deploymentId: number }) => e.deploymentId)).toEqual([d.id]);
    expect((await act('latest', a, 'abort')).status).toBe(200);
    await f.waitFor('latest', d.id, ['awaiting_approval']);
    expect((await act('latest', d.id, 'abort')).status).toBe(200);
    await f.waitFor('latest', d.id, ['aborted']);
  });

  it('a queued promotion is cancelled by abort: it leaves the queue, audited, and its waiter ends', async () => {
    const a = await holder('fifo');
    const b = await enqueue('fifo');
    const c = await enqueue('fifo');
    const res = await act('fifo', b.id, 'abort', f.tokens.promoter, { comment: 'not needed' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ accepted: true, status: 'aborted', deployment: { status: 'aborted' } });
    const row = await get('fifo', b.id);
    expect(row.message).toMatch(/removed from the queue by .*: not needed/);
    expect(row.actions.at(-1)).toMatchObject({ action: 'abort', comment: 'not needed' });
    expect(await waiterClosed(b.id)).toMatchObject({ result: { outcome: 'ended', status: 'aborted' } });
    expect((await queueOf('fifo')).queue).toMatchObject([{ position: 1, deploymentId: c.id }]);
    // Aborting it again: it has ended.
    expect(errorOf((await act('fifo', b.id, 'abort')).body).code).toBe('INVALID_ACTION');
    expect((await act('fifo', a, 'abort')).status).toBe(200);
    await f.waitFor('fifo', c.id, ['awaiting_approval']);
    expect((await act('fifo', c.id, 'abort')).status).toBe(200);
    await f.waitFor('fifo', c.id, ['aborted']);
  });

  it('rules are checked again at the start: a release rejected while queued fails; a pause keeps it queued until resume', async () => {
    const a = await holder('fifo');
    const rejected = await enqueue('fifo');
    const paused = await enqueue('fifo');
    const r = await f.h.call('POST', `/v2/releases/${rejected.releaseId}/reject`, {
      body: { reason: 'CVE-1' },
      token: f.h.tokens.releaser,
    });
    expect(r.status).toBe(200);
    expect((await f.h.call('POST', `/v1/environments/${f.env.fifo}/pause`, { body: { reason: 'incident 9' } })).status).toBe(200);
    // Abort works while paused; the environment is free, the rejected one fails, the next one waits for the pause.
    expect((await act('fifo', a, 'abort')).status).toBe(200);
    const failed = await f.waitFor('fifo', rejected.id, ['failed', 'pending', 'awaiting_approval']);
    expect(failed.status).toBe('failed');
    expect(failed.message).toMatch(/^not started from the queue: RELEASE_REJECTED: .*CVE-1/);
    await expect
      .poll(async () => (await get('fifo', paused.id)).message, { timeout: 20_000 })
      .toMatch(new RegExp(`queued: held: environment ${f.env.fifo} paused by .*incident 9`));
    expect((await get('fifo', paused.id)).status).toBe('queued');
    // Resuming wakes the queue.
    expect((await f.h.call('POST', `/v1/environments/${f.env.fifo}/resume`, { body: { reason: 'over' } })).status).toBe(200);
    await f.waitFor('fifo', paused.id, ['awaiting_approval']);
    expect((await act('fifo', paused.id, 'abort')).status).toBe(200);
    await f.waitFor('fifo', paused.id, ['aborted']);
  });

  it('a worker restart while a promotion is queued: it still starts when the environment frees', async () => {
    const a = await holder('fifo');
    await f.stopWorker();
    // Queued while no worker runs: Temporal keeps the waiter until a worker is back.
    const b = await enqueue('fifo');
    await f.startWorker();
    await expect.poll(async () => (await get('fifo', b.id)).message, { timeout: 20_000 }).toMatch(/^queued: waiting for deployment/);
    await f.stopWorker();
    await f.startWorker();
    expect((await act('fifo', a, 'abort')).status).toBe(200);
    await f.waitFor('fifo', b.id, ['awaiting_approval']);
    await recordHistory('queue-worker-restart', queuedPromotionWorkflowId(b.id));
    expect((await act('fifo', b.id, 'abort')).status).toBe(200);
    await f.waitFor('fifo', b.id, ['aborted']);
  });

  it('validation: queue must be a boolean; unknown environments are 404; queuePolicy is checked', async () => {
    const releaseId = await f.createRelease(nextTag());
    const bad = await promote(releaseId, 'fifo', { queue: 'yes' });
    expect(bad.status).toBe(400);
    expect((await f.h.call('GET', '/v1/environments/nope-none/queue', { token: f.h.tokens.viewer })).status).toBe(404);
    expect((await f.h.call('GET', `/v1/environments/${f.env.fifo}/queue`, { token: null })).status).toBe(401);
    const env = (await f.h.call('GET', `/v1/environments/${f.env.latest}`)).body;
    expect(env.config.queuePolicy).toBe('newest-wins');
    const put = await f.h.call('PUT', `/v1/environments/${f.env.latest}`, { body: { ...env.config, queuePolicy: 'lifo' } });
    expect(put.status).toBe(400);
    // With `queue` and a free environment, the promotion simply starts.
    const started = await promote(releaseId, 'fifo', { queue: true });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('pending');
    expect(started.body.queuePosition).toBeUndefined();
    await f.waitFor('fifo', started.body.deploymentId, ['awaiting_approval']);
    expect((await act('fifo', started.body.deploymentId, 'abort')).status).toBe(200);
    await f.waitFor('fifo', started.body.deploymentId, ['aborted']);
  });
});
