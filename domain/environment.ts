// Environments: configuration schema (API body, seed file, JSON columns), secret references, naming
// patterns, and the promotion rules checked before a promotion starts. Pure: no I/O, no Node built-ins.
import { z } from 'zod';

/** Chart convention (docs/gitops-layout.md): the release a workload was rendered from. */
export const RELEASE_ANNOTATION = 'flow-controller.io/release-id';

export const ENV_NAME_RE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
export const EnvironmentName = z.string().regex(ENV_NAME_RE, 'an environment name is a DNS label');

/**
 * A secret is configured by reference, never by value: `env:NAME` (an environment variable of the worker
 * and API processes) or `file:/path` (a mounted secret file). Responses show references only. Which
 * references may resolve (FC_SECRET_ENV_PREFIX, FC_SECRETS_DIR, no `..`), that URLs carry no credentials and
 * which hosts are allowed is installation configuration: domain/target-policy.ts, checked on save (422).
 */
export const SecretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/\S+)$/, 'a secret reference is env:NAME or file:/absolute/path');
export type SecretRef = z.infer<typeof SecretRef>;

/** The GitOps layout of docs/gitops-layout.md: one values file per environment and group. */
export const DEFAULT_PATH_PATTERN = 'environments/{env}/{group}/values.yaml';
/** One Argo CD Application per environment and group. */
export const DEFAULT_APPLICATION_PATTERN = '{env}-{group}';

export const GitCredentials = z.discriminatedUnion('type', [
  z.object({ type: z.literal('https-token'), username: z.string().min(1).optional(), tokenRef: SecretRef }).strict(),
  z.object({ type: z.literal('ssh-key'), privateKeyRef: SecretRef }).strict(),
]);
export type GitCredentials = z.infer<typeof GitCredentials>;

export const GitopsTarget = z
  .object({
    repoUrl: z.string().min(1),
    branch: z.string().min(1).default('main'),
    /** Values file of one application; `{env}` and `{group}` are substituted. */
    pathPattern: z.string().min(1).default(DEFAULT_PATH_PATTERN),
    credentials: GitCredentials.optional(),
  })
  .strict();
export type GitopsTarget = z.infer<typeof GitopsTarget>;

export const ArgoTarget = z
  .object({
    serverUrl: z.url({ protocol: /^https?$/ }),
    project: z.string().min(1).default('default'),
    /** Application name per group; `{env}` and `{group}` are substituted. */
    applicationPattern: z.string().min(1).default(DEFAULT_APPLICATION_PATTERN),
    tokenRef: SecretRef.optional(),
    usernameRef: SecretRef.optional(),
    passwordRef: SecretRef.optional(),
  })
  .strict()
  .refine((a) => a.tokenRef !== undefined || (a.usernameRef !== undefined && a.passwordRef !== undefined), {
    message: 'argocd needs tokenRef, or usernameRef and passwordRef',
  });
export type ArgoTarget = z.infer<typeof ArgoTarget>;

export const KubeTarget = z
  .object({
    server: z.url({ protocol: /^https?$/ }),
    namespace: z.string().regex(ENV_NAME_RE, 'a namespace is a DNS label'),
    /** Base64 PEM of the API server's CA (public, not a secret). */
    caData: z.string().min(1).optional(),
    tokenRef: SecretRef,
    skipTLSVerify: z.boolean().default(false),
  })
  .strict();
export type KubeTarget = z.infer<typeof KubeTarget>;

export const EnvironmentConfig = z
  .object({
    displayOrder: z.number().int().min(0),
    upstream: z.array(EnvironmentName).default([]),
    protected: z.boolean().default(false),
    approvalsRequired: z.number().int().min(0).max(10).default(0),
    approvers: z.array(z.string().min(1)).default([]),
    approvalTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(86_400),
    gitops: GitopsTarget,
    argocd: ArgoTarget,
    kubernetes: KubeTarget,
    convergenceDeadlineSeconds: z.number().int().min(1).max(86_400).default(600),
    /**
     * How long an application must stay Degraded on fresh reconciles before the wait step gives up: a
     * rollout that recovers within it (Degraded → Progressing → Healthy) needs no operator retry.
     */
    degradedGraceSeconds: z.number().int().min(0).max(3_600).default(60),
  })
  .strict()
  .refine((e) => !e.protected || e.approvalsRequired >= 1, {
    message: 'a protected environment needs approvalsRequired >= 1',
    path: ['approvalsRequired'],
  });
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

/** A seed file: `{ "environments": { "<name>": EnvironmentConfig } }`. */
export const EnvironmentsFile = z.object({ environments: z.record(EnvironmentName, EnvironmentConfig) });
export type EnvironmentsFile = z.infer<typeof EnvironmentsFile>;

export function expandPattern(pattern: string, vars: { env: string; group: string }): string {
  return pattern.replaceAll('{env}', vars.env).replaceAll('{group}', vars.group);
}

/** The Argo CD application of each descriptor group in an environment, in group order. */
export function applicationsOf(
  env: { name: string; argocd: { applicationPattern: string } },
  descriptor: Record<string, unknown>,
): Array<{ group: string; name: string }> {
  return Object.keys(descriptor)
    .sort()
    .map((group) => ({ group, name: expandPattern(env.argocd.applicationPattern, { env: env.name, group }) }));
}

/** Upstream references must name known environments and form no cycle. Returns problems (empty = fine). */
export function checkUpstreamGraph(all: Record<string, { upstream: string[] }>): string[] {
  const problems: string[] = [];
  for (const [name, env] of Object.entries(all)) {
    for (const up of env.upstream) {
      if (up === name) problems.push(`${name} lists itself as upstream`);
      else if (!(up in all)) problems.push(`${name}: unknown upstream environment "${up}"`);
    }
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (n: string, path: string[]): void => {
    if (done.has(n) || !(n in all)) return;
    if (visiting.has(n)) {
      problems.push(`upstream cycle: ${[...path, n].join(' -> ')}`);
      return;
    }
    visiting.add(n);
    for (const up of all[n]?.upstream ?? []) if (up !== n) visit(up, [...path, n]);
    visiting.delete(n);
    done.add(n);
  };
  for (const n of Object.keys(all)) visit(n, []);
  return [...new Set(problems)];
}

export type RuleViolation =
  { code: 'ALREADY_CURRENT'; message: string } | { code: 'UPSTREAM_NOT_PROMOTED'; message: string; missing: string[] };

/**
 * The promotion order rule: the release must have succeeded in every upstream environment, unless it
 * already succeeded in this environment before (a rollback to a release this environment has run).
 */
export function checkPromotionRules(input: {
  environment: string;
  releaseId: string;
  currentReleaseId: string | null;
  upstream: string[];
  /** Environments where this release has a succeeded deployment. */
  succeededIn: string[];
}): RuleViolation | undefined {
  if (input.currentReleaseId === input.releaseId) {
    return { code: 'ALREADY_CURRENT', message: `release ${input.releaseId} is already current in ${input.environment}` };
  }
  if (input.succeededIn.includes(input.environment)) return undefined;
  const missing = input.upstream.filter((u) => !input.succeededIn.includes(u));
  if (missing.length > 0) {
    return {
      code: 'UPSTREAM_NOT_PROMOTED',
      message: `release ${input.releaseId} has not succeeded in ${missing.join(', ')} (upstream of ${input.environment})`,
      missing,
    };
  }
  return undefined;
}
