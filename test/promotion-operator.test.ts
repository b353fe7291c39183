// Operators and failures on real services: a step that exhausts its retries parks the promotion in
// awaiting_operator; retry, abort (before and after the push) and approve act through the API as
// Workflow Updates; Argo CD faults (Degraded, another operation running, 5xx bursts) and drift found by
// verification; no worker → 503; and no credential ever reaches history, audit, logs or error bodies.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { simpleGit } from 'simple-git';
import { createKubeClient } from '../integrations/kube.js';
import { REDACT_PATHS } from '../lib/logger.js';
import { temporalClient, useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf, type Loose } from './api-harness.js';
import { recordHistory } from './history-corpus.js';

const db = useTestDatabase();
let f: PromotionFixture;
const logLines: string[] = [];
const errorBodies: unknown[] = [];
let hookAction: ((point: string) => Promise<void> | void) | undefined;

const capture = new Writable({
  write(chunk, _enc, cb) {
    logLines.push(String(chunk));
    cb();
  },
});
const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, capture);

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [
      { key: 'ops' },
      { key: 'gate', protected: true, approvalsRequired: 2, approvers: ['approver1', 'approver2'] },
      { key: 'quick', protected: true, approvalsRequired: 1, approvalTimeoutSeconds: 2 },
    ],
    apiEnv: { PROMOTION_STEP_TIMEOUT_SECONDS: '10', PROMOTION_GIT_TIMEOUT_SECONDS: '10', PROMOTION_HEARTBEAT_TIMEOUT_SECONDS: '3' },
  });
  await f.startWorker({ logger, testHooks: { at: (point) => hookAction?.(point) } });
});
afterAll(async () => {
  await f?.close();
});

const done = ['succeeded', 'failed', 'awaiting_operator', 'aborted'];
const act = async (envKey: string, id: number, action: string, token: string, body?: unknown) => {
  const res = await f.h.call('POST', `/v1/environments/${f.env[envKey]}/deployment-history/${id}/${action}`, {
    token,
    ...(body ? { body } : {}),
  });
  if (res.status >= 400) errorBodies.push(res.body);
  return res;
};
const kube = () => createKubeClient({ server: f.sim.kubeUrl, caData: f.sim.kubeCaData, token: f.sim.kubeToken });
async function liveImages(envKey: string): Promise<string[]> {
  const pods = await kube().listPods(f.env[envKey] as string);
  const ready = pods.filter((p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
  return [...new Set(ready.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
}
async function promoteOk(releaseId: string, envKey: string): Promise<Loose> {
  const res = await f.promote(releaseId, envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body;
}
/** Polls an observable condition (never a fixed sleep window). */
async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const step = (d: Loose, name: string) => d.steps.find((s: { name: string }) => s.name === name);

let r1: string;
beforeAll(async () => {
  r1 = await f.createRelease('1.0.1');
  const p = await promoteOk(r1, 'ops');
  expect((await f.waitFor('ops', p.deploymentId, done)).status).toBe('succeeded');
});

describe('park, retry and abort', () => {
  it('Argo CD Degraded parks the promotion; after healing, retry finishes it', async () => {
    const r2 = await f.createRelease('1.0.2');
    f.sim.faults.degradeWorkload(f.env.ops as string, 'api');
    const p = await promoteOk(r2, 'ops');
    const parked = await f.waitFor('ops', p.deploymentId, done);
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.currentStep).toBe('argocd-wait');
    expect(step(parked, 'argocd-wait').status).toBe('failed');
    expect(parked.message).toMatch(/Degraded/);
    await recordHistory('parked-awaiting-operator', p.workflowId, { complete: false });

    // A second retry-less action is rejected by the validator while parked? No: approve is invalid here.
    const badApprove = await act('ops', p.deploymentId, 'approve', f.tokens.approver1);
    expect(badApprove.status).toBe(409);
    expect(errorOf(badApprove.body).code).toBe('INVALID_ACTION');

    f.sim.faults.clearWorkload(f.env.ops as string, 'api');
    const retried = await act('ops', p.deploymentId, 'retry', f.tokens.promoter, { comment: 'image fixed' });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    const d = await f.waitFor('ops', p.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(d.status).toBe('succeeded');
    expect(step(d, 'argocd-wait').attempts).toBeGreaterThanOrEqual(2);
    expect(d.actions.map((a: { action: string }) => a.action)).toEqual(['start', 'retry']);
    expect(await liveImages('ops')).toEqual(['org/api:1.0.2', 'org/gateway:stable']);
    await recordHistory('parked-retried', p.workflowId);
  });

  it('retry when nothing failed is rejected by the validator and never enters the workflow history', async () => {
    const r = await f.createRelease('1.0.3');
    const p = await f.promote(r, 'gate');
    expect(p.status).toBe(202);
    await f.waitFor('gate', p.body.deploymentId, ['awaiting_approval']);
    const res = await act('gate', p.body.deploymentId, 'retry', f.tokens.promoter);
    expect(res.status).toBe(409);
    expect(errorOf(res.body).code).toBe('INVALID_ACTION');
    expect(errorOf(res.body).message).toMatch(/nothing to retry/);
    const { client, connection } = await temporalClient();
    try {
      const history = await client.workflow.getHandle(p.body.workflowId).fetchHistory();
      expect(JSON.stringify(history)).not.toMatch(/"name":"retry"/);
    } finally {
      await connection.close();
    }
    // Abort before the push: nothing reaches Git, the current release stays.
    const abort = await act('gate', p.body.deploymentId, 'abort', f.tokens.promoter, { comment: 'not today' });
    expect(abort.status).toBe(200);
    const d = await f.waitFor('gate', p.body.deploymentId, ['aborted', 'failed', 'succeeded']);
    expect(d.status).toBe('aborted');
    expect(d.commitSha).toBeNull();
    const log = await simpleGit(f.repoPath).raw([
      'log',
      '--format=%(trailers:key=Flow-Controller-Deployment,valueonly,separator=)',
      'main',
    ]);
    expect(log.split('\n')).not.toContain(String(p.body.deploymentId));
  });

  it('abort after the push reverts the commit, syncs the revert, and keeps the current release', async () => {
    const before = (await f.h.call('GET', `/v1/environments/${f.env.ops}?live=false`, { token: f.h.tokens.viewer })).body.currentReleaseId;
    const imagesBefore = await liveImages('ops');
    const r = await f.createRelease('1.0.4');
    f.sim.faults.degradeWorkload(f.env.ops as string, 'api');
    const p = await promoteOk(r, 'ops');
    const parked = await f.waitFor('ops', p.deploymentId, done);
    expect(parked.status).toBe('awaiting_operator');
    expect(parked.commitSha).toMatch(/^[0-9a-f]{40}$/);
    f.sim.faults.clearWorkload(f.env.ops as string, 'api');
    const res = await act('ops', p.deploymentId, 'abort', f.tokens.promoter, { comment: 'roll it back' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = await f.waitFor('ops', p.deploymentId, ['aborted', 'failed', 'succeeded']);
    expect(d.status).toBe('aborted');
    expect(d.revertSha).toMatch(/^[0-9a-f]{40}$/);
    expect(d.message).toMatch(/revert commit/);
    const git = simpleGit(f.repoPath);
    expect((await git.raw(['log', '-1', '--format=%H', 'main'])).trim()).toBe(d.revertSha);
    expect(await git.raw(['log', '-1', '--format=%B', d.revertSha])).toContain(parked.commitSha);
    const env = (await f.h.call('GET', `/v1/environments/${f.env.ops}?live=false`, { token: f.h.tokens.viewer })).body;
    expect(env.currentReleaseId).toBe(before);
    expect(await liveImages('ops')).toEqual(imagesBefore);
    await recordHistory('aborted-after-push', p.workflowId);
  });

  it('abort during the convergence wait: the wait activity, cancelled, records no later step (wait-verify-together)', async () => {
    const p = await promoteOk(await f.createRelease('1.0.5'), 'ops');
    let aborted = false;
    let ended = false;
    hookAction = async (point) => {
      if (point === 'argocd-wait-verify:end') ended = true;
      if (point !== 'argocd-wait:polled' || aborted) return;
      aborted = true;
      expect((await act('ops', p.deploymentId, 'abort', f.tokens.promoter, { comment: 'stop here' })).status).toBe(200);
      // This round of the wait goes on only once the compensation has begun (the deployment left the wait step).
      await until(async () => {
        const [row] = await db.database.sql`select current_step from deployments where id = ${p.deploymentId}`;
        return row?.current_step !== 'argocd-wait';
      });
    };
    const d = await f.waitFor('ops', p.deploymentId, ['aborted', 'failed', 'succeeded']);
    expect(aborted).toBe(true);
    expect(d.status).toBe('aborted');
    // Once the cancelled activity has ended (whatever its wait saw after the abort), nothing after the wait is recorded.
    await until(async () => ended);
    hookAction = undefined;
    const rows = await db.database.sql`select step, status, attempts from deployment_steps where deployment_id = ${p.deploymentId}`;
    for (const name of ['verify-images', 'verify'])
      expect(rows.find((r) => r.step === name)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

describe('cancelled from the Temporal UI', () => {
  it('ends like an abort, recorded in the history', async () => {
    const r = await f.createRelease('1.0.9');
    const p = await f.promote(r, 'gate');
    await f.waitFor('gate', p.body.deploymentId, ['awaiting_approval']);
    const { client, connection } = await temporalClient();
    try {
      await client.workflow.getHandle(p.body.workflowId).cancel();
    } finally {
      await connection.close();
    }
    const d = await f.waitFor('gate', p.body.deploymentId, ['aborted', 'failed', 'succeeded']);
    expect(d.status).toBe('aborted');
    expect(d.actions.at(-1)).toMatchObject({ action: 'abort', by: 'temporal-cancel' });
    await recordHistory('cancelled', p.body.workflowId);
  });
});

describe('terminated from the Temporal UI', () => {
  it('does not block the environment: the next promotion releases the orphaned record', async () => {
    const r = await f.createRelease('1.0.10');
    const p = await f.promote(r, 'gate');
    await f.waitFor('gate', p.body.deploymentId, ['awaiting_approval']);
    const { client, connection } = await temporalClient();
    try {
      await client.workflow.getHandle(p.body.workflowId).terminate('operator pressed Terminate');
    } finally {
      await connection.close();
    }
    const next = await f.promote(r, 'gate');
    expect(next.status, JSON.stringify(next.body)).toBe(202);
    expect(next.body.deploymentId).not.toBe(p.body.deploymentId);
    const old = await f.waitFor('gate', p.body.deploymentId, ['failed']);
    expect(old.message).toMatch(/TERMINATED/);
    await act('gate', next.body.deploymentId, 'abort', f.tokens.promoter);
    await f.waitFor('gate', next.body.deploymentId, ['aborted']);
  });
});

describe('approval gate', () => {
  it('needs two distinct approvers, not the initiator, with the right role and scope', async () => {
    const r = await f.createRelease('1.1.0');
    const p = await f.promote(r, 'gate');
    const id = p.body.deploymentId as number;
    await f.waitFor('gate', id, ['awaiting_approval']);
    await recordHistory('awaiting-approval', p.body.workflowId, { complete: false });
    expect((await act('gate', id, 'approve', f.h.tokens.viewer)).status).toBe(403);
    expect((await act('gate', id, 'approve', f.h.tokens.promoter /* scoped to staging */)).status).toBe(403);
    const own = await act('gate', id, 'approve', f.tokens.promoter);
    expect(own.status).toBe(409);
    expect(errorOf(own.body).message).toMatch(/initiator/);
    const one = await act('gate', id, 'approve', f.tokens.approver1);
    expect(one.status).toBe(200);
    expect(one.body.approvals).toBe(1);
    expect((await act('gate', id, 'approve', f.tokens.approver1)).status).toBe(409);
    const two = await act('gate', id, 'approve', f.tokens.approver2, { comment: 'lgtm' });
    expect(two.status).toBe(200);
    const d = await f.waitFor('gate', id, ['succeeded', 'failed', 'aborted', 'awaiting_operator']);
    expect(d.status).toBe('succeeded');
    expect(step(d, 'approval').status).toBe('succeeded');
    expect(
      d.actions.filter((a: { action: string }) => a.action === 'approve').map((a: { by: string }) => a.by.replace(/-[0-9a-f]+$/, '')),
    ).toEqual(['approver1', 'approver2']);
    await recordHistory('approved', p.body.workflowId);
  });

  it('expires when nobody approves in time', async () => {
    const r = await f.createRelease('1.1.1');
    const p = await f.promote(r, 'quick');
    const d = await f.waitFor('quick', p.body.deploymentId, ['failed', 'succeeded', 'aborted'], 20_000);
    expect(d.status).toBe('failed');
    expect(d.message).toMatch(/approval expired/);
    expect(step(d, 'approval').status).toBe('failed');
    await recordHistory('approval-expired', p.body.workflowId);
  });

  it('answers 503 when no worker responds to an operator action', async () => {
    const r = await f.createRelease('1.1.2');
    await f.stopWorker();
    try {
      const p = await f.promote(r, 'quick');
      const started = Date.now();
      const res = await act('quick', p.body.deploymentId, 'approve', f.tokens.approver1);
      expect(res.status).toBe(503);
      expect(errorOf(res.body).code).toBe('WORKER_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await f.startWorker({ logger, testHooks: { at: (point) => hookAction?.(point) } });
    }
    // The update stays admitted on the server: when a worker is back it is applied (approved) or the gate
    // expires; either way the promotion ends and the answer was a prompt 503, not a hang.
    const list = await f.h.call('GET', `/v1/environments/${f.env.quick}/deployment-history?limit=1`, { token: f.h.tokens.viewer });
    await f.waitFor('quick', list.body.deployments[0].id, ['failed', 'succeeded'], 20_000);
  });
});

describe('Argo CD faults and drift', () => {
  it('a sync rejected because another operation runs is retried until it goes through', async () => {
    const r = await f.createRelease('1.2.0');
    const app = `${f.env.ops}-core`;
    let started = false;
    // Someone else's sync starts right before ours and holds until ours has been retried.
    hookAction = async (point) => {
      if (point !== 'argocd-sync:start' || started) return;
      started = true;
      await f.sim.faults.startForeignOperation(app, { username: 'someone-else', hold: true });
    };
    try {
      const p = await promoteOk(r, 'ops');
      // Release the foreign operation once our sync has observably been refused and retried.
      await until(async () => {
        const res = await f.h.call('GET', `/v1/environments/${f.env.ops}/deployment-history/${p.deploymentId}`, {
          token: f.h.tokens.viewer,
        });
        return (step(res.body, 'argocd-sync')?.attempts ?? 0) >= 2;
      });
      f.sim.faults.releaseForeignOperation(app);
      const d = await f.waitFor('ops', p.deploymentId, done);
      expect(d.status, JSON.stringify(step(d, 'argocd-sync'))).toBe('succeeded');
      expect(step(d, 'argocd-sync').attempts).toBeGreaterThanOrEqual(2);
    } finally {
      hookAction = undefined;
    }
  });

  it('a burst of Argo CD 5xx answers is retried', async () => {
    const r = await f.createRelease('1.2.1');
    f.sim.faults.httpFaults('argo', { errorRate: 1, errorStatus: 503 });
    const p = await promoteOk(r, 'ops');
    // Heal once a step has observably been retried (not after a fixed delay, which a busy machine outruns).
    await until(async () => {
      const res = await f.h.call('GET', `/v1/environments/${f.env.ops}/deployment-history/${p.deploymentId}`, { token: f.h.tokens.viewer });
      return res.body.steps.some((s: { attempts: number }) => s.attempts >= 2);
    });
    f.sim.faults.clearHttpFaults('argo');
    const d = await f.waitFor('ops', p.deploymentId, done);
    expect(d.status).toBe('succeeded');
    expect(d.steps.some((s: { attempts: number }) => s.attempts >= 2)).toBe(true);
  });

  it('an out-of-band image change during verification fails the step listing the container', async () => {
    const r = await f.createRelease('1.2.2');
    let done1 = false;
    hookAction = async (point) => {
      if (point !== 'verify-images:start' || done1) return;
      done1 = true;
      f.sim.faults.setImage({ namespace: f.env.ops as string, name: 'api', container: 'api', image: 'org/api:hotfix-by-hand' });
      await new Promise((res) => setTimeout(res, 200));
    };
    try {
      const p = await promoteOk(r, 'ops');
      const d = await f.waitFor('ops', p.deploymentId, done);
      expect(d.status).toBe('awaiting_operator');
      expect(d.currentStep).toBe('verify-images');
      expect(d.message).toMatch(/api\/api: expected org\/api:1\.2\.2, running org\/api:hotfix-by-hand/);
      const abort = await act('ops', p.deploymentId, 'abort', f.tokens.promoter, { leaveGit: true });
      expect(abort.status).toBe(200);
      const ended = await f.waitFor('ops', p.deploymentId, ['aborted']);
      expect(ended.revertSha).toBeNull();
      expect(ended.message).toMatch(/left as is/);
    } finally {
      hookAction = undefined;
    }
  });

  it('the same repository path and tag pulled from another registry is drift, not the release (audit finding 19, probe B)', async () => {
    const r = await f.createRelease('1.2.7');
    const attacker = 'attacker.example/org/api:1.2.7';
    let done1 = false;
    hookAction = async (point) => {
      if (point !== 'verify-images:start' || done1) return;
      done1 = true;
      f.sim.faults.setImage({ namespace: f.env.ops as string, name: 'api', container: 'api', image: attacker });
      // Verification must see the swapped pod: wait until it is Ready (observable state, no sleep window).
      await until(async () => (await liveImages('ops')).includes(attacker));
    };
    try {
      const p = await promoteOk(r, 'ops');
      const d = await f.waitFor('ops', p.deploymentId, done);
      expect(d.status).toBe('awaiting_operator');
      expect(d.currentStep).toBe('verify-images');
      expect(d.message).toContain(`api/api: expected org/api:1.2.7, running ${attacker}`);
      const abort = await act('ops', p.deploymentId, 'abort', f.tokens.promoter, { leaveGit: true });
      expect(abort.status).toBe(200);
      expect((await f.waitFor('ops', p.deploymentId, ['aborted'])).status).toBe('aborted');
    } finally {
      hookAction = undefined;
    }
  });
});

describe('secrets', () => {
  it('never appear in history, audit, logs or error bodies', async () => {
    const secrets = [f.sim.argoAdmin.password, f.sim.kubeToken, f.tokens.promoter, f.tokens.approver1, f.h.tokens.admin];
    const texts: string[] = [logLines.join(''), JSON.stringify(errorBodies)];
    for (const key of Object.keys(f.env)) {
      const list = await f.h.call('GET', `/v1/environments/${f.env[key]}/deployment-history?limit=200`, { token: f.h.tokens.viewer });
      texts.push(JSON.stringify(list.body));
      for (const d of list.body.deployments) {
        texts.push(
          JSON.stringify(
            (await f.h.call('GET', `/v1/environments/${f.env[key]}/deployment-history/${d.id}`, { token: f.h.tokens.viewer })).body,
          ),
        );
      }
      texts.push(JSON.stringify((await f.h.call('GET', `/v1/environments/${f.env[key]}`, { token: f.h.tokens.viewer })).body));
    }
    texts.push(JSON.stringify((await f.h.call('GET', '/v1/audit?limit=500', { token: f.h.tokens.admin })).body));
    expect(texts.join('').length).toBeGreaterThan(10_000);
    for (const secret of secrets) {
      for (const text of texts) expect(text.includes(secret)).toBe(false);
    }
  });
});
