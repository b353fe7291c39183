// No side door through Temporal (issue #8, security audit findings 1, 10, 11, 18): whoever can send a Workflow
// Update or start a workflow gains nothing the API would not grant. On real services: the file's database, the
// run's Temporal dev server, a real worker and the simulator.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { WorkflowFailedError, WorkflowUpdateFailedError, type Client, type Connection } from '@temporalio/client';
import { temporalClient, useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf, type Loose } from './api-harness.js';
import { insertDeployment } from '../db/deployments.js';
import { STEPS } from '../domain/promotion.js';
import { progressQuery, promotionWorkflowId, type PromoteInput } from '../workflows/promotion-messages.js';
import { recordHistory } from './history-corpus.js';

const db = useTestDatabase();
let f: PromotionFixture;
let client: Client;
let connection: Connection;
let sfx: string;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'free' }, { key: 'gate', protected: true, approvalsRequired: 2, approvers: ['approver1', 'approver2'] }],
    apiEnv: { PROMOTION_STEP_TIMEOUT_SECONDS: '10', PROMOTION_GIT_TIMEOUT_SECONDS: '10', PROMOTION_HEARTBEAT_TIMEOUT_SECONDS: '3' },
  });
  sfx = (f.env.gate as string).split('-').pop() as string;
  await f.startWorker();
  ({ client, connection } = await temporalClient());
});
afterAll(async () => {
  await connection?.close();
  await f?.close();
});

const act = (envKey: string, id: number, action: string, token: string, body?: unknown) =>
  f.h.call('POST', `/v1/environments/${f.env[envKey]}/deployment-history/${id}/${action}`, { token, ...(body ? { body } : {}) });
const row = async (id: number): Promise<Loose> =>
  (await db.database.db.execute(sql`select * from deployments where id = ${id}`))[0] as Loose;
const audit = async (id: number, action: string): Promise<Loose[]> =>
  db.database.db.execute(
    sql`select * from audit_events where subject_type = 'deployment' and subject_id = ${String(id)} and action = ${action}`,
  );
/** A second token of an existing principal (another name: laptop vs CI). */
async function tokenOf(principal: string, name: string): Promise<string> {
  const res = await f.h.call('POST', '/v1/tokens', {
    body: { name: `${name}-${sfx}`, principal: `${principal}-${sfx}`, role: 'promoter', scopes: ['*'] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { token: string }).token;
}
async function rejected(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause?.message ?? '';
}

describe('operator Updates sent around the API', () => {
  it('a forged approval (a name in the payload, a made-up or a used action id) is rejected, changes nothing, and is audited; the API path works', async () => {
    const r = await f.createRelease('2.0.0');
    const p = await f.promote(r, 'gate');
    expect(p.status, JSON.stringify(p.body)).toBe(202);
    const id = p.body.deploymentId as number;
    await f.waitFor('gate', id, ['awaiting_approval']);
    const handle = client.workflow.getHandle(p.body.workflowId as string);

    expect(await rejected(handle.executeUpdate('approve', { args: [{ by: `approver1-${sfx}` }] }))).toMatch(/no operator action/);
    expect(await rejected(handle.executeUpdate('approve', { args: [{ actionId: randomUUID(), by: `approver2-${sfx}` }] }))).toMatch(
      /no operator action/,
    );
    expect(await rejected(handle.executeUpdate('abort', { args: [{ by: 'system', leaveGit: true }] }))).toMatch(/no operator action/);
    expect((await handle.query(progressQuery)).approvals).toEqual([]);
    expect((await row(id)).status).toBe('awaiting_approval');
    expect((await row(id)).actions.map((a: { action: string }) => a.action)).toEqual(['start']);
    const forged = await audit(id, 'deployment.forged_action_rejected');
    expect(forged.map((e) => e.details.claimedBy)).toEqual([`approver1-${sfx}`, `approver2-${sfx}`, 'system']);

    // The initiator's principal never approves, not even with another of its tokens.
    const own = await act('gate', id, 'approve', await tokenOf('promoter', 'promoter-laptop'));
    expect(own.status).toBe(409);
    expect(errorOf(own.body).message).toMatch(/initiator/);

    const one = await act('gate', id, 'approve', f.tokens.approver1, { comment: 'ok' });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body.approvals).toBe(1);
    // Two tokens of one principal count once.
    const again = await act('gate', id, 'approve', await tokenOf('approver1', 'approver1-ci'));
    expect(again.status).toBe(409);
    expect(errorOf(again.body).message).toMatch(/already approved/);
    // A recorded action is consumed once: replaying its id under another Update id is refused.
    expect(await rejected(handle.executeUpdate('approve', { args: [{ actionId: one.body.actionId }] }))).toMatch(/already used/);
    expect((await handle.query(progressQuery)).approvals).toEqual([`approver1-${sfx}`]);

    const two = await act('gate', id, 'approve', f.tokens.approver2);
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    const d = await f.waitFor('gate', id, ['succeeded', 'failed', 'aborted', 'awaiting_operator']);
    expect(d.status).toBe('succeeded');
    const approvals = d.actions.filter((a: { action: string }) => a.action === 'approve');
    expect(approvals.map((a: { by: string }) => a.by)).toEqual([`approver1-${sfx}`, `approver2-${sfx}`]);
    // Audited with the token id and the request id of the API call, exactly once each.
    const approveEvents = await audit(id, 'deployment.approve');
    expect(approveEvents).toHaveLength(2);
    for (const e of approveEvents) {
      expect(e.actor_token_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.request_id).toBeTruthy();
    }
    const actions = await db.database.db.execute(sql`select outcome from operator_actions where deployment_id = ${id} order by created_at`);
    expect(actions.map((a) => a.outcome)).toEqual(['rejected', 'applied', 'rejected', 'applied']);
  });

  it('the Update id is the recorded action, not the client-controlled X-Request-Id', async () => {
    const r = await f.createRelease('2.0.1');
    const p = await f.promote(r, 'gate');
    const id = p.body.deploymentId as number;
    await f.waitFor('gate', id, ['awaiting_approval']);
    const headers = { 'x-request-id': 'reused-request-id' };
    const one = await f.h.call('POST', `/v1/environments/${f.env.gate}/deployment-history/${id}/approve`, {
      token: f.tokens.approver1,
      headers,
    });
    expect(one.status).toBe(200);
    const two = await f.h.call('POST', `/v1/environments/${f.env.gate}/deployment-history/${id}/approve`, {
      token: f.tokens.approver2,
      headers,
    });
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    expect(two.body.approvals).toBe(2);
    expect((await f.waitFor('gate', id, ['succeeded', 'failed', 'aborted'])).status).toBe('succeeded');
  });
});

describe('promoteRelease started around the API', () => {
  const input = (over: Partial<PromoteInput>): PromoteInput => ({
    deploymentId: 0,
    releaseId: '',
    environment: f.env.gate as string,
    initiator: `approver1-${sfx}`,
    isRollback: false,
    approval: null,
    convergenceDeadlineSeconds: 60,
    timeouts: { stepSeconds: 10, gitSeconds: 10, heartbeatSeconds: 3 },
    ...over,
  });

  it('on a protected environment with approval: null still waits for approval (the policy comes from the database)', async () => {
    const r = await f.createRelease('2.0.2');
    const env = f.env.gate as string;
    const inserted = await db.database.db.transaction((tx) =>
      insertDeployment(tx, {
        environment: env,
        releaseId: r,
        previousReleaseId: null,
        isRollback: false,
        startedBy: `promoter-${sfx}`,
        startedByTokenId: null,
        reason: null,
        workflowId: promotionWorkflowId(env),
        steps: STEPS,
      }),
    );
    if (!('created' in inserted)) throw new Error('environment busy');
    const id = inserted.created.id;
    // The environment's previous run closes a workflow task after its record became final: wait for it.
    await client.workflow
      .getHandle(promotionWorkflowId(env))
      .result()
      .catch(() => undefined);
    await client.workflow.start('promoteRelease', {
      taskQueue: f.taskQueue,
      workflowId: promotionWorkflowId(env),
      args: [input({ deploymentId: id, releaseId: r })],
    });
    const d = await f.waitFor('gate', id, ['awaiting_approval', 'running', 'succeeded', 'failed']);
    expect(d.status).toBe('awaiting_approval');
    const handle = client.workflow.getHandle(promotionWorkflowId(env));
    expect((await handle.query(progressQuery)).status).toBe('awaiting_approval');
    expect(await rejected(handle.executeUpdate('approve', { args: [{ by: `approver1-${sfx}` }] }))).toMatch(/no operator action/);
    const abort = await act('gate', id, 'abort', f.tokens.promoter);
    expect(abort.status, JSON.stringify(abort.body)).toBe(200);
    const done = await f.waitFor('gate', id, ['aborted', 'failed', 'succeeded']);
    expect(done.status).toBe('aborted');
    expect(done.commitSha).toBeNull();
    await recordHistory('hand-started-forged-update', promotionWorkflowId(env));
  });

  it('pointing at a finished or a foreign record fails without touching it', async () => {
    const r = await f.createRelease('2.0.3');
    const p = await f.promote(r, 'free');
    const id = p.body.deploymentId as number;
    expect((await f.waitFor('free', id, ['succeeded', 'failed', 'aborted'])).status).toBe('succeeded');
    const envFree = f.env.free as string;
    await client.workflow.getHandle(promotionWorkflowId(envFree)).result();
    const before = await row(id);
    // Finished: the succeeded record of `free`, under its own workflow id.
    const finished = await client.workflow.start('promoteRelease', {
      taskQueue: f.taskQueue,
      workflowId: promotionWorkflowId(envFree),
      args: [input({ deploymentId: id, releaseId: r, environment: envFree })],
    });
    await expect(finished.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    // Foreign: the same record under another environment's name and another workflow id.
    const foreign = await client.workflow.start('promoteRelease', {
      taskQueue: f.taskQueue,
      workflowId: `side-door-${sfx}`,
      args: [input({ deploymentId: id, releaseId: r })],
    });
    const err = await foreign.result().then(
      () => undefined,
      (e: unknown) => e as WorkflowFailedError,
    );
    expect(err?.cause?.message).toMatch(/promotion refused/);
    expect(await row(id)).toEqual(before);
    expect((await audit(id, 'deployment.admission_rejected')).length).toBe(2);
  });
});
