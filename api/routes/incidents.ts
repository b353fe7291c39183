// What the monitor sees of an environment (docs/verification-and-monitoring.md, "Monitoring, incidents and
// auto-rollback").
//   GET /v1/environments/:env/status     viewer  current release, its verification, live state per application,
//                                                open incidents, and the monitor's last observation
//   GET /v1/environments/:env/incidents  viewer  incident history, newest first (filters open and kind; keyset paging)
// Per-application live states come from the monitor workflow's status Query and its watch's heartbeat (bounded
// wait, api/services/monitors.ts monitorStatusOf); without an answer
// (no worker, monitoring disabled) the applications with open incidents are shown from the incidents alone.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { protectedRoute } from '../openapi.js';
import { EnvParam, iso } from '../schemas.js';
import { positionId } from '../cursor.js';
import { getEnvironment, type EnvironmentRow } from '../../db/environments.js';
import { getRelease } from '../../db/releases.js';
import { findActiveDeployment } from '../../db/deployments.js';
import { isRollingOut } from '../../domain/promotion.js';
import { listIncidents, type IncidentRow } from '../../db/incidents.js';
import { latestVerification } from '../../db/verifications.js';
import { APP_LIVE_STATES, INCIDENT_KINDS, VERIFICATION_STATES, type AppLiveState } from '../../domain/verification.js';
import { monitoringOf, type MonitorKind } from '../../domain/monitor.js';
import type { MonitorStatus } from '../../workflows/monitor-messages.js';
import { monitorStatusOf } from '../services/monitors.js';

const Incident = z
  .object({
    id: z.number().int(),
    environment: z.string(),
    application: z
      .string()
      .openapi({ description: "The Argo CD application (`<cluster>/<app>` with several clusters); '' = the environment" }),
    kind: z.enum(INCIDENT_KINDS),
    releaseId: z.string().nullable(),
    deploymentId: z.number().int().nullable(),
    summary: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    resolvedAt: z.string().nullable(),
    action: z.string().nullable().openapi({ description: 'alerted | resynced | rolled-back | rollback-refused' }),
    actionAt: z.string().nullable(),
    actionDeploymentId: z.number().int().nullable(),
    actionMessage: z.string().nullable(),
  })
  .openapi('Incident');

function incidentView(i: IncidentRow): z.infer<typeof Incident> {
  return {
    ...i,
    firstSeenAt: i.firstSeenAt.toISOString(),
    lastSeenAt: i.lastSeenAt.toISOString(),
    resolvedAt: iso(i.resolvedAt),
    actionAt: iso(i.actionAt),
  };
}

const AppStatus = z.object({ application: z.string(), state: z.enum(APP_LIVE_STATES), problems: z.array(z.string()) });

const EnvironmentStatus = z
  .object({
    environment: z.string(),
    currentRelease: z.object({ id: z.string(), productVersion: z.string(), deploymentId: z.number().int().nullable() }).nullable(),
    verification: z
      .object({
        state: z.enum(VERIFICATION_STATES),
        soakUntil: z.string().nullable(),
        verifiedAt: z.string().nullable(),
        reason: z.string().nullable(),
      })
      .nullable(),
    promotionActive: z
      .boolean()
      .openapi({ description: 'A promotion is rolling out (running or parked): applications are progressing, nothing is judged' }),
    applications: z.array(AppStatus),
    openIncidents: z.array(Incident),
    monitor: z.object({
      enabled: z.boolean(),
      intervalSeconds: z.number().int(),
      policy: z.string(),
      answered: z.boolean().openapi({ description: 'Whether the monitor workflow answered the status query' }),
      lastObservedAt: z.string().nullable(),
      lastError: z.string().nullable(),
    }),
  })
  .openapi('EnvironmentStatus');

async function mustGetEnvironment(c: Context<AppEnv>, name: string): Promise<EnvironmentRow> {
  const env = await getEnvironment(c.var.deps.database.db, { name });
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${name} does not exist`);
  return env;
}

/** The monitor's last status, or undefined when no worker answers in time (or it is not running). */
async function queryMonitor(c: Context<AppEnv>, env: string): Promise<MonitorStatus | undefined> {
  const { client, connection } = c.var.deps.temporal;
  const timeoutMs = Math.min(c.var.deps.config.WORKER_RESPONSE_TIMEOUT_MS, 2_000);
  try {
    return await connection.withDeadline(Date.now() + timeoutMs, () => monitorStatusOf(client, env));
  } catch {
    return undefined;
  }
}

const STATE_OF: Record<MonitorKind | 'verification-failed', AppLiveState> = {
  missing: 'missing',
  degraded: 'degraded',
  drift: 'drifted',
  'out-of-sync': 'out-of-sync',
  'verification-failed': 'degraded',
};

const statusRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/status',
  tags: ['monitoring'],
  summary: 'Current release, its verification, live state per application and open incidents',
  request: { params: EnvParam },
  responses: {
    200: { description: 'The environment as the monitor sees it', content: { 'application/json': { schema: EnvironmentStatus } } },
  },
  errors: [400, 404],
});

const ListQuery = z.object({
  open: z.enum(['true', 'false']).optional().openapi({ description: 'true: open only; false: resolved only; absent: all' }),
  kind: z.enum(INCIDENT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional().openapi({ description: 'Opaque: the nextCursor of the previous page' }),
});

const listRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/environments/{env}/incidents',
  tags: ['monitoring'],
  summary: 'Incident history of an environment, newest first',
  request: { params: EnvParam, query: ListQuery },
  responses: {
    200: {
      description: 'A page of incidents',
      content: { 'application/json': { schema: z.object({ incidents: z.array(Incident), nextCursor: z.string().nullable() }) } },
    },
  },
  errors: [400, 404],
});

export const incidentRoutes = createRouter()
  .openapi(statusRoute, async (c) => {
    const db = c.var.deps.database.db;
    const env = await mustGetEnvironment(c, c.req.valid('param').env);
    const config = monitoringOf(env.monitoring);
    const release = env.currentReleaseId ? await getRelease(db, { id: env.currentReleaseId }) : undefined;
    const verification = release ? await latestVerification(db, { environment: env.name, releaseId: release.id }) : undefined;
    const open = (await listIncidents(db, { environment: env.name, open: true, limit: 200 })).incidents;
    const active = await findActiveDeployment(db, { environment: env.name });
    const monitor = config.enabled ? await queryMonitor(c, env.name) : undefined;
    let applications: Array<z.infer<typeof AppStatus>> = monitor?.applications ?? [];
    if (!monitor) {
      const byApp = new Map<string, z.infer<typeof AppStatus>>();
      for (const i of open) {
        const app = byApp.get(i.application) ?? { application: i.application, state: STATE_OF[i.kind], problems: [] };
        app.problems.push(i.summary);
        byApp.set(i.application, app);
      }
      applications = [...byApp.values()];
    }
    // Only a rollout of our own hides the live state; a promotion waiting for approval or a window changes nothing yet.
    if (active && isRollingOut(active.status)) applications = applications.map((a) => ({ ...a, state: 'progressing' as const }));
    return c.json(
      {
        environment: env.name,
        currentRelease: release ? { id: release.id, productVersion: release.productVersion, deploymentId: env.currentDeploymentId } : null,
        verification: verification
          ? {
              state: verification.state,
              soakUntil: iso(verification.soakUntil),
              verifiedAt: iso(verification.verifiedAt),
              reason: verification.reason,
            }
          : null,
        promotionActive: !!active && isRollingOut(active.status),
        applications,
        openIncidents: open.map(incidentView),
        monitor: {
          enabled: config.enabled,
          intervalSeconds: config.intervalSeconds,
          policy: config.policy,
          answered: !!monitor,
          lastObservedAt: monitor?.lastObservedAt ?? null,
          lastError: monitor?.lastError ?? null,
        },
      },
      200,
    );
  })
  .openapi(listRoute, async (c) => {
    const env = await mustGetEnvironment(c, c.req.valid('param').env);
    const q = c.req.valid('query');
    const { cursors } = c.var.deps.reads;
    const position = q.cursor === undefined ? undefined : await cursors.decode('incidents', q.cursor);
    const { incidents, hasMore } = await listIncidents(c.var.deps.database.db, {
      environment: env.name,
      limit: q.limit,
      ...(q.open === undefined ? {} : { open: q.open === 'true' }),
      ...(q.kind === undefined ? {} : { kind: q.kind }),
      ...(position === undefined ? {} : { beforeId: positionId(position, 0) }),
    });
    const last = incidents.at(-1);
    return c.json(
      { incidents: incidents.map(incidentView), nextCursor: hasMore && last ? await cursors.encode('incidents', [last.id]) : null },
      200,
    );
  });
