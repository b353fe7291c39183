// worker.ts startWorker as the worker process runs it: with NOTIFY_WORKER_ACTIVITIES > 0 a second worker serves the
// notification deliveries on `<task queue>-notify` (receivers that hang never hold a promotion's activity slot), both
// stop together; with 0 there is none. The monitors' watches always have theirs, on `<task queue>-monitor`.
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../worker.js';
import { silentLogger, temporalClient, testConfig, uniqueName, useTestDatabase } from './harness.js';

const db = useTestDatabase();
const running: RunningWorker[] = [];
afterAll(async () => {
  for (const r of running) await r.shutdown();
});

async function activityPollers(taskQueue: string): Promise<number> {
  const { client, connection } = await temporalClient();
  try {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
    });
    return answer.pollers?.length ?? 0;
  } finally {
    await connection.close();
  }
}

async function start(queue: string, notifyActivities: string): Promise<RunningWorker> {
  const config = testConfig({
    TEMPORAL_TASK_QUEUE: queue,
    NOTIFY_WORKER_ACTIVITIES: notifyActivities,
    PROMOTION_ORPHAN_SWEEP_SECONDS: '0',
    WORKER_HTTP_PORT: '0',
  });
  const w = await startWorker(config, { database: db.database, logger: silentLogger, gitWorkDir: '/tmp/fc-worker-start' });
  running.push(w);
  return w;
}

describe('startWorker', () => {
  it('serves notification deliveries on their own task queue with a second worker, and stops both', async () => {
    const queue = uniqueName('worker-start');
    const w = await start(queue, '2');
    // Pollers show once the workers have asked for work (observable state, not a fixed wait).
    const deadline = Date.now() + 30_000;
    while ((await activityPollers(`${queue}-notify`)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await activityPollers(`${queue}-notify`)).toBeGreaterThan(0);
    expect(await activityPollers(queue)).toBeGreaterThan(0);
    // The monitors' watch activities have their own worker too (workflows/monitor.ts, `monitor-watch`).
    while ((await activityPollers(`${queue}-monitor`)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await activityPollers(`${queue}-monitor`)).toBeGreaterThan(0);
    await w.shutdown();
    await expect(w.done).resolves.toBeUndefined();
  });

  it('runs no second worker when NOTIFY_WORKER_ACTIVITIES is 0', async () => {
    const queue = uniqueName('worker-start-0');
    await start(queue, '0');
    const deadline = Date.now() + 30_000;
    while ((await activityPollers(queue)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await activityPollers(queue)).toBeGreaterThan(0);
    expect(await activityPollers(`${queue}-notify`)).toBe(0);
  });
});
