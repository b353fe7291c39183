// Environments: configuration schema (API body, seed file, JSON columns), secret references, naming
// patterns, and the promotion rules checked before a promotion starts. Pure: no I/O, no Node built-ins.
import { z } from 'zod';
import { GROUP_NAME, GROUP_PREFIX, isGroupEntry, PRINCIPAL_NAME } from './approval.js';
import { parseSelector, SelectorError } from './label-selector.js';
import { ImageMapping, MappingGroups } from './image-mapping.js';
import { MonitoringConfig, UPSTREAM_REQUIREMENTS, VerificationConfig, type UpstreamRequirement } from './verification.js';
import { QUEUE_POLICIES } from './promotion.js';
import { AutoPromoteConfig } from './auto-promotion.js';

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
    /**
     * How a release lands in the repository (domain/image-mapping.ts): the default of every group; absent =
     * flow-workloads on `pathPattern`. Optional, like `groups`: configurations stored before them still parse.
     */
    mapping: ImageMapping.optional(),
    /** Per-group overrides: `{ "<group>": { mapping?, services?: { "<service>": ImageMapping } } }`. */
    groups: MappingGroups.optional(),
  })
  .strict();
export type GitopsTarget = z.infer<typeof GitopsTarget>;

/** The label that names an application's descriptor group when applications are selected by label. */
export const DEFAULT_GROUP_LABEL = 'flow-controller.io/group';

/**
 * How a promotion gets Argo CD to sync: `explicit` POSTs a sync to the pushed SHA; `auto` leaves it to the
 * application's automated sync policy and waits for Argo's own operation to reach the SHA; `detect` (default)
 * is `auto` for an application whose `spec.syncPolicy.automated` is set and `explicit` otherwise.
 */
export const SyncMode = z.enum(['explicit', 'auto', 'detect']);
export type SyncMode = z.infer<typeof SyncMode>;

/**
 * How the applications are selected must make sense: a selector that parses (Kubernetes label-selector
 * syntax; `{env}` stands for the environment's name), a pattern or a selector but not both, a group label
 * only with a selector. Checked on save (422 ENVIRONMENT_INVALID), like the target policy.
 */
export function checkArgoSelection(argocd: {
  applicationPattern?: string | undefined;
  applicationSelector?: string | undefined;
  groupLabel?: string | undefined;
}): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (argocd.applicationPattern !== undefined && argocd.applicationSelector !== undefined) {
    problems.push({
      path: 'argocd.applicationSelector',
      message: 'applications are selected by applicationPattern or by applicationSelector, not both',
    });
  }
  if (argocd.groupLabel !== undefined && argocd.applicationSelector === undefined) {
    problems.push({ path: 'argocd.groupLabel', message: 'groupLabel applies only with applicationSelector' });
  }
  if (argocd.applicationSelector !== undefined) {
    try {
      // `{env}` stands for the environment's name, itself a valid label value.
      if (parseSelector(argocd.applicationSelector.replaceAll('{env}', 'env')).length === 0) {
        problems.push({ path: 'argocd.applicationSelector', message: 'a label selector needs at least one requirement' });
      }
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      problems.push({ path: 'argocd.applicationSelector', message: `invalid label selector: ${err.message}` });
    }
  }
  return problems;
}

export const ArgoTarget = z
  .object({
    serverUrl: z.url({ protocol: /^https?$/ }),
    project: z.string().min(1).default('default'),
    /**
     * Application name per group; `{env}` and `{group}` are substituted. Default `{env}-{group}` when no
     * `applicationSelector` is given; exactly one of the two selects the applications (checkArgoSelection).
     */
    applicationPattern: z.string().min(1).optional(),
    /**
     * Select the environment's applications by label (e.g. generated by an ApplicationSet); `{env}` is
     * substituted. Each selected application names its group with the `groupLabel` label.
     */
    applicationSelector: z.string().min(1).max(1024).optional(),
    /** With `applicationSelector`: the label whose value is the application's descriptor group. */
    groupLabel: z
      .string()
      .regex(/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/, 'a label key')
      .max(316)
      .optional(),
    /** Default `detect` (also for configurations stored before the setting existed). */
    syncMode: SyncMode.optional(),
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

/**
 * A further cluster of an environment (docs/bring-your-own-repo.md "Several clusters per environment"): its
 * own Argo CD (which selects the cluster's applications by its own pattern or selector) and the Kubernetes
 * API of the same cluster, which verification reads. The GitOps repository stays the environment's. Rules
 * across targets (unique names, the policy per target) are domain/clusters.ts, checked on save (422).
 */
export const ClusterTarget = z
  .object({
    name: z.string().regex(ENV_NAME_RE, 'a cluster name is a DNS label'),
    argocd: ArgoTarget,
    kubernetes: KubeTarget,
  })
  .strict();
export type ClusterTarget = z.infer<typeof ClusterTarget>;

/** Clusters an environment may span (the top-level target and its `clusters`): bounds every step's fan-out. */
export const MAX_CLUSTERS = 16;

export const EnvironmentConfig = z
  .object({
    displayOrder: z.number().int().min(0),
    upstream: z.array(EnvironmentName).default([]),
    protected: z.boolean().default(false),
    approvalsRequired: z.number().int().min(0).max(10).default(0),
    /** Who may approve or reject at the gate: principals, or `group:<name>` for every token carrying that group (domain/approval.ts). */
    approvers: z
      .array(
        z
          .string()
          .max(106)
          .refine((a) => (isGroupEntry(a) ? GROUP_NAME.test(a.slice(GROUP_PREFIX.length)) : PRINCIPAL_NAME.test(a)), {
            message: 'a principal (letters, digits, ".", "_", "@", "-") or group:<name> (lower case)',
          }),
      )
      .max(100)
      .default([]),
    /** Wait timer: approvals count only this long after the promotion reached its gate (0: at once). */
    approvalWaitSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(0),
    approvalTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(86_400),
    gitops: GitopsTarget,
    argocd: ArgoTarget,
    kubernetes: KubeTarget,
    /**
     * Name of the cluster of the top-level `argocd`/`kubernetes` target (default DEFAULT_CLUSTER_NAME in
     * domain/clusters.ts); it shows only when the environment spans several clusters.
     */
    clusterName: z.string().regex(ENV_NAME_RE, 'a cluster name is a DNS label').optional(),
    /** Further clusters: a promotion commits once and waits for (and verifies) every cluster. */
    clusters: z
      .array(ClusterTarget)
      .max(MAX_CLUSTERS - 1)
      .optional(),
    convergenceDeadlineSeconds: z.number().int().min(1).max(86_400).default(600),
    /**
     * How long an application must stay Degraded on fresh reconciles before the wait step gives up: a
     * rollout that recovers within it (Degraded → Progressing → Healthy) needs no operator retry.
     */
    degradedGraceSeconds: z.number().int().min(0).max(3_600).default(60),
    /** What every upstream environment must have done with a release first (default `succeeded`). */
    upstreamRequires: z.enum(UPSTREAM_REQUIREMENTS).optional(),
    /**
     * How queued promotions (`queue: true`) wait here: `fifo` (default) starts them in request order; `newest-wins`
     * keeps only the newest queued one (older ones become `superseded`). docs/governance.md "Queues".
     */
    queuePolicy: z.enum(QUEUE_POLICIES).optional(),
    /** Verification gates and soak after `verify-images` (docs/verification-and-monitoring.md); absent = none. */
    verification: VerificationConfig.optional(),
    /** Continuous monitoring of the current release (drift, health) and what to do about incidents; absent = defaults. */
    monitoring: MonitoringConfig.optional(),
    /**
     * Promote automatically what met its rule in one upstream environment (docs/governance.md "Auto-promotion");
     * absent = never.
     */
    autoPromote: AutoPromoteConfig.optional(),
  })
  .strict()
  .refine((e) => !e.protected || e.approvalsRequired >= 1, {
    message: 'a protected environment needs approvalsRequired >= 1',
    path: ['approvalsRequired'],
  })
  .refine((e) => !e.autoPromote || e.upstream.includes(e.autoPromote.from), {
    message: "autoPromote.from must be one of the environment's upstream environments",
    path: ['autoPromote', 'from'],
  })
  .refine((e) => !e.autoPromote || e.upstreamRequires !== 'verified' || e.autoPromote.when === 'verified', {
    message: 'an environment that requires verified upstream releases auto-promotes only verified ones (autoPromote.when: verified)',
    path: ['autoPromote', 'when'],
  })
  .refine((e) => e.approvalWaitSeconds < e.approvalTimeoutSeconds, {
    message: 'the approval wait timer must end before the approval expires (approvalWaitSeconds < approvalTimeoutSeconds)',
    path: ['approvalWaitSeconds'],
  });
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

/** A seed file: `{ "environments": { "<name>": EnvironmentConfig } }`. */
export const EnvironmentsFile = z.object({ environments: z.record(EnvironmentName, EnvironmentConfig) });
export type EnvironmentsFile = z.infer<typeof EnvironmentsFile>;

export function expandPattern(pattern: string, vars: { env: string; group: string }): string {
  return pattern.replaceAll('{env}', vars.env).replaceAll('{group}', vars.group);
}

/** The descriptor groups of a release, in the order every step walks them. */
export function groupsOf(descriptor: Record<string, unknown>): string[] {
  return Object.keys(descriptor).sort();
}

type ArgoSelection = { applicationPattern?: string | undefined; applicationSelector?: string | undefined; groupLabel?: string | undefined };

/** The label selector of an environment that selects its applications by label (`{env}` substituted), else undefined. */
export function applicationSelectorOf(env: { name: string; argocd: ArgoSelection }): string | undefined {
  const s = env.argocd.applicationSelector;
  return s === undefined ? undefined : s.replaceAll('{env}', env.name);
}

/**
 * The Argo CD application of each descriptor group in an environment that names them by pattern, in group
 * order. An environment that selects them by label resolves them through Argo CD (integrations/argocd-selection.ts).
 */
export function applicationsOf(
  env: { name: string; argocd: ArgoSelection },
  descriptor: Record<string, unknown>,
): Array<{ group: string; name: string }> {
  const pattern = env.argocd.applicationPattern ?? DEFAULT_APPLICATION_PATTERN;
  return groupsOf(descriptor).map((group) => ({ group, name: expandPattern(pattern, { env: env.name, group }) }));
}

export type GroupMatch = { group: string; name: string } | { group: string; problem: string };

/**
 * Matches label-selected applications to descriptor groups: exactly one application per group, named by its
 * group label. Pure; the caller listed the applications (`?selector=`) and filtered them by project.
 */
export function matchApplicationsToGroups(
  env: { name: string; argocd: ArgoSelection },
  groups: string[],
  apps: Array<{ name: string; labels: Record<string, string> | undefined }>,
): GroupMatch[] {
  const key = env.argocd.groupLabel ?? DEFAULT_GROUP_LABEL;
  const selector = applicationSelectorOf(env) ?? '';
  return groups.map((group): GroupMatch => {
    const names = apps
      .filter((a) => a.labels?.[key] === group)
      .map((a) => a.name)
      .sort();
    if (names.length === 1) return { group, name: names[0] as string };
    if (names.length === 0) {
      return { group, problem: `no Argo CD application selected by "${selector}" has label ${key}=${group} (group ${group})` };
    }
    return { group, problem: `several Argo CD applications selected by "${selector}" have label ${key}=${group}: ${names.join(', ')}` };
  });
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
  | { code: 'ALREADY_CURRENT'; message: string }
  | { code: 'UPSTREAM_NOT_PROMOTED'; message: string; missing: string[] }
  | { code: 'UPSTREAM_NOT_VERIFIED'; message: string; missing: string[] };

/**
 * The promotion order rule: the release must have succeeded in every upstream environment — and, when the
 * environment requires `verified` (upstreamRequires), be verified there (its newest verification row) — unless it
 * already succeeded in this environment before (a rollback to a release this environment has run).
 */
export function checkPromotionRules(input: {
  environment: string;
  releaseId: string;
  currentReleaseId: string | null;
  upstream: string[];
  /** Environments where this release has a succeeded deployment. */
  succeededIn: string[];
  /** What each upstream environment must have done with the release (default `succeeded`). */
  upstreamRequires?: UpstreamRequirement;
  /** Environments where this release is verified (needed when upstreamRequires is `verified`). */
  verifiedIn?: string[];
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
  if (input.upstreamRequires === 'verified') {
    const verifiedIn = input.verifiedIn ?? [];
    const unverified = input.upstream.filter((u) => !verifiedIn.includes(u));
    if (unverified.length > 0) {
      return {
        code: 'UPSTREAM_NOT_VERIFIED',
        message: `release ${input.releaseId} is not verified in ${unverified.join(', ')} (upstream of ${input.environment}, which requires verified)`,
        missing: unverified,
      };
    }
  }
  return undefined;
}
