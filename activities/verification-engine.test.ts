// The check engine against real servers: a local HTTP server whose answers the test scripts (consecutive
// successes: pass, fail, flap; secrets redacted from evidence; host policy) and the simulator's Prometheus
// (pass, fail, NaN as configured). One-second intervals; the verdicts come from the samples, not from timing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from './verification-engine.js';
import type { ActivityDeps } from './deps.js';
import type { PromotionContext } from './promotion-context.js';
import { createSimulator, type Simulator } from '../sim/simulator.js';
import { createSecretResolver } from '../lib/secrets.js';
import { VerificationCheck } from '../domain/verification.js';
import type { CheckProgress } from '../domain/verification-checks.js';

const SECRET = 'sup3r-s3cret-header-value';
let server: Server;
let baseUrl: string;
let script: Array<{ status: number; body: string }> = [];
const seen: Array<{ path: string; auth: string | undefined }> = [];
let sim: Simulator;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization });
    const next = script.length > 1 ? (script.shift() as { status: number; body: string }) : (script[0] ?? { status: 200, body: 'ok' });
    // Echoes the credential, as a careless debug endpoint would: evidence must not keep it.
    res.writeHead(next.status, { 'Content-Type': 'application/json' });
    res.end(next.body.replace('$AUTH', req.headers.authorization ?? ''));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim = await createSimulator();
  process.env.FC_SECRET_GATES_TEST = SECRET;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await sim.close();
});

const ctx = { environment: { name: 'staging' }, release: { id: 'rel-1', productVersion: '1.2.3' } } as unknown as PromotionContext;
function deps(allowedHosts: string[] = []): ActivityDeps {
  return { secrets: createSecretResolver(), allowedHosts } as unknown as ActivityDeps;
}
async function run(checks: unknown[], d = deps()) {
  const progress: CheckProgress[] = [];
  const report = await runChecks({
    deps: d,
    ctx,
    checks: checks.map((c) => VerificationCheck.parse(c)),
    cancel: new AbortController().signal,
    progress,
  });
  return report;
}
const httpCheck = (extra: Record<string, unknown>) => ({
  kind: 'http',
  name: 'api-health',
  url: `${baseUrl}/{env}/health?release={releaseId}&v={productVersion}`,
  intervalSeconds: 1,
  durationSeconds: 3,
  headers: { Authorization: { secretRef: 'env:FC_SECRET_GATES_TEST' }, 'X-Plain': { value: 'plain' } },
  ...extra,
});

describe('HTTP checks', () => {
  it('pass after the required consecutive successes (templated URL, secret header sent, redacted from evidence)', async () => {
    script = [
      { status: 503, body: '{"echo":"$AUTH"}' },
      { status: 200, body: '{"status":{"ready":true},"echo":"$AUTH"}' },
    ];
    seen.length = 0;
    const report = await run([httpCheck({ successesRequired: 2, jsonPath: 'status.ready', expectValue: true })]);
    expect(report.passed, report.message).toBe(true);
    const [check] = report.checks;
    expect(check?.samples).toBe(3);
    expect(check?.evidence.map((e) => e.status)).toEqual([503, 200, 200]);
    expect(seen[0]).toEqual({ path: '/staging/health?release=rel-1&v=1.2.3', auth: SECRET });
    expect(JSON.stringify(report)).not.toContain(SECRET);
    expect(check?.evidence[0]?.body).toContain('[redacted]');
  });

  it('fail when the consecutive successes cannot be reached in the duration (evidence: last answers)', async () => {
    script = [{ status: 500, body: '{"error":"database down"}' }];
    const report = await run([httpCheck({ successesRequired: 2 })]);
    expect(report.passed).toBe(false);
    expect(report.message).toMatch(/^check api-health \(http\) failed: 2 consecutive successes required/);
    expect(report.message).toContain('HTTP 500, expected 200');
    expect(report.message).toContain('database down');
    // 4 samples planned; after the 3rd failure 1 sample cannot give 2 successes in a row.
    expect(report.checks[0]?.samples).toBe(3);
  });

  it('a flapping endpoint fails: successes never in a row', async () => {
    script = [
      { status: 200, body: 'up' },
      { status: 503, body: 'down' },
      { status: 200, body: 'up' },
      { status: 503, body: 'down' },
    ];
    const report = await run([httpCheck({ successesRequired: 2 })]);
    expect(report.passed).toBe(false);
    expect(report.checks[0]?.evidence.map((e) => e.ok)).toEqual([true, false, true, false]);
  });

  it('a host outside FC_ALLOWED_HOSTS is a configuration failure, nothing is sent', async () => {
    seen.length = 0;
    await expect(run([httpCheck({})], deps(['api.example.com']))).rejects.toThrow(/not in FC_ALLOWED_HOSTS/);
    expect(seen).toEqual([]);
  });

  it('an unreachable server is a failed sample, not a pass', async () => {
    const report = await run([{ kind: 'http', name: 'gone', url: 'http://127.0.0.1:1/health', durationSeconds: 0, intervalSeconds: 1 }]);
    expect(report.passed).toBe(false);
    expect(report.message).toMatch(/request failed/);
  });
});

describe('Prometheus checks against the simulator', () => {
  const promCheck = (extra: Record<string, unknown>) => ({
    kind: 'prometheus',
    name: 'error-rate',
    serverUrl: sim.promUrl,
    query: 'http_error_ratio{env="{env}"}',
    op: '<',
    threshold: 0.05,
    intervalSeconds: 1,
    durationSeconds: 1,
    ...extra,
  });

  it('passes when every sample of every series satisfies the comparison', async () => {
    sim.faults.setMetric({ name: 'http_error_ratio', labels: { env: 'staging', svc: 'a' }, value: 0.01 });
    sim.faults.setMetric({ name: 'http_error_ratio', labels: { env: 'staging', svc: 'b' }, value: 0.02 });
    const report = await run([promCheck({})]);
    expect(report.passed, report.message).toBe(true);
    expect(report.checks[0]?.samples).toBe(2);
    expect(report.checks[0]?.evidence[0]?.values).toHaveLength(2);
  });

  it('fails on one series over the threshold, naming it and its value', async () => {
    sim.faults.setMetric({ name: 'http_error_ratio', labels: { env: 'staging', svc: 'b' }, value: 0.2 });
    const report = await run([promCheck({})]);
    expect(report.passed).toBe(false);
    expect(report.message).toContain('http_error_ratio{env="staging",svc="b"} = 0.2, not < 0.05');
  });

  it('NaN and no data count as configured', async () => {
    sim.faults.removeMetric({ name: 'http_error_ratio' });
    expect((await run([promCheck({ noData: 'fail' })])).passed).toBe(false);
    expect((await run([promCheck({ noData: 'pass' })])).passed).toBe(true);
    sim.faults.setMetric({ name: 'http_error_ratio', labels: { env: 'staging' }, value: Number.NaN });
    const failed = await run([promCheck({})]);
    expect(failed.passed).toBe(false);
    expect(failed.message).toContain('NaN, noData: fail');
    expect((await run([promCheck({ noData: 'pass' })])).passed).toBe(true);
  });

  it('an unsupported query is a failed sample with the bad_data error', async () => {
    const report = await run([promCheck({ query: 'rate(http_error_ratio[5m])' })]);
    expect(report.passed).toBe(false);
    expect(report.message).toContain('bad_data');
  });

  it('the first failed check stops the others', async () => {
    sim.faults.setMetric({ name: 'http_error_ratio', labels: { env: 'staging' }, value: 1 });
    script = [{ status: 200, body: 'ok' }];
    const report = await run([promCheck({}), httpCheck({ successesRequired: 3, durationSeconds: 30 })]);
    expect(report.passed).toBe(false);
    expect(report.checks.map((c) => c.outcome)).toEqual(['failed', 'stopped']);
  });
});
