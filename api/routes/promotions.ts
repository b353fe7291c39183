// POST /v2/releases/:releaseId/promote (promoter with the environment in scope): checks the promotion
// rules, records a deployment and starts its Temporal workflow. 202 with the deployment id, workflow id and
// status URL; an identical request while that promotion runs answers 200 with the running one.
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { statusUrl } from '../schemas.js';
import { startPromotion } from '../services/promotions.js';
import { ReleaseRef, resolveReleaseId } from '../services/release-ref.js';
import { EnvironmentName } from '../../domain/environment.js';
import { isAllowed } from '../../domain/roles.js';

const PromoteBody = z
  .object({
    environment: EnvironmentName.meta({ example: 'staging' }), // .meta(): see EnvParam in ../schemas.ts
    reason: z.string().max(2000).optional(),
    whenOpen: z.boolean().optional().openapi({
      description: 'During a freeze window: accept and wait (status scheduled) until it opens, instead of 409 ENVIRONMENT_FROZEN',
    }),
    queue: z.boolean().optional().openapi({
      description:
        'While another promotion runs in the environment: wait in its queue (202, status queued, with queuePosition) instead of 409 PROMOTION_IN_PROGRESS; rules are checked again when it starts (docs/governance.md "Queues")',
    }),
    breakGlass: z
      .object({ reason: z.string().trim().min(1).max(500) })
      .strict()
      .optional()
      .openapi({ description: 'Admins: start through a freeze window; the reason is mandatory, audited and shown (docs/governance.md)' }),
  })
  .strict()
  .openapi('PromoteRequest');

const Accepted = z
  .object({
    deploymentId: z.number(),
    environment: z.string(),
    releaseId: z.string(),
    workflowId: z.string(),
    status: z.string(),
    isRollback: z.boolean(),
    statusUrl: z.string(),
    whenOpen: z.boolean(),
    breakGlassReason: z.string().nullable(),
    queuePosition: z.number().int().optional().openapi({ description: 'Queued: 1-based place in the environment queue' }),
  })
  .openapi('PromotionAccepted');

// The environment comes from the body, so the scope is checked in the handler after validation.
const promoteRoute = protectedRoute('promoter', {
  method: 'post',
  path: '/v2/releases/{releaseId}/promote',
  tags: ['promotions'],
  summary: 'Promote a release to an environment',
  description:
    'Checks the rules (release and environment exist, succeeded upstream and verified there when the environment requires it (409 UPSTREAM_NOT_VERIFIED), not already current, nothing else running), ' +
    'records a deployment and starts the promotion workflow. A release older than the current one is a rollback.',
  request: {
    params: z.object({
      releaseId: ReleaseRef.openapi({
        param: { name: 'releaseId', in: 'path' },
        description: 'The release id, or its first 8+ hex digits',
      }),
    }),
    body: { content: { 'application/json': { schema: PromoteBody } }, required: true },
  },
  responses: {
    200: {
      description: 'The same promotion is already running or queued (idempotent)',
      content: { 'application/json': { schema: Accepted } },
    },
    202: { description: 'Promotion started, or queued (`queue: true`)', content: { 'application/json': { schema: Accepted } } },
  },
  errors: [400, 404, 409, 415, 422, 503],
});

export const promotionRoutes = createRouter().openapi(promoteRoute, async (c) => {
  const releaseId = await resolveReleaseId(c.var.deps.database.db, c.req.valid('param').releaseId);
  const body = c.req.valid('json');
  const actor = actorOf(c);
  if (!isAllowed(actor, { role: 'promoter', environment: body.environment })) {
    throw new ApiError(
      'FORBIDDEN',
      `Token "${actor.name}" may not promote to ${body.environment} (scopes: ${actor.scopes.join(', ') || 'none'})`,
    );
  }
  if (body.breakGlass && !isAllowed(actor, { role: 'admin' })) {
    throw new ApiError('FORBIDDEN', `Break-glass needs the admin role; token "${actor.name}" has ${actor.role}`);
  }
  const { deployment, created, queuePosition } = await startPromotion(
    { ...c.var.deps.promotions, logger: c.var.logger },
    {
      releaseId,
      environment: body.environment,
      reason: body.reason ?? null,
      actor,
      requestId: c.var.requestId,
      ...(body.whenOpen ? { whenOpen: true } : {}),
      ...(body.breakGlass ? { breakGlassReason: body.breakGlass.reason } : {}),
      ...(body.queue ? { queue: true } : {}),
    },
  );
  return c.json(
    {
      deploymentId: deployment.id,
      environment: deployment.environment,
      releaseId: deployment.releaseId,
      workflowId: deployment.workflowId,
      status: deployment.status,
      isRollback: deployment.isRollback,
      statusUrl: statusUrl(deployment),
      whenOpen: deployment.whenOpen,
      breakGlassReason: deployment.breakGlassReason,
      ...(queuePosition !== undefined ? { queuePosition } : {}),
    },
    created ? 202 : 200,
  );
});
