import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseValues, renderWorkloads } from '../sim/chart.js';
import type { Descriptor } from '../domain/descriptor.js';
import { renderEnvironment, renderValuesFile, ValuesRenderError, type RenderValuesInput } from './render.js';

const RELEASE = 'b7e6c1e2-2c3a-4e2a-8e2b-1c2d3e4f5a6b';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const IMAGE_DIGEST = `sha256:${'b'.repeat(64)}`;

/** The example of the seed text ("Engineering the Release Bus"), its <RELEASE_TAG> filled. */
const SEED_DESCRIPTOR: Descriptor = {
  core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '2.4.1' } } } } },
  infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
};

const EXISTING = `# Values for core in staging
# owned by team core

global:
  domain: staging.example.com # do not change

flowController:
  releaseId: old-id
  descriptorDigest: "sha256:${'1'.repeat(64)}"
  productVersion: 1.10

workloads:
  # the public API
  api:
    kind: Deployment
    replicas: 3 # scaled for the load test
    resources:
      limits: { cpu: 500m }
    containers:
      api:
        image:
          repository: org/api
          tag: 1.2 # set by Flow Controller
        env: [ A, B ]
      sidecar:
        image: { repository: org/sidecar, tag: "x" }
    initContainers:
      migrate:
        image: { repository: org/migrate, tag: "7" }
  legacy:
    kind: Deployment
    containers:
      legacy:
        image:
          repository: org/legacy
          tag: "1"
`;

function input(over: Partial<RenderValuesInput> = {}): RenderValuesInput {
  return {
    existing: EXISTING,
    environment: 'staging',
    group: 'core',
    releaseId: RELEASE,
    descriptorDigest: DIGEST,
    productVersion: '1.10',
    services: {
      api: { Deployment: { containers: { api: { repo: 'org/api', tag: '2.0.0' } } } },
      worker: { StatefulSet: { containers: { worker: { repo: 'org/worker', tag: IMAGE_DIGEST } } } },
    },
    ...over,
  };
}

/** Every container image the simulator's chart renders from `text`, as `service/container → image`. */
function chartImages(text: string): Record<string, string> {
  const workloads = renderWorkloads(parseValues([{ name: 'values.yaml', text }]), { app: 'app', namespace: 'ns' });
  return Object.fromEntries(workloads.flatMap((w) => w.template.containers.map((c) => [`${w.name}/${c.name}`, c.image])));
}

function descriptorImages(services: NonNullable<Descriptor[string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [service, byKind] of Object.entries(services)) {
    for (const workload of Object.values(byKind)) {
      for (const [c, { repo, tag }] of Object.entries(workload.containers)) {
        out[`${service}/${c}`] = tag.startsWith('sha256:') ? `${repo}@${tag}` : `${repo}:${tag}`;
      }
    }
  }
  return out;
}

describe('renderValuesFile', () => {
  it('keeps comments, unrelated keys and their order', () => {
    const { content, changed } = renderValuesFile(input());
    expect(changed).toBe(true);
    for (const kept of [
      '# Values for core in staging\n# owned by team core\n',
      'domain: staging.example.com # do not change',
      '  # the public API\n  api:',
      'replicas: 3 # scaled for the load test',
      'limits: { cpu: 500m }',
      'env: [ A, B ]',
      'migrate:\n        image: { repository: org/migrate, tag: "7" }',
    ]) {
      expect(content).toContain(kept);
    }
    const values = parse(content) as Record<string, unknown>;
    expect(Object.keys(values)).toEqual(['global', 'flowController', 'workloads']);
    expect(values.global).toEqual({ domain: 'staging.example.com' });
  });

  it('turns an empty flow map (`workloads: {}`) into a block map when filling it', () => {
    const { content } = renderValuesFile(input({ existing: '# seeded\nworkloads: {}\n' }));
    expect(content).not.toContain('{');
    expect(content).toMatch(/^workloads:\n {2}api:\n/m);
  });

  it('writes flowController and the images as quoted strings', () => {
    const { content } = renderValuesFile(input());
    expect(content).toContain(`flowController:\n  releaseId: "${RELEASE}"\n  descriptorDigest: "${DIGEST}"\n  productVersion: "1.10"\n`);
    const values = parse(content) as { flowController: unknown; workloads: Record<string, { kind: string; containers: unknown }> };
    expect(values.flowController).toEqual({ releaseId: RELEASE, descriptorDigest: DIGEST, productVersion: '1.10' });
    expect(values.workloads.api?.containers).toEqual({ api: { image: { repository: 'org/api', tag: '2.0.0' }, env: ['A', 'B'] } });
    expect(values.workloads.worker).toEqual({
      kind: 'StatefulSet',
      containers: { worker: { image: { repository: 'org/worker', digest: IMAGE_DIGEST } } },
    });
    expect(content).toContain('tag: "2.0.0" # set by Flow Controller');
  });

  it('switches tag ↔ digest in place and removes the stale one', () => {
    const toDigest = renderValuesFile(
      input({ services: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: IMAGE_DIGEST } } } } } }),
    ).content;
    expect(toDigest).toContain(`repository: org/api\n          digest: "${IMAGE_DIGEST}" # set by Flow Controller\n`);
    expect(toDigest).not.toMatch(/^\s+tag: "?1\.2/m);
    const back = renderValuesFile(
      input({ existing: toDigest, services: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '3' } } } } } }),
    ).content;
    expect(back).toContain('repository: org/api\n          tag: "3" # set by Flow Controller\n');
    expect(back).not.toContain(IMAGE_DIGEST);
  });

  it('removes services and containers that are not in the descriptor, keeps initContainers', () => {
    const values = parse(renderValuesFile(input()).content) as { workloads: Record<string, Record<string, unknown>> };
    expect(Object.keys(values.workloads)).toEqual(['api', 'worker']);
    expect(Object.keys(values.workloads.api?.containers as object)).toEqual(['api']);
    expect(values.workloads.api?.initContainers).toEqual({ migrate: { image: { repository: 'org/migrate', tag: '7' } } });
  });

  it('is deterministic and a fixed point', () => {
    const a = renderValuesFile(input());
    const b = renderValuesFile(input());
    expect(b.content).toBe(a.content);
    const again = renderValuesFile(input({ existing: a.content }));
    expect(again).toEqual({ content: a.content, changed: false });
    // Service order in the descriptor object does not matter.
    const reversed = input();
    reversed.services = Object.fromEntries(Object.entries(reversed.services).reverse());
    expect(renderValuesFile(reversed).content).toBe(a.content);
  });

  it('creates a new file with sorted names and fixed field order', () => {
    const { content, changed } = renderValuesFile(
      input({
        existing: undefined,
        services: {
          zeta: { Deployment: { containers: { b: { repo: 'org/z', tag: '1' }, a: { repo: 'org/z-a', tag: '01' } } } },
          alpha: { CronJob: { containers: { job: { repo: 'org/job', tag: 'true' } } } },
        },
      }),
    );
    expect(changed).toBe(true);
    expect(content).toMatch(/^# Values for this group, rendered by Flow Controller/);
    expect(content).toContain(
      [
        'workloads:',
        '  alpha:',
        '    kind: CronJob',
        '    containers:',
        '      job:',
        '        image:',
        '          repository: org/job',
        '          tag: "true"',
        '  zeta:',
        '    kind: Deployment',
        '    containers:',
        '      a:',
        '        image:',
        '          repository: org/z-a',
        '          tag: "01"',
        '      b:',
      ].join('\n'),
    );
  });

  it('handles empty and comment-only files and null sections', () => {
    for (const existing of ['', '# just a comment\n', 'workloads:\nflowController: ~\n']) {
      const { content } = renderValuesFile(input({ existing }));
      expect(chartImages(content)).toEqual(descriptorImages(input().services));
      if (existing.startsWith('#')) expect(content.startsWith('# just a comment\n')).toBe(true);
    }
  });

  it('rejects malformed YAML and invalid descriptors with ValuesRenderError', () => {
    expect(() => renderValuesFile(input({ existing: 'a: [1,\n' }))).toThrow(ValuesRenderError);
    expect(() => renderValuesFile(input({ existing: '- a\n- b\n' }))).toThrow(/mapping/);
    expect(() => renderValuesFile(input({ services: { api: { Deployment: { containers: {} } } } }))).toThrow(/at least one container/);
    expect(() => renderValuesFile(input({ services: { api: {} } }))).toThrow(/exactly one workload kind/);
    expect(() => renderValuesFile(input({ services: { API_: { Deployment: { containers: { a: { repo: 'x', tag: '1' } } } } } }))).toThrow(
      /DNS label/,
    );
  });

  it('round-trips through the simulator chart: rendered images are exactly the descriptor', () => {
    const { content } = renderValuesFile(input());
    expect(chartImages(content)).toEqual(descriptorImages(input().services));
    const workloads = renderWorkloads(parseValues([{ name: 'values.yaml', text: content }]), { app: 'staging-core', namespace: 'staging' });
    const api = workloads.find((w) => w.name === 'api');
    expect(api?.replicas).toBe(3);
    expect(api?.annotations['flow-controller.io/release-id']).toBe(RELEASE);
    expect(api?.annotations['flow-controller.io/descriptor-digest']).toBe(DIGEST);
    expect(api?.labels['app.kubernetes.io/version']).toBe('1.10');
    expect(workloads.find((w) => w.name === 'worker')?.kind).toBe('StatefulSet');
  });
});

describe('renderEnvironment', () => {
  it('renders one file per group of the seed descriptor, through the chart exactly', () => {
    const files = new Map<string, string>([['environments/staging/infra/values.yaml', '# infra, hand-written\nextra: true\n']]);
    const { files: out } = renderEnvironment({
      environment: 'staging',
      descriptor: SEED_DESCRIPTOR,
      releaseId: RELEASE,
      descriptorDigest: DIGEST,
      productVersion: '2.4.1',
      readFile: (p) => files.get(p),
    });
    expect(out.map((f) => f.path)).toEqual(['environments/staging/core/values.yaml', 'environments/staging/infra/values.yaml']);
    expect(out.every((f) => f.changed)).toBe(true);
    expect(chartImages(out[0]?.content ?? '')).toEqual({ 'api/api': 'org/api:2.4.1' });
    expect(chartImages(out[1]?.content ?? '')).toEqual({ 'gateway/gateway': 'org/gateway:stable' });
    expect(out[1]?.content).toMatch(/^# infra, hand-written\nextra: true\n/);

    for (const f of out) files.set(f.path, f.content);
    const again = renderEnvironment({
      environment: 'staging',
      descriptor: SEED_DESCRIPTOR,
      releaseId: RELEASE,
      descriptorDigest: DIGEST,
      productVersion: '2.4.1',
      readFile: (p) => files.get(p),
    });
    expect(again.files.map((f) => f.changed)).toEqual([false, false]);
  });

  it('uses the path pattern and refuses patterns that escape or collapse groups', () => {
    const base = {
      environment: 'dev',
      descriptor: SEED_DESCRIPTOR,
      releaseId: RELEASE,
      descriptorDigest: DIGEST,
      productVersion: '1',
      readFile: () => undefined,
    };
    expect(renderEnvironment({ ...base, pathPattern: 'apps/{group}/values-{env}.yaml' }).files.map((f) => f.path)).toEqual([
      'apps/core/values-dev.yaml',
      'apps/infra/values-dev.yaml',
    ]);
    expect(() => renderEnvironment({ ...base, pathPattern: '../{group}.yaml' })).toThrow(ValuesRenderError);
    expect(() => renderEnvironment({ ...base, pathPattern: 'envs/{env}/values.yaml' })).toThrow(/\{group\}/);
    expect(() => renderEnvironment({ ...base, environment: '../prod' })).toThrow(ValuesRenderError);
  });
});
