// Image mapping `helm-values`: writes each container's image into YAML paths of an existing Helm values file
// (`image.repository` / `image.tag`, bitnami's `image.registry` split, `image.digest`, per-container lists
// selected by name such as `sidecars[name=metrics].image.tag`), and the release id / descriptor digest where the
// mapping names a place for them. The file, and every registry/repository/tag path, must exist: a typo must not
// silently add a key the chart never reads. A digest, release id or descriptor digest key may be missing (its
// parent map must exist): it is then added. Pure; edits in place through yaml-edit.ts.
import { DIGEST_RE } from '../../domain/descriptor.js';
import {
  DEFAULT_HELM_IMAGE_PATHS,
  parseYamlPath,
  splitRegistry,
  type HelmImagePaths,
  type HelmValuesMapping,
  type YamlPathSegment,
} from '../../domain/image-mapping.js';
import { ValuesRenderError } from '../errors.js';
import { sortedKeys, WriteLog, type EditInput, type EditResult, type MappingProblem } from './types.js';
import { resolvePath, YamlFile } from './yaml-edit.js';

function segmentsOf(path: string, where: string): YamlPathSegment[] {
  const parsed = parseYamlPath(path);
  // Stored configurations were validated on save; this guards against rows written some other way.
  if (!parsed.ok) throw new ValuesRenderError(`${where}: invalid YAML path "${path.slice(0, 80)}": ${parsed.message}`);
  return parsed.segments;
}

/** The image paths of `container`: its own entry, else `*`, else (no `containers` at all) the default. */
export function imagePathsFor(mapping: HelmValuesMapping, container: string): { paths: HelmImagePaths; key: string } | undefined {
  if (!mapping.containers) return { paths: DEFAULT_HELM_IMAGE_PATHS, key: '*' };
  const own = Object.hasOwn(mapping.containers, container) ? mapping.containers[container] : undefined;
  if (own) return { paths: own, key: container };
  const any = Object.hasOwn(mapping.containers, '*') ? mapping.containers['*'] : undefined;
  return any ? { paths: any, key: '*' } : undefined;
}

export function editHelmValues(input: EditInput<HelmValuesMapping>): EditResult {
  const file = new YamlFile(input.file, input.existing, false);
  const root = file.root();
  const log = new WriteLog(input.file);

  const write = (path: string, value: string, opts: { field: string; by: string; mustExist: boolean; quote: boolean }) => {
    const target = resolvePath(root, segmentsOf(path, `${input.file} (${opts.field})`), opts.mustExist);
    if (!target.ok) throw new ValuesRenderError(`${input.file}: path ${path} (${opts.field}): ${target.message}`);
    log.record(`path ${path}`, value, opts.by);
    file.setKey(0, target.parent, target.key, value, opts.quote, path);
  };
  const exists = (path: string): boolean => {
    const target = resolvePath(root, segmentsOf(path, input.file), true);
    return target.ok;
  };

  for (const s of input.services) {
    const m = s.mapping;
    for (const name of sortedKeys(s.containers)) {
      const c = s.containers[name];
      if (!c) continue;
      const by = `${s.group}/${s.service} container ${name}`;
      const found = imagePathsFor(m, name);
      if (!found) {
        throw new ValuesRenderError(
          `${input.file}: ${s.field}.containers names no image paths for container "${name}" of ${s.group}/${s.service} (and no "*")`,
        );
      }
      const { paths, key } = found;
      const field = m.containers ? `${s.field}.containers.${key}` : `${s.field}.containers`;
      const at = (what: string) => ({ field: `${field}.${what}`, by, mustExist: true, quote: false });
      const split = paths.registry !== undefined ? splitRegistry(c.repo) : { registry: '', repository: c.repo };
      if (paths.registry !== undefined) write(paths.registry, split.registry, at('registry'));
      write(paths.repository, split.repository, at('repository'));
      if (DIGEST_RE.test(c.tag)) {
        if (paths.digest === undefined) {
          throw new ValuesRenderError(`${input.file}: ${by} is pinned to a digest, but ${field} has no digest path to write it to`);
        }
        // The tag is left as it is: charts such as bitnami's render `repository:tag@digest`, and the digest wins.
        write(paths.digest, c.tag, { ...at('digest'), mustExist: false, quote: true });
      } else {
        if (paths.tag === undefined) {
          throw new ValuesRenderError(`${input.file}: ${by} has the tag ${c.tag}, but ${field} has no tag path to write it to`);
        }
        write(paths.tag, c.tag, { ...at('tag'), quote: true });
        // bitnami convention: a digest left from an earlier release would override the new tag, so it is emptied.
        if (paths.digest !== undefined && exists(paths.digest)) write(paths.digest, '', { ...at('digest'), quote: true });
      }
    }
    const meta = { by: `${s.group}/${s.service}`, mustExist: false, quote: true };
    if (m.releaseId !== undefined) write(m.releaseId, input.release.releaseId, { ...meta, field: `${s.field}.releaseId` });
    if (m.descriptorDigest !== undefined) {
      write(m.descriptorDigest, input.release.descriptorDigest, { ...meta, field: `${s.field}.descriptorDigest` });
    }
  }
  return file.output();
}

/**
 * Save-time check of a helm-values mapping against its file (no release needed): the file is a YAML mapping, the
 * registry/repository/tag paths exist, the parents of digest/releaseId/descriptorDigest exist.
 */
export function helmValuesProblems(field: string, fileName: string, text: string, mapping: HelmValuesMapping): MappingProblem[] {
  let root;
  try {
    root = new YamlFile(fileName, text, false).root();
  } catch (err) {
    return [{ field: `${field}.file`, file: fileName, message: (err as Error).message }];
  }
  const problems: MappingProblem[] = [];
  const check = (path: string | undefined, at: string, mustExist: boolean) => {
    if (path === undefined) return;
    const parsed = parseYamlPath(path);
    const target = parsed.ok ? resolvePath(root, parsed.segments, mustExist) : { ok: false as const, message: parsed.message };
    if (!target.ok) problems.push({ field: at, file: fileName, message: `${fileName} has no ${path}: ${target.message}` });
  };
  const containers = mapping.containers ?? { '*': DEFAULT_HELM_IMAGE_PATHS };
  for (const name of sortedKeys(containers)) {
    const p = containers[name];
    if (!p) continue;
    const at = mapping.containers ? `${field}.containers.${name}` : `${field}.containers`;
    check(p.registry, `${at}.registry`, true);
    check(p.repository, `${at}.repository`, true);
    check(p.tag, `${at}.tag`, true);
    check(p.digest, `${at}.digest`, false);
  }
  check(mapping.releaseId, `${field}.releaseId`, false);
  check(mapping.descriptorDigest, `${field}.descriptorDigest`, false);
  return problems;
}
