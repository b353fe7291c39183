// Per-call timeouts towards Kubernetes and Argo CD against real local servers that accept connections and
// never answer (audit finding 12): each call fails with a clear, secret-free timeout error, promptly.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTls, type Tls } from '../sim/kube-server.js';
import { ArgoCdError, createArgoClient } from './argocd.js';
import { createKubeClient, KubeApiError } from './kube.js';

const TOKEN = 'kube-secret-token-0123456789';
const PASSWORD = 'argo-secret-password-0123456789';
const TIMEOUT_MS = 300;
/** Generous upper bound: the call must fail near TIMEOUT_MS, never hang for the OS's TCP timeouts. */
const UPPER_BOUND_MS = 5_000;

let tls: Tls;
const sockets = new Set<Socket>();
const servers: Array<HttpServer | TcpServer> = [];

function track<S extends HttpServer | TcpServer>(server: S): S {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  return server;
}

async function listen(server: HttpServer | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Accepts TCP connections and never says a word (not even the TLS handshake). */
const silentTcp = () => track(createTcpServer(() => undefined));
/** Completes TLS, reads the request and never answers it. */
const silentHttps = () => track(createHttpsServer({ cert: tls.cert, key: tls.key }, () => undefined));
const silentHttp = () => track(createHttpServer(() => undefined));

beforeAll(async () => {
  tls = await generateTls();
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function failureOf(call: () => Promise<unknown>): Promise<{ err: unknown; elapsedMs: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (err) {
    return { err, elapsedMs: performance.now() - started };
  }
  throw new Error('the call succeeded against a server that never answers');
}

describe('Kubernetes per-call timeout', () => {
  it('a server that accepts and never answers TLS fails each call with a Timeout KubeApiError', async () => {
    const port = await listen(silentTcp());
    const kube = createKubeClient({ server: `https://127.0.0.1:${port}`, caData: tls.caPem, token: TOKEN, timeoutMs: TIMEOUT_MS });
    const { err, elapsedMs } = await failureOf(() => kube.listPods('dev'));
    expect(err).toBeInstanceOf(KubeApiError);
    const e = err as KubeApiError;
    expect(e.reason).toBe('Timeout');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe(`list pods in dev: timed out after ${TIMEOUT_MS}ms`);
    expect(elapsedMs).toBeLessThan(UPPER_BOUND_MS);
  });

  it('a server that reads the request and never answers fails every kind of call, secret-free', async () => {
    const port = await listen(silentHttps());
    const kube = createKubeClient({ server: `https://127.0.0.1:${port}`, caData: tls.caPem, token: TOKEN, timeoutMs: TIMEOUT_MS });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['list (deployments|statefulsets|daemonsets) in dev', () => kube.listWorkloads('dev', 'app=x')],
      ['get Deployment dev/api', () => kube.getWorkload('Deployment', 'dev', 'api')],
      ['list pods in dev', () => kube.listPods('dev')],
    ];
    for (const [what, call] of calls) {
      const { err, elapsedMs } = await failureOf(call);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).reason).toBe('Timeout');
      expect((err as Error).message).toMatch(new RegExp(`^${what}: timed out after ${TIMEOUT_MS}ms$`));
      expect(JSON.stringify({ m: (err as Error).message, s: String(err) })).not.toContain(TOKEN);
      expect(elapsedMs).toBeLessThan(UPPER_BOUND_MS);
    }
  });

  it('a server that sends the headers and then stalls the body fails the call (the timeout covers the body)', async () => {
    const stalling = track(
      createHttpsServer({ cert: tls.cert, key: tls.key }, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"kind":"PodList","items":['); // …and never the rest
      }),
    );
    const port = await listen(stalling);
    const kube = createKubeClient({ server: `https://127.0.0.1:${port}`, caData: tls.caPem, token: TOKEN, timeoutMs: TIMEOUT_MS });
    const { err, elapsedMs } = await failureOf(() => kube.listPods('dev'));
    expect(err).toMatchObject({ reason: 'Timeout', retryable: true, message: `list pods in dev: timed out after ${TIMEOUT_MS}ms` });
    expect(elapsedMs).toBeLessThan(UPPER_BOUND_MS);
  });

  it('a connection closed half-way through the body is a retryable network error, never a short list', async () => {
    const closing = track(
      createHttpsServer({ cert: tls.cert, key: tls.key }, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
        res.write('{"kind":"PodList","items":[]', () => res.socket?.destroy());
      }),
    );
    const port = await listen(closing);
    const kube = createKubeClient({ server: `https://127.0.0.1:${port}`, caData: tls.caPem, token: TOKEN, timeoutMs: 5_000 });
    const { err } = await failureOf(() => kube.listPods('dev'));
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 0, reason: 'NetworkError', retryable: true });
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('reads reuse one kept-alive TLS connection (the monitor reads every interval)', async () => {
    let handshakes = 0;
    const server = track(
      createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => {
        expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"api-1","creationTimestamp":"2026-12-01T00:00:00Z"}}]}');
      }),
    );
    server.keepAliveTimeout = 90_000;
    server.on('secureConnection', () => (handshakes += 1));
    const port = await listen(server);
    const kube = createKubeClient({ server: `https://127.0.0.1:${port}`, caData: tls.caPem, token: TOKEN });
    for (let i = 0; i < 5; i += 1) {
      const pods = await kube.listPods('dev');
      expect(pods.map((p) => p.metadata?.name)).toEqual(['api-1']);
    }
    expect(handshakes).toBe(1);
  });
});

describe('Argo CD per-call timeout', () => {
  it('the session login times out too, with a clear error and no password in it', async () => {
    const port = await listen(silentHttp());
    const argo = createArgoClient({ baseUrl: `http://127.0.0.1:${port}`, username: 'admin', password: PASSWORD, timeoutMs: TIMEOUT_MS });
    const { err, elapsedMs } = await failureOf(() => argo.getApplication('dev-core'));
    expect(err).toBeInstanceOf(ArgoCdError);
    expect((err as Error).message).toBe(`Argo CD POST /api/v1/session timed out after ${TIMEOUT_MS}ms`);
    expect((err as ArgoCdError).retryable).toBe(true);
    expect((err as Error).message).not.toContain(PASSWORD);
    expect(elapsedMs).toBeLessThan(UPPER_BOUND_MS);
  });

  it('a server that sends the headers and then stalls the body fails the call too (the timeout covers the body)', async () => {
    const stalling = track(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"metadata":{"name":"dev-'); // …and never the rest
      }),
    );
    const port = await listen(stalling);
    const argo = createArgoClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'argo-token', timeoutMs: TIMEOUT_MS });
    const { err, elapsedMs } = await failureOf(() => argo.getApplication('dev-core'));
    expect(err).toBeInstanceOf(ArgoCdError);
    expect((err as ArgoCdError).retryable).toBe(true);
    expect(elapsedMs).toBeLessThan(UPPER_BOUND_MS);
  });
});
