// Freeze windows in the workflow (issue 11, workflow change `freeze-wait`): a promotion requested `whenOpen`
// during a freeze waits in `scheduled` on a durable timer (across a worker restart) and starts when the window
// ends; a freeze that begins while a promotion waits for approval holds it after the gate; abort while
// scheduled ends it without touching Git; break-glass (admins, with a reason) goes through a freeze at once.
// Windows here last an hour and are ended through the API, which wakes the waiting promotions: the test waits for
// observable states, never for a time to pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from './api-harness.js';
import { temporalClient, useTestDatabase } from './harness.js';
import { BreakGlassKey } from '../workflows/search-attributes.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { recordHistory } from './history-corpus.js';
import { commitsOn } from './git-fixtures.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'open' }, { key: 'gated', protected: true, approvalsRequired: 1 }],
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.stopWorker();
  await f?.close();
});

/** A one-off freeze of `envKey` from now until `seconds` from now; returns its id and end. */
async function freeze(envKey: string, seconds: number): Promise<{ id: string; until: string }> {
  const until = new Date(Date.now() + seconds * 1000).toISOString();
  const res = await f.h.call('POST', '/v1/freezes', {
    body: {
      environment: f.env[envKey],
      schedule: { type: 'once', from: new Date(Date.now() - 60_000).toISOString(), until },
      reason: 'release train',
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, until };
}

const promote = (releaseId: string, envKey: string, extra: Record<string, unknown> = {}, token = f.tokens.promoter) =>
  f.h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: f.env[envKey], ...extra }, token });

describe('promotions and freeze windows', () => {
  it('whenOpen during a freeze: scheduled until the window ends (across a worker restart), then it runs and succeeds', async () => {
    const releaseId = await f.createRelease('6.0.0');
    const { id, until } = await freeze('open', 3600);
    expect(errorOf((await promote(releaseId, 'open')).body).code).toBe('ENVIRONMENT_FROZEN');
    const res = await promote(releaseId, 'open', { whenOpen: true });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ whenOpen: true, breakGlassReason: null });
    // The workflow records `scheduled`, then (a second transition) when it starts: wait for both to be visible.
    let scheduled = await f.waitFor('open', res.body.deploymentId, ['scheduled']);
    const deadline = Date.now() + 30_000;
    while (scheduled.scheduledFor == null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      scheduled = await f.waitFor('open', res.body.deploymentId, ['scheduled']);
    }
    expect(Date.parse(scheduled.scheduledFor)).toBe(Date.parse(until));
    expect(scheduled.message).toMatch(/^scheduled: frozen \(release train\); starts when the window opens at /);
    const before = (await commitsOn(f.repoPath)).length;

    // The wait is a durable timer: another worker picks it up. Ending the window early releases it at once.
    await f.stopWorker();
    await f.startWorker();
    const ended = await f.h.call('DELETE', `/v1/freezes/${id}`);
    expect(ended.status).toBe(200);
    const done = await f.waitFor('open', res.body.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(done.status).toBe('succeeded');
    expect(done.scheduledFor).toBeNull();
    const firstStep = done.steps.find((s: { name: string }) => s.name === 'render-values');
    expect(Date.parse(firstStep.startedAt)).toBeGreaterThanOrEqual(Date.parse(ended.body.endedAt));
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
    await recordHistory('freeze-scheduled', res.body.workflowId);
  });

  it('a freeze that begins while the promotion waits for approval holds it after the gate', async () => {
    const releaseId = await f.createRelease('6.1.0');
    const res = await promote(releaseId, 'gated');
    expect(res.status).toBe(202);
    await f.waitFor('gated', res.body.deploymentId, ['awaiting_approval']);
    const { id } = await freeze('gated', 3600);
    const approve = await f.h.call('POST', `/v1/environments/${f.env.gated}/deployment-history/${res.body.deploymentId}/approve`, {
      token: f.tokens.approver1,
      body: {},
    });
    expect(approve.status, JSON.stringify(approve.body)).toBe(200);
    await f.waitFor('gated', res.body.deploymentId, ['scheduled']);
    expect((await f.h.call('DELETE', `/v1/freezes/${id}`)).status).toBe(200);
    const done = await f.waitFor('gated', res.body.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(done.status).toBe('succeeded');
    await recordHistory('freeze-after-gate', res.body.workflowId);
  });

  it('abort while scheduled ends it without a commit; break-glass goes through the freeze (admins only, audited)', async () => {
    const releaseId = await f.createRelease('6.2.0');
    const { id } = await freeze('open', 3600);
    const before = (await commitsOn(f.repoPath)).length;
    const res = await promote(releaseId, 'open', { whenOpen: true });
    await f.waitFor('open', res.body.deploymentId, ['scheduled']);
    const abort = await f.h.call('POST', `/v1/environments/${f.env.open}/deployment-history/${res.body.deploymentId}/abort`, {
      token: f.tokens.promoter,
      body: { comment: 'not this week' },
    });
    expect(abort.status, JSON.stringify(abort.body)).toBe(200);
    expect((await f.waitFor('open', res.body.deploymentId, ['aborted', 'failed', 'succeeded'])).status).toBe('aborted');
    expect((await commitsOn(f.repoPath)).length).toBe(before);

    const breakGlass = { breakGlass: { reason: 'hotfix for incident 12' } };
    expect((await promote(releaseId, 'open', breakGlass)).status).toBe(403);
    const forced = await promote(releaseId, 'open', breakGlass, f.h.tokens.admin);
    expect(forced.status, JSON.stringify(forced.body)).toBe(202);
    expect(forced.body.breakGlassReason).toBe('hotfix for incident 12');
    const done = await f.waitFor('open', forced.body.deploymentId, ['succeeded', 'failed', 'aborted']);
    expect(done).toMatchObject({ status: 'succeeded', breakGlassReason: 'hotfix for incident 12' });
    const audit = JSON.stringify((await f.h.call('GET', `/v1/audit?subjectType=deployment&subjectId=${forced.body.deploymentId}`)).body);
    expect(audit).toContain('deployment.break_glass');
    // Flagged in the Temporal UI too: the BreakGlass search attribute.
    const { client, connection } = await temporalClient();
    try {
      const described = await client.workflow.getHandle(forced.body.workflowId, done.runId).describe();
      expect(described.typedSearchAttributes.get(BreakGlassKey)).toBe('yes');
    } finally {
      await connection.close();
    }
    expect((await f.h.call('DELETE', `/v1/freezes/${id}`)).status).toBe(200);
  });
});
