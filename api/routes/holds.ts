// Stopping promotions (docs/governance.md): reject a release, pause an environment (or all of them).
//   POST /v2/releases/:releaseId/reject     {reason}     releaser+   the release can no longer be promoted anywhere
//   POST /v2/releases/:releaseId/unreject   {reason?}    admin       lift the rejection
//   POST /v1/environments/:env/pause        {reason}     promoter in scope, admin   stop the line
//   POST /v1/environments/:env/resume       {reason}     promoter in scope, admin
//   POST /v1/pause, POST /v1/resume         {reason}     admin       every environment
//   GET  /v1/pauses                                       viewer      pauses in force
// Running promotions of a rejected release, or in a paused environment, park at their next step (the workflow
// checks between steps); starting one is refused (422 RELEASE_REJECTED, 409 ENVIRONMENT_PAUSED).
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { createRouter } from '../app.js';
import { ApiError } from '../errors.js';
import { wakeQueue } from '../services/queue.js';
import { wakeAutoPromotion } from '../services/auto-promotion.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { EnvParam, RejectionView } from '../schemas.js';
import { ReleaseRef, resolveReleaseId } from '../services/release-ref.js';
import { getRelease } from '../../db/releases.js';
import { getEnvironment } from '../../db/environments.js';
import {
  listPauses,
  pauseEnvironment,
  rejectRelease,
  resumeEnvironment,
  unrejectRelease,
  type PauseRow,
  type RejectionRow,
} from '../../db/holds.js';

export function rejectionView(r: RejectionRow): z.infer<typeof RejectionView> {
  return {
    releaseId: r.releaseId,
    reason: r.reason,
    rejectedBy: r.rejectedBy,
    rejectedAt: r.rejectedAt.toISOString(),
    liftedAt: r.liftedAt?.toISOString() ?? null,
    liftedBy: r.liftedBy,
    liftReason: r.liftReason,
  };
}

const PauseView = z
  .object({
    environment: z.string().nullable().openapi({ description: 'null: every environment' }),
    reason: z.string(),
    pausedBy: z.string(),
    pausedAt: z.string(),
    resumedAt: z.string().nullable(),
    resumedBy: z.string().nullable(),
    resumeReason: z.string().nullable(),
  })
  .openapi('Pause');

function pauseView(p: PauseRow): z.infer<typeof PauseView> {
  return {
    environment: p.environment,
    reason: p.reason,
    pausedBy: p.pausedBy,
    pausedAt: p.pausedAt.toISOString(),
    resumedAt: p.resumedAt?.toISOString() ?? null,
    resumedBy: p.resumedBy,
    resumeReason: p.resumeReason,
  };
}

const Reason = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
const OptionalReason = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();
const ReleaseIdParam = z.object({ releaseId: ReleaseRef.openapi({ param: { name: 'releaseId', in: 'path' } }) });
const json = <T extends z.ZodType>(schema: T, required = true) => ({ body: { content: { 'application/json': { schema } }, required } });

const rejectRoute = protectedRoute('releaser', {
  method: 'post',
  path: '/v2/releases/{releaseId}/reject',
  tags: ['governance'],
  summary: 'Reject a release: it can no longer be promoted anywhere; its running promotions park at their next step',
  request: { params: ReleaseIdParam, ...json(Reason) },
  responses: { 200: { description: 'Rejected', content: { 'application/json': { schema: RejectionView } } } },
  errors: [400, 404, 409, 415],
});

const unrejectRoute = protectedRoute('admin', {
  method: 'post',
  path: '/v2/releases/{releaseId}/unreject',
  tags: ['governance'],
  summary: 'Lift the rejection of a release (its parked promotions can then be retried)',
  request: { params: ReleaseIdParam, ...json(OptionalReason, false) },
  responses: { 200: { description: 'Lifted', content: { 'application/json': { schema: RejectionView } } } },
  errors: [400, 404, 409, 415],
});

const envPause = (action: 'pause' | 'resume') =>
  protectedRoute(
    'promoter',
    {
      method: 'post',
      path: `/v1/environments/{env}/${action}`,
      tags: ['governance'],
      summary:
        action === 'pause'
          ? 'Stop the line: no promotion starts in the environment, running ones park at their next step'
          : 'Resume a paused environment (parked promotions can then be retried)',
      request: { params: EnvParam, ...json(Reason) },
      responses: {
        200: { description: action === 'pause' ? 'Paused' : 'Resumed', content: { 'application/json': { schema: PauseView } } },
      },
      errors: [400, 404, 409, 415],
    },
    { environment: (c) => c.req.param('env') },
  );

const globalPause = (action: 'pause' | 'resume') =>
  protectedRoute('admin', {
    method: 'post',
    path: `/v1/${action}`,
    tags: ['governance'],
    summary: action === 'pause' ? 'Stop every environment' : 'Resume every environment (the global pause)',
    request: json(Reason),
    responses: { 200: { description: action === 'pause' ? 'Paused' : 'Resumed', content: { 'application/json': { schema: PauseView } } } },
    errors: [400, 409, 415],
  });

const listPausesRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/pauses',
  tags: ['governance'],
  summary: 'Pauses in force (per environment and global)',
  responses: { 200: { description: 'Pauses', content: { 'application/json': { schema: z.object({ pauses: z.array(PauseView) }) } } } },
  errors: [],
});

/** Auto-promotion looks again after a hold of the line is lifted (docs/governance.md "Auto-promotion"). */
const autoDeps = (c: Context<AppEnv>) => ({
  client: c.var.deps.temporal.client,
  connection: c.var.deps.temporal.connection,
  taskQueue: c.var.deps.config.TEMPORAL_TASK_QUEUE,
  logger: c.var.logger,
  database: c.var.deps.database,
});

export const holdRoutes = createRouter()
  .openapi(rejectRoute, async (c) => {
    const releaseId = await resolveReleaseId(c.var.deps.database.db, c.req.valid('param').releaseId);
    const { reason } = c.req.valid('json');
    const db = c.var.deps.database.db;
    const row = await db.transaction(async (tx) => {
      if (!(await getRelease(tx, { id: releaseId }))) throw new ApiError('RELEASE_NOT_FOUND', `No release ${releaseId}`);
      const r = await rejectRelease(tx, { releaseId, reason, actor: actorOf(c), requestId: c.var.requestId });
      if (!r) throw new ApiError('CONFLICT', `Release ${releaseId} is already rejected`);
      return r;
    });
    return c.json(rejectionView(row), 200);
  })
  .openapi(unrejectRoute, async (c) => {
    const releaseId = await resolveReleaseId(c.var.deps.database.db, c.req.valid('param').releaseId);
    const body = (c.req.valid('json') as { reason?: string } | undefined) ?? {};
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      if (!(await getRelease(tx, { id: releaseId }))) throw new ApiError('RELEASE_NOT_FOUND', `No release ${releaseId}`);
      const r = await unrejectRelease(tx, { releaseId, reason: body.reason ?? null, actor: actorOf(c), requestId: c.var.requestId });
      if (!r) throw new ApiError('CONFLICT', `Release ${releaseId} is not rejected`);
      return r;
    });
    await wakeAutoPromotion(autoDeps(c), null);
    return c.json(rejectionView(row), 200);
  })
  .openapi(envPause('pause'), async (c) => {
    const { env } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      if (!(await getEnvironment(tx, { name: env }))) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${env} does not exist`);
      const p = await pauseEnvironment(tx, { environment: env, reason, actor: actorOf(c), requestId: c.var.requestId });
      if (!p) throw new ApiError('CONFLICT', `Environment ${env} is already paused`);
      return p;
    });
    return c.json(pauseView(row), 200);
  })
  .openapi(envPause('resume'), async (c) => {
    const { env } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      if (!(await getEnvironment(tx, { name: env }))) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${env} does not exist`);
      const p = await resumeEnvironment(tx, { environment: env, reason, actor: actorOf(c), requestId: c.var.requestId });
      if (!p) throw new ApiError('CONFLICT', `Environment ${env} is not paused`);
      return p;
    });
    // Queued promotions waited for the line to move again (docs/governance.md "Queues").
    await wakeQueue({ ...c.var.deps.promotions, logger: c.var.logger }, env);
    await wakeAutoPromotion(autoDeps(c), null);
    return c.json(pauseView(row), 200);
  })
  .openapi(globalPause('pause'), async (c) => {
    const { reason } = c.req.valid('json');
    const p = await c.var.deps.database.db.transaction((tx) =>
      pauseEnvironment(tx, { environment: null, reason, actor: actorOf(c), requestId: c.var.requestId }),
    );
    if (!p) throw new ApiError('CONFLICT', 'Every environment is already paused');
    return c.json(pauseView(p), 200);
  })
  .openapi(globalPause('resume'), async (c) => {
    const { reason } = c.req.valid('json');
    const p = await c.var.deps.database.db.transaction((tx) =>
      resumeEnvironment(tx, { environment: null, reason, actor: actorOf(c), requestId: c.var.requestId }),
    );
    if (!p) throw new ApiError('CONFLICT', 'There is no global pause');
    await wakeQueue({ ...c.var.deps.promotions, logger: c.var.logger }, null);
    await wakeAutoPromotion(autoDeps(c), null);
    return c.json(pauseView(p), 200);
  })
  .openapi(listPausesRoute, async (c) => {
    const rows = await listPauses(c.var.deps.database.db);
    return c.json({ pauses: rows.map(pauseView) }, 200);
  });
