// The installation's target policy (domain/target-policy.ts) applied to an environment's verification checks:
// every HTTP check URL and Prometheus server an installation may contact, with no credentials in the URL, and
// secret references (header `secretRef`, Prometheus `tokenRef`) that can resolve. Checked when an environment is
// saved (422 ENVIRONMENT_INVALID naming the field) and again by the activities on the expanded URL of every run.
// Pure.
import { endpointOf, hostAllowed, secretRefProblem, urlHasCredentials, type TargetPolicy, type TargetProblem } from './target-policy.js';
import { expandCheckTemplate, type VerificationConfig } from './verification.js';

/** Placeholder values for the URL templates at save time (the host rarely depends on them; runs check the real URL). */
const SAMPLE_VARS = { releaseId: '00000000-0000-0000-0000-000000000000', productVersion: '0.0.0' };

/** Why `url` may not be contacted by a check (undefined: it may). Never repeats the URL. */
export function checkUrlProblem(url: string, allowedHosts: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (urlHasCredentials(url)) return 'must not contain credentials (user:password@); use a header with secretRef or tokenRef';
  if (!hostAllowed(url, allowedHosts)) {
    const ep = endpointOf(url);
    return `host ${ep?.host ?? ''}${ep?.port ? `:${ep.port}` : ''} is not in FC_ALLOWED_HOSTS`;
  }
  return undefined;
}

/** Every reason the environment's checks break the policy (empty = fine). */
export function checkVerificationPolicy(
  environment: string,
  verification: VerificationConfig | undefined,
  policy: TargetPolicy,
): TargetProblem[] {
  const problems: TargetProblem[] = [];
  for (const [i, check] of (verification?.checks ?? []).entries()) {
    const at = `verification.checks.${i}`;
    if (check.kind === 'http') {
      const problem = checkUrlProblem(expandCheckTemplate(check.url, { env: environment, ...SAMPLE_VARS }), policy.allowedHosts);
      if (problem) problems.push({ path: `${at}.url`, message: problem });
      for (const [header, value] of Object.entries(check.headers ?? {})) {
        const refProblem = 'secretRef' in value ? secretRefProblem(value.secretRef, policy) : undefined;
        if (refProblem) problems.push({ path: `${at}.headers.${header}.secretRef`, message: refProblem });
      }
    } else if (check.kind === 'prometheus') {
      const problem = checkUrlProblem(check.serverUrl, policy.allowedHosts);
      if (problem) problems.push({ path: `${at}.serverUrl`, message: problem });
      const refProblem = check.tokenRef === undefined ? undefined : secretRefProblem(check.tokenRef, policy);
      if (refProblem) problems.push({ path: `${at}.tokenRef`, message: refProblem });
    }
  }
  return problems;
}
