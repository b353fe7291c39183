// Multi-source Argo CD Applications in an environment spanning two simulated clusters, on real services: each
// cluster's Applications render the shipped chart from a Helm repository with the values read as `$values/…` from
// the GitOps repository. One commit; every cluster's written source synced to it (`revisions` + `sourcePositions`)
// and judged on `revisions[i]`; a multi-source app with no source reading the repository parks the promotion with
// a configuration error naming the cluster.
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArgoClient } from '../integrations/argocd.js';
import { createKubeClient } from '../integrations/kube.js';
import { CHART_DIR } from '../sim/rig-repo.js';
import type { RigSourceContext } from '../sim/rig.js';
import type { SourceSpec } from '../sim/argo-app.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';
import { commitsOn, createBareRepo, tempDir } from './git-fixtures.js';

const HELM_REPO = 'https://charts.example.com/stable';
const CLUSTERS = ['eu-1', 'eu-2'];

const db = useTestDatabase();
let f: PromotionFixture;
let otherDir: string;

const chart = (ctx: RigSourceContext): SourceSpec => ({
  repoURL: HELM_REPO,
  chart: 'flow-workloads',
  targetRevision: '0.1.0',
  helm: { valueFiles: [`$values/${ctx.valuesPath}`] },
});

beforeAll(async () => {
  // Another team's repository, holding a copy of the values files.
  otherDir = await tempDir('fc-other-');
  const other = pathToFileURL(await createBareRepo(otherDir, 'other', { 'README.md': 'another repository\n' })).href;
  f = await createPromotionFixture(db.database, {
    envs: [
      { key: 'ms', argoApps: { sources: (ctx) => [chart(ctx), { repoURL: ctx.repoURL, targetRevision: ctx.branch, ref: 'values' }] } },
      // The values source reads another repository: no source reads the environment's.
      { key: 'elsewhere', argoApps: { sources: (ctx) => [chart(ctx), { repoURL: other, targetRevision: ctx.branch, ref: 'values' }] } },
    ],
    clusters: CLUSTERS,
    rig: { helmCharts: [{ repoURL: HELM_REPO, chart: 'flow-workloads', version: '0.1.0', dir: CHART_DIR }] },
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
  if (otherDir) await rm(otherDir, { recursive: true, force: true });
});

const ended = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];
const step = (d: Loose, name: string) => d.steps.find((s: { name: string }) => s.name === name);
const cluster = (name: string) => {
  const c = f.clusters.find((x) => x.name === name);
  if (!c) throw new Error(`no cluster ${name}`);
  return c;
};

async function promote(tag: string, key: string): Promise<Loose> {
  const release = await f.createRelease(tag);
  const res = await f.promote(release, key);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return f.waitFor(key, (res.body as { deploymentId: number }).deploymentId, ended);
}

describe('multi-source Applications on two clusters', () => {
  it('commits once and syncs the written source of every cluster’s apps to the commit; the chart stays at its version', async () => {
    const env = f.env.ms as string;
    for (const c of CLUSTERS) cluster(c).simulator.faults.resetRequestCounts();
    const before = (await commitsOn(f.repoPath)).length;
    const d = await promote('3.0.0', 'ms');
    expect(d.status, JSON.stringify(d.steps)).toBe('succeeded');
    expect((await commitsOn(f.repoPath)).length).toBe(before + 1);
    const sha = d.commitSha as string;

    const labels = CLUSTERS.flatMap((c) => [`${c}/${env}-core`, `${c}/${env}-infra`]);
    const sync = step(d, 'argocd-sync').message as string;
    expect(sync).toContain(`requested for ${labels.join(', ')} (multi-source, written sources only: `);
    for (const l of labels) expect(sync).toContain(`${l}: source 2 of 2 (ref "values"`);
    expect(step(d, 'argocd-refresh').observation.applications.map((a: { name: string; revision: string }) => [a.name, a.revision])).toEqual(
      labels.map((l) => [l, sha]),
    );

    for (const c of CLUSTERS) {
      const { argo, kube, simulator } = cluster(c);
      const counts = simulator.faults.requestCounts();
      const client = createArgoClient({ baseUrl: argo.url, username: argo.username, password: argo.password, timeoutMs: 10_000 });
      for (const g of ['core', 'infra']) {
        expect(counts[`argo POST /api/v1/applications/${env}-${g}/sync`], `${c} ${g}`).toBe(1);
        const app = await client.getApplication(`${env}-${g}`);
        expect(app.status?.sync).toMatchObject({ status: 'Synced', revisions: ['0.1.0', sha] });
        expect(app.status?.operationState?.syncResult).toMatchObject({ revision: '', revisions: ['0.1.0', sha] });
        expect(app.status?.sourceTypes).toEqual(['Helm', '']);
      }
      const pods = await createKubeClient({ server: kube.server, caData: kube.caData, token: kube.token }).listPods(env);
      const images = [...new Set(pods.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
      expect(images, c).toEqual(['org/api:3.0.0', 'org/gateway:stable']);
    }

    const view = await f.h.call('GET', `/v1/environments/${env}`, { token: f.h.tokens.viewer });
    const live = view.body.live as Array<{ cluster: string; revision: string; matchesCurrentRelease: boolean }>;
    expect(live.map((a) => a.cluster).sort()).toEqual(['eu-1', 'eu-1', 'eu-2', 'eu-2']);
    expect(live.every((a) => a.revision === sha && a.matchesCurrentRelease)).toBe(true);
  });

  it('an app with no source reading the repository parks the promotion with a configuration error naming its cluster', async () => {
    const d = await promote('3.0.1', 'elsewhere');
    expect(d.status, JSON.stringify(d.steps)).toBe('awaiting_operator');
    const refresh = step(d, 'argocd-refresh');
    expect(refresh.status).toBe('failed');
    expect(refresh.message).toMatch(new RegExp(`^cluster eu-1: Argo CD application ${f.env.elsewhere}-core has no source reading `));
  });
});
