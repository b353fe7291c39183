// Environment Service (the deployment history is in ./deployments.ts).
//   GET  /v1/environments         viewer    config, current release, last deployment, live Argo CD status
//   GET  /v1/environments/:env    viewer    the same for one environment
//   PUT  /v1/environments/:env    admin     create or update the configuration (secrets by reference only)
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { DeploymentSummary, deploymentSummary, EnvParam, LiveApp } from '../schemas.js';
import { upsertEnvironments } from '../services/environments.js';
import { EnvironmentConfig, groupsOf } from '../../domain/environment.js';
import { environmentConfigOf, getEnvironment, listEnvironments, type EnvironmentRow } from '../../db/environments.js';
import { listDeployments } from '../../db/deployments.js';
import { targetPolicyOf } from '../../lib/config.js';
import { getRelease } from '../../db/releases.js';

const EnvironmentView = z
  .object({
    name: z.string(),
    config: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'EnvironmentConfig; credentials appear as references (env:/file:) only' }),
    currentReleaseId: z.string().nullable(),
    currentDeploymentId: z.number().nullable(),
    // .or(z.null()), not .nullable(): the latter makes the shared DeploymentSummary component itself nullable.
    lastDeployment: DeploymentSummary.or(z.null()),
    live: z.array(LiveApp).nullable(),
    updatedAt: z.string(),
  })
  .openapi('Environment');

async function environmentView(c: Context<AppEnv>, env: EnvironmentRow, live: boolean): Promise<z.infer<typeof EnvironmentView>> {
  const db = c.var.deps.database.db;
  const { rows } = await listDeployments(db, { environment: env.name, limit: 1 });
  // The applications to look at are those of the release the environment should run.
  const current = live && env.currentReleaseId ? await getRelease(db, { id: env.currentReleaseId }) : undefined;
  const groups = current ? groupsOf(current.descriptor) : [];
  return {
    name: env.name,
    config: environmentConfigOf(env) as unknown as Record<string, unknown>,
    currentReleaseId: env.currentReleaseId,
    currentDeploymentId: env.currentDeploymentId,
    lastDeployment: rows[0] ? deploymentSummary(rows[0]) : null,
    live: live ? await c.var.deps.live.get(env, groups) : null,
    updatedAt: env.updatedAt.toISOString(),
  };
}

async function mustGetEnvironment(c: Context<AppEnv>, name: string): Promise<EnvironmentRow> {
  const env = await getEnvironment(c.var.deps.database.db, { name });
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${name} does not exist`);
  return env;
}

const LiveQuery = z.object({
  live: z.enum(['true', 'false']).default('true').openapi({
    description: 'Include live Argo CD status (read at most every LIVE_STATUS_CACHE_TTL_MS per environment, shared by all viewers)',
  }),
});

const listRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments',
  tags: ['environments'],
  summary: 'Environments in display order, with current release, last deployment and live Argo CD status',
  request: { query: LiveQuery },
  responses: {
    200: { description: 'Environments', content: { 'application/json': { schema: z.object({ environments: z.array(EnvironmentView) }) } } },
  },
  errors: [],
});

const getRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}',
  tags: ['environments'],
  summary: 'One environment',
  request: { params: EnvParam, query: LiveQuery },
  responses: {
    200: { description: 'The environment', content: { 'application/json': { schema: EnvironmentView } } },
  },
  errors: [400, 404],
});

const putRoute = protectedRoute('admin', {
  method: 'put',
  path: '/v1/environments/{env}',
  tags: ['environments'],
  summary: 'Create or update an environment (admin)',
  description:
    'Credentials are references (`env:NAME` or `file:/path`), resolved when a step needs them; literal secrets are rejected (400). ' +
    'References outside the installation policy (`env:` without the FC_SECRET_ENV_PREFIX prefix, `file:` outside FC_SECRETS_DIR or with `..`), ' +
    'credentials inside a URL, and hosts outside FC_ALLOWED_HOSTS are rejected with 422 ENVIRONMENT_INVALID naming the field.',
  request: { params: EnvParam, body: { content: { 'application/json': { schema: EnvironmentConfig } }, required: true } },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: EnvironmentView } } },
    201: { description: 'Created', content: { 'application/json': { schema: EnvironmentView } } },
  },
  errors: [400, 415, 422],
});

export const environmentRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const live = c.req.valid('query').live === 'true';
    const rows = await listEnvironments(c.var.deps.database.db);
    return c.json({ environments: await Promise.all(rows.map((e) => environmentView(c, e, live))) }, 200);
  })
  .openapi(getRoute, async (c) => {
    const env = await mustGetEnvironment(c, c.req.valid('param').env);
    return c.json(await environmentView(c, env, c.req.valid('query').live === 'true'), 200);
  })
  .openapi(putRoute, async (c) => {
    const name = c.req.valid('param').env;
    const actor = actorOf(c);
    const [result] = await upsertEnvironments(c.var.deps.database.db, {
      configs: { [name]: c.req.valid('json') },
      actor: { name: actor.name, tokenId: actor.tokenId },
      source: { requestId: c.var.requestId },
      policy: targetPolicyOf(c.var.deps.config),
    });
    if (!result) throw new Error('upsertEnvironments returned nothing for one configuration');
    return c.json(await environmentView(c, result.row, false), result.created ? 201 : 200);
  });
