// Re-verification of an environment (docs/verification-and-monitoring.md, "Verification gates").
//   POST /v1/environments/:env/reverify   promoter in scope (or admin)  run the checks again on the current release
//   GET  /v1/environments/:env/reverify   viewer                        the latest re-verification and its outcome
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { ApiError, validationError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { EnvParam } from '../schemas.js';
import { readReverify, startReverify } from '../services/reverify.js';

const ReverifyBody = z
  .object({ reason: z.string().max(2000).optional().openapi({ description: 'Why the checks run again (audited)' }) })
  .strict()
  .openapi('ReverifyRequest');

const CheckOutcome = z.object({
  name: z.string(),
  kind: z.string(),
  outcome: z.string().openapi({ description: 'passed | failed | stopped (another check failed first) | running' }),
  samples: z.number(),
  message: z.string(),
});

const ReverifyRun = z
  .object({
    environment: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    releaseId: z.string().nullable(),
    status: z.enum(['running', 'passed', 'failed', 'error']).openapi({
      description:
        'running; passed (open verification-failed incidents resolved); failed (the release verification revoked in this environment, ' +
        'a verification-failed incident opened); error (the checks could not run, e.g. an unresolvable secret: nothing revoked)',
    }),
    startedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    result: z
      .object({
        passed: z.boolean(),
        message: z.string(),
        revoked: z.boolean(),
        incidentId: z.number().nullable(),
        checks: z.array(CheckOutcome),
      })
      .nullable(),
    message: z.string().nullable(),
  })
  .openapi('ReverifyRun');

const postRoute = protectedRoute(
  'promoter',
  {
    method: 'post',
    path: '/v1/environments/{env}/reverify',
    tags: ['environments'],
    summary: 'Run the verification checks again against the current release (admin, or promoter with the environment in scope)',
    description:
      'Starts the workflow reverifyEnvironment (one per environment at a time) and answers 202 at once; poll GET on the same path. ' +
      'A failed re-verification revokes the release verification in this environment (no longer eligible where upstream must be verified) ' +
      'and opens a verification-failed incident with the evidence. 409 NO_CURRENT_RELEASE when nothing is current, PROMOTION_IN_PROGRESS ' +
      'while a promotion is active there, REVERIFY_IN_PROGRESS while a re-verification runs; 422 NO_VERIFICATION_CHECKS without checks.',
    request: { params: EnvParam, body: { content: { 'application/json': { schema: ReverifyBody } }, required: false } },
    responses: {
      202: { description: 'Re-verification started', content: { 'application/json': { schema: ReverifyRun } } },
    },
    errors: [400, 404, 409, 422, 503],
  },
  { environment: (c) => c.req.param('env') },
);

const getRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/reverify',
  tags: ['environments'],
  summary: 'The latest re-verification of an environment and its outcome',
  request: { params: EnvParam },
  responses: {
    200: { description: 'The latest re-verification', content: { 'application/json': { schema: ReverifyRun } } },
  },
  errors: [400, 404, 503],
});

export const reverifyRoutes = createRouter()
  .openapi(postRoute, async (c) => {
    const { env } = c.req.valid('param');
    const text = await c.req.text();
    let body: z.infer<typeof ReverifyBody> = {};
    if (text) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new ApiError('MALFORMED_JSON', `Request body is not valid JSON: ${(err as Error).message}`);
      }
      const parsed = ReverifyBody.safeParse(json);
      if (!parsed.success) throw validationError(parsed.error.issues);
      body = parsed.data;
    }
    const view = await startReverify(
      { ...c.var.deps.promotions, logger: c.var.logger },
      { environment: env, reason: body.reason ?? null, actor: actorOf(c), requestId: c.var.requestId },
    );
    return c.json(view, 202);
  })
  .openapi(getRoute, async (c) => {
    const { env } = c.req.valid('param');
    return c.json(await readReverify(c.var.deps.promotions, env), 200);
  });
