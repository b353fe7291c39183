// The validation report: every rule a template or descriptor can break, as a closed set of codes, and the
// { path, code, message } entries the API returns (422) all at once. Paths are dot-joined keys from the
// document root, e.g. `core.api.Deployment.containers.api.tag`; names cannot contain dots, so paths are
// unambiguous. The root itself is the empty path.
import { z } from 'zod';

export const PROBLEM_CODES = [
  // shape of a template or descriptor
  'INVALID_SHAPE',
  'INVALID_NAME',
  'UNKNOWN_WORKLOAD_KIND',
  'UNKNOWN_FIELD',
  'MISSING_FIELD',
  'INVALID_REPOSITORY',
  'INVALID_TAG',
  'INVALID_PLACEHOLDER',
  'PLACEHOLDER_NOT_ALLOWED',
  'TOO_MANY_PLACEHOLDERS',
  // descriptor against its template
  'UNKNOWN_GROUP',
  'UNKNOWN_SERVICE',
  'MISSING_SERVICE',
  'WORKLOAD_KIND_MISMATCH',
  'UNKNOWN_CONTAINER',
  'MISSING_CONTAINER',
  'REPOSITORY_NOT_ALLOWED',
  'PLACEHOLDER_UNFILLED',
  'PINNED_VALUE_OVERRIDDEN',
  'OVERRIDE_ACK_UNUSED',
  // render helper
  'MISSING_VALUE',
  'INVALID_VALUE',
] as const;
export const ProblemCode = z.enum(PROBLEM_CODES);
export type ProblemCode = z.infer<typeof ProblemCode>;

export const Problem = z.object({ path: z.string(), code: ProblemCode, message: z.string() });
export type Problem = z.infer<typeof Problem>;

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('.');
}

/** Stable order (path, then code, then message) so reports can be compared exactly. */
export function sortProblems(problems: Problem[]): Problem[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...problems].sort((a, b) => cmp(a.path, b.path) || cmp(a.code, b.code) || cmp(a.message, b.message));
}
