// Soak and verified releases on real services (docs/verification-and-monitoring.md): the deployment succeeds at
// once and the release soaks (its row `soaking` until soakUntil, shown by the API); a downstream environment that
// requires `verified` refuses it until the soak completed — across a worker killed during the soak; an incident
// during the soak revokes it; a revocation after `verified` makes it ineligible again; a new promotion supersedes
// a soak and a cancellation from Temporal ends it, both without touching Git.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { temporalClient, useTestDatabase } from './harness.js';
import { childWorker } from './child-worker.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf, type Loose } from './api-harness.js';
import { recordHistory } from './history-corpus.js';
import { openOrTouchIncident, resolveIncidents } from '../db/incidents.js';
import { revokeVerification } from '../db/verifications.js';
import { failUnstarted, insertDeployment } from '../db/deployments.js';
import { admitDeployment } from '../db/admission.js';
import { STEPS } from '../domain/promotion.js';
import { promotionWorkflowId } from '../workflows/promotion-messages.js';

const db = useTestDatabase();
let f: PromotionFixture;
const ended = ['succeeded', 'failed', 'awaiting_operator', 'aborted'];

/** Adds verification/monitoring/upstreamRequires to an environment the fixture created. */
async function configure(envKey: string, extra: Record<string, unknown>): Promise<void> {
  const name = f.env[envKey] as string;
  const got = await f.h.call('GET', `/v1/environments/${name}?live=false`, { token: f.h.tokens.viewer });
  const res = await f.h.call('PUT', `/v1/environments/${name}`, { body: { ...got.body.config, ...extra } });
  if (res.status !== 200) throw new Error(`configure ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'staging' }, { key: 'prod', upstream: ['staging'] }, { key: 'canary' }],
    apiEnv: { PROMOTION_STEP_TIMEOUT_SECONDS: '5' },
  });
  await configure('staging', { verification: { soakSeconds: 2 } });
  await configure('prod', { upstreamRequires: 'verified' });
  await configure('canary', { verification: { soakSeconds: 60 }, monitoring: { intervalSeconds: 1 } });
});
afterAll(async () => {
  await f?.close();
});

async function verificationOf(releaseId: string, envKey: string): Promise<Loose> {
  const res = await f.h.call('GET', `/v2/releases/${releaseId}`, { token: f.h.tokens.viewer });
  return (res.body.verifications as Loose[]).find((v) => v.environment === f.env[envKey]);
}

async function waitVerification(releaseId: string, envKey: string, states: string[], timeoutMs = 60_000): Promise<Loose> {
  const deadline = Date.now() + timeoutMs;
  let last: Loose;
  while (Date.now() < deadline) {
    last = await verificationOf(releaseId, envKey);
    if (last && states.includes(last.state)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`verification of ${releaseId} in ${envKey} did not reach ${states.join('|')}: ${JSON.stringify(last)}`);
}

async function headDeployment(): Promise<string> {
  return (
    await simpleGit(f.repoPath).raw(['log', '-1', '--format=%(trailers:key=Flow-Controller-Deployment,valueonly,separator=)', 'main'])
  ).trim();
}

describe('soak and verified releases', () => {
  it(
    'soaks after success, refuses downstream until verified, and survives a worker killed during the soak',
    { timeout: 180_000 },
    async () => {
      const r1 = await f.createRelease('5.0.1');
      // The worker dies at the soak's first check, after the record step made the deployment succeed.
      const worker = await childWorker({ databaseUrl: db.url, taskQueue: f.taskQueue, crashAt: 'soak-check:start' });
      const res = await f.promote(r1, 'staging');
      expect(res.status).toBe(202);
      expect(await worker.exited, worker.output()).toBe(137);
      expect(worker.output()).toContain('crashing at soak-check:start');
      const d = await f.waitFor('staging', res.body.deploymentId, ended);
      expect(d.status).toBe('succeeded');

      // No worker: the soak cannot end, the release is soaking (the API shows until when).
      const soaking = await verificationOf(r1, 'staging');
      expect(soaking).toMatchObject({ state: 'soaking', deploymentId: res.body.deploymentId, verifiedAt: null });
      expect(Date.parse(soaking.soakUntil)).toBeGreaterThan(Date.parse(soaking.checksPassedAt));
      const board = await f.h.call('GET', '/v1/environments?live=false', { token: f.h.tokens.viewer });
      const staging = board.body.environments.find((e: Loose) => e.name === f.env.staging);
      expect(staging.verification).toMatchObject({ state: 'soaking', releaseId: r1, soakUntil: soaking.soakUntil });

      const refused = await f.promote(r1, 'prod');
      expect(refused.status).toBe(409);
      expect(errorOf(refused.body).code).toBe('UPSTREAM_NOT_VERIFIED');
      expect(errorOf(refused.body).details).toEqual({
        missing: [f.env.staging],
        states: [{ environment: f.env.staging, state: 'soaking', soakUntil: soaking.soakUntil, revokedAt: null, reason: null }],
      });

      // Another worker picks the soak up and completes it.
      await f.startWorker();
      try {
        const verified = await waitVerification(r1, 'staging', ['verified', 'failed', 'revoked']);
        expect(verified.state, JSON.stringify(verified)).toBe('verified');
        expect(verified.verifiedAt).not.toBeNull();
        const accepted = await f.promote(r1, 'prod');
        expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
        expect((await f.waitFor('prod', accepted.body.deploymentId, ended)).status).toBe('succeeded');
        // prod has no soak: verified at once.
        expect(await verificationOf(r1, 'prod')).toMatchObject({ state: 'verified', soakUntil: null });
      } finally {
        await f.stopWorker();
      }
    },
  );

  it('a revocation after verified makes the release ineligible downstream again', { timeout: 120_000 }, async () => {
    await f.startWorker();
    try {
      const r2 = await f.createRelease('5.0.2');
      const res = await f.promote(r2, 'staging');
      expect((await f.waitFor('staging', res.body.deploymentId, ended)).status).toBe('succeeded');
      expect((await waitVerification(r2, 'staging', ['verified', 'failed', 'revoked'])).state).toBe('verified');
      await recordHistory('soak-verified', promotionWorkflowId(f.env.staging as string));
      await db.database.db.transaction((tx) =>
        revokeVerification(tx, { environment: f.env.staging as string, releaseId: r2, reason: 'failed re-verification (test)' }),
      );
      const refused = await f.promote(r2, 'prod');
      expect(refused.status).toBe(409);
      expect(errorOf(refused.body).code).toBe('UPSTREAM_NOT_VERIFIED');
      expect(errorOf(refused.body).details.states[0]).toMatchObject({ state: 'revoked', reason: 'failed re-verification (test)' });
      expect(await verificationOf(r2, 'staging')).toMatchObject({ state: 'revoked' });

      // A run started around the API is refused at admission by the same rule.
      const prod = f.env.prod as string;
      const workflowId = `${promotionWorkflowId(prod)}-side-door`;
      const admitted = await db.database.db.transaction(async (tx) => {
        const inserted = await insertDeployment(tx, {
          environment: prod,
          releaseId: r2,
          previousReleaseId: null,
          isRollback: false,
          startedBy: 'side-door',
          startedByTokenId: null,
          reason: null,
          workflowId,
          steps: STEPS,
        });
        if (!('created' in inserted)) throw new Error('prod busy');
        const verdict = await admitDeployment(tx, {
          deploymentId: inserted.created.id,
          releaseId: r2,
          environment: prod,
          workflowId,
          runId: 'run-1',
        });
        await failUnstarted(tx, { deploymentId: inserted.created.id, message: 'test: refused at admission' });
        return verdict;
      });
      expect(admitted).toEqual({
        admitted: false,
        reason: expect.stringMatching(/is not verified in .*which requires verified/) as unknown,
      });
    } finally {
      await f.stopWorker();
    }
  });

  it('an incident during the soak revokes it', { timeout: 120_000 }, async () => {
    await f.startWorker();
    const env = f.env.canary as string;
    try {
      const r3 = await f.createRelease('5.0.3');
      const res = await f.promote(r3, 'canary');
      expect((await f.waitFor('canary', res.body.deploymentId, ended)).status).toBe('succeeded');
      expect((await verificationOf(r3, 'canary')).state).toBe('soaking');
      await db.database.db.transaction((tx) =>
        openOrTouchIncident(tx, {
          environment: env,
          application: `${env}-core`,
          kind: 'drift',
          releaseId: r3,
          deploymentId: res.body.deploymentId,
          summary: 'core/api/api: expected org/api:5.0.3, running org/api:hotfix',
          evidence: {},
        }),
      );
      const revoked = await waitVerification(r3, 'canary', ['revoked', 'failed', 'verified']);
      expect(revoked.state).toBe('revoked');
      expect(revoked.reason).toMatch(/^incident \d+ open during the soak: drift/);
      await recordHistory('soak-revoked-incident', promotionWorkflowId(env));
    } finally {
      await db.database.db.transaction((tx) => resolveIncidents(tx, { environment: env, stillOpen: [] }));
      await f.stopWorker();
    }
  });

  it('a new promotion supersedes a soak, a cancellation from Temporal ends one; neither touches Git', { timeout: 120_000 }, async () => {
    await f.startWorker();
    const { client, connection } = await temporalClient();
    try {
      const r4 = await f.createRelease('5.0.4');
      const first = await f.promote(r4, 'canary');
      expect((await f.waitFor('canary', first.body.deploymentId, ended)).status).toBe('succeeded');
      expect((await verificationOf(r4, 'canary')).state).toBe('soaking');

      // The soaking run holds the environment's workflow id: the next promotion ends its soak and starts.
      const r5 = await f.createRelease('5.0.5');
      const second = await f.promote(r5, 'canary');
      expect(second.status, JSON.stringify(second.body)).toBe(202);
      const superseded = await waitVerification(r4, 'canary', ['failed', 'revoked', 'verified']);
      expect(superseded).toMatchObject({ state: 'failed' });
      expect(superseded.reason).toMatch(/^superseded before the soak completed: deployment \d+ of release/);
      expect((await f.waitFor('canary', second.body.deploymentId, ended)).status).toBe('succeeded');
      expect((await f.waitFor('canary', first.body.deploymentId, ended)).status).toBe('succeeded');
      expect((await verificationOf(r5, 'canary')).state).toBe('soaking');

      // Cancelled from the Temporal UI during the soak: the promotion stays succeeded, Git is not reverted.
      const handle = client.workflow.getHandle(promotionWorkflowId(f.env.canary as string));
      await handle.cancel();
      await handle.result();
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      const cancelled = await verificationOf(r5, 'canary');
      expect(cancelled).toMatchObject({ state: 'failed', reason: 'soak ended before it completed: the workflow was cancelled' });
      const d = await f.waitFor('canary', second.body.deploymentId, ended);
      expect(d).toMatchObject({ status: 'succeeded', revertSha: null });
      expect(await headDeployment()).toBe(String(second.body.deploymentId));
      await recordHistory('soak-cancelled', promotionWorkflowId(f.env.canary as string));
    } finally {
      await connection.close();
      await f.stopWorker();
    }
  });
  it('an application Degraded (and out of sync) during the soak revokes it', { timeout: 120_000 }, async () => {
    await f.startWorker();
    const env = f.env.canary as string;
    try {
      const r = await f.createRelease('5.0.6');
      const res = await f.promote(r, 'canary');
      expect((await f.waitFor('canary', res.body.deploymentId, ended)).status).toBe('succeeded');
      expect((await verificationOf(r, 'canary')).state).toBe('soaking');
      // Degraded after success: an out-of-band image whose pods never become ready.
      f.sim.faults.degradeWorkload(env, 'api');
      f.sim.faults.setImage({ namespace: env, name: 'api', container: 'api', image: 'org/api:hotfix' });
      const revoked = await waitVerification(r, 'canary', ['revoked', 'failed', 'verified']);
      expect(revoked.state).toBe('revoked');
      expect(revoked.reason).toMatch(/^not Synced\/Healthy during the soak: .*(Degraded|OutOfSync)/);
    } finally {
      f.sim.faults.clearWorkload(env, 'api');
      await f.stopWorker();
    }
  });
});
