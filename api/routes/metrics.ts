// GET /metrics: Prometheus text format 0.0.4 (api/services/metrics.ts; the series are listed in
// docs/operations.md). Public like /healthz unless METRICS_TOKEN is set: then `Authorization: Bearer <METRICS_TOKEN>`
// is required (it names environments and their state; docs/security.md). Not an API token: Prometheus holds only
// this one secret, which can read nothing else.
import { timingSafeEqual, createHash } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { apiMetrics } from '../services/metrics.js';
import { METRICS_CONTENT_TYPE } from '../../lib/metrics.js';

const route = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['system'],
  summary: 'Prometheus metrics (text format 0.0.4); bearer METRICS_TOKEN when configured',
  responses: {
    200: { description: 'The exposition', content: { 'text/plain': { schema: z.string() } } },
    401: { description: 'METRICS_TOKEN is set and the request does not carry it' },
  },
});

const digest = (s: string) => createHash('sha256').update(s).digest();

function authorized(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

export const metricsRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const token = c.var.deps.config.METRICS_TOKEN;
  if (token && !authorized(c.req.header('authorization'), token)) {
    c.header('www-authenticate', 'Bearer realm="metrics"');
    throw new ApiError('UNAUTHENTICATED', 'GET /metrics requires the metrics token (METRICS_TOKEN)');
  }
  const body = await apiMetrics(c.var.deps.database);
  return c.body(body, 200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
});
