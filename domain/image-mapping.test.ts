// Image mappings: the YAML path grammar (including hostile input), the schemas wired into GitopsTarget,
// resolution per service, file placeholders and the mappings a save checks in Git.
import { describe, expect, it } from 'vitest';
import { EnvironmentConfig, GitopsTarget } from './environment.js';
import {
  checkImageMappings,
  expandFile,
  fileTemplateProblem,
  ImageMapping,
  mappingFor,
  MAX_YAML_PATH_LENGTH,
  parseYamlPath,
  resolvableMappings,
  resolveMapping,
  splitRegistry,
  YamlPath,
  type MappingSettings,
} from './image-mapping.js';

describe('parseYamlPath', () => {
  it.each([
    ['image.tag', [{ key: 'image' }, { key: 'tag' }]],
    ['tag', [{ key: 'tag' }]],
    [
      'sidecars[name=metrics].image.tag',
      [{ key: 'sidecars', select: { key: 'name', value: 'metrics' } }, { key: 'image' }, { key: 'tag' }],
    ],
    ['a_b-C9[x-y=reg.example.com].d', [{ key: 'a_b-C9', select: { key: 'x-y', value: 'reg.example.com' } }, { key: 'd' }]],
  ])('%s', (path, segments) => {
    expect(parseYamlPath(path)).toEqual({ ok: true, segments });
  });

  it.each([
    ['', /empty/],
    ['.tag', /expected a key .* at position 1, found "\."/],
    ['image.', /expected a key .* at the end/],
    ['image..tag', /position 7/],
    ['image tag', /expected "\." between keys at position 6, found U\+0020/],
    ['a[name]', /expected "="/],
    ['a[=x].b', /expected a key inside/],
    ['a[name=].b', /expected a value/],
    ['a[name=x.b', /expected "\]"/],
    ['a[name=x]]', /expected "\." between keys/],
    ['a[name=x][k=v]', /expected "\." between keys/],
    ['image.t$g', /found "\$"/],
    ['imäge', /U\+00E4/],
  ])('refuses %j', (path, message) => {
    const r = parseYamlPath(path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('bounds length and depth, and hostile input costs nothing', () => {
    expect(parseYamlPath('a'.repeat(MAX_YAML_PATH_LENGTH)).ok).toBe(true);
    expect(parseYamlPath('a'.repeat(MAX_YAML_PATH_LENGTH + 1))).toMatchObject({ ok: false, message: /at most 256 characters/ });
    expect(parseYamlPath(Array(33).fill('a').join('.'))).toMatchObject({ ok: false, message: /at most 32 segments/ });
    const started = performance.now();
    for (const hostile of ['a'.repeat(5_000_000), 'a.'.repeat(2_000_000), '['.repeat(1_000_000), 'a[b='.repeat(500_000)]) {
      expect(parseYamlPath(hostile).ok).toBe(false);
      expect(YamlPath.safeParse(hostile).success).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('ImageMapping schema', () => {
  const ok = (m: unknown) => ImageMapping.safeParse(m).success;
  it('accepts the four types as documented', () => {
    expect(ok({ type: 'flow-workloads' })).toBe(true);
    expect(ok({ type: 'flow-workloads', file: 'deploy/{env}/{group}.yaml' })).toBe(true);
    expect(
      ok({
        type: 'helm-values',
        file: 'apps/{service}/values-{env}.yaml',
        containers: {
          '*': { registry: 'image.registry', repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' },
          metrics: { repository: 'sidecars[name=metrics].image.repository', tag: 'sidecars[name=metrics].image.tag' },
        },
        releaseId: 'podAnnotations.releaseId',
        descriptorDigest: 'podAnnotations.digest',
      }),
    ).toBe(true);
    expect(
      ok({ type: 'kustomize', file: 'overlays/{env}/kustomization.yaml', images: { 'api/api': 'api-image' }, releaseAnnotations: true }),
    ).toBe(true);
    expect(ok({ type: 'manifests', file: 'k8s/{env}/{service}.yaml', workload: { kind: 'CronJob', name: 'nightly.report' } })).toBe(true);
  });

  it.each([
    [{ type: 'flow-workloads', file: 'x/{service}.yaml' }, /unknown placeholder/],
    [{ type: 'helm-values', file: 'a/{tenant}.yaml' }, /unknown placeholder/],
    [{ type: 'helm-values', file: '../secrets.yaml' }, /normalized path/],
    [{ type: 'helm-values', file: '/etc/passwd' }, /normalized path/],
    [{ type: 'helm-values', file: '.git/config' }, /normalized path/],
    [{ type: 'helm-values', file: 'a\\b.yaml' }, /control characters/],
    [{ type: 'helm-values', file: 'a/{env.yaml' }, /unknown placeholder/],
    [{ type: 'helm-values', file: 'a/}.yaml' }, /unbalanced/],
    [{ type: 'helm-values', file: 'v.yaml', containers: { '*': { repository: 'image.repository' } } }, /tag or a digest/],
    [{ type: 'helm-values', file: 'v.yaml', containers: { API: { repository: 'r', tag: 't' } } }, /container name/],
    [{ type: 'helm-values', file: 'v.yaml', containers: { '*': { repository: 'image..repository', tag: 't' } } }, /invalid YAML path/],
    [{ type: 'helm-values', file: 'v.yaml', surprise: true }, /surprise|Unrecognized/],
    [{ type: 'kustomize', file: 'k.yaml', images: { api: 'x' } }, /<service>\/<container>/],
    [{ type: 'kustomize', file: 'k.yaml', images: { 'api/api': 'a b' } }, /image name/],
    [{ type: 'manifests', file: 'm.yaml', workload: { kind: 'Pod' } }, /Deployment/],
    [{ type: 'sed', file: 'x' }, /type|discriminator|Invalid/],
  ])('refuses %j', (mapping, message) => {
    const r = ImageMapping.safeParse(mapping);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });

  it('refuses a huge file path or YAML path at once', () => {
    expect(fileTemplateProblem('a/'.repeat(300_000))).toMatch(/at most 512/);
    const started = performance.now();
    const r = ImageMapping.safeParse({ type: 'helm-values', file: 'v.yaml', releaseId: 'a.'.repeat(1_000_000) });
    expect(r.success).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

const minimal = {
  displayOrder: 0,
  gitops: { repoUrl: 'https://git.example.com/g.git' },
  argocd: { serverUrl: 'https://argo.example.com', tokenRef: 'env:FC_SECRET_A' },
  kubernetes: { server: 'https://k.example.com', namespace: 'dev', tokenRef: 'env:FC_SECRET_K' },
};

describe('GitopsTarget with mappings', () => {
  it('configurations stored before mappings existed still parse, without mapping fields', () => {
    const parsed = EnvironmentConfig.parse(minimal);
    expect(parsed.gitops).toEqual({
      repoUrl: 'https://git.example.com/g.git',
      branch: 'main',
      pathPattern: 'environments/{env}/{group}/values.yaml',
    });
    expect('mapping' in parsed.gitops).toBe(false);
  });

  it('takes a default mapping and per-group / per-service overrides', () => {
    const gitops = GitopsTarget.parse({
      repoUrl: 'x',
      mapping: { type: 'kustomize', file: 'overlays/{env}/kustomization.yaml' },
      groups: { core: { mapping: { type: 'flow-workloads' }, services: { api: { type: 'helm-values', file: 'apps/api/values.yaml' } } } },
    });
    expect(gitops.groups?.core?.services?.api?.type).toBe('helm-values');
    expect(GitopsTarget.safeParse({ repoUrl: 'x', groups: { Core: {} } }).success).toBe(false);
    expect(
      GitopsTarget.safeParse({ repoUrl: 'x', groups: { core: { services: { api: { type: 'flow-workloads' } }, extra: 1 } } }).success,
    ).toBe(false);
  });
});

describe('resolveMapping / mappingFor', () => {
  const helm = { type: 'helm-values' as const, file: 'apps/{service}/values-{env}.yaml' };
  const kust = { type: 'kustomize' as const, file: 'overlays/{env}/kustomization.yaml' };
  const man = { type: 'manifests' as const, file: 'k8s/{group}.yaml' };
  const gitops: MappingSettings = {
    mapping: kust,
    groups: { core: { mapping: man, services: { api: helm } }, infra: { services: { gw: helm } } },
  };

  it('service ?? group ?? environment ?? flow-workloads', () => {
    expect(resolveMapping(gitops, 'core', 'api')).toEqual({ mapping: helm, source: 'service', field: 'gitops.groups.core.services.api' });
    expect(resolveMapping(gitops, 'core', 'web')).toEqual({ mapping: man, source: 'group', field: 'gitops.groups.core.mapping' });
    expect(resolveMapping(gitops, 'infra', 'db')).toEqual({ mapping: kust, source: 'environment', field: 'gitops.mapping' });
    expect(resolveMapping(gitops, 'other', 'x').mapping).toEqual(kust);
    expect(resolveMapping({}, 'core', 'api')).toEqual({
      mapping: { type: 'flow-workloads' },
      source: 'default',
      field: 'gitops.pathPattern',
    });
    expect(mappingFor(gitops, 'infra', 'gw')).toBe(helm);
    // Inherited object keys are not group or service names.
    expect(mappingFor(gitops, 'constructor', 'toString')).toBe(kust);
    expect(mappingFor(gitops, 'core', 'constructor')).toBe(man);
  });

  it('expands placeholders', () => {
    expect(expandFile('apps/{service}/values-{env}.yaml', { env: 'prod', group: 'core', service: 'api' })).toBe(
      'apps/api/values-prod.yaml',
    );
    expect(expandFile('{env}/{group}/{env}.yaml', { env: 'dev', group: 'g' })).toBe('dev/g/dev.yaml');
  });

  it('lists the mappings a save can check without a release', () => {
    expect(resolvableMappings(gitops, 'prod')).toEqual([
      { field: 'gitops.mapping', mapping: kust, file: 'overlays/prod/kustomization.yaml' },
      { field: 'gitops.groups.core.mapping', mapping: man, file: 'k8s/core.yaml', group: 'core' },
      { field: 'gitops.groups.core.services.api', mapping: helm, file: 'apps/api/values-prod.yaml', group: 'core', service: 'api' },
      { field: 'gitops.groups.infra.services.gw', mapping: helm, file: 'apps/gw/values-prod.yaml', group: 'infra', service: 'gw' },
    ]);
    // {group}/{service} left open at a level that does not fix them; flow-workloads creates its own files.
    expect(resolvableMappings({ mapping: man, groups: { core: { mapping: helm } } }, 'prod')).toEqual([]);
    expect(resolvableMappings({ groups: { core: { mapping: { type: 'flow-workloads', file: 'x.yaml' } } } }, 'prod')).toEqual([]);
  });

  it('a flow-workloads default shared by every group must name {group}', () => {
    expect(checkImageMappings({ mapping: { type: 'flow-workloads', file: 'envs/{env}/values.yaml' } })).toEqual([
      { path: 'gitops.mapping.file', message: expect.stringContaining('{group}') },
    ]);
    expect(checkImageMappings({ mapping: { type: 'flow-workloads', file: 'envs/{env}/{group}.yaml' } })).toEqual([]);
    expect(checkImageMappings({ groups: { core: { mapping: { type: 'flow-workloads', file: 'core.yaml' } } } })).toEqual([]);
  });
});

describe('splitRegistry', () => {
  it.each([
    ['reg.example.com/org/api', 'reg.example.com', 'org/api'],
    ['localhost:5000/api', 'localhost:5000', 'api'],
    ['localhost/api', 'localhost', 'api'],
    ['org/api', 'docker.io', 'org/api'],
    ['nginx', 'docker.io', 'nginx'],
  ])('%s', (repo, registry, repository) => {
    expect(splitRegistry(repo)).toEqual({ registry, repository });
  });
});
