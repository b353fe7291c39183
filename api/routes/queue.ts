// GET /v1/environments/:env/queue (viewer): the promotions waiting in the environment's queue, first to start
// first, with their place, and the environment's queue policy (docs/governance.md "Queues"). Queueing is part of
// POST /v2/releases/:id/promote (`queue: true`); cancelling is the abort route of the deployment history.
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { ApiError } from '../errors.js';
import { protectedRoute } from '../openapi.js';
import { EnvParam, iso, statusUrl } from '../schemas.js';
import { getEnvironment } from '../../db/environments.js';
import { listQueue } from '../../db/queue.js';
import { QUEUE_POLICIES } from '../../domain/promotion.js';

const QueueEntry = z
  .object({
    position: z.number().int(),
    deploymentId: z.number(),
    releaseId: z.string(),
    startedBy: z.string(),
    reason: z.string().nullable(),
    queuedAt: z.string().nullable(),
    message: z.string().nullable().openapi({ description: 'What it waits for (e.g. `queued: waiting for deployment 12 (running)`)' }),
    whenOpen: z.boolean(),
    statusUrl: z.string(),
  })
  .openapi('QueueEntry');

const QueueView = z
  .object({ environment: z.string(), policy: z.enum(QUEUE_POLICIES), queue: z.array(QueueEntry) })
  .openapi('EnvironmentQueue');

const queueRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/queue',
  tags: ['promotions'],
  summary: 'Promotions waiting in the environment queue, in the order they will start',
  request: { params: EnvParam },
  responses: { 200: { description: 'The queue', content: { 'application/json': { schema: QueueView } } } },
  errors: [400, 404],
});

export const queueRoutes = createRouter().openapi(queueRoute, async (c) => {
  const { env } = c.req.valid('param');
  const db = c.var.deps.database.db;
  const environment = await getEnvironment(db, { name: env });
  if (!environment) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${env} does not exist`);
  const rows = await listQueue(db, { environment: env });
  return c.json(
    {
      environment: env,
      policy: environment.queuePolicy,
      queue: rows.map((d, i) => ({
        position: i + 1,
        deploymentId: d.id,
        releaseId: d.releaseId,
        startedBy: d.startedBy,
        reason: d.reason,
        queuedAt: iso(d.queuedAt),
        message: d.message,
        whenOpen: d.whenOpen,
        statusUrl: statusUrl(d),
      })),
    },
    200,
  );
});
