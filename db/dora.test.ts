// The DORA statement on a seeded history whose every number was computed by hand (the comments give the sums):
// frequency without rollbacks, lead-time percentiles, the failure window's boundaries (24 h, and the next
// successful promotion), time to restore with an incident still open, the trend buckets, and the empty cases.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../test/harness.js';
import { doraSeeder } from '../test/dora-seed.js';
import { doraMetrics, type DoraQuery } from './dora.js';

const db = useTestDatabase();
const ENV = 'dora-prod';
/** March 2026, UTC: at(2, 10) = 2 March 10:00. */
const at = (day: number, hour = 0, minute = 0) => new Date(Date.UTC(2026, 2, day, hour, minute));
const NOW = at(31);
const query = (over: Partial<DoraQuery> = {}): DoraQuery => ({
  environment: ENV,
  from: at(1),
  to: NOW,
  failureWindowSeconds: 86_400,
  bucket: 'day',
  ...over,
});

beforeAll(async () => {
  const s = await doraSeeder(db.database.sql, ENV);
  // Before the window: neither counted nor a failure signal source.
  const r0 = await s.release(new Date(Date.UTC(2026, 1, 20)));
  await s.promotion({ releaseId: r0, status: 'succeeded', finishedAt: new Date(Date.UTC(2026, 1, 27)) });
  // d1: lead 10 h; an incident 23 h 59 min later (inside the window) → failed; resolved after 1 h.
  const r1 = await s.release(at(2));
  const d1 = await s.promotion({ releaseId: r1, status: 'succeeded', finishedAt: at(2, 10) });
  await s.incident({ deploymentId: d1, firstSeenAt: at(3, 9, 59), resolvedAt: at(3, 10, 59) });
  // d2: lead 24 h; an incident exactly 24 h later (the window is half-open) → not failed; resolved after 2 h.
  const r2 = await s.release(at(4));
  const d2 = await s.promotion({ releaseId: r2, status: 'succeeded', finishedAt: at(5) });
  await s.incident({ deploymentId: d2, firstSeenAt: at(6), resolvedAt: at(6, 2) });
  // d3: lead 12 h; a rollback started 2 h later → failed; the rollback itself is no deployment of a change.
  const r3 = await s.release(at(9, 12));
  await s.promotion({ releaseId: r3, status: 'succeeded', finishedAt: at(10) });
  await s.promotion({ releaseId: r2, status: 'succeeded', isRollback: true, createdAt: at(10, 2), finishedAt: at(10, 3) });
  // d4: lead 24 h; revoked 7 h later, but d5 succeeded at 6 h: the signal belongs to d5's time → not failed.
  const r4 = await s.release(at(11));
  const d4 = await s.promotion({ releaseId: r4, status: 'succeeded', finishedAt: at(12) });
  await s.revocation({ deploymentId: d4, releaseId: r4, revokedAt: at(12, 7) });
  // d5: lead 2 h; its own verification revoked 2 h later → failed.
  const r5 = await s.release(at(12, 4));
  const d5 = await s.promotion({ releaseId: r5, status: 'succeeded', finishedAt: at(12, 6) });
  await s.revocation({ deploymentId: d5, releaseId: r5, revokedAt: at(12, 8) });
  // A failed promotion that pushed: a failure restored 5 h later by d6. An aborted one that never pushed: no failure.
  const r6 = await s.release(at(19));
  await s.promotion({ releaseId: r6, status: 'failed', finishedAt: at(20) });
  await s.promotion({ releaseId: r6, status: 'aborted', finishedAt: at(20, 1), pushed: false });
  // d6: lead 29 h; an incident 5 days later (past 24 h) → not failed; still open → a failure not restored.
  const d6 = await s.promotion({ releaseId: r6, status: 'succeeded', finishedAt: at(20, 5) });
  await s.incident({ deploymentId: d6, firstSeenAt: at(25) });
  // After `to` (the clock of the query): invisible.
  const r7 = await s.release(at(31, 1));
  await s.promotion({ releaseId: r7, status: 'succeeded', finishedAt: at(31, 2) });
  // Another environment's history changes nothing here.
  const other = await doraSeeder(db.database.sql, 'dora-other');
  const o1 = await other.release(at(2));
  await other.promotion({ releaseId: o1, status: 'succeeded', finishedAt: at(3) });
  await other.promotion({ releaseId: o1, status: 'succeeded', isRollback: true, createdAt: at(3, 1), finishedAt: at(3, 2) });
});

describe('DORA metrics over a seeded history', () => {
  it('deployment frequency counts successful promotions in the window, rollbacks excluded', async () => {
    const n = await doraMetrics(db.database.sql, query());
    expect(n?.deployments).toBe(6); // d1..d6
  });

  it('lead time p50/p90 interpolate (percentile_cont) over release created → succeeded', async () => {
    const n = await doraMetrics(db.database.sql, query());
    // sorted: 2 h, 10 h, 12 h, 24 h, 24 h, 29 h → p50 = (12 h + 24 h) / 2 = 18 h; p90 = 24 h + 0.5 × 5 h = 26.5 h
    expect(n?.leadP50Seconds).toBe(18 * 3600);
    expect(n?.leadP90Seconds).toBe(26.5 * 3600);
  });

  it('change failure rate: incident, rollback and revocation inside the window; boundary and next-promotion cap outside', async () => {
    const n = await doraMetrics(db.database.sql, query());
    expect(n?.failed).toBe(3); // d1 (incident at 23:59), d3 (rollback), d5 (revocation)
    // A failure window of 23 h drops d1's incident (23 h 59 min after): 2 failed.
    expect((await doraMetrics(db.database.sql, query({ failureWindowSeconds: 23 * 3600 })))?.failed).toBe(2);
  });

  it('time to restore: incidents to resolution, pushed failed promotions to the next success; open ones not timed', async () => {
    const n = await doraMetrics(db.database.sql, query());
    // failures: d1's incident (1 h), d2's incident (2 h), the failed promotion (5 h), d6's open incident
    expect(n).toMatchObject({ failures: 4, restored: 3, restoreP50Seconds: 2 * 3600, restoreMeanSeconds: (8 * 3600) / 3 });
  });

  it('trend: one point per UTC day of the window with deployments and failures', async () => {
    const n = await doraMetrics(db.database.sql, query());
    expect(n?.trend).toHaveLength(30);
    expect(n?.trend[0]?.start).toBe('2026-03-01T00:00:00Z');
    const nonEmpty = n?.trend.filter((p) => p.deployments > 0);
    expect(nonEmpty).toEqual([
      { start: '2026-03-02T00:00:00Z', deployments: 1, failed: 1 },
      { start: '2026-03-05T00:00:00Z', deployments: 1, failed: 0 },
      { start: '2026-03-10T00:00:00Z', deployments: 1, failed: 1 },
      { start: '2026-03-12T00:00:00Z', deployments: 2, failed: 1 },
      { start: '2026-03-20T00:00:00Z', deployments: 1, failed: 0 },
    ]);
  });

  it('trend by week: ISO weeks from Monday, the first one starting before the window', async () => {
    const n = await doraMetrics(db.database.sql, query({ bucket: 'week' }));
    expect(n?.trend).toEqual([
      { start: '2026-02-23T00:00:00Z', deployments: 0, failed: 0 },
      { start: '2026-03-02T00:00:00Z', deployments: 2, failed: 1 },
      { start: '2026-03-09T00:00:00Z', deployments: 3, failed: 2 },
      { start: '2026-03-16T00:00:00Z', deployments: 1, failed: 0 },
      { start: '2026-03-23T00:00:00Z', deployments: 0, failed: 0 },
      { start: '2026-03-30T00:00:00Z', deployments: 0, failed: 0 },
    ]);
  });

  it('a narrower window sees only its part: 12 March 00:00 to 20 March 00:00', async () => {
    const n = await doraMetrics(db.database.sql, query({ from: at(12), to: at(20) }));
    // d4 and d5; d5 failed; no failure started (the failed promotion finished at 20 March 00:00, outside)
    expect(n).toMatchObject({ deployments: 2, failed: 1, leadP50Seconds: 13 * 3600, failures: 0, restored: 0, restoreP50Seconds: null });
  });

  it('an environment without deployments: zeros and nulls; an unknown environment: undefined', async () => {
    await doraSeeder(db.database.sql, 'dora-empty');
    const n = await doraMetrics(db.database.sql, query({ environment: 'dora-empty' }));
    expect(n).toMatchObject({
      deployments: 0,
      failed: 0,
      leadP50Seconds: null,
      leadP90Seconds: null,
      failures: 0,
      restored: 0,
      restoreP50Seconds: null,
      restoreMeanSeconds: null,
    });
    expect(n?.trend.every((p) => p.deployments === 0)).toBe(true);
    expect(await doraMetrics(db.database.sql, query({ environment: 'nowhere' }))).toBeUndefined();
  });
});
