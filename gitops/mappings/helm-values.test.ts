// The helm-values editor: in-place edits that change only the image lines (comments, their spacing, key order,
// quoting and unrelated keys untouched), the bitnami registry/repository split and digest convention,
// per-container lists selected by name, determinism, idempotence, conflicts and clear errors. One case renders
// the edited values through a real Helm chart (integrations/helm.ts).
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HelmValuesMapping } from '../../domain/image-mapping.js';
import { renderChart } from '../../integrations/helm.js';
import { ValuesRenderError } from '../errors.js';
import { editHelmValues, helmValuesProblems } from './helm-values.js';
import type { MappedService } from './types.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const release = {
  releaseId: '6f1c2b7e-1111-4222-8333-444455556666',
  descriptorDigest: `sha256:${'d'.repeat(64)}`,
  productVersion: '1.4.2',
};

function svc(
  mapping: Omit<HelmValuesMapping, 'type' | 'file'> = {},
  containers: Record<string, { repo: string; tag: string }> = { api: { repo: 'reg.example.com/org/api', tag: '1.4.2' } },
  service = 'api',
): MappedService<HelmValuesMapping> {
  return {
    group: 'core',
    service,
    kind: 'Deployment',
    containers,
    mapping: { type: 'helm-values', file: 'apps/{service}/values-{env}.yaml', ...mapping },
    field: `gitops.groups.core.services.${service}`,
  };
}
const edit = (existing: string, services: Array<MappedService<HelmValuesMapping>>) =>
  editHelmValues({ file: 'apps/api/values-prod.yaml', existing, services, release });

const BITNAMI = `## @section Global parameters
global:
  imageRegistry: ""

## Bitnami-style image
image:
  registry: docker.io   # where from
  repository: bitnami/nginx
  tag: 1.25.3-debian-11-r1 # CI bumped this
  digest: ""
  ## Specify a imagePullPolicy
  pullPolicy: IfNotPresent

replicaCount:    3
podAnnotations: {}
resources:
  limits: {cpu: 500m}
`;

const bitnami: Omit<HelmValuesMapping, 'type' | 'file'> = {
  containers: { '*': { registry: 'image.registry', repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' } },
};

describe('editHelmValues', () => {
  it('bitnami: registry split, tag written, only those lines change, byte for byte', () => {
    const { content, changed } = edit(BITNAMI, [svc(bitnami)]);
    expect(changed).toBe(true);
    expect(content).toBe(
      BITNAMI.replace('registry: docker.io   # where', 'registry: reg.example.com   # where')
        .replace('repository: bitnami/nginx', 'repository: org/api')
        .replace('tag: 1.25.3-debian-11-r1 #', 'tag: 1.4.2 #'),
    );
  });

  it('is idempotent and deterministic', () => {
    const once = edit(BITNAMI, [svc(bitnami)]);
    const twice = edit(once.content, [svc(bitnami)]);
    expect(twice).toEqual({ content: once.content, changed: false });
    expect(edit(BITNAMI, [svc(bitnami)]).content).toBe(once.content);
    expect(edit(BITNAMI, [svc(bitnami, { api: { repo: 'bitnami/nginx', tag: '1.25.3-debian-11-r1' } })])).toEqual({
      content: BITNAMI.replace('registry: docker.io   #', 'registry: docker.io   #'),
      changed: false,
    });
  });

  it('a repository without a registry host splits to docker.io', () => {
    const { content } = edit(BITNAMI, [svc(bitnami, { api: { repo: 'org/api', tag: '2.0.0' } })]);
    expect(content).toContain('registry: docker.io   # where from');
    expect(content).toContain('repository: org/api\n');
  });

  it('a digest goes to the digest path and the tag stays; back to a tag empties the digest', () => {
    const pinned = edit(BITNAMI, [svc(bitnami, { api: { repo: 'org/api', tag: DIGEST } })]).content;
    expect(pinned).toContain(`digest: "${DIGEST}"\n`);
    expect(pinned).toContain('tag: 1.25.3-debian-11-r1 # CI bumped this');
    const back = edit(pinned, [svc(bitnami, { api: { repo: 'org/api', tag: '2.0.1' } })]).content;
    expect(back).toContain('digest: ""\n');
    expect(back).toContain('tag: 2.0.1 # CI bumped this');
  });

  it('a digest path whose key is missing: added when a digest is pinned, left absent for a tag', () => {
    const file = 'image:\n  repository: org/api\n  tag: "1.0"\n';
    const mapping = { containers: { '*': { repository: 'image.repository', tag: 'image.tag', digest: 'image.digest' } } };
    expect(edit(file, [svc(mapping, { api: { repo: 'org/api', tag: '1.1' } })]).content).toBe(
      'image:\n  repository: org/api\n  tag: "1.1"\n',
    );
    expect(edit(file, [svc(mapping, { api: { repo: 'org/api', tag: DIGEST } })]).content).toBe(
      `image:\n  repository: org/api\n  tag: "1.0"\n  digest: "${DIGEST}"\n`,
    );
  });

  it('a pinned digest without a digest path, or a tag without a tag path, is an error naming service and container', () => {
    expect(() => edit(BITNAMI, [svc({}, { api: { repo: 'org/api', tag: DIGEST } })])).toThrow(
      /core\/api container api is pinned to a digest, but gitops\.groups\.core\.services\.api\.containers has no digest path/,
    );
    const digestOnly = { containers: { api: { repository: 'image.repository', digest: 'image.digest' } } };
    expect(() => edit(BITNAMI, [svc(digestOnly)])).toThrow(/has the tag 1\.4\.2, but .*containers\.api has no tag path/);
  });

  it('keeps quoting styles; a plain value that would read as a number gets quoted', () => {
    const file = "a:\n  repository: 'org/api'\n  tag: '1.0'\nb:\n  repository: \"org/web\"\n  tag: 1.0.0\n";
    const mapping = {
      containers: {
        api: { repository: 'a.repository', tag: 'a.tag' },
        web: { repository: 'b.repository', tag: 'b.tag' },
      },
    };
    const out = edit(file, [svc(mapping, { api: { repo: 'org/api2', tag: "it's" }, web: { repo: 'org/web2', tag: '1.10' } })]).content;
    expect(out).toBe("a:\n  repository: 'org/api2'\n  tag: 'it''s'\nb:\n  repository: \"org/web2\"\n  tag: \"1.10\"\n");
    // Helm and kustomize read YAML 1.1: `on`, `yes`, `1:20` would not be strings there either.
    for (const tag of ['on', 'yes', '1:20', 'null', '0x1F']) {
      expect(edit('image:\n  repository: r\n  tag: v1 # pinned\n', [svc({}, { api: { repo: 'r', tag } })]).content).toBe(
        `image:\n  repository: r\n  tag: "${tag}" # pinned\n`,
      );
    }
    expect(edit('image:\n  repository: r\n  tag: v1\n', [svc({}, { api: { repo: 'r', tag: 'v1.2-rc.1' } })]).content).toContain(
      'tag: v1.2-rc.1\n',
    );
  });

  it('per-container lists selected by name, and the release metadata', () => {
    const file = `# chart values
image:
  repository: org/api
  tag: "1.0"
sidecars:
  - name: proxy
    image: { repository: envoy, tag: v1 }
  - name: metrics   # exporter
    image:
      repository: org/metrics
      tag: "0.9"
podLabels:
  team: core
  releaseId: ""   # stamped by Flow Controller
  descriptorDigest: ""
`;
    const mapping = {
      containers: {
        api: { repository: 'image.repository', tag: 'image.tag' },
        metrics: { repository: 'sidecars[name=metrics].image.repository', tag: 'sidecars[name=metrics].image.tag' },
      },
      releaseId: 'podLabels.releaseId',
      descriptorDigest: 'podLabels.descriptorDigest',
    };
    const { content } = edit(file, [
      svc(mapping, { api: { repo: 'org/api', tag: '1.4.2' }, metrics: { repo: 'org/metrics', tag: '1.0.0' } }),
    ]);
    expect(content).toBe(
      file
        .replace('tag: "1.0"', 'tag: "1.4.2"')
        .replace('tag: "0.9"', 'tag: "1.0.0"')
        .replace('releaseId: ""', `releaseId: "${release.releaseId}"`)
        .replace('descriptorDigest: ""', `descriptorDigest: "${release.descriptorDigest}"`),
    );
    // The proxy sidecar (flow style, not mapped) is untouched; idempotent once the metadata exists.
    expect(content).toContain('image: { repository: envoy, tag: v1 }');
    expect(
      edit(content, [svc(mapping, { api: { repo: 'org/api', tag: '1.4.2' }, metrics: { repo: 'org/metrics', tag: '1.0.0' } })]).changed,
    ).toBe(false);
  });

  it('a release metadata key that does not exist yet is added to its map (that document is then printed by yaml)', () => {
    const file = 'image:\n  repository: org/api\n  tag: "1.0"    # bumped\npodLabels:\n    team: core\n';
    const { content } = edit(file, [svc({ releaseId: 'podLabels.releaseId' }, { api: { repo: 'org/api', tag: '1.1' } })]);
    // Whitespace of that document is normalised once: the comment's spacing, and indentation to the file's first nested map (2).
    expect(content).toBe(
      `image:\n  repository: org/api\n  tag: "1.1" # bumped\npodLabels:\n  team: core\n  releaseId: "${release.releaseId}"\n`,
    );
  });

  it('several services in one file, each with its own paths; the same path with different values is refused', () => {
    const file = 'api:\n  image: {repository: org/api, tag: "1"}\nweb:\n  image: {repository: org/web, tag: "1"}\n';
    const api = svc(
      { containers: { '*': { repository: 'api.image.repository', tag: 'api.image.tag' } } },
      { api: { repo: 'org/api', tag: '2' } },
    );
    const web = svc(
      { containers: { '*': { repository: 'web.image.repository', tag: 'web.image.tag' } } },
      { web: { repo: 'org/web', tag: '3' } },
      'web',
    );
    expect(edit(file, [api, web]).content).toBe(
      'api:\n  image: {repository: org/api, tag: "2"}\nweb:\n  image: {repository: org/web, tag: "3"}\n',
    );
    const clash = svc({}, { web: { repo: 'org/web', tag: '3' } }, 'web');
    expect(() => edit('image:\n  repository: x\n  tag: y\n', [svc({}, { api: { repo: 'org/api', tag: '2' } }), clash])).toThrow(
      /path image\.repository is written by core\/api container api and by core\/web container web with different values/,
    );
  });

  it('missing paths and malformed files are errors naming the file, the field and the path', () => {
    const cases: Array<[string, Omit<HelmValuesMapping, 'type' | 'file'>, RegExp]> = [
      [
        'image:\n  repository: r\n',
        {},
        /apps\/api\/values-prod\.yaml: path image\.tag \(gitops\.groups\.core\.services\.api\.containers\.tag\): no key "tag" in image/,
      ],
      ['img:\n  repository: r\n', {}, /path image\.repository .*no key "image" in \(top level\)/],
      ['image: nginx\n', {}, /image is not a mapping/],
      ['sidecars: {}\n', { containers: { '*': { repository: 'sidecars[name=x].repository', tag: 't' } } }, /sidecars is not a list/],
      ['sidecars: []\n', { containers: { '*': { repository: 'sidecars[name=x].repository', tag: 't' } } }, /no list item with name=x/],
      ['s: [{name: x}, {name: x}]\n', { containers: { '*': { repository: 's[name=x].r', tag: 't' } } }, /several list items with name=x/],
      ['s: [{name: x}]\n', { containers: { '*': { repository: 's[name=x]', tag: 't' } } }, /selects a list item; name a key below it/],
      ['image:\n  repository: {a: 1}\n  tag: x\n', {}, /image\.repository is not a scalar/],
      ['base: &b {repository: r, tag: t}\nimage: *b\n', {}, /image is an alias/],
      [
        'image:\n  repository: r\n  tag: t\n',
        { containers: { web: { repository: 'image.repository', tag: 'image.tag' } } },
        /names no image paths for container "api"/,
      ],
      ['- a\n- b\n', {}, /must hold a YAML mapping at the top level/],
      ['', {}, /must hold a YAML mapping/],
      ['image: [1,\n', {}, /not valid YAML \(.* at line \d+, column \d+\)/],
      ['a: 1\n---\nb: 2\n', {}, /not valid YAML \(MULTIPLE_DOCS/],
    ];
    for (const [file, mapping, message] of cases) {
      expect(() => edit(file, [svc(mapping)]), file).toThrow(ValuesRenderError);
      expect(() => edit(file, [svc(mapping)]), file).toThrow(message);
    }
  });

  it('an invalid YAML file is reported by position, never by content', () => {
    let message = '';
    try {
      edit('image:\n  repository: "SECRET-TOKEN-VALUE\n', [svc()]);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/not valid YAML/);
    expect(message).not.toContain('SECRET-TOKEN-VALUE');
  });

  it('renders through a real Helm chart as the values say', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fc-helm-values-'));
    try {
      await mkdir(join(dir, 'templates'));
      await writeFile(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
      await writeFile(join(dir, 'values.yaml'), BITNAMI);
      await writeFile(
        join(dir, 'templates', 'deployment.yaml'),
        `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.registry }}/{{ .Values.image.repository }}{{ if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag }}{{ end }}"
`,
      );
      const values = edit(BITNAMI, [svc(bitnami)]).content;
      const pinned = edit(values, [svc(bitnami, { api: { repo: 'reg.example.com/org/api', tag: DIGEST } })]).content;
      const image = async (text: string) => {
        await writeFile(join(dir, 'prod.yaml'), text);
        const manifests = await renderChart({ chartDir: dir, valueFiles: [join(dir, 'prod.yaml')], releaseName: 'web', namespace: 'prod' });
        const spec = manifests[0]?.object.spec as { template: { spec: { containers: Array<{ image: string }> } } };
        return spec.template.spec.containers[0]?.image;
      };
      expect(await image(values)).toBe('reg.example.com/org/api:1.4.2');
      expect(await image(pinned)).toBe(`reg.example.com/org/api@${DIGEST}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('helmValuesProblems (save-time check)', () => {
  it('names the field, the file and the path', () => {
    const mapping: HelmValuesMapping = {
      type: 'helm-values',
      file: 'v.yaml',
      containers: {
        api: { repository: 'image.repository', tag: 'image.tg', digest: 'image.digest' },
        metrics: { repository: 'm[name=x].r', tag: 'm[name=x].t' },
      },
      releaseId: 'meta.releaseId',
    };
    expect(helmValuesProblems('gitops.groups.core.services.api', 'v.yaml', BITNAMI, mapping)).toEqual([
      {
        field: 'gitops.groups.core.services.api.containers.api.tag',
        file: 'v.yaml',
        message: 'v.yaml has no image.tg: no key "tg" in image',
      },
      {
        field: 'gitops.groups.core.services.api.containers.metrics.repository',
        file: 'v.yaml',
        message: 'v.yaml has no m[name=x].r: no key "m" in (top level)',
      },
      {
        field: 'gitops.groups.core.services.api.containers.metrics.tag',
        file: 'v.yaml',
        message: 'v.yaml has no m[name=x].t: no key "m" in (top level)',
      },
      {
        field: 'gitops.groups.core.services.api.releaseId',
        file: 'v.yaml',
        message: 'v.yaml has no meta.releaseId: no key "meta" in (top level)',
      },
    ]);
    expect(helmValuesProblems('gitops.mapping', 'v.yaml', BITNAMI, { type: 'helm-values', file: 'v.yaml', ...bitnami })).toEqual([]);
    expect(helmValuesProblems('gitops.mapping', 'v.yaml', '- x\n', { type: 'helm-values', file: 'v.yaml' })).toEqual([
      { field: 'gitops.mapping.file', file: 'v.yaml', message: 'v.yaml: the file must hold a YAML mapping at the top level' },
    ]);
  });
});
