// After the promotion (docs/verification-and-monitoring.md): the configuration of an environment's
// verification gates, soak and continuous monitoring, and the vocabulary of verification states and incidents
// that the workflows, db/, the API and the UI share. Pure and sandbox-safe: no I/O, no Node built-ins.
import { z } from 'zod';

/** A secret is configured by reference (see domain/environment.ts SecretRef); repeated here to stay import-free. */
const SecretRefLike = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/\S+)$/, 'a secret reference is env:NAME or file:/absolute/path');

/** Bounds shared by every check: how often it samples and for how long (seconds). */
const Timing = {
  /** Seconds between two samples. */
  intervalSeconds: z.number().int().min(1).max(3_600).default(10),
  /** How long the check runs; 0 = one sample. */
  durationSeconds: z
    .number()
    .int()
    .min(0)
    .max(6 * 3_600)
    .default(60),
};

const CheckName = z
  .string()
  .regex(/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/, 'a check name is a DNS label')
  .max(63);

/** A header value: literal, or a secret by reference (never shown, never logged). */
export const HeaderValue = z.union([z.object({ value: z.string().max(4_096) }).strict(), z.object({ secretRef: SecretRefLike }).strict()]);
export type HeaderValue = z.infer<typeof HeaderValue>;

/**
 * HTTP check: `url` is templated with `{env}`, `{releaseId}`, `{productVersion}`; the check passes after
 * `successesRequired` consecutive samples with `expectStatus` (and, with `jsonPath`, the expected value at that
 * path of the JSON body: a dotted path such as `status.ready` or `checks.0.ok`).
 */
export const HttpCheck = z
  .object({
    kind: z.literal('http'),
    name: CheckName,
    url: z.string().min(1).max(2_048),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'a header name'), HeaderValue).optional(),
    expectStatus: z.number().int().min(100).max(599).default(200),
    jsonPath: z.string().min(1).max(256).optional(),
    expectValue: z.union([z.string().max(1_024), z.number(), z.boolean(), z.null()]).optional(),
    successesRequired: z.number().int().min(1).max(1_000).default(1),
    timeoutSeconds: z.number().int().min(1).max(60).default(5),
    ...Timing,
  })
  .strict();
export type HttpCheck = z.infer<typeof HttpCheck>;

export const COMPARISON_OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * Prometheus query: an instant PromQL query (templated like the HTTP check's URL) against a Prometheus-
 * compatible HTTP API (`GET <serverUrl>/api/v1/query`), every sample of every series must satisfy
 * `<value> <op> <threshold>`; an empty result or NaN counts as `noData` says.
 */
export const PrometheusCheck = z
  .object({
    kind: z.literal('prometheus'),
    name: CheckName,
    serverUrl: z.url({ protocol: /^https?$/ }),
    query: z.string().min(1).max(4_096),
    op: z.enum(COMPARISON_OPS),
    threshold: z.number(),
    noData: z.enum(['pass', 'fail']).default('fail'),
    tokenRef: SecretRefLike.optional(),
    timeoutSeconds: z.number().int().min(1).max(60).default(5),
    ...Timing,
  })
  .strict();
export type PrometheusCheck = z.infer<typeof PrometheusCheck>;

/** Argo CD health hold: every application of the environment stays Synced/Healthy for the whole duration. */
export const HealthHoldCheck = z
  .object({
    kind: z.literal('argocd-health'),
    name: CheckName,
    ...Timing,
  })
  .strict();
export type HealthHoldCheck = z.infer<typeof HealthHoldCheck>;

export const VerificationCheck = z.discriminatedUnion('kind', [HttpCheck, PrometheusCheck, HealthHoldCheck]);
export type VerificationCheck = z.infer<typeof VerificationCheck>;

export const MAX_CHECKS = 20;

/** What a failed verification gate does: park the promotion for an operator, or roll back (when monitoring allows). */
export const VERIFICATION_FAILURE_POLICIES = ['park', 'rollback'] as const;
export type VerificationFailurePolicy = (typeof VERIFICATION_FAILURE_POLICIES)[number];

export const VerificationConfig = z
  .object({
    checks: z
      .array(VerificationCheck)
      .max(MAX_CHECKS)
      .default([])
      .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, { message: 'check names must be unique' }),
    onFailure: z.enum(VERIFICATION_FAILURE_POLICIES).default('park'),
    /** After the checks pass, the release must stay current, healthy and drift-free this long to be verified. */
    soakSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(0),
  })
  .strict();
export type VerificationConfig = z.infer<typeof VerificationConfig>;

/** What the monitor does about an incident that lasts `sustainSeconds`. */
export const INCIDENT_POLICIES = ['alert', 'resync', 'rollback'] as const;
export type IncidentPolicy = (typeof INCIDENT_POLICIES)[number];

export const MonitoringConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** Polling interval when Argo CD's watch stream is unavailable, and the Kubernetes read interval. */
    intervalSeconds: z.number().int().min(1).max(3_600).default(15),
    /** How long an incident must stay open before the policy acts (and before it revokes `verified`). */
    sustainSeconds: z.number().int().min(0).max(86_400).default(60),
    policy: z.enum(INCIDENT_POLICIES).default('alert'),
    /** With policy `rollback`: a promotion parked longer than this is aborted and the last verified release promoted. */
    rollbackParkedAfterSeconds: z
      .number()
      .int()
      .min(10)
      .max(7 * 86_400)
      .optional(),
  })
  .strict();
export type MonitoringConfig = z.infer<typeof MonitoringConfig>;

/** What an upstream environment must have done with a release before it may move on: succeeded, or verified. */
export const UPSTREAM_REQUIREMENTS = ['succeeded', 'verified'] as const;
export type UpstreamRequirement = (typeof UPSTREAM_REQUIREMENTS)[number];

/**
 * The verification state of one release in one environment (table release_verifications, one row per
 * successful promotion): `verifying` while the gates run, `soaking` until `soakUntil`, then `verified`;
 * `failed` when a gate failed; `revoked` when a verified (or soaking) release later failed there (failed
 * re-verification, rollback, sustained incident). Only `verified` makes a release eligible downstream when
 * the downstream environment requires it.
 */
export const VERIFICATION_STATES = ['verifying', 'soaking', 'verified', 'failed', 'revoked'] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];

/** Incidents the monitor (or a failed gate) opens: one open incident per environment, application and kind. */
export const INCIDENT_KINDS = ['drift', 'degraded', 'missing', 'out-of-sync', 'verification-failed'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** What was done about an incident (at most one automatic action per incident). */
export const INCIDENT_ACTIONS = ['alerted', 'resynced', 'rolled-back', 'rollback-refused'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** The live state of an application, as the status endpoint and the board show it. */
export const APP_LIVE_STATES = ['in sync', 'drifted', 'degraded', 'progressing', 'missing', 'out-of-sync', 'unknown'] as const;
export type AppLiveState = (typeof APP_LIVE_STATES)[number];

/** Initiators the system itself uses (reserved: no token may take a name starting with `system:`). */
export { AUTO_ROLLBACK_INITIATOR, MONITOR_INITIATOR } from './workflow-ids.js';

/** Substitutes `{env}`, `{releaseId}` and `{productVersion}` in a check's URL or query. */
export function expandCheckTemplate(text: string, vars: { env: string; releaseId: string; productVersion: string }): string {
  return text.replaceAll('{env}', vars.env).replaceAll('{releaseId}', vars.releaseId).replaceAll('{productVersion}', vars.productVersion);
}

/** `value op threshold`; NaN never satisfies a comparison (the caller decides what no data means). */
export function compare(value: number, op: ComparisonOp, threshold: number): boolean {
  if (Number.isNaN(value)) return false;
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
    default: {
      const never: never = op;
      throw new Error(`unknown comparison ${String(never)}`);
    }
  }
}
