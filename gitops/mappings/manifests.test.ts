// The manifests editor: container `image:` fields of plain Kubernetes YAML in multi-document files, matched by
// workload kind/name and container name (initContainers too, CronJob's jobTemplate), release annotations on the
// pod template, untouched documents copied byte for byte, idempotence and errors.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ManifestsMapping } from '../../domain/image-mapping.js';
import type { WorkloadKind } from '../../domain/descriptor.js';
import { editManifests, manifestsProblems } from './manifests.js';
import type { MappedService } from './types.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const release = {
  releaseId: '6f1c2b7e-1111-4222-8333-444455556666',
  descriptorDigest: `sha256:${'d'.repeat(64)}`,
  productVersion: '1.4.2',
};

function svc(
  service: string,
  containers: Record<string, { repo: string; tag: string }>,
  mapping: Omit<ManifestsMapping, 'type' | 'file'> = {},
  kind: WorkloadKind = 'Deployment',
): MappedService<ManifestsMapping> {
  return {
    group: 'core',
    service,
    kind,
    containers,
    mapping: { type: 'manifests', file: 'k8s/{env}/app.yaml', ...mapping },
    field: `gitops.groups.core.services.${service}`,
  };
}
const edit = (existing: string, services: Array<MappedService<ManifestsMapping>>) =>
  editManifests({ file: 'k8s/prod/app.yaml', existing, services, release });

const SERVICE_DOC = `# The api's service
apiVersion: v1
kind: Service
metadata: {name: api}   # same name as the Deployment
spec:
  ports: [{port: 80}]
`;
const DEPLOYMENT_DOC = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 3   # hand-tuned
  template:
    metadata:
      labels: {app: api}
    spec:
      initContainers:
      - name: migrate
        image: org/api:1.0.0   # same image as the app
      containers:
      - name: api
        image: "org/api:1.0.0"
        ports: [{containerPort: 8080}]
      - name: proxy
        image: envoyproxy/envoy:v1.30
`;
const CRONJOB_DOC = `---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: org/report:0.1
          restartPolicy: OnFailure
`;
const FILE = SERVICE_DOC + DEPLOYMENT_DOC + CRONJOB_DOC;

describe('editManifests', () => {
  it('edits the matching workload only; every other byte stays', () => {
    const api = svc('api', { api: { repo: 'org/api', tag: '1.4.2' }, migrate: { repo: 'org/api', tag: '1.4.2' } });
    const { content, changed } = edit(FILE, [api]);
    expect(changed).toBe(true);
    expect(content).toBe(
      FILE.replace('image: org/api:1.0.0   # same', 'image: org/api:1.4.2   # same').replace(
        'image: "org/api:1.0.0"',
        'image: "org/api:1.4.2"',
      ),
    );
    expect(edit(content, [api])).toEqual({ content, changed: false });
  });

  it('CronJob (jobTemplate) and a digest', () => {
    const report = svc('report', { report: { repo: 'org/report', tag: DIGEST } }, {}, 'CronJob');
    const { content } = edit(FILE, [report]);
    expect(content).toBe(FILE.replace('image: org/report:0.1', `image: org/report@${DIGEST}`));
  });

  it('release annotations on the pod template: that document is re-printed, the others copied', () => {
    const api = svc('api', { api: { repo: 'org/api', tag: '1.4.2' } }, { releaseAnnotations: true });
    const { content } = edit(FILE, [api]);
    const docs = parseAllDocuments(content).map((d) => d.toJS() as unknown);
    expect(docs.map((d) => (d as { kind: string }).kind)).toEqual(['Service', 'Deployment', 'CronJob']);
    const template = (docs[1] as { spec: { template: { metadata: { labels: unknown; annotations: unknown } } } }).spec.template;
    expect(template.metadata).toEqual({
      labels: { app: 'api' },
      annotations: { 'flow-controller.io/release-id': release.releaseId, 'flow-controller.io/descriptor-digest': release.descriptorDigest },
    });
    expect(content.startsWith(SERVICE_DOC)).toBe(true);
    expect(content.endsWith(CRONJOB_DOC)).toBe(true);
    expect(content).toContain('replicas: 3 # hand-tuned\n');
    expect(content).toContain('      - name: api\n        image: "org/api:1.4.2"\n'); // the file's unindented list style
    expect(edit(content, [api]).changed).toBe(false);
  });

  it('a mapped workload name and kind; several services in one file; deterministic', () => {
    const file = DEPLOYMENT_DOC.replace('name: api\n  labels', 'name: api-server\n  labels') + CRONJOB_DOC;
    const services = [
      svc('api', { api: { repo: 'org/api', tag: '2.0.0' } }, { workload: { name: 'api-server' } }),
      svc('nightly', { report: { repo: 'org/report', tag: '0.2' } }, { workload: { kind: 'CronJob', name: 'report' } }, 'Deployment'),
    ];
    const a = edit(file, services);
    expect(a.content).toBe(file.replace('"org/api:1.0.0"', '"org/api:2.0.0"').replace('org/report:0.1', 'org/report:0.2'));
    expect(edit(file, [...services].reverse()).content).toBe(a.content);
  });

  it('errors name the file, the workload and the container', () => {
    const cases: Array<[string, Array<MappedService<ManifestsMapping>>, RegExp]> = [
      [FILE, [svc('web', { web: { repo: 'org/web', tag: '1' } })], /k8s\/prod\/app\.yaml: no Deployment web \(service core\/web\)/],
      [FILE, [svc('api', { api: { repo: 'org/api', tag: '1' } }, {}, 'StatefulSet')], /no StatefulSet api/],
      [
        FILE,
        [svc('api', { sidecar: { repo: 'x', tag: '1' } })],
        /Deployment api has no container "sidecar" \(service core\/api; containers and initContainers: api, proxy, migrate\)/,
      ],
      [DEPLOYMENT_DOC + DEPLOYMENT_DOC, [svc('api', { api: { repo: 'x', tag: '1' } })], /several documents are Deployment api/],
      [
        'kind: Deployment\nmetadata: {name: api}\n',
        [svc('api', { api: { repo: 'x', tag: '1' } })],
        /Deployment api has no spec\.template\.spec/,
      ],
      [
        'kind: Deployment\nmetadata: {name: api}\nspec: {template: {spec: {containers: [{name: api, image: {a: 1}}]}}}\n',
        [svc('api', { api: { repo: 'x', tag: '1' } })],
        /container api image is not a scalar/,
      ],
      ['a: [\n---\nb: 1\n', [svc('api', { api: { repo: 'x', tag: '1' } })], /not valid YAML/],
      ['', [svc('api', { api: { repo: 'x', tag: '1' } })], /no Deployment api/],
    ];
    for (const [file, services, message] of cases) expect(() => edit(file, services), String(message)).toThrow(message);
  });

  it('two services writing one container with different images are refused', () => {
    const a = svc('api', { api: { repo: 'org/api', tag: '1' } });
    const b = svc('api2', { api: { repo: 'org/api', tag: '2' } }, { workload: { name: 'api' } });
    expect(() => edit(FILE, [a, b])).toThrow(/Deployment api container api is written by core\/api and by core\/api2/);
  });

  it('the save-time check finds the workload when its name is known', () => {
    const m: ManifestsMapping = { type: 'manifests', file: 'app.yaml' };
    expect(manifestsProblems('gitops.groups.core.services.api', 'app.yaml', FILE, m, 'api')).toEqual([]);
    expect(manifestsProblems('gitops.groups.core.services.web', 'app.yaml', FILE, m, 'web')).toEqual([
      { field: 'gitops.groups.core.services.web.file', file: 'app.yaml', message: 'app.yaml has no workload named web' },
    ]);
    expect(
      manifestsProblems('gitops.groups.core.mapping', 'app.yaml', FILE, { ...m, workload: { kind: 'CronJob', name: 'api' } }, undefined),
    ).toEqual([{ field: 'gitops.groups.core.mapping.workload', file: 'app.yaml', message: 'app.yaml has no CronJob named api' }]);
    expect(manifestsProblems('gitops.groups.core.mapping', 'app.yaml', FILE, m, undefined)).toEqual([]);
    expect(manifestsProblems('gitops.mapping', 'app.yaml', 'a: [\n', m, undefined)[0]?.message).toMatch(/not valid YAML/);
  });
});
