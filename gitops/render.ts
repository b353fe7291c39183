// GitOps engine, step "render values": writes a release into an environment's repository. renderEnvironment
// plans every file of the release through the environment's image mappings (gitops/mappings/plan.ts) and renders
// each with its editor: the `flow-workloads` values files here, `helm-values`, `kustomize` and `manifests` in
// gitops/mappings/. The flow-workloads layout is the chart convention of sim/chart.ts (ChartValues):
// `flowController.{releaseId, descriptorDigest, productVersion}` and
// `workloads.<service>.{kind, containers.<c>.image.{repository, tag | digest}}`, one file per group, listing the
// group's services that flow-workloads maps. Existing files are edited in place through the yaml Document API so
// that comments, key order and every key Flow Controller does not own (replicas, resources, initContainers, other
// top-level keys) survive. Pure: no I/O, no clock, no randomness — the same input always gives byte-identical
// output, which is what makes the commit step idempotent (re-rendering a pushed state yields "no change").
import { Document, isMap, isPair, isScalar, parseDocument, Scalar, YAMLMap, type Pair } from 'yaml';
import { DIGEST_RE, NAME_RE, type Descriptor } from '../domain/descriptor.js';
import { DEFAULT_PATH_PATTERN } from '../domain/environment.js';
import type { ImageMapping, MappingGroups } from '../domain/image-mapping.js';
import { ValuesRenderError } from './errors.js';
import { editHelmValues } from './mappings/helm-values.js';
import { editKustomization } from './mappings/kustomize.js';
import { editManifests } from './mappings/manifests.js';
import { checkedPath, mappedPathMatcher, planEnvironment, servicesOfType, workloadOf, type FilePlan } from './mappings/plan.js';

export { ValuesRenderError };

/** Header written at the top of a values file Flow Controller creates (never added to an existing file). */
export const NEW_FILE_HEADER =
  ' Values for this group, rendered by Flow Controller (docs/gitops-engine.md).\n' +
  ' Flow Controller rewrites `flowController` and workloads.<service>.{kind, containers.<c>.image} on every\n' +
  ' promotion and removes services that left the release; other keys and comments are kept.';

export interface RenderValuesInput {
  /** Current file content, or undefined when the file does not exist yet. */
  existing: string | undefined;
  environment: string;
  group: string;
  releaseId: string;
  descriptorDigest: string;
  productVersion: string;
  /** The group's services, exactly as in the release descriptor. */
  services: NonNullable<Descriptor[string]>;
}

export interface RenderValuesResult {
  content: string;
  /** `content` differs from `existing` (byte comparison). */
  changed: boolean;
}

// Where Flow Controller adds one of its own fields to a map: the chart's reading order. Names (groups,
// services, containers) are added in sorted order. Either way the position depends only on the input.
const FC_ORDER = ['releaseId', 'descriptorDigest', 'productVersion'] as const;
const WORKLOAD_ORDER = ['kind', 'containers'] as const;
const IMAGE_ORDER = ['repository', 'tag', 'digest'] as const;

export function renderValuesFile(input: RenderValuesInput): RenderValuesResult {
  const where = `${input.environment}/${input.group}`;
  const doc = parseExisting(input.existing, where);
  const root = doc.contents as YAMLMap;

  const fc = ensureMap(doc, root, 'flowController');
  setString(doc, fc, 'releaseId', input.releaseId, true, FC_ORDER);
  setString(doc, fc, 'descriptorDigest', input.descriptorDigest, true, FC_ORDER);
  setString(doc, fc, 'productVersion', input.productVersion, true, FC_ORDER);

  const workloads = ensureMap(doc, root, 'workloads');
  const wanted = Object.keys(input.services).sort(compare);
  removeKeysNotIn(workloads, new Set(wanted));
  for (const service of wanted) {
    const svc = input.services[service];
    if (!NAME_RE.test(service) || svc === undefined) {
      throw new ValuesRenderError(`${where}: service name "${service}" is not a DNS label`);
    }
    const { kind, containers } = workloadOf(svc, `${where}/${service}`);
    const workload = ensureMap(doc, workloads, service);
    setString(doc, workload, 'kind', kind, false, WORKLOAD_ORDER);
    const containersNode = ensureMap(doc, workload, 'containers', WORKLOAD_ORDER);
    const names = Object.keys(containers).sort(compare);
    removeKeysNotIn(containersNode, new Set(names));
    for (const name of names) {
      const c = containers[name];
      if (!NAME_RE.test(name) || c === undefined) {
        throw new ValuesRenderError(`${where}/${service}: container name "${name}" is not a DNS label`);
      }
      const image = ensureMap(doc, ensureMap(doc, containersNode, name), 'image');
      setString(doc, image, 'repository', c.repo, false, IMAGE_ORDER);
      const [key, stale] = DIGEST_RE.test(c.tag) ? (['digest', 'tag'] as const) : (['tag', 'digest'] as const);
      const stalePair = findPair(image, stale);
      // tag ↔ digest: rename the key in place, so its position and comments stay where a reader left them.
      if (stalePair && !findPair(image, key)) stalePair.key = new Scalar(key);
      image.delete(stale);
      setString(doc, image, key, c.tag, true, IMAGE_ORDER);
    }
  }

  const content = doc.toString({ lineWidth: 0 });
  return { content, changed: content !== input.existing };
}

export interface RenderEnvironmentInput {
  environment: string;
  descriptor: Descriptor;
  releaseId: string;
  descriptorDigest: string;
  productVersion: string;
  /** Reads a repository-relative path; undefined when the file does not exist. */
  readFile: (path: string) => string | undefined;
  /** `{env}` and `{group}` are substituted; default `environments/{env}/{group}/values.yaml`. */
  pathPattern?: string;
  /** The environment's image mappings (`gitops.mapping`, `gitops.groups`); absent = flow-workloads everywhere. */
  mapping?: ImageMapping | undefined;
  groups?: MappingGroups | undefined;
}

export interface RenderedFile {
  path: string;
  content: string;
  changed: boolean;
}

/**
 * Renders every file the release writes in the environment (gitops/mappings/plan.ts): each service through its
 * image mapping, services sharing a file edited together; a group's flow-workloads file lists only the services
 * mapped by flow-workloads. Files in plan order (group, then service, of their first service).
 */
export function renderEnvironment(input: RenderEnvironmentInput): { files: RenderedFile[] } {
  const plans = planEnvironment(input);
  return { files: plans.map((plan) => renderPlannedFile(plan, input.readFile(plan.path), input)) };
}

/** The repository paths renderEnvironment reads and writes, without reading anything (the render step fetches them at once). */
export function plannedPaths(
  input: Omit<RenderEnvironmentInput, 'readFile' | 'releaseId' | 'descriptorDigest' | 'productVersion'>,
): string[] {
  return planEnvironment(input).map((p) => p.path);
}

/** Renders one planned file against its current content (undefined: the file does not exist). */
export function renderPlannedFile(
  plan: FilePlan,
  existing: string | undefined,
  release: { environment: string; releaseId: string; descriptorDigest: string; productVersion: string },
): RenderedFile {
  const meta = { releaseId: release.releaseId, descriptorDigest: release.descriptorDigest, productVersion: release.productVersion };
  if (plan.type === 'flow-workloads') {
    const services = Object.fromEntries(plan.services.map((s) => [s.service, s.spec]));
    return { path: plan.path, ...renderValuesFile({ existing, environment: release.environment, group: plan.group, ...meta, services }) };
  }
  if (existing === undefined) {
    const who = plan.services.map((s) => `${s.group}/${s.service}`).join(', ');
    throw new ValuesRenderError(
      `${plan.path} not found: the ${plan.type} mapping of ${who} (${plan.services[0]?.field ?? ''}) writes into it`,
    );
  }
  const edit = { file: plan.path, existing, release: meta };
  switch (plan.type) {
    case 'helm-values':
      return { path: plan.path, ...editHelmValues({ ...edit, services: servicesOfType(plan, 'helm-values') }) };
    case 'kustomize':
      return { path: plan.path, ...editKustomization({ ...edit, services: servicesOfType(plan, 'kustomize') }) };
    case 'manifests':
      return { path: plan.path, ...editManifests({ ...edit, services: servicesOfType(plan, 'manifests') }) };
    default: {
      const never: never = plan.type;
      throw new ValuesRenderError(`unknown mapping type ${String(never)}`);
    }
  }
}

/** The repository-relative values path of a group; rejects patterns that escape the repository. */
export function valuesPath(pattern: string, environment: string, group: string): string {
  return checkedPath(pattern.replaceAll('{env}', environment).replaceAll('{group}', group));
}

/**
 * Whether a repository path belongs to `environment` under `pattern`: the pattern with `{env}` = environment and
 * `{group}` = any DNS label. (The image mappings generalise it: mappedPathMatcher.)
 */
export function environmentPathMatcher(pattern: string | undefined, environment: string): (path: string) => boolean {
  return mappedPathMatcher({ pathPattern: pattern ?? DEFAULT_PATH_PATTERN }, environment);
}

// --- helpers -------------------------------------------------------------------------------------------

/** Code-unit order: locale-independent, so output never depends on the worker's ICU data. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseExisting(existing: string | undefined, where: string): Document {
  if (existing === undefined) {
    const doc = new Document(new YAMLMap());
    doc.commentBefore = NEW_FILE_HEADER;
    return doc;
  }
  // Widened from Document.Parsed: the empty-file case below gives it new (unparsed) contents.
  const doc: Document = parseDocument(existing);
  if (doc.errors.length > 0) {
    // The parser's message quotes the offending line: report its code and position only, never the file's content
    // (a symlinked or misplaced secret file must not reach step messages, audit or Temporal).
    const first = doc.errors[0];
    const at = first?.linePos?.[0];
    throw new ValuesRenderError(
      `${where}: existing values file is not valid YAML (${first?.code ?? 'parse error'}${at ? ` at line ${at.line}, column ${at.col}` : ''})`,
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    // Empty or comment-only file: keep its comments above the new content.
    const comment = [doc.commentBefore, doc.comment, isScalar(doc.contents) ? doc.contents.commentBefore : undefined]
      .filter((c): c is string => typeof c === 'string' && c.length > 0)
      .join('\n');
    doc.contents = new YAMLMap();
    doc.commentBefore = comment.length > 0 ? comment : null;
    doc.comment = null;
  }
  if (!isMap(doc.contents)) {
    throw new ValuesRenderError(`${where}: existing values file must be a YAML mapping at the top level`);
  }
  return doc;
}

function keyOf(pair: Pair<unknown, unknown>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * Inserts a new key. With `order` (a field list) it goes before the first existing field ranked after it,
 * else at the end; without, before the first existing key that sorts after it (sorted maps stay sorted).
 */
function insertSorted(doc: Document, map: YAMLMap, key: string, value: unknown, order?: readonly string[]): void {
  const pair = doc.createPair(key, value);
  const rank = order?.indexOf(key) ?? -1;
  const at =
    order && rank >= 0
      ? map.items.findIndex((p) => order.indexOf(keyOf(p)) > rank)
      : map.items.findIndex((p) => compare(keyOf(p), key) > 0);
  if (at < 0) map.items.push(pair);
  else map.items.splice(at, 0, pair);
}

function findPair(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((p) => isPair(p) && keyOf(p) === key);
}

/** The map at `key`, created (sorted) when absent; a non-map value (null, scalar, list) is replaced. */
function ensureMap(doc: Document, parent: YAMLMap, key: string, order?: readonly string[]): YAMLMap {
  const pair = findPair(parent, key);
  if (pair && isMap(pair.value)) {
    // An empty flow map (`workloads: {}`) becomes a block map once Flow Controller fills it, so the file
    // stays readable; a non-empty flow map keeps the style its author chose.
    if (pair.value.flow && pair.value.items.length === 0) pair.value.flow = false;
    return pair.value;
  }
  const map = new YAMLMap();
  if (pair) {
    // Keep a comment written on the replaced value (e.g. `workloads: # managed`).
    if (isScalar(pair.value) && pair.value.comment) map.comment = pair.value.comment;
    pair.value = map;
  } else insertSorted(doc, parent, key, map, order);
  return map;
}

/**
 * Sets a string scalar, editing the existing node when there is one so that its comments survive. `quoted`
 * forces a quoted style (double unless the file already used single quotes): tags, digests and versions are
 * always strings (`1.10` must not become the float 1.1), whatever the previous file held.
 */
function setString(doc: Document, map: YAMLMap, key: string, value: string, quoted: boolean, order: readonly string[]): void {
  const pair = findPair(map, key);
  if (pair && isScalar(pair.value)) {
    const node = pair.value;
    if (node.value !== value) node.value = value;
    delete node.tag;
    if (quoted) {
      if (node.type !== Scalar.QUOTE_SINGLE) node.type = Scalar.QUOTE_DOUBLE;
    } else if (node.type !== Scalar.QUOTE_SINGLE && node.type !== Scalar.QUOTE_DOUBLE) {
      node.type = Scalar.PLAIN;
    }
    return;
  }
  const node = new Scalar(value);
  if (quoted) node.type = Scalar.QUOTE_DOUBLE;
  if (pair) pair.value = node;
  else insertSorted(doc, map, key, node, order);
}

function removeKeysNotIn(map: YAMLMap, keep: ReadonlySet<string>): void {
  map.items = map.items.filter((p) => keep.has(keyOf(p)));
}
