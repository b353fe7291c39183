// The repo-server's source types, as Argo CD decides and renders them: a kustomization (real kustomize, whole
// checkout, `images:` and namespace applied), plain manifests (directory source, recursive only on request), the
// type discovery (kustomization wins over Chart.yaml), and each type's render errors as Argo shows them
// (ComparisonError, sync Unknown, sync refused), without the simulator's temporary paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArgoClient, createArgoClient } from '../integrations/argocd.js';
import { assessConvergence } from '../integrations/argocd-convergence.js';
import { createKubeClient, type KubeClient } from '../integrations/kube.js';
import { createRepoFixture, type RepoFixture } from '../test/sim-fixtures.js';
import { createSimulator, type Simulator } from './simulator.js';
import { discoverType, explicitType, SourceTypeError } from './source-type.js';
import { INSTANT_TIMING } from './timing.js';

const deployment = (name: string, image: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: ${name}
          image: ${image}
${extra}`;

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n    - port: 80\n`;

describe('source type discovery (argo-cd util/app/discovery)', () => {
  const cases: Array<{ files: string[]; want: string }> = [
    { files: ['Chart.yaml', 'kustomization.yaml', 'values.yaml'], want: 'Kustomize' },
    { files: ['Chart.yaml', 'Kustomization'], want: 'Kustomize' },
    { files: ['kustomization.yml'], want: 'Kustomize' },
    { files: ['Chart.yaml', 'templates.yaml'], want: 'Helm' },
    { files: ['MyChart.yaml'], want: 'Helm' },
    { files: ['deploy.yaml', 'values.yaml'], want: 'Directory' },
    { files: ['kustomization.yaml.bak', 'Kustomization.yaml'], want: 'Directory' },
    { files: [], want: 'Directory' },
  ];
  it.each(cases)('$files → $want', ({ files, want }) => {
    expect(discoverType(files)).toBe(want);
  });
  it('an explicit type wins; two explicit types are an error', () => {
    expect(explicitType({ helm: true, directory: false })).toBe('Helm');
    expect(explicitType({ helm: false, directory: true })).toBe('Directory');
    expect(explicitType({ helm: false, directory: false })).toBeUndefined();
    expect(() => explicitType({ helm: true, directory: true })).toThrow(
      new SourceTypeError('multiple application sources defined: Helm,Directory'),
    );
  });
});

describe('Applications by source type', () => {
  let fx: RepoFixture & { first: string };
  let sim: Simulator;
  let argo: ArgoClient;
  let kube: KubeClient;
  const syncAndWait = async (app: string, sha: string) => {
    await argo.sync(app, { revision: sha, prune: true, infos: [{ name: 'promotion', value: `p-${sha}` }], syncOptions: [] });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const verdict = assessConvergence(await argo.getApplication(app), { sha, promotionId: `p-${sha}` });
      if (verdict.state !== 'waiting' || Date.now() > deadline) return verdict;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const images = async (namespace: string, name: string) =>
    (await kube.listPods(namespace, `app.kubernetes.io/name=${name}`)).map((p) => p.spec?.containers.map((c) => c.image).join(','));

  beforeAll(async () => {
    fx = await createRepoFixture({
      'base/kustomization.yaml': 'resources:\n  - api.yaml\n  - worker.yaml\n',
      'base/api.yaml': `${deployment('api', 'org/api:1.0.0')}---\n${service('api')}`,
      'base/worker.yaml': deployment('worker', 'org/worker:1.0.0'),
      'overlays/dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../../base\nimages:\n  - name: org/api\n    newTag: "1.1.0"\n',
      // A Chart.yaml next to a kustomization: Argo CD renders it with kustomize.
      'overlays/dev/Chart.yaml': 'apiVersion: v2\nname: not-rendered\nversion: 0.1.0\n',
      'plain/deploy.yaml': `# plain manifests\n${deployment('web', 'org/web:2.0.0')}---\n${service('web')}`,
      'plain/cron.json': JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'report' },
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: { spec: { template: { spec: { containers: [{ name: 'report', image: 'org/report:1' }] } } } },
        },
      }),
      'plain/values.yaml': 'replicaCount: 2\nimage:\n  tag: "9.9.9"\n',
      'plain/README.md': 'not a manifest',
      'plain/more/extra.yaml': deployment('extra', 'org/extra:1.0.0'),
    });
    sim = await createSimulator({ timing: INSTANT_TIMING });
    argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
    kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
  });
  afterAll(async () => {
    await sim.close();
    await fx.cleanup();
  });

  it('renders a kustomization with real kustomize: overlay images, namespace; the whole checkout is there for ../../base', async () => {
    await sim.addApplication({ name: 'dev-kust', repoURL: fx.repo, path: 'overlays/dev', valueFiles: [], namespace: 'dev' });
    const app = await argo.getApplication('dev-kust');
    expect(app.status?.sourceType).toBe('Kustomize');
    expect(app.spec.source).toEqual({ repoURL: fx.repo, path: 'overlays/dev', targetRevision: 'main' });
    expect(app.status?.resources?.map((r) => `${r.kind}/${r.namespace}/${r.name}`).sort()).toEqual([
      'Deployment/dev/api',
      'Deployment/dev/worker',
    ]);
    expect(await syncAndWait('dev-kust', fx.first)).toMatchObject({ state: 'converged' });
    expect(await images('dev', 'api')).toEqual(['org/api:1.1.0', 'org/api:1.1.0']);
    expect(await images('dev', 'worker')).toEqual(['org/worker:1.0.0', 'org/worker:1.0.0']);
    const [api] = await kube.listWorkloads('dev', 'app.kubernetes.io/name=api');
    expect(api?.object.metadata?.annotations?.['argocd.argoproj.io/tracking-id']).toBe('dev-kust:apps/Deployment:dev/api');
  });

  it('runs kustomize once per revision; a new commit renders again', async () => {
    const before = sim.kustomizeRuns;
    await sim.refresh('dev-kust');
    await argo.getApplication('dev-kust', { refresh: 'hard' });
    expect(sim.kustomizeRuns).toBe(before);
    const sha = await fx.commit(
      {
        'overlays/dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../../base\nimages:\n  - name: org/api\n    newTag: "1.2.0"\n',
      },
      'api 1.2.0',
    );
    const app = await argo.getApplication('dev-kust', { refresh: 'normal' });
    expect(app.status?.sync).toMatchObject({ status: 'OutOfSync', revision: sha });
    expect(sim.kustomizeRuns).toBe(before + 1);
    expect(await syncAndWait('dev-kust', sha)).toMatchObject({ state: 'converged' });
    expect(await images('dev', 'api')).toEqual(['org/api:1.2.0', 'org/api:1.2.0']);
  });

  it('shows a failed kustomize build as Argo CD does: ComparisonError naming the cached source, sync Unknown, sync refused', async () => {
    const sha = await fx.commit({ 'overlays/dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../../missing-base\n' }, 'break it');
    const app = await argo.getApplication('dev-kust', { refresh: 'normal' });
    expect(app.status?.sync?.status).toBe('Unknown');
    const message = app.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message ?? '';
    expect(message).toMatch(
      /^Failed to load target state: rpc error: code = Unknown desc = `kustomize build <path to cached source>\/overlays\/dev` failed exit status 1: Error: accumulating resources: .*'<path to cached source>\/missing-base'/,
    );
    expect(message).not.toMatch(/fc-sim-|\/tmp\//);
    await expect(argo.sync('dev-kust', { revision: sha, prune: true, infos: [], syncOptions: [] })).rejects.toThrow(
      /error rendering manifests: .*kustomize build/,
    );
  });

  it('renders plain manifests as they are: YAML documents and JSON objects, unrelated YAML ignored, not recursive', async () => {
    await sim.addApplication({ name: 'stage-plain', repoURL: fx.repo, path: 'plain', valueFiles: [], namespace: 'stage' });
    const app = await argo.getApplication('stage-plain');
    expect(app.status?.sourceType).toBe('Directory');
    expect(app.status?.conditions ?? []).toEqual([]);
    expect(app.status?.resources?.map((r) => `${r.kind}/${r.namespace}/${r.name}`).sort()).toEqual([
      'CronJob/stage/report',
      'Deployment/stage/web',
    ]);
    const sha = (await argo.getApplication('stage-plain')).status?.sync?.revision ?? '';
    expect(await syncAndWait('stage-plain', sha)).toMatchObject({ state: 'converged' });
    expect(await images('stage', 'web')).toEqual(['org/web:2.0.0', 'org/web:2.0.0']);
  });

  it('reads subdirectories with directory.recurse', async () => {
    await sim.addApplication({
      name: 'qa-plain',
      repoURL: fx.repo,
      path: 'plain',
      valueFiles: [],
      directory: { recurse: true },
      namespace: 'qa',
    });
    const app = await argo.getApplication('qa-plain');
    expect(app.spec.source).toMatchObject({ directory: { recurse: true } });
    expect(app.spec.source).not.toHaveProperty('helm');
    expect(app.status?.resources?.map((r) => r.name).sort()).toEqual(['extra', 'report', 'web']);
  });

  it('a manifest that does not parse is a ComparisonError naming the file (never its content); a missing path too', async () => {
    await fx.commit({ 'plain/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  secret: [s3cr3t\n' }, 'broken');
    const app = await argo.getApplication('stage-plain', { refresh: 'normal' });
    const message = app.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message ?? '';
    expect(message).toMatch(
      /^Failed to load target state: rpc error: code = FailedPrecondition desc = Failed to unmarshal "broken.yaml": /,
    );
    expect(message).not.toContain('s3cr3t');
    expect(app.status?.sync?.status).toBe('Unknown');

    await sim.addApplication({ name: 'gone', repoURL: fx.repo, path: 'overlays/qa', valueFiles: [], namespace: 'qa' });
    const gone = await argo.getApplication('gone');
    expect(gone.status?.conditions?.find((c) => c.type === 'ComparisonError')?.message).toBe(
      'Failed to load target state: rpc error: code = Unknown desc = overlays/qa: app path does not exist',
    );
  });
});
