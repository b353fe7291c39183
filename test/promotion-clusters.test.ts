// An environment spanning two simulated clusters (issue #9 §4), on real services: one GitOps repository, two
// simulators (each its own Argo CD and Kubernetes API) reconciling from it, and the real worker. A promotion
// commits once, syncs and waits for every cluster and verifies both; a fault on ONE cluster parks the promotion
// naming that cluster, and a single retry after healing succeeds without a second commit and without syncing
// again the cluster that had already converged. The live view and the preflight cover both clusters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient } from '../integrations/kube.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';
import { commitsOn } from './git-fixtures.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, { envs: [{ key: 'multi' }], clusters: ['eu-1', 'eu-2'] });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
});

const ended = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];
const step = (d: Loose, name: string) => d.steps.find((s: { name: string }) => s.name === name);
const ns = () => f.env.multi as string;
const cluster = (name: string) => {
  const c = f.clusters.find((x) => x.name === name);
  if (!c) throw new Error(`no cluster ${name}`);
  return c;
};
const act = (id: number, action: string) =>
  f.h.call('POST', `/v1/environments/${ns()}/deployment-history/${id}/${action}`, { token: f.tokens.promoter });

/** Images of the Ready, non-terminating pods of the environment's namespace in one cluster. */
async function readyImages(name: string): Promise<string[]> {
  const { kube } = cluster(name);
  const client = createKubeClient({ server: kube.server, caData: kube.caData, token: kube.token });
  const pods = (await client.listPods(ns())).filter(
    (p) => !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  return [...new Set(pods.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
}

async function promote(tag: string): Promise<number> {
  const release = await f.createRelease(tag);
  const res = await f.promote(release, 'multi');
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return (res.body as { deploymentId: number }).deploymentId;
}

describe('an environment spanning two clusters', () => {
  it('commits once, waits for and verifies every cluster; the live view and the preflight show both', async () => {
    const before = (await commitsOn(f.repoPath)).length;
    const id = await promote('1.0.0');
    const d = await f.waitFor('multi', id, ended);
    expect(d.status, d.message).toBe('succeeded');
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
    for (const c of ['eu-1', 'eu-2']) expect(await readyImages(c), c).toEqual(['org/api:1.0.0', 'org/gateway:stable']);

    // Every step names the cluster of each application.
    const apps = [`${ns()}-core`, `${ns()}-infra`];
    const labels = ['eu-1', 'eu-2'].flatMap((c) => apps.map((a) => `${c}/${a}`));
    expect(step(d, 'argocd-sync').message).toBe(`sync to ${String(d.commitSha).slice(0, 12)} requested for ${labels.join(', ')}`);
    expect(step(d, 'argocd-wait').observation.applications.map((a: { name: string }) => a.name)).toEqual(labels);
    expect(step(d, 'argocd-refresh').observation.applications.map((a: { name: string }) => a.name)).toEqual(labels);
    expect(step(d, 'verify-images').observation.verifiedContainers).toBeGreaterThanOrEqual(4);
    expect(step(d, 'verify-images').message).toMatch(/run exactly the release's images on clusters eu-1, eu-2$/);

    const view = await f.h.call('GET', `/v1/environments/${ns()}`, { token: f.h.tokens.viewer });
    expect(view.status).toBe(200);
    expect(view.body.config).toMatchObject({ clusterName: 'eu-1', clusters: [{ name: 'eu-2' }] });
    const live = view.body.live as Array<{ name: string; cluster: string; group: string; matchesCurrentRelease: boolean }>;
    expect(live.map((a) => [a.group, a.cluster, a.name])).toEqual([
      ['core', 'eu-1', `${ns()}-core`],
      ['core', 'eu-2', `${ns()}-core`],
      ['infra', 'eu-1', `${ns()}-infra`],
      ['infra', 'eu-2', `${ns()}-infra`],
    ]);
    expect(live.every((a) => a.matchesCurrentRelease)).toBe(true);

    const pre = await f.h.call('POST', `/v1/environments/${ns()}/preflight`, { token: f.tokens.promoter });
    expect(pre.status).toBe(200);
    const checks = pre.body.checks as Array<{ id: string; cluster?: string; status: string; message: string }>;
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    for (const c of ['eu-1', 'eu-2']) {
      expect(checks.find((x) => x.id === `argocd.reachable@${c}`)).toMatchObject({ cluster: c, status: 'ok' });
      expect(checks.find((x) => x.id === `kubernetes.namespace@${c}`)).toMatchObject({ cluster: c, status: 'ok' });
      expect(checks.find((x) => x.id === `argocd.source:${ns()}-core@${c}`)?.status).toBe('ok');
    }
    expect(checks.find((x) => x.id === 'kubernetes.namespace@eu-2')?.message).toMatch(/^cluster eu-2 \(clusters\[0\]\): /);
    expect(checks.filter((c) => c.id.startsWith('git.')).every((c) => c.cluster === undefined)).toBe(true);
  });

  it('a failed sync on ONE cluster parks naming it; one retry syncs that cluster again and succeeds, without a second commit', async () => {
    cluster('eu-2').simulator.faults.failNextSyncs(1, { message: 'admission webhook "policy.eu-2.example.com" denied the request' });
    const before = (await commitsOn(f.repoPath)).length;
    const id = await promote('1.1.0');
    const parked = await f.waitFor('multi', id, ended);
    expect(parked.status, parked.message).toBe('awaiting_operator');
    expect(parked.currentStep).toBe('argocd-wait');
    expect(parked.message).toMatch(new RegExp(`eu-2/${ns()}-core: .*denied the request`));
    expect(parked.message).not.toMatch(/eu-1\//);
    // eu-1 converged meanwhile: it already runs the release.
    expect(await readyImages('eu-1')).toEqual(['org/api:1.1.0', 'org/gateway:stable']);

    expect((await act(id, 'retry')).status).toBe(200);
    const d = await f.waitFor('multi', id, ended);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.actions.map((a: { action: string }) => a.action)).toEqual(['start', 'retry']);
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
    // The retry synced only the application whose operation failed; every other one was already ours.
    const sync = step(d, 'argocd-sync');
    expect(sync.attempts).toBe(2);
    expect(sync.message).toMatch(new RegExp(`requested for eu-2/${ns()}-core; already ours: `));
    expect(sync.message).toContain(`eu-1/${ns()}-core`);
    for (const c of ['eu-1', 'eu-2']) expect(await readyImages(c), c).toEqual(['org/api:1.1.0', 'org/gateway:stable']);
  });

  it('a Degraded application on ONE cluster parks naming it; after healing, one retry succeeds with no new commit or sync', async () => {
    cluster('eu-2').simulator.faults.degradeWorkload(ns(), 'api');
    const before = (await commitsOn(f.repoPath)).length;
    const id = await promote('1.2.0');
    const parked = await f.waitFor('multi', id, ended);
    expect(parked.status, parked.message).toBe('awaiting_operator');
    expect(parked.message).toMatch(new RegExp(`eu-2/${ns()}-core: .*Degraded`));
    expect(parked.message).not.toMatch(/eu-1\//);

    cluster('eu-2').simulator.faults.clearWorkload(ns(), 'api');
    expect((await act(id, 'retry')).status).toBe(200);
    const d = await f.waitFor('multi', id, ended);
    expect(d.status, d.message).toBe('succeeded');
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
    expect(step(d, 'argocd-sync').attempts).toBe(1);
    expect(step(d, 'argocd-wait').attempts).toBe(2);
    for (const c of ['eu-1', 'eu-2']) expect(await readyImages(c), c).toEqual(['org/api:1.2.0', 'org/gateway:stable']);
  });
});
