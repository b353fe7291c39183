// Every injected fault, observed through the same APIs Flow Controller uses (Argo client, kube
// client, convergence assessment), and cleared again. Admin HTTP endpoints are exercised too.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ArgoCdError, createArgoClient, type ArgoClient } from '../integrations/argocd.js';
import { assessConvergence } from '../integrations/argocd-convergence.js';
import { createKubeClient, type KubeClient } from '../integrations/kube.js';
import { ManualScheduler } from './clock.js';
import { createSimulator, type Simulator } from './simulator.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';

const FILE = 'environments/dev/core/values.yaml';
const V1 = { api: { replicas: 2, images: { api: 'org/api:1.0.0' } } };
const V2 = { api: { replicas: 2, images: { api: 'org/api:2.0.0' } } };

let fx: RepoFixture;
let sim: Simulator;
let argo: ArgoClient;
let kube: KubeClient;
const clock = new ManualScheduler();
let v1 = '';

beforeAll(async () => {
  fx = await createRepoFixture({ [FILE]: valuesYaml(V1) });
  sim = await createSimulator({ scheduler: clock, timing: { healthLagMs: 10, podStepMs: 10, progressDeadlineMs: 100 } });
  argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 2_000 });
  kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
});
afterAll(async () => {
  await sim.close();
  await fx.cleanup();
});
beforeEach(async () => {
  sim.reset();
  v1 = await fx.commit({ [FILE]: valuesYaml(V1) }, 'v1');
  await sim.addApplication({ name: 'dev-core', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev' });
  await argo.sync('dev-core', { revision: v1, prune: true, infos: [], syncOptions: [] });
  clock.runUntilIdle();
});

async function syncV2(promotionId = 'p-2'): Promise<string> {
  const v2 = await fx.commit({ [FILE]: valuesYaml(V2) }, 'v2');
  await argo.sync('dev-core', { revision: v2, prune: true, infos: [{ name: 'promotion', value: promotionId }], syncOptions: [] });
  clock.runUntilIdle();
  return v2;
}

async function admin(method: string, p: string, body: unknown = {}): Promise<number> {
  const res = await fetch(`${sim.argoUrl}/sim/admin${p}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

describe('workload faults', () => {
  it('degraded: new pods never ready (ImagePullBackOff), app Degraded, convergence fails; clearing recovers', async () => {
    sim.faults.degradeWorkload('dev', 'api');
    const v2 = await syncV2();
    const app = await argo.getApplication('dev-core');
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(app.status?.health?.status).toBe('Degraded');
    expect(app.status?.resources?.[0]?.health).toEqual({ status: 'Degraded', message: 'Deployment "api" exceeded its progress deadline' });
    const verdict = assessConvergence(app, { sha: v2, promotionId: 'p-2' });
    expect(verdict).toMatchObject({ state: 'failed', clause: 'degraded' });
    expect(verdict.reason).toContain('exceeded its progress deadline');
    const pods = await kube.listPods('dev', 'app.kubernetes.io/name=api');
    const stuck = pods.find((p) => p.status?.containerStatuses?.[0]?.image === 'org/api:2.0.0');
    expect(stuck?.status?.containerStatuses?.[0]).toMatchObject({ ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } });
    sim.faults.clearWorkload('dev', 'api');
    clock.runUntilIdle();
    const healed = await argo.getApplication('dev-core');
    expect(healed.status?.health?.status).toBe('Healthy');
    expect(assessConvergence(healed, { sha: v2, promotionId: 'p-2' }).state).toBe('converged');
  });

  it('progressing forever: health stays Progressing, convergence keeps waiting', async () => {
    expect(await admin('POST', '/faults/workload', { namespace: 'dev', name: 'api', mode: 'progressing' })).toBe(200);
    const v2 = await syncV2();
    clock.advance(60_000);
    const app = await argo.getApplication('dev-core');
    expect(app.status?.health?.status).toBe('Progressing');
    expect(assessConvergence(app, { sha: v2, promotionId: 'p-2' })).toMatchObject({ state: 'waiting', clause: 'not-healthy' });
    expect(await admin('DELETE', '/faults', {})).toBe(200);
    clock.runUntilIdle();
    expect((await argo.getApplication('dev-core')).status?.health?.status).toBe('Healthy');
  });

  it('out-of-band image change (kubectl set image) shows as drift in pods and OutOfSync in Argo', async () => {
    sim.faults.setImage({ namespace: 'dev', name: 'api', container: 'api', image: 'evil/api:6.6.6' });
    clock.runUntilIdle();
    const pods = await kube.listPods('dev', 'app.kubernetes.io/name=api');
    expect(pods.map((p) => p.status?.containerStatuses?.[0]?.image)).toEqual(['evil/api:6.6.6', 'evil/api:6.6.6']);
    const app = await argo.getApplication('dev-core');
    expect(app.status?.sync?.status).toBe('OutOfSync');
    expect(app.status?.summary?.images).toEqual(['evil/api:6.6.6']);
  });
});

describe('operation faults', () => {
  it('the next N syncs fail with SyncFailed resources and phase Failed or Error', async () => {
    sim.faults.failNextSyncs(1, { message: 'admission webhook "x" denied the request' });
    const v2 = await syncV2();
    let app = await argo.getApplication('dev-core');
    expect(app.status?.operationState).toMatchObject({
      phase: 'Failed',
      message: 'one or more objects failed to apply, reason: admission webhook "x" denied the request',
    });
    expect(app.status?.operationState?.syncResult?.resources?.[0]?.status).toBe('SyncFailed');
    expect(assessConvergence(app, { sha: v2, promotionId: 'p-2' })).toMatchObject({ state: 'failed', clause: 'operation-failed' });
    expect(await admin('POST', '/faults/fail-syncs', { count: 1, phase: 'Error', message: 'rpc error' })).toBe(200);
    await argo.sync('dev-core', { revision: v2, prune: true, infos: [], syncOptions: [] });
    clock.runUntilIdle();
    app = await argo.getApplication('dev-core');
    expect(app.status?.operationState).toMatchObject({ phase: 'Error', message: 'rpc error' });
    await argo.sync('dev-core', { revision: v2, prune: true, infos: [], syncOptions: [] });
    clock.runUntilIdle();
    expect((await argo.getApplication('dev-core')).status?.operationState?.phase).toBe('Succeeded');
  });

  it("someone else's operation is running (a user, or auto-sync): 400 in progress, visible initiatedBy", async () => {
    await sim.faults.startForeignOperation('dev-core', { username: 'alice' });
    clock.runUntilIdle();
    let app = await argo.getApplication('dev-core');
    expect(app.operation?.initiatedBy).toEqual({ username: 'alice' });
    expect(app.status?.operationState?.phase).toBe('Running');
    expect(assessConvergence(app, { sha: v1, promotionId: 'p-1' }).clause).toBe('operation-pending');
    const err = await argo.sync('dev-core', { revision: v1, prune: true, infos: [], syncOptions: [] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, retryable: true });
    sim.faults.releaseForeignOperation('dev-core');
    clock.runUntilIdle();
    app = await argo.getApplication('dev-core');
    expect(app.status?.operationState).toMatchObject({ phase: 'Succeeded', operation: { initiatedBy: { username: 'alice' } } });
    expect(assessConvergence(app, { sha: v1, promotionId: 'p-1' }).clause).toBe('operation-not-ours');

    expect(await admin('POST', '/faults/foreign-operation', { app: 'dev-core', automated: true })).toBe(200);
    clock.runUntilIdle();
    app = await argo.getApplication('dev-core');
    expect(app.operation?.initiatedBy).toEqual({ automated: true });
    expect(await admin('DELETE', '/faults/foreign-operation', { app: 'dev-core' })).toBe(200);
    clock.runUntilIdle();
  });

  it('a sync window blocks syncs with 403', async () => {
    sim.faults.blockSyncs('dev-core');
    const err = (await argo
      .sync('dev-core', { revision: v1, prune: true, infos: [], syncOptions: [] })
      .catch((e: unknown) => e)) as ArgoCdError;
    expect(err).toMatchObject({ status: 403, code: 7, retryable: false });
    expect(err.message).toContain('cannot sync: blocked by sync window');
    sim.faults.unblockSyncs('dev-core');
    await expect(argo.sync('dev-core', { revision: v1, prune: true, infos: [], syncOptions: [] })).resolves.toBeDefined();
    clock.runUntilIdle();
  });
});

describe('API faults', () => {
  it('5xx for a share of requests: retryable errors on both APIs', async () => {
    sim.faults.httpFaults('argo', { errorRate: 1, errorStatus: 503 });
    sim.faults.httpFaults('kube', { errorRate: 1, errorStatus: 500 });
    await expect(argo.getApplication('dev-core')).rejects.toMatchObject({ name: 'ArgoCdError', status: 503, retryable: true });
    await expect(kube.listPods('dev')).rejects.toMatchObject({
      name: 'KubeApiError',
      status: 500,
      reason: 'InternalError',
      retryable: true,
    });
    sim.faults.httpFaults('argo', { errorRate: 0.5 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        argo.getApplication('dev-core').then(
          () => 'ok',
          () => 'err',
        ),
      ),
    );
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('err');
    sim.faults.clearHttpFaults();
    await expect(argo.getApplication('dev-core')).resolves.toBeDefined();
  });

  it('timeouts and latency', async () => {
    sim.faults.httpFaults('argo', { timeoutRate: 1 });
    const slowClient = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 200 });
    await expect(slowClient.getApplication('dev-core')).rejects.toMatchObject({ status: 0, retryable: true });
    sim.faults.httpFaults('argo', { latencyMs: 150 });
    const started = Date.now();
    await argo.getApplication('dev-core');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sim.faults.clearHttpFaults('argo');
  });
});

describe('reset', () => {
  it('clears applications, workloads and faults', async () => {
    sim.faults.blockSyncs('*');
    expect(await admin('POST', '/reset')).toBe(200);
    await expect(argo.getApplication('dev-core')).rejects.toMatchObject({ status: 403 });
    expect(await kube.listPods('dev')).toEqual([]);
    await sim.addApplication({ name: 'dev-core', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev' });
    await expect(argo.sync('dev-core', { revision: v1, prune: true, infos: [], syncOptions: [] })).resolves.toBeDefined();
    clock.runUntilIdle();
  });
});
