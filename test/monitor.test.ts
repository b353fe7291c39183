// Continuous monitoring on real services (Postgres, the Temporal dev server, a real worker, Git and the Argo CD +
// Kubernetes simulator): an out-of-band `kubectl set image` after a successful promotion opens a drift incident
// within the monitor's interval and resolves when fixed; nothing is opened during a normal promotion; the alert and
// resync policies act once; a sustained incident with policy rollback promotes the last verified release with
// exactly one commit and one rollback deployment, never twice for the same incident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { temporalClient, useTestDatabase, waitUntil } from './harness.js';
import { recordHistory } from './history-corpus.js';
import { monitorStatusQuery } from '../workflows/monitor-messages.js';
import { monitorWorkflowId } from '../domain/monitor.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';
import { startVerification, setVerificationState, latestVerification } from '../db/verifications.js';
import { listDeployments } from '../db/deployments.js';
import { openOrTouchIncident } from '../db/incidents.js';
import { AUTO_ROLLBACK_INITIATOR } from '../domain/verification.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'drift' }, { key: 'alert' }, { key: 'resync' }, { key: 'back' }, { key: 'parked' }],
    // Rollouts take a while (the monitor observes during them); a degraded pod fails its deadline quickly.
    timing: { rolloutMs: 1_500, healthLagMs: 200, progressDeadlineMs: 500 },
    apiEnv: { MONITOR_START: 'on', PROMOTION_STEP_TIMEOUT_SECONDS: '10', PROMOTION_GIT_TIMEOUT_SECONDS: '10' },
  });
  await f.startWorker({ promotionTimeouts: { stepSeconds: 10, gitSeconds: 10, heartbeatSeconds: 5 } });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

/** Polls an observable condition (test/harness.ts waitUntil). */
const until = <T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000) => waitUntil(what, check, timeoutMs);

const done = ['succeeded', 'failed', 'awaiting_operator', 'aborted'];

/** Gives the environment a monitoring configuration (PUT: the monitor is woken and reads it at once). */
async function monitor(envKey: string, monitoring: Record<string, unknown>): Promise<void> {
  const name = f.env[envKey] as string;
  const got = await f.h.call('GET', `/v1/environments/${name}`);
  expect(got.status).toBe(200);
  const res = await f.h.call('PUT', `/v1/environments/${name}`, { body: { ...got.body.config, monitoring } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function promoteOk(releaseId: string, envKey: string): Promise<Loose> {
  const res = await f.promote(releaseId, envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const d = await f.waitFor(envKey, res.body.deploymentId, done);
  expect(d.status, JSON.stringify(d)).toBe('succeeded');
  return d;
}

const incidents = async (envKey: string, query = '') =>
  (await f.h.call('GET', `/v1/environments/${f.env[envKey]}/incidents${query}`, { token: f.h.tokens.viewer })).body.incidents as Loose[];
const status = async (envKey: string) =>
  (await f.h.call('GET', `/v1/environments/${f.env[envKey]}/status`, { token: f.h.tokens.viewer })).body;
/** Resolves once the monitor has observed `n` more times (its status query answers). */
async function ticks(envKey: string, n: number): Promise<void> {
  const first = (await until(async () => (await status(envKey)).monitor.lastObservedAt as string | null, 'monitor answers')) ?? '';
  let seen = first;
  for (let i = 0; i < n; i++) {
    seen = await until(async () => {
      const at = (await status(envKey)).monitor.lastObservedAt as string | null;
      return at && at > seen ? at : undefined;
    }, 'monitor tick');
  }
}
const setApi = (envKey: string, image: string) =>
  f.sim.faults.setImage({ namespace: f.env[envKey] as string, name: 'api', container: 'api', image });

describe('drift', () => {
  it('no incident during a normal promotion; setImage drift opens one within the interval and resolves when fixed', async () => {
    await monitor('drift', { intervalSeconds: 1, sustainSeconds: 3_600, policy: 'alert' });
    const r = await f.createRelease('2.4.8');
    const res = await f.promote(r, 'drift');
    expect(res.status).toBe(202);
    // The monitor observes while the promotion runs: our own rollout is progressing, never an incident.
    let sawProgressing = false;
    for (;;) {
      const s = await status('drift');
      if (s.promotionActive) sawProgressing = true;
      const d = await f.waitFor('drift', res.body.deploymentId, [...done, 'running', 'pending']);
      if (done.includes(d.status)) break;
      await new Promise((r2) => setTimeout(r2, 100));
    }
    expect(sawProgressing).toBe(true);
    await ticks('drift', 2);
    expect(await incidents('drift')).toEqual([]);
    const calm = await status('drift');
    expect(calm.currentRelease.id).toBe(r);
    expect(calm.applications.length).toBeGreaterThan(0);
    expect(calm.applications.every((a: Loose) => a.state === 'in sync')).toBe(true);

    setApi('drift', 'org/api:hotfix');
    // Noticed by the monitor's next observations (the latency itself is measured by bench/monitor.ts, not here).
    const drift = await until(async () => (await incidents('drift', '?open=true&kind=drift'))[0], 'drift incident');
    expect(drift.evidence.lines).toContain(`${f.env.drift}/api/api: expected org/api:2.4.8, running org/api:hotfix`);
    expect(drift.releaseId).toBe(r);
    const s = await status('drift');
    expect(s.applications.some((a: Loose) => a.state === 'drifted')).toBe(true);
    expect(s.openIncidents.map((i: Loose) => i.id)).toContain(drift.id);

    setApi('drift', 'org/api:2.4.8');
    await until(async () => (await incidents('drift', '?open=true')).length === 0, 'incidents resolved');
    const resolved = (await incidents('drift', '?open=false&kind=drift'))[0];
    expect(resolved.id).toBe(drift.id);
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.action).toBeNull(); // sustainSeconds not reached: no alert
  });

  it('keeps observing across a worker restart (durable timer) and continues as new with its status', async () => {
    await recordHistory('monitor-drift', monitorWorkflowId(f.env.drift as string), { complete: false });
    await f.stopWorker();
    await f.startWorker({ promotionTimeouts: { stepSeconds: 10, gitSeconds: 10, heartbeatSeconds: 5 } });
    await ticks('drift', 2);
    // A second monitor of the same environment (own id) with two observations per run: it continues as new.
    const { client, connection } = await temporalClient();
    try {
      const handle = await client.workflow.start('monitorEnvironment', {
        taskQueue: f.taskQueue,
        workflowId: `monitor-can-${f.env.drift}`,
        args: [{ environment: f.env.drift, iterationsPerRun: 2 }],
      });
      const first = handle.firstExecutionRunId;
      const later = await until(async () => {
        const s = await client.workflow.getHandle(handle.workflowId).query(monitorStatusQuery);
        return s.totalIterations >= 4 ? s : undefined;
      }, 'continued as new');
      expect(later.iterations).toBeLessThanOrEqual(2);
      expect((await client.workflow.getHandle(handle.workflowId).describe()).runId).not.toBe(first);
      expect(later.applications.every((a) => a.state === 'in sync')).toBe(true);
      await client.workflow.getHandle(handle.workflowId).terminate('test done');
    } finally {
      await connection.close();
    }
  });

  it('pages the incident history with a cursor and refuses a bad one', async () => {
    // Two incidents at least, whatever the earlier observations opened (a transient out-of-sync depends on timing).
    for (const application of ['paging-a', 'paging-b']) {
      await openOrTouchIncident(db.database.db, {
        environment: f.env.drift as string,
        application,
        kind: 'missing',
        releaseId: null,
        deploymentId: null,
        summary: 'for paging',
        evidence: { lines: [] },
      });
    }
    const first = await f.h.call('GET', `/v1/environments/${f.env.drift}/incidents?limit=1`, { token: f.h.tokens.viewer });
    expect(first.status).toBe(200);
    expect(first.body.incidents).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await f.h.call('GET', `/v1/environments/${f.env.drift}/incidents?limit=1&cursor=${first.body.nextCursor}`, {
      token: f.h.tokens.viewer,
    });
    expect(next.status).toBe(200);
    expect(next.body.incidents[0].id).toBeLessThan(first.body.incidents[0].id);
    const bad = await f.h.call('GET', `/v1/environments/${f.env.drift}/incidents?cursor=nope`, { token: f.h.tokens.viewer });
    expect(bad.status).toBe(400);
    expect((await f.h.call('GET', `/v1/environments/nope-${Date.now()}/status`, { token: f.h.tokens.viewer })).status).toBe(404);
    expect((await f.h.call('GET', `/v1/environments/${f.env.drift}/status`, { token: null })).status).toBe(401);
  });
});

describe('policies', () => {
  it('alert: a sustained incident is alerted once (audited)', async () => {
    await monitor('alert', { intervalSeconds: 1, sustainSeconds: 1, policy: 'alert' });
    const r = await f.createRelease('3.0.0');
    await promoteOk(r, 'alert');
    setApi('alert', 'org/api:by-hand');
    const alerted = await until(async () => (await incidents('alert', '?kind=drift')).find((i) => i.action === 'alerted'), 'alerted');
    expect(alerted.actionMessage).toMatch(/alert: drift incident/);
    const audit = await f.h.call('GET', `/v1/audit?action=incident.alerted&subjectId=${alerted.id}`);
    expect(audit.body.events).toHaveLength(1);
    setApi('alert', 'org/api:3.0.0');
    await until(async () => (await incidents('alert', '?open=true')).length === 0, 'resolved');
  });

  it('resync: Argo CD syncs the current commit again, which repairs the drift', async () => {
    await monitor('resync', { intervalSeconds: 1, sustainSeconds: 1, policy: 'resync' });
    const r = await f.createRelease('3.1.0');
    await promoteOk(r, 'resync');
    setApi('resync', 'org/api:by-hand');
    const resynced = await until(async () => (await incidents('resync', '?kind=drift')).find((i) => i.action === 'resynced'), 'resynced');
    expect(resynced.actionMessage).toMatch(/resync: sync to [0-9a-f]{12} requested/);
    await until(async () => (await incidents('resync', '?open=true')).length === 0, 'drift repaired by the resync', 45_000);
  });
});

describe('auto-rollback', () => {
  it('a sustained incident promotes the last verified release once: one commit, one rollback deployment', async () => {
    const database = db.database.db;
    const r1 = await f.createRelease('4.0.0');
    const d1 = await promoteOk(r1, 'back');
    // Written by the promotion's record step once verification lands; inserted here until then.
    await startVerification(database, { deploymentId: d1.id, environment: f.env.back as string, releaseId: r1, state: 'verifying' });
    await setVerificationState(database, { deploymentId: d1.id, state: 'verified', from: ['verifying'] });
    const r2 = await f.createRelease('4.1.0');
    const d2 = await promoteOk(r2, 'back');
    await startVerification(database, { deploymentId: d2.id, environment: f.env.back as string, releaseId: r2, state: 'verifying' });
    await setVerificationState(database, { deploymentId: d2.id, state: 'verified', from: ['verifying'] });
    await monitor('back', { intervalSeconds: 1, sustainSeconds: 1, policy: 'rollback' });
    await ticks('back', 1);
    expect(await incidents('back')).toEqual([]);

    const git = simpleGit(f.repoPath);
    const commitsBefore = Number((await git.raw(['rev-list', '--all', '--count'])).trim());
    // A hand-made hotfix that never becomes Ready: drift, then Degraded once its progress deadline passes.
    f.sim.faults.degradeWorkload(f.env.back as string, 'api');
    setApi('back', 'org/api:bad-hotfix');
    const acted = await until(async () => (await incidents('back')).find((i) => i.action === 'rolled-back'), 'rolled back', 45_000);
    f.sim.faults.clearWorkload(f.env.back as string, 'api');
    expect(acted.actionDeploymentId).toEqual(expect.any(Number));
    const rollback = await f.waitFor('back', acted.actionDeploymentId, done, 60_000);
    expect(rollback.status, JSON.stringify(rollback)).toBe('succeeded');
    expect(rollback.releaseId).toBe(r1);
    expect(rollback.isRollback).toBe(true);
    expect(rollback.startedBy).toBe(AUTO_ROLLBACK_INITIATOR);
    expect(rollback.reason).toContain(`incident #${acted.id}`);
    // The rolled-away release lost its verified state.
    expect((await latestVerification(database, { environment: f.env.back as string, releaseId: r2 }))?.state).toBe('revoked');

    // Let the monitor observe a few more times: the incidents resolve, and nothing rolls back again.
    await until(async () => (await incidents('back', '?open=true')).length === 0, 'incidents resolved after the rollback', 45_000);
    await ticks('back', 3);
    const rollbacks = (await listDeployments(database, { environment: f.env.back as string, limit: 50 })).rows.filter(
      (d) => d.startedBy === AUTO_ROLLBACK_INITIATOR,
    );
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]?.startedByTokenId).toBeNull();
    expect(Number((await git.raw(['rev-list', '--all', '--count'])).trim())).toBe(commitsBefore + 1);
    const all = await incidents('back');
    expect(all.filter((i) => i.action === 'rolled-back')).toHaveLength(1);
    const s = await status('back');
    expect(s.currentRelease.id).toBe(r1);
    await recordHistory('monitor-rollback', monitorWorkflowId(f.env.back as string), { complete: false });
  });

  it('refuses when no other verified release exists (recorded, no promotion)', async () => {
    // r1 is current and verified; nothing else is: a new incident cannot roll back anywhere.
    await f.h.call('GET', `/v1/environments/${f.env.back}/status`);
    const before = (await listDeployments(db.database.db, { environment: f.env.back as string, limit: 50 })).rows.length;
    setApi('back', 'org/api:by-hand-again');
    const refused = await until(
      async () => (await incidents('back', '?open=true')).find((i) => i.action === 'rollback-refused'),
      'rollback refused',
    );
    expect(refused.actionMessage).toMatch(/no verified release to go back to/);
    expect((await listDeployments(db.database.db, { environment: f.env.back as string, limit: 50 })).rows.length).toBe(before);
    setApi('back', 'org/api:4.0.0');
    await until(async () => (await incidents('back', '?open=true')).length === 0, 'resolved');
  });
});

describe('a promotion parked too long', () => {
  it('is ended by the monitor under policy rollback (rollbackParkedAfterSeconds): its commit reverted, audited', async () => {
    const ns = f.env.parked as string;
    await promoteOk(await f.createRelease('8.0.0'), 'parked');
    await monitor('parked', { intervalSeconds: 1, policy: 'rollback', rollbackParkedAfterSeconds: 10 });
    f.sim.faults.degradeWorkload(ns, 'api');
    const res = await f.promote(await f.createRelease('8.0.1'), 'parked');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await f.waitFor('parked', res.body.deploymentId, ['aborted', 'failed', 'succeeded'], 90_000);
    expect(d.status).toBe('aborted');
    expect(d.revertSha).toMatch(/^[0-9a-f]{40}$/);
    const audit = JSON.stringify((await f.h.call('GET', `/v1/audit?subjectType=deployment&subjectId=${d.id}`)).body);
    expect(audit).toContain('deployment.auto_abort');
    expect(audit).toContain(AUTO_ROLLBACK_INITIATOR);
    f.sim.faults.clearWorkload(ns, 'api');
    await monitor('parked', { enabled: false });
  });
});

describe('lifecycle', () => {
  it('disabling monitoring ends the monitor at once; enabling starts it again', async () => {
    const { client, connection } = await temporalClient();
    try {
      const handle = () => client.workflow.getHandle(monitorWorkflowId(f.env.alert as string));
      await monitor('alert', { enabled: false, intervalSeconds: 3_600 });
      await until(async () => ((await handle().describe()).status.name === 'COMPLETED' ? true : undefined), 'monitor ended');
      expect(await handle().result()).toEqual({ stopped: 'disabled' });
      expect((await status('alert')).monitor).toMatchObject({ enabled: false, answered: false });
      await monitor('alert', { enabled: true, intervalSeconds: 1 });
      await until(async () => ((await handle().describe()).status.name === 'RUNNING' ? true : undefined), 'monitor started again');
      await ticks('alert', 1);
    } finally {
      await connection.close();
    }
  });
});
