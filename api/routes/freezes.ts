// Freeze windows (docs/governance.md): when promotions may not start, per environment or for all.
//   GET    /v1/freezes?environment=&includeEnded=   windows in force (an environment's and the global ones)   viewer
//   POST   /v1/freezes                               create a window (deny/allow; cron, RRULE or one-off)      admin
//   DELETE /v1/freezes/:freezeId                     end a window (kept, with who ended it)                    admin
//   GET    /v1/environments/:env/freeze?at=          frozen now (or at `at`)? why, and when it opens            viewer
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { EnvironmentName } from '../../domain/environment.js';
import { checkFreezeSchedule, FREEZE_KINDS, FreezeSchedule, MAX_FREEZE_WINDOWS } from '../../domain/freeze.js';
import { endFreezeWindow, getFreezeWindow, insertFreezeWindow, listFreezeWindows, type FreezeRow } from '../../db/freezes.js';
import { getEnvironment } from '../../db/environments.js';
import { freezeStateOf, wakeScheduled } from '../services/freezes.js';
import { wakeAutoPromotion } from '../services/auto-promotion.js';
import { EnvParam } from '../schemas.js';

const FreezeWindowView = z
  .object({
    id: z.string(),
    environment: z.string().nullable().openapi({ description: 'null: applies to every environment' }),
    kind: z.enum(FREEZE_KINDS),
    schedule: FreezeSchedule,
    reason: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    endedAt: z.string().nullable(),
    endedBy: z.string().nullable(),
  })
  .openapi('FreezeWindow');

function view(row: FreezeRow): z.infer<typeof FreezeWindowView> {
  return {
    id: row.id,
    environment: row.environment,
    kind: row.kind,
    schedule: row.schedule,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    endedBy: row.endedBy,
  };
}

const CreateFreeze = z
  .object({
    environment: EnvironmentName.nullable().default(null).meta({ description: 'The environment; null or absent: every environment' }),
    kind: z.enum(FREEZE_KINDS).default('deny'),
    schedule: FreezeSchedule,
    reason: z.string().trim().min(1).max(500),
  })
  .strict()
  .openapi('CreateFreezeRequest');

export const FreezeStateView = z
  .object({
    environment: z.string(),
    at: z.string(),
    frozen: z.boolean(),
    blocks: z.array(
      z.object({
        windowId: z.string(),
        kind: z.enum(FREEZE_KINDS),
        environment: z.string().nullable(),
        reason: z.string(),
        until: z.string().nullable().openapi({ description: 'When this block ends; null: never' }),
      }),
    ),
    nextOpenAt: z.string().nullable().openapi({ description: 'First moment nothing freezes promotions; null: none found' }),
  })
  .openapi('FreezeState');

const IdParam = z.object({ freezeId: z.guid().openapi({ param: { name: 'freezeId', in: 'path' } }) });

const listRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/freezes',
  tags: ['freezes'],
  summary: 'Freeze windows in force (an environment’s and the global ones, or all)',
  request: {
    query: z.object({
      environment: EnvironmentName.optional(),
      includeEnded: z.enum(['true', 'false']).optional(),
    }),
  },
  responses: {
    200: { description: 'Windows', content: { 'application/json': { schema: z.object({ freezes: z.array(FreezeWindowView) }) } } },
  },
  errors: [400],
});

const createRoute = protectedRoute('admin', {
  method: 'post',
  path: '/v1/freezes',
  tags: ['freezes'],
  summary: 'Create a freeze window',
  description:
    '`deny` windows freeze promotions while open; where `allow` windows exist (of the environment or global), promotions start only inside one. Schedules: cron + duration or RRULE + duration in an IANA time zone, or a one-off `from`/`until`. Audited.',
  request: { body: { content: { 'application/json': { schema: CreateFreeze } }, required: true } },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: FreezeWindowView } } } },
  errors: [400, 404, 409, 415, 422],
});

const endRoute = protectedRoute('admin', {
  method: 'delete',
  path: '/v1/freezes/{freezeId}',
  tags: ['freezes'],
  summary: 'End a freeze window (it stays listed with includeEnded, with who ended it)',
  request: { params: IdParam },
  responses: { 200: { description: 'Ended', content: { 'application/json': { schema: FreezeWindowView } } } },
  errors: [400, 404, 409],
});

const stateRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/freeze',
  tags: ['freezes'],
  summary: 'Whether promotions to the environment are frozen now (or at `at`), why, and when it opens',
  request: { params: EnvParam, query: z.object({ at: z.iso.datetime({ offset: true }).optional() }) },
  responses: { 200: { description: 'Freeze state', content: { 'application/json': { schema: FreezeStateView } } } },
  errors: [400, 404],
});

export const freezeRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listFreezeWindows(c.var.deps.database.db, {
      ...(q.environment ? { environment: q.environment } : {}),
      includeEnded: q.includeEnded === 'true',
    });
    return c.json({ freezes: rows.map(view) }, 200);
  })
  .openapi(createRoute, async (c) => {
    const body = c.req.valid('json');
    // An RRULE counts from today (in its zone's wall clock) unless it says otherwise: evaluation iterates from there.
    const input =
      body.schedule.type === 'rrule' && body.schedule.start === undefined
        ? { ...body, schedule: { ...body.schedule, start: `${new Date().toISOString().slice(0, 10)}T00:00` } }
        : body;
    const problems = checkFreezeSchedule(input.kind, input.schedule);
    if (problems.length > 0) {
      throw new ApiError('FREEZE_INVALID', `invalid freeze window: ${problems.join('; ')}`, {
        problems: problems.map((message) => ({ path: 'schedule', message })),
      });
    }
    const actor = actorOf(c);
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      if (input.environment !== null && !(await getEnvironment(tx, { name: input.environment }))) {
        throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${input.environment} does not exist`);
      }
      const inForce = (await listFreezeWindows(tx, input.environment === null ? {} : { environment: input.environment })).filter(
        (w) => w.environment === input.environment,
      );
      if (inForce.length >= MAX_FREEZE_WINDOWS) {
        throw new ApiError('CONFLICT', `at most ${MAX_FREEZE_WINDOWS} windows per scope are in force; end one first`);
      }
      return insertFreezeWindow(tx, { ...input, actor, requestId: c.var.requestId });
    });
    await wakeScheduled(c.var.deps.database.db, c.var.deps.temporal.client, c.var.logger, { environment: row.environment });
    return c.json(view(row), 201);
  })
  .openapi(endRoute, async (c) => {
    const { freezeId } = c.req.valid('param');
    const actor = actorOf(c);
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      const ended = await endFreezeWindow(tx, { id: freezeId, actor, requestId: c.var.requestId });
      if (ended) return ended;
      if (!(await getFreezeWindow(tx, { id: freezeId }))) throw new ApiError('FREEZE_NOT_FOUND', `No freeze window ${freezeId}`);
      throw new ApiError('CONFLICT', `Freeze window ${freezeId} has already ended`);
    });
    await wakeScheduled(c.var.deps.database.db, c.var.deps.temporal.client, c.var.logger, { environment: row.environment });
    // Auto-promotion waiting for the window looks again at once (docs/governance.md "Auto-promotion").
    const d = c.var.deps;
    const auto = {
      client: d.temporal.client,
      connection: d.temporal.connection,
      taskQueue: d.config.TEMPORAL_TASK_QUEUE,
      database: d.database,
    };
    await wakeAutoPromotion({ ...auto, logger: c.var.logger }, null);
    return c.json(view(row), 200);
  })
  .openapi(stateRoute, async (c) => {
    const { env } = c.req.valid('param');
    const { at } = c.req.valid('query');
    const db = c.var.deps.database.db;
    if (!(await getEnvironment(db, { name: env }))) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${env} does not exist`);
    const atMs = at ? Date.parse(at) : Date.now();
    // Asking about a moment far away would make every RRULE iterate that far: within a year of now.
    if (Math.abs(atMs - Date.now()) > 366 * 86_400_000) throw new ApiError('BAD_REQUEST', '`at` must be within a year of now');
    return c.json({ environment: env, at: new Date(atMs).toISOString(), ...(await freezeStateOf(db, { environment: env, atMs })) }, 200);
  });
