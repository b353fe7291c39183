// Image mapping `kustomize`: writes each container's image into the `images:` list of an existing
// kustomization.yaml (kustomize's image transformer: `name` matches the image in the resources, `newName`
// replaces the repository, `newTag` or `digest` the tag). The entry's `name` is the mapping's
// `images["<service>/<container>"]`, else the descriptor's repository; `newName` is written only when the
// descriptor's repository differs from that name. Entries of other images are not touched; new entries are
// appended, sorted by name. `releaseAnnotations: true` also writes the release id and descriptor digest as
// `commonAnnotations` (kustomize puts them on every object and pod template: each promotion rolls the pods).
// Pure; edits in place through yaml-edit.ts.
import { isMap, isScalar, isSeq, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { DIGEST_RE } from '../../domain/descriptor.js';
import { RELEASE_ANNOTATION } from '../../domain/environment.js';
import { DESCRIPTOR_DIGEST_ANNOTATION, type KustomizeMapping } from '../../domain/image-mapping.js';
import { ValuesRenderError } from '../errors.js';
import { compare, sortedKeys, WriteLog, type EditInput, type EditResult, type MappingProblem } from './types.js';
import { findPair, scalarText, YamlFile } from './yaml-edit.js';

interface Wanted {
  name: string;
  newName: string | undefined;
  /** `newTag` or `digest`. */
  key: 'newTag' | 'digest';
  value: string;
}

const ENTRY_ORDER = ['name', 'newName', 'newTag', 'digest'];

/** The `images` list of the kustomization, created (appended) when absent or null and `create`. */
function imagesList(file: YamlFile, root: YAMLMap, create: boolean): YAMLSeq | undefined {
  const pair = findPair(root, 'images');
  if (pair && isSeq(pair.value)) return pair.value;
  if (pair && !(isScalar(pair.value) && pair.value.value === null)) throw new ValuesRenderError(`${file.file}: images is not a list`);
  if (!create) return undefined;
  const list = new YAMLSeq();
  if (pair) pair.value = list;
  else root.items.push(file.docs[0]?.createPair('images', list) as (typeof root.items)[number]);
  file.structural(0);
  return list;
}

export function editKustomization(input: EditInput<KustomizeMapping>): EditResult {
  const file = new YamlFile(input.file, input.existing, false);
  const root = file.root();
  const log = new WriteLog(input.file);
  const wanted = new Map<string, Wanted>();
  for (const s of input.services) {
    for (const container of sortedKeys(s.containers)) {
      const c = s.containers[container];
      if (!c) continue;
      const ref = `${s.service}/${container}`;
      const name = (s.mapping.images && Object.hasOwn(s.mapping.images, ref) ? s.mapping.images[ref] : undefined) ?? c.repo;
      const want: Wanted = {
        name,
        newName: c.repo !== name ? c.repo : undefined,
        key: DIGEST_RE.test(c.tag) ? 'digest' : 'newTag',
        value: c.tag,
      };
      log.record(
        `images entry "${name}"`,
        `${want.newName ?? name} ${want.key} ${want.value}`,
        `${s.group}/${s.service} container ${container}`,
      );
      wanted.set(name, want);
    }
  }

  const list = imagesList(file, root, wanted.size > 0);
  const fresh: Wanted[] = [];
  for (const want of wanted.values()) {
    const entries = (list?.items ?? []).filter((item): item is YAMLMap => isMap(item) && scalarText(item.get('name', true)) === want.name);
    if (entries.length > 1) throw new ValuesRenderError(`${input.file}: several images entries are named "${want.name}"`);
    const entry = entries[0];
    if (!entry) {
      fresh.push(want);
      continue;
    }
    const where = `images entry "${want.name}"`;
    if (want.newName !== undefined) file.setKey(0, entry, 'newName', want.newName, false, `${where} newName`, ['name']);
    else file.deleteKey(0, entry, 'newName');
    const stale = want.key === 'digest' ? 'newTag' : 'digest';
    const stalePair = findPair(entry, stale);
    // newTag ↔ digest: rename the key in place, so its position and comment stay where a reader left them.
    if (stalePair && !findPair(entry, want.key)) {
      stalePair.key = new Scalar(want.key);
      file.structural(0);
    }
    file.deleteKey(0, entry, stale);
    file.setKey(0, entry, want.key, want.value, true, `${where} ${want.key}`, ENTRY_ORDER);
  }
  for (const want of fresh.sort((a, b) => compare(a.name, b.name))) {
    const entry = new YAMLMap();
    entry.set('name', want.name);
    if (want.newName !== undefined) entry.set('newName', want.newName);
    const value = new Scalar(want.value);
    value.type = Scalar.QUOTE_DOUBLE;
    entry.set(want.key, value);
    list?.items.push(entry);
    file.structural(0);
  }

  if (input.services.some((s) => s.mapping.releaseAnnotations === true)) {
    const annotations = file.ensureMap(0, root, 'commonAnnotations', 'commonAnnotations');
    file.setKey(0, annotations, RELEASE_ANNOTATION, input.release.releaseId, true);
    file.setKey(0, annotations, DESCRIPTOR_DIGEST_ANNOTATION, input.release.descriptorDigest, true);
  }
  return file.output();
}

/** Save-time check: the kustomization is a YAML mapping whose `images` (and `commonAnnotations`) have the right shape. */
export function kustomizationProblems(field: string, fileName: string, text: string, mapping: KustomizeMapping): MappingProblem[] {
  try {
    const file = new YamlFile(fileName, text, false);
    const root = file.root();
    imagesList(file, root, false);
    const annotations = findPair(root, 'commonAnnotations')?.value;
    if (
      mapping.releaseAnnotations &&
      annotations != null &&
      !isMap(annotations) &&
      !(isScalar(annotations) && annotations.value === null)
    ) {
      return [{ field: `${field}.releaseAnnotations`, file: fileName, message: `${fileName}: commonAnnotations is not a mapping` }];
    }
    return [];
  } catch (err) {
    if (!(err instanceof ValuesRenderError)) throw err;
    return [{ field: `${field}.file`, file: fileName, message: err.message }];
  }
}
