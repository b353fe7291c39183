// Finding 8: a `pending` record whose workflow never started (the API died between the insert and the start,
// Postgres or Temporal down at the wrong moment) never blocks its environment. On real services: the row is
// inserted directly with run_id NULL, as such a crash leaves it; the next promote request fails it and
// proceeds, and the worker's scheduled sweep fails it without any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNotFoundError } from '@temporalio/client';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf } from './api-harness.js';
import { insertDeployment } from '../db/deployments.js';
import { ensureOrphanSweepSchedule } from '../worker.js';
import { promotionWorkflowId } from '../workflows/promotion-messages.js';
import { STEPS } from '../domain/promotion.js';

const db = useTestDatabase();
let f: PromotionFixture;
let worker: Awaited<ReturnType<PromotionFixture['startWorker']>>['worker'];

beforeAll(async () => {
  f = await createPromotionFixture(db.database, { envs: [{ key: 'dev' }, { key: 'qa' }, { key: 'fresh' }] });
  ({ worker } = await f.startWorker());
});
afterAll(async () => {
  await f?.close();
});

/** What a crash between the insert and workflow.start leaves: a pending row, no run id, `ageSeconds` old. */
async function orphanRow(envKey: string, releaseId: string, ageSeconds: number): Promise<number> {
  const environment = f.env[envKey] as string;
  const inserted = await db.database.db.transaction((tx) =>
    insertDeployment(tx, {
      environment,
      releaseId,
      previousReleaseId: null,
      isRollback: false,
      startedBy: 'crashed-api',
      startedByTokenId: null,
      reason: null,
      workflowId: promotionWorkflowId(environment),
      steps: STEPS.filter((s) => s !== 'approval'),
    }),
  );
  if (!('created' in inserted)) throw new Error('environment already has an active deployment');
  const id = inserted.created.id;
  await db.database.sql`update deployments set created_at = now() - make_interval(secs => ${ageSeconds}) where id = ${id}`;
  return id;
}

async function row(id: number): Promise<{ status: string; message: string | null; run_id: string | null }> {
  const [r] = await db.database.sql<{ status: string; message: string | null; run_id: string | null }[]>`
    select status, message, run_id from deployments where id = ${id}`;
  if (!r) throw new Error(`deployment ${id} not found`);
  return r;
}

async function auditedFailure(id: number): Promise<number> {
  const [r] = await db.database.sql<{ n: number }[]>`
    select count(*)::int as n from audit_events where subject_type = 'deployment' and subject_id = ${String(id)} and action = 'deployment.failed'`;
  return r?.n ?? 0;
}

describe('a pending record whose workflow never started', () => {
  it('is failed by the next promote request, which proceeds (202) and records its run id', async () => {
    const releaseId = await f.createRelease('3.0.0');
    const orphan = await orphanRow('dev', releaseId, 120);
    const res = await f.promote(releaseId, 'dev');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.deploymentId).not.toBe(orphan);
    const old = await row(orphan);
    expect(old.status).toBe('failed');
    expect(old.message).toMatch(/never started/);
    expect(await auditedFailure(orphan)).toBe(1);
    // The API wrote the new record's run id from workflow.start: it is describable at once.
    const fresh = await row(res.body.deploymentId as number);
    expect(fresh.run_id).toMatch(/\S/);
    await f.waitFor('dev', res.body.deploymentId as number, ['succeeded']);
  });

  it('is left alone while younger than the grace period (its start may be in flight)', async () => {
    const releaseId = await f.createRelease('3.1.0');
    const young = await orphanRow('fresh', releaseId, 0);
    const other = await f.createRelease('3.1.1');
    const res = await f.promote(other, 'fresh');
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(errorOf(res.body).code).toBe('PROMOTION_IN_PROGRESS');
    expect((await row(young)).status).toBe('pending');
  });

  it('is failed by the scheduled sweep without any request', async () => {
    const releaseId = await f.createRelease('3.2.0');
    const orphan = await orphanRow('qa', releaseId, 120);
    const client = worker.client;
    if (!client) throw new Error('the worker has no client');
    const opts = { taskQueue: f.taskQueue, intervalSeconds: 3600, graceSeconds: 60 };
    const scheduleId = await ensureOrphanSweepSchedule(client, opts);
    try {
      expect(await ensureOrphanSweepSchedule(client, opts)).toBe(scheduleId); // idempotent
      await client.schedule.getHandle(scheduleId).trigger();
      const deadline = Date.now() + 30_000;
      while ((await row(orphan)).status === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const swept = await row(orphan);
      expect(swept.status).toBe('failed');
      expect(swept.message).toMatch(/never started/);
      expect(await auditedFailure(orphan)).toBe(1);
    } finally {
      await client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
    }
  });
});
