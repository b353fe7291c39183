// The three sample GitOps repositories (test/fixtures/gitops-samples/) on the simulator, with real Helm and real
// kustomize: each environment renders into the sample's workloads running the deployed release (verified as the
// verify-images step verifies, by release annotation or by images alone); the files a promotion of the next
// release must leave (expected/) deploy exactly that release; and the fixtures agree with themselves: every file
// and YAML path the environment's image mappings name exists, and the expected files differ from the repository
// only in image and release lines. The flow-workloads sample is also checked against today's renderer.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyApplications } from '../activities/verify-workloads.js';
import { createArgoClient, type ArgoClient } from '../integrations/argocd.js';
import { assessConvergence } from '../integrations/argocd-convergence.js';
import { createKubeClient, type KubeClient } from '../integrations/kube.js';
import { renderValuesFile } from '../gitops/render.js';
import { DEFAULT_PATH_PATTERN } from '../domain/environment.js';
import { expandFile, fileTemplateOf, mappingFor } from '../domain/image-mapping.js';
import { commitFiles } from '../sim/gitops-repo.js';
import type { Rig } from '../sim/rig.js';
import { createSampleRig, type GitopsSample, SAMPLE_NAMES, type SampleName } from './gitops-samples.js';

const NEXT_RELEASE_ID = '11111111-2222-4333-8444-555555555555';

/** A YAML path of mapping-spec.md (`a.b`, `list[name=x].c`) looked up in a parsed document. */
function lookup(doc: unknown, yamlPath: string): unknown {
  let node = doc;
  for (const part of yamlPath.split('.')) {
    const m = /^([A-Za-z0-9_-]+)(?:\[([A-Za-z0-9_-]+)=([A-Za-z0-9_.-]+)\])?$/.exec(part);
    if (!m || typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[m[1] as string];
    if (m[2] !== undefined)
      node = Array.isArray(node) ? node.find((i: Record<string, unknown>) => i?.[m[2] as string] === m[3]) : undefined;
  }
  return node;
}

async function converge(argo: ArgoClient, app: string, sha: string, promotionId: string): Promise<void> {
  await argo.getApplication(app, { refresh: 'normal' });
  await argo.sync(app, { revision: sha, prune: true, infos: [{ name: 'promotion', value: promotionId }], syncOptions: [] });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const verdict = assessConvergence(await argo.getApplication(app), { sha, promotionId });
    if (verdict.state === 'converged') return;
    if (verdict.state === 'failed' || Date.now() > deadline) throw new Error(`${app} did not converge: ${JSON.stringify(verdict)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(SAMPLE_NAMES.map((name) => ({ name })))('sample $name', ({ name }: { name: SampleName }) => {
  let dataDir: string;
  let sample: GitopsSample;
  let rig: Rig;
  let argo: ArgoClient;
  let kube: KubeClient;
  const appsOf = (env: string) => rig.environments.find((e) => e.name === env)?.applications ?? [];
  const verify = (env: string, releaseId: string, descriptor: GitopsSample['deployed']['descriptor']) =>
    verifyApplications({
      argo,
      kube,
      project: 'default',
      namespace: env,
      releaseId,
      descriptor,
      applications: appsOf(env).map((a) => ({ group: a.group, name: a.name })),
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), `fc-sample-${name}-`));
    ({ sample, rig } = await createSampleRig(name, { dataDir }));
    argo = createArgoClient({ baseUrl: rig.argo.url, username: rig.argo.username, password: rig.argo.password, timeoutMs: 10_000 });
    kube = createKubeClient({ server: rig.kube.server, caData: rig.kube.caData, token: rig.kube.token });
  });
  afterAll(async () => {
    await rig?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('every environment renders into the sample’s workloads, running the deployed release', async () => {
    const head = (await argo.getApplication(appsOf('dev')[0]?.name ?? '', { refresh: 'normal' })).status?.sync?.revision ?? '';
    for (const env of sample.environments) {
      for (const app of appsOf(env)) await converge(argo, app.name, head, `deploy-${app.name}`);
      const resources = [];
      for (const app of appsOf(env)) {
        const a = await argo.getApplication(app.name);
        expect(a.status?.conditions ?? [], app.name).toEqual([]);
        resources.push(...(a.status?.resources ?? []).filter((r) => r.kind !== 'Service' && r.kind !== 'ConfigMap'));
        expect(resources.every((r) => r.namespace === env)).toBe(true);
      }
      expect(resources.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(sample.workloads(env));
      const result = await verify(env, sample.deployed.releaseId, sample.deployed.descriptor);
      expect(result.mismatches).toEqual([]);
      expect(result.verifiedContainers).toBeGreaterThan(0);
      expect(result.verifiedByImagesOnly.sort()).toEqual(sample.verifiedByImagesOnly(env));
    }
  });

  it('the files a promotion of the next release must leave deploy exactly that release', async () => {
    for (const env of sample.environments) {
      const files = await sample.expectedAfter(env, { releaseId: NEXT_RELEASE_ID, descriptorDigest: sample.next.digest });
      const sha = await commitFiles(rig.git.repoPath, files, `promote ${sample.next.version} to ${env}`);
      for (const app of appsOf(env)) await converge(argo, app.name, sha, `next-${app.name}`);
      const result = await verify(env, NEXT_RELEASE_ID, sample.next.descriptor);
      expect(result.mismatches).toEqual([]);
      expect(result.verifiedByImagesOnly.sort()).toEqual(sample.verifiedByImagesOnly(env));
      // The release before it is no longer what runs.
      const before = await verify(env, sample.deployed.releaseId, sample.deployed.descriptor);
      expect(before.mismatches.length).toBeGreaterThan(0);
    }
  });

  it('its fixtures agree: mapped files and YAML paths exist; expected files change only image and release lines', async () => {
    for (const env of sample.environments) {
      for (const [group, services] of Object.entries(sample.deployed.descriptor)) {
        for (const [service, kinds] of Object.entries(services)) {
          const mapping = mappingFor(sample.gitops, group, service);
          const file = expandFile(fileTemplateOf(sample.gitops, mapping, DEFAULT_PATH_PATTERN), { env, group, service });
          const text = sample.files[file];
          expect(text, `${env}/${group}/${service}: ${file}`).toBeDefined();
          const doc: unknown = parseYaml(text ?? '');
          const containers = Object.keys(Object.values(kinds)[0]?.containers ?? {});
          if (mapping.type === 'helm-values') {
            for (const c of containers) {
              const paths = mapping.containers?.[c] ?? mapping.containers?.['*'];
              for (const p of Object.values(paths ?? {})) expect(lookup(doc, p), `${file}: ${p}`).toBeDefined();
            }
            for (const p of [mapping.releaseId, mapping.descriptorDigest]) if (p !== undefined) expect(lookup(doc, p)).toBeDefined();
          } else if (mapping.type === 'kustomize') {
            const names = ((doc as { images?: { name: string }[] }).images ?? []).map((i) => i.name);
            for (const c of containers) {
              const repo = Object.values(kinds)[0]?.containers[c]?.repo;
              expect(names, `${file}: images entry for ${service}/${c}`).toContain(mapping.images?.[`${service}/${c}`] ?? repo);
            }
          } else {
            expect(mapping.type).toBe('flow-workloads');
            expect(lookup(doc, `workloads.${service}.containers`)).toBeDefined();
          }
        }
      }
      const expected = await sample.expectedAfter(env, { releaseId: '__RELEASE_ID__', descriptorDigest: '__DESCRIPTOR_DIGEST__' });
      expect(Object.keys(expected).length).toBeGreaterThan(0);
      const nextValues = new Set(
        Object.values(sample.next.descriptor).flatMap((s) =>
          Object.values(s).flatMap((k) => Object.values(k ?? {}).flatMap((w) => Object.values(w.containers).map((c) => c.tag))),
        ),
      );
      for (const [file, after] of Object.entries(expected)) {
        const before = sample.files[file]?.split('\n') ?? [];
        const lines = after.split('\n');
        expect(lines.length, file).toBe(before.length);
        for (const [i, line] of lines.entries()) {
          if (line === before[i]) continue;
          const explained =
            line.includes('__RELEASE_ID__') ||
            line.includes('__DESCRIPTOR_DIGEST__') ||
            line.includes(`productVersion: "${sample.next.version}"`) ||
            [...nextValues].some((v) => line.includes(v));
          expect(explained, `${file}:${i + 1}: ${line}`).toBe(true);
        }
      }
    }
  });

  it.runIf(name === 'shipped-chart')(
    'shipped chart: the values files are what the renderer writes, and the expected files its next output',
    async () => {
      for (const env of sample.environments) {
        const expected = await sample.expectedAfter(env, { releaseId: '__RELEASE_ID__', descriptorDigest: '__DESCRIPTOR_DIGEST__' });
        for (const group of sample.groups) {
          const file = `environments/${env}/${group}/values.yaml`;
          const common = { existing: sample.files[file], environment: env, group };
          const deployed = { ...common, releaseId: sample.deployed.releaseId, descriptorDigest: sample.deployed.digest };
          expect(
            renderValuesFile({ ...deployed, productVersion: sample.deployed.version, services: sample.deployed.descriptor[group] ?? {} }),
          ).toEqual({
            content: sample.files[file],
            changed: false,
          });
          const next = { ...common, releaseId: '__RELEASE_ID__', descriptorDigest: '__DESCRIPTOR_DIGEST__' };
          expect(
            renderValuesFile({ ...next, productVersion: sample.next.version, services: sample.next.descriptor[group] ?? {} }).content,
          ).toBe(expected[file]);
        }
      }
    },
  );
});
