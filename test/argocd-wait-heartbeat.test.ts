// Security audit finding 16: the wait step heartbeats after EVERY application read (not once per round of
// sequential reads), and one read never outlives the heartbeat timeout. Runs the real activity against a
// real database record and a scripted Argo CD client (the order of reads and heartbeats is what is checked).
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createArgocdWait } from '../activities/argocd-wait.js';
import type { ActivityDeps } from '../activities/deps.js';
import type { Application, ArgoClient } from '../integrations/argocd.js';
import { silentLogger, useTestDatabase } from './harness.js';
import { finishedApp, useWaitDeployment, WAIT_SHA } from './wait-fixture.js';

const db = useTestDatabase();
const SHA = WAIT_SHA;
const fixture = useWaitDeployment(db, 'hb');
const app = (name: string, healthy: boolean) => finishedApp(name, healthy, fixture.deploymentId);

function depsWith(getApplication: ArgoClient['getApplication']): ActivityDeps {
  const argo = { getApplication } as unknown as ArgoClient;
  return {
    database: db.database,
    logger: silentLogger,
    pollIntervalMs: 10,
    targets: { argoFor: () => argo, kubeFor: () => ({}) as never },
  } as unknown as ActivityDeps;
}

describe('argocd-wait heartbeats', () => {
  it('heartbeats after every application read, not once per round', async () => {
    const events: string[] = [];
    let round = 0;
    const deps = depsWith(async (name) => {
      events.push(`read ${name}`);
      if (name.endsWith('-infra')) round++;
      return app(name, round >= 2);
    });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
    env.on('heartbeat', () => events.push('heartbeat'));
    const result: { status: string } = await env.run(createArgocdWait(deps).argocdWait, {
      deploymentId: fixture.deploymentId,
      sha: SHA,
      deadlineAtMs: Date.now() + 30_000,
    });
    expect(result.status).toBe('succeeded');
    // Every read is followed by a heartbeat before the next read.
    events.forEach((e, i) => {
      if (e.startsWith('read')) expect(events[i + 1], `after ${e} (#${i})`).toBe('heartbeat');
    });
    expect(events.filter((e) => e.startsWith('read')).length).toBeGreaterThanOrEqual(3);
  });

  it('a read that hangs is abandoned within half the heartbeat timeout and polling goes on', async () => {
    let calls = 0;
    const deps = depsWith(async (name) => {
      calls++;
      if (calls === 1) return new Promise<Application>(() => undefined); // never answers
      return app(name, true);
    });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 2_000 });
    const started = Date.now();
    const result: { status: string } = await env.run(createArgocdWait(deps).argocdWait, {
      deploymentId: fixture.deploymentId,
      sha: SHA,
      deadlineAtMs: Date.now() + 30_000,
    });
    expect(result.status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(2_000 + 1_000);
  }, 15_000);
});
