// OpenTelemetry end to end (lib/tracing.ts (tracingWorkerOptions), api/tracing.ts): with an OTLP endpoint
// set, one promotion requested with a caller's `traceparent` is one trace — the API request's server span, the
// workflow start, the workflow run, each activity, and the Git and Argo CD calls the activities make — exported by
// OTLP/HTTP to an in-process receiver. Parent/child links are checked, not only names.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { setupTracing, type Tracing } from '../lib/tracing.js';
import { recordHistory } from './history-corpus.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
  service: string;
}

/** An OTLP/HTTP JSON receiver (`POST /v1/traces`), as a collector would run it. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.method === 'POST') {
        type Attr = { key: string; value: Record<string, unknown> };
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{
            resource: { attributes: Attr[] };
            scopeSpans: Array<{
              spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: Attr[] }>;
            }>;
          }>;
        };
        const attrs = (list: Attr[] = []) => Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));
        for (const rs of body.resourceSpans) {
          const service = String(attrs(rs.resource.attributes)['service.name']);
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans)
              spans.push({
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                name: s.name,
                attributes: attrs(s.attributes),
                service,
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans, close: () => new Promise((r) => server.close(() => r())) };
}

const db = useTestDatabase();
let f: PromotionFixture;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tracing: Tracing;

beforeAll(async () => {
  receiver = await startReceiver();
  tracing = setupTracing({ endpoint: receiver.url, serviceName: 'fc-tracing-test' });
  f = await createPromotionFixture(db.database, { envs: [{ key: 'traced' }] });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
  await tracing?.shutdown();
  await receiver?.close();
});

describe('tracing', () => {
  it('follows a promotion from the API request through the workflow to its activities and their Git and Argo CD calls', async () => {
    const releaseId = await f.createRelease('1.4.0');
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const res = await f.h.call('POST', `/v2/releases/${releaseId}/promote`, {
      body: { environment: f.env.traced },
      token: f.tokens.promoter,
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await f.waitFor('traced', res.body.deploymentId, ['succeeded']);
    // A history recorded with tracing on (headers carry the trace context) must replay with tracing off too.
    await recordHistory('traced-happy-path', `promote:${f.env.traced}`);

    // Spans leave in batches: flush until the workflow's own run span has arrived (it ends with the workflow).
    const ofTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const deadline = Date.now() + 30_000;
    while (!ofTrace().some((s) => s.name === 'RunWorkflow:promoteRelease') && Date.now() < deadline) {
      await tracing.flush();
      await new Promise((r) => setTimeout(r, 100));
    }
    const spans = ofTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found.length, `${name} in ${spans.map((s) => s.name).join(', ')}`).toBeGreaterThan(0);
      return found[0]!;
    };
    const ancestors = (s: ReceivedSpan): string[] => {
      const names: string[] = [];
      for (let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined)
        names.push(p.name);
      return names;
    };

    // The request continues the caller's trace and is named by its route pattern, not the raw path.
    const request = one('POST /v2/releases/:releaseId/promote');
    expect(request.parentSpanId).toBe(callerSpan);
    expect(request.attributes['http.route']).toBe('/v2/releases/:releaseId/promote');
    // API request → workflow start → workflow run → activity start (in the workflow) → activity run.
    expect(byId.get(one('StartWorkflow:promoteRelease').parentSpanId!)?.name).toBe(request.name);
    expect(byId.get(one('RunWorkflow:promoteRelease').parentSpanId!)?.name).toBe('StartWorkflow:promoteRelease');
    const push = one('RunActivity:gitCommitPush');
    expect(ancestors(push)).toEqual([
      'StartActivity:gitCommitPush',
      'RunWorkflow:promoteRelease',
      'StartWorkflow:promoteRelease',
      request.name,
    ]);
    // The activities' outbound work: git commands and Argo CD HTTP calls (undici), each under its activity.
    const gitPush = spans.find((s) => s.name === 'git push');
    expect(gitPush, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(ancestors(gitPush!)).toContain('RunActivity:gitCommitPush');
    const argoCall = spans.find((s) => String(s.attributes['url.full'] ?? '').includes('/api/v1/applications'));
    expect(argoCall, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(ancestors(argoCall!).some((n) => n.startsWith('RunActivity:'))).toBe(true);
    // Kubernetes reads (verify-images, done by the wait's activity once converged) are client spans of their activity.
    const kubeRead = spans.find((s) => s.name === 'kube pods.list');
    expect(kubeRead, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(ancestors(kubeRead!)).toContain('RunActivity:argocdWaitVerify');
    // No query strings or credentials in recorded URLs.
    for (const s of spans) {
      const url = String(s.attributes['url.full'] ?? '');
      expect(url).not.toMatch(/\?|@/);
    }
  });
});
