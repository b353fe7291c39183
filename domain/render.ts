// The render helper: fills a template's placeholders from a map of values, giving the descriptor a CI job
// submits. Optional markers are dropped (every service is rendered; leave out an optional one by deleting
// it from the result). The caller validates the result against the same template.
import { z } from 'zod';
import { PLACEHOLDER_RE, type Descriptor, type Template } from './descriptor.js';
import { joinPath, sortProblems, type Problem } from './problems.js';

export const PlaceholderValues = z.record(z.string(), z.string());
export type PlaceholderValues = z.infer<typeof PlaceholderValues>;

export interface RenderResult {
  descriptor: Descriptor;
  problems: Problem[];
  /** Values given but not used by any placeholder (a typo in CI is likelier than intent). */
  unusedValues: string[];
}

export function renderTemplate(input: { template: Template; values: PlaceholderValues }): RenderResult {
  const problems: Problem[] = [];
  const used = new Set<string>();
  const values = new Map(Object.entries(input.values));
  for (const [name, value] of values) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
      problems.push({
        path: joinPath('values', name),
        code: 'INVALID_VALUE',
        message: `"${name}" is not a placeholder name (UPPER_SNAKE)`,
      });
    } else if (value.length === 0 || /[<>]/.test(value)) {
      problems.push({
        path: joinPath('values', name),
        code: 'INVALID_VALUE',
        message: 'a value must be non-empty and free of "<" and ">"',
      });
    }
  }
  const descriptor: Descriptor = {};
  for (const [group, services] of Object.entries(input.template)) {
    const outGroup: Descriptor[string] = {};
    descriptor[group] = outGroup;
    for (const [service, spec] of Object.entries(services)) {
      for (const [kind, workload] of Object.entries(spec)) {
        if (!workload) continue;
        const containers: Record<string, { repo: string; tag: string }> = {};
        for (const [name, c] of Object.entries(workload.containers)) {
          const path = joinPath(group, service, kind, 'containers', name, 'tag');
          const tag = c.tag.replace(PLACEHOLDER_RE, (whole, placeholder: string) => {
            const value = values.get(placeholder);
            if (value === undefined) {
              problems.push({ path, code: 'MISSING_VALUE', message: `no value for placeholder <${placeholder}>` });
              return whole;
            }
            used.add(placeholder);
            return value;
          });
          containers[name] = { repo: c.repo, tag };
        }
        outGroup[service] = { [kind]: { containers } };
      }
    }
  }
  const unusedValues = [...values.keys()].filter((k) => !used.has(k)).sort();
  return { descriptor, problems: sortProblems(problems), unusedValues };
}
