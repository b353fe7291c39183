// The API skeleton against real services: /healthz with Postgres and Temporal up or down, the OpenAPI
// document, and the one error model for malformed JSON, wrong content type, oversized bodies, unknown routes.
import { afterAll, describe, expect, it } from 'vitest';
import { createRoute, z } from '@hono/zod-openapi';
import { Client, Connection } from '@temporalio/client';
import { createApp, createRouter } from './app.js';
import type { BaseAppDeps } from './context.js';
import { createDatabase } from '../db/client.js';
import { freePort } from '../dev/temporal-dev-server.js';
import { silentLogger, temporalClient, testConfig, useTestDatabase } from '../test/harness.js';
import { pino, type Logger } from 'pino';

const db = useTestDatabase();
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

// A small JSON route so the body pipeline can be exercised end to end.
const echo = createRouter().openapi(
  createRoute({
    method: 'post',
    path: '/echo',
    request: { body: { content: { 'application/json': { schema: z.object({ name: z.string().min(1) }) } }, required: true } },
    responses: { 200: { description: 'echo', content: { 'application/json': { schema: z.object({ name: z.string() }) } } } },
  }),
  (c) => c.json({ name: c.req.valid('json').name }, 200),
);

async function appWith(overrides: Partial<BaseAppDeps> = {}, env: Record<string, string> = {}) {
  const temporal = await temporalClient();
  closers.push(() => temporal.connection.close());
  const deps: BaseAppDeps = {
    config: testConfig({ BODY_LIMIT_BYTES: '2048', ...env }),
    database: db.database,
    temporal,
    logger: silentLogger,
    ...overrides,
  };
  return createApp(deps, [['/test', echo]]);
}

const json = (body: string, type = 'application/json') => ({
  method: 'POST',
  headers: { 'content-type': type },
  body,
});

describe('GET /healthz', () => {
  it('is 200 with Postgres and Temporal up', async () => {
    const app = await appWith();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.checks.postgres?.status).toBe('up');
    expect(body.checks.temporal?.status).toBe('up');
  });

  it('is 503 naming Temporal when Temporal is unreachable, with a status only (details in the log)', async () => {
    const port = await freePort();
    const connection = Connection.lazy({ address: `127.0.0.1:${port}`, connectTimeout: 500 });
    closers.push(() => connection.close());
    const logged = capturingLogger();
    const app = await appWith({ temporal: { connection, client: new Client({ connection }) }, logger: logged.logger });
    const res = await app.request('/healthz');
    expect(res.status).toBe(503);
    const text = await res.text();
    const body = JSON.parse(text) as { status: string; checks: Record<string, { status: string; error?: string }> };
    expect(body.status).toBe('degraded');
    expect(body.checks.temporal).toEqual({ status: 'down', latencyMs: expect.any(Number) });
    expect(body.checks.postgres?.status).toBe('up');
    expect(text).not.toContain(String(port)); // audit 20b: no raw dependency error text to the public
    expect(logged.lines().some((l) => l.dependency === 'temporal' && typeof l.err === 'string' && l.err.length > 0)).toBe(true);
  });

  it('is 503 naming Postgres when Postgres is unreachable, with a status only (details in the log)', async () => {
    const port = await freePort();
    const dead = createDatabase(`postgres://postgres@127.0.0.1:${port}/nothing`, { max: 1 });
    closers.push(() => dead.close());
    const logged = capturingLogger();
    const app = await appWith({ database: dead, logger: logged.logger });
    const res = await app.request('/healthz');
    expect(res.status).toBe(503);
    const text = await res.text();
    const body = JSON.parse(text) as { checks: Record<string, { status: string }> };
    expect(body.checks.postgres).toEqual({ status: 'down', latencyMs: expect.any(Number) });
    expect(body.checks.temporal?.status).toBe('up');
    expect(text).not.toContain(String(port));
    expect(text).not.toMatch(/ECONNREFUSED|nothing/);
    expect(logged.lines().some((l) => l.dependency === 'postgres' && typeof l.err === 'string' && l.err.length > 0)).toBe(true);
  });
});

describe('GET /livez and GET /readyz', () => {
  it('/livez is 200 with both dependencies down and calls neither (liveness must not follow Postgres or Temporal)', async () => {
    const [pgPort, temporalPort] = [await freePort(), await freePort()];
    const dead = createDatabase(`postgres://postgres@127.0.0.1:${pgPort}/nothing`, { max: 1 });
    const connection = Connection.lazy({ address: `127.0.0.1:${temporalPort}`, connectTimeout: 500 });
    closers.push(
      () => dead.close(),
      () => connection.close(),
    );
    const logged = capturingLogger();
    const app = await appWith({ database: dead, temporal: { connection, client: new Client({ connection }) }, logger: logged.logger });
    const res = await app.request('/livez');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(logged.lines().filter((l) => l.dependency !== undefined)).toEqual([]);
    // The same app is not ready: the readiness probe does call the dependencies.
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(logged.lines().map((l) => l.dependency)).toEqual(expect.arrayContaining(['postgres', 'temporal']));
  });

  it('/readyz is 200 with Postgres and Temporal up', async () => {
    const res = await (await appWith()).request('/readyz');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body).toMatchObject({ status: 'ok', checks: { postgres: { status: 'up' }, temporal: { status: 'up' } } });
  });

  it('/readyz is 503 when Temporal is unreachable, with statuses only', async () => {
    const port = await freePort();
    const connection = Connection.lazy({ address: `127.0.0.1:${port}`, connectTimeout: 500 });
    closers.push(() => connection.close());
    const app = await appWith({ temporal: { connection, client: new Client({ connection }) } });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: 'degraded',
      checks: { postgres: { status: 'up', latencyMs: expect.any(Number) }, temporal: { status: 'down', latencyMs: expect.any(Number) } },
    });
    expect(text).not.toContain(String(port));
  });
});

/** A real pino logger writing JSON lines to memory. */
function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = pino({ level: 'info' }, { write: (chunk: string) => void chunks.push(chunk) });
  return { logger, lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>) };
}

describe('error model', () => {
  const shape = (body: unknown, code: string) => {
    const error = (body as { error: { code: string; message: string; requestId: string } }).error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.requestId).toMatch(/\S+/);
  };

  it('accepts a valid JSON body', async () => {
    const app = await appWith();
    const res = await app.request('/test/echo', json('{"name":"x"}'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'x' });
  });

  it('malformed JSON is 400 MALFORMED_JSON', async () => {
    const app = await appWith();
    const res = await app.request('/test/echo', json('{"name": '));
    expect(res.status).toBe(400);
    shape(await res.json(), 'MALFORMED_JSON');
  });

  it('a body that fails the schema is 400 VALIDATION_FAILED with the issues', async () => {
    const app = await appWith();
    const res = await app.request('/test/echo', json('{"name": 3}'));
    expect(res.status).toBe(400);
    const body = await res.json();
    shape(body, 'VALIDATION_FAILED');
    expect(JSON.stringify(body)).toContain('name');
  });

  it('a wrong content type is 415', async () => {
    const app = await appWith();
    const res = await app.request('/test/echo', json('name=x', 'application/x-www-form-urlencoded'));
    expect(res.status).toBe(415);
    shape(await res.json(), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over the limit is 413', async () => {
    const app = await appWith();
    const res = await app.request('/test/echo', json(JSON.stringify({ name: 'x'.repeat(4096) })));
    expect(res.status).toBe(413);
    shape(await res.json(), 'PAYLOAD_TOO_LARGE');
  });

  it('an unknown route is 404 ROUTE_NOT_FOUND', async () => {
    const app = await appWith();
    const res = await app.request('/v9/nothing-here');
    expect(res.status).toBe(404);
    shape(await res.json(), 'ROUTE_NOT_FOUND');
  });

  it('echoes a caller-supplied request id in the body and header', async () => {
    const app = await appWith();
    const res = await app.request('/v9/nothing-here', { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(((await res.json()) as { error: { requestId: string } }).error.requestId).toBe('trace-123');
  });
});

describe('OpenAPI', () => {
  it('serves the document generated from the route definitions, and a reference page', async () => {
    const app = await appWith();
    const doc = (await (await app.request('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/livez', '/readyz']));
    expect(Object.keys(doc.paths)).toContain('/test/echo');
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/healthz');
  });
});
