// Environment Service and deployment history.
//   GET  /v1/environments                                        viewer    config, current release, last deployment, live Argo CD status
//   GET  /v1/environments/:env                                   viewer    the same for one environment
//   PUT  /v1/environments/:env                                   admin     create or update the configuration (secrets by reference only)
//   GET  /v1/environments/:env/deployment-history                viewer    paginated, filters status and releaseId
//   GET  /v1/environments/:env/deployment-history/:id            viewer    one record with every step and the component changes
//   POST /v1/environments/:env/deployment-history/:id/approve    promoter(env)  approval gate
//   POST /v1/environments/:env/deployment-history/:id/retry      promoter(env)  run the failed step again
//   POST /v1/environments/:env/deployment-history/:id/abort      promoter(env)  end it; revert a pushed commit unless leaveGit
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError, errorResponses, validationError } from '../errors.js';
import { actorOf, bearerSecurity, requireRole } from '../auth.js';
import { checkUpstreamGraph, EnvironmentConfig, expandPattern, RELEASE_ANNOTATION } from '../../domain/environment.js';
import { environmentConfigOf, getEnvironment, listEnvironments, upsertEnvironment, type EnvironmentRow } from '../../db/environments.js';
import { getDeployment, getSteps, listDeployments, type DeploymentRow } from '../../db/deployments.js';
import { PROMOTION_STATUSES } from '../../domain/promotion.js';
import { getRelease } from '../../db/releases.js';
import { recordAudit } from '../../db/audit.js';
import { diffReleases, ReleaseDiff } from '../../domain/diff.js';
import type { KubeClient } from '../../integrations/kube.js';
import { argoClientForTarget, kubeClientForTarget } from '../../integrations/targets.js';
import { createSecretResolver } from '../../lib/secrets.js';
import { sendOperatorAction, type OperatorAction, type PromotionServiceDeps } from '../services/promotions.js';

const EnvParam = z.object({ env: z.string().regex(/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/).openapi({ param: { name: 'env', in: 'path' }, example: 'staging' }) });
const DeploymentParams = EnvParam.extend({
  id: z.coerce.number().int().min(1).openapi({ param: { name: 'id', in: 'path' }, example: 421 }),
});

const LiveApp = z.object({
  name: z.string(),
  group: z.string(),
  sync: z.string().nullable(),
  health: z.string().nullable(),
  revision: z.string().nullable(),
  releaseId: z.string().nullable().openapi({ description: 'flow-controller.io/release-id on the application’s live workloads (null when mixed or unreadable)' }),
  matchesCurrentRelease: z.boolean().nullable(),
  error: z.string().optional(),
});

const DeploymentSummary = z
  .object({
    id: z.number(),
    environment: z.string(),
    releaseId: z.string(),
    previousReleaseId: z.string().nullable(),
    isRollback: z.boolean(),
    status: z.enum(PROMOTION_STATUSES),
    currentStep: z.string().nullable(),
    message: z.string().nullable(),
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
    actions: z.array(z.object({ action: z.string(), by: z.string(), at: z.string(), comment: z.string().optional(), step: z.string().optional() })),
  })
  .openapi('DeploymentSummary');

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

const EnvironmentView = z
  .object({
    name: z.string(),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'EnvironmentConfig; credentials appear as references (env:/file:) only' }),
    currentReleaseId: z.string().nullable(),
    currentDeploymentId: z.number().nullable(),
    lastDeployment: DeploymentSummary.nullable(),
    live: z.array(LiveApp).nullable(),
    updatedAt: z.string(),
  })
  .openapi('Environment');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function deploymentSummary(d: DeploymentRow): z.infer<typeof DeploymentSummary> {
  return {
    id: d.id,
    environment: d.environment,
    releaseId: d.releaseId,
    previousReleaseId: d.previousReleaseId,
    isRollback: d.isRollback,
    status: d.status,
    currentStep: d.currentStep,
    message: d.message,
    reason: d.reason,
    startedBy: d.startedBy,
    commitSha: d.commitSha,
    revertSha: d.revertSha,
    workflowId: d.workflowId,
    runId: d.runId,
    createdAt: d.createdAt.toISOString(),
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
    updatedAt: d.updatedAt.toISOString(),
    actions: d.actions,
  };
}

export function statusUrl(d: { environment: string; id: number }): string {
  return `/v1/environments/${d.environment}/deployment-history/${d.id}`;
}

/** Live Argo CD status per application, correlated with the release the environment should run. */
async function liveStatus(env: EnvironmentRow, groups: string[]): Promise<Array<z.infer<typeof LiveApp>>> {
  if (groups.length === 0) return [];
  const secrets = createSecretResolver();
  let argo;
  try {
    argo = argoClientForTarget(env.argocd, secrets, { timeoutMs: 2000 });
  } catch (err) {
    return groups.map((group) => ({ ...unknownApp(env, group), error: (err as Error).message }));
  }
  let kube: KubeClient | undefined;
  try {
    kube = kubeClientForTarget(env.kubernetes, secrets);
  } catch {
    kube = undefined; // live status without release correlation
  }
  return Promise.all(
    groups.map(async (group) => {
      const name = expandPattern(env.argocd.applicationPattern, { env: env.name, group });
      try {
        const app = await argo.getApplication(name, { project: env.argocd.project });
        // The release each workload was rendered from (chart convention: the release-id annotation).
        const releaseIds = new Set<string>();
        if (kube) {
          const workloads = await kube.listWorkloads(env.kubernetes.namespace, `app.kubernetes.io/instance=${name}`).catch(() => []);
          for (const w of workloads) {
            const id = w.object.metadata?.annotations?.[RELEASE_ANNOTATION];
            if (id) releaseIds.add(id);
          }
        }
        const releaseId = releaseIds.size === 1 ? [...releaseIds][0] ?? null : null;
        return {
          name,
          group,
          sync: app.status?.sync?.status ?? null,
          health: app.status?.health?.status ?? null,
          revision: app.status?.sync?.revision ?? null,
          releaseId,
          matchesCurrentRelease: releaseId === null ? null : releaseId === env.currentReleaseId,
        };
      } catch (err) {
        return { ...unknownApp(env, group), name, error: (err as Error).message };
      }
    }),
  );
}

function unknownApp(env: EnvironmentRow, group: string): z.infer<typeof LiveApp> {
  return {
    name: expandPattern(env.argocd.applicationPattern, { env: env.name, group }),
    group,
    sync: null,
    health: null,
    revision: null,
    releaseId: null,
    matchesCurrentRelease: null,
  };
}

async function environmentView(c: Context<AppEnv>, env: EnvironmentRow, live: boolean): Promise<z.infer<typeof EnvironmentView>> {
  const db = c.var.deps.database.db;
  const { rows } = await listDeployments(db, { environment: env.name, limit: 1 });
  // The applications to look at are the groups of the release the environment should run.
  const current = live && env.currentReleaseId ? await getRelease(db, { id: env.currentReleaseId }) : undefined;
  const groups = current ? Object.keys(current.descriptor).sort() : [];
  return {
    name: env.name,
    config: environmentConfigOf(env) as unknown as Record<string, unknown>,
    currentReleaseId: env.currentReleaseId,
    currentDeploymentId: env.currentDeploymentId,
    lastDeployment: rows[0] ? deploymentSummary(rows[0]) : null,
    live: live ? await liveStatus(env, groups) : null,
    updatedAt: env.updatedAt.toISOString(),
  };
}

async function mustGetEnvironment(c: Context<AppEnv>, name: string): Promise<EnvironmentRow> {
  const env = await getEnvironment(c.var.deps.database.db, { name });
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${name} does not exist`);
  return env;
}

async function mustGetDeployment(c: Context<AppEnv>, env: string, id: number): Promise<DeploymentRow> {
  const d = await getDeployment(c.var.deps.database.db, { id, environment: env });
  if (!d) throw new ApiError('DEPLOYMENT_NOT_FOUND', `Environment ${env} has no deployment ${id}`);
  return d;
}

export function promotionDeps(c: Context<AppEnv>): PromotionServiceDeps {
  const d = c.var.deps;
  return {
    database: d.database,
    client: d.temporal.client,
    taskQueue: d.config.TEMPORAL_TASK_QUEUE,
    logger: c.var.logger,
    workerResponseTimeoutMs: d.config.WORKER_RESPONSE_TIMEOUT_MS,
    timeouts: {
      stepSeconds: d.config.PROMOTION_STEP_TIMEOUT_SECONDS,
      gitSeconds: d.config.PROMOTION_GIT_TIMEOUT_SECONDS,
      heartbeatSeconds: d.config.PROMOTION_HEARTBEAT_TIMEOUT_SECONDS,
    },
  };
}

const LiveQuery = z.object({
  live: z.enum(['true', 'false']).default('true').openapi({ description: 'Include live Argo CD status (one call per application)' }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/environments',
  tags: ['environments'],
  summary: 'Environments in display order, with current release, last deployment and live Argo CD status',
  security: bearerSecurity,
  middleware: [requireRole('viewer')] as const,
  request: { query: LiveQuery },
  responses: {
    200: { description: 'Environments', content: { 'application/json': { schema: z.object({ environments: z.array(EnvironmentView) }) } } },
    ...errorResponses(401),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/environments/{env}',
  tags: ['environments'],
  summary: 'One environment',
  security: bearerSecurity,
  middleware: [requireRole('viewer')] as const,
  request: { params: EnvParam, query: LiveQuery },
  responses: {
    200: { description: 'The environment', content: { 'application/json': { schema: EnvironmentView } } },
    ...errorResponses(400, 401, 404),
  },
});

const putRoute = createRoute({
  method: 'put',
  path: '/v1/environments/{env}',
  tags: ['environments'],
  summary: 'Create or update an environment (admin)',
  description: 'Credentials are references (`env:NAME` or `file:/path`), resolved by the worker when needed; literal secrets are rejected.',
  security: bearerSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: EnvParam, body: { content: { 'application/json': { schema: EnvironmentConfig } }, required: true } },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: EnvironmentView } } },
    201: { description: 'Created', content: { 'application/json': { schema: EnvironmentView } } },
    ...errorResponses(400, 401, 403, 415, 422),
  },
});

const historyRoute = createRoute({
  method: 'get',
  path: '/v1/environments/{env}/deployment-history',
  tags: ['deployments'],
  summary: 'Deployment history of an environment, newest first',
  security: bearerSecurity,
  middleware: [requireRole('viewer')] as const,
  request: {
    params: EnvParam,
    query: z.object({
      status: z.enum(PROMOTION_STATUSES).optional(),
      releaseId: z.guid().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().regex(/^\d{1,18}$/).optional(),
    }),
  },
  responses: {
    200: {
      description: 'A page of deployments',
      content: { 'application/json': { schema: z.object({ deployments: z.array(DeploymentSummary), nextCursor: z.string().nullable() }) } },
    },
    ...errorResponses(400, 401, 404),
  },
});

const detailRoute = createRoute({
  method: 'get',
  path: '/v1/environments/{env}/deployment-history/{id}',
  tags: ['deployments'],
  summary: 'One deployment: status, people, timestamps, commit, every step, component changes',
  security: bearerSecurity,
  middleware: [requireRole('viewer')] as const,
  request: { params: DeploymentParams },
  responses: {
    200: { description: 'The deployment', content: { 'application/json': { schema: DeploymentDetails } } },
    ...errorResponses(400, 401, 404),
  },
});

const ActionBody = z
  .object({
    comment: z.string().max(2000).optional(),
    leaveGit: z.boolean().optional().openapi({ description: 'abort only: keep the pushed commit in Git (no revert)' }),
  })
  .strict();
const ActionResultSchema = z
  .object({ accepted: z.literal(true), status: z.string(), approvals: z.number().optional(), deployment: DeploymentSummary })
  .openapi('OperatorActionResult');

function actionRoute(action: OperatorAction, summary: string) {
  return createRoute({
    method: 'post',
    path: `/v1/environments/{env}/deployment-history/{id}/${action}`,
    tags: ['deployments'],
    summary,
    security: bearerSecurity,
    middleware: [requireRole('promoter', { environment: (c) => c.req.param('env') })] as const,
    request: { params: DeploymentParams, body: { content: { 'application/json': { schema: ActionBody } }, required: false } },
    responses: {
      200: { description: 'Accepted by the workflow', content: { 'application/json': { schema: ActionResultSchema } } },
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  });
}

async function operatorAction(c: Context<AppEnv>, action: OperatorAction, env: string, id: number, body: z.infer<typeof ActionBody>) {
  const deployment = await mustGetDeployment(c, env, id);
  const actor = actorOf(c);
  const result = await sendOperatorAction(promotionDeps(c), {
    deployment,
    action,
    by: actor.name,
    ...(body.comment ? { comment: body.comment } : {}),
    ...(body.leaveGit ? { leaveGit: true } : {}),
    requestId: c.var.requestId,
  });
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
    const config = c.req.valid('json');
    const db = c.var.deps.database.db;
    const actor = actorOf(c);
    const { row, created } = await db.transaction(async (tx) => {
      const all = Object.fromEntries((await listEnvironments(tx)).map((e) => [e.name, { upstream: e.upstream }]));
      all[name] = { upstream: config.upstream };
      const problems = checkUpstreamGraph(all);
      if (problems.length > 0) throw new ApiError('ENVIRONMENT_INVALID', problems.join('; '), { problems });
      const result = await upsertEnvironment(tx, { name, config });
      await recordAudit(tx, {
        actor: { name: actor.name, tokenId: actor.tokenId },
        action: result.created ? 'environment.created' : 'environment.updated',
        subjectType: 'environment',
        subjectId: name,
        requestId: c.var.requestId,
        details: { config: config as unknown as Record<string, unknown> },
      });
      return result;
    });
    return c.json(await environmentView(c, row, false), created ? 201 : 200);
  })
  .openapi(historyRoute, async (c) => {
    const { env } = c.req.valid('param');
    await mustGetEnvironment(c, env);
    const q = c.req.valid('query');
    const { rows, hasMore } = await listDeployments(c.var.deps.database.db, {
      environment: env,
      ...(q.status ? { status: q.status } : {}),
      ...(q.releaseId ? { releaseId: q.releaseId } : {}),
      ...(q.cursor ? { before: Number(q.cursor) } : {}),
      limit: q.limit,
    });
    const last = rows[rows.length - 1];
    return c.json({ deployments: rows.map(deploymentSummary), nextCursor: hasMore && last ? String(last.id) : null }, 200);
  })
  .openapi(detailRoute, async (c) => {
    const { env, id } = c.req.valid('param');
    const db = c.var.deps.database.db;
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
  .openapi(actionRoute('retry', 'Run the failed step of a parked promotion again'), async (c) => {
    const { env, id } = c.req.valid('param');
    return c.json(await operatorAction(c, 'retry', env, id, await readActionBody(c)), 200);
  })
  .openapi(actionRoute('abort', 'Abort a promotion (reverting a pushed commit unless leaveGit)'), async (c) => {
    const { env, id } = c.req.valid('param');
    return c.json(await operatorAction(c, 'abort', env, id, await readActionBody(c)), 200);
  });
