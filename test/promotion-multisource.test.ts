// Multi-source Argo CD Applications (issue #9 §4), end to end on real services: the real worker promotes
// environments whose Applications render the shipped chart with real Helm from `spec.sources[]` — from a Helm
// repository, from another Git repository, or from the GitOps repository itself — with the values file read as
// `$values/…` from a `ref: values` source. Flow Controller writes and syncs only the sources reading the
// environment's repository (`revisions` + `sourcePositions`) and judges convergence on their `revisions[i]`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { createArgoClient, type Application } from '../integrations/argocd.js';
import { createKubeClient } from '../integrations/kube.js';
import { commitFiles, ensureBareRepo } from '../sim/gitops-repo.js';
import type { RigSourceContext } from '../sim/rig.js';
import { CHART_DIR, treeFiles } from '../sim/rig-repo.js';
import type { SourceSpec } from '../sim/argo-app.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';

const HELM_REPO = 'https://charts.example.com/stable';
const CHART = 'charts/flow-workloads';

const db = useTestDatabase();
let f: PromotionFixture;
let chartsDir: string;
let chartsRepo: string;
let chartsHead: string;

const valuesRef = (ctx: RigSourceContext): SourceSpec => ({ repoURL: ctx.repoURL, targetRevision: ctx.branch, ref: 'values' });
const fromValues = (ctx: RigSourceContext) => ({ valueFiles: [`$values/${ctx.valuesPath}`] });

beforeAll(async () => {
  // A second Git repository holding only the chart (the platform team's chart repository).
  chartsDir = await mkdtemp(join(tmpdir(), 'fc-charts-'));
  const charts = join(chartsDir, 'charts.git');
  await ensureBareRepo(charts);
  chartsHead = await commitFiles(charts, await treeFiles(CHART_DIR, CHART), 'chart 0.1.0');
  chartsRepo = pathToFileURL(charts).href;

  f = await createPromotionFixture(db.database, {
    envs: [
      // The chart from a Helm repository, the values from the GitOps repository.
      {
        key: 'helmrepo',
        argoApps: {
          sources: (ctx) => [
            { repoURL: HELM_REPO, chart: 'flow-workloads', targetRevision: '0.1.0', helm: fromValues(ctx) },
            valuesRef(ctx),
          ],
        },
      },
      // The values source first, the chart from another Git repository second.
      {
        key: 'chartgit',
        argoApps: {
          sources: (ctx) => [valuesRef(ctx), { repoURL: chartsRepo, targetRevision: 'main', path: CHART, helm: fromValues(ctx) }],
        },
      },
      // Chart and values both in the GitOps repository: both sources are written.
      {
        key: 'samerepo',
        argoApps: {
          sources: (ctx) => [valuesRef(ctx), { repoURL: ctx.repoURL, targetRevision: ctx.branch, path: CHART, helm: fromValues(ctx) }],
        },
      },
      // No source reads the environment's repository: a configuration error.
      {
        key: 'elsewhere',
        argoApps: {
          sources: (ctx) => [
            { repoURL: chartsRepo, targetRevision: 'main', path: CHART, helm: fromValues(ctx) },
            { ...valuesRef(ctx), repoURL: chartsRepo },
          ],
        },
      },
    ],
    rig: {
      files: await treeFiles(CHART_DIR, CHART),
      helmCharts: [{ repoURL: HELM_REPO, chart: 'flow-workloads', version: '0.1.0', dir: CHART_DIR }],
    },
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
  if (chartsDir) await rm(chartsDir, { recursive: true, force: true });
});

const argo = () => createArgoClient({ baseUrl: f.sim.argoUrl, ...f.sim.argoAdmin, timeoutMs: 10_000 });
const appsOf = async (key: string): Promise<Application[]> =>
  Promise.all(['core', 'infra'].map((g) => argo().getApplication(`${f.env[key]}-${g}`)));
const step = (d: Loose, name: string) => (d.steps as Array<{ name: string; status: string; message: string }>).find((s) => s.name === name);

async function promoteAndWait(releaseId: string, key: string): Promise<Loose> {
  const res = await f.promote(releaseId, key);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return f.waitFor(key, res.body.deploymentId, ['succeeded', 'failed', 'awaiting_operator', 'aborted']);
}

async function liveImages(namespace: string): Promise<string[]> {
  const kube = createKubeClient({ server: f.sim.kubeUrl, caData: f.sim.kubeCaData, token: f.sim.kubeToken });
  const pods = await kube.listPods(namespace);
  return [...new Set(pods.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
}

/** Promotes a release into `key` and checks everything a multi-source promotion must have done. */
async function promoteMultiSource(key: string, tag: string, expected: (sha: string) => string[], written: string): Promise<Loose> {
  const env = f.env[key] as string;
  const names = (await appsOf(key)).map((a) => a.metadata.name);
  f.sim.faults.resetRequestCounts();
  const releaseId = await f.createRelease(tag);
  const d = await promoteAndWait(releaseId, key);
  expect(d.status, JSON.stringify(d.steps)).toBe('succeeded');
  const sha = d.commitSha as string;
  for (const s of d.steps) expect(['succeeded', 'skipped'], `${s.name}: ${s.message}`).toContain(s.status);
  expect(step(d, 'argocd-sync')?.message).toContain(`multi-source, written sources only: ${names[0]}: ${written}`);

  // One sync request per application, to the pushed commit for the written sources only.
  const counts = f.sim.faults.requestCounts();
  for (const name of names) expect(counts[`argo POST /api/v1/applications/${name}/sync`], name).toBe(1);
  for (const a of await appsOf(key)) {
    expect(a.spec.source).toBeUndefined();
    expect(a.status?.sync?.status).toBe('Synced');
    expect(a.status?.sync?.revision).toBeUndefined();
    expect(a.status?.sync?.revisions).toEqual(expected(sha));
    const op = a.status?.operationState;
    expect(op?.operation.sync?.revisions).toEqual(expected(sha));
    expect(op?.operation.info).toEqual([{ name: 'promotion', value: String(d.id) }]);
    expect(op?.syncResult).toMatchObject({ revision: '', revisions: expected(sha) });
    expect(a.status?.history?.at(-1)?.revisions).toEqual(expected(sha));
  }

  // Git: the promotion changed the values files and nothing else (no chart, no Application).
  const changed = await simpleGit(f.repoPath).raw(['diff', '--name-only', `${sha}^`, sha]);
  expect(changed.trim().split('\n').sort()).toEqual([`environments/${env}/core/values.yaml`, `environments/${env}/infra/values.yaml`]);

  // The cluster runs the release (the chart rendered by real Helm), and the board shows the written revision.
  expect(await liveImages(env)).toEqual([`org/api:${tag}`, 'org/gateway:stable']);
  const view = await f.h.call('GET', `/v1/environments/${env}`, { token: f.h.tokens.viewer });
  for (const app of view.body.live) {
    expect(app).toMatchObject({ sync: 'Synced', health: 'Healthy', revision: sha, releaseId, matchesCurrentRelease: true });
  }
  return d;
}

describe('promotion into multi-source Applications', () => {
  it('chart from a Helm repository: syncs the ref: values source to the commit, the chart stays at its version', async () => {
    const d = await promoteMultiSource('helmrepo', '2.1.0', (sha) => ['0.1.0', sha], 'source 2 of 2 (ref "values"');
    // The refresh reports the written source's revision: the pushed commit (the chart's is 0.1.0).
    const refresh = (d.steps as Loose[]).find((s) => s.name === 'argocd-refresh');
    expect(refresh?.observation?.applications?.map((a: { revision: string }) => a.revision)).toEqual([d.commitSha, d.commitSha]);
  });

  it('chart from another Git repository, values first: position 1 is written, the chart stays at its branch head', async () => {
    await promoteMultiSource('chartgit', '2.1.1', (sha) => [sha, chartsHead], 'source 1 of 2 (ref "values"');
  });

  it('chart and values in the GitOps repository: both sources go to the commit together', async () => {
    await promoteMultiSource('samerepo', '2.1.2', (sha) => [sha, sha], 'source 1 of 2 (ref "values"');
    const sync = step(await latest('samerepo'), 'argocd-sync')?.message ?? '';
    expect(sync).toContain(`source 2 of 2 (path ${CHART}`);
  });

  it('an application with no source reading the environment’s repository parks the promotion with a configuration error naming it', async () => {
    const releaseId = await f.createRelease('2.1.3');
    const d = await promoteAndWait(releaseId, 'elsewhere');
    expect(d.status, JSON.stringify(d.steps)).toBe('awaiting_operator');
    const refresh = step(d, 'argocd-refresh');
    expect(refresh?.status).toBe('failed');
    expect(refresh?.message).toContain(`Argo CD application ${f.env.elsewhere}-core has no source reading`);
    expect(refresh?.message).toContain(chartsRepo);
  });
});

async function latest(key: string): Promise<Loose> {
  const res = await f.h.call('GET', `/v1/environments/${f.env[key]}/deployment-history`, { token: f.h.tokens.viewer });
  const id = (res.body.deployments as Array<{ id: number }>)[0]?.id;
  return (await f.h.call('GET', `/v1/environments/${f.env[key]}/deployment-history/${id}`, { token: f.h.tokens.viewer })).body;
}
