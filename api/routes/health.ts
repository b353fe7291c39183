// Probes, all public, so they say up/down and nothing more: why a dependency is down (host names, ports, driver
// messages) goes to the log only.
//   GET /healthz  reachability of Postgres and Temporal, reported separately (200 when both are up, 503 otherwise).
//   GET /readyz   the same checks, for a readiness probe: a replica that cannot reach its dependencies gets no traffic.
//   GET /livez    the process serves HTTP: always 200, no dependency call (a liveness probe must not restart
//                 every replica because Postgres or Temporal is down).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { healthChecks, type AppEnv } from '../context.js';
import type { Logger } from '../../lib/logger.js';

const Check = z.object({ status: z.enum(['up', 'down']), latencyMs: z.number() });
const Health = z.object({ status: z.enum(['ok', 'degraded']), checks: z.object({ postgres: Check, temporal: Check }) }).openapi('Health');
const Live = z.object({ status: z.literal('ok') }).openapi('Live');

const dependencyResponses = {
  200: { description: 'All dependencies reachable', content: { 'application/json': { schema: Health } } },
  503: { description: 'At least one dependency unreachable', content: { 'application/json': { schema: Health } } },
};

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['system'],
  summary: 'Liveness of the API and reachability of its dependencies',
  responses: dependencyResponses,
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['system'],
  summary: 'Readiness: Postgres and Temporal reachable (503 otherwise)',
  responses: dependencyResponses,
});

const liveRoute = createRoute({
  method: 'get',
  path: '/livez',
  tags: ['system'],
  summary: 'Liveness: the process serves requests (no dependency is called)',
  responses: { 200: { description: 'Serving', content: { 'application/json': { schema: Live } } } },
});

async function probe(dependency: string, fn: () => Promise<void>, logger: Logger): Promise<z.infer<typeof Check>> {
  const started = performance.now();
  try {
    await fn();
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    logger.warn({ dependency, err: err instanceof Error ? err.message : String(err) }, 'health check: dependency down');
    return { status: 'down', latencyMs: Math.round(performance.now() - started) };
  }
}

async function dependencies(c: Context<AppEnv>) {
  const checks = healthChecks(c.var.deps);
  const log = c.var.logger;
  const [postgres, temporal] = await Promise.all([probe('postgres', checks.postgres, log), probe('temporal', checks.temporal, log)]);
  const ok = postgres.status === 'up' && temporal.status === 'up';
  return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), checks: { postgres, temporal } }, ok ? 200 : 503);
}

export const healthRoutes = new OpenAPIHono<AppEnv>()
  .openapi(healthRoute, (c) => dependencies(c))
  .openapi(readyRoute, (c) => dependencies(c))
  .openapi(liveRoute, (c) => c.json({ status: 'ok' as const }, 200));
