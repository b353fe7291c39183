// An environment spanning two simulated clusters (issue #9 §4), on real services: one GitOps repository, two
// simulators (each its own Argo CD and Kubernetes API) reconciling from it, and the real worker. A promotion
// commits once, syncs and waits for every cluster and verifies both; a fault on ONE cluster parks the promotion
// naming that cluster, and a single retry after healing succeeds without a second commit and without syncing
// again the cluster that had already converged. The live view and the preflight cover both clusters. A sync
// window on ONE cluster's Argo CD parks the promotion naming that cluster, and it resumes on its own once that
// cluster's clock (each simulator keeps its own) has passed the window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient } from '../integrations/kube.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';
import { commitsOn } from './git-fixtures.js';
import { recordHistory } from './history-corpus.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, { envs: [{ key: 'multi' }], clusters: ['eu-1', 'eu-2'] });
  // A promotion waiting for a sync window checks it twice a second (production: when it should open, at least every 5 min).
  await f.startWorker({ syncWindowRecheckMs: 500 });
});
afterAll(async () => {
  await f?.close();
});

const ended = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];
const HOUR = 3_600_000;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

async function promoted(tag: string): Promise<{ deploymentId: number; workflowId: string }> {
  const release = await f.createRelease(tag);
  const res = await f.promote(release, 'multi');
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body as { deploymentId: number; workflowId: string };
}
const promote = async (tag: string) => (await promoted(tag)).deploymentId;

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
    // Both eu-2 applications are synced at once: the fault takes whichever sync reaches eu-2 first.
    const failed = new RegExp(`eu-2/(${ns()}-(?:core|infra)): .*denied the request`).exec(parked.message ?? '')?.[1];
    expect(failed, parked.message).toBeDefined();
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
    expect(sync.message).toContain(`requested for eu-2/${failed}; already ours: `);
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

  it('a sync window blocking ONE cluster parks naming it and resumes on its own once that cluster’s clock has passed it', async () => {
    const eu2 = cluster('eu-2').simulator;
    // A deny window on eu-2's Argo CD only, on its own clock: it began a minute ago and lasts an hour.
    const start = new Date(Math.floor(eu2.now() / 60_000) * 60_000 - 60_000);
    const schedule = `${start.getUTCMinutes()} ${start.getUTCHours()} * * *`;
    eu2.setSyncWindows('default', [{ kind: 'deny', schedule, duration: '1h', applications: [`${ns()}-*`] }]);
    const windowReads = () => eu2.faults.requestCounts()[`argo GET /api/v1/applications/${ns()}-core/syncwindows`] ?? 0;
    try {
      const before = (await commitsOn(f.repoPath)).length;
      const { deploymentId: id, workflowId } = await promoted('1.3.0');
      const parked = await f.waitFor('multi', id, ended);
      expect(parked).toMatchObject({ status: 'awaiting_operator', currentStep: 'argocd-sync', parkReason: 'sync-window' });
      expect(parked.message).toMatch(
        new RegExp(`^cluster eu-2: blocked by sync window ${escape(schedule)} \\(deny 1h\\): ${ns()}-core may sync at `),
      );
      expect(parked.message).toContain('resumes on its own when the window opens');
      expect(parked.message).not.toMatch(/eu-1/);
      expect(step(parked, 'argocd-sync').status).toBe('pending');
      // The preflight reads each cluster's windows: eu-2's blocks, eu-1 has none.
      const pre = await f.h.call('POST', `/v1/environments/${ns()}/preflight`, { token: f.tokens.promoter });
      const checks = pre.body.checks as Array<{ id: string; status: string; message: string }>;
      const windows = (c: string) => checks.find((x) => x.id === `argocd.sync-windows:${ns()}-core@${c}`);
      expect(windows('eu-2')?.status).toBe('warning');
      expect(windows('eu-2')?.message).toMatch(
        new RegExp(`^cluster eu-2 \\(clusters\\[0\\]\\): a sync window blocks syncs now: .*${escape(schedule)}`),
      );
      expect(windows('eu-1')).toMatchObject({ status: 'ok', message: `cluster eu-1: no sync windows apply to ${ns()}-core` });
      // eu-1 was synced before eu-2 refused: it converges meanwhile.
      await expect.poll(() => readyImages('eu-1'), { timeout: 30_000 }).toEqual(['org/api:1.3.0', 'org/gateway:stable']);

      // The workflow checks eu-2's windows on its timer and stays parked; nothing is recorded.
      const reads = windowReads();
      await expect.poll(windowReads, { timeout: 30_000 }).toBeGreaterThanOrEqual(reads + 2);
      expect((await f.waitFor('multi', id, ['awaiting_operator'])).actions).toHaveLength(1);

      eu2.advanceClock(HOUR);
      const d = await f.waitFor('multi', id, ['succeeded', 'failed', 'aborted']);
      expect(d.status, d.message).toBe('succeeded');
      expect(d.parkReason).toBeNull();
      expect(d.actions).toEqual([
        expect.objectContaining({ action: 'start' }),
        expect.objectContaining({ action: 'retry', by: 'system', step: 'argocd-sync' }),
      ]);
      // The system's retry synced only eu-2; eu-1's operations were already ours. One commit.
      const apps = [`${ns()}-core`, `${ns()}-infra`];
      expect(step(d, 'argocd-sync').message).toBe(
        `sync to ${String(d.commitSha).slice(0, 12)} requested for ${apps.map((a) => `eu-2/${a}`).join(', ')}; ` +
          `already ours: ${apps.map((a) => `eu-1/${a}`).join(', ')}`,
      );
      expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
      for (const c of ['eu-1', 'eu-2']) expect(await readyImages(c), c).toEqual(['org/api:1.3.0', 'org/gateway:stable']);
      await recordHistory('sync-window-wait-cluster', workflowId);
    } finally {
      eu2.setSyncWindows('default', []);
    }
  });
});
