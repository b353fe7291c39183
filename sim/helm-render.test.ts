// An Application whose source path holds a Chart.yaml is rendered by real Helm (sim/repo-server.ts), with its
// helm.valueFiles resolved relative to the chart path as Argo CD resolves them; renders are cached per revision;
// a chart that fails to render shows as Argo CD shows it (ComparisonError, sync Unknown), and a sync is refused.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArgoClient, createArgoClient } from '../integrations/argocd.js';
import { assessConvergence } from '../integrations/argocd-convergence.js';
import { createKubeClient } from '../integrations/kube.js';
import { commitFiles } from './gitops-repo.js';
import { createSandbox } from './sandbox.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';
import { createSimulator, type Simulator } from './simulator.js';
import { INSTANT_TIMING } from './timing.js';

const CHART_DIR = path.join(import.meta.dirname, '..', 'charts', 'flow-workloads');
const VALUES = 'environments/dev/core/values.yaml';

async function chartFiles(dir: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, await chartFiles(full, `${prefix}/${entry.name}`));
    else out[`${prefix}/${entry.name}`] = await readFile(full, 'utf8');
  }
  return out;
}

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Applications with a Helm chart', () => {
  let fx: RepoFixture & { first: string };
  let sim: Simulator;
  let argo: ArgoClient;
  beforeAll(async () => {
    fx = await createRepoFixture({
      ...(await chartFiles(CHART_DIR, 'charts/flow-workloads')),
      [VALUES]: valuesYaml(
        { web: { replicas: 2, images: { web: 'org/web:1.0.0', proxy: `org/proxy@sha256:${'e'.repeat(64)}` } } },
        'rel-1',
      ),
    });
    sim = await createSimulator({ timing: INSTANT_TIMING });
    await sim.addApplication({
      name: 'dev-core',
      repoURL: fx.repo,
      path: 'charts/flow-workloads',
      valueFiles: ['../../environments/dev/core/values.yaml'],
      namespace: 'dev',
    });
    argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await sim.close();
    await fx.cleanup();
  });

  it('runs the workloads Helm rendered from the chart path and the values files relative to it', async () => {
    expect(sim.helmRuns).toBe(1);
    await argo.sync('dev-core', { revision: fx.first, prune: true, infos: [{ name: 'promotion', value: 'p-1' }], syncOptions: [] });
    const verdict = await waitFor(
      async () => assessConvergence(await argo.getApplication('dev-core'), { sha: fx.first, promotionId: 'p-1' }),
      (v) => v.state !== 'waiting',
    );
    expect(verdict).toMatchObject({ state: 'converged' });

    const kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    const workloads = await kube.listWorkloads('dev', 'app.kubernetes.io/instance=dev-core');
    expect(workloads.map((w) => `${w.kind}/${w.object.metadata?.name}`)).toEqual(['Deployment/web']);
    expect(workloads[0]?.object.metadata?.annotations?.['flow-controller.io/release-id']).toBe('rel-1');
    expect(workloads[0]?.object.metadata?.annotations?.['argocd.argoproj.io/tracking-id']).toBe('dev-core:apps/Deployment:dev/web');
    const pods = await kube.listPods('dev', 'app.kubernetes.io/instance=dev-core,app.kubernetes.io/name=web');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata?.annotations?.['flow-controller.io/release-id']).toBe('rel-1');
      expect(pod.metadata?.labels?.['helm.sh/chart'] ?? pod.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
      // Helm's template iterates the container map in key order.
      expect((pod.spec?.containers ?? []).map((c) => c.image)).toEqual([`org/proxy@sha256:${'e'.repeat(64)}`, 'org/web:1.0.0']);
    }
  });

  it('does not run Helm again for a revision it has rendered; a new commit renders once', async () => {
    const before = sim.helmRuns;
    await sim.refresh('dev-core');
    await argo.getApplication('dev-core', { refresh: 'hard' });
    expect(sim.helmRuns).toBe(before);
    const sha = await fx.commit({ [VALUES]: valuesYaml({ api: { images: { api: 'org/api:2.0.0' } } }, 'rel-2') }, 'rel-2');
    const app = await argo.getApplication('dev-core', { refresh: 'normal' });
    expect(app.status?.sync).toMatchObject({ status: 'OutOfSync', revision: sha });
    expect(app.status?.resources?.map((r) => `${r.kind}/${r.name}:${r.status}`).sort()).toEqual([
      'Deployment/api:OutOfSync',
      'Deployment/web:OutOfSync',
    ]);
    await sim.refresh('dev-core');
    expect(sim.helmRuns).toBe(before + 1);
  });

  it('shows a chart render error as a ComparisonError with sync Unknown, and refuses to sync it', async () => {
    const bad = valuesYaml({ web: { images: { web: 'org/web:3.0.0' } } }, 'rel-3').replace('kind: Deployment', 'kind: Job');
    const sha = await fx.commit({ [VALUES]: bad }, 'bad kind');
    const app = await argo.getApplication('dev-core', { refresh: 'normal' });
    expect(app.status?.sync?.status).toBe('Unknown');
    const condition = app.status?.conditions?.find((c) => c.type === 'ComparisonError');
    expect(condition?.message).toMatch(/^Failed to load target state: .*helm template .*failed/);
    // Helm's own message (the chart's values.schema.json), not the simulator's values parser.
    expect(condition?.message).toContain("values don't meet the specifications of the schema(s)");
    expect(condition?.message).toContain("at '/workloads/web/kind'");
    expect(condition?.message).not.toContain('fc-sim-helm-');
    await expect(argo.sync('dev-core', { revision: sha, prune: true, infos: [], syncOptions: [] })).rejects.toThrow(/workloads\/web\/kind/);
  });

  it('refuses a values file that resolves outside the repository, as a ComparisonError', async () => {
    await sim.addApplication({
      name: 'dev-escape',
      repoURL: fx.repo,
      path: 'charts/flow-workloads',
      valueFiles: ['../../../outside/values.yaml'],
      namespace: 'dev',
    });
    const app = await argo.getApplication('dev-escape');
    expect(app.status?.sync?.status).toBe('Unknown');
    expect(app.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message).toContain('outside repository root');
  });
});

describe('the sandbox on the shipped chart', () => {
  it('by default copies charts/flow-workloads into its repository and its Applications render it with Helm', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fc-sandbox-helm-'));
    const sandbox = await createSandbox({ dataDir, timing: INSTANT_TIMING, groups: ['core'] });
    try {
      const argo = createArgoClient({ ...sandbox.argo, baseUrl: sandbox.argo.url, timeoutMs: 5_000 });
      const dev = await argo.getApplication('dev-core');
      expect(dev.spec.source).toMatchObject({
        path: 'charts/flow-workloads',
        helm: { valueFiles: ['../../environments/dev/core/values.yaml'] },
      });
      expect(sandbox.simulator.helmRuns).toBe(3);
      const sha = await commitFiles(
        sandbox.git.repoPath,
        { 'environments/dev/core/values.yaml': valuesYaml({ api: { images: { api: 'org/api:1.2.3' } } }, 'rel-9') },
        'promote',
      );
      await waitFor(
        () => argo.getApplication('dev-core'),
        (a) => !a.operation,
      );
      await argo.sync('dev-core', { revision: sha, prune: true, infos: [{ name: 'promotion', value: 'p-9' }], syncOptions: [] });
      const verdict = await waitFor(
        async () => assessConvergence(await argo.getApplication('dev-core'), { sha, promotionId: 'p-9' }),
        (v) => v.state !== 'waiting',
      );
      expect(verdict).toMatchObject({ state: 'converged' });
      expect(sandbox.simulator.helmRuns).toBe(4);
    } finally {
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('brings the chart of a sandbox repository created without it, or with an older copy, up to the shipped chart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fc-sandbox-upgrade-'));
    try {
      const old = await createSandbox({ dataDir, timing: INSTANT_TIMING, groups: ['core'], helmChart: false, restoreFromGit: false });
      await old.close();
      const git = simpleGit(path.join(dataDir, 'gitops.git'));
      await expect(git.raw(['cat-file', '-e', 'main:charts/flow-workloads/Chart.yaml'])).rejects.toThrow();
      let sandbox = await createSandbox({ dataDir, timing: INSTANT_TIMING, groups: ['core'], restoreFromGit: false });
      await sandbox.close();
      expect(await git.raw(['show', 'main:charts/flow-workloads/Chart.yaml'])).toBe(
        await readFile(path.join(CHART_DIR, 'Chart.yaml'), 'utf8'),
      );
      expect((await git.raw(['log', '-1', '--format=%s', 'main'])).trim()).toBe('update charts/flow-workloads to the shipped chart');

      const drifted = await commitFiles(
        sandbox.git.repoPath,
        { 'charts/flow-workloads/Chart.yaml': 'apiVersion: v2\nname: old\nversion: 0.0.1\n' },
        'old chart',
      );
      sandbox = await createSandbox({ dataDir, timing: INSTANT_TIMING, groups: ['core'], restoreFromGit: false });
      await sandbox.close();
      expect((await git.raw(['rev-parse', 'main~1'])).trim()).toBe(drifted);
      expect(await git.raw(['show', 'main:charts/flow-workloads/Chart.yaml'])).toBe(
        await readFile(path.join(CHART_DIR, 'Chart.yaml'), 'utf8'),
      );
      // Up to date: a restart commits nothing.
      const head = (await git.raw(['rev-parse', 'main'])).trim();
      sandbox = await createSandbox({ dataDir, timing: INSTANT_TIMING, groups: ['core'], restoreFromGit: false });
      await sandbox.close();
      expect((await git.raw(['rev-parse', 'main'])).trim()).toBe(head);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
