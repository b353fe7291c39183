// Shared by the wait step's unit-level tests (argocd-wait-heartbeat, argocd-wait-stream): an environment whose
// Argo CD and Kubernetes are never reached (the test scripts the client), a release and a deployment record in a
// real database for the activity to record into, and an Application whose operation (ours) finished.
import { beforeAll, expect } from 'vitest';
import { insertDeployment } from '../db/deployments.js';
import { upsertEnvironment } from '../db/environments.js';
import { DEFAULT_APPLICATION_PATTERN, DEFAULT_PATH_PATTERN, type EnvironmentConfig } from '../domain/environment.js';
import { STEPS } from '../domain/promotion.js';
import type { Application } from '../integrations/argocd.js';
import { PROMOTION_INFO_NAME } from '../integrations/argocd-convergence.js';
import { SAMPLE_TEMPLATE, sampleDescriptor } from '../sim/rig.js';
import { apiHarness } from './api-harness.js';
import type { useTestDatabase } from './harness.js';

export const WAIT_SHA = 'c'.repeat(40);

function configFor(namespace: string): EnvironmentConfig {
  return {
    displayOrder: 0,
    upstream: [],
    protected: false,
    approvalsRequired: 0,
    approvers: [],
    approvalTimeoutSeconds: 3600,
    approvalWaitSeconds: 0,
    gitops: { repoUrl: 'https://git.invalid/gitops.git', branch: 'main', pathPattern: DEFAULT_PATH_PATTERN },
    argocd: {
      serverUrl: 'https://argo.invalid',
      project: 'default',
      applicationPattern: DEFAULT_APPLICATION_PATTERN,
      usernameRef: 'env:UNUSED',
      passwordRef: 'env:UNUSED',
    },
    kubernetes: { server: 'https://kube.invalid', namespace, tokenRef: 'env:UNUSED', skipTLSVerify: false },
    convergenceDeadlineSeconds: 60,
    degradedGraceSeconds: 0,
  };
}

/** Registers a beforeAll that creates environment `env` and a deployment of a new release to it. */
export function useWaitDeployment(db: ReturnType<typeof useTestDatabase>, env: string): { readonly deploymentId: number } {
  const state = { deploymentId: 0 };
  beforeAll(async () => {
    const h = await apiHarness(db.database);
    await upsertEnvironment(db.database.db, { name: env, config: configFor(env) });
    expect((await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE })).status).toBeLessThan(300);
    const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: sampleDescriptor('9.9.9'), token: h.tokens.releaser });
    expect(rel.status, JSON.stringify(rel.body)).toBe(201);
    const d = await insertDeployment(db.database.db, {
      environment: env,
      releaseId: rel.body.releaseId,
      previousReleaseId: null,
      isRollback: false,
      startedBy: 'test',
      startedByTokenId: null,
      reason: null,
      workflowId: `promote:${env}-not-started`,
      steps: STEPS.filter((s) => s !== 'approval'),
    });
    if (!('created' in d)) throw new Error('deployment not created');
    state.deploymentId = d.created.id;
  });
  return state;
}

/** An application whose operation (deployment `deploymentId`'s sync to WAIT_SHA) finished; healthy once `healthy`. */
export function finishedApp(name: string, healthy: boolean, deploymentId: number): Application {
  const at = '2026-01-01T00:00:00Z';
  return {
    metadata: { name },
    spec: { destination: {} },
    status: {
      reconciledAt: at,
      sync: { status: 'Synced', revision: WAIT_SHA },
      health: { status: healthy ? 'Healthy' : 'Progressing' },
      operationState: {
        operation: { sync: { revision: WAIT_SHA }, info: [{ name: PROMOTION_INFO_NAME, value: String(deploymentId) }] },
        phase: 'Succeeded',
        startedAt: at,
        finishedAt: at,
        syncResult: { revision: WAIT_SHA },
      },
    },
  } as Application;
}
