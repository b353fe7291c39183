// A promotion with a helm-values image mapping, end to end on real services: API (the mapping is checked against
// Git on save) → Temporal → real worker → real Git → simulated Argo CD/Kubernetes → verification. The group
// `core` keeps a values file the team already has (comments, hand-tuned keys, CI's old tag) and maps its `api`
// service into it by YAML paths; `infra` stays on flow-workloads. The simulator renders the file with its
// fallback chart (sim/chart.ts), which reads the same keys. Asserted: the commit's exact Git diff — only the
// image tag and the release id/digest lines of the mapped file — and the pods running the descriptor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { createKubeClient } from '../integrations/kube.js';
import { defaultInitialValues } from '../sim/rig.js';
import type { ImageMapping } from '../domain/image-mapping.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';

const db = useTestDatabase();
let f: PromotionFixture;

/** The `core` values file as a team would have it before Flow Controller: CI bumped the tag by hand. */
function coreValues(env: string): string {
  return `# ${env}-core: the api, as the team configured it
flowController:
  releaseId: ""   # stamped on the pods by the chart
  descriptorDigest: ""
workloads:
  api:
    kind: Deployment
    replicas: 2   # sized for ${env}
    containers:
      api:
        image:
          repository: org/api
          tag: '0.9.0'   # bumped by CI until now
        resources: {limits: {memory: 256Mi}}
team: payments
`;
}

const api: ImageMapping = {
  type: 'helm-values',
  file: 'environments/{env}/core/values.yaml',
  containers: {
    api: { repository: 'workloads.api.containers.api.image.repository', tag: 'workloads.api.containers.api.image.tag' },
  },
  releaseId: 'flowController.releaseId',
  descriptorDigest: 'flowController.descriptorDigest',
};

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'dev', mappings: { groups: { core: { services: { api } } } } }],
    initialValues: (env, group) => (group === 'core' ? coreValues(env) : defaultInitialValues(env, group)),
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
});

async function liveImages(namespace: string): Promise<string[]> {
  const kube = createKubeClient({ server: f.sim.kubeUrl, caData: f.sim.kubeCaData, token: f.sim.kubeToken });
  const pods = await kube.listPods(namespace);
  return [...new Set(pods.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
}

/** The lines a commit removes and adds in `file` (no headers, no context). */
async function changedLines(sha: string, file: string): Promise<string[]> {
  const diff = await simpleGit(f.repoPath).raw(['diff', '--unified=0', `${sha}^`, sha, '--', file]);
  return diff.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l));
}

describe('promotion with a helm-values image mapping', () => {
  it('writes only the image lines (and release metadata) into the existing values file, and the cluster runs it', async () => {
    const env = f.env.dev as string;
    const file = `environments/${env}/core/values.yaml`;
    const git = simpleGit(f.repoPath);
    const digests = new Map<string, string>();

    for (const [tag, previousTag] of [
      ['1.4.2', '0.9.0'],
      ['1.4.3', '1.4.2'],
    ] as const) {
      const releaseId = await f.createRelease(tag);
      const release = await f.h.call('GET', `/v2/releases/${releaseId}`, { token: f.h.tokens.viewer });
      digests.set(releaseId, release.body.digest as string);
      const res = await f.promote(releaseId, 'dev');
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const d = await f.waitFor('dev', res.body.deploymentId, ['succeeded', 'failed', 'awaiting_operator', 'aborted']);
      expect(d.status, JSON.stringify(d.steps)).toBe('succeeded');

      // One commit; the mapped file changes in exactly these lines, the flow-workloads file of infra as always.
      const changed = (await git.raw(['diff-tree', '--no-commit-id', '--name-only', '-r', d.commitSha])).split('\n').filter(Boolean);
      expect(changed.sort()).toEqual([file, `environments/${env}/infra/values.yaml`]);
      const previous = [...digests.keys()].at(-2);
      expect(await changedLines(d.commitSha, file)).toEqual([
        `-  releaseId: "${previous ?? ''}"   # stamped on the pods by the chart`,
        `-  descriptorDigest: "${previous ? digests.get(previous) : ''}"`,
        `+  releaseId: "${releaseId}"   # stamped on the pods by the chart`,
        `+  descriptorDigest: "${digests.get(releaseId)}"`,
        `-          tag: '${previousTag}'   # bumped by CI until now`,
        `+          tag: '${tag}'   # bumped by CI until now`,
      ]);
      const content = await git.show([`main:${file}`]);
      expect(content).toBe(
        coreValues(env)
          .replace('releaseId: ""', `releaseId: "${releaseId}"`)
          .replace('descriptorDigest: ""', `descriptorDigest: "${digests.get(releaseId)}"`)
          .replace("tag: '0.9.0'", `tag: '${tag}'`),
      );

      // The simulator rendered the file; verification found the release annotation and the images.
      expect(await liveImages(env)).toEqual([`org/api:${tag}`, 'org/gateway:stable']);
      const verify = (d.steps as Array<{ name: string; message: string }>).find((s) => s.name === 'verify-images');
      expect(verify?.message).toBe("3 container(s) in 3 Ready pod(s) run exactly the release's images"); // api has 2 replicas
      const render = (d.steps as Array<{ name: string; message: string }>).find((s) => s.name === 'render-values');
      expect(render?.message).toContain(file);
    }

    // The preflight agrees: the mapped file is there and in sync, and the core Application reads it.
    const report = (await f.h.call('POST', `/v1/environments/${env}/preflight`)).body as {
      checks: Array<{ id: string; status: string; message: string }>;
    };
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId[`git.mapping:${file}`]).toMatchObject({ status: 'ok', message: `${file} (helm-values: core/api) exists and renders` });
    expect(byId['git.values:infra']?.status).toBe('ok');
    expect(byId['git.diff']?.status).toBe('ok');
    expect(byId[`argocd.source:${env}-core`]).toMatchObject({ status: 'ok', message: expect.stringContaining(`reads ${file}`) });
  });
});
