// charts/flow-workloads rendered by real Helm (integrations/helm.ts → helm-python-sdk) against the simulator's stand-in
// (sim/chart.ts): the values Flow Controller writes (gitops/render.ts over the sandbox's initial files, sim/rig.ts)
// must give the same objects, field by field, in both. Bad values must fail in Helm with a clear message.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../domain/descriptor.js';
import { renderEnvironment } from '../gitops/render.js';
import { HelmError, lintChart, renderChart, type Manifest } from '../integrations/helm.js';
import { ANNOTATION_TRACKING_ID, parseValues, renderWorkloads, trackingId, type DesiredWorkload } from '../sim/chart.js';
import { defaultInitialValues, sampleDescriptor } from '../sim/rig.js';

const CHART = path.join(import.meta.dirname, 'flow-workloads');
const DIGEST = `sha256:${'d'.repeat(64)}`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fc-chart-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Flow Controller's values for one promotion of `descriptor` into `env`, over `existing` files (group → text). */
function promotionValues(env: string, descriptor: Descriptor, existing: (group: string) => string | undefined, release = 'r1') {
  return renderEnvironment({
    environment: env,
    descriptor,
    releaseId: `5b0c4f2e-0000-4000-8000-00000000000${release.length}`,
    descriptorDigest: `sha256:${'a'.repeat(63)}${release.length}`,
    productVersion: '2.4.1',
    readFile: (p) => existing(p.split('/')[2] ?? ''),
  }).files;
}

/** A rendered object in the shape of sim/chart.ts's DesiredWorkload (what the simulator runs). */
function asDesired(m: Manifest): Omit<DesiredWorkload, 'annotations'> & { annotations: Record<string, string> } {
  const o = m.object as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const kind = o.kind as DesiredWorkload['kind'];
  const pod = kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
  const names = (list: { name: string; image: string }[] | undefined) => (list ?? []).map((c) => ({ name: c.name, image: c.image }));
  return {
    kind,
    name: o.metadata.name,
    namespace: o.metadata.namespace,
    // The simulator's conventions for kinds without spec.replicas (docs/gitops-layout.md "Kinds").
    replicas: kind === 'DaemonSet' ? 1 : kind === 'CronJob' ? 0 : o.spec.replicas,
    schedule: kind === 'CronJob' ? o.spec.schedule : undefined,
    labels: o.metadata.labels,
    annotations: o.metadata.annotations ?? {},
    selector:
      kind === 'CronJob'
        ? { 'app.kubernetes.io/instance': pod.metadata.labels['app.kubernetes.io/instance'], 'app.kubernetes.io/name': o.metadata.name }
        : o.spec.selector.matchLabels,
    template: {
      labels: pod.metadata.labels,
      annotations: pod.metadata.annotations ?? {},
      containers: names(pod.spec.containers),
      initContainers: names(pod.spec.initContainers),
    },
  };
}

async function compareWithSimulator(app: string, namespace: string, valuesText: string) {
  const file = path.join(dir, `${app}.yaml`);
  await writeFile(file, valuesText);
  const manifests = await renderChart({ chartDir: CHART, valueFiles: [file], releaseName: app, namespace });
  const sim = renderWorkloads(parseValues([{ name: 'values.yaml', text: valuesText }]), { app, namespace });
  const real = manifests.map(asDesired);
  expect(real.map((w) => `${w.kind}/${w.name}`).sort()).toEqual(sim.map((w) => `${w.kind}/${w.name}`).sort());
  for (const s of sim) {
    const r = real.find((w) => w.kind === s.kind && w.name === s.name);
    expect(r, `${s.kind}/${s.name}`).toBeDefined();
    // Argo CD, not the chart, adds the tracking id when it applies an object; the simulator plays Argo CD.
    expect(r?.annotations[ANNOTATION_TRACKING_ID]).toBeUndefined();
    const withTracking = { ...r, annotations: { ...r?.annotations, [ANNOTATION_TRACKING_ID]: trackingId(app, s.kind, namespace, s.name) } };
    for (const field of ['kind', 'name', 'namespace', 'replicas', 'schedule', 'labels', 'annotations', 'selector', 'template'] as const) {
      expect(withTracking[field], `${s.kind}/${s.name} ${field}`).toEqual(s[field]);
    }
  }
  return manifests;
}

describe('charts/flow-workloads with real Helm', () => {
  it('passes helm lint --strict, alone and with the values of a promotion', async () => {
    const bare = await lintChart({ chartDir: CHART, strict: true });
    expect(bare.errors).toEqual([]);
    expect(bare.ok).toBe(true);
    const [core] = promotionValues('dev', sampleDescriptor('1.4.2'), () => defaultInitialValues('dev', 'core'));
    const file = path.join(dir, 'lint.yaml');
    await writeFile(file, core?.content ?? '');
    const withValues = await lintChart({ chartDir: CHART, valueFiles: [file], namespace: 'dev', strict: true });
    expect(withValues.ok, JSON.stringify(withValues)).toBe(true);
  });

  it("renders the sandbox's promotion values into exactly the objects the simulator runs", async () => {
    // The sandbox: sim/rig.ts's initial files, then a promotion of the sample descriptor, then a second one.
    for (const [release, tag] of [
      ['r1', '1.4.2'],
      ['r22', '1.10'],
    ] as const) {
      const files = promotionValues('staging', sampleDescriptor(tag, 'stable'), (g) => defaultInitialValues('staging', g), release);
      expect(files.map((f) => f.path)).toEqual(['environments/staging/core/values.yaml', 'environments/staging/infra/values.yaml']);
      for (const f of files) {
        const group = f.path.split('/')[2] ?? '';
        const manifests = await compareWithSimulator(`staging-${group}`, 'staging', f.content);
        expect(manifests).toHaveLength(1);
      }
    }
  });

  it('renders all four kinds, digests, init containers, replicas and container order like the simulator', async () => {
    const descriptor = {
      core: {
        api: { Deployment: { containers: { zeta: { repo: 'org/api', tag: '1.10' }, alpha: { repo: 'org/side', tag: DIGEST } } } },
        db: { StatefulSet: { containers: { db: { repo: 'org/pg', tag: '16.2' } } } },
        agent: { DaemonSet: { containers: { agent: { repo: 'org/agent', tag: 'v3' } } } },
        nightly: { CronJob: { containers: { job: { repo: 'org/report', tag: '7' } } } },
      },
    } satisfies Descriptor;
    // An existing file with keys Flow Controller does not own: replicas, schedule, initContainers, containers out of order.
    const existing = [
      '# hand-written',
      'team: platform',
      'workloads:',
      '  api:',
      '    replicas: 3',
      '    containers:',
      '      zeta: { image: { repository: org/api, tag: "1.0" } }',
      '      alpha: { image: { repository: org/side, tag: "1.0" } }',
      '    initContainers:',
      `      migrate: { image: { repository: org/migrate, digest: "${DIGEST}" } }`,
      '  db: { kind: StatefulSet, replicas: 0, containers: {} }',
      '  nightly: { kind: CronJob, schedule: "0 3 * * *", containers: {} }',
      '',
    ].join('\n');
    const [core] = promotionValues('prod', descriptor, () => existing);
    const manifests = await compareWithSimulator('prod-core', 'prod', core?.content ?? '');
    expect(manifests.map((m) => `${m.object.apiVersion} ${m.object.kind}`).sort()).toEqual([
      'apps/v1 DaemonSet',
      'apps/v1 Deployment',
      'apps/v1 StatefulSet',
      'batch/v1 CronJob',
    ]);
  });

  it.each([
    ['an unknown workload kind', 'kind: Job', "at '/workloads/api/kind': value must be one of"],
    [
      'a malformed digest',
      `containers: { api: { image: { repository: org/api, digest: "sha256:XYZ" } } }`,
      '/workloads/api/containers/api/image/digest',
    ],
    [
      'an image with neither tag nor digest',
      'containers: { api: { image: { repository: org/api } } }',
      '/workloads/api/containers/api/image',
    ],
    ['negative replicas', 'replicas: -1', '/workloads/api/replicas'],
  ])('rejects %s with a clear message that does not echo the values file', async (_what, line, expected) => {
    const text = [
      'dbPassword: hunter2-do-not-echo',
      'workloads:',
      '  api:',
      `    ${line}`,
      ...(line.startsWith('containers') ? [] : ['    containers: { api: { image: { repository: org/api, tag: "1" } } }']),
      '',
    ].join('\n');
    // The simulator's stand-in rejects it too (it must never be kinder than the real chart).
    expect(() => parseValues([{ name: 'values.yaml', text }])).toThrow();
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, text);
    const err = await renderChart({ chartDir: CHART, valueFiles: [file], releaseName: 'dev-core', namespace: 'dev' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HelmError);
    expect((err as HelmError).code).toBe('values');
    expect((err as HelmError).message).toContain(expected);
    expect((err as HelmError).message).not.toContain('hunter2');
  });

  it('reports a values file that is not YAML, a missing file and a missing chart by code, without content', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'token: hunter2-do-not-echo\n  nested: : [\n');
    const broken = (await renderChart({ chartDir: CHART, valueFiles: [file], releaseName: 'a', namespace: 'dev' }).catch(
      (e: unknown) => e,
    )) as HelmError;
    expect(broken.code).toBe('values');
    expect(broken.message).toContain(`values file ${file}`);
    expect(broken.message).not.toContain('hunter2');
    const missing = (await renderChart({
      chartDir: CHART,
      valueFiles: [path.join(dir, 'nope.yaml')],
      releaseName: 'a',
      namespace: 'dev',
    }).catch((e: unknown) => e)) as HelmError;
    expect(missing.code).toBe('io');
    const noChart = (await renderChart({ chartDir: dir, releaseName: 'a', namespace: 'dev' }).catch((e: unknown) => e)) as HelmError;
    expect(noChart.code).toBe('chart-load');
    const noHelm = (await renderChart({ chartDir: CHART, releaseName: 'a', namespace: 'dev', python: path.join(dir, 'no-python') }).catch(
      (e: unknown) => e,
    )) as HelmError;
    expect(noHelm.code).toBe('unavailable');
  });
});
