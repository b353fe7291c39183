// The simulated Argo CD API server (plain HTTP on loopback): /api/v1 routes with Argo's
// authentication (session JWTs), its content-type rule (415), grpc-gateway error bodies and RBAC
// semantics, delegating behaviour to ArgoController. /sim/admin/* is the simulator's own
// control surface (faults, reset) and is not part of Argo's API.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ArgoApiError, type SyncRequest } from './argo-app.js';
import type { ArgoController } from './argo-controller.js';
import { type AppWatchHub, STREAM_PATH } from './argo-stream.js';
import type { Scheduler } from './clock.js';
import type { FaultState } from './faults.js';
import { applyHttpFaults, HangingRequests, readBody, sendJson, sendText } from './http-util.js';
import { SelectorError } from './label-selector.js';

export type AdminHandler = (method: string, path: string, body: unknown) => Promise<{ status: number; body: unknown }>;

export interface ArgoServerOptions {
  controller: ArgoController;
  /** GET /api/v1/stream/applications (sim/argo-stream.ts). */
  stream: AppWatchHub;
  faults: FaultState;
  sched: Scheduler;
  users: Record<string, string>;
  tokenTtlMs: number;
  admin: AdminHandler;
}

function b64url(buf: Buffer | string): string {
  return Buffer.from(buf).toString('base64url');
}

/** Issues and checks HS256 JWTs like Argo's session manager; `expireAll` invalidates every issued token. */
export class SessionManager {
  private readonly secret = randomBytes(32);
  private generation = 0;
  constructor(
    private readonly sched: Scheduler,
    private readonly ttlMs: number,
  ) {}

  issue(username: string): string {
    const iat = Math.floor(this.sched.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(
      JSON.stringify({
        iss: 'argocd',
        sub: `${username}:login`,
        iat,
        nbf: iat,
        exp: iat + Math.ceil(this.ttlMs / 1000),
        jti: randomUUID(),
        gen: this.generation,
      }),
    );
    const sig = b64url(createHmac('sha256', this.secret).update(`${header}.${payload}`).digest());
    return `${header}.${payload}.${sig}`;
  }

  /** Returns the username or an error message (`invalid session: …`). */
  verify(token: string): { username: string } | { error: string } {
    const [header, payload, sig] = token.split('.');
    if (!header || !payload || !sig) return { error: 'invalid session: token contains an invalid number of segments' };
    const expected = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'invalid session: signature is invalid' };
    let claims: { sub?: string; exp?: number; gen?: number };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { error: 'invalid session: token is malformed' };
    }
    const now = Math.floor(this.sched.now() / 1000);
    if (claims.gen !== this.generation || (claims.exp ?? 0) <= now)
      return { error: 'invalid session: token has invalid claims: token is expired' };
    return { username: (claims.sub ?? '').replace(/:login$/, '') };
  }

  expireAll(): void {
    this.generation += 1;
  }
}

function argoError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { error: message, code, message });
}

export interface ArgoServer {
  server: Server;
  sessions: SessionManager;
  hanging: HangingRequests;
}

export function createArgoServer(o: ArgoServerOptions): ArgoServer {
  const sessions = new SessionManager(o.sched, o.tokenTtlMs);
  const hanging = new HangingRequests();

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    // argo-cd server/server.go: every non-GET must say exactly application/json.
    if (method !== 'GET' && req.headers['content-type'] !== 'application/json') {
      sendText(res, 415, 'Invalid content type');
      return;
    }
    const text = method === 'GET' ? '' : await readBody(req);
    let body: unknown = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (err) {
        argoError(res, 400, 3, `invalid character in request body: ${(err as Error).message}`);
        return;
      }
    }
    const p = url.pathname.replace(/\/+$/, '');
    if (p === STREAM_PATH && o.stream.unavailable(res)) return;
    if (p === '/api/v1/session' && method === 'POST') {
      const { username, password } = (body ?? {}) as { username?: unknown; password?: unknown };
      if (typeof username !== 'string' || typeof password !== 'string' || o.users[username] !== password) {
        argoError(res, 401, 16, 'Invalid username or password');
        return;
      }
      sendJson(res, 200, { token: sessions.issue(username) });
      return;
    }
    const auth = req.headers.authorization;
    const cookieToken = /(?:^|;\s*)argocd\.token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : cookieToken;
    if (!token) {
      argoError(res, 401, 16, 'no session information');
      return;
    }
    const who = sessions.verify(token);
    if ('error' in who) {
      argoError(res, 401, 16, who.error);
      return;
    }
    const project = url.searchParams.get('project') ?? url.searchParams.get('appNamespace') ?? undefined;
    const c = o.controller;
    if (p === STREAM_PATH && method === 'GET') {
      o.stream.serve(req, res, url);
      return;
    }
    if (p === '/api/v1/applications' && method === 'GET') {
      const items = c.list(url.searchParams.get('selector') ?? undefined, url.searchParams.get('projects') ?? undefined);
      sendJson(res, 200, { metadata: { resourceVersion: String(Date.now()) }, items });
      return;
    }
    const proj = /^\/api\/v1\/projects\/([^/]+)(\/syncwindows)?$/.exec(p);
    if (proj && method === 'GET') {
      const projectName = decodeURIComponent(proj[1] ?? '');
      sendJson(res, 200, proj[2] ? c.projects.projectSyncWindowsJson(projectName) : c.projects.projectJson(projectName));
      return;
    }
    const m = /^\/api\/v1\/applications\/([^/]+)(\/sync|\/syncwindows|\/operation|\/resource-tree|\/managed-resources)?$/.exec(p);
    if (!m) {
      sendText(res, 404, 'Not Found');
      return;
    }
    const name = decodeURIComponent(m[1] ?? '');
    const sub = m[2];
    if (!sub && method === 'GET') {
      const refresh = url.searchParams.get('refresh');
      if (refresh) {
        const app = c.lookup(name, project);
        await c.refresh(app, refresh === 'hard');
      }
      sendJson(res, 200, c.getJson(name, project));
      return;
    }
    if (sub === '/sync' && method === 'POST') {
      const b = (body ?? {}) as SyncRequest & { project?: string };
      sendJson(res, 200, await c.sync(name, b, who.username, project ?? b.project));
      return;
    }
    if (sub === '/operation' && method === 'DELETE') {
      c.terminate(name, project);
      sendJson(res, 200, {});
      return;
    }
    if (sub === '/resource-tree' && method === 'GET') {
      sendJson(res, 200, c.resourceTree(name, project));
      return;
    }
    if (sub === '/syncwindows' && method === 'GET') {
      // Same RBAC lookup as a GET of the app; the windows of its project that apply, judged on the simulator's clock.
      sendJson(res, 200, c.projects.appSyncWindowsJson(c.lookup(name, project)));
      return;
    }
    if (sub === '/managed-resources' && method === 'GET') {
      sendJson(res, 200, c.managedResources(name, project));
      return;
    }
    argoError(res, 405, 12, `method ${method} not allowed`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Go's net/http stamps every answer with the server's clock: here the simulator's.
    res.setHeader('Date', new Date(o.sched.now()).toUTCString());
    try {
      if (url.pathname.startsWith('/sim/admin')) {
        const text = req.method === 'GET' ? '' : await readBody(req);
        const body: unknown = text.trim() === '' ? {} : JSON.parse(text);
        const out = await o.admin(req.method ?? 'GET', url.pathname.slice('/sim/admin'.length) || '/', body);
        sendJson(res, out.status, out.body);
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        const consumed = await applyHttpFaults('argo', o.faults, res, hanging, (status) => ({
          contentType: 'application/json',
          body: JSON.stringify({ error: 'simulated server error', code: status === 503 ? 14 : 13, message: 'simulated server error' }),
        }));
        if (consumed) return;
        await handleApi(req, res, url);
        return;
      }
      if (url.pathname === '/healthz') {
        sendText(res, 200, 'ok');
        return;
      }
      sendText(res, 404, 'Not Found');
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ArgoApiError) argoError(res, err.httpStatus, err.grpcCode, err.message);
      else if (err instanceof SelectorError) argoError(res, 400, 3, err.message);
      else argoError(res, 500, 13, err instanceof Error ? err.message : String(err));
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  // argocd-server's Go http.Server sets no IdleTimeout (nor ReadTimeout): it never closes an idle keep-alive
  // connection, and names no timeout in a Keep-Alive header. Node's default would close it after 5 s.
  server.keepAliveTimeout = 0;
  return { server, sessions, hanging };
}
