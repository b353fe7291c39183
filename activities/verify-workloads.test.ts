// Verification against the real simulator (plain-manifest Applications rendered by its repo-server): how a
// service's workload is found (a manifests mapping's workload, the name, the app.kubernetes.io/name label, the only
// workload of its kind), the release annotation checked where the pod template carries it and images alone where it
// does not, and the mismatches (another release, ambiguous labels, a missing workload, another image).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArgoClient, createArgoClient } from '../integrations/argocd.js';
import { assessConvergence } from '../integrations/argocd-convergence.js';
import { createKubeClient, type KubeClient } from '../integrations/kube.js';
import type { Descriptor } from '../domain/descriptor.js';
import { createRepoFixture, type RepoFixture } from '../test/sim-fixtures.js';
import { createSimulator, type Simulator } from '../sim/simulator.js';
import { INSTANT_TIMING } from '../sim/timing.js';
import { mappedWorkloadOf } from './mapped-workload.js';
import { verifyApplications, type VerifyApplicationsInput } from './verify-workloads.js';
import { namespaceReads } from './monitor-observe.js';

const RELEASE = '0b5f3c1e-0000-4000-8000-000000000001';

interface Manifest {
  kind?: 'Deployment' | 'StatefulSet';
  name: string;
  /** app.kubernetes.io/name label (default: none); selector label `app: <name>` always. */
  nameLabel?: string;
  releaseId?: string;
  containers: Record<string, string>;
}

function manifest(m: Manifest): string {
  const labels = { app: m.name, ...(m.nameLabel ? { 'app.kubernetes.io/name': m.nameLabel } : {}) };
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: m.kind ?? 'Deployment',
    metadata: { name: m.name, labels },
    spec: {
      replicas: 1,
      ...(m.kind === 'StatefulSet' ? { serviceName: m.name } : {}),
      selector: { matchLabels: { app: m.name } },
      template: {
        metadata: { labels, ...(m.releaseId ? { annotations: { 'flow-controller.io/release-id': m.releaseId } } : {}) },
        spec: { containers: Object.entries(m.containers).map(([name, image]) => ({ name, image })) },
      },
    },
  });
}

const files = (dir: string, ms: Manifest[]) =>
  Object.fromEntries(ms.map((m) => [`${dir}/${m.kind ?? 'Deployment'}-${m.name}.json`, manifest(m)]));

const descriptor: Descriptor = {
  core: {
    api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1.0.0' }, metrics: { repo: 'org/metrics', tag: '2.0' } } } },
    worker: { StatefulSet: { containers: { worker: { repo: 'org/worker', tag: '1.0.0' } } } },
    nightly: { CronJob: { containers: { nightly: { repo: 'org/nightly', tag: '1.0.0' } } } },
  },
};
const api = { api: 'org/api:1.0.0', metrics: 'docker.io/org/metrics:2.0' };
const worker = { worker: 'org/worker:1.0.0' };

describe('verifyApplications against the simulator', () => {
  let fx: RepoFixture & { first: string };
  let sim: Simulator;
  let argo: ArgoClient;
  let kube: KubeClient;
  const input = (app: string, extra: Partial<VerifyApplicationsInput> = {}): VerifyApplicationsInput => ({
    argo,
    kube,
    project: 'default',
    namespace: app,
    releaseId: RELEASE,
    descriptor,
    applications: [{ group: 'core', name: app }],
    ...extra,
  });

  beforeAll(async () => {
    fx = await createRepoFixture({
      // name == service (stamped), label == service (not stamped)
      ...files('dev', [
        { name: 'api', releaseId: RELEASE, containers: api },
        { kind: 'StatefulSet', name: 'core-worker', nameLabel: 'worker', containers: worker },
        { kind: 'StatefulSet', name: 'redis', containers: { redis: 'redis:7' } },
      ]),
      // the only Deployment; the StatefulSet a manifests mapping names
      ...files('stage', [
        { name: 'backend', releaseId: RELEASE, containers: api },
        { kind: 'StatefulSet', name: 'db', releaseId: RELEASE, containers: worker },
        { kind: 'StatefulSet', name: 'cache', containers: { cache: 'redis:7' } },
      ]),
      // another release; two StatefulSets labelled worker
      ...files('prod', [
        { name: 'api', releaseId: 'another-release', containers: api },
        { kind: 'StatefulSet', name: 'worker-a', nameLabel: 'worker', containers: worker },
        { kind: 'StatefulSet', name: 'worker-b', nameLabel: 'worker', containers: worker },
      ]),
      // another image; no StatefulSet for the worker at all
      ...files('qa', [{ name: 'api', containers: { api: 'org/api:0.9.0', metrics: 'org/metrics:2.0' } }]),
    });
    sim = await createSimulator({ timing: INSTANT_TIMING });
    argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
    kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    for (const env of ['dev', 'stage', 'prod', 'qa']) {
      await sim.addApplication({ name: env, repoURL: fx.repo, path: env, valueFiles: [], namespace: env });
      await argo.sync(env, { revision: fx.first, prune: true, infos: [{ name: 'promotion', value: env }], syncOptions: [] });
      const deadline = Date.now() + 10_000;
      while (assessConvergence(await argo.getApplication(env), { sha: fx.first, promotionId: env }).state === 'waiting') {
        if (Date.now() > deadline) throw new Error(`${env} did not converge`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  });
  afterAll(async () => {
    await sim.close();
    await fx.cleanup();
  });

  it('finds workloads by name and by label; unstamped ones are verified by images alone', async () => {
    const result = await verifyApplications(input('dev'));
    expect(result.mismatches).toEqual([]);
    expect(result.workloads).toEqual([
      { application: 'dev', service: 'api', workload: 'api', by: 'name' },
      { application: 'dev', service: 'worker', workload: 'core-worker', by: 'label' },
    ]);
    expect(result).toMatchObject({ verifiedContainers: 3, pods: 2, verifiedByImagesOnly: ['dev/core-worker'] });
  });

  it('finds the only workload of its kind, and the one a manifests mapping names', async () => {
    const gitops = {
      repoUrl: 'x',
      groups: { core: { services: { worker: { type: 'manifests', file: 'stage/db.yaml', workload: { name: 'db' } } } } },
    };
    const result = await verifyApplications(input('stage', { mappedWorkload: (g, s) => mappedWorkloadOf(gitops, g, s) }));
    expect(result.mismatches).toEqual([]);
    expect(result.workloads.map((w) => `${w.service}→${w.workload} (${w.by})`)).toEqual([
      'api→backend (only-of-kind)',
      'worker→db (mapping)',
    ]);
    expect(result.verifiedByImagesOnly).toEqual([]);
    // Without the mapping the worker is ambiguous among two StatefulSets and missing.
    const unmapped = await verifyApplications(input('stage'));
    expect(unmapped.mismatches).toEqual([
      {
        application: 'stage',
        workload: 'worker',
        container: '*',
        expected: 'StatefulSet worker',
        running: 'workload missing from the application',
      },
    ]);
  });

  it('reports another release, an ambiguous label, another image and a missing workload', async () => {
    const prod = await verifyApplications(input('prod'));
    expect(prod.mismatches).toEqual([
      { application: 'prod', workload: 'api', container: '*', expected: `release ${RELEASE}`, running: 'release another-release' },
      {
        application: 'prod',
        workload: 'worker',
        container: '*',
        expected: 'one StatefulSet for worker, found several labelled app.kubernetes.io/name=worker: worker-a, worker-b',
        running: 'workload missing from the application',
      },
    ]);
    const qa = await verifyApplications(input('qa'));
    expect(qa.mismatches).toMatchObject([
      { application: 'qa', workload: 'api', container: 'api', expected: 'org/api:1.0.0', running: 'org/api:0.9.0' },
      {
        application: 'qa',
        workload: 'worker',
        container: '*',
        expected: 'StatefulSet worker',
        running: 'workload missing from the application',
      },
    ]);
    expect(qa.mismatches[0]?.pod).toMatch(/^api-/);
  });

  it("the monitor's namespace reads give the same verdicts with one pod list and one list per workload kind used", async () => {
    const direct = await verifyApplications(input('qa'));
    sim.faults.resetRequestCounts();
    const listed = await verifyApplications(input('qa', { kube: namespaceReads(kube) }));
    expect(listed).toEqual(direct);
    // qa has only Deployments among Argo CD's resources: no StatefulSet or DaemonSet list, no GET per workload.
    const kubeReads = Object.entries(sim.faults.requestCounts()).filter(([k]) => k.startsWith('kube '));
    expect(Object.fromEntries(kubeReads)).toEqual({
      'kube GET /api/v1/namespaces/qa/pods': 1,
      'kube GET /apis/apps/v1/namespaces/qa/deployments': 1,
    });
  });

  it('a mapping naming a workload the application does not have is reported as such', async () => {
    const result = await verifyApplications(input('dev', { mappedWorkload: (_g, s) => (s === 'api' ? { name: 'api-v2' } : undefined) }));
    expect(result.mismatches).toEqual([
      {
        application: 'dev',
        workload: 'api',
        container: '*',
        expected: 'Deployment api-v2 (named by the image mapping)',
        running: 'workload missing from the application',
      },
    ]);
  });
});

describe('mappedWorkloadOf', () => {
  const manifests = (name: string) => ({ type: 'manifests', file: 'f.yaml', workload: { name } });
  const cases: Array<{ name: string; gitops: unknown; want: unknown }> = [
    { name: 'no mapping', gitops: { repoUrl: 'x' }, want: undefined },
    {
      name: 'a service mapping wins',
      gitops: { mapping: manifests('top'), groups: { core: { mapping: manifests('group'), services: { api: manifests('svc') } } } },
      want: { name: 'svc' },
    },
    {
      name: 'then the group mapping',
      gitops: { mapping: manifests('top'), groups: { core: { mapping: manifests('group') } } },
      want: { name: 'group' },
    },
    {
      name: 'then the environment mapping',
      gitops: { mapping: manifests('top'), groups: { other: { mapping: manifests('x') } } },
      want: { name: 'top' },
    },
    {
      name: 'other mapping types name no workload',
      gitops: { groups: { core: { services: { api: { type: 'helm-values', file: 'v.yaml' } } } } },
      want: undefined,
    },
    {
      name: 'a kind alone',
      gitops: { mapping: { type: 'manifests', file: 'f', workload: { kind: 'StatefulSet' } } },
      want: { kind: 'StatefulSet' },
    },
    {
      name: 'malformed parts are ignored',
      gitops: { groups: { core: 'nope' }, mapping: { type: 'manifests', workload: { name: 7 } } },
      want: undefined,
    },
  ];
  it.each(cases)('$name', ({ gitops, want }) => {
    expect(mappedWorkloadOf(gitops, 'core', 'api')).toEqual(want);
  });
});
