// The convergence wait driven by Argo CD's application watch stream (activities/argocd-observe.ts), end to end on
// real services against the simulator's stream (sim/argo-stream.ts). The worker polls only once a minute: a
// promotion that finishes within the test's time was driven by stream events (the wait's own counts say so too).
// Streams that end or break, an endpoint that is not there, an expired session and a failed sync operation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';

const db = useTestDatabase();
let f: PromotionFixture;
const SLOW_POLL_MS = 60_000;
const DONE = ['succeeded', 'failed', 'awaiting_operator', 'aborted'];
const STREAM = 'argo GET /api/v1/stream/applications';
const LOGIN = 'argo POST /api/v1/session';

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: ['stream', 'drop', 'abrupt', 'gone', 'expiry', 'failing'].map((key) => ({ key, convergenceDeadlineSeconds: 50 })),
    pollIntervalMs: SLOW_POLL_MS,
    // Every stale window (operation Running, Succeeded with stale health, the rollout) is there to be waited out.
    timing: { operationStartMs: 200, applyMs: 300, observeMs: 100, rolloutMs: 1_000, terminationMs: 100, healthLagMs: 300 },
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
});
beforeEach(() => {
  f.sim.faults.clearAll();
  f.sim.faults.resetRequestCounts();
});

const step = (d: Loose, name: string) => d.steps.find((s: { name: string }) => s.name === name);

async function promote(envKey: string, tag: string): Promise<Loose> {
  const releaseId = await f.createRelease(tag);
  const res = await f.promote(releaseId, envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return f.waitFor(envKey, res.body.deploymentId, DONE, 40_000);
}

/**
 * No poll or refresh fell due: at most the first observation of each application was a GET (fewer when an
 * application's stream delivered before the wait got to it: the first GET's answer and the other stream race).
 */
function expectNoPolling(c: { reads: number; apps: number }): void {
  expect(c.reads).toBeGreaterThanOrEqual(1);
  expect(c.reads).toBeLessThanOrEqual(c.apps);
}

/** The wait's counts: rounds, application GETs, stream events. */
function counts(d: Loose): { polls: number; reads: number; events: number; apps: number } {
  const o = step(d, 'argocd-wait').observation;
  return { polls: o.polls, reads: o.reads, events: o.events, apps: o.applications.length };
}

describe('convergence wait on the watch stream', () => {
  it('converges on stream events with a one-minute poll interval: at most one GET per application, the rest events', async () => {
    const d = await promote('stream', '2.0.1');
    expect(d.status, JSON.stringify(d)).toBe('succeeded');
    const c = counts(d);
    expectNoPolling(c);
    expect(c.events).toBeGreaterThan(c.apps);
    expect(f.sim.faults.requestCounts()[STREAM]).toBeGreaterThanOrEqual(c.apps);
  });

  it('reconnects when the stream ends mid-wait (proxy timeout after a few events) and still converges', async () => {
    f.sim.faults.stream({ closeAfterEvents: 2 });
    const d = await promote('drop', '2.0.2');
    expect(d.status, JSON.stringify(d)).toBe('succeeded');
    const c = counts(d);
    expectNoPolling(c);
    expect(f.sim.faults.requestCounts()[STREAM]).toBeGreaterThan(c.apps); // reopened
  });

  it('reconnects after a stream broken by a connection reset', async () => {
    f.sim.faults.stream({ closeAfterEvents: 2, abrupt: true });
    const d = await promote('abrupt', '2.0.3');
    expect(d.status, JSON.stringify(d)).toBe('succeeded');
    expectNoPolling(counts(d));
    expect(f.sim.faults.requestCounts()[STREAM]).toBeGreaterThan(counts(d).apps);
  });

  it('re-logs in when the session expired before a reconnect (401 on the stream)', async () => {
    let expired = false;
    const off = f.sim.onApplicationChange((e) => {
      if (!expired && e.application.status?.operationState?.phase === 'Succeeded') {
        expired = true;
        f.sim.faults.expireTokens(); // open streams stay open; the next connection gets 401
      }
    });
    f.sim.faults.stream({ closeAfterEvents: 2 });
    try {
      const d = await promote('expiry', '2.0.4');
      expect(d.status, JSON.stringify(d)).toBe('succeeded');
      expect(expired).toBe(true);
      expectNoPolling(counts(d));
      expect(f.sim.faults.requestCounts()[LOGIN]).toBeGreaterThanOrEqual(1);
      expect(f.sim.faults.requestCounts()[STREAM]).toBeGreaterThan(counts(d).apps);
    } finally {
      off();
    }
  });

  it('a failed sync operation seen on the stream still fails the wait at once as SyncOperationFailed', async () => {
    f.sim.faults.failNextSyncs(1);
    const d = await promote('failing', '2.0.5');
    expect(d.status).toBe('awaiting_operator');
    expect(d.currentStep).toBe('argocd-wait');
    expect(step(d, 'argocd-wait').status).toBe('failed');
    expect(d.message).toMatch(/sync Failed/);
  });

  it('falls back to polling when the stream endpoint is not there (404 of an older proxy)', async () => {
    await f.stopWorker();
    await f.startWorker({ pollIntervalMs: 100 });
    f.sim.faults.stream({ unavailableStatus: 404 });
    const d = await promote('gone', '2.0.6');
    expect(d.status, JSON.stringify(d)).toBe('succeeded');
    const c = counts(d);
    expect(c.events).toBe(0);
    expect(c.reads).toBeGreaterThan(c.apps);
  });
});
