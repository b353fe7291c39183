// Environment Service (the deployment history is in ./deployments.ts).
//   GET  /v1/environments         viewer    config, current release, last deployment, live Argo CD status
//   GET  /v1/environments/:env    viewer    the same for one environment
//   PUT  /v1/environments/:env    admin     create or update the configuration (secrets by reference only; the files
//                                           and paths its image mappings name checked in Git first);
//                                           with ?dryRun=true: only the preflight of the submitted configuration
//   POST /v1/environments/:env/preflight  promoter in scope  check Git, Argo CD and Kubernetes (api/services/preflight.ts)
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { CurrentVerification, DeploymentSummary, deploymentSummary, EnvParam, LiveApp } from '../schemas.js';
import { checkEnvironmentConfigs, checkMappedFiles, upsertEnvironments } from '../services/environments.js';
import { runPreflight } from '../services/preflight.js';
import { wakeMonitor } from '../services/monitors.js';
import { wakeAutoPromotion } from '../services/auto-promotion.js';
import { PreflightReport } from '../services/preflight-checks.js';
import { EnvironmentConfig, groupsOf } from '../../domain/environment.js';
import { environmentConfigOf, getEnvironment, type EnvironmentRow } from '../../db/environments.js';
import type { DeploymentRow } from '../../db/deployments.js';
import { readBoard, type CurrentVerification as CurrentVerificationRow } from '../../db/prepared.js';
import { verificationOfDeployment } from '../../db/verifications.js';
import { REVALIDATE, sendJson } from '../http-cache.js';
import { targetPolicyOf } from '../../lib/config.js';
import { getRelease } from '../../db/releases.js';
import { boardDeployment, listQueue } from '../../db/queue.js';

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
    verification: CurrentVerification.or(z.null()).openapi({
      description: 'The verification state of the current release (soaking until soakUntil, verified, revoked…); null before any',
    }),
    queueLength: z.number().int().openapi({ description: 'Promotions waiting in its queue (docs/governance.md "Queues")' }),
    updatedAt: z.string(),
  })
  .openapi('Environment');

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** The board's view of a verification row. */
function verificationView(v: CurrentVerificationRow | null | undefined): z.infer<typeof CurrentVerification> | null {
  if (!v) return null;
  return {
    deploymentId: v.deploymentId,
    releaseId: v.releaseId,
    state: v.state,
    checksPassedAt: isoOrNull(v.checksPassedAt),
    soakUntil: isoOrNull(v.soakUntil),
    verifiedAt: isoOrNull(v.verifiedAt),
    revokedAt: isoOrNull(v.revokedAt),
    reason: v.reason,
  };
}

/** An environment as the API shows it; `newest` is its newest deployment (read here when not given). */
async function environmentView(
  c: Context<AppEnv>,
  env: EnvironmentRow,
  live: boolean,
  newest?: DeploymentRow | null,
  verified?: CurrentVerificationRow | null,
  queueLength?: number,
): Promise<z.infer<typeof EnvironmentView>> {
  const db = c.get('deps').database.db;
  const last = newest !== undefined ? newest : await boardDeployment(db, { environment: env.name });
  const verification =
    verified !== undefined
      ? verified
      : env.currentDeploymentId === null
        ? null
        : await verificationOfDeployment(db, { deploymentId: env.currentDeploymentId });
  // The applications to look at are those of the release the environment should run.
  const current = live && env.currentReleaseId ? await getRelease(db, { id: env.currentReleaseId }) : undefined;
  const groups = current ? groupsOf(current.descriptor) : [];
  return {
    name: env.name,
    config: environmentConfigOf(env) as unknown as Record<string, unknown>,
    currentReleaseId: env.currentReleaseId,
    currentDeploymentId: env.currentDeploymentId,
    lastDeployment: last ? deploymentSummary(last) : null,
    live: live ? await c.get('deps').live.get(env, groups) : null,
    verification: verificationView(verification),
    queueLength: queueLength ?? (await listQueue(db, { environment: env.name })).length,
    updatedAt: env.updatedAt.toISOString(),
  };
}

/** The board with live status: one query for the stored part (db/prepared.ts), then each environment's live view. */
async function liveBoard(c: Context<AppEnv>): Promise<string> {
  const board = await readBoard(c.get('deps').database.sql);
  const environments = await Promise.all(
    board.map(({ entry: e }) => environmentView(c, e!.environment, true, e!.newest, e!.verification, e!.queueLength)),
  );
  return JSON.stringify({ environments });
}

/**
 * The board without live status, from one query that answers only the entries whose rows changed since this
 * process last built them (by row version, readBoard): the others are reused as JSON. Every entry is as fresh
 * as the query, so the board never shows less than a full read at the same moment would.
 */
async function storedBoard(c: Context<AppEnv>): Promise<string> {
  const sql = c.get('deps').database.sql;
  const cache = c.get('deps').reads.board;
  // What this request holds: another request may replace an entry while the query runs.
  const held = new Map(cache);
  const board = await readBoard(
    sql,
    [...held.values()].map((e) => e.key),
  );
  const parts: string[] = [];
  for (const b of board) {
    if (!b.entry) {
      // Answered without rows: its key is one held here, and a key begins with its environment's name.
      parts.push(held.get(b.name)!.json);
      continue;
    }
    const { environment, newest, verification, queueLength } = b.entry;
    const json = JSON.stringify(await environmentView(c, environment, false, newest, verification, queueLength));
    cache.set(b.name, { key: b.key, json });
    parts.push(json);
  }
  // Environments that are gone are forgotten (at most one entry per environment there is).
  if (cache.size > board.length) {
    const names = new Set(board.map((b) => b.name));
    for (const name of cache.keys()) if (!names.has(name)) cache.delete(name);
  }
  return `{"environments":[${parts.join(',')}]}`;
}

async function mustGetEnvironment(c: Context<AppEnv>, name: string): Promise<EnvironmentRow> {
  const env = await getEnvironment(c.get('deps').database.db, { name });
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

const DryRunQuery = z.object({
  dryRun: z.enum(['true', 'false']).default('false').openapi({
    description: 'true: run the preflight on the submitted configuration and answer its report (200) without saving anything',
  }),
});

const putRoute = protectedRoute('admin', {
  method: 'put',
  path: '/v1/environments/{env}',
  tags: ['environments'],
  summary: 'Create or update an environment (admin)',
  description:
    'Credentials are references (`env:NAME` or `file:/path`), resolved when a step needs them; literal secrets are rejected (400). ' +
    'References outside the installation policy (`env:` without the FC_SECRET_ENV_PREFIX prefix, `file:` outside FC_SECRETS_DIR or with `..`), ' +
    'credentials inside a URL, and hosts outside FC_ALLOWED_HOSTS are rejected with 422 ENVIRONMENT_INVALID naming the field ' +
    '(verification checks included: check URLs, Prometheus servers, header secretRef and tokenRef). ' +
    'Image mappings (`gitops.mapping`, `gitops.groups`) whose files resolve without a release are checked against the branch: a missing ' +
    'file or YAML path is 422 ENVIRONMENT_INVALID naming the field, the file and the path; a repository that cannot be reached is ' +
    '503 GIT_UNAVAILABLE. Nothing is saved on failure; a configuration without such mappings does not contact Git.',
  request: {
    params: EnvParam,
    query: DryRunQuery,
    body: { content: { 'application/json': { schema: EnvironmentConfig } }, required: true },
  },
  responses: {
    200: {
      description: 'Updated; with dryRun=true the preflight report of the submitted configuration (nothing saved)',
      content: { 'application/json': { schema: EnvironmentView.or(PreflightReport) } },
    },
    201: { description: 'Created', content: { 'application/json': { schema: EnvironmentView } } },
  },
  errors: [400, 415, 422, 503],
});

const preflightRoute = protectedRoute(
  'promoter',
  {
    method: 'post',
    path: '/v1/environments/{env}/preflight',
    tags: ['environments'],
    summary: 'Check Git, Argo CD and Kubernetes before a promotion (admin, or promoter with the environment in scope)',
    description:
      'Read-only. Git: reachable with the configured credentials, branch, every values file exists and renders, and the diff the next ' +
      'promotion of the current release would make. Argo CD: reachable, authenticated, each Application exists in the project, reads ' +
      'this repository/branch/values file, auto-sync (warning when on) and sync windows. Kubernetes: reachable with the token, namespace, ' +
      'workloads readable. The Argo CD and Kubernetes checks run for every cluster the environment spans (`cluster` names it). `status` is the worst check. Failing checks are reported in the body (200), not as HTTP errors.',
    request: { params: EnvParam },
    responses: {
      200: { description: 'The preflight report', content: { 'application/json': { schema: PreflightReport } } },
    },
    errors: [400, 404],
  },
  { environment: (c) => c.req.param('env') },
);

export const environmentRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const live = c.req.valid('query').live === 'true';
    // With an ETag (Cache-Control: private, no-cache): the board is polled, and an unchanged one is a 304.
    return sendJson(c, live ? await liveBoard(c) : await storedBoard(c), REVALIDATE);
  })
  .openapi(getRoute, async (c) => {
    const env = await mustGetEnvironment(c, c.req.valid('param').env);
    return c.json(await environmentView(c, env, c.req.valid('query').live === 'true'), 200);
  })
  .openapi(preflightRoute, async (c) => {
    const env = await mustGetEnvironment(c, c.req.valid('param').env);
    return c.json(await runPreflight({ ...c.get('deps').preflight, logger: c.get('logger') }, env), 200);
  })
  .openapi(putRoute, async (c) => {
    const name = c.req.valid('param').env;
    const actor = actorOf(c);
    if (c.req.valid('query').dryRun === 'true') {
      // The same policy as a save (422 naming the fields), then the checks on the submitted targets only.
      const config = c.req.valid('json');
      checkEnvironmentConfigs({ [name]: config }, targetPolicyOf(c.get('deps').config));
      const stored = await getEnvironment(c.get('deps').database.db, { name });
      const report = await runPreflight(
        { ...c.get('deps').preflight, logger: c.get('logger') },
        { name, ...config, currentReleaseId: stored?.currentReleaseId ?? null },
      );
      return c.json(report, 200);
    }
    const config = c.req.valid('json');
    const policy = targetPolicyOf(c.get('deps').config);
    // The checks that need nothing else first (422 before anything is contacted), then the mapped files in Git.
    checkEnvironmentConfigs({ [name]: config }, policy);
    await checkMappedFiles({ ...c.get('deps').preflight, logger: c.get('logger') }, name, config);
    const [result] = await upsertEnvironments(c.get('deps').database.db, {
      configs: { [name]: config },
      actor: { name: actor.name, tokenId: actor.tokenId },
      source: { requestId: c.get('requestId') },
      policy,
    });
    if (!result) throw new Error('upsertEnvironments returned nothing for one configuration');
    const deps = c.get('deps');
    await wakeMonitor(
      {
        client: deps.temporal.client,
        connection: deps.temporal.connection,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        logger: c.get('logger'),
        enabled: deps.config.MONITOR_START === 'on',
      },
      result.row,
    );
    // docs/governance.md "Auto-promotion": started with the environment, told at once of a changed (or removed) rule.
    await wakeAutoPromotion(
      {
        client: deps.temporal.client,
        connection: deps.temporal.connection,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        logger: c.var.logger,
        database: deps.database,
      },
      [result.row],
    );
    return c.json(await environmentView(c, result.row, false), result.created ? 201 : 200);
  });
