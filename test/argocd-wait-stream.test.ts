// The convergence wait's watch streams under activity cancellation and on events (activities/argocd-observe.ts):
// a cancelled wait aborts its open streams at once, and a stream event settles the wait without waiting for the
// (here one-minute) poll interval. Runs the real activity against a real database record and a scripted Argo CD
// client whose stream is a response body the test writes.
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArgocdWait } from '../activities/argocd-wait.js';
import type { ActivityDeps } from '../activities/deps.js';
import { insertDeployment } from '../db/deployments.js';
import { upsertEnvironment } from '../db/environments.js';
import { DEFAULT_APPLICATION_PATTERN, DEFAULT_PATH_PATTERN, type EnvironmentConfig } from '../domain/environment.js';
import { STEPS } from '../domain/promotion.js';
import type { Application, ArgoClient } from '../integrations/argocd.js';
import { PROMOTION_INFO_NAME } from '../integrations/argocd-convergence.js';
import { SAMPLE_TEMPLATE, sampleDescriptor } from '../sim/rig.js';
import { apiHarness } from './api-harness.js';
import { silentLogger, useTestDatabase } from './harness.js';

const db = useTestDatabase();
const SHA = 'c'.repeat(40);
let deploymentId: number;

const config: EnvironmentConfig = {
  displayOrder: 0,
  upstream: [],
  protected: false,
  approvalsRequired: 0,
  approvers: [],
  approvalTimeoutSeconds: 3600,
  gitops: { repoUrl: 'https://git.invalid/gitops.git', branch: 'main', pathPattern: DEFAULT_PATH_PATTERN },
  argocd: {
    serverUrl: 'https://argo.invalid',
    project: 'default',
    applicationPattern: DEFAULT_APPLICATION_PATTERN,
    usernameRef: 'env:UNUSED',
    passwordRef: 'env:UNUSED',
  },
  kubernetes: { server: 'https://kube.invalid', namespace: 'ws', tokenRef: 'env:UNUSED', skipTLSVerify: false },
  convergenceDeadlineSeconds: 60,
  degradedGraceSeconds: 0,
};

beforeAll(async () => {
  const h = await apiHarness(db.database);
  await upsertEnvironment(db.database.db, { name: 'ws', config });
  expect((await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE })).status).toBeLessThan(300);
  const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: sampleDescriptor('9.9.9'), token: h.tokens.releaser });
  expect(rel.status, JSON.stringify(rel.body)).toBe(201);
  const d = await insertDeployment(db.database.db, {
    environment: 'ws',
    releaseId: rel.body.releaseId,
    previousReleaseId: null,
    isRollback: false,
    startedBy: 'test',
    startedByTokenId: null,
    reason: null,
    workflowId: 'promote:ws-not-started',
    steps: STEPS.filter((s) => s !== 'approval'),
  });
  if (!('created' in d)) throw new Error('deployment not created');
  deploymentId = d.created.id;
});

/** An application whose operation (ours) finished; healthy once `healthy`. */
function app(name: string, healthy: boolean): Application {
  const at = '2026-01-01T00:00:00Z';
  return {
    metadata: { name },
    spec: { destination: {} },
    status: {
      reconciledAt: at,
      sync: { status: 'Synced', revision: SHA },
      health: { status: healthy ? 'Healthy' : 'Progressing' },
      operationState: {
        operation: { sync: { revision: SHA }, info: [{ name: PROMOTION_INFO_NAME, value: String(deploymentId) }] },
        phase: 'Succeeded',
        startedAt: at,
        finishedAt: at,
        syncResult: { revision: SHA },
      },
    },
  } as Application;
}

/** A scripted Argo CD: GETs answer `state(name)`; every stream is a body the test writes to with `push`. */
function scripted(state: (name: string) => Application) {
  const enc = new TextEncoder();
  const streams: Array<{ name: string; signal: AbortSignal; push(app: Application): void }> = [];
  let gets = 0;
  const argo = {
    getApplication: async (name: string) => {
      gets++;
      return state(name);
    },
    openStream: async (path: string, signal: AbortSignal) => {
      const name = new URL(path, 'http://x').searchParams.get('name') ?? '';
      let ctl!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) });
      const push = (a: Application) =>
        ctl.enqueue(enc.encode(`data: ${JSON.stringify({ result: { type: 'MODIFIED', application: a } })} \n\n`));
      streams.push({ name, signal, push });
      push(state(name)); // the ADDED replay (type does not matter to the wait)
      return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
    },
  } as unknown as ArgoClient;
  const deps = {
    database: db.database,
    logger: silentLogger,
    pollIntervalMs: 60_000,
    targets: { argoFor: () => argo, kubeFor: () => ({}) as never },
  } as unknown as ActivityDeps;
  return { deps, streams, gets: () => gets };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('argocd-wait on watch streams', () => {
  it('a stream event settles the wait without waiting for the poll interval', async () => {
    let healthy = false;
    const s = scripted((name) => app(name, healthy));
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 120_000 });
    const run = env.run(createArgocdWait(s.deps).argocdWait, { deploymentId, sha: SHA, deadlineAtMs: Date.now() + 60_000 });
    await until(() => s.streams.length === 2);
    healthy = true;
    for (const st of s.streams) st.push(app(st.name, true));
    const result = (await run) as { status: string; reads: number; events: number };
    expect(result.status).toBe('succeeded');
    expect(result.reads).toBe(2); // the first GET of each app; the rest came on the streams
    expect(result.events).toBeGreaterThanOrEqual(4);
    expect(s.gets()).toBe(2);
    expect(s.streams.every((st) => st.signal.aborted)).toBe(true); // closed once converged
  });

  it('cancelling the activity aborts its open streams', async () => {
    const s = scripted((name) => app(name, false));
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 120_000 });
    const run = env.run(createArgocdWait(s.deps).argocdWait, { deploymentId, sha: SHA, deadlineAtMs: Date.now() + 60_000 });
    await until(() => s.streams.length === 2);
    expect(s.streams.some((st) => st.signal.aborted)).toBe(false);
    env.cancel();
    await expect(run).rejects.toBeInstanceOf(CancelledFailure);
    expect(s.streams.every((st) => st.signal.aborted)).toBe(true);
  });
});
