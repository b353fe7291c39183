// The monitor's watch (workflows/monitor.ts patch `monitor-watch`, activities/monitor-watch.ts) on real services:
// a steady environment is observed inside one long-running activity on `<queue>-monitor` with no workflow task per
// interval (its history does not grow while the status endpoint's lastObservedAt advances); a drift is caught by
// the running watch within its interval and brought back to the workflow; the wake Signal cancels a watch that
// sleeps an hour and observes at once; a worker restart mid-watch resumes it. Records `monitor-watch` for the replay
// corpus (FC_RECORD_HISTORIES=1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalClient, useTestDatabase, waitUntil } from './harness.js';
import { recordHistory } from './history-corpus.js';
import { monitorStatusQuery, monitorTaskQueue, monitorWakeSignal } from '../workflows/monitor-messages.js';
import { monitorWorkflowId } from '../domain/monitor.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'watch' }],
    timing: { rolloutMs: 300, healthLagMs: 100, progressDeadlineMs: 500 },
    apiEnv: { MONITOR_START: 'on' },
  });
  await f.startWorker();
}, 120_000);
afterAll(async () => {
  await f?.close();
});

/** Polls an observable condition (test/harness.ts waitUntil). */
const until = <T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000) => waitUntil(what, check, timeoutMs);

const name = () => f.env.watch as string;
async function monitor(monitoring: Record<string, unknown>): Promise<void> {
  const got = await f.h.call('GET', `/v1/environments/${name()}`);
  const res = await f.h.call('PUT', `/v1/environments/${name()}`, { body: { ...got.body.config, monitoring } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}
const status = async () => (await f.h.call('GET', `/v1/environments/${name()}/status`, { token: f.h.tokens.viewer })).body;
const openDrift = async () =>
  (await f.h.call('GET', `/v1/environments/${name()}/incidents?open=true&kind=drift`, { token: f.h.tokens.viewer })).body
    .incidents as Loose[];
/** Resolves once the status endpoint's lastObservedAt has advanced `n` times (the watch's heartbeat). */
async function ticks(n: number): Promise<void> {
  let seen = (await until(async () => (await status()).monitor.lastObservedAt as string | null, 'monitor answers')) ?? '';
  for (let i = 0; i < n; i++) {
    seen = await until(async () => {
      const at = (await status()).monitor.lastObservedAt as string | null;
      return at && at > seen ? at : undefined;
    }, 'observation');
  }
}
const setApi = (image: string) => f.sim.faults.setImage({ namespace: name(), name: 'api', container: 'api', image });

async function describeMonitor() {
  const { client, connection } = await temporalClient();
  try {
    const d = await client.workflow.getHandle(monitorWorkflowId(name())).describe();
    const watch = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'monitorWatch');
    return { historyLength: d.historyLength, watch, runId: d.runId };
  } finally {
    await connection.close();
  }
}

describe('the monitor watch', () => {
  it('observes a steady environment without workflow tasks and catches a drift within its interval', async () => {
    await monitor({ intervalSeconds: 1, sustainSeconds: 3_600, policy: 'alert' });
    const r = await f.createRelease('5.0.0');
    const res = await f.promote(r, 'watch');
    expect(res.status).toBe(202);
    const d = await f.waitFor('watch', res.body.deploymentId, ['succeeded', 'failed', 'aborted', 'awaiting_operator']);
    expect(d.status).toBe('succeeded');
    // Steady: the workflow knows the applications are in sync, and a watch is running on the monitor queue.
    await until(async () => {
      const s = await status();
      return s.applications.length > 0 && s.applications.every((a: Loose) => a.state === 'in sync') && !s.promotionActive;
    }, 'in sync');
    const before = await until(async () => {
      const m = await describeMonitor();
      return m.watch ? m : undefined;
    }, 'watch running');
    expect(before.watch?.activityType?.name).toBe('monitorWatch');
    await ticks(3);
    const after = await describeMonitor();
    // Three observations, not one event in the workflow's history: the watch did them in-process.
    expect(after.historyLength).toBe(before.historyLength);
    expect(after.runId).toBe(before.runId);

    setApi('org/api:hotfix');
    const drift = await until(async () => (await openDrift())[0], 'drift incident', 10_000);
    expect(drift.evidence.lines).toContain(`${name()}/api/api: expected org/api:5.0.0, running org/api:hotfix`);
    // The change came back to the workflow: its status (the Query) shows the drift.
    await until(async () => (await status()).applications.some((a: Loose) => a.state === 'drifted'), 'status drifted');
    expect((await describeMonitor()).historyLength).toBeGreaterThan(before.historyLength);
    setApi('org/api:5.0.0');
    await until(async () => (await openDrift()).length === 0, 'drift resolved', 10_000);
    await until(async () => (await status()).applications.every((a: Loose) => a.state === 'in sync'), 'status in sync');
  });

  it('the wake Signal cancels a watch that sleeps an interval of an hour and observes at once', async () => {
    // Saving the environment wakes the monitor: it observes and learns the new interval, then sleeps an hour.
    await monitor({ intervalSeconds: 3_600, sustainSeconds: 3_600, policy: 'alert' });
    const { client, connection } = await temporalClient();
    try {
      const handle = client.workflow.getHandle(monitorWorkflowId(name()));
      await until(async () => {
        const m = await describeMonitor();
        const input = m.watch?.heartbeatDetails ? true : undefined;
        return m.watch && (await handle.query(monitorStatusQuery)) && input;
      }, 'the hour-long watch heartbeats');
      setApi('org/api:by-hand');
      await handle.signal(monitorWakeSignal);
      const drift = await until(async () => (await openDrift())[0], 'drift seen after the wake', 15_000);
      expect(drift.evidence.lines.join('\n')).toContain('running org/api:by-hand');
      setApi('org/api:5.0.0');
      await handle.signal(monitorWakeSignal);
      await until(async () => (await openDrift()).length === 0, 'resolved after the second wake', 15_000);
      // Only the current watch is pending (the cancelled ones ended), on the monitors' own task queue.
      const m = await describeMonitor();
      expect(m.watch).toBeDefined();
      expect((await handle.describe()).taskQueue).toBe(f.taskQueue);
      expect(monitorTaskQueue(f.taskQueue)).toBe(`${f.taskQueue}-monitor`);
    } finally {
      await connection.close();
    }
  });

  it('resumes after a worker restart mid-watch', async () => {
    await monitor({ intervalSeconds: 1, sustainSeconds: 3_600, policy: 'alert' });
    await ticks(2);
    await f.stopWorker();
    await f.startWorker();
    // The interrupted watch is retried on the new worker: observations go on, and a drift is still caught.
    await ticks(2);
    setApi('org/api:after-restart');
    await until(async () => (await openDrift())[0], 'drift after the restart', 15_000);
    setApi('org/api:5.0.0');
    await until(async () => (await openDrift()).length === 0, 'resolved', 15_000);
    await recordHistory('monitor-watch', monitorWorkflowId(name()), { complete: false });
  });
});
