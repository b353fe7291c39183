// Contract tests for the simulated Kubernetes API through the real @kubernetes/client-node over
// HTTPS with the simulator's CA as caData (integrations/kube.ts), plus raw HTTPS for List and
// Status shapes and content types.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArgoClient } from '../integrations/argocd.js';
import { assessWorkloadRollout } from '../integrations/argocd-convergence.js';
import { createKubeClient, KubeApiError } from '../integrations/kube.js';
import { ManualScheduler } from './clock.js';
import { createSimulator, type Simulator } from './simulator.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';

let fx: RepoFixture;
let sim: Simulator;
const clock = new ManualScheduler();

function get(
  p: string,
  token: string | undefined,
): Promise<{ status: number; contentType: string | undefined; json: Record<string, unknown> }> {
  const url = new URL(p, sim.kubeUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: sim.kubeCaPem, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          json: JSON.parse(body) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  fx = await createRepoFixture({
    'environments/dev/core/values.yaml': valuesYaml({
      api: { replicas: 2, images: { api: 'org/api:1.0.0' } },
      db: { kind: 'StatefulSet', replicas: 2, images: { db: `org/db@sha256:${'c'.repeat(64)}` } },
      agent: { kind: 'DaemonSet', images: { agent: 'org/agent:3' } },
      nightly: { kind: 'CronJob', images: { job: 'org/job:1' } },
    }),
  });
  sim = await createSimulator({ scheduler: clock });
  await sim.addApplication({ name: 'dev-core', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev' });
  const argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
  await argo.sync('dev-core', { revision: 'main', prune: true, infos: [], syncOptions: [] });
  clock.runUntilIdle();
});
afterAll(async () => {
  await sim.close();
  await fx.cleanup();
});

describe('Kubernetes API via @kubernetes/client-node over HTTPS', () => {
  it('lists workloads and pods with label selectors (equality and set-based)', async () => {
    const kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    const workloads = await kube.listWorkloads('dev', 'app.kubernetes.io/instance=dev-core');
    expect(workloads.map((w) => `${w.kind}/${w.object.metadata?.name}`).sort()).toEqual([
      'DaemonSet/agent',
      'Deployment/api',
      'StatefulSet/db',
    ]);
    for (const w of workloads) expect(assessWorkloadRollout(w).state).toBe('rolledOut');
    const api = workloads.find((w) => w.kind === 'Deployment');
    expect(api?.object.metadata?.annotations).toMatchObject({
      'argocd.argoproj.io/tracking-id': 'dev-core:apps/Deployment:dev/api',
      'flow-controller.io/release-id': 'rel-1',
    });
    const pods = await kube.listPods('dev', 'app.kubernetes.io/name in (api,db)');
    expect(pods).toHaveLength(4);
    const apiPod = pods.find((p) => p.metadata?.labels?.['app.kubernetes.io/name'] === 'api');
    expect(apiPod?.metadata?.labels?.['pod-template-hash']).toMatch(/^[a-z0-9]{10}$/);
    expect(apiPod?.metadata?.annotations?.['flow-controller.io/release-id']).toBe('rel-1');
    expect(apiPod?.status?.containerStatuses?.[0]).toMatchObject({ name: 'api', image: 'org/api:1.0.0', ready: true });
    expect(apiPod?.status?.containerStatuses?.[0]?.imageID).toMatch(/^org\/api@sha256:[0-9a-f]{64}$/);
    const dbPod = pods.find((p) => p.metadata?.name === 'db-0');
    expect(dbPod?.status?.containerStatuses?.[0]?.imageID).toBe(`org/db@sha256:${'c'.repeat(64)}`);
    expect(await kube.listPods('dev', 'app.kubernetes.io/name notin (api,db),app.kubernetes.io/instance')).toHaveLength(1);
    const db = await kube.getWorkload('StatefulSet', 'dev', 'db');
    expect(db.kind === 'StatefulSet' && db.object.status?.currentRevision).toBe(
      db.kind === 'StatefulSet' && db.object.status?.updateRevision,
    );
  });

  it('maps Status errors: 404 NotFound, 401 Unauthorized, 403 Forbidden', async () => {
    const kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    const notFound = await kube.getWorkload('Deployment', 'dev', 'nope').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(KubeApiError);
    expect(notFound).toMatchObject({ status: 404, reason: 'NotFound', retryable: false });
    expect((notFound as Error).message).toContain('deployments.apps "nope" not found');
    const badToken = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaPem, token: 'wrong' });
    await expect(badToken.listPods('dev')).rejects.toMatchObject({ status: 401, reason: 'Unauthorized' });
    sim.faults.forbidNamespace('dev');
    try {
      await expect(kube.listWorkloads('dev')).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
    } finally {
      sim.faults.allowNamespace('dev');
    }
  });

  it("GET /api/v1/namespaces/{name}: Applications' destination namespaces exist, others 404, forbidden 403, bad token 401", async () => {
    const kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    const ns = await kube.getNamespace('dev');
    expect(ns.metadata?.name).toBe('dev');
    expect(ns.status?.phase).toBe('Active');
    expect((await kube.getNamespace('kube-system')).metadata?.name).toBe('kube-system');
    const missing = await get('/api/v1/namespaces/nope', sim.kubeToken);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'namespaces "nope" not found', code: 404 });
    await expect(kube.getNamespace('nope')).rejects.toMatchObject({ status: 404, reason: 'NotFound' });
    expect((await get('/api/v1/namespaces/dev', 'wrong')).status).toBe(401);
    sim.faults.forbidNamespace('dev');
    try {
      await expect(kube.getNamespace('dev')).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
    } finally {
      sim.faults.allowNamespace('dev');
    }
    // Like a real API server: listing in a namespace that does not exist is an empty list, not an error.
    expect(await kube.listPods('nope')).toEqual([]);
  });

  it('refuses an untrusted certificate (the TLS path is real)', async () => {
    const kube = createKubeClient({ server: sim.kubeUrl, token: sim.kubeToken });
    await expect(kube.listPods('dev')).rejects.toMatchObject({ status: 0, reason: 'NetworkError' });
  });

  it('answers List and Status shapes with Content-Type application/json', async () => {
    const list = await get('/apis/apps/v1/namespaces/dev/deployments?labelSelector=app.kubernetes.io%2Fname%3Dapi', sim.kubeToken);
    expect(list.status).toBe(200);
    expect(list.contentType).toBe('application/json');
    expect(list.json).toMatchObject({ kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: expect.any(String) } });
    const items = list.json.items as Record<string, unknown>[];
    expect(items).toHaveLength(1);
    expect(items[0]).not.toHaveProperty('kind');
    const one = await get('/apis/apps/v1/namespaces/dev/deployments/api', sim.kubeToken);
    expect(one.json).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'api', generation: 1 } });
    const missing = await get('/api/v1/namespaces/dev/pods/nope', sim.kubeToken);
    expect(missing).toMatchObject({
      status: 404,
      contentType: 'application/json',
      json: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', code: 404 },
    });
    const unauth = await get('/api/v1/namespaces/dev/pods', undefined);
    expect(unauth.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const paged = await get('/api/v1/namespaces/dev/pods?limit=2', sim.kubeToken);
    expect((paged.json.items as unknown[]).length).toBe(2);
    const cont = (paged.json.metadata as { continue?: string }).continue;
    expect(cont).toBeDefined();
    const rest = await get(`/api/v1/namespaces/dev/pods?limit=10&continue=${cont ?? ''}`, sim.kubeToken);
    expect((rest.json.items as unknown[]).length).toBe(3);
    const field = await get('/api/v1/pods?fieldSelector=metadata.name%3Ddb-1', sim.kubeToken);
    expect((field.json.items as unknown[]).length).toBe(1);
  });
});
