// The three sample GitOps repositories of issue #9 (test/fixtures/gitops-samples/<name>/, README.md there):
// loadSample() reads one — the repository's files, the Argo CD Applications it needs, the environment
// configuration (gitops mappings) Flow Controller needs for it, the release every environment runs and the next
// one to promote — and gives the sim/rig.ts layout that materializes it into a real bare repository with one
// simulated Application per environment and group (createSampleRig). expectedAfter() gives the files a promotion
// of the next release must leave in Git, for the end-to-end promotion tests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { type Descriptor, Template } from '../domain/descriptor.js';
import { digestOf } from '../domain/digest.js';
import { ImageMapping, MappingGroups, type MappingSettings } from '../domain/image-mapping.js';
import { renderTemplate } from '../domain/render.js';
import { validateDescriptor } from '../domain/validate.js';
import { createRig, type Rig, type RigLayout, type RigOptions } from '../sim/rig.js';
import { treeFiles } from '../sim/rig-repo.js';

export const SAMPLE_NAMES = ['shipped-chart', 'bitnami-per-service', 'kustomize-overlays'] as const;
export type SampleName = (typeof SAMPLE_NAMES)[number];
export const SAMPLES_DIR = path.join(import.meta.dirname, 'fixtures', 'gitops-samples');
/** The repoURL of the samples' Application manifests; the rig points them at its bare repository. */
export const SAMPLE_REPO_URL = 'https://git.example.com/platform/gitops.git';
/** Placeholders of the release in the `expected/` files (the id and digest exist only once the release is created). */
export const RELEASE_ID_PLACEHOLDER = '__RELEASE_ID__';
export const DESCRIPTOR_DIGEST_PLACEHOLDER = '__DESCRIPTOR_DIGEST__';

/** The sample's `gitops` settings besides repoUrl/branch (the rig supplies those): pathPattern and the image mappings. */
const SampleGitops = z
  .object({ pathPattern: z.string().min(1).optional(), mapping: ImageMapping.optional(), groups: MappingGroups.optional() })
  .strict();

const ReleaseValues = z.object({ version: z.string(), values: z.record(z.string(), z.string()) }).strict();
const SampleFile = z
  .object({
    description: z.string(),
    environments: z.array(z.string()).min(1),
    groups: z.array(z.string()).min(1),
    template: Template,
    deployed: ReleaseValues.extend({ releaseId: z.uuid() }),
    next: ReleaseValues,
    gitops: SampleGitops,
    argocd: z.object({ applicationPattern: z.string() }).strict(),
    /** The repository gets charts/flow-workloads from this project's charts/ (not copied into the fixture). */
    copyChart: z.boolean().optional(),
    /** `<Kind>/<name>` of the workloads every environment runs; `{env}` is substituted. */
    workloads: z.array(z.string()),
    /** `<application>/<workload>` verified by images alone (no release annotation); `{env}` is substituted. */
    verifiedByImagesOnly: z.array(z.string()),
  })
  .strict();

/** The parts of an Argo CD Application manifest the simulator models. */
export const ArgoApplicationManifest = z.looseObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('Application'),
  metadata: z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).default({}) }),
  spec: z.looseObject({
    project: z.string(),
    source: z.looseObject({
      repoURL: z.string(),
      targetRevision: z.string(),
      path: z.string(),
      helm: z.looseObject({ valueFiles: z.array(z.string()).default([]) }).optional(),
      directory: z.looseObject({ recurse: z.boolean().optional() }).optional(),
    }),
    destination: z.looseObject({ server: z.string().optional(), namespace: z.string() }),
  }),
});
export type ArgoApplicationManifest = z.infer<typeof ArgoApplicationManifest>;

export interface SampleRelease {
  version: string;
  descriptor: Descriptor;
  digest: string;
}

export interface GitopsSample {
  name: SampleName;
  description: string;
  environments: string[];
  groups: string[];
  template: Template;
  /** The release every environment of the fixture runs. */
  deployed: SampleRelease & { releaseId: string };
  /** The release the promotion tests move dev → staging → prod. */
  next: SampleRelease;
  /** `gitops` settings of the environments besides repoUrl/branch: pathPattern and the image mappings. */
  gitops: MappingSettings;
  argocd: { applicationPattern: string };
  /** The repository's files (the shipped chart included where the sample uses it). */
  files: Record<string, string>;
  /** The Argo CD Applications of each environment, as written in the sample. */
  applications: Record<string, ArgoApplicationManifest[]>;
  /** For createRig({ layout }): the repository and how each environment and group's Application reads it. */
  layout: RigLayout;
  /** `<Kind>/<name>` of the workloads an environment runs, sorted. */
  workloads(environment: string): string[];
  /** `<application>/<workload>` an environment's verification checks by images alone, sorted. */
  verifiedByImagesOnly(environment: string): string[];
  /**
   * The files a promotion of `next` to `environment` must leave (path → content) — every other file unchanged —
   * with the release's id and descriptor digest in place of the placeholders.
   */
  expectedAfter(environment: string, release: { releaseId: string; descriptorDigest: string }): Promise<Record<string, string>>;
}

function release(name: string, template: Template, values: Record<string, string>): SampleRelease {
  const { descriptor, problems, unusedValues } = renderTemplate({ template, values });
  const checked = validateDescriptor({ descriptor, template });
  if (problems.length > 0 || unusedValues.length > 0 || !checked.ok) {
    throw new Error(`sample ${name}: the release ${JSON.stringify(values)} does not render a valid descriptor`);
  }
  return { version: '', descriptor, digest: digestOf(descriptor) };
}

/** The files under `dir`, by their path relative to it. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await treeFiles(dir, '.')).map(([p, text]) => [p.slice(2), text]));
}

async function applicationsOf(dir: string, environments: string[]): Promise<Record<string, ArgoApplicationManifest[]>> {
  const out: Record<string, ArgoApplicationManifest[]> = {};
  for (const env of environments) {
    const text = await readFile(path.join(dir, 'argocd', `${env}.yaml`), 'utf8');
    out[env] = parseAllDocuments(text).map((doc) => ArgoApplicationManifest.parse(doc.toJS()));
  }
  return out;
}

export async function loadSample(name: SampleName): Promise<GitopsSample> {
  const dir = path.join(SAMPLES_DIR, name);
  const file = SampleFile.parse(JSON.parse(await readFile(path.join(dir, 'sample.json'), 'utf8')));
  const repoFiles = await filesUnder(path.join(dir, 'repo'));
  if (file.copyChart) Object.assign(repoFiles, await treeFiles());
  const applications = await applicationsOf(dir, file.environments);
  const appOf = (env: string, group: string): ArgoApplicationManifest => {
    const apps = (applications[env] ?? []).filter((a) => a.metadata.labels['flow-controller.io/group'] === group);
    const [app] = apps;
    if (!app || apps.length > 1) throw new Error(`sample ${name}: environment ${env} needs exactly one Application for group ${group}`);
    if (app.spec.destination.namespace !== env) throw new Error(`sample ${name}: ${app.metadata.name} must deploy to namespace ${env}`);
    return app;
  };
  for (const env of file.environments) for (const group of file.groups) appOf(env, group);
  const sub = (list: string[], env: string) => list.map((s) => s.replaceAll('{env}', env)).sort();
  const deployed = {
    ...release(name, file.template, file.deployed.values),
    version: file.deployed.version,
    releaseId: file.deployed.releaseId,
  };
  return {
    name,
    description: file.description,
    environments: file.environments,
    groups: file.groups,
    template: file.template,
    deployed,
    next: { ...release(name, file.template, file.next.values), version: file.next.version },
    gitops: file.gitops,
    argocd: file.argocd,
    files: repoFiles,
    applications,
    layout: {
      files: repoFiles,
      application(env, group) {
        const { source } = appOf(env, group).spec;
        return {
          path: source.path,
          valueFiles: source.helm?.valueFiles ?? [],
          ...(source.directory ? { directory: { recurse: source.directory.recurse ?? false } } : {}),
        };
      },
      ...(file.gitops.pathPattern !== undefined ? { pathPattern: file.gitops.pathPattern } : {}),
      gitops: {
        ...(file.gitops.mapping ? { mapping: file.gitops.mapping } : {}),
        ...(file.gitops.groups ? { groups: file.gitops.groups } : {}),
      },
    },
    workloads: (env) => sub(file.workloads, env),
    verifiedByImagesOnly: (env) => sub(file.verifiedByImagesOnly, env),
    async expectedAfter(env, ids) {
      const out: Record<string, string> = {};
      for (const [p, text] of Object.entries(await filesUnder(path.join(dir, 'expected', env)))) {
        out[p] = text.replaceAll(RELEASE_ID_PLACEHOLDER, ids.releaseId).replaceAll(DESCRIPTOR_DIGEST_PLACEHOLDER, ids.descriptorDigest);
      }
      return out;
    },
  };
}

/** The environments a sample names, with their Applications, on a rig whose repository is the sample's. */
export async function createSampleRig(
  name: SampleName,
  opts: Omit<RigOptions, 'environments' | 'groups' | 'layout' | 'secretPrefix'> & { secretPrefix?: string },
): Promise<{ sample: GitopsSample; rig: Rig }> {
  const sample = await loadSample(name);
  const rig = await createRig({
    ...opts,
    environments: sample.environments,
    groups: sample.groups,
    layout: sample.layout,
    secretPrefix: opts.secretPrefix ?? 'FC_SECRET_SAMPLE',
    commitMessage: opts.commitMessage ?? `sample ${name}`,
  });
  return { sample, rig };
}
