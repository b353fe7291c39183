// Multi-source Applications in the simulator, as Argo CD has them (argo-cd pkg/apis/application/v1alpha1/types.go,
// server/application/application.go Sync, reposerver): `spec.sources[]` with a chart source (a Git path holding
// Chart.yaml rendered by real Helm, or a Helm-repository chart served from a registered directory) reading
// `$values/…` from a `ref: values` source; status with `sync.revisions[]`, `syncResult.revisions[]` and
// `history[].revisions[]` (no single `revision`); sync requests with `revisions[]` + 1-based `sourcePositions[]`;
// Kustomize and Directory sources rendered by their own source type, with `status.sourceTypes[]`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Application, type ArgoClient, ArgoCdError, createArgoClient } from '../integrations/argocd.js';
import { assessConvergence } from '../integrations/argocd-convergence.js';
import { createKubeClient } from '../integrations/kube.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';
import { CHART_DIR, treeFiles } from './rig-repo.js';
import { createSimulator, type Simulator } from './simulator.js';
import { INSTANT_TIMING } from './timing.js';

const VALUES = 'environments/dev/core/values.yaml';
const HELM_REPO = 'https://charts.example.com/stable';

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
}

let charts: RepoFixture & { first: string };
let gitops: RepoFixture & { first: string };
let sim: Simulator;
let argo: ArgoClient;

beforeAll(async () => {
  charts = await createRepoFixture(await treeFiles(CHART_DIR, 'charts/flow-workloads'));
  gitops = await createRepoFixture({ [VALUES]: valuesYaml({ web: { replicas: 2, images: { web: 'org/web:1.0.0' } } }, 'rel-1') });
  sim = await createSimulator({ timing: INSTANT_TIMING });
  sim.registerHelmChart({ repoURL: HELM_REPO, chart: 'flow-workloads', version: '0.1.0', dir: CHART_DIR });
  argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 10_000 });
});
afterAll(async () => {
  await sim.close();
  await charts.cleanup();
  await gitops.cleanup();
});

const values = (ref = 'values') => ({ repoURL: gitops.repo, targetRevision: 'main', ref });
const gitChart = (valueFiles = [`$values/${VALUES}`]) => ({
  repoURL: charts.repo,
  targetRevision: 'main',
  path: 'charts/flow-workloads',
  helm: { valueFiles },
});
const condition = (app: Application) => app.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message;
const settled = (name: string) =>
  waitFor(
    () => argo.getApplication(name),
    (a) => !a.operation && a.status?.operationState?.phase !== 'Running',
  );

describe('a chart in one Git repository with its values from another (ref: values)', () => {
  it('renders with real Helm, reading $values/… at the ref source’s revision; status has revisions[], no revision', async () => {
    const runs = sim.helmRuns;
    await sim.addApplication({ name: 'ms-git', namespace: 'ms-git', sources: [gitChart(), values()] });
    expect(sim.helmRuns).toBe(runs + 1);
    const app = await argo.getApplication('ms-git');
    expect(app.spec.source).toBeUndefined();
    expect(app.spec.sources).toEqual([gitChart(), values()]);
    expect(app.status?.sync).toMatchObject({ status: 'OutOfSync', revisions: [charts.first, gitops.first] });
    expect(app.status?.sync?.revision).toBeUndefined();
    expect(app.status?.sync?.comparedTo).toMatchObject({ source: { repoURL: '' }, sources: [gitChart(), values()] });
    expect(app.status?.resources?.map((r) => `${r.kind}/${r.name}`)).toEqual(['Deployment/web']);
  });

  it('syncs one source to a revision (revisions + sourcePositions), the others to their targetRevision', async () => {
    const older = gitops.first;
    const newer = await gitops.commit({ [VALUES]: valuesYaml({ web: { replicas: 2, images: { web: 'org/web:2.0.0' } } }, 'rel-2') });
    await argo.getApplication('ms-git', { refresh: 'normal' });
    await argo.sync('ms-git', {
      revision: older,
      sourcePositions: [2],
      prune: true,
      infos: [{ name: 'promotion', value: 'p-1' }],
      syncOptions: [],
    });
    const done = await settled('ms-git');
    const op = done.status?.operationState;
    expect(op?.phase).toBe('Succeeded');
    expect(op?.operation.sync).toMatchObject({ revisions: [charts.first, older], sources: [gitChart(), values()] });
    expect(op?.operation.sync?.revision).toBeUndefined();
    expect(op?.syncResult).toMatchObject({ revision: '', revisions: [charts.first, older], source: { repoURL: '' } });
    expect(done.status?.history?.at(-1)).toMatchObject({ revisions: [charts.first, older], sources: [gitChart(), values()] });
    expect(done.status?.history?.at(-1)?.revision).toBeUndefined();
    // Compared with the branch head, which has moved on: OutOfSync at [chart, newer].
    const app = await waitFor(
      () => argo.getApplication('ms-git'),
      (a) => a.status?.reconciledAt !== undefined && a.status.reconciledAt >= (op?.finishedAt ?? ''),
    );
    expect(app.status?.sync).toMatchObject({ status: 'OutOfSync', revisions: [charts.first, newer] });
    const kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    const pods = await kube.listPods('ms-git', 'app.kubernetes.io/instance=ms-git');
    expect(pods.map((p) => p.spec?.containers?.[0]?.image)).toEqual(['org/web:1.0.0', 'org/web:1.0.0']);
  });

  it('converges on the written source’s revision: convergence reads syncResult.revisions[i] and sync.revisions[i]', async () => {
    const sha = (await argo.getApplication('ms-git', { refresh: 'normal' })).status?.sync?.revisions?.[1] ?? '';
    await argo.sync('ms-git', {
      revision: sha,
      sourcePositions: [2],
      prune: true,
      infos: [{ name: 'promotion', value: 'p-2' }],
      syncOptions: [],
    });
    const verdict = await waitFor(
      async () => assessConvergence(await argo.getApplication('ms-git'), { sha, promotionId: 'p-2', sourceIndexes: [1] }),
      (v) => v.state !== 'waiting',
    );
    expect(verdict).toMatchObject({ state: 'converged', observation: { syncResultRevision: sha, syncRevision: sha } });
    // The chart source is not what was written: judged against it, the revision does not match.
    const wrong = assessConvergence(await argo.getApplication('ms-git'), { sha, promotionId: 'p-2', sourceIndexes: [0] });
    expect(wrong).toMatchObject({ state: 'failed', clause: 'wrong-revision' });
  });

  it('ignores `revision` in a multi-source sync request: every source goes to its targetRevision', async () => {
    await argo.sync('ms-git', { revision: gitops.first, prune: true, infos: [], syncOptions: [] });
    const done = await settled('ms-git');
    const head = (await argo.getApplication('ms-git')).status?.sync?.revisions;
    expect(done.status?.operationState?.syncResult?.revisions).toEqual(head);
    expect(head?.[1]).not.toBe(gitops.first);
  });

  it('refuses a position out of range (500, as Argo’s plain error) and a revision off the auto-sync target (400)', async () => {
    const outOfRange = (await argo
      .sync('ms-git', { revision: gitops.first, sourcePositions: [3], prune: true, infos: [], syncOptions: [] })
      .catch((e: unknown) => e)) as ArgoCdError;
    expect(outOfRange).toBeInstanceOf(ArgoCdError);
    expect(outOfRange).toMatchObject({ status: 500, code: 2 });
    expect(outOfRange.message).toContain('source position is out of range');

    await sim.addApplication({ name: 'ms-auto', namespace: 'ms-auto', sources: [gitChart(), values()], automated: { prune: true } });
    const refused = (await argo
      .sync('ms-auto', { revision: gitops.first, sourcePositions: [2], prune: true, infos: [], syncOptions: [] })
      .catch((e: unknown) => e)) as ArgoCdError;
    expect(refused).toMatchObject({ status: 400, code: 9 });
    expect(refused.message).toContain(`Cannot sync source ${gitops.repo} to ${gitops.first}: auto-sync currently set to main`);
    // Auto-sync's own operation carries revisions[] too.
    const auto = await settled('ms-auto');
    expect(auto.status?.operationState).toMatchObject({
      phase: 'Succeeded',
      operation: { initiatedBy: { automated: true } },
      syncResult: { revisions: auto.status?.sync?.revisions },
    });
  });

  it('shows a $ref to no ref source as a ComparisonError, and refuses to split one repository across two commits', async () => {
    await sim.addApplication({ name: 'ms-badref', namespace: 'ms-badref', sources: [gitChart([`$vals/${VALUES}`]), values()] });
    const badRef = await argo.getApplication('ms-badref');
    expect(badRef.status?.sync?.status).toBe('Unknown');
    expect(condition(badRef)).toBe(
      'Failed to load target state: failed to generate manifest for source 1 of 2: rpc error: code = Unknown desc = ' +
        'source referenced "$vals", which is not one of the available sources ($values)',
    );
    // Chart and values both in the GitOps repository: a sync moving only the values source splits the repository.
    const both = await createRepoFixture({
      ...(await treeFiles(CHART_DIR, 'charts/flow-workloads')),
      [VALUES]: valuesYaml({ web: { images: { web: 'org/web:1.0.0' } } }),
    });
    try {
      const chartHere = {
        repoURL: both.repo,
        targetRevision: 'main',
        path: 'charts/flow-workloads',
        helm: { valueFiles: [`$values/${VALUES}`] },
      };
      await sim.addApplication({
        name: 'ms-same',
        namespace: 'ms-same',
        sources: [{ repoURL: both.repo, targetRevision: 'main', ref: 'values' }, chartHere],
      });
      expect((await argo.getApplication('ms-same')).status?.sync?.status).toBe('OutOfSync');
      await both.commit({ [VALUES]: valuesYaml({ web: { images: { web: 'org/web:1.1.0' } } }) });
      const split = await argo
        .sync('ms-same', { revision: both.first, sourcePositions: [1], prune: true, infos: [], syncOptions: [] })
        .catch((e: unknown) => e);
      expect(String((split as Error).message)).toContain('cannot reference a different revision of the same repository');
      // Both sources at the same commit: accepted.
      await argo.sync('ms-same', { revision: both.first, sourcePositions: [1, 2], prune: true, infos: [], syncOptions: [] });
      expect((await settled('ms-same')).status?.operationState?.syncResult?.revisions).toEqual([both.first, both.first]);
    } finally {
      await both.cleanup();
    }
  });
});

describe('a chart from a Helm repository with its values from Git', () => {
  const helmChart = (version: string) => ({
    repoURL: HELM_REPO,
    chart: 'flow-workloads',
    targetRevision: version,
    helm: { valueFiles: [`$values/${VALUES}`] },
  });

  it('renders the registered chart; its revision in status is the chart version', async () => {
    await sim.addApplication({ name: 'ms-helm', namespace: 'ms-helm', sources: [helmChart('0.1.0'), values()] });
    const app = await argo.getApplication('ms-helm');
    const head = (await argo.getApplication('ms-git')).status?.sync?.revisions?.[1];
    expect(app.status?.sync).toMatchObject({ status: 'OutOfSync', revisions: ['0.1.0', head] });
    expect(condition(app)).toBeUndefined();
    await argo.sync('ms-helm', {
      revision: head ?? '',
      sourcePositions: [2],
      prune: true,
      infos: [{ name: 'promotion', value: 'h' }],
      syncOptions: [],
    });
    const verdict = await waitFor(
      async () => assessConvergence(await argo.getApplication('ms-helm'), { sha: head ?? '', promotionId: 'h', sourceIndexes: [1] }),
      (v) => v.state !== 'waiting',
    );
    expect(verdict.state).toBe('converged');
  });

  it('shows a chart version the repository does not have as a ComparisonError naming the source', async () => {
    await sim.addApplication({ name: 'ms-helm-missing', namespace: 'ms-helm', sources: [helmChart('9.9.9'), values()] });
    const app = await argo.getApplication('ms-helm-missing');
    expect(app.status?.sync?.status).toBe('Unknown');
    expect(condition(app)).toMatch(
      /^Failed to load target state: failed to generate manifest for source 1 of 2: .*"flow-workloads" version "9\.9\.9" not found/,
    );
  });
});

describe('Kustomize and Directory sources in spec.sources', () => {
  const deployment = (name: string, image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${name}\n` +
    `  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: ${name}\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`;
  let repo: RepoFixture & { first: string };
  beforeAll(async () => {
    repo = await createRepoFixture({
      'base/kustomization.yaml': 'resources:\n  - api.yaml\n',
      'base/api.yaml': deployment('api', 'org/api:1.0.0'),
      // A Chart.yaml next to the kustomization: discovery makes it Kustomize, as alone.
      'overlays/dev/Chart.yaml': 'apiVersion: v2\nname: not-rendered\nversion: 0.1.0\n',
      'overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\nimages:\n  - name: org/api\n    newTag: "1.1.0"\n',
      'plain/worker.yaml': deployment('worker', 'org/worker:2.0.0'),
      'plain/nested/extra.yaml': deployment('extra', 'org/extra:3.0.0'),
    });
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it('renders each source by its own type (real kustomize, plain manifests), and reports status.sourceTypes[]', async () => {
    const kustomizeRuns = sim.kustomizeRuns;
    const sources = [
      { repoURL: repo.repo, targetRevision: 'main', path: 'overlays/dev' },
      { repoURL: repo.repo, targetRevision: 'main', path: 'plain', directory: { recurse: true } },
      values(),
    ];
    await sim.addApplication({ name: 'ms-types', namespace: 'ms-types', sources });
    expect(sim.kustomizeRuns).toBe(kustomizeRuns + 1);
    const app = await argo.getApplication('ms-types');
    expect(condition(app)).toBeUndefined();
    expect(app.spec.sources).toEqual(sources);
    expect(app.status?.sourceTypes).toEqual(['Kustomize', 'Directory', '']);
    expect(app.status?.sourceType).toBeUndefined();
    expect(app.status?.resources?.map((r) => `${r.kind}/${r.name}`).sort()).toEqual([
      'Deployment/api',
      'Deployment/extra',
      'Deployment/worker',
    ]);

    const sha = app.status?.sync?.revisions?.[0] ?? '';
    // One revision per source: the repository's head twice, the values repository's head for the ref source.
    expect(app.status?.sync?.revisions).toEqual([sha, sha, expect.stringMatching(/^[0-9a-f]{40}$/)]);
    await argo.sync('ms-types', {
      revision: sha,
      sourcePositions: [1, 2],
      prune: true,
      infos: [{ name: 'promotion', value: 't' }],
      syncOptions: [],
    });
    const verdict = await waitFor(
      async () => assessConvergence(await argo.getApplication('ms-types'), { sha, promotionId: 't', sourceIndexes: [0, 1] }),
      (v) => v.state !== 'waiting',
    );
    expect(verdict.state).toBe('converged');
    const kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    const images = (await kube.listPods('ms-types')).map((p) => p.spec?.containers?.[0]?.image).sort();
    expect(images).toEqual(['org/api:1.1.0', 'org/extra:3.0.0', 'org/worker:2.0.0']);
  });

  it('a failing source type names its source: a missing path in source 2 of 2', async () => {
    await sim.addApplication({
      name: 'ms-types-missing',
      namespace: 'ms-types',
      sources: [values(), { repoURL: repo.repo, targetRevision: 'main', path: 'overlays/qa' }],
    });
    expect(condition(await argo.getApplication('ms-types-missing'))).toBe(
      'Failed to load target state: failed to generate manifest for source 2 of 2: rpc error: code = Unknown desc = overlays/qa: app path does not exist',
    );
  });
});
