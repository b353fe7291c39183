// Contract tests for the simulated Argo CD API, driven the way real clients drive Argo: raw fetch
// for statuses and bodies, and the project's own client (integrations/argocd.ts). Virtual time
// (ManualScheduler) makes every intermediate state observable without sleeping.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgoCdError, createArgoClient, type ArgoClient } from '../integrations/argocd.js';
import { Application } from '../integrations/argocd-schema.js';
import type { ManualScheduler } from './clock.js';
import type { Simulator } from './simulator.js';
import { type RepoFixture, valuesYaml, virtualSimulator } from '../test/sim-fixtures.js';

const V1 = { api: { replicas: 2, images: { api: 'org/api:1.0.0' } }, worker: { images: { worker: 'org/worker:1.0.0' } } };
const V2 = { api: { replicas: 2, images: { api: 'org/api:2.0.0' } }, worker: { images: { worker: 'org/worker:1.0.0' } } };
const FILE = 'environments/dev/core/values.yaml';

let fx: RepoFixture & { first: string };
let sim: Simulator;
let clock: ManualScheduler;
let argo: ArgoClient;

async function raw(method: string, p: string, init: { token?: string; body?: unknown; contentType?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.contentType !== null && method !== 'GET') headers['Content-Type'] = init.contentType ?? 'application/json';
  const res = await fetch(`${sim.argoUrl}${p}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown>, contentType: res.headers.get('content-type') };
}

async function token(): Promise<string> {
  const r = await raw('POST', '/api/v1/session', { body: sim.argoAdmin });
  return String(r.json.token);
}

const rig = virtualSimulator({ file: FILE, initial: valuesYaml(V1) });
beforeAll(async () => ({ fx, sim, clock, argo } = await rig.start()));
afterAll(() => rig.stop());
beforeEach(async () => {
  await rig.reset();
  await sim.addApplication({
    name: 'dev-core',
    project: 'flow',
    repoURL: fx.repo,
    path: 'environments/dev/core',
    namespace: 'dev',
    labels: { env: 'dev' },
  });
});

/** Deploys the current HEAD and runs the clock until everything settled. */
async function deployHead(): Promise<string> {
  const app = await argo.sync('dev-core', { revision: 'main', prune: true, infos: [], syncOptions: [] });
  clock.runUntilIdle();
  return app.operation?.sync?.revision ?? '';
}

describe('authentication', () => {
  it('logs in and rejects wrong credentials, missing and bad tokens with 401', async () => {
    const bad = await raw('POST', '/api/v1/session', { body: { username: 'admin', password: 'nope' } });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ error: 'Invalid username or password', code: 16, message: 'Invalid username or password' });
    const t = await token();
    expect(t.split('.')).toHaveLength(3);
    const none = await raw('GET', '/api/v1/applications/dev-core');
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ code: 16, message: 'no session information' });
    const forged = await raw('GET', '/api/v1/applications/dev-core', { token: `${t}x` });
    expect(forged.status).toBe(401);
    expect(String(forged.json.message)).toMatch(/^invalid session: /);
    expect((await raw('GET', '/api/v1/applications/dev-core', { token: t })).status).toBe(200);
  });

  it('expired tokens get 401 and the client logs in again transparently', async () => {
    const t = await token();
    await argo.getApplication('dev-core');
    sim.faults.expireTokens();
    const r = await raw('GET', '/api/v1/applications/dev-core', { token: t });
    expect(r.status).toBe(401);
    expect(r.json.message).toBe('invalid session: token has invalid claims: token is expired');
    await expect(argo.getApplication('dev-core')).resolves.toMatchObject({ metadata: { name: 'dev-core' } });
    const staticClient = createArgoClient({ baseUrl: sim.argoUrl, token: t, timeoutMs: 2_000 });
    const err = await staticClient.getApplication('dev-core').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgoCdError);
    expect(err).toMatchObject({ status: 401, code: 16, retryable: false });
    expect((err as Error).message).not.toContain(t);
  });
});

describe('transport rules', () => {
  it('answers 415 to a non-GET without exactly application/json', async () => {
    const t = await token();
    for (const contentType of ['application/json; charset=utf-8', 'text/plain', null]) {
      const r = await raw('POST', '/api/v1/applications/dev-core/sync', { token: t, body: {}, contentType });
      expect(r.status).toBe(415);
      expect(r.text).toBe('Invalid content type');
    }
    const del = await raw('DELETE', '/api/v1/applications/dev-core/operation', { token: t, contentType: null });
    expect(del.status).toBe(415);
  });

  it('hides a missing app behind 403 without project and answers 404 with project', async () => {
    const t = await token();
    const r403 = await raw('GET', '/api/v1/applications/nope', { token: t });
    expect(r403.status).toBe(403);
    expect(r403.json).toEqual({ error: 'permission denied', code: 7, message: 'permission denied' });
    const r404 = await raw('GET', '/api/v1/applications/nope?project=flow', { token: t });
    expect(r404.status).toBe(404);
    expect(r404.json).toMatchObject({ code: 5, message: 'applications.argoproj.io "nope" not found' });
    const otherProject = await raw('GET', '/api/v1/applications/dev-core?project=other', { token: t });
    expect(otherProject.status).toBe(404);
    await expect(argo.getApplication('nope')).rejects.toMatchObject({ status: 403, code: 7, retryable: false });
    await expect(argo.getApplication('nope', { project: 'flow' })).rejects.toMatchObject({ status: 404, code: 5 });
  });
});

describe('sync windows', () => {
  it('GET …/syncwindows: canSync with empty lists omitted, an active deny window when blocked, app lookup like GET', async () => {
    const t = await token();
    const open = await raw('GET', '/api/v1/applications/dev-core/syncwindows?project=flow', { token: t });
    expect(open.status).toBe(200);
    expect(open.json).toEqual({ canSync: true });
    sim.faults.blockSyncs('dev-core');
    const blocked = await argo.syncWindows('dev-core', { project: 'flow' });
    expect(blocked.canSync).toBe(false);
    expect(blocked.activeWindows).toEqual([expect.objectContaining({ kind: 'deny', manualSync: false })]);
    expect(blocked.assignedWindows).toHaveLength(1);
    expect((await raw('GET', '/api/v1/applications/nope/syncwindows', { token: t })).status).toBe(403);
    expect((await raw('GET', '/api/v1/applications/nope/syncwindows?project=flow', { token: t })).status).toBe(404);
    expect((await raw('GET', '/api/v1/applications/dev-core/syncwindows')).status).toBe(401);
  });
});

describe('sync', () => {
  it('syncs a SHA: operation, Running with syncResult.revision early, Succeeded, history, lagging health', async () => {
    const sha = fx.first.length === 40 ? await fx.commit({ [FILE]: valuesYaml(V1) }) : '';
    const resp = await argo.sync('dev-core', {
      revision: sha,
      prune: true,
      infos: [{ name: 'promotion', value: 'p-1' }],
      syncOptions: ['ApplyOutOfSyncOnly=true'],
    });
    expect(resp.operation).toMatchObject({
      sync: { revision: sha, prune: true, syncOptions: ['ApplyOutOfSyncOnly=true'] },
      initiatedBy: { username: 'admin' },
      info: [{ name: 'promotion', value: 'p-1' }],
    });
    expect(resp.status?.operationState).toBeUndefined();

    clock.advance(100);
    let app = await argo.getApplication('dev-core');
    expect(app.operation).toBeTruthy();
    expect(app.status?.operationState).toMatchObject({ phase: 'Running', syncResult: { revision: sha } });
    expect(app.status?.operationState?.finishedAt).toBeUndefined();
    expect(app.status?.operationState?.operation.info).toEqual([{ name: 'promotion', value: 'p-1' }]);

    clock.advance(100);
    app = await argo.getApplication('dev-core');
    expect(app.operation ?? null).toBeNull();
    expect('operation' in app).toBe(false);
    const op = app.status?.operationState;
    expect(op).toMatchObject({ phase: 'Succeeded', message: 'successfully synced (all tasks run)' });
    expect(op?.finishedAt).toBeDefined();
    expect(op?.syncResult?.resources?.map((r) => [r.kind, r.name, r.status])).toEqual([
      ['Deployment', 'api', 'Synced'],
      ['Deployment', 'worker', 'Synced'],
    ]);
    expect(app.status?.history?.at(-1)).toMatchObject({ id: 0, revision: sha, initiatedBy: { username: 'admin' } });
    // Health is reassessed in a separate loop: right after finishedAt it is stale (still Missing).
    expect(app.status?.health?.status).toBe('Missing');
    expect(Date.parse(app.status?.reconciledAt ?? '')).toBeLessThan(Date.parse(op?.finishedAt ?? '') + 1);

    clock.advance(100);
    app = await argo.getApplication('dev-core');
    expect(app.status?.health?.status).toBe('Progressing');
    expect(Date.parse(app.status?.reconciledAt ?? '')).toBeGreaterThanOrEqual(Date.parse(op?.finishedAt ?? ''));
    clock.runUntilIdle();
    app = await argo.getApplication('dev-core');
    expect(app.status).toMatchObject({ sync: { status: 'Synced', revision: sha }, health: { status: 'Healthy' } });
    expect(app.status?.summary?.images).toEqual(['org/api:1.0.0', 'org/worker:1.0.0']);
  });

  it('syncs a branch name: the server resolves it to the full SHA', async () => {
    const head = await fx.commit({ [FILE]: valuesYaml(V2) }, 'v2');
    const resp = await argo.sync('dev-core', { revision: 'main', prune: false, infos: [], syncOptions: [] });
    expect(resp.operation?.sync?.revision).toBe(head);
    clock.runUntilIdle();
    const app = await argo.getApplication('dev-core');
    expect(app.status?.operationState?.syncResult?.revision).toBe(head);
    expect(app.status?.sync).toMatchObject({ status: 'Synced', revision: head });
  });

  it('shows the full field set mid-rollout: generation ahead, old and new images, Progressing', async () => {
    await deployHead();
    const v2 = await fx.commit({ [FILE]: valuesYaml(V2) }, 'v2');
    await argo.sync('dev-core', { revision: v2, prune: true, infos: [], syncOptions: [] });
    clock.advance(200); // started and applied: Succeeded before the rollout is done
    clock.advance(150); // observe + first pod step at +50, reassessed after the health lag
    const app = Application.parse(await argo.getApplication('dev-core'));
    expect(app.status?.operationState?.phase).toBe('Succeeded');
    expect(app.status?.health?.status).toBe('Progressing');
    expect(app.status?.summary?.images).toEqual(expect.arrayContaining(['org/api:1.0.0', 'org/api:2.0.0']));
    const api = app.status?.resources?.find((r) => r.name === 'api');
    expect(api).toMatchObject({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace: 'dev',
      status: 'Synced',
      health: { status: 'Progressing' },
    });
    expect(api?.health?.message).toMatch(/Waiting for rollout to finish/);
    const tree = await argo.resourceTree('dev-core');
    const pods = (tree.nodes ?? []).filter((n) => n.kind === 'Pod' && n.name.startsWith('api-'));
    expect(new Set(pods.flatMap((p) => p.images ?? []))).toEqual(new Set(['org/api:1.0.0', 'org/api:2.0.0']));
    clock.runUntilIdle();
    const done = await argo.getApplication('dev-core');
    expect(done.status).toMatchObject({ sync: { status: 'Synced', revision: v2 }, health: { status: 'Healthy' } });
    expect(done.status?.summary?.images).toEqual(['org/api:2.0.0', 'org/worker:1.0.0']);
    expect(done.status?.history?.map((h) => h.id)).toEqual([0, 1]);
  });

  it('refuses a second sync while an operation runs (400, retryable)', async () => {
    await argo.sync('dev-core', { revision: 'main', prune: true, infos: [], syncOptions: [] });
    const err = (await argo
      .sync('dev-core', { revision: 'main', prune: true, infos: [], syncOptions: [] })
      .catch((e: unknown) => e)) as ArgoCdError;
    expect(err).toBeInstanceOf(ArgoCdError);
    expect(err).toMatchObject({ status: 400, code: 9, retryable: true, isOperationInProgress: true });
    expect(err.message).toContain('another operation is already in progress');
    clock.runUntilIdle();
  });

  it('rejects an unknown revision and a revision other than the auto-sync target', async () => {
    const t = await token();
    const unknown = await raw('POST', '/api/v1/applications/dev-core/sync', { token: t, body: { revision: 'f'.repeat(40) } });
    expect(unknown.status).toBe(400);
    expect(String(unknown.json.message)).toMatch(/^error resolving repo revision: /);
    await sim.addApplication({ name: 'dev-auto', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev-auto', automated: true });
    clock.runUntilIdle();
    const mismatch = await raw('POST', '/api/v1/applications/dev-auto/sync', { token: t, body: { revision: fx.first } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.message).toBe(`Cannot sync to ${fx.first}: auto-sync currently set to main`);
  });

  it('terminates an operation, and refuses to terminate when none runs', async () => {
    const none = await argo.terminateOperation('dev-core').catch((e: unknown) => e);
    expect(none).toMatchObject({
      status: 400,
      message: expect.stringContaining('Unable to terminate operation. No operation is in progress'),
    });
    await argo.sync('dev-core', { revision: 'main', prune: true, infos: [], syncOptions: [] });
    clock.advance(100);
    await argo.terminateOperation('dev-core');
    let app = await argo.getApplication('dev-core');
    expect(app.status?.operationState?.phase).toBe('Terminating');
    clock.advance(100);
    app = await argo.getApplication('dev-core');
    expect(app.status?.operationState).toMatchObject({ phase: 'Failed', message: 'Operation terminated' });
    expect(app.operation ?? null).toBeNull();
  });
});

describe('refresh, tree, managed resources, list', () => {
  it('GET without refresh returns stored state; with refresh blocks until reconciled against the new commit', async () => {
    const v1 = await deployHead();
    const v2 = await fx.commit({ [FILE]: valuesYaml(V2) }, 'v2');
    const stale = await argo.getApplication('dev-core');
    expect(stale.status?.sync).toMatchObject({ status: 'Synced', revision: v1 });
    const fresh = await argo.getApplication('dev-core', { refresh: 'normal' });
    expect(fresh.status?.sync).toMatchObject({ status: 'OutOfSync', revision: v2 });
    expect(fresh.metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined();
    const hard = await argo.getApplication('dev-core', { refresh: 'hard' });
    expect(hard.status?.sync?.revision).toBe(v2);
  });

  it('serves the resource tree with images and managed resources as JSON strings', async () => {
    await deployHead();
    const tree = await argo.resourceTree('dev-core');
    expect(tree.orphanedNodes).toEqual([]);
    const kinds = (tree.nodes ?? []).map((n) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'ReplicaSet', 'Pod']));
    const pod = (tree.nodes ?? []).find((n) => n.kind === 'Pod');
    expect(pod?.images).toBeDefined();
    expect(pod?.parentRefs?.[0]?.kind).toBe('ReplicaSet');
    const managed = await argo.managedResources('dev-core');
    const api = managed.items?.find((i) => i.name === 'api');
    const live = JSON.parse(api?.liveState ?? 'null') as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(live.spec.template.spec.containers[0]?.image).toBe('org/api:1.0.0');
    expect(JSON.parse(api?.targetState ?? 'null')).toMatchObject({ kind: 'Deployment', metadata: { name: 'api' } });
  });

  it('lists applications with a label selector', async () => {
    await sim.addApplication({
      name: 'prod-core',
      repoURL: fx.repo,
      path: 'environments/dev/core',
      namespace: 'prod',
      labels: { env: 'prod' },
    });
    const all = await argo.listApplications();
    expect(all.items?.map((a) => a.metadata.name)).toEqual(['dev-core', 'prod-core']);
    const prod = await argo.listApplications('env=prod');
    expect(prod.items?.map((a) => a.metadata.name)).toEqual(['prod-core']);
    expect(prod.metadata?.resourceVersion).toBeDefined();
  });
});
