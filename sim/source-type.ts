// How Argo CD's repo-server decides how to generate an Application's manifests (reposerver/repository
// GetAppSourceType, util/app/discovery): an explicit type in the source (`helm`, `kustomize`, `directory`; more
// than one is an error) wins; otherwise the files directly in the source path decide, visited in name order as
// filepath.Walk visits them: a name ending in `Chart.yaml` makes it Helm, a kustomization file name
// (`kustomization.yaml`, `kustomization.yml`, `Kustomization`) makes it Kustomize, the later file winning — so
// a path holding both a Chart.yaml and a kustomization.yaml is Kustomize; nothing of the two is Directory.
// Pure: the caller lists the files.

export type SourceType = 'Helm' | 'Kustomize' | 'Directory';

/** argo-cd util/kustomize KustomizationNames. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export interface ExplicitSource {
  /** `spec.source.helm` is set (the simulator's AppSpec: a non-empty `valueFiles`). */
  helm: boolean;
  /** `spec.source.kustomize` is set. */
  kustomize?: boolean;
  /** `spec.source.directory` is set. */
  directory: boolean;
}

export class SourceTypeError extends Error {
  override readonly name = 'SourceTypeError';
}

/** The explicit type of a source, undefined when it names none (argo-cd ApplicationSource.ExplicitType). */
export function explicitType(source: ExplicitSource): SourceType | undefined {
  const types: SourceType[] = [];
  if (source.kustomize) types.push('Kustomize');
  if (source.helm) types.push('Helm');
  if (source.directory) types.push('Directory');
  if (types.length > 1) throw new SourceTypeError(`multiple application sources defined: ${types.join(',')}`);
  return types[0];
}

/** The type discovery gives a path from the names of the regular files directly in it (util/app/discovery AppType). */
export function discoverType(fileNames: readonly string[]): SourceType {
  let found: SourceType = 'Directory';
  // Go's filepath.Walk visits names sorted bytewise; compare code units, not locale order.
  for (const name of [...fileNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (name.endsWith('Chart.yaml')) found = 'Helm';
    if ((KUSTOMIZATION_NAMES as readonly string[]).includes(name)) found = 'Kustomize';
  }
  return found;
}

export function sourceTypeOf(source: ExplicitSource, fileNames: readonly string[]): SourceType {
  return explicitType(source) ?? discoverType(fileNames);
}
