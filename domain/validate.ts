// The rules: a template on its own, and a descriptor against the template revision it resolved to.
// Both return every problem at once, sorted, so a CI job fixes a descriptor in one round trip.
//
// Pinned values and overrides: a template tag without placeholders is *pinned*; a tag with placeholders
// is *moving* and its literal parts (e.g. the `-alpine` of `<RELEASE_TAG>-alpine`) are pinned too. A
// descriptor value that differs from what the template pins is rejected (PINNED_VALUE_OVERRIDDEN) unless
// the request acknowledges its path; acknowledged overrides are returned so they are stored with the
// release. Acknowledging a path that is not an override is itself a problem (OVERRIDE_ACK_UNUSED), so
// stale acknowledgements in CI scripts surface instead of silently widening what may change.
// Repositories are never overridable: a container may only use the repository the template names.
import { z } from 'zod';
import { parseDocument, placeholdersIn, PLACEHOLDER_RE, type Descriptor, type ParsedDocument, type Template } from './descriptor.js';
import { joinPath, sortProblems, type Problem } from './problems.js';

export const Override = z.object({
  path: z.string(),
  templateValue: z.string(),
  value: z.string(),
});
export type Override = z.infer<typeof Override>;

export function validateTemplate(input: unknown): { ok: true; template: Template } | { ok: false; problems: Problem[] } {
  const { problems } = parseDocument(input, 'template');
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, template: input as Template };
}

export interface ValidateDescriptorInput {
  descriptor: unknown;
  /** A stored (already valid) template revision. */
  template: Template;
  /** Paths of pinned values the caller intends to override. */
  acknowledgedOverrides?: readonly string[];
}

export type ValidateDescriptorResult =
  { ok: true; descriptor: Descriptor; overrides: Override[] } | { ok: false; problems: Problem[]; overrides: Override[] };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does a concrete tag fit a moving template tag, i.e. keep its literal parts? */
export function fitsPattern(templateTag: string, tag: string): boolean {
  const source = templateTag
    .split(PLACEHOLDER_RE)
    // split() with a capture group alternates literal, placeholder name, literal, ...
    .map((part, i) => (i % 2 === 0 ? escapeRegExp(part) : '(.+)'))
    .join('');
  return new RegExp(`^${source}$`).test(tag);
}

export function validateDescriptor(input: ValidateDescriptorInput): ValidateDescriptorResult {
  const { parsed: descriptor, problems, present } = parseDocument(input.descriptor, 'descriptor');
  // Not even an object of groups: comparing it with the template would only repeat that.
  if (problems.some((x) => x.path === '' && x.code === 'INVALID_SHAPE')) return { ok: false, problems, overrides: [] };
  const { parsed: template } = parseDocument(input.template, 'template');
  const acks = new Set(input.acknowledgedOverrides ?? []);
  const used = new Set<string>();
  const overrides: Override[] = [];
  const problem = (path: string, code: Problem['code'], message: string) => problems.push({ path, code, message });

  compare(descriptor, template, present, {
    problem,
    pinnedDiffers(path, templateValue, value) {
      if (acks.has(path)) {
        used.add(path);
        overrides.push({ path, templateValue, value });
      } else {
        problem(
          path,
          'PINNED_VALUE_OVERRIDDEN',
          `"${value}" differs from the template's pinned "${templateValue}"; acknowledge the override to allow it`,
        );
      }
    },
  });

  for (const path of acks) {
    if (!used.has(path))
      problem(path, 'OVERRIDE_ACK_UNUSED', 'acknowledged override is not an override of a pinned value in this descriptor');
  }
  overrides.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems), overrides };
  return { ok: true, descriptor: input.descriptor as Descriptor, overrides };
}

interface CompareHooks {
  problem(path: string, code: Problem['code'], message: string): void;
  pinnedDiffers(path: string, templateValue: string, value: string): void;
}

function compare(descriptor: ParsedDocument, template: ParsedDocument, present: Set<string>, hooks: CompareHooks): void {
  const { problem } = hooks;
  for (const [group, services] of descriptor) {
    const templateServices = template.get(group);
    if (!templateServices) {
      problem(group, 'UNKNOWN_GROUP', `the template has no group "${group}"`);
      continue;
    }
    for (const [service, spec] of services) {
      const servicePath = joinPath(group, service);
      const expected = templateServices.get(service);
      if (!expected) {
        problem(servicePath, 'UNKNOWN_SERVICE', `the template has no service "${service}" in group "${group}"`);
        continue;
      }
      const workloadPath = joinPath(servicePath, spec.kind);
      if (spec.kind !== expected.kind) {
        problem(workloadPath, 'WORKLOAD_KIND_MISMATCH', `"${service}" is a ${expected.kind} in the template, not a ${spec.kind}`);
        continue;
      }
      for (const [name, container] of spec.containers) {
        const containerPath = joinPath(workloadPath, 'containers', name);
        const allowed = expected.containers.get(name);
        if (!allowed) {
          problem(containerPath, 'UNKNOWN_CONTAINER', `the template has no container "${name}" in ${servicePath}`);
          continue;
        }
        if (container.repo !== undefined && allowed.repo !== undefined && container.repo !== allowed.repo) {
          problem(
            joinPath(containerPath, 'repo'),
            'REPOSITORY_NOT_ALLOWED',
            `"${container.repo}" is not the allowed repository "${allowed.repo}"`,
          );
        }
        if (container.tag !== undefined && allowed.tag !== undefined) {
          const moving = placeholdersIn(allowed.tag).length > 0;
          const fits = moving ? fitsPattern(allowed.tag, container.tag) : container.tag === allowed.tag;
          if (!fits) hooks.pinnedDiffers(joinPath(containerPath, 'tag'), allowed.tag, container.tag);
        }
      }
      for (const name of expected.containers.keys()) {
        if (!spec.containers.has(name)) {
          problem(joinPath(workloadPath, 'containers', name), 'MISSING_CONTAINER', `container "${name}" of ${servicePath} is missing`);
        }
      }
    }
  }
  for (const [group, services] of template) {
    for (const [service, spec] of services) {
      if (spec.optional || present.has(joinPath(group, service))) continue;
      problem(
        joinPath(group, service),
        'MISSING_SERVICE',
        `service "${service}" (${spec.kind}) of group "${group}" is missing and not optional`,
      );
    }
  }
}
