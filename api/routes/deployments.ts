// Deployment history of an environment, and the operator actions on a running promotion.
//   GET  /v1/environments/:env/deployment-history                viewer    paginated, filters status and releaseId
//   GET  /v1/environments/:env/deployment-history/:id            viewer    one record with every step and the component changes
//   POST /v1/environments/:env/deployment-history/:id/approve    promoter(env)  approval gate
//   POST /v1/environments/:env/deployment-history/:id/reject     promoter(env)  end it at the approval gate (comment = reason)
//   POST /v1/environments/:env/deployment-history/:id/retry      promoter(env)  run the failed step again
//   POST /v1/environments/:env/deployment-history/:id/abort      promoter(env)  end it; revert a pushed commit unless leaveGit;
//                                                                               a queued one leaves its queue
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError, validationError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { DeploymentSummary, deploymentSummary, deploymentSummaryOfIso, EnvParam, iso, statusUrl } from '../schemas.js';
import { sendOperatorAction, type OperatorAction } from '../services/promotions.js';
import { cancelQueuedPromotion } from '../services/queue.js';
import { getEnvironment } from '../../db/environments.js';
import { getDeployment, getSteps, listDeployments, type DeploymentRow } from '../../db/deployments.js';
import { readHistoryPage } from '../../db/prepared.js';
import { positionId } from '../cursor.js';
import { REVALIDATE, sendJson } from '../http-cache.js';
import { PROMOTION_STATUSES, STEPS } from '../../domain/promotion.js';
import { getRelease } from '../../db/releases.js';
import { diffReleases, ReleaseDiff } from '../../domain/diff.js';

const DeploymentParams = EnvParam.extend({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 421 }),
});

const Step = z.object({
  name: z.string(),
  status: z.string(),
  attempts: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  message: z.string().nullable(),
  observation: z.record(z.string(), z.unknown()).nullable(),
});
const DeploymentDetails = DeploymentSummary.extend({
  steps: z.array(Step),
  changes: ReleaseDiff.nullable().openapi({ description: 'Component changes from the previous release (null for a first deployment)' }),
  statusUrl: z.string(),
}).openapi('DeploymentDetails');

async function mustGetDeployment(c: Context<AppEnv>, env: string, id: number): Promise<DeploymentRow> {
  const d = await getDeployment(c.get('deps').database.db, { id, environment: env });
  if (!d) throw new ApiError('DEPLOYMENT_NOT_FOUND', `Environment ${env} has no deployment ${id}`);
  return d;
}

const historyRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/deployment-history',
  tags: ['deployments'],
  summary: 'Deployment history of an environment, newest first',
  request: {
    params: EnvParam,
    query: z.object({
      status: z.enum(PROMOTION_STATUSES).optional(),
      releaseId: z.guid().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(512).optional().openapi({ description: 'Opaque: the nextCursor of the previous page' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of deployments',
      content: { 'application/json': { schema: z.object({ deployments: z.array(DeploymentSummary), nextCursor: z.string().nullable() }) } },
    },
  },
  errors: [400, 404],
});

const detailRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/deployment-history/{id}',
  tags: ['deployments'],
  summary: 'One deployment: status, people, timestamps, commit, every step, component changes',
  request: { params: DeploymentParams },
  responses: {
    200: { description: 'The deployment', content: { 'application/json': { schema: DeploymentDetails } } },
  },
  errors: [400, 404],
});

const ActionBody = z
  .object({
    comment: z.string().max(2000).optional(),
    leaveGit: z.boolean().optional().openapi({ description: 'abort only: keep the pushed commit in Git (no revert)' }),
    fromStep: z
      .enum(STEPS)
      .optional()
      .openapi({ description: 'retry only: restart from this step (the failed step or an earlier forward step)' }),
  })
  .strict();
const ActionResultSchema = z
  .object({
    accepted: z.literal(true),
    status: z.string(),
    approvals: z.number().optional(),
    actionId: z.string().openapi({ description: 'The recorded operator action (also the Workflow Update id)' }),
    deployment: DeploymentSummary,
  })
  .openapi('OperatorActionResult');

function actionRoute(action: OperatorAction, summary: string) {
  return protectedRoute(
    'promoter',
    {
      method: 'post',
      path: `/v1/environments/{env}/deployment-history/{id}/${action}`,
      tags: ['deployments'],
      summary,
      request: { params: DeploymentParams, body: { content: { 'application/json': { schema: ActionBody } }, required: false } },
      responses: {
        200: { description: 'Accepted by the workflow', content: { 'application/json': { schema: ActionResultSchema } } },
      },
      errors: [400, 404, 409, 503],
    },
    { environment: (c) => c.req.param('env') },
  );
}

async function operatorAction(c: Context<AppEnv>, action: OperatorAction, env: string, id: number, body: z.infer<typeof ActionBody>) {
  let deployment = await mustGetDeployment(c, env, id);
  const actor = actorOf(c);
  if (action === 'abort' && deployment.status === 'queued') {
    // Removed from the queue: no workflow Update (nothing started, nothing pushed); its waiter ends.
    const deps = { ...c.get('deps').promotions, logger: c.get('logger') };
    const done = await cancelQueuedPromotion(deps, { deployment, actor, comment: body.comment ?? null, requestId: c.get('requestId') });
    if (done)
      return {
        accepted: true as const,
        status: done.deployment.status,
        actionId: done.actionId,
        deployment: deploymentSummary(done.deployment),
      };
    deployment = await mustGetDeployment(c, env, id); // it started meanwhile: the ordinary abort
  }
  // The per-request logger carries the request id and the actor.
  const result = await sendOperatorAction(
    { ...c.get('deps').promotions, logger: c.get('logger') },
    {
      deployment,
      action,
      actor,
      ...(body.comment ? { comment: body.comment } : {}),
      ...(body.leaveGit ? { leaveGit: true } : {}),
      ...(body.fromStep ? { fromStep: body.fromStep } : {}),
      requestId: c.get('requestId'),
    },
  );
  const after = await mustGetDeployment(c, env, id);
  return { ...result, deployment: deploymentSummary(after) };
}

async function readActionBody(c: Context<AppEnv>): Promise<z.infer<typeof ActionBody>> {
  const text = await c.req.text();
  if (!text) return {};
  const parsed = ActionBody.safeParse(JSON.parse(text));
  if (!parsed.success) throw validationError(parsed.error.issues);
  return parsed.data;
}

export const deploymentRoutes = createRouter()
  .openapi(historyRoute, async (c) => {
    const { env } = c.req.valid('param');
    const q = c.req.valid('query');
    const db = c.get('deps').database.db;
    const { cursors } = c.get('deps').reads;
    const before = q.cursor === undefined ? undefined : positionId(await cursors.decode('deployments', q.cursor), 0);
    const notFound = () => new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${env} does not exist`);
    let page: { rows: DeploymentSummary[]; hasMore: boolean } | undefined;
    if (q.releaseId === undefined) {
      // The history page of the UI: one prepared query (the environment is looked up only for an empty page).
      const history = await readHistoryPage(c.get('deps').database.sql, {
        environment: env,
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(before ? { before } : {}),
      });
      if (!history) throw notFound();
      page = { rows: history.rows.map(deploymentSummaryOfIso), hasMore: history.hasMore };
    } else {
      if (!(await getEnvironment(db, { name: env }))) throw notFound();
      const rows = await listDeployments(db, {
        environment: env,
        releaseId: q.releaseId,
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(before ? { before } : {}),
      });
      page = { rows: rows.rows.map(deploymentSummary), hasMore: rows.hasMore };
    }
    const last = page.rows.at(-1);
    const nextCursor = page.hasMore && last ? await cursors.encode('deployments', [last.id]) : null;
    // An ETag (Cache-Control: private, no-cache): a history page that has not changed is a 304 to a polling UI.
    return sendJson(c, JSON.stringify({ deployments: page.rows, nextCursor }), REVALIDATE);
  })
  .openapi(detailRoute, async (c) => {
    const { env, id } = c.req.valid('param');
    const db = c.get('deps').database.db;
    const d = await mustGetDeployment(c, env, id);
    const steps = await getSteps(db, { deploymentId: d.id });
    let changes = null;
    const release = await getRelease(db, { id: d.releaseId });
    if (release && d.previousReleaseId) {
      const previous = await getRelease(db, { id: d.previousReleaseId });
      if (previous) changes = diffReleases(previous, release);
    }
    return c.json(
      {
        ...deploymentSummary(d),
        steps: steps.map((s) => ({
          name: s.step,
          status: s.status,
          attempts: s.attempts,
          startedAt: iso(s.startedAt),
          finishedAt: iso(s.finishedAt),
          message: s.message,
          observation: s.observation ?? null,
        })),
        changes,
        statusUrl: statusUrl(d),
      },
      200,
    );
  })
  .openapi(actionRoute('approve', 'Approve a promotion waiting at the approval gate'), async (c) => {
    const { env, id } = c.req.valid('param');
    return c.json(await operatorAction(c, 'approve', env, id, await readActionBody(c)), 200);
  })
  .openapi(
    actionRoute('reject', 'Reject a promotion waiting at the approval gate (ends it aborted; the comment is the reason)'),
    async (c) => {
      const { env, id } = c.req.valid('param');
      return c.json(await operatorAction(c, 'reject', env, id, await readActionBody(c)), 200);
    },
  )
  .openapi(actionRoute('retry', 'Run the failed step of a parked promotion again'), async (c) => {
    const { env, id } = c.req.valid('param');
    return c.json(await operatorAction(c, 'retry', env, id, await readActionBody(c)), 200);
  })
  .openapi(actionRoute('abort', 'Abort a promotion (reverting a pushed commit unless leaveGit)'), async (c) => {
    const { env, id } = c.req.valid('param');
    return c.json(await operatorAction(c, 'abort', env, id, await readActionBody(c)), 200);
  });
