// Metrics and promotion logs on real services: a real promotion (API → Temporal → worker → Git → simulated Argo CD),
// then GET /metrics on the API and the worker's /metrics, /livez, /readyz (worker.ts startWorkerHttp) with checked
// values; METRICS_TOKEN; label cardinality across promotions of different releases; the log bindings of every line
// a promotion's activities write; and every metric the Grafana dashboard and the alert rules use
// (deploy/observability/) exists in the real exposition.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { freeLoopbackPort, installTemporalRuntime, startWorkerHttp } from '../worker.js';
import { createLogger } from '../lib/logger.js';
import type { RunningMetricsServer } from '../lib/metrics-server.js';
import { monitorStartOptions } from '../workflows/monitor-messages.js';
import { temporalClient, useTestDatabase } from './harness.js';
import { apiHarness } from './api-harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { metricNamesOf, parseExposition, sampleValue, type Sample } from './metrics-support.js';

const lines: Array<Record<string, unknown>> = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
const logger = createLogger({ level: 'debug', name: 'worker', destination: capture });
// The Temporal SDK's exporter (and its log lines) need the runtime installed before the fixture's first native connection.
installTemporalRuntime(logger, { metricsPort: await freeLoopbackPort() });

const db = useTestDatabase();
let f: PromotionFixture;
let worker: Worker;
let http: RunningMetricsServer;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, { envs: [{ key: 'dev' }] });
  // A line logged by our own logger inside every step (the test seam runs in the step's activity).
  ({ worker } = await f.startWorker({ logger, testHooks: { at: (point) => logger.info({ point }, 'test hook') } }));
  http = await startWorkerHttp({ host: '127.0.0.1', port: 0, worker, database: db.database });
});
afterAll(async () => {
  await http?.close();
  await f?.close();
});

async function promote(tag: string): Promise<{ releaseId: string; deploymentId: number }> {
  const releaseId = await f.createRelease(tag);
  const res = await f.promote(releaseId, 'dev');
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const d = await f.waitFor('dev', res.body.deploymentId, ['succeeded', 'failed', 'awaiting_operator', 'aborted']);
  expect(d.status, JSON.stringify(d)).toBe('succeeded');
  return { releaseId, deploymentId: res.body.deploymentId as number };
}

async function apiScrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await f.h.app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  return { text, samples: parseExposition(text) };
}

async function workerScrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${http.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, samples: parseExposition(text) };
}

let first: { releaseId: string; deploymentId: number };

describe('metrics after a promotion', () => {
  it('the API exposes promotion, step, HTTP, Argo CD, Kubernetes, Git and state series with the right values', async () => {
    first = await promote('1.4.2');
    const env = f.env.dev as string;
    const { samples } = await apiScrape();
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);

    expect(v('flow_controller_promotions_started_total', { environment: env, kind: 'promotion' })).toBe(1);
    expect(v('flow_controller_promotions_finished_total', { environment: env, outcome: 'succeeded' })).toBe(1);
    expect(v('flow_controller_promotion_duration_seconds_count', { environment: env, outcome: 'succeeded' })).toBe(1);
    expect(v('flow_controller_promotion_duration_seconds_sum', { environment: env, outcome: 'succeeded' })).toBeGreaterThan(0);
    for (const step of ['render-values', 'git-commit-push', 'argocd-refresh', 'argocd-sync', 'argocd-wait', 'verify-images']) {
      const count = (['succeeded', 'skipped'] as const).reduce(
        (n, outcome) => n + (v('flow_controller_promotion_step_duration_seconds_count', { step, outcome }) ?? 0),
        0,
      );
      expect(count, step).toBe(1);
    }
    expect(
      v('flow_controller_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v2/releases/:releaseId/promote',
        status_class: '2xx',
      }),
    ).toBe(1);
    expect(
      v('flow_controller_argocd_request_duration_seconds_count', { endpoint: 'application.sync', status_class: '2xx' }),
    ).toBeGreaterThan(0);
    expect(
      v('flow_controller_argocd_request_duration_seconds_count', { endpoint: 'application.get', status_class: '2xx' }),
    ).toBeGreaterThan(0);
    expect(v('flow_controller_kube_request_duration_seconds_count', { endpoint: 'pods.list', status_class: '2xx' })).toBeGreaterThan(0);
    expect(v('flow_controller_git_pushes_total', { result: 'ok' })).toBe(1);
    expect(v('flow_controller_git_push_retries_total')).toBe(0);
    // State read from PostgreSQL at scrape time: nothing parked, waiting or open in the environment, reported as 0.
    expect(v('flow_controller_promotions_parked', { environment: env })).toBe(0);
    expect(v('flow_controller_promotions_parked_oldest_age_seconds', { environment: env })).toBe(0);
    expect(v('flow_controller_promotions_scheduled', { environment: env })).toBe(0);
    expect(v('flow_controller_approvals_waiting', { environment: env })).toBe(0);
    expect(v('flow_controller_incidents_open', { environment: env, kind: 'drift' })).toBe(0);
    expect(v('flow_controller_state_up')).toBe(1);
    // npm start and this test run API and worker in one process: the Temporal SDK's metrics are on the API's too.
    expect(samples.some((s) => s.name.startsWith('temporal_'))).toBe(true);
  });

  it('the worker serves /metrics with the Temporal SDK metrics, /livez and /readyz', async () => {
    const { samples } = await workerScrape();
    expect(samples.filter((s) => s.name.startsWith('temporal_')).length).toBeGreaterThan(10);
    expect(samples.some((s) => s.name === 'temporal_worker_task_slots_available')).toBe(true);
    expect(
      sampleValue(samples, 'flow_controller_promotions_finished_total', { environment: f.env.dev as string, outcome: 'succeeded' }),
    ).toBe(1);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect((await fetch(`${http.url}/livez`)).status).toBe(200);
    expect((await fetch(`${http.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${http.url}/nope`)).status).toBe(404);
    expect((await fetch(`${http.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('every log line of the promotion activities carries deploymentId, releaseId, environment and step', () => {
    const ours = lines.filter((l) => l.deploymentId === first.deploymentId);
    const hooks = ours.filter((l) => l.msg === 'test hook');
    expect(hooks.map((l) => l.point)).toEqual(
      expect.arrayContaining(['render-values:start', 'git-commit-push:start', 'argocd-wait:start']),
    );
    // The SDK's own activity lines of this promotion's workflow (except "Activity started", written before any
    // interceptor runs: docs/operations.md) and ours, whatever logged them.
    const sdk = lines.filter(
      (l) => l.workflowId === `promote:${f.env.dev}` && typeof l.activityType === 'string' && l.msg !== 'Activity started',
    );
    // At least "Activity completed" of each: render, push, refresh-and-sync, wait-and-verify.
    expect(sdk.length).toBeGreaterThanOrEqual(4);
    for (const l of [...ours, ...sdk]) {
      expect(l, JSON.stringify(l)).toMatchObject({ deploymentId: first.deploymentId, releaseId: first.releaseId, environment: f.env.dev });
      expect(typeof l.step, JSON.stringify(l)).toBe('string');
    }
    expect(hooks.find((l) => l.point === 'git-commit-push:start')?.step).toBe('git-commit-push');
  });

  it('a second promotion of another release adds no series, and no label carries an id', async () => {
    const before = (await apiScrape()).samples.filter((s) => s.name.startsWith('flow_controller_'));
    const second = await promote('1.4.3');
    const after = (await apiScrape()).samples.filter((s) => s.name.startsWith('flow_controller_'));
    const key = (s: Sample) => `${s.name}${JSON.stringify(s.labels)}`;
    // Nothing new but, at most, a bounded error class (a transient failed attempt or timeout under load is harmless).
    const known = new Set(before.map(key));
    const ERROR_LABELS: Record<string, readonly string[]> = { outcome: ['failed', 'aborted'], status_class: ['4xx', '5xx', 'error'] };
    const added = after.filter((s) => !known.has(key(s)));
    for (const s of added) {
      const bounded = Object.entries(s.labels).some(([label, value]) => ERROR_LABELS[label]?.includes(value));
      expect(bounded, `new series ${key(s)}`).toBe(true);
    }
    const ids = [first.releaseId, second.releaseId, String(first.deploymentId), String(second.deploymentId)];
    for (const s of after) {
      for (const [label, value] of Object.entries(s.labels)) if (label !== 'le') expect(ids, `${s.name} ${label}`).not.toContain(value);
    }
    expect(
      sampleValue(after, 'flow_controller_promotions_finished_total', { environment: f.env.dev as string, outcome: 'succeeded' }),
    ).toBe(2);
  });

  it('the monitor reports its last observation per environment', async () => {
    const { client, connection } = await temporalClient();
    const handle = await client.workflow.start('monitorEnvironment', monitorStartOptions(f.env.dev as string, f.taskQueue));
    try {
      const deadline = Date.now() + 30_000;
      let seen: number | undefined;
      while (seen === undefined && Date.now() < deadline) {
        seen = sampleValue((await workerScrape()).samples, 'flow_controller_monitor_last_observation_timestamp_seconds', {
          environment: f.env.dev as string,
        });
        if (seen === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBeGreaterThan(Date.now() / 1000 - 60);
    } finally {
      await handle.terminate('test done').catch(() => undefined);
      await connection.close();
    }
  });

  it('every metric of the Grafana dashboard and the alert rules exists in the real exposition', async () => {
    const exposed = new Set([...(await apiScrape()).samples, ...(await workerScrape()).samples].map((s) => s.name));
    const used = await metricNamesOf();
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter((n) => !exposed.has(n) && !exposed.has(`${n}_bucket`));
    expect(missing).toEqual([]);
  });
});

describe('METRICS_TOKEN', () => {
  it('when set, GET /metrics needs it as a bearer token', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const h = await apiHarness(db.database, { METRICS_TOKEN: token });
    expect((await h.app.request('/metrics')).status).toBe(401);
    expect((await h.app.request('/metrics', { headers: { authorization: `Bearer ${h.tokens.admin}` } })).status).toBe(401);
    const ok = await h.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('flow_controller_promotions_parked');
  });

  it('a path no route matches is counted as `unmatched`, never by its raw path', async () => {
    const raw = `/no-such-route-${Date.now()}`;
    expect((await f.h.app.request(raw)).status).toBe(404);
    const { text, samples } = await apiScrape();
    expect(text).not.toContain(raw);
    expect(
      sampleValue(samples, 'flow_controller_http_request_duration_seconds_count', {
        method: 'GET',
        route: 'unmatched',
        status_class: '4xx',
      }),
    ).toBeGreaterThan(0);
  });
});
