// The three sample GitOps repositories of issue #9 (test/fixtures/gitops-samples/), each promoted dev → staging →
// prod by the real worker against the simulator, on real services: the environments are saved through the API
// with the sample's image mappings (checked against Git on save), the next release is created from the sample's
// descriptor, and each promotion runs API → Temporal → worker → real Git → simulated Argo CD (real Helm, real
// kustomize) → verification. Per environment:
//   - the promotion succeeded, with one commit on top of the branch;
//   - the commit changes exactly the files of the sample's expected/<env>/, each byte for byte as expected there;
//   - its diff changes exactly the image lines, plus the release lines where the mapping writes them (listed here
//     line by line): comments, quoting, order and every other line of the file stay;
//   - the live pods (simulated Kubernetes) run the descriptor's images, all replicas, and say which release they run
//     where the chart stamps it; the verify-images step says how it verified (by images alone for bitnami's api);
//   - the preflight then finds the files in sync with the release (rendering again changes nothing).
// After prod, no file outside the expected ones has changed since the deployed state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import type { V1Pod } from '@kubernetes/client-node';
import type { NativeConnection } from '@temporalio/worker';
import { createArgoClient } from '../integrations/argocd.js';
import { createKubeClient } from '../integrations/kube.js';
import { RELEASE_ANNOTATION } from '../domain/environment.js';
import { errorOf } from './api-harness.js';
import { SAMPLE_NAMES, type GitopsSample, type SampleName } from './gitops-samples.js';
import { nativeConnection, useTestDatabase } from './harness.js';
import { createSamplePromotion, deleteTemporalNamespace, isolatedTemporalNamespace, type SamplePromotion } from './sample-promotion.js';

interface Ids {
  releaseId: string;
  descriptorDigest: string;
}

type LiveExpectation = Record<string, { service: string; images: Record<string, string> }>;

interface SampleExpectations {
  /** Per changed file: the lines the promotion's commit removes and adds (`git diff --unified=0`, no headers). */
  diff(env: string, before: Ids, after: Ids): Record<string, string[]>;
  /** Per live workload (`<Kind>/<name>`): the service it runs, and each container's image in every pod. */
  live(env: string): LiveExpectation;
  /** A configuration whose mapping names a file or path Git does not have, and the 422's message. */
  broken?: { gitops(gitops: GitopsSample['gitops']): GitopsSample['gitops']; message: (env: string) => string };
}

const METRICS_DIGEST = 'sha256:7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a';

const flowControllerLines = (b: Ids, a: Ids) => [
  `-  releaseId: "${b.releaseId}"`,
  `-  descriptorDigest: "${b.descriptorDigest}"`,
  `-  productVersion: "1.4.0"`,
  `+  releaseId: "${a.releaseId}"`,
  `+  descriptorDigest: "${a.descriptorDigest}"`,
  `+  productVersion: "1.5.0"`,
];
const TAG_LINES = ['-          tag: "1.4.0"', '+          tag: "1.5.0"'];

const EXPECTATIONS: Record<SampleName, SampleExpectations> = {
  'shipped-chart': {
    diff: (env, b, a) => ({
      [`environments/${env}/core/values.yaml`]: [...flowControllerLines(b, a), ...TAG_LINES, ...TAG_LINES],
      [`environments/${env}/infra/values.yaml`]: [...flowControllerLines(b, a), ...TAG_LINES],
    }),
    live: () => ({
      'CronJob/report': { service: 'report', images: { report: 'registry.example.com/acme/report:1.5.0' } },
      'Deployment/api': { service: 'api', images: { api: 'registry.example.com/acme/api:1.5.0' } },
      'Deployment/gateway': { service: 'gateway', images: { envoy: 'envoyproxy/envoy:v1.30.1' } },
      'StatefulSet/worker': { service: 'worker', images: { worker: 'registry.example.com/acme/worker:1.5.0' } },
    }),
  },
  'bitnami-per-service': {
    diff: (env, b, a) => ({
      [`apps/api/values-${env}.yaml`]: ['-  tag: "1.4.0"', '+  tag: "1.5.0"', '-      digest: ""', `+      digest: "${METRICS_DIGEST}"`],
      [`apps/web/values-${env}.yaml`]: [
        '-  tag: 1.4.0 # hand-written, unquoted',
        '+  tag: 1.5.0 # hand-written, unquoted',
        `-  id: ${b.releaseId}`,
        `-  digest: ${b.descriptorDigest}`,
        `+  id: ${a.releaseId}`,
        `+  digest: ${a.descriptorDigest}`,
      ],
    }),
    live: (env): LiveExpectation => ({
      [`Deployment/${env}-api`]: {
        service: 'api',
        images: {
          api: 'registry.example.com/acme/api:1.5.0',
          'log-shipper': 'docker.io/fluent/fluent-bit:3.0.4', // the platform team's sidecar: not in the release, untouched
          metrics: `docker.io/bitnami/nginx-exporter@${METRICS_DIGEST}`,
        },
      },
      [`Deployment/${env}-web`]: { service: 'web', images: { web: 'registry.example.com/acme/web:1.5.0' } },
    }),
    broken: {
      gitops: (g) => {
        const api = g.groups?.api?.services?.api;
        if (api?.type !== 'helm-values') throw new Error('the bitnami sample maps api with helm-values');
        const metrics = { ...api.containers?.metrics, repository: 'sidecars[name=metric].image.repository' };
        return { ...g, groups: { ...g.groups, api: { services: { api: { ...api, containers: { ...api.containers, metrics } } } } } };
      },
      message: (env) =>
        `${env}.gitops.groups.api.services.api.containers.metrics.repository: apps/api/values-${env}.yaml has no ` +
        'sidecars[name=metric].image.repository: no list item with name=metric at sidecars[name=metric]',
    },
  },
  'kustomize-overlays': {
    diff: (env, b, a) => ({
      [`overlays/${env}/kustomization.yaml`]: [
        '-    newTag: "1.4.0"',
        '+    newTag: "1.5.0"',
        '-    newTag: "1.4.0"',
        '+    newTag: "1.5.0"',
        `-  flow-controller.io/release-id: ${b.releaseId}`,
        `-  flow-controller.io/descriptor-digest: ${b.descriptorDigest}`,
        `+  flow-controller.io/release-id: ${a.releaseId}`,
        `+  flow-controller.io/descriptor-digest: ${a.descriptorDigest}`,
      ],
    }),
    live: () => ({
      'Deployment/api': { service: 'api', images: { api: 'registry.example.com/acme/api:1.5.0', proxy: 'nginx:1.27' } },
      'StatefulSet/acme-worker': { service: 'worker', images: { worker: 'registry.example.com/acme/worker:1.5.0' } },
    }),
    broken: {
      gitops: (g) => {
        if (g.mapping?.type !== 'kustomize') throw new Error('the kustomize sample maps every group with kustomize');
        return { ...g, mapping: { ...g.mapping, file: 'overlays/{env}/kustomization.yml' } };
      },
      message: (env) => `${env}.gitops.mapping.file: overlays/${env}/kustomization.yml not found on branch main`,
    },
  },
};

const STEPS = ['render-values', 'git-commit-push', 'argocd-refresh', 'argocd-sync', 'argocd-wait', 'verify-images', 'verify', 'record'];

let namespace: string;
let connection: NativeConnection;
beforeAll(async () => {
  namespace = await isolatedTemporalNamespace('fc-samples');
  connection = await nativeConnection();
});
afterAll(async () => {
  await connection?.close();
  if (namespace) await deleteTemporalNamespace(namespace);
});

/** What runs in an environment, by workload: pods that are Ready and not terminating, each container's image. */
interface LiveWorkload {
  replicas: number;
  /**
   * One entry per Ready pod: container → running image (status), and the pod's release annotation. A CronJob
   * (no pods until it fires) has one entry: its job template, as Argo CD shows it live.
   */
  pods: Array<{ images: Record<string, string>; release: string | undefined }>;
}

function podImages(pod: V1Pod): Record<string, string> {
  return Object.fromEntries((pod.status?.containerStatuses ?? []).map((s) => [s.name, s.image]));
}

async function liveOf(p: SamplePromotion, env: string): Promise<Record<string, LiveWorkload>> {
  const kube = createKubeClient({ server: p.rig.kube.server, caData: p.rig.kube.caData, token: p.rig.kube.token });
  const out: Record<string, LiveWorkload> = {};
  for (const w of await kube.listWorkloads(env)) {
    const selector = Object.entries(w.object.spec?.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = (await kube.listPods(env, selector)).filter(
      (pod) => !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    out[`${w.kind}/${w.object.metadata?.name}`] = {
      replicas: (w.object.spec as { replicas?: number } | undefined)?.replicas ?? 1,
      pods: pods.map((pod) => ({ images: podImages(pod), release: pod.metadata?.annotations?.[RELEASE_ANNOTATION] })),
    };
  }
  // CronJobs: the simulated Kubernetes API serves the apps/v1 workloads and pods only.
  const argo = createArgoClient({ ...p.rig.argo, baseUrl: p.rig.argo.url, timeoutMs: 10_000 });
  for (const app of p.rig.environments.find((e) => e.name === env)?.applications ?? []) {
    for (const r of (await argo.managedResources(app.name)).items ?? []) {
      if (r.kind !== 'CronJob') continue;
      const live = JSON.parse(r.liveState ?? '{}') as {
        spec?: { jobTemplate?: { spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: V1Pod['spec'] } } } };
      };
      const template = live.spec?.jobTemplate?.spec?.template;
      out[`CronJob/${r.name}`] = {
        replicas: 0,
        pods: [
          {
            images: Object.fromEntries((template?.spec?.containers ?? []).map((c) => [c.name, c.image ?? ''])),
            release: template?.metadata?.annotations?.[RELEASE_ANNOTATION],
          },
        ],
      };
    }
  }
  return out;
}

/** The container names of a service in the descriptor (the samples' service names are unique across groups). */
function releaseContainers(sample: GitopsSample, service: string): string[] {
  for (const services of Object.values(sample.next.descriptor)) {
    const kinds = services[service];
    if (kinds) return Object.keys(Object.values(kinds)[0]?.containers ?? {});
  }
  throw new Error(`no service ${service} in the ${sample.name} descriptor`);
}

describe.each(SAMPLE_NAMES.map((name) => ({ name })))('sample $name', ({ name }: { name: SampleName }) => {
  const db = useTestDatabase();
  const want = EXPECTATIONS[name];
  let p: SamplePromotion;

  beforeAll(async () => {
    p = await createSamplePromotion(db.database, name, { namespace, connection });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('is promoted dev → staging → prod by the real worker: the diff is the image and release lines, the pods run the release', async () => {
    const { sample } = p;
    const git = simpleGit(p.rig.git.repoPath);
    const head = async () => (await git.revparse(['main'])).trim();
    const deployedHead = await head();

    // A mapping that names a path or file Git does not have is refused on save, naming it; nothing is stored.
    if (want.broken) {
      const [env] = sample.environments as [string];
      const config = p.rig.environmentConfig(env);
      const res = await p.h.call('PUT', `/v1/environments/${env}`, {
        body: { ...config, gitops: { ...config.gitops, ...want.broken.gitops(sample.gitops) } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(errorOf(res.body).code).toBe('ENVIRONMENT_INVALID');
      expect(errorOf(res.body).message).toBe(want.broken.message(env));
      expect((await p.h.call('GET', `/v1/environments/${env}`, { token: p.h.tokens.viewer })).status).toBe(404);
    }

    // The sample's mappings, saved through the API (checked against the repository on save).
    for (const res of await p.configureEnvironments()) {
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.config.gitops.mapping).toEqual(sample.gitops.mapping);
      expect(res.body.config.gitops.groups).toEqual(sample.gitops.groups);
    }
    const ids = await p.createNextRelease();
    const deployed = { releaseId: sample.deployed.releaseId, descriptorDigest: sample.deployed.digest };
    const changedSoFar: string[] = [];

    for (const env of sample.environments) {
      const parent = await head();
      const d = await p.promote(ids.releaseId, env);
      expect(d.status, JSON.stringify(d.steps)).toBe('succeeded');
      expect(d.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual(
        STEPS.map((s) => [s, s === 'verify' ? 'skipped' : 'succeeded']),
      );

      // One commit on top of the branch, changing exactly the expected files, each byte for byte.
      expect(await head()).toBe(d.commitSha);
      expect((await git.raw(['rev-list', `${parent}..${d.commitSha}`])).trim()).toBe(d.commitSha);
      const expected = await sample.expectedAfter(env, ids);
      const changed = (await git.raw(['diff-tree', '--no-commit-id', '--name-only', '-r', d.commitSha])).split('\n').filter(Boolean);
      expect(changed.sort()).toEqual(Object.keys(expected).sort());
      for (const [file, content] of Object.entries(expected)) expect(await git.show([`${d.commitSha}:${file}`]), file).toBe(content);
      changedSoFar.push(...changed);

      // The diff: exactly the image lines, and the release lines where the mapping writes them.
      const lines: Record<string, string[]> = {};
      for (const file of changed) {
        const diff = await git.raw(['diff', '--unified=0', `${d.commitSha}^`, d.commitSha, '--', file]);
        lines[file] = diff.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l));
      }
      expect(lines).toEqual(want.diff(env, deployed, ids));

      // The cluster runs the release: every replica of every workload, each container at the descriptor's image.
      const live = await liveOf(p, env);
      const expectedLive = want.live(env);
      expect(Object.keys(live).sort()).toEqual(Object.keys(expectedLive).sort());
      const imagesOnly = sample.verifiedByImagesOnly(env).map((w) => w.split('/')[1]);
      let pods = 0;
      let containers = 0;
      for (const [workload, { service, images }] of Object.entries(expectedLive)) {
        const w = live[workload];
        expect(w?.pods.length, `${workload}: Ready pods`).toBe(Math.max(w?.replicas ?? 0, 1));
        const stamped = imagesOnly.includes(workload.split('/')[1]) ? undefined : ids.releaseId;
        for (const pod of w?.pods ?? []) expect(pod, workload).toEqual({ images, release: stamped });
        if (workload.startsWith('CronJob/')) continue; // verification reads pods: a CronJob has none
        pods += w?.pods.length ?? 0;
        containers += (w?.pods.length ?? 0) * releaseContainers(sample, service).length;
      }
      const verify = (d.steps as Array<{ name: string; status: string; message: string }>).find((s) => s.name === 'verify-images');
      expect(verify?.status).toBe('succeeded');
      expect(verify?.message).toBe(
        `${containers} container(s) in ${pods} Ready pod(s) run exactly the release's images` +
          (imagesOnly.length > 0
            ? `; verified by images: the chart does not stamp ${RELEASE_ANNOTATION} (${sample.verifiedByImagesOnly(env).join(', ')})`
            : ''),
      );
      if (name === 'bitnami-per-service') expect(verify?.message).toContain(`verified by images`);

      // Rendering the release again would change nothing.
      const preflight = await p.h.call('POST', `/v1/environments/${env}/preflight`);
      const gitDiff = (preflight.body.checks as Array<{ id: string; status: string; message: string }>).find((c) => c.id === 'git.diff');
      expect(gitDiff).toMatchObject({
        status: 'ok',
        message: `the files match the current release ${sample.next.version} (${ids.releaseId})`,
      });
    }

    // Nothing else in the repository changed: the chart, the other environments' files, READMEs, templates.
    const touched = (await git.raw(['diff', '--name-only', deployedHead, 'main'])).split('\n').filter(Boolean);
    expect(touched.sort()).toEqual(changedSoFar.sort());
  });
});
