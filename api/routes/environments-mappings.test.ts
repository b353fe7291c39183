// Image mappings through the API on real services (a real bare Git repository, Postgres): PUT checks the files
// and paths the mappings name against the branch (422 naming field, file and path; 503 when Git cannot be
// reached; nothing stored on failure; no Git at all without such mappings), hostile input is a fast 400, and the
// preflight checks every mapped file against the release and shows the diff the next promotion would make.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, type ApiHarness, type Loose } from '../../test/api-harness.js';
import { createBareRepo, tempDir, writeDirect } from '../../test/git-fixtures.js';
import { SAMPLE_TEMPLATE, sampleDescriptor } from '../../sim/rig.js';
import type { ImageMapping } from '../../domain/image-mapping.js';

const db = useTestDatabase();
const sfx = randomBytes(3).toString('hex');
const ENV = `mp-${sfx}`;
let dir: string;
let bare: string;
let h: ApiHarness;

const BITNAMI = (env: string) => `# api values for ${env}
image:
  registry: docker.io
  repository: org/api
  tag: 1.0.0   # bumped by CI until now
  digest: ""
replicaCount: 2
`;
const OVERLAY = 'resources:\n- ../../base\nimages:\n- name: org/gateway\n  newTag: "0.9"\n';

const helm: ImageMapping = {
  type: 'helm-values',
  file: 'apps/{service}/values-{env}.yaml',
  containers: { '*': { registry: 'image.registry', repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' } },
};
const kustomize: ImageMapping = { type: 'kustomize', file: 'overlays/{env}/kustomization.yaml' };

function config(repoUrl: string, gitops: Record<string, unknown> = {}) {
  return {
    displayOrder: 0,
    gitops: { repoUrl, groups: { core: { services: { api: helm } }, infra: { mapping: kustomize } }, ...gitops },
    // Unreachable on purpose: a save never contacts them, the preflight reports them (not what these tests look at).
    argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:FC_SECRET_ARGOCD_TOKEN' },
    kubernetes: { server: 'https://127.0.0.1:9', namespace: 'dev', tokenRef: 'env:FC_SECRET_KUBE_TOKEN' },
  };
}

beforeAll(async () => {
  dir = await tempDir('fc-mappings-api-');
  bare = await createBareRepo(dir, 'gitops', {
    [`apps/api/values-${ENV}.yaml`]: BITNAMI(ENV),
    [`overlays/${ENV}/kustomization.yaml`]: OVERLAY,
    'base/kustomization.yaml': 'resources: []\n',
  });
  h = await apiHarness(db.database);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const repoUrl = () => pathToFileURL(bare).href;
const put = (env: string, body: unknown) => h.call('PUT', `/v1/environments/${env}`, { body });
const stored = async (env: string) => (await h.call('GET', `/v1/environments/${env}?live=false`, { token: h.tokens.viewer })).body as Loose;

describe('PUT /v1/environments/:env with image mappings', () => {
  it('saves a configuration whose mapped files and paths exist', async () => {
    const res = await put(ENV, config(repoUrl()));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.config.gitops.groups.core.services.api).toEqual(helm);
    expect(res.body.config.gitops.groups.infra.mapping).toEqual(kustomize);
  });

  it('a missing YAML path is 422 naming the field, the file and the path; nothing is stored', async () => {
    const before = await stored(ENV);
    const broken = { ...helm, containers: { api: { repository: 'image.repository', tag: 'image.version' } } };
    const res = await put(ENV, config(repoUrl(), { groups: { core: { services: { api: broken } } } }));
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    const error = errorOf(res.body);
    expect(error.code).toBe('ENVIRONMENT_INVALID');
    expect(error.message).toBe(
      `${ENV}.gitops.groups.core.services.api.containers.api.tag: apps/api/values-${ENV}.yaml has no image.version: no key "version" in image`,
    );
    expect(error.details.mappingProblems).toEqual([
      {
        field: 'gitops.groups.core.services.api.containers.api.tag',
        file: `apps/api/values-${ENV}.yaml`,
        message: `apps/api/values-${ENV}.yaml has no image.version: no key "version" in image`,
      },
    ]);
    expect(await stored(ENV)).toEqual(before);
  });

  it('a missing file, a missing workload and a wrong branch are 422 naming the field', async () => {
    const missing = await put(`new-${sfx}`, config(repoUrl()));
    expect(missing.status).toBe(422);
    expect(errorOf(missing.body).message).toContain(
      `new-${sfx}.gitops.groups.core.services.api.file: apps/api/values-new-${sfx}.yaml not found on branch main`,
    );
    expect(errorOf(missing.body).message).toContain(
      `new-${sfx}.gitops.groups.infra.mapping.file: overlays/new-${sfx}/kustomization.yaml not found`,
    );
    expect((await h.call('GET', `/v1/environments/new-${sfx}`, { token: h.tokens.viewer })).status).toBe(404);

    const manifests = await put(
      ENV,
      config(repoUrl(), { groups: { core: { services: { api: { type: 'manifests', file: 'base/kustomization.yaml' } } } } }),
    );
    expect(manifests.status).toBe(422);
    expect(errorOf(manifests.body).message).toContain(
      'gitops.groups.core.services.api.file: base/kustomization.yaml has no workload named api',
    );

    const branch = await put(ENV, config(repoUrl(), { branch: 'release-x' }));
    expect(branch.status).toBe(422);
    expect(errorOf(branch.body).message).toContain(`${ENV}.gitops.branch: branch "release-x" does not exist`);
  });

  it('an unreachable repository is 503 GIT_UNAVAILABLE, and nothing is stored', async () => {
    const started = Date.now();
    const res = await put(`down-${sfx}`, config('http://127.0.0.1:9/org/gitops.git'));
    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(errorOf(res.body).code).toBe('GIT_UNAVAILABLE');
    expect(errorOf(res.body).message).toMatch(/could not be read to check the image mappings/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await h.call('GET', `/v1/environments/down-${sfx}`, { token: h.tokens.viewer })).status).toBe(404);
  });

  it('without mappings that need a file, Git is not contacted', async () => {
    // flow-workloads creates its files; a top-level mapping with {service} resolves only with a release.
    const res = await put(`nogit-${sfx}`, {
      ...config('http://127.0.0.1:9/org/gitops.git'),
      gitops: {
        repoUrl: 'http://127.0.0.1:9/org/gitops.git',
        mapping: helm,
        groups: { core: { mapping: { type: 'flow-workloads', file: 'x/{env}/core.yaml' } } },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('hostile input is a fast 400, never a 500', async () => {
    const cases = [
      { ...helm, containers: { '*': { repository: 'a.'.repeat(1_000_000), tag: 'image.tag' } } },
      { ...helm, releaseId: 'x['.repeat(500_000) },
      { ...helm, file: `${'a/'.repeat(100_000)}v.yaml` },
    ];
    const bodies = cases.map((mapping) => JSON.stringify(config(repoUrl(), { groups: { core: { services: { api: mapping } } } })));
    // Deep nesting where a YAML path or a mapping is expected (JSON.stringify cannot build it: written by hand).
    for (const depth of [5_000, 100_000]) {
      const deep = `${'{"repository":'.repeat(depth)}"image.tag"${'}'.repeat(depth)}`;
      bodies.push(JSON.stringify(config(repoUrl(), { mapping: '__DEEP__' })).replace('"__DEEP__"', deep));
    }
    for (const rawBody of bodies) {
      const started = Date.now();
      const res = await h.call('PUT', `/v1/environments/${ENV}`, { rawBody });
      expect(res.status).toBe(400);
      expect(errorOf(res.body).code).toBe('VALIDATION_FAILED');
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    const unknown = await put(ENV, config(repoUrl(), { mapping: { type: 'flow-workloads', file: 'envs/{env}/values.yaml' } }));
    expect(unknown.status).toBe(422);
    expect(errorOf(unknown.body).message).toContain('gitops.mapping.file');
  });
});

describe('preflight with image mappings', () => {
  let releaseId: string;
  const preflight = async () => (await h.call('POST', `/v1/environments/${ENV}/preflight`)).body as Loose;
  const byId = (report: Loose, id: string): Loose => {
    const found = (report.checks as Loose[]).find((c) => c.id === id);
    if (!found) throw new Error(`no check ${id} in ${JSON.stringify(report.checks.map((c: Loose) => c.id))}`);
    return found;
  };

  beforeAll(async () => {
    expect((await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE })).status).toBeLessThan(300);
    const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: sampleDescriptor('1.4.2'), token: h.tokens.releaser });
    expect(rel.status, JSON.stringify(rel.body)).toBe(201);
    releaseId = rel.body.releaseId as string;
  });

  it('before any promotion: each mapped file checked against the latest release, with the diff a first promotion would make', async () => {
    const report = await preflight();
    expect(report.releaseId).toBe(releaseId);
    expect(report.currentReleaseId).toBeNull();
    expect(byId(report, `git.mapping:apps/api/values-${ENV}.yaml`)).toMatchObject({
      status: 'ok',
      message: `apps/api/values-${ENV}.yaml (helm-values: core/api) exists and renders`,
    });
    expect(byId(report, `git.mapping:overlays/${ENV}/kustomization.yaml`).status).toBe('ok');
    const diff = byId(report, 'git.diff');
    expect(diff.status).toBe('ok');
    expect(diff.message).toContain('no release deployed yet');
    expect(diff.diff).toContain(`-  tag: 1.0.0   # bumped by CI until now\n+  tag: 1.4.2   # bumped by CI until now\n`);
    expect(diff.diff).toContain('-  newTag: "0.9"\n+  newTag: "stable"\n');
    const changes = (diff.diff as string).split('\n').filter((l) => /^[-+](?![-+]{2} [ab]\/)/.test(l));
    expect(changes).toEqual([
      '-  tag: 1.0.0   # bumped by CI until now',
      '+  tag: 1.4.2   # bumped by CI until now',
      '-  newTag: "0.9"',
      '+  newTag: "stable"',
    ]);
  });

  it('with a current release: the pending diff is a warning; a broken path is an error naming it', async () => {
    await db.database.sql`update environments set current_release_id = ${releaseId} where name = ${ENV}`;
    const pending = await preflight();
    expect(pending.currentReleaseId).toBe(releaseId);
    expect(byId(pending, 'git.diff').status).toBe('warning');

    await writeDirect(
      bare,
      'main',
      { [`apps/api/values-${ENV}.yaml`]: 'image:\n  registry: docker.io\n  repository: org/api\n' },
      'drop the tag',
    );
    const broken = await preflight();
    expect(byId(broken, `git.mapping:apps/api/values-${ENV}.yaml`)).toMatchObject({
      status: 'error',
      message: expect.stringContaining('path image.tag (gitops.groups.core.services.api.containers.*.tag): no key "tag" in image'),
    });
    expect(byId(broken, 'git.diff')).toMatchObject({ status: 'error', diff: '' });
    await writeDirect(bare, 'main', { [`apps/api/values-${ENV}.yaml`]: BITNAMI(ENV) }, 'restore');
  });

  it('a dry run with a mapping whose file does not exist names the file and the field', async () => {
    const res = await h.call('PUT', `/v1/environments/${ENV}?dryRun=true`, {
      body: config(repoUrl(), { groups: { core: { services: { api: { ...helm, file: 'apps/{service}/missing.yaml' } } } } }),
    });
    expect(res.status).toBe(200);
    expect(byId(res.body, 'git.mapping:apps/api/missing.yaml')).toMatchObject({
      status: 'error',
      message: expect.stringContaining('apps/api/missing.yaml (the helm-values mapping of core/api) not found on'),
    });
    expect(byId(res.body, 'git.mapping:apps/api/missing.yaml').message).toContain('fix gitops.groups.core.services.api.file');
  });
});
