// Image mapping `manifests`: writes each container's `image:` in plain Kubernetes YAML (one or several documents
// per file). The document is the workload whose `kind` and `metadata.name` match the mapping's `workload` (default:
// the descriptor's kind and the service's name); the pod template is `spec.template` (CronJob:
// `spec.jobTemplate.spec.template`), the container is found by name among `containers` and `initContainers`.
// `releaseAnnotations: true` also writes the release id and descriptor digest as pod-template annotations, so
// every promotion rolls the pods and every pod says which release it runs. Untouched documents are copied byte for
// byte. Pure; edits in place through yaml-edit.ts.
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { DIGEST_RE, WORKLOAD_KINDS } from '../../domain/descriptor.js';
import { RELEASE_ANNOTATION } from '../../domain/environment.js';
import { DESCRIPTOR_DIGEST_ANNOTATION, type ManifestsMapping } from '../../domain/image-mapping.js';
import { ValuesRenderError } from '../errors.js';
import { sortedKeys, WriteLog, type EditInput, type EditResult, type MappingProblem } from './types.js';
import { scalarText, YamlFile } from './yaml-edit.js';

/** The documents of `file` that are a `kind` (any workload kind when undefined) named `name`. */
function workloadDocs(file: YamlFile, kind: string | undefined, name: string): number[] {
  const kinds: readonly string[] = kind ? [kind] : WORKLOAD_KINDS;
  const found: number[] = [];
  file.docs.forEach((doc, i) => {
    const root = doc.contents;
    if (!isMap(root)) return;
    const k = scalarText(root.get('kind', true));
    const n = scalarText((root.get('metadata', true) as YAMLMap | undefined)?.get?.('name', true));
    if (k !== undefined && kinds.includes(k) && n === name) found.push(i);
  });
  return found;
}

function mapAt(map: YAMLMap, keys: string[]): YAMLMap | undefined {
  let current: unknown = map;
  for (const key of keys) {
    if (!isMap(current)) return undefined;
    current = current.get(key, true);
  }
  return isMap(current) ? current : undefined;
}

/** `image:` value of a container: `repo@sha256:…` for a digest, else `repo:tag`. */
export function imageOf(c: { repo: string; tag: string }): string {
  return DIGEST_RE.test(c.tag) ? `${c.repo}@${c.tag}` : `${c.repo}:${c.tag}`;
}

export function editManifests(input: EditInput<ManifestsMapping>): EditResult {
  const file = new YamlFile(input.file, input.existing, true);
  const log = new WriteLog(input.file);
  for (const s of input.services) {
    const kind = s.mapping.workload?.kind ?? s.kind;
    const name = s.mapping.workload?.name ?? s.service;
    const what = `${kind} ${name}`;
    const docs = workloadDocs(file, kind, name);
    if (docs.length !== 1) {
      throw new ValuesRenderError(
        docs.length === 0
          ? `${input.file}: no ${what} (service ${s.group}/${s.service}${s.mapping.workload ? `, ${s.field}.workload` : ''})`
          : `${input.file}: several documents are ${what}`,
      );
    }
    const i = docs[0] as number;
    const root = file.root(i);
    const templatePath = kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
    const template = mapAt(root, templatePath);
    const podSpec = template && mapAt(template, ['spec']);
    if (!template || !podSpec) throw new ValuesRenderError(`${input.file}: ${what} has no ${templatePath.join('.')}.spec`);
    const all: YAMLMap[] = [];
    for (const key of ['containers', 'initContainers']) {
      const list: unknown = podSpec.get(key, true);
      if (isSeq(list)) all.push(...list.items.filter((c): c is YAMLMap => isMap(c)));
    }
    for (const container of sortedKeys(s.containers)) {
      const c = s.containers[container];
      if (!c) continue;
      const matches = all.filter((m) => scalarText(m.get('name', true)) === container);
      if (matches.length !== 1) {
        const names = all.map((m) => scalarText(m.get('name', true)) ?? '?').join(', ') || 'none';
        throw new ValuesRenderError(
          matches.length === 0
            ? `${input.file}: ${what} has no container "${container}" (service ${s.group}/${s.service}; containers and initContainers: ${names})`
            : `${input.file}: ${what} has several containers named "${container}"`,
        );
      }
      const image = imageOf(c);
      log.record(`${what} container ${container}`, image, `${s.group}/${s.service}`);
      file.setKey(i, matches[0] as YAMLMap, 'image', image, false, `${what} container ${container} image`, ['name']);
    }
    if (s.mapping.releaseAnnotations === true) {
      const at = `${what} ${templatePath.join('.')}`;
      const annotations = file.ensureMap(
        i,
        file.ensureMap(i, template, 'metadata', `${at}.metadata`),
        'annotations',
        `${at}.metadata.annotations`,
      );
      file.setKey(i, annotations, RELEASE_ANNOTATION, input.release.releaseId, true);
      file.setKey(i, annotations, DESCRIPTOR_DIGEST_ANNOTATION, input.release.descriptorDigest, true);
    }
  }
  return file.output();
}

/**
 * Save-time check: every document parses, and when the workload's name is known without a release (the mapping's
 * `workload.name`, or the service of a per-service mapping) the file holds exactly one such workload.
 */
export function manifestsProblems(
  field: string,
  fileName: string,
  text: string,
  mapping: ManifestsMapping,
  service: string | undefined,
): MappingProblem[] {
  let file: YamlFile;
  try {
    file = new YamlFile(fileName, text, true);
  } catch (err) {
    if (!(err instanceof ValuesRenderError)) throw err;
    return [{ field: `${field}.file`, file: fileName, message: err.message }];
  }
  const name = mapping.workload?.name ?? service;
  if (name === undefined) return [];
  const kind = mapping.workload?.kind;
  const count = workloadDocs(file, kind, name).length;
  if (count === 1) return [];
  const what = `${kind ?? 'workload'} named ${name}`;
  return [
    {
      field: mapping.workload ? `${field}.workload` : `${field}.file`,
      file: fileName,
      message: count === 0 ? `${fileName} has no ${what}` : `${fileName} has several documents that are a ${what}`,
    },
  ];
}
