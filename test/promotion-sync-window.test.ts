// Argo CD sync windows on real services (real worker, Temporal, Git; the simulator's Argo CD judging an
// AppProject's windows on its own clock). A deny window active at sync time parks the promotion with the window
// as its reason; the test moves the simulator's clock past the window and the promotion finishes with no
// operator action (explicit sync mode at the sync step, auto-sync mode at the wait). While it waits, an operator's
// retry and abort still work, and an edited window counts at the next check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArgoClient } from '../integrations/argocd.js';
import { createKubeClient } from '../integrations/kube.js';
import type { SyncWindow } from '../sim/simulator.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import type { Loose } from './api-harness.js';
import { recordHistory } from './history-corpus.js';

const db = useTestDatabase();
let f: PromotionFixture;
let hookAction: ((point: string) => void) | undefined;
const HOUR = 3_600_000;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'win' }, { key: 'edit' }, { key: 'held' }, { key: 'auto', argoApps: { automated: true }, syncMode: 'auto' }],
  });
  // Checks a parked promotion's window every half second (production: when the window should open, at least
  // every 5 minutes), so the test sees the promotion resume soon after it moves the simulator's clock.
  await f.startWorker({ syncWindowRecheckMs: 500, testHooks: { at: (point) => hookAction?.(point) } });
});
afterAll(async () => {
  await f?.close();
});

const ended = ['succeeded', 'failed', 'aborted'];
const step = (d: Loose, name: string) => d.steps.find((s: { name: string }) => s.name === name);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A deny window on the simulator's clock that began a minute ago and lasts an hour, on one environment's apps. */
function denyNow(envKey: string): SyncWindow {
  const start = new Date(Math.floor(f.sim.now() / 60_000) * 60_000 - 60_000);
  return {
    kind: 'deny',
    schedule: `${start.getUTCMinutes()} ${start.getUTCHours()} * * *`,
    duration: '1h',
    applications: [`${f.env[envKey]}-*`],
  };
}

async function promote(tag: string, envKey: string): Promise<Loose> {
  const res = await f.promote(await f.createRelease(tag), envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body;
}

/** Polls an observable condition (never a fixed sleep window). */
async function until(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many times the worker has read an application's sync windows so far. */
const windowReads = (app: string) => f.sim.faults.requestCounts()[`argo GET /api/v1/applications/${app}/syncwindows`] ?? 0;

async function liveImages(envKey: string): Promise<string[]> {
  const kube = createKubeClient({ server: f.sim.kubeUrl, caData: f.sim.kubeCaData, token: f.sim.kubeToken });
  const pods = await kube.listPods(f.env[envKey] as string);
  const ready = pods.filter((p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
  return [...new Set(ready.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
}

describe('a sync window blocks the sync step (explicit sync mode)', () => {
  it('parks with "blocked by sync window <schedule>" and succeeds on its own once the window has passed', async () => {
    const window = denyNow('win');
    f.sim.setSyncWindows('default', [window]);
    try {
      const p = await promote('3.1.0', 'win');
      const parked = await f.waitFor('win', p.deploymentId, ['awaiting_operator', ...ended]);
      const app = `${f.env.win}-core`;
      expect(parked).toMatchObject({ status: 'awaiting_operator', currentStep: 'argocd-sync', parkReason: 'sync-window' });
      expect(parked.message).toMatch(
        new RegExp(`^blocked by sync window ${escape(window.schedule ?? '')} \\(deny 1h\\): ${app} may sync at `),
      );
      expect(parked.message).toContain('resumes on its own when the window opens');
      expect(step(parked, 'argocd-sync')).toMatchObject({ status: 'pending', message: parked.message });
      expect(parked.actions.map((a: { action: string }) => a.action)).toEqual(['start']);

      // While the window holds, the workflow checks it on its timer and stays parked: nothing is recorded.
      const reads = windowReads(app);
      await until(() => windowReads(app) >= reads + 2);
      const still = await f.waitFor('win', p.deploymentId, ['awaiting_operator']);
      expect(still.actions).toHaveLength(1);

      f.sim.advanceClock(HOUR);
      const d = await f.waitFor('win', p.deploymentId, ended);
      expect(d.status, JSON.stringify(d)).toBe('succeeded');
      expect(d.parkReason).toBeNull();
      // The system retried the step once, when the window had opened; no operator acted.
      expect(d.actions).toEqual([
        expect.objectContaining({ action: 'start' }),
        expect.objectContaining({ action: 'retry', by: 'system', step: 'argocd-sync' }),
      ]);
      expect(step(d, 'argocd-sync').status).toBe('succeeded');
      expect(await liveImages('win')).toEqual(['org/api:3.1.0', 'org/gateway:stable']);
      await recordHistory('sync-window-wait', p.workflowId);
    } finally {
      f.sim.setSyncWindows('default', []);
    }
  });

  it('an operator may retry while it waits (blocked again), an edited window counts at the next check, and abort works', async () => {
    f.sim.setSyncWindows('default', [denyNow('edit')]);
    try {
      const p = await promote('3.2.0', 'edit');
      const act = (action: string, body?: unknown) =>
        f.h.call('POST', `/v1/environments/${f.env.edit}/deployment-history/${p.deploymentId}/${action}`, {
          token: f.tokens.promoter,
          ...(body ? { body } : {}),
        });
      await f.waitFor('edit', p.deploymentId, ['awaiting_operator']);
      const retried = await act('retry');
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      await until(async () => {
        const d = await f.waitFor('edit', p.deploymentId, ['awaiting_operator', 'running', ...ended]);
        return d.status === 'awaiting_operator' && d.actions.length === 2;
      });
      const again = await f.waitFor('edit', p.deploymentId, ['awaiting_operator']);
      expect(again.parkReason).toBe('sync-window');
      expect(again.actions[1]).toMatchObject({ action: 'retry', step: 'argocd-sync' });
      expect(again.actions[1].by).not.toBe('system');

      // The platform team removes the window: the next check sees it and the promotion finishes.
      f.sim.setSyncWindows('default', []);
      const d = await f.waitFor('edit', p.deploymentId, ended);
      expect(d.status).toBe('succeeded');
      expect(d.actions.at(-1)).toMatchObject({ action: 'retry', by: 'system' });

      // Abort while waiting: the promotion ends; its revert commit waits for the window like any sync would.
      f.sim.setSyncWindows('default', [denyNow('edit')]);
      const q = await promote('3.3.0', 'edit');
      await f.waitFor('edit', q.deploymentId, ['awaiting_operator']);
      const aborted = await f.h.call('POST', `/v1/environments/${f.env.edit}/deployment-history/${q.deploymentId}/abort`, {
        token: f.tokens.promoter,
        body: { comment: 'not today' },
      });
      expect(aborted.status, JSON.stringify(aborted.body)).toBe(200);
      const a = await f.waitFor('edit', q.deploymentId, ended);
      expect(a.status).toBe('aborted');
      expect(a.message).toMatch(/revert commit [0-9a-f]{40}, but it did not converge: blocked by sync window/);
      expect(await liveImages('edit')).toEqual(['org/api:3.2.0', 'org/gateway:stable']);
    } finally {
      f.sim.setSyncWindows('default', []);
    }
  });
});

describe('a sync window catches our running sync operation', () => {
  it('parks the wait while Argo holds the operation, and both go on once the window has passed', async () => {
    // The operation applies 3 s after it starts; the window begins (on Argo's clock) right after our sync request.
    f.sim.setTiming({ applyMs: 3000 });
    let set = false;
    hookAction = (point) => {
      if (point !== 'argocd-wait:start' || set) return;
      set = true;
      f.sim.setSyncWindows('default', [denyNow('held')]);
    };
    try {
      const p = await promote('3.5.0', 'held');
      const parked = await f.waitFor('held', p.deploymentId, ['awaiting_operator', ...ended]);
      expect(parked).toMatchObject({ status: 'awaiting_operator', currentStep: 'argocd-wait', parkReason: 'sync-window' });
      expect(step(parked, 'argocd-sync').status).toBe('succeeded');
      const argo = createArgoClient({ baseUrl: f.sim.argoUrl, ...f.sim.argoAdmin, timeoutMs: 5000 });
      const held = await argo.getApplication(`${f.env.held}-core`);
      expect(held.status?.operationState).toMatchObject({ phase: 'Running', message: 'Sync operation blocked by sync window' });

      f.sim.advanceClock(HOUR);
      const d = await f.waitFor('held', p.deploymentId, ended);
      expect(d.status, JSON.stringify(d)).toBe('succeeded');
      expect(d.actions.at(-1)).toMatchObject({ action: 'retry', by: 'system', step: 'argocd-wait' });
      expect(await liveImages('held')).toEqual(['org/api:3.5.0', 'org/gateway:stable']);
    } finally {
      hookAction = undefined;
      f.sim.setTiming({ applyMs: 0 });
      f.sim.setSyncWindows('default', []);
    }
  });
});

describe('a sync window holds back Argo CD’s automated sync (auto-sync mode)', () => {
  it('parks the wait with the window as reason and succeeds on its own once the window has passed', async () => {
    const window = denyNow('auto');
    f.sim.setSyncWindows('default', [window]);
    try {
      const p = await promote('3.4.0', 'auto');
      const parked = await f.waitFor('auto', p.deploymentId, ['awaiting_operator', ...ended]);
      expect(parked).toMatchObject({ status: 'awaiting_operator', currentStep: 'argocd-wait', parkReason: 'sync-window' });
      expect(parked.message).toMatch(new RegExp(`^blocked by sync window ${escape(window.schedule ?? '')} \\(deny 1h\\): ${f.env.auto}-`));
      expect(step(parked, 'argocd-sync').message).toMatch(/waiting for Argo CD's automated sync/);
      // Argo did not sync: the applications are OutOfSync at the pushed commit, with no operation.
      const argo = createArgoClient({ baseUrl: f.sim.argoUrl, ...f.sim.argoAdmin, timeoutMs: 5000 });
      const held = await argo.getApplication(`${f.env.auto}-core`);
      expect(held.status?.sync).toMatchObject({ status: 'OutOfSync', revision: parked.commitSha });
      expect(held.operation).toBeUndefined();

      f.sim.advanceClock(HOUR);
      const d = await f.waitFor('auto', p.deploymentId, ended);
      expect(d.status, JSON.stringify(d)).toBe('succeeded');
      expect(d.actions.at(-1)).toMatchObject({ action: 'retry', by: 'system', step: 'argocd-wait' });
      expect(await liveImages('auto')).toEqual(['org/api:3.4.0', 'org/gateway:stable']);
      await recordHistory('sync-window-wait-auto', p.workflowId);
    } finally {
      f.sim.setSyncWindows('default', []);
    }
  });
});
