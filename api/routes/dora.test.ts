// GET /v1/metrics/dora: roles, validation (400), unknown environment (404), and the response's shape and numbers
// on a history seeded relative to now (the exact definitions are tested in db/dora.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, type ApiHarness } from '../../test/api-harness.js';
import { doraSeeder } from '../../test/dora-seed.js';

const db = useTestDatabase();
let h: ApiHarness;
const HOUR = 3600_000;
const BASE = Date.now();
const ago = (hours: number) => new Date(BASE - hours * HOUR);

beforeAll(async () => {
  h = await apiHarness(db.database);
  const s = await doraSeeder(db.database.sql, 'prod');
  // Two changes in the last 7 days (leads 2 h and 4 h), the second followed by a rollback; one 10 days ago.
  const r1 = await s.release(ago(50));
  await s.promotion({ releaseId: r1, status: 'succeeded', finishedAt: ago(48) });
  const r2 = await s.release(ago(28));
  await s.promotion({ releaseId: r2, status: 'succeeded', finishedAt: ago(24) });
  await s.promotion({ releaseId: r1, status: 'succeeded', isRollback: true, createdAt: ago(23), finishedAt: ago(22.5) });
  const r0 = await s.release(ago(250));
  await s.promotion({ releaseId: r0, status: 'succeeded', finishedAt: ago(240) });
  await doraSeeder(db.database.sql, 'quiet');
});

describe('GET /v1/metrics/dora', () => {
  it('answers a viewer with the four metrics, the trend and the definitions', async () => {
    const res = await h.call('GET', '/v1/metrics/dora?environment=prod&window=7d', { token: h.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      environment: 'prod',
      window: { label: '7d', seconds: 7 * 86_400 },
      bucket: 'day',
      deploymentFrequency: { count: 2, perDay: 2 / 7 },
      leadTime: { count: 2, p50Seconds: 3 * 3600, p90Seconds: 3.8 * 3600 },
      changeFailureRate: { deployments: 2, failed: 1, rate: 0.5 },
      timeToRestore: { failures: 0, restored: 0, p50Seconds: null, meanSeconds: null },
      definitions: { failureWindowSeconds: 86_400 },
    });
    expect(Date.parse(res.body.window.to) - Date.parse(res.body.window.from)).toBe(7 * 86_400_000);
    expect(res.body.trend.length).toBeGreaterThanOrEqual(7);
    expect(res.body.trend.length).toBeLessThanOrEqual(8);
    const total = res.body.trend.reduce((a: number, p: { deployments: number }) => a + p.deployments, 0);
    expect(total).toBe(2);
    for (const p of res.body.trend) {
      expect(p.failureRate).toBe(p.deployments === 0 ? null : p.failed / p.deployments);
    }
  });

  it('defaults to 30 days by day; weeks on request; the older change counts in 30 days', async () => {
    const month = await h.call('GET', '/v1/metrics/dora?environment=prod', { token: h.tokens.viewer });
    expect(month.body).toMatchObject({ window: { label: '30d', seconds: 30 * 86_400 }, deploymentFrequency: { count: 3 } });
    expect(month.body.trend.length).toBeGreaterThanOrEqual(30);
    const weeks = await h.call('GET', '/v1/metrics/dora?environment=prod&window=12w&bucket=week', { token: h.tokens.viewer });
    expect(weeks.status).toBe(200);
    expect(weeks.body.trend.length).toBeGreaterThanOrEqual(12);
    expect(weeks.body.trend.length).toBeLessThanOrEqual(13);
    for (const p of weeks.body.trend) expect(new Date(p.start).getUTCDay()).toBe(1); // Mondays
  });

  it('an environment without history: zero and nulls', async () => {
    const res = await h.call('GET', '/v1/metrics/dora?environment=quiet&window=12h', { token: h.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      deploymentFrequency: { count: 0, perDay: 0 },
      leadTime: { p50Seconds: null, p90Seconds: null },
      changeFailureRate: { rate: null },
    });
  });

  it('needs a token', async () => {
    const res = await h.call('GET', '/v1/metrics/dora?environment=prod', { token: null });
    expect(res.status).toBe(401);
    expect(errorOf(res.body).code).toBe('UNAUTHENTICATED');
  });

  it('404 ENVIRONMENT_NOT_FOUND for an unknown environment', async () => {
    const res = await h.call('GET', '/v1/metrics/dora?environment=nowhere', { token: h.tokens.viewer });
    expect(res.status).toBe(404);
    expect(errorOf(res.body).code).toBe('ENVIRONMENT_NOT_FOUND');
  });

  it.each([
    ['no environment', ''],
    ['a bad environment name', 'environment=Prod_1'],
    ['a zero window', 'environment=prod&window=0d'],
    ['a window below 1 hour', 'environment=prod&window=0h'],
    ['a window above 365 days', 'environment=prod&window=366d'],
    ['53 weeks', 'environment=prod&window=53w'],
    ['an unknown unit', 'environment=prod&window=30m'],
    ['no unit', 'environment=prod&window=30'],
    ['a signed number', 'environment=prod&window=-1d'],
    ['a fraction', 'environment=prod&window=1.5d'],
    ['leading zero', 'environment=prod&window=07d'],
    ['a long window text', `environment=prod&window=${'9'.repeat(5000)}d`],
    ['an unknown bucket', 'environment=prod&bucket=month'],
  ])('400 VALIDATION_FAILED for %s', async (_name, query) => {
    const res = await h.call('GET', `/v1/metrics/dora?${query}`, { token: h.tokens.viewer });
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('VALIDATION_FAILED');
  });

  it('accepts the bounds 1h and 365d', async () => {
    for (const w of ['1h', '365d', '52w', '8760h']) {
      const res = await h.call('GET', `/v1/metrics/dora?environment=prod&window=${w}`, { token: h.tokens.viewer });
      expect(res.status, w).toBe(200);
    }
  });
});
