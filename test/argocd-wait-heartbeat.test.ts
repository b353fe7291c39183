// Security audit finding 16: the wait step heartbeats after EVERY application read (not once per round of
// sequential reads), and one read never outlives the heartbeat timeout. Runs the real activity against a
// real database record and a scripted Argo CD client (the order of reads and heartbeats is what is checked).
import { MockActivityEnvironment } from '@temporalio/testing';
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
  kubernetes: { server: 'https://kube.invalid', namespace: 'hb', tokenRef: 'env:UNUSED', skipTLSVerify: false },
  convergenceDeadlineSeconds: 60,
  degradedGraceSeconds: 0,
};

beforeAll(async () => {
  const h = await apiHarness(db.database);
  await upsertEnvironment(db.database.db, { name: 'hb', config });
  expect((await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE })).status).toBeLessThan(300);
  const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: sampleDescriptor('9.9.9'), token: h.tokens.releaser });
  expect(rel.status, JSON.stringify(rel.body)).toBe(201);
  const d = await insertDeployment(db.database.db, {
    environment: 'hb',
    releaseId: rel.body.releaseId,
    previousReleaseId: null,
    isRollback: false,
    startedBy: 'test',
    startedByTokenId: null,
    reason: null,
    workflowId: 'promote:hb-not-started',
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
      deploymentId,
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
      deploymentId,
      sha: SHA,
      deadlineAtMs: Date.now() + 30_000,
    });
    expect(result.status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(2_000 + 1_000);
  }, 15_000);
});
