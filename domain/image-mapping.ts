// Image mappings (issue #9 §2, docs/bring-your-own-repo.md "Image mappings"): how a release descriptor lands in
// an environment's Git repository — Flow Controller's own values layout (`flow-workloads`), YAML paths in existing
// Helm values files (`helm-values`), the `images:` list of a kustomization (`kustomize`), or the `image:` fields
// of plain Kubernetes manifests (`manifests`). Configured in `EnvironmentConfig.gitops` as a default (`mapping`)
// and per group / per service (`groups`); resolved here for one service. The YAML path grammar and its parser
// live here too: linear, no regular expression over the whole input, bounded in length and depth, so hostile
// input costs nothing. Pure: no I/O, no Node built-ins.
import { z } from 'zod';
import { NAME_RE, WorkloadKind } from './descriptor.js';

export const MAX_YAML_PATH_LENGTH = 256;
export const MAX_YAML_PATH_SEGMENTS = 32;
export const MAX_MAPPING_FILE_LENGTH = 512;
/** Caps on the configuration's maps (groups, services per group, containers, kustomize images). */
export const MAX_MAPPING_ENTRIES = 1000;

/** Pod-template annotation of the descriptor digest (beside RELEASE_ANNOTATION, domain/environment.ts). */
export const DESCRIPTOR_DIGEST_ANNOTATION = 'flow-controller.io/descriptor-digest';

/** `{env}`, `{group}`, `{service}`: the placeholders a mapped file may hold. */
export const FILE_PLACEHOLDERS = ['env', 'group', 'service'] as const;
export type FilePlaceholder = (typeof FILE_PLACEHOLDERS)[number];

// --- YAML paths ----------------------------------------------------------------------------------------

/** One step of a YAML path: a map key, optionally followed by the list item whose `select.key` equals `select.value`. */
export interface YamlPathSegment {
  key: string;
  select?: { key: string; value: string };
}

export type YamlPathParse = { ok: true; segments: YamlPathSegment[] } | { ok: false; message: string };

// Keys: [A-Za-z0-9_-]; selected values also allow '.' (an image or host name), ended by ']'.
function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}
function isValueChar(c: number): boolean {
  return isKeyChar(c) || c === 46;
}

/** Describes the character at `i` for a message (printable ASCII as is, anything else by code). */
function charAt(path: string, i: number): string {
  const c = path.charCodeAt(i);
  return c >= 33 && c <= 126 ? `"${path[i]}"` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Parses `image.tag`, `sidecars[name=metrics].image.tag`: dot-separated keys of [A-Za-z0-9_-], each optionally
 * selecting a list item by `[key=value]`. One left-to-right scan; at most MAX_YAML_PATH_LENGTH characters and
 * MAX_YAML_PATH_SEGMENTS segments.
 */
export function parseYamlPath(path: string): YamlPathParse {
  const n = path.length;
  if (n === 0) return { ok: false, message: 'a YAML path must not be empty' };
  if (n > MAX_YAML_PATH_LENGTH) return { ok: false, message: `a YAML path has at most ${MAX_YAML_PATH_LENGTH} characters` };
  const segments: YamlPathSegment[] = [];
  let i = 0;
  const scan = (accept: (c: number) => boolean): string => {
    const start = i;
    while (i < n && accept(path.charCodeAt(i))) i++;
    return path.slice(start, i);
  };
  const fail = (what: string): YamlPathParse => ({
    ok: false,
    message: i < n ? `${what} at position ${i + 1}, found ${charAt(path, i)}` : `${what} at the end of the path`,
  });
  for (;;) {
    const key = scan(isKeyChar);
    if (key === '') return fail('expected a key ([A-Za-z0-9_-])');
    const segment: YamlPathSegment = { key };
    if (path[i] === '[') {
      i++;
      const selectKey = scan(isKeyChar);
      if (selectKey === '') return fail('expected a key inside [key=value]');
      if (path[i] !== '=') return fail('expected "=" inside [key=value]');
      i++;
      const value = scan(isValueChar);
      if (value === '') return fail('expected a value inside [key=value]');
      if (path[i] !== ']') return fail('expected "]" closing [key=value]');
      i++;
      segment.select = { key: selectKey, value };
    }
    segments.push(segment);
    if (segments.length > MAX_YAML_PATH_SEGMENTS)
      return { ok: false, message: `a YAML path has at most ${MAX_YAML_PATH_SEGMENTS} segments` };
    if (i === n) return { ok: true, segments };
    if (path[i] !== '.') return fail('expected "." between keys');
    i++;
  }
}

/** A YAML path as the grammar above accepts it (400 VALIDATION_FAILED with the parser's message otherwise). */
export const YamlPath = z.string().superRefine((value, ctx) => {
  const parsed = parseYamlPath(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `invalid YAML path: ${parsed.message}` });
});
export type YamlPath = z.infer<typeof YamlPath>;

// --- mapped files --------------------------------------------------------------------------------------

/**
 * Why a mapped file template is not acceptable, or undefined: a repository-relative normalized path (no leading
 * `/`, no `.`/`..`/empty segment, not under `.git`, no backslash or control character) whose `{…}` are only the
 * allowed placeholders. Linear.
 */
export function fileTemplateProblem(file: string, allowed: readonly FilePlaceholder[] = FILE_PLACEHOLDERS): string | undefined {
  if (file.length === 0) return 'a file must not be empty';
  if (file.length > MAX_MAPPING_FILE_LENGTH) return `a file path has at most ${MAX_MAPPING_FILE_LENGTH} characters`;
  let plain = '';
  for (let i = 0; i < file.length; i++) {
    const c = file.charCodeAt(i);
    if (c < 32 || c === 127 || c === 92) return 'a file path must not contain control characters or "\\"';
    if (c === 125) return 'unbalanced "}" in the file path';
    if (c !== 123) {
      plain += file[i];
      continue;
    }
    const close = file.indexOf('}', i);
    const name = close < 0 ? '' : file.slice(i + 1, close);
    if (!(allowed as readonly string[]).includes(name)) {
      return `unknown placeholder in the file path (allowed: ${allowed.map((p) => `{${p}}`).join(', ')})`;
    }
    plain += 'x';
    i = close;
  }
  const parts = plain.split('/');
  if (plain.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..') || parts[0] === '.git') {
    return 'a file must be a normalized path inside the repository (no leading "/", no "." or ".." segments, not under .git)';
  }
  return undefined;
}

const fileTemplate = (allowed: readonly FilePlaceholder[]) =>
  z.string().superRefine((value, ctx) => {
    const problem = fileTemplateProblem(value, allowed);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Substitutes `{env}`, `{group}` and `{service}` (the names are DNS labels, so the result stays normalized). */
export function expandFile(file: string, vars: { env: string; group: string; service?: string }): string {
  let out = file.replaceAll('{env}', vars.env).replaceAll('{group}', vars.group);
  if (vars.service !== undefined) out = out.replaceAll('{service}', vars.service);
  return out;
}

/**
 * The bitnami-style split of a descriptor repository: `reg.example.com/org/api` → registry `reg.example.com`,
 * repository `org/api`. The first component is a registry host when it has a `.` or `:` or is `localhost` (as
 * Docker decides); without one the registry is `docker.io` and the repository stays as written.
 */
export function splitRegistry(repo: string): { registry: string; repository: string } {
  const slash = repo.indexOf('/');
  const first = slash < 0 ? '' : repo.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { registry: first, repository: repo.slice(slash + 1) };
  }
  return { registry: 'docker.io', repository: repo };
}

// --- the mapping types ---------------------------------------------------------------------------------

const capped = <T extends z.ZodType>(schema: T, what: string) =>
  schema.refine((r) => Object.keys(r as object).length <= MAX_MAPPING_ENTRIES, { message: `at most ${MAX_MAPPING_ENTRIES} ${what}` });

const DnsLabel = z.string().regex(NAME_RE, 'a DNS label');

/** Today's convention (docs/gitops-layout.md): one values file per group, default `gitops.pathPattern`. */
export const FlowWorkloadsMapping = z
  .object({ type: z.literal('flow-workloads'), file: fileTemplate(['env', 'group']).optional() })
  .strict();

/** Where one container's image goes in a values file. `registry` set: the descriptor's repository is split. */
export const HelmImagePaths = z
  .object({ registry: YamlPath.optional(), repository: YamlPath, tag: YamlPath.optional(), digest: YamlPath.optional() })
  .strict()
  .refine((p) => p.tag !== undefined || p.digest !== undefined, { message: 'image paths need a tag or a digest path (or both)' });
export type HelmImagePaths = z.infer<typeof HelmImagePaths>;

/** Default image paths of a container: `{ "*": DEFAULT_HELM_IMAGE_PATHS }`. */
export const DEFAULT_HELM_IMAGE_PATHS: HelmImagePaths = { repository: 'image.repository', tag: 'image.tag' };

export const HelmValuesMapping = z
  .object({
    type: z.literal('helm-values'),
    file: fileTemplate(FILE_PLACEHOLDERS),
    /** Per container name, or `*` for any container not listed. Default `{ "*": { image.repository, image.tag } }`. */
    containers: capped(
      z.record(z.string().regex(/^(\*|[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)$/, 'a container name or "*"'), HelmImagePaths),
      'containers',
    ).optional(),
    releaseId: YamlPath.optional(),
    descriptorDigest: YamlPath.optional(),
  })
  .strict();
export type HelmValuesMapping = z.infer<typeof HelmValuesMapping>;

export const KustomizeMapping = z
  .object({
    type: z.literal('kustomize'),
    file: fileTemplate(FILE_PLACEHOLDERS),
    /** `<service>/<container>` → the `name` of the kustomize images entry (default: the descriptor's repository). */
    images: capped(
      z.record(
        z.string().regex(/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/, '"<service>/<container>"'),
        z
          .string()
          .min(1)
          .max(255)
          .regex(/^[^\s{}[\]#&*!|>'"%@`,]+$/, 'an image name'),
      ),
      'images',
    ).optional(),
    releaseAnnotations: z.boolean().optional(),
  })
  .strict();
export type KustomizeMapping = z.infer<typeof KustomizeMapping>;

export const ManifestsMapping = z
  .object({
    type: z.literal('manifests'),
    file: fileTemplate(FILE_PLACEHOLDERS),
    /** The workload document to edit; default the descriptor's kind and the service's name. */
    workload: z
      .object({
        kind: WorkloadKind.optional(),
        name: z
          .string()
          .max(253)
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'a Kubernetes object name')
          .optional(),
      })
      .strict()
      .optional(),
    releaseAnnotations: z.boolean().optional(),
  })
  .strict();
export type ManifestsMapping = z.infer<typeof ManifestsMapping>;

export const ImageMapping = z.discriminatedUnion('type', [FlowWorkloadsMapping, HelmValuesMapping, KustomizeMapping, ManifestsMapping]);
export type ImageMapping = z.infer<typeof ImageMapping>;
export type ImageMappingType = ImageMapping['type'];

export const GroupMappings = z
  .object({ mapping: ImageMapping.optional(), services: capped(z.record(DnsLabel, ImageMapping), 'services').optional() })
  .strict();
export type GroupMappings = z.infer<typeof GroupMappings>;

export const MappingGroups = capped(z.record(DnsLabel, GroupMappings), 'groups');
export type MappingGroups = z.infer<typeof MappingGroups>;

// --- resolution ----------------------------------------------------------------------------------------

/** The mapping settings of `EnvironmentConfig.gitops` (all optional: configurations stored before them parse). */
export interface MappingSettings {
  pathPattern?: string | undefined;
  mapping?: ImageMapping | undefined;
  groups?: MappingGroups | undefined;
}

export type MappingSource = 'service' | 'group' | 'environment' | 'default';

export interface ResolvedMapping {
  mapping: ImageMapping;
  source: MappingSource;
  /** The configuration field it comes from, for messages: `gitops.groups.core.services.api`, `gitops.mapping`. */
  field: string;
}

const DEFAULT_MAPPING: ImageMapping = { type: 'flow-workloads' };

/** groups[g].services[s] ?? groups[g].mapping ?? gitops.mapping ?? flow-workloads on `pathPattern`. */
export function resolveMapping(gitops: MappingSettings, group: string, service: string): ResolvedMapping {
  const g = Object.hasOwn(gitops.groups ?? {}, group) ? gitops.groups?.[group] : undefined;
  const s = g?.services && Object.hasOwn(g.services, service) ? g.services[service] : undefined;
  if (s) return { mapping: s, source: 'service', field: `gitops.groups.${group}.services.${service}` };
  if (g?.mapping) return { mapping: g.mapping, source: 'group', field: `gitops.groups.${group}.mapping` };
  if (gitops.mapping) return { mapping: gitops.mapping, source: 'environment', field: 'gitops.mapping' };
  return { mapping: DEFAULT_MAPPING, source: 'default', field: 'gitops.pathPattern' };
}

export function mappingFor(gitops: MappingSettings, group: string, service: string): ImageMapping {
  return resolveMapping(gitops, group, service).mapping;
}

/** The file template of a mapping: its `file`, or for flow-workloads without one, `pathPattern` (default layout). */
export function fileTemplateOf(gitops: MappingSettings, mapping: ImageMapping, defaultPattern: string): string {
  return mapping.file ?? gitops.pathPattern ?? defaultPattern;
}

/** A mapping whose file is known without a release: what saving an environment checks in Git. */
export interface ResolvableMapping {
  field: string;
  mapping: Exclude<ImageMapping, { type: 'flow-workloads' }>;
  file: string;
  group?: string;
  service?: string;
}

/**
 * The mappings that write into files which must already exist (every type but flow-workloads, which creates its
 * file) and whose file resolves without a release: per-service entries, per-group entries without `{service}`,
 * the default without `{group}` and `{service}`.
 */
export function resolvableMappings(gitops: MappingSettings, env: string): ResolvableMapping[] {
  const out: ResolvableMapping[] = [];
  const add = (field: string, mapping: ImageMapping | undefined, group?: string, service?: string) => {
    if (!mapping || mapping.type === 'flow-workloads') return;
    if (group === undefined && mapping.file.includes('{group}')) return;
    if (service === undefined && mapping.file.includes('{service}')) return;
    const file = expandFile(mapping.file, { env, group: group ?? '', ...(service !== undefined ? { service } : {}) });
    out.push({ field, mapping, file, ...(group !== undefined ? { group } : {}), ...(service !== undefined ? { service } : {}) });
  };
  add('gitops.mapping', gitops.mapping);
  for (const [group, g] of Object.entries(gitops.groups ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    add(`gitops.groups.${group}.mapping`, g.mapping, group);
    for (const [service, m] of Object.entries(g.services ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      add(`gitops.groups.${group}.services.${service}`, m, group, service);
    }
  }
  return out;
}

/**
 * Rules across fields, checked on save (422 ENVIRONMENT_INVALID) like checkArgoSelection: a flow-workloads file
 * that every group shares (the environment's default without `{group}`) would make the groups overwrite each other.
 */
export function checkImageMappings(gitops: MappingSettings): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const top = gitops.mapping;
  if (top?.type === 'flow-workloads' && top.file !== undefined && !top.file.includes('{group}')) {
    problems.push({
      path: 'gitops.mapping.file',
      message: 'a flow-workloads file for every group must contain {group}: each group has its own values file',
    });
  }
  return problems;
}
