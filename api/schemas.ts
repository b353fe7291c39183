// Response and parameter schemas shared by several route files (and, through the generated OpenAPI types, by
// the UI): deployments and releases as the API shows them, the environment path parameter and the live Argo CD
// view of an application.
import { z } from '@hono/zod-openapi';
import { EnvironmentName } from '../domain/environment.js';
import type { DeploymentRow } from '../db/deployments.js';
import type { DeploymentIsoRow } from '../db/prepared.js';
import type { ReleaseRow, ReleaseSummaryRow } from '../db/releases.js';
import { Override } from '../domain/validate.js';
import { PARK_REASONS, parkReasonOf, PROMOTION_STATUSES } from '../domain/promotion.js';
import { VERIFICATION_STATES } from '../domain/verification.js';

// Domain schemas get their OpenAPI details through zod's own .meta(): .openapi() exists only on schemas
// created after @hono/zod-openapi extended zod, and domain modules may be loaded before that.
export const EnvParam = z.object({ env: EnvironmentName.meta({ param: { name: 'env', in: 'path' }, example: 'staging' }) });

export const LiveApp = z.object({
  name: z.string(),
  group: z.string(),
  sync: z.string().nullable(),
  health: z.string().nullable(),
  revision: z
    .string()
    .nullable()
    .openapi({ description: 'The revision Argo CD compared (multi-source: that of the source reading the environment’s repository)' }),
  releaseId: z
    .string()
    .nullable()
    .openapi({ description: 'flow-controller.io/release-id on the application’s live workloads (null when mixed or unreadable)' }),
  matchesCurrentRelease: z.boolean().nullable(),
  error: z.string().optional(),
  cluster: z.string().optional().openapi({ description: 'The cluster of the application, when the environment spans several' }),
});
export type LiveApp = z.infer<typeof LiveApp>;

export const DeploymentSummary = z
  .object({
    id: z.number(),
    environment: z.string(),
    releaseId: z.string(),
    previousReleaseId: z.string().nullable(),
    isRollback: z.boolean(),
    status: z.enum(PROMOTION_STATUSES),
    currentStep: z.string().nullable(),
    message: z.string().nullable(),
    parkReason: z.enum(PARK_REASONS).nullable().openapi({
      description:
        'Why an awaiting_operator promotion waits (null otherwise): `step-failed` (an operator retries or aborts), `sync-window` (an Argo CD sync window blocks the sync; the promotion resumes on its own when it opens, `message` says when; retry and abort still work)',
    }),
    reason: z.string().nullable(),
    startedBy: z.string(),
    commitSha: z.string().nullable(),
    revertSha: z.string().nullable(),
    workflowId: z.string(),
    runId: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
    whenOpen: z.boolean().openapi({ description: 'Requested to wait for a freeze window to open (docs/governance.md)' }),
    scheduledFor: z.string().nullable().openapi({ description: 'While scheduled: when the freeze window should open' }),
    breakGlassReason: z.string().nullable().openapi({ description: 'Started through a freeze by an admin, with this reason' }),
    queuedAt: z
      .string()
      .nullable()
      .openapi({ description: 'Requested with `queue: true` while the environment was busy: when it was queued' }),
    actions: z.array(
      z.object({ action: z.string(), by: z.string(), at: z.string(), comment: z.string().optional(), step: z.string().optional() }),
    ),
  })
  .openapi('DeploymentSummary');
export type DeploymentSummary = z.infer<typeof DeploymentSummary>;

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function deploymentSummary(d: DeploymentRow): DeploymentSummary {
  return deploymentSummaryOfIso({
    ...d,
    createdAt: d.createdAt.toISOString(),
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
    updatedAt: d.updatedAt.toISOString(),
    scheduledFor: iso(d.scheduledFor),
    queuedAt: iso(d.queuedAt),
  });
}

/** deploymentSummary of a row whose timestamps are ISO text already (db/prepared.ts, the history page). */
export function deploymentSummaryOfIso(d: DeploymentIsoRow): DeploymentSummary {
  return {
    id: d.id,
    environment: d.environment,
    releaseId: d.releaseId,
    previousReleaseId: d.previousReleaseId,
    isRollback: d.isRollback,
    status: d.status,
    currentStep: d.currentStep,
    message: d.message,
    parkReason: parkReasonOf(d),
    reason: d.reason,
    startedBy: d.startedBy,
    commitSha: d.commitSha,
    revertSha: d.revertSha,
    workflowId: d.workflowId,
    runId: d.runId,
    createdAt: d.createdAt,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    updatedAt: d.updatedAt,
    whenOpen: d.whenOpen,
    scheduledFor: d.scheduledFor,
    breakGlassReason: d.breakGlassReason,
    queuedAt: d.queuedAt,
    actions: d.actions,
  };
}

/** Where a deployment's details live: GET /v1/environments/:env/deployment-history/:id. */
export function statusUrl(d: { environment: string; id: number }): string {
  return `/v1/environments/${d.environment}/deployment-history/${d.id}`;
}

// ---- Releases ----

export const TemplateRef = z.object({ key: z.string(), revision: z.number().int() }).openapi('TemplateRef');
export const Creator = z.object({ name: z.string(), tokenId: z.string() }).openapi('Creator');

export const ReleaseSummary = z
  .object({
    releaseId: z.string().openapi({ example: 'b7e6c1e2-2c3a-4e2a-8e2b-1c2d3e4f5a6b' }),
    productVersion: z.string(),
    template: TemplateRef,
    digest: z.string(),
    acknowledgedOverrides: z.array(Override),
    createdBy: Creator,
    createdAt: z.string(),
    rejected: z.boolean().optional().openapi({ description: 'In lists: true when the release is rejected (docs/governance.md)' }),
  })
  .openapi('ReleaseSummary');
export type ReleaseSummary = z.infer<typeof ReleaseSummary>;

/** GET /v2/releases/:id. The promotion issue extends this with `environments`. */
export const ReleaseDetails = ReleaseSummary.extend({
  descriptor: z.record(z.string(), z.unknown()),
  idempotencyKey: z.string().nullable(),
}).openapi('ReleaseDetails');

/** Where the release has been promoted: one entry per deployment, newest first. */
export const ReleaseEnvironment = z
  .object({
    environment: z.string(),
    deploymentId: z.number(),
    status: z.enum(PROMOTION_STATUSES),
    isRollback: z.boolean(),
    current: z.boolean().openapi({ description: 'This deployment made the release current in the environment, and it still is' }),
    startedBy: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    statusUrl: z.string(),
  })
  .openapi('ReleaseEnvironment');
/** A release's rejection (docs/governance.md). */
export const RejectionView = z
  .object({
    releaseId: z.string(),
    reason: z.string(),
    rejectedBy: z.string(),
    rejectedAt: z.string(),
    liftedAt: z.string().nullable(),
    liftedBy: z.string().nullable(),
    liftReason: z.string().nullable(),
  })
  .openapi('Rejection');

/** A release's verification state in one environment (docs/verification-and-monitoring.md; mutable, never cached). */
const VerificationFields = {
  deploymentId: z
    .number()
    .openapi({ description: 'The deployment that made the release current there (its row counts while it is the newest)' }),
  state: z.enum(VERIFICATION_STATES).openapi({
    description:
      'verifying → soaking → verified; failed (a gate failed, or the soak did not complete: superseded, cancelled); revoked (unhealthy or an incident during the soak, or revoked later)',
  }),
  checksPassedAt: z.string().nullable(),
  soakUntil: z.string().nullable().openapi({ description: 'End of the soak (null: no soak)' }),
  verifiedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  reason: z.string().nullable().openapi({ description: 'Why the state is failed or revoked' }),
};
export const ReleaseVerification = z.object({ environment: z.string(), ...VerificationFields }).openapi('ReleaseVerification');
export const CurrentVerification = z.object({ releaseId: z.string(), ...VerificationFields }).openapi('CurrentVerification');

export const ReleaseWithEnvironments = ReleaseDetails.extend({
  environments: z.array(ReleaseEnvironment),
  verifications: z
    .array(ReleaseVerification)
    .openapi({ description: 'Per environment, the release’s newest verification row there (upstream rules requiring verified read it)' }),
  rejection: RejectionView.nullable().openapi({
    description: 'The rejection in force (docs/governance.md); null when the release may be promoted',
  }),
}).openapi('ReleaseWithEnvironments');
export type ReleaseDetails = z.infer<typeof ReleaseDetails>;

export const CreatedRelease = ReleaseSummary.extend({ status: z.literal('created') }).openapi('CreatedRelease');

export function releaseSummary(row: ReleaseSummaryRow): ReleaseSummary {
  return {
    releaseId: row.id,
    productVersion: row.productVersion,
    template: { key: row.templateKey, revision: row.templateRevision },
    digest: row.digest,
    acknowledgedOverrides: row.overrides,
    createdBy: { name: row.createdBy, tokenId: row.createdByTokenId },
    createdAt: row.createdAt.toISOString(),
  };
}

export function releaseDetails(row: ReleaseRow): ReleaseDetails {
  return { ...releaseSummary(row), descriptor: row.descriptor as Record<string, unknown>, idempotencyKey: row.idempotencyKey };
}
