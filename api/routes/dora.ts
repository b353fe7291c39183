// The four DORA metrics of an environment (docs/operations.md, "DORA metrics"):
//   GET /v1/metrics/dora?environment=prod&window=30d&bucket=day   viewer
// Request → one SQL statement (db/dora.ts) → response; the definitions' parameters are returned with the numbers.
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { ApiError } from '../errors.js';
import { protectedRoute } from '../openapi.js';
import { doraMetrics } from '../../db/dora.js';
import { EnvironmentName } from '../../domain/environment.js';
import { DEFAULT_WINDOW, DORA_BUCKETS, FAILURE_WINDOW_SECONDS, parseWindow } from '../../domain/dora.js';

const DoraQuery = z.object({
  environment: EnvironmentName.meta({ example: 'prod' }),
  window: z
    .string()
    .max(8)
    .default(DEFAULT_WINDOW)
    .refine((w) => parseWindow(w) !== undefined, { message: 'a window is a number and a unit h, d or w, between 1h and 365d' })
    .openapi({ description: 'How far back from now: `12h`, `7d`, `30d`, `4w` (1h..365d)', example: '30d' }),
  bucket: z.enum(DORA_BUCKETS).default('day').openapi({ description: 'Width of a trend point (UTC days, or ISO weeks from Monday)' }),
});

const nullableSeconds = z.number().nullable();

const DoraMetrics = z
  .object({
    environment: z.string(),
    window: z.object({ label: z.string(), seconds: z.number().int(), from: z.string(), to: z.string() }),
    bucket: z.enum(DORA_BUCKETS),
    deploymentFrequency: z.object({
      count: z.number().int().openapi({ description: 'Successful promotions, rollbacks excluded, finished in the window' }),
      perDay: z.number(),
    }),
    leadTime: z.object({
      count: z.number().int(),
      p50Seconds: nullableSeconds.openapi({ description: 'Release created → promotion succeeded here (null: no deployments)' }),
      p90Seconds: nullableSeconds,
    }),
    changeFailureRate: z.object({
      deployments: z.number().int(),
      failed: z.number().int(),
      rate: z.number().nullable().openapi({ description: 'failed / deployments (null: no deployments)' }),
    }),
    timeToRestore: z.object({
      failures: z.number().int().openapi({ description: 'Failures that started in the window' }),
      restored: z.number().int().openapi({ description: 'Of those, restored by the end of the window (the times count only these)' }),
      p50Seconds: nullableSeconds,
      meanSeconds: nullableSeconds,
    }),
    trend: z.array(
      z.object({
        start: z.string(),
        deployments: z.number().int(),
        failed: z.number().int(),
        failureRate: z.number().nullable(),
      }),
    ),
    definitions: z.object({
      failureWindowSeconds: z
        .number()
        .int()
        .openapi({ description: 'A change failed if a signal came within this long of it, or before the next successful promotion' }),
      failureSignals: z.array(z.string()),
      restoreFailures: z.array(z.string()),
    }),
  })
  .openapi('DoraMetrics');

const doraRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/metrics/dora',
  tags: ['metrics'],
  summary: 'Deployment frequency, lead time, change failure rate and time to restore of an environment',
  request: { query: DoraQuery },
  responses: {
    200: {
      description: 'The four DORA metrics over the window, and their trend',
      content: { 'application/json': { schema: DoraMetrics } },
    },
  },
  errors: [400, 404],
});

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export const doraRoutes = createRouter().openapi(doraRoute, async (c) => {
  const q = c.req.valid('query');
  const seconds = parseWindow(q.window) ?? 0; // validated above
  const to = new Date();
  const from = new Date(to.getTime() - seconds * 1000);
  const n = await doraMetrics(c.var.deps.database.sql, {
    environment: q.environment,
    from,
    to,
    failureWindowSeconds: FAILURE_WINDOW_SECONDS,
    bucket: q.bucket,
  });
  if (!n) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${q.environment} does not exist`);
  return c.json(
    {
      environment: q.environment,
      window: { label: q.window, seconds, from: from.toISOString(), to: to.toISOString() },
      bucket: q.bucket,
      deploymentFrequency: { count: n.deployments, perDay: n.deployments / (seconds / 86_400) },
      leadTime: { count: n.deployments, p50Seconds: n.leadP50Seconds, p90Seconds: n.leadP90Seconds },
      changeFailureRate: { deployments: n.deployments, failed: n.failed, rate: ratio(n.failed, n.deployments) },
      timeToRestore: { failures: n.failures, restored: n.restored, p50Seconds: n.restoreP50Seconds, meanSeconds: n.restoreMeanSeconds },
      trend: n.trend.map((p) => ({ ...p, failureRate: ratio(p.failed, p.deployments) })),
      definitions: {
        failureWindowSeconds: FAILURE_WINDOW_SECONDS,
        failureSignals: ['rollback started', 'verification revoked', 'incident opened on the deployment'],
        restoreFailures: ['incident opened → resolved', 'failed or aborted promotion that pushed a commit → next successful promotion'],
      },
    },
    200,
  );
});
