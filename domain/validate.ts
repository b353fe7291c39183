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

/**
 * Does a concrete tag fit a moving template tag, i.e. keep its literal parts? Same answer as the regex
 * `^L0(.+)L1(.+)…(.+)Lk$` (L = the template's literal parts, one `(.+)` per placeholder), but decided by one
 * left-to-right scan instead of a backtracking regex (security audit finding 2: that regex explored every way to
 * split the tag, C(n-1, k-1) of them, and blocked the event loop for minutes).
 *
 * The scan: the tag must start with L0 and end with Lk; in between, each middle literal Li (i = 1 … k-1) is
 * placed at its left-most occurrence that leaves at least one character for the placeholder before it; finally
 * at least one character must be left for the last placeholder before Lk.
 *
 * Why greedy is exact. (⇐) A successful scan is itself an assignment: every placeholder got ≥ 1 character.
 * (⇒) Take any valid assignment, with Li ending at e*i, and let ei be where the scan's Li ends (e0 = e*0 = |L0|).
 * Induction on i: if e(i-1) ≤ e*(i-1), then Li occurs at e*i − |Li| ≥ e*(i-1) + 1 ≥ e(i-1) + 1, so the scan finds
 * an occurrence at or before it and ei ≤ e*i. Hence the scan never fails where the assignment succeeds, and the
 * last placeholder gets end − e(k-1) ≥ end − e*(k-1) ≥ 1 characters. Empty middle literals (adjacent
 * placeholders, `<A><B>`) are covered by the same argument (the empty string occurs everywhere).
 *
 * Cost: each search starts where the previous literal ended, so the scan visits the tag once, times at most the
 * literal's length per position for the string search: O(|tag| · longest literal), ≤ 128 · 128 for valid tags.
 */
export function fitsPattern(templateTag: string, tag: string): boolean {
  // split() with a capture group alternates literal, placeholder name, literal, …: keep the literals.
  const literals = templateTag.split(PLACEHOLDER_RE).filter((_, i) => i % 2 === 0);
  const k = literals.length - 1; // number of placeholders
  if (k === 0) return tag === templateTag;
  const head = literals[0] ?? '';
  const tail = literals[k] ?? '';
  if (!tag.startsWith(head) || !tag.endsWith(tail)) return false;
  const end = tag.length - tail.length; // the last placeholder ends here
  let pos = head.length; // where the next placeholder starts
  for (let i = 1; i < k; i++) {
    const literal = literals[i] ?? '';
    const at = tag.indexOf(literal, pos + 1);
    if (at < 0 || at + literal.length >= end) return false; // no room left for this literal and one more character
    pos = at + literal.length;
  }
  return end - pos >= 1;
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
