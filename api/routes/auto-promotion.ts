// Auto-promotion of an environment (docs/governance.md "Auto-promotion"):
//   GET  /v1/environments/:env/auto-promotion           viewer     the rule, the hold, what it waits for or promotes
//   POST /v1/environments/:env/auto-promotion/hold      {reason}   promoter in scope, admin: pause auto-promotion
//   POST /v1/environments/:env/auto-promotion/resume    {reason}   promoter in scope, admin: lift the hold
// The state is the worker's own decision (db/auto-promotion-look.ts), read on the database's clock.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { EnvParam } from '../schemas.js';
import { wakeAutoPromotion } from '../services/auto-promotion.js';
import { getEnvironment, type EnvironmentRow } from '../../db/environments.js';
import { holdAutoPromotion, lastAutoPromotion, resumeAutoPromotion, type AutoPromotionHoldRow } from '../../db/auto-promotion.js';
import { lookAtAutoPromotion } from '../../db/auto-promotion-look.js';
import { AUTO_PROMOTE_WHEN } from '../../domain/auto-promotion.js';

const HoldView = z
  .object({
    environment: z.string(),
    reason: z.string(),
    heldBy: z.string(),
    heldAt: z.string(),
    deploymentId: z.number().int().nullable().openapi({ description: 'The manual promotion that placed it (null: placed by hand)' }),
    resumedAt: z.string().nullable(),
    resumedBy: z.string().nullable(),
    resumeReason: z.string().nullable(),
  })
  .openapi('AutoPromotionHold');

const AutoPromotionView = z
  .object({
    environment: z.string(),
    config: z
      .object({ from: z.string(), when: z.enum(AUTO_PROMOTE_WHEN), soakSeconds: z.number().int() })
      .nullable()
      .openapi({ description: 'null: the environment does not auto-promote' }),
    state: z.enum(['off', 'held', 'promoting', 'busy', 'idle', 'soaking', 'blocked', 'paused', 'frozen', 'ready']).openapi({
      description:
        "off: no autoPromote; held: a hold stands; promoting: its own promotion is queued or running; busy: a person's promotion is active or queued (it waits); idle: nothing to promote; soaking: the candidate soaks upstream until eligibleAt; blocked/paused/frozen: the candidate waits for a rule, a pause, a freeze; ready: it promotes at its next look",
    }),
    message: z.string().nullable(),
    hold: HoldView.nullable(),
    candidate: z
      .object({ releaseId: z.string(), productVersion: z.string(), becameCurrentAt: z.string(), eligibleAt: z.string() })
      .nullable(),
    deploymentId: z.number().int().nullable().openapi({ description: 'The promotion in flight it waits for (states promoting, busy)' }),
    lastDeploymentId: z.number().int().nullable().openapi({ description: 'The newest promotion it started, any status' }),
  })
  .openapi('AutoPromotion');

const Reason = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

function holdView(h: AutoPromotionHoldRow): z.infer<typeof HoldView> {
  return {
    environment: h.environment,
    reason: h.reason,
    heldBy: h.heldBy,
    heldAt: h.heldAt.toISOString(),
    deploymentId: h.deploymentId,
    resumedAt: h.resumedAt?.toISOString() ?? null,
    resumedBy: h.resumedBy,
    resumeReason: h.resumeReason,
  };
}

const getRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/auto-promotion',
  tags: ['governance'],
  summary: "The environment's auto-promotion: its rule, hold, candidate and what it waits for",
  request: { params: EnvParam },
  responses: { 200: { description: 'Auto-promotion', content: { 'application/json': { schema: AutoPromotionView } } } },
  errors: [404],
});

const holdRoute = (action: 'hold' | 'resume') =>
  protectedRoute(
    'promoter',
    {
      method: 'post',
      path: `/v1/environments/{env}/auto-promotion/${action}`,
      tags: ['governance'],
      summary:
        action === 'hold' ? 'Hold the environment’s auto-promotion (it starts nothing until resumed)' : 'Resume a held auto-promotion',
      request: { params: EnvParam, body: { content: { 'application/json': { schema: Reason } }, required: true } },
      responses: { 200: { description: action === 'hold' ? 'Held' : 'Resumed', content: { 'application/json': { schema: HoldView } } } },
      errors: [400, 404, 409, 415],
    },
    { environment: (c) => c.req.param('env') },
  );

async function environmentOr404(c: Context<AppEnv>, name: string): Promise<EnvironmentRow> {
  const env = await getEnvironment(c.var.deps.database.db, { name });
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${name} does not exist`);
  return env;
}

const wake = (c: Context<AppEnv>, env: EnvironmentRow) =>
  wakeAutoPromotion(
    {
      client: c.var.deps.temporal.client,
      connection: c.var.deps.temporal.connection,
      taskQueue: c.var.deps.config.TEMPORAL_TASK_QUEUE,
      logger: c.var.logger,
      database: c.var.deps.database,
    },
    [env],
  );

export const autoPromotionRoutes = createRouter()
  .openapi(getRoute, async (c) => {
    const env = await environmentOr404(c, c.req.valid('param').env);
    const db = c.var.deps.database.db;
    const [look, last] = await Promise.all([lookAtAutoPromotion(db, env), lastAutoPromotion(db, { environment: env.name })]);
    const candidate =
      'release' in look
        ? {
            releaseId: look.release.releaseId,
            productVersion: look.release.productVersion,
            becameCurrentAt: look.release.becameCurrentAt.toISOString(),
            eligibleAt: look.eligibleAt.toISOString(),
          }
        : null;
    const message =
      'message' in look
        ? look.message
        : look.state === 'held'
          ? `held by ${look.hold.heldBy}: ${look.hold.reason}`
          : look.state === 'promoting' || look.state === 'busy'
            ? `deployment ${look.deployment.id} (release ${look.deployment.releaseId}) is ${look.deployment.status}`
            : null;
    const hold = look.state === 'held' || look.state === 'promoting' ? look.hold : null;
    return c.json(
      {
        environment: env.name,
        config: env.autoPromote ?? null,
        state: look.state,
        message,
        hold: hold ? holdView(hold) : null,
        candidate,
        deploymentId: look.state === 'promoting' || look.state === 'busy' ? look.deployment.id : null,
        lastDeploymentId: last?.id ?? null,
      },
      200,
    );
  })
  .openapi(holdRoute('hold'), async (c) => {
    const env = await environmentOr404(c, c.req.valid('param').env);
    if (!env.autoPromote) throw new ApiError('CONFLICT', `Environment ${env.name} does not auto-promote (no autoPromote)`);
    const { reason } = c.req.valid('json');
    const row = await c.var.deps.database.db.transaction((tx) =>
      holdAutoPromotion(tx, { environment: env.name, reason, actor: actorOf(c), requestId: c.var.requestId }),
    );
    if (!row) throw new ApiError('CONFLICT', `Auto-promotion of ${env.name} is already held`);
    await wake(c, env);
    return c.json(holdView(row), 200);
  })
  .openapi(holdRoute('resume'), async (c) => {
    const env = await environmentOr404(c, c.req.valid('param').env);
    const { reason } = c.req.valid('json');
    const row = await c.var.deps.database.db.transaction((tx) =>
      resumeAutoPromotion(tx, { environment: env.name, reason, actor: actorOf(c), requestId: c.var.requestId }),
    );
    if (!row) throw new ApiError('CONFLICT', `Auto-promotion of ${env.name} is not held`);
    await wake(c, env);
    return c.json(holdView(row), 200);
  });
