// Verification gates end to end on real services (API, Temporal, real worker, Git, the simulator's Argo CD,
// Kubernetes and Prometheus, a local HTTP server the test scripts): the verify step after verify-images passes
// with evidence; a failed check parks the promotion and one retry after the fix succeeds; a health hold fails on
// a flap and abort works as for other steps; onFailure rollback opens a verification-failed incident, reverts its
// own commit and fails
// the promotion; POST /v1/environments/:env/reverify passes (incidents resolved) and fails (verification revoked,
// incident opened); no check configured records the step skipped. Secrets never reach history, audit or Temporal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalClient, useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf, type Loose } from './api-harness.js';
import { recordHistory } from './history-corpus.js';
import { listIncidents } from '../db/incidents.js';
import { latestVerification, setVerificationState, startVerification } from '../db/verifications.js';

const db = useTestDatabase();
const SECRET = 'e2e-gate-s3cret-value';
let f: PromotionFixture;
let server: Server;
let appUrl: string;
let answers: Array<{ status: number; body: string }> = [];
let hookAction: ((point: string) => Promise<void> | void) | undefined;
/** The promotion that parked on a failed check and succeeded after one retry: the environment's current one. */
let parked: Loose;

beforeAll(async () => {
  process.env.FC_SECRET_GATES_E2E = SECRET;
  server = createServer((req, res) => {
    const next = answers.length > 1 ? (answers.shift() as { status: number; body: string }) : (answers[0] ?? { status: 200, body: '{}' });
    res.writeHead(next.status, { 'Content-Type': 'application/json' });
    res.end(next.body.replace('$AUTH', String(req.headers['x-api-key'] ?? '')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'a' }, { key: 'b' }, { key: 'hold' }],
    apiEnv: { PROMOTION_HEARTBEAT_TIMEOUT_SECONDS: '3' },
  });
  await f.startWorker({ testHooks: { at: (point) => hookAction?.(point) } });
});
afterAll(async () => {
  await f?.close();
  await new Promise((r) => server?.close(r));
});

const ended = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];
const step = (d: Loose, name: string) => d.steps.find((s: { name: string }) => s.name === name);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not reached: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function setVerification(envKey: string, verification: unknown): Promise<{ status: number; body: Loose }> {
  const name = f.env[envKey] as string;
  const current = await f.h.call('GET', `/v1/environments/${name}?live=false`);
  return f.h.call('PUT', `/v1/environments/${name}`, { body: { ...current.body.config, verification } });
}

async function promote(tag: string, envKey: string): Promise<Loose> {
  const res = await f.promote(await f.createRelease(tag), envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body;
}

const errorRatio = (extra: Record<string, unknown> = {}) => ({
  kind: 'prometheus',
  name: 'error-rate',
  serverUrl: f.sim.promUrl,
  query: 'flow_workload_error_ratio{namespace="{env}",workload="api"}',
  op: '<',
  threshold: 0.05,
  intervalSeconds: 1,
  durationSeconds: 1,
  ...extra,
});
const probe = (extra: Record<string, unknown> = {}) => ({
  kind: 'prometheus',
  name: 'probe',
  serverUrl: f.sim.promUrl,
  query: 'gate_probe{env="{env}"}',
  op: '<',
  threshold: 0.05,
  intervalSeconds: 1,
  durationSeconds: 0,
  ...extra,
});

/**
 * Activity types the promotion ran (local ones from their markers), in order, once the record's local activity is in
 * the history (its marker is written when its workflow task completes, after the database already says succeeded).
 */
async function activitiesRun(workflowId: string): Promise<string[]> {
  const { client, connection } = await temporalClient();
  try {
    return await until(
      async () => {
        const json = JSON.stringify(await client.workflow.getHandle(workflowId).fetchHistory());
        const types: string[] = [];
        for (const m of json.matchAll(/"activityType":\{"name":"(\w+)"\}|"data":"([A-Za-z0-9+/=]+)"/g)) {
          const name = m[1] ?? /"activity_type":"(\w+)"/.exec(Buffer.from(m[2] as string, 'base64').toString('utf8'))?.[1];
          if (name) types.push(name);
        }
        return types;
      },
      (types) => types.includes('recordSuccess'),
    );
  } finally {
    await connection.close();
  }
}

describe('the verify step of a promotion', () => {
  it('with no check configured the step is recorded skipped, by the verify-images half of the wait (no planner round trip)', async () => {
    const p = await promote('2.0.0', 'b');
    const d = await f.waitFor('b', p.deploymentId, ended);
    expect(d.status).toBe('succeeded');
    expect(step(d, 'verify')).toMatchObject({ status: 'skipped', message: 'no verification checks configured' });
    const ran = await activitiesRun(p.workflowId);
    // Since wait-verify-together the wait's activity verifies the live images once converged.
    expect(ran).toContain('argocdWaitVerify');
    expect(ran).not.toContain('verifyImages');
    expect(ran).not.toContain('planVerification');
    expect(ran.at(-1)).toBe('recordSuccess');
    await recordHistory('verification-gates-skipped', p.workflowId);
  });

  it('a secret reference outside the installation policy is refused on save (422)', async () => {
    const res = await setVerification('a', {
      checks: [{ kind: 'http', name: 'x', url: appUrl, headers: { 'X-Api-Key': { secretRef: 'env:PATH' } } }],
    });
    expect(res.status).toBe(422);
    expect(errorOf(res.body).code).toBe('ENVIRONMENT_INVALID');
    expect(errorOf(res.body).message).toContain('verification.checks.0.headers.X-Api-Key.secretRef');
  });

  it('checks that pass: HTTP (consecutive successes), Prometheus, Argo CD health hold; the step keeps the evidence', async () => {
    answers = [
      { status: 503, body: '{"ready":false,"key":"$AUTH"}' },
      { status: 200, body: '{"ready":true,"key":"$AUTH"}' },
    ];
    const saved = await setVerification('a', {
      checks: [
        {
          kind: 'http',
          name: 'api-health',
          url: `${appUrl}/{env}/health`,
          headers: { 'X-Api-Key': { secretRef: 'env:FC_SECRET_GATES_E2E' } },
          jsonPath: 'ready',
          expectValue: true,
          successesRequired: 2,
          intervalSeconds: 1,
          durationSeconds: 4,
        },
        errorRatio(),
        { kind: 'argocd-health', name: 'hold', intervalSeconds: 1, durationSeconds: 1 },
      ],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const p = await promote('2.1.0', 'a');
    const d = await f.waitFor('a', p.deploymentId, ended);
    expect(d.status, JSON.stringify(d)).toBe('succeeded');
    const verify = step(d, 'verify');
    expect(verify.status).toBe('succeeded');
    expect(verify.message).toMatch(
      /^3 check\(s\) passed: api-health \(3 sample\(s\)\), error-rate \(2 sample\(s\)\), hold \(2 sample\(s\)\)/,
    );
    const checks = verify.observation.checks as Loose[];
    expect(checks.map((c) => [c.name, c.outcome])).toEqual([
      ['api-health', 'passed'],
      ['error-rate', 'passed'],
      ['hold', 'passed'],
    ]);
    expect(checks[0].evidence.map((e: Loose) => e.status)).toEqual([503, 200, 200]);
    expect(checks[0].evidence[0].body).toContain('[redacted]');
    expect(checks[2].evidence[0].applications.map((a: Loose) => a.health)).toEqual(['Healthy', 'Healthy']);
    // With checks to run, the planner plans them (verify-images only records its own step).
    expect((await activitiesRun(p.workflowId)).slice(-3)).toEqual(['planVerification', 'verifyGates', 'recordSuccess']);
    await recordHistory('verification-gates-passed', p.workflowId);
  });

  it('a failed check parks the promotion with the check and its evidence; after the fix ONE retry succeeds', async () => {
    answers = [{ status: 200, body: '{"ready":true}' }];
    f.sim.faults.setErrorRate(f.env.a as string, 'api', 0.3);
    parked = await promote('2.2.0', 'a');
    const d = await f.waitFor('a', parked.deploymentId, ended);
    expect(d.status).toBe('awaiting_operator');
    expect(d.currentStep).toBe('verify');
    expect(d.message).toMatch(
      /^verification failed: check error-rate \(prometheus\) failed: sample 1\/2 failed: flow_workload_error_ratio\{.*\} = 0\.3, not < 0\.05/,
    );
    const verify = step(d, 'verify');
    expect(verify.status).toBe('failed');
    expect(verify.observation.checks.find((c: Loose) => c.name === 'error-rate').evidence[0].values[0].value).toBe('0.3');
    await recordHistory('verification-gates-parked', parked.workflowId, { complete: false });

    // While the promotion is active the environment cannot be re-verified.
    const busy = await f.h.call('POST', `/v1/environments/${f.env.a}/reverify`, { token: f.tokens.promoter });
    expect(busy.status).toBe(409);
    expect(errorOf(busy.body).code).toBe('PROMOTION_IN_PROGRESS');

    f.sim.faults.setErrorRate(f.env.a as string, 'api', 0);
    const retry = await f.h.call('POST', `/v1/environments/${f.env.a}/deployment-history/${parked.deploymentId}/retry`, {
      token: f.tokens.promoter,
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    const done = await f.waitFor('a', parked.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(done.status).toBe('succeeded');
    expect(done.actions.map((a: Loose) => a.action)).toEqual(['start', 'retry']);
    expect(step(done, 'verify')).toMatchObject({ status: 'succeeded', attempts: 2 });
    await recordHistory('verification-gates-retried', parked.workflowId);
  });

  it('onFailure rollback: a verification-failed incident with the evidence; the promotion reverts its own commit and fails', async () => {
    f.sim.faults.setMetric({ name: 'gate_probe', labels: { env: f.env.a as string }, value: Number.NaN });
    expect((await setVerification('a', { onFailure: 'rollback', checks: [probe()] })).status).toBe(200);
    const p = await promote('2.3.0', 'a');
    const d = await f.waitFor('a', p.deploymentId, ended);
    expect(d.status).toBe('failed');
    expect(d.message).toMatch(
      /^verification failed: check probe \(prometheus\) failed: .*NaN, noData: fail.*; incident \d+ opened \(onFailure: rollback\); rolled back/,
    );
    expect(step(d, 'verify').status).toBe('failed');
    // Rolled back: its own commit reverted (synced and awaited), so the environment runs its current release again.
    expect(d.revertSha).toMatch(/^[0-9a-f]{40}$/);
    expect(step(d, 'revert-push').status).toBe('succeeded');
    expect(step(d, 'revert-wait').status).toBe('succeeded');
    const { incidents } = await listIncidents(db.database.db, { environment: f.env.a as string, open: true, limit: 10 });
    expect(incidents.map((i) => [i.kind, i.application, i.deploymentId, i.action])).toEqual([
      ['verification-failed', '', p.deploymentId, 'rolled-back'],
    ]);
    expect(JSON.stringify(incidents[0]?.evidence)).toContain('NaN');
    await recordHistory('verification-gates-rollback', p.workflowId);
  });

  it('a health hold fails when an application flaps; abort works as for other steps', async () => {
    const ns = f.env.hold as string;
    expect(
      (await setVerification('hold', { checks: [{ kind: 'argocd-health', name: 'hold', intervalSeconds: 1, durationSeconds: 60 }] }))
        .status,
    ).toBe(200);
    const p = await promote('2.4.0', 'hold');
    // Once the hold has seen a healthy sample, the api is changed behind Git's back and its new pods never get ready.
    await until(
      () => f.waitFor('hold', p.deploymentId, ['running', ...ended]),
      (d: Loose) => (step(d, 'verify')?.observation?.checks?.[0]?.samples ?? 0) >= 1 || d.status !== 'running',
    );
    f.sim.faults.degradeWorkload(ns, 'api');
    f.sim.faults.setImage({ namespace: ns, name: 'api', container: 'api', image: 'org/api:hotfix' });
    const d = await f.waitFor('hold', p.deploymentId, ended);
    expect(d.status).toBe('awaiting_operator');
    expect(d.message).toMatch(
      /^verification failed: check hold \(argocd-health\) failed: sample \d+\/61 failed: .*-core: (OutOfSync|Synced)\/(Degraded|Progressing)/,
    );
    const evidence = step(d, 'verify').observation.checks[0].evidence as Loose[];
    expect(evidence[0].ok).toBe(true);
    expect(evidence.at(-1).ok).toBe(false);
    f.sim.faults.clearWorkload(ns, 'api');
    const abort = await f.h.call('POST', `/v1/environments/${ns}/deployment-history/${p.deploymentId}/abort`, { token: f.tokens.promoter });
    expect(abort.status, JSON.stringify(abort.body)).toBe(200);
    expect((await f.waitFor('hold', p.deploymentId, ['aborted', 'failed', 'succeeded'], 60_000)).status).toBe('aborted');
  });

  it('an abort cancels a verify step that is still sampling', async () => {
    const p = await promote('2.5.0', 'hold');
    const running = await until(
      () => f.waitFor('hold', p.deploymentId, ['running', ...ended]),
      (d: Loose) => (step(d, 'verify')?.observation?.checks?.[0]?.samples ?? 0) >= 1 || d.status !== 'running',
    );
    expect(running.status).toBe('running');
    const abort = await f.h.call('POST', `/v1/environments/${f.env.hold}/deployment-history/${p.deploymentId}/abort`, {
      token: f.tokens.promoter,
    });
    expect(abort.status, JSON.stringify(abort.body)).toBe(200);
    const d = await f.waitFor('hold', p.deploymentId, ['aborted', 'failed', 'succeeded'], 60_000);
    expect(d.status).toBe('aborted');
    expect(d.actions.find((a: Loose) => a.action === 'abort')).toMatchObject({ step: 'verify' });
    // Cancelled long before its 60 s hold was over.
    expect(step(d, 'verify').observation.checks[0].samples).toBeLessThan(30);
  });
});

describe('POST /v1/environments/:env/reverify', () => {
  const post = (envKey: string, token = f.tokens.promoter, body?: unknown) =>
    f.h.call('POST', `/v1/environments/${f.env[envKey] ?? envKey}/reverify`, { token, ...(body ? { body } : {}) });
  const read = (envKey: string) => f.h.call('GET', `/v1/environments/${f.env[envKey]}/reverify`, { token: f.h.tokens.viewer });
  const outcome = () =>
    until(
      () => read('a'),
      (r) => r.status === 200 && r.body.status !== 'running',
    );

  it('refuses what cannot run: unknown environment, no current release, viewer token, no checks', async () => {
    expect((await post('nowhere-x')).status).toBe(404);
    expect((await post('a', f.h.tokens.viewer)).status).toBe(403);
    const none = await post('hold'); // its only promotion was aborted: nothing current
    expect(none.status).toBe(409);
    expect(errorOf(none.body).code).toBe('NO_CURRENT_RELEASE');
    const invalid = await post('a', f.tokens.promoter, { reason: 5 });
    expect(invalid.status).toBe(400);
    expect(errorOf(invalid.body).code).toBe('VALIDATION_FAILED');
    const unchecked = await post('b');
    expect(unchecked.status).toBe(422);
    expect(errorOf(unchecked.body).code).toBe('NO_VERIFICATION_CHECKS');
  });

  it('pass: nothing revoked, the open verification-failed incident resolved', async () => {
    const envName = f.env.a as string;
    const current = (await f.h.call('GET', `/v1/environments/${envName}?live=false`)).body;
    expect(current.currentDeploymentId).toBe(parked.deploymentId);
    // The record step of another change writes these rows; the test makes sure one exists and is verified.
    await db.database.db.transaction(async (tx) => {
      const row = await startVerification(tx, {
        deploymentId: current.currentDeploymentId,
        environment: envName,
        releaseId: current.currentReleaseId,
        state: 'verified',
      });
      if (row.state !== 'verified')
        await setVerificationState(tx, { deploymentId: row.deploymentId, state: 'verified', from: ['verifying', 'soaking'] });
    });
    f.sim.faults.setMetric({ name: 'gate_probe', labels: { env: envName }, value: 0.01 });
    expect((await setVerification('a', { checks: [probe({ durationSeconds: 2 })] })).status).toBe(200);
    const started = await post('a', f.tokens.promoter, { reason: 'after the incident' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({
      environment: envName,
      status: 'running',
      releaseId: current.currentReleaseId,
      workflowId: `reverify:${envName}`,
    });
    const again = await post('a');
    expect(again.status).toBe(409);
    expect(errorOf(again.body).code).toBe('REVERIFY_IN_PROGRESS');
    const done = await outcome();
    expect(done.body).toMatchObject({ status: 'passed', result: { passed: true, revoked: false, incidentId: null } });
    expect(done.body.result.checks[0]).toMatchObject({ name: 'probe', outcome: 'passed', samples: 3 });
    expect((await latestVerification(db.database.db, { environment: envName, releaseId: current.currentReleaseId }))?.state).toBe(
      'verified',
    );
    const open = await listIncidents(db.database.db, { environment: envName, open: true, limit: 10 });
    expect(open.incidents).toEqual([]);
  });

  it('fail: the release verification revoked there, an incident opened with the evidence, audited', async () => {
    const envName = f.env.a as string;
    const current = (await f.h.call('GET', `/v1/environments/${envName}?live=false`)).body;
    f.sim.faults.setMetric({ name: 'gate_probe', labels: { env: envName }, value: 0.5 });
    expect((await setVerification('a', { checks: [probe()] })).status).toBe(200);
    expect((await post('a')).status).toBe(202);
    const done = await outcome();
    expect(done.body.status).toBe('failed');
    expect(done.body.result).toMatchObject({ passed: false, revoked: true });
    expect(done.body.message).toContain('gate_probe{env="' + envName + '"} = 0.5, not < 0.05');
    const row = await latestVerification(db.database.db, { environment: envName, releaseId: current.currentReleaseId });
    expect(row?.state).toBe('revoked');
    expect(row?.reason).toMatch(/^re-verification failed: check probe/);
    const open = await listIncidents(db.database.db, { environment: envName, open: true, limit: 10 });
    expect(open.incidents.map((i) => [i.id, i.kind])).toEqual([[done.body.result.incidentId, 'verification-failed']]);
    const audit = await db.database.sql<{ action: string }[]>`
      select action from audit_events where subject_id in (${envName}, ${String(current.currentDeploymentId)}) order by id`;
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['environment.reverify_requested', 'environment.reverify_failed', 'verification.revoked']),
    );
    await recordHistory('verification-gates-reverify', done.body.workflowId);
  });

  it('no secret reaches the history records, audit or Temporal', async () => {
    const rows = await db.database.sql`select observation::text as o, message from deployment_steps`;
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    const audit = await db.database.sql`select details::text as d from audit_events`;
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    const incidents = await db.database.sql`select evidence::text as e, summary from incidents`;
    expect(JSON.stringify(incidents)).not.toContain(SECRET);
    const { client, connection } = await temporalClient();
    try {
      const history = await client.workflow.getHandle(parked.workflowId).fetchHistory();
      expect(JSON.stringify(history)).not.toContain(SECRET);
    } finally {
      await connection.close();
    }
  });
});
