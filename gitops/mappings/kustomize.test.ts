// The kustomize editor: the `images:` list (name / newName / newTag / digest), entries of other images untouched,
// new entries appended sorted, the list style of the file kept, commonAnnotations, idempotence, errors — and what
// real kustomize (the official binary, integrations/kustomize.ts) builds from the edited overlay.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KustomizeMapping } from '../../domain/image-mapping.js';
import { editKustomization, kustomizationProblems } from './kustomize.js';
import { kustomizeBinary } from '../../integrations/kustomize.js';
import type { MappedService } from './types.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const release = {
  releaseId: '6f1c2b7e-1111-4222-8333-444455556666',
  descriptorDigest: `sha256:${'d'.repeat(64)}`,
  productVersion: '1.4.2',
};

function svc(
  service: string,
  containers: Record<string, { repo: string; tag: string }>,
  mapping: Omit<KustomizeMapping, 'type' | 'file'> = {},
): MappedService<KustomizeMapping> {
  return {
    group: 'core',
    service,
    kind: 'Deployment',
    containers,
    mapping: { type: 'kustomize', file: 'overlays/{env}/kustomization.yaml', ...mapping },
    field: 'gitops.mapping',
  };
}
const edit = (existing: string, services: Array<MappedService<KustomizeMapping>>) =>
  editKustomization({ file: 'overlays/prod/kustomization.yaml', existing, services, release });

const OVERLAY = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
resources:
- ../../base   # the shared base
images:
- name: org/api
  newTag: "1.0.0"   # bumped by CI until now
- name: redis      # not ours
  newTag: 7.2-alpine
patches:
- path: replicas.yaml
`;

describe('editKustomization', () => {
  it('changes only the newTag of the matching entry, byte for byte', () => {
    const { content, changed } = edit(OVERLAY, [svc('api', { api: { repo: 'org/api', tag: '1.4.2' } })]);
    expect(changed).toBe(true);
    expect(content).toBe(OVERLAY.replace('newTag: "1.0.0"   #', 'newTag: "1.4.2"   #'));
    expect(edit(content, [svc('api', { api: { repo: 'org/api', tag: '1.4.2' } })])).toEqual({ content, changed: false });
  });

  it('tag ↔ digest renames the key in place; newName only when the repository differs from the name', () => {
    const pinned = edit(OVERLAY, [
      svc('api', { api: { repo: 'reg.example.com/org/api', tag: DIGEST } }, { images: { 'api/api': 'org/api' } }),
    ]).content;
    expect(pinned).toContain(`- name: org/api\n  newName: reg.example.com/org/api\n  digest: "${DIGEST}" # bumped by CI until now\n`);
    expect(pinned).toContain('- ../../base # the shared base\n'); // the document was re-printed: list style kept, spacing normalised
    expect(pinned).toContain('- name: redis # not ours\n  newTag: 7.2-alpine\n');
    const back = edit(pinned, [svc('api', { api: { repo: 'org/api', tag: '1.5.0' } })]).content;
    expect(back).toContain('- name: org/api\n  newTag: "1.5.0" # bumped by CI until now\n');
    expect(back).not.toContain('newName');
    expect(back).not.toContain('digest');
  });

  it("new entries are appended sorted by name, in the file's list style; determinism and idempotence", () => {
    const services = [
      svc('web', { web: { repo: 'org/web', tag: '2.0' }, nginx: { repo: 'nginx', tag: '1.27' } }),
      svc('api', { api: { repo: 'org/api', tag: '1.4.2' } }),
    ];
    const { content } = edit(OVERLAY, services);
    expect(content).toContain(
      '- name: org/api\n  newTag: "1.4.2" # bumped by CI until now\n- name: redis # not ours\n  newTag: 7.2-alpine\n' +
        '- name: nginx\n  newTag: "1.27"\n- name: org/web\n  newTag: "2.0"\npatches:\n',
    );
    expect(edit(OVERLAY, [...services].reverse()).content).toBe(content);
    expect(edit(content, services).changed).toBe(false);
  });

  it('creates the images list, and commonAnnotations with releaseAnnotations', () => {
    const { content } = edit('resources:\n  - ../../base\n', [
      svc('api', { api: { repo: 'org/api', tag: '1.4.2' } }, { releaseAnnotations: true }),
    ]);
    expect(content).toBe(
      'resources:\n  - ../../base\nimages:\n  - name: org/api\n    newTag: "1.4.2"\ncommonAnnotations:\n' +
        `  flow-controller.io/release-id: "${release.releaseId}"\n  flow-controller.io/descriptor-digest: "${release.descriptorDigest}"\n`,
    );
    const next = edit(content, [svc('api', { api: { repo: 'org/api', tag: '1.4.2' } }, { releaseAnnotations: true })]);
    expect(next.changed).toBe(false);
  });

  it('refuses what it cannot edit, naming the file', () => {
    const api = [svc('api', { api: { repo: 'org/api', tag: '1' } })];
    expect(() => edit('images: {a: 1}\n', api)).toThrow(/overlays\/prod\/kustomization\.yaml: images is not a list/);
    expect(() => edit('images:\n- name: org/api\n- name: org/api\n', api)).toThrow(/several images entries are named "org\/api"/);
    expect(() =>
      edit('commonAnnotations: [a]\n', [svc('api', { api: { repo: 'org/api', tag: '1' } }, { releaseAnnotations: true })]),
    ).toThrow(/commonAnnotations is not a mapping/);
    expect(() => edit('images: [\n', api)).toThrow(/not valid YAML/);
    // Two services that want one image name to hold different tags.
    expect(() =>
      edit(OVERLAY, [svc('api', { api: { repo: 'org/api', tag: '1' } }), svc('worker', { worker: { repo: 'org/api', tag: '2' } })]),
    ).toThrow(/images entry "org\/api" is written by core\/api container api and by core\/worker container worker/);
  });

  it('the save-time check reads the shape only', () => {
    const m: KustomizeMapping = { type: 'kustomize', file: 'k.yaml', releaseAnnotations: true };
    expect(kustomizationProblems('gitops.mapping', 'k.yaml', OVERLAY, m)).toEqual([]);
    expect(kustomizationProblems('gitops.mapping', 'k.yaml', 'images: 3\n', m)).toEqual([
      { field: 'gitops.mapping.file', file: 'k.yaml', message: 'k.yaml: images is not a list' },
    ]);
    expect(kustomizationProblems('gitops.mapping', 'k.yaml', 'commonAnnotations: x\n', m)[0]?.field).toBe(
      'gitops.mapping.releaseAnnotations',
    );
  });

  it("real kustomize builds the edited overlay into the descriptor's images and annotations", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fc-kustomize-'));
    try {
      await mkdir(join(dir, 'base'));
      await mkdir(join(dir, 'overlays', 'prod'), { recursive: true });
      await writeFile(join(dir, 'base', 'kustomization.yaml'), 'resources:\n- deployment.yaml\n');
      await writeFile(
        join(dir, 'base', 'deployment.yaml'),
        `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      initContainers:
      - { name: migrate, image: "org/api:0.0.1" }
      containers:
      - { name: api, image: "org/api:0.0.1" }
      - { name: cache, image: redis }
`,
      );
      const overlay = 'resources:\n- ../../base\nimages:\n- name: redis\n  newTag: 7.2-alpine\n';
      const edited = edit(overlay, [
        svc(
          'api',
          { api: { repo: 'reg.example.com/org/api', tag: DIGEST } },
          { images: { 'api/api': 'org/api' }, releaseAnnotations: true },
        ),
      ]);
      await writeFile(join(dir, 'overlays', 'prod', 'kustomization.yaml'), edited.content);
      const { stdout } = await promisify(execFile)(kustomizeBinary(), ['build', join(dir, 'overlays', 'prod')]);
      const [deployment] = parseAllDocuments(stdout).map((d) => d.toJS() as unknown);
      const template = (
        deployment as {
          spec: { template: { metadata: { annotations: Record<string, string> }; spec: Record<string, Array<{ image: string }>> } };
        }
      ).spec.template;
      expect(template.spec.containers?.map((c) => c.image)).toEqual([`reg.example.com/org/api@${DIGEST}`, 'redis:7.2-alpine']);
      expect(template.spec.initContainers?.map((c) => c.image)).toEqual([`reg.example.com/org/api@${DIGEST}`]);
      expect(template.metadata.annotations).toEqual({
        'flow-controller.io/release-id': release.releaseId,
        'flow-controller.io/descriptor-digest': release.descriptorDigest,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
