// GET /healthz: reachability of Postgres and Temporal, reported separately (200 when both are up, 503 otherwise).
// Public, so it says up/down per dependency and nothing more: why a dependency is down (host names, ports,
// driver messages) goes to the log only.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { healthChecks, type AppEnv } from '../context.js';
import type { Logger } from '../../lib/logger.js';

const Check = z.object({ status: z.enum(['up', 'down']), latencyMs: z.number() });
const Health = z.object({ status: z.enum(['ok', 'degraded']), checks: z.object({ postgres: Check, temporal: Check }) }).openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['system'],
  summary: 'Liveness of the API and reachability of its dependencies',
  responses: {
    200: { description: 'All dependencies reachable', content: { 'application/json': { schema: Health } } },
    503: { description: 'At least one dependency unreachable', content: { 'application/json': { schema: Health } } },
  },
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

export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const checks = healthChecks(c.var.deps);
  const log = c.var.logger;
  const [postgres, temporal] = await Promise.all([probe('postgres', checks.postgres, log), probe('temporal', checks.temporal, log)]);
  const ok = postgres.status === 'up' && temporal.status === 'up';
  return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), checks: { postgres, temporal } }, ok ? 200 : 503);
});
