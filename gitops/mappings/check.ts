// Save-time check of image mappings against the repository (no release needed): each mapping whose file resolves
// without one (domain/image-mapping.ts resolvableMappings) must find its file on the branch, and in it every path,
// list or workload it names. The caller reads all files with one fetch (gitops/repo.ts readBranchFiles).
import type { ResolvableMapping } from '../../domain/image-mapping.js';
import { helmValuesProblems } from './helm-values.js';
import { kustomizationProblems } from './kustomize.js';
import { manifestsProblems } from './manifests.js';
import type { MappingProblem } from './types.js';

export type { MappingProblem } from './types.js';

export function mappedFilesProblems(
  entries: readonly ResolvableMapping[],
  files: Record<string, string | undefined>,
  branch: string,
): MappingProblem[] {
  const problems: MappingProblem[] = [];
  for (const e of entries) {
    const text = files[e.file];
    if (text === undefined) {
      problems.push({ field: `${e.field}.file`, file: e.file, message: `${e.file} not found on branch ${branch}` });
      continue;
    }
    const m = e.mapping;
    switch (m.type) {
      case 'helm-values':
        problems.push(...helmValuesProblems(e.field, e.file, text, m));
        break;
      case 'kustomize':
        problems.push(...kustomizationProblems(e.field, e.file, text, m));
        break;
      case 'manifests':
        problems.push(...manifestsProblems(e.field, e.file, text, m, e.service));
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown mapping ${JSON.stringify(never)}`);
      }
    }
  }
  return problems;
}
