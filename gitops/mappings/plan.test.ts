// renderEnvironment across image mappings: which files a release writes (services sharing a file, a group's
// flow-workloads file listing only its flow-workloads services), idempotence over the whole plan, the planning
// errors, and the paths a promotion of the environment may touch (mappedPathMatcher).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Descriptor } from '../../domain/descriptor.js';
import type { MappingSettings } from '../../domain/image-mapping.js';
import { plannedPaths, renderEnvironment } from '../render.js';
import { mappedPathMatcher, planEnvironment } from './plan.js';

const descriptor: Descriptor = {
  core: {
    api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1.4.2' } } } },
    web: { Deployment: { containers: { web: { repo: 'org/web', tag: '2.0.0' } } } },
    worker: { Deployment: { containers: { worker: { repo: 'org/worker', tag: '1.4.2' } } } },
  },
  infra: {
    gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } },
    report: { CronJob: { containers: { report: { repo: 'org/report', tag: '0.3' } } } },
  },
};

const mappings: MappingSettings = {
  groups: {
    core: {
      services: {
        api: { type: 'helm-values', file: 'apps/{service}/values-{env}.yaml', releaseId: 'podAnnotations.releaseId' },
        worker: { type: 'kustomize', file: 'overlays/{env}/kustomization.yaml' },
      },
    },
    infra: {
      mapping: { type: 'kustomize', file: 'overlays/{env}/kustomization.yaml' },
      services: { report: { type: 'manifests', file: 'k8s/{env}/{service}.yaml' } },
    },
  },
};

const repo: Record<string, string> = {
  'apps/api/values-prod.yaml': '# api chart values\nimage:\n  repository: org/api\n  tag: "1.0.0"\npodAnnotations:\n  releaseId: ""\n',
  'overlays/prod/kustomization.yaml': 'resources:\n- ../../base\nimages:\n- name: org/worker\n  newTag: "1.0.0"\n',
  'k8s/prod/report.yaml':
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: report}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - {name: report, image: "org/report:0.1"}\n',
};

const base = {
  environment: 'prod',
  descriptor,
  releaseId: '6f1c2b7e-1111-4222-8333-444455556666',
  descriptorDigest: `sha256:${'d'.repeat(64)}`,
  productVersion: '1.4.2',
};

describe('renderEnvironment with image mappings', () => {
  it('plans every file of the release; services share files; flow-workloads lists only its own services', () => {
    const plans = planEnvironment({ environment: 'prod', descriptor, ...mappings });
    expect(plans.map((p) => [p.path, p.type, p.services.map((s) => `${s.group}/${s.service}`)])).toEqual([
      ['apps/api/values-prod.yaml', 'helm-values', ['core/api']],
      ['environments/prod/core/values.yaml', 'flow-workloads', ['core/web']],
      ['overlays/prod/kustomization.yaml', 'kustomize', ['core/worker', 'infra/gateway']],
      ['k8s/prod/report.yaml', 'manifests', ['infra/report']],
    ]);
    expect(plannedPaths({ environment: 'prod', descriptor, ...mappings })).toEqual(plans.map((p) => p.path));

    const { files } = renderEnvironment({ ...base, ...mappings, readFile: (p) => repo[p] });
    const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
    expect(files.every((f) => f.changed)).toBe(true);
    expect(byPath['apps/api/values-prod.yaml']?.content).toBe(
      `# api chart values\nimage:\n  repository: org/api\n  tag: "1.4.2"\npodAnnotations:\n  releaseId: "${base.releaseId}"\n`,
    );
    const values = parse(byPath['environments/prod/core/values.yaml']?.content ?? '') as { workloads: Record<string, unknown> };
    expect(Object.keys(values.workloads)).toEqual(['web']);
    expect(byPath['overlays/prod/kustomization.yaml']?.content).toBe(
      'resources:\n- ../../base\nimages:\n- name: org/worker\n  newTag: "1.4.2"\n- name: org/gateway\n  newTag: "stable"\n',
    );
    expect(byPath['k8s/prod/report.yaml']?.content).toContain('image: "org/report:0.3"');

    // Rendering what was rendered changes nothing, file by file.
    const written = { ...repo, ...Object.fromEntries(files.map((f) => [f.path, f.content])) };
    const again = renderEnvironment({ ...base, ...mappings, readFile: (p) => written[p] });
    expect(again.files.map((f) => f.changed)).toEqual([false, false, false, false]);
  });

  it('without mappings it is the flow-workloads layout of old', () => {
    expect(plannedPaths({ environment: 'prod', descriptor })).toEqual([
      'environments/prod/core/values.yaml',
      'environments/prod/infra/values.yaml',
    ]);
    expect(plannedPaths({ environment: 'prod', descriptor, pathPattern: 'apps/{group}/values-{env}.yaml' })).toEqual([
      'apps/core/values-prod.yaml',
      'apps/infra/values-prod.yaml',
    ]);
  });

  it('a mapped file that does not exist is an error naming it, the services and the field', () => {
    expect(() => renderEnvironment({ ...base, ...mappings, readFile: (p) => (p.startsWith('apps/') ? undefined : repo[p]) })).toThrow(
      /apps\/api\/values-prod\.yaml not found: the helm-values mapping of core\/api \(gitops\.groups\.core\.services\.api\) writes into it/,
    );
  });

  it('refuses plans that cannot be written', () => {
    const plan = (m: MappingSettings) => () => planEnvironment({ environment: 'prod', descriptor, ...m });
    expect(
      plan({ mapping: { type: 'helm-values', file: 'all.yaml' }, groups: { infra: { mapping: { type: 'kustomize', file: 'all.yaml' } } } }),
    ).toThrow(
      /all\.yaml is mapped as helm-values \(gitops\.mapping\) and as kustomize \(gitops\.groups\.infra\.mapping\): one file, one mapping type/,
    );
    expect(
      plan({
        groups: {
          core: { mapping: { type: 'flow-workloads', file: 'same.yaml' } },
          infra: { mapping: { type: 'flow-workloads', file: 'same.yaml' } },
        },
      }),
    ).toThrow(/same\.yaml would be the flow-workloads file of groups core and infra/);
    expect(plan({ mapping: { type: 'flow-workloads', file: 'envs/{env}/values.yaml' } })).toThrow(/must contain \{group\}/);
    expect(plan({ pathPattern: '../{group}.yaml' })).toThrow(/must be a normalized path/);
    expect(() => planEnvironment({ environment: 'prod', descriptor: { core: { api: {} } } })).toThrow(/exactly one workload kind/);
  });
});

describe('mappedPathMatcher', () => {
  it("owns exactly the files the environment's mappings name", () => {
    const owns = mappedPathMatcher({ pathPattern: 'environments/{env}/{group}/values.yaml', ...mappings }, 'prod');
    for (const p of [
      'environments/prod/core/values.yaml',
      'environments/prod/anything/values.yaml',
      'apps/api/values-prod.yaml',
      'overlays/prod/kustomization.yaml',
      'k8s/prod/report.yaml',
    ]) {
      expect(owns(p), p).toBe(true);
    }
    for (const p of [
      'environments/staging/core/values.yaml',
      'apps/web/values-prod.yaml', // only core/api is mapped there
      'apps/api/values-staging.yaml',
      'overlays/staging/kustomization.yaml',
      'k8s/prod/gateway.yaml',
      'base/deployment.yaml',
      'README.md',
    ]) {
      expect(owns(p), p).toBe(false);
    }
    // An environment default that is not flow-workloads: pathPattern files are no longer this environment's to write.
    const kustomizeOnly = mappedPathMatcher({ mapping: { type: 'kustomize', file: 'overlays/{env}/kustomization.yaml' } }, 'prod');
    expect(kustomizeOnly('overlays/prod/kustomization.yaml')).toBe(true);
    expect(kustomizeOnly('environments/prod/core/values.yaml')).toBe(false);
  });
});
