// The simulator's Prometheus (sim/prometheus.ts, sim/promql.ts): Prometheus's answer and error shapes over GET and
// POST, the PromQL subset (bad_data for anything else, never a crash), series controlled through the faults API
// (NaN, ±Inf, removal) and the built-in error ratio of each live workload.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualScheduler } from './clock.js';
import { createSimulator, type Simulator } from './simulator.js';
import { parseSelector, PromQLError } from './promql.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read as Prometheus JSON
type Loose = any;
let sim: Simulator;
let fx: RepoFixture;
const clock = new ManualScheduler();

beforeAll(async () => {
  fx = await createRepoFixture({ 'envs/dev/values.yaml': valuesYaml({ api: { replicas: 1, images: { api: 'org/api:1.0.0' } } }) });
  sim = await createSimulator({ scheduler: clock, timing: { healthLagMs: 10, podStepMs: 10 } });
});
afterAll(async () => {
  await sim.close();
  await fx.cleanup();
});
beforeEach(() => sim.reset());

async function query(q: string, init?: { post?: boolean; time?: string }): Promise<{ status: number; body: Loose }> {
  const params = new URLSearchParams({ query: q, ...(init?.time ? { time: init.time } : {}) });
  const res = init?.post
    ? await fetch(`${sim.promUrl}/api/v1/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
      })
    : await fetch(`${sim.promUrl}/api/v1/query?${params.toString()}`);
  return { status: res.status, body: await res.json() };
}

describe('simulated Prometheus query API', () => {
  it('answers an instant vector like Prometheus, over GET and POST form', async () => {
    sim.faults.setMetric({ name: 'http_error_ratio', labels: { service: 'api', env: 'dev' }, value: 0.25 });
    sim.faults.setMetric({ name: 'http_error_ratio', labels: { service: 'web', env: 'dev' }, value: 0 });
    const get = await query('http_error_ratio{service="api"}', { time: '1700000000' });
    expect(get).toEqual({
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { __name__: 'http_error_ratio', service: 'api', env: 'dev' }, value: [1700000000, '0.25'] }],
        },
      },
    });
    const post = await query(`http_error_ratio{ env = 'dev', service!="api" }`, { post: true });
    expect(post.status).toBe(200);
    expect(post.body.data.result).toHaveLength(1);
    expect(post.body.data.result[0].metric.service).toBe('web');
    expect(post.body.data.result[0].value[1]).toBe('0');
    expect(typeof post.body.data.result[0].value[0]).toBe('number');
    expect((await query('{__name__="http_error_ratio"}')).body.data.result).toHaveLength(2);
  });

  it('NaN and infinities as strings, removal of one series or all of a name, empty results', async () => {
    sim.faults.setMetric({ name: 'm', labels: { a: '1' }, value: Number.NaN });
    sim.faults.setMetric({ name: 'm', labels: { a: '2' }, value: Number.POSITIVE_INFINITY });
    sim.faults.setMetric({ name: 'm', labels: { a: '3' }, value: Number.NEGATIVE_INFINITY });
    const values = (await query('m')).body.data.result.map((r: Loose) => r.value[1]).sort();
    expect(values).toEqual(['+Inf', '-Inf', 'NaN']);
    sim.faults.removeMetric({ name: 'm', labels: { a: '1' } });
    expect((await query('m')).body.data.result).toHaveLength(2);
    sim.faults.removeMetric({ name: 'm' });
    expect((await query('m')).body).toEqual({ status: 'success', data: { resultType: 'vector', result: [] } });
  });

  it('has an error ratio per live workload that a fault raises', async () => {
    const sha = await fx.commit({ 'envs/dev/values.yaml': valuesYaml({ api: { replicas: 1, images: { api: 'org/api:1.0.1' } } }) }, 'v');
    await sim.addApplication({ name: 'dev-app', repoURL: fx.repo, path: 'envs/dev', namespace: 'dev' });
    const argo = await import('../integrations/argocd.js');
    const client = argo.createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 2_000 });
    await client.sync('dev-app', { revision: sha, prune: true, infos: [], syncOptions: [] });
    clock.runUntilIdle();
    const q = 'flow_workload_error_ratio{namespace="dev",workload="api"}';
    const before = (await query(q)).body.data.result;
    expect(before).toHaveLength(1);
    expect(before[0].metric).toMatchObject({ namespace: 'dev', workload: 'api', kind: 'Deployment' });
    expect(before[0].value[1]).toBe('0');
    sim.faults.setErrorRate('dev', 'api', 0.3);
    expect((await query(q)).body.data.result[0].value[1]).toBe('0.3');
    sim.faults.clearAll();
    expect((await query(q)).body.data.result[0].value[1]).toBe('0');
  });

  it.each([
    ['', 'no expression found'],
    ['rate(m[5m])', 'only a vector selector'],
    ['m{a=~"x.*"}', 'regular expression matchers'],
    ['sum by (a) (m)', 'only a vector selector'],
    ['m{a="unterminated', 'unterminated quoted string'],
    ['m{a}', 'expected label matching operator'],
    ['{}', 'at least one non-empty matcher'],
    ['m > 0.5', 'only a vector selector'],
    ['m offset 5m', 'only a vector selector'],
    ['{a=""}', 'at least one non-empty matcher'],
  ])('refuses %j with 400 bad_data (%s)', async (q, why) => {
    const res = await query(q);
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('error');
    expect(res.body.errorType).toBe('bad_data');
    expect(res.body.error).toMatch(/^invalid parameter "query": 1:\d+: parse error: /);
    expect(res.body.error).toContain(why);
  });

  it('refuses a bad time, other methods and other paths', async () => {
    expect((await query('m', { time: 'yesterday' })).body.errorType).toBe('bad_data');
    expect((await fetch(`${sim.promUrl}/api/v1/query?query=m`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${sim.promUrl}/api/v1/query_range?query=m`)).status).toBe(404);
    expect((await fetch(`${sim.promUrl}/-/healthy`)).status).toBe(200);
  });

  it('parses in linear time: a huge hostile query is refused quickly', () => {
    const hostile = `m{${'a="x",'.repeat(1_000)}b="${'\\\\'.repeat(1_000)}`;
    const started = performance.now();
    expect(() => parseSelector(hostile)).toThrow(PromQLError);
    expect(() => parseSelector('x'.repeat(10_000))).toThrow(/longer than/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('the admin API sets and clears metrics too', async () => {
    const admin = (method: string, path: string, body: unknown) =>
      fetch(`${sim.argoUrl}/sim/admin${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await admin('POST', '/metrics', { name: 'up', labels: { job: 'x' }, value: 1 })).status).toBe(200);
    expect((await query('up')).body.data.result[0].value[1]).toBe('1');
    expect((await admin('DELETE', '/metrics', { name: 'up' })).status).toBe(200);
    expect((await query('up')).body.data.result).toEqual([]);
  });
});
