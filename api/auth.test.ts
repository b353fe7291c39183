// Access control across the whole API: every protected route answers 401 without a valid token and 403
// to a role below the one it needs; token management, the bootstrap admin token, revocation, scopes,
// and the audit trail (including that no token ever lands in it).
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, testConfig, useTestDatabase } from '../test/harness.js';
import { Client, Connection } from '@temporalio/client';
import { apiRouters } from './routes/index.js';
import { ADMIN_TOKEN, apiHarness, errorOf, SEED_DESCRIPTOR, SEED_TEMPLATE, type ApiHarness } from '../test/api-harness.js';
import { actorOf, hashToken, requireRole } from './auth.js';
import { createApp, createRouter } from './app.js';
import { ApiError } from './errors.js';
import type { Role } from '../domain/roles.js';

const db = useTestDatabase();
let h: ApiHarness;
let releaseId: string;

beforeAll(async () => {
  h = await apiHarness(db.database);
  expect((await h.call('PUT', '/v1/templates/default', { body: SEED_TEMPLATE })).status).toBe(201);
  const created = await h.call('POST', '/v2/releases/create/1.0.0', { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
  releaseId = created.body.releaseId;
});

/** GET /v1/tokens/self on an app of this file's database configured with another FLOW_ADMIN_TOKEN. */
function selfWith(flowAdminToken: string) {
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const app = createApp(
    {
      config: testConfig({ FLOW_ADMIN_TOKEN: flowAdminToken }),
      database: db.database,
      temporal: { connection, client: new Client({ connection }) },
      logger: silentLogger,
    },
    apiRouters(),
  );
  return (token: string) => app.request('/v1/tokens/self', { headers: { authorization: `Bearer ${token}` } });
}

const below: Record<Role, Role | null> = { viewer: null, releaser: 'viewer', promoter: 'releaser', admin: 'promoter' };

/** Every protected route, the least role it needs, and a body that would succeed. */
const routes = (): Array<{ method: string; path: string; role: Role; body?: unknown }> => [
  { method: 'GET', path: '/v1/releases/template/1.0.0', role: 'viewer' },
  { method: 'POST', path: '/v1/releases/template/1.0.0/render', role: 'releaser', body: { values: { RELEASE_TAG: '1' } } },
  { method: 'PUT', path: '/v1/templates/9.9.9', role: 'admin', body: SEED_TEMPLATE },
  { method: 'GET', path: '/v1/templates', role: 'viewer' },
  { method: 'GET', path: '/v1/templates/default', role: 'viewer' },
  { method: 'GET', path: '/v1/templates/default/revisions', role: 'viewer' },
  { method: 'GET', path: '/v1/templates/default/revisions/1', role: 'viewer' },
  { method: 'POST', path: '/v2/releases/create/1.0.0', role: 'releaser', body: SEED_DESCRIPTOR },
  { method: 'POST', path: '/v2/releases/validate/1.0.0', role: 'releaser', body: SEED_DESCRIPTOR },
  { method: 'GET', path: '/v2/releases', role: 'viewer' },
  { method: 'GET', path: `/v2/releases/${releaseId}`, role: 'viewer' },
  { method: 'GET', path: `/v2/releases/${releaseId}/diff/${releaseId}`, role: 'viewer' },
  { method: 'GET', path: '/v1/tokens/self', role: 'viewer' },
  { method: 'GET', path: '/v1/tokens', role: 'admin' },
  { method: 'POST', path: '/v1/tokens', role: 'admin', body: { name: 'x', role: 'viewer' } },
  { method: 'DELETE', path: `/v1/tokens/${crypto.randomUUID()}`, role: 'admin' },
  { method: 'GET', path: '/v1/audit', role: 'admin' },
  { method: 'GET', path: '/v1/environments', role: 'viewer' },
  { method: 'GET', path: '/v1/environments/staging', role: 'viewer' },
  { method: 'GET', path: '/v1/environments/staging/deployment-history', role: 'viewer' },
  { method: 'GET', path: '/v1/environments/staging/deployment-history/1', role: 'viewer' },
  { method: 'GET', path: '/v1/metrics/dora?environment=staging&window=7d', role: 'viewer' },
  { method: 'PUT', path: '/v1/environments/qa', role: 'admin', body: ENVIRONMENT },
  { method: 'PUT', path: '/v1/environments/qa?dryRun=true', role: 'admin', body: ENVIRONMENT },
  { method: 'POST', path: '/v1/environments/staging/preflight', role: 'promoter' },
  { method: 'POST', path: `/v2/releases/${releaseId}/promote`, role: 'promoter', body: { environment: 'staging' } },
  { method: 'POST', path: '/v1/environments/staging/deployment-history/1/approve', role: 'promoter' },
  { method: 'POST', path: '/v1/environments/staging/deployment-history/1/retry', role: 'promoter' },
  { method: 'POST', path: '/v1/environments/staging/deployment-history/1/abort', role: 'promoter', body: { leaveGit: true } },
];

/** A valid environment configuration (secrets by reference). */
const ENVIRONMENT = {
  displayOrder: 1,
  gitops: { repoUrl: 'http://127.0.0.1:9/org/gitops.git' },
  argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:FC_SECRET_ARGOCD_TOKEN' },
  kubernetes: { server: 'https://127.0.0.1:9', namespace: 'staging', tokenRef: 'env:FC_SECRET_K8S_TOKEN' },
};

describe('every protected route', () => {
  it('is 401 without a token, with a malformed header and with an unknown token', async () => {
    for (const r of routes()) {
      for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer fct_not-a-real-token' }] as Array<
        Record<string, string>
      >) {
        const res = await h.call(r.method, r.path, { token: null, headers, ...(r.body ? { body: r.body } : {}) });
        expect(res.status, `${r.method} ${r.path} ${JSON.stringify(headers)}`).toBe(401);
        expect(errorOf(res.body).code).toBe('UNAUTHENTICATED');
        expect(JSON.stringify(res.body)).not.toContain('fct_not-a-real-token');
      }
    }
  });

  it('is 403 for the role just below the one it needs, and passes the guard for that role', async () => {
    for (const r of routes()) {
      const lower = below[r.role];
      if (lower) {
        const res = await h.call(r.method, r.path, { token: h.tokens[lower], ...(r.body ? { body: r.body } : {}) });
        expect(res.status, `${r.method} ${r.path} as ${lower}`).toBe(403);
        expect(errorOf(res.body).code).toBe('FORBIDDEN');
      }
      const ok = await h.call(r.method, r.path, { token: h.tokens[r.role], ...(r.body ? { body: r.body } : {}) });
      expect([401, 403], `${r.method} ${r.path} as ${r.role}`).not.toContain(ok.status);
    }
  });

  it('keeps /healthz, /livez, /readyz, /openapi.json and /docs public, and documents bearer auth on API routes', async () => {
    expect((await h.call('GET', '/openapi.json', { token: null })).status).toBe(200);
    expect((await h.call('GET', '/docs', { token: null })).status).toBe(200);
    expect([200, 503]).toContain((await h.call('GET', '/healthz', { token: null })).status);
    expect([200, 503]).toContain((await h.call('GET', '/readyz', { token: null })).status);
    expect((await h.call('GET', '/livez', { token: null })).status).toBe(200);
    const doc = (await h.call('GET', '/openapi.json', { token: null })).body;
    expect(doc.paths['/v2/releases/create/{productVersion}'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('tokens', () => {
  it('issues a token shown once, stored only as a hash, usable at once', async () => {
    const res = await h.call('POST', '/v1/tokens', { body: { name: 'ci-bot', role: 'releaser' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'ci-bot', role: 'releaser', scopes: [], revokedAt: null });
    expect(res.body.token).toMatch(/^fct_[A-Za-z0-9_-]{43}$/);
    const rows = await db.database.sql`select token_hash from api_tokens where id = ${res.body.id}`;
    expect(rows[0]?.token_hash).toBe(hashToken(res.body.token));
    const self = await h.call('GET', '/v1/tokens/self', { token: res.body.token });
    expect(self.body).toMatchObject({ id: res.body.id, role: 'releaser' });
    const list = await h.call('GET', '/v1/tokens');
    expect(JSON.stringify(list.body)).not.toContain(res.body.token);
    expect(JSON.stringify(list.body)).not.toContain(hashToken(res.body.token));
  });

  it('binds a token to a principal (default: its name), shown in /self and the list', async () => {
    const laptop = await h.call('POST', '/v1/tokens', { body: { name: 'alice-laptop', principal: 'alice', role: 'viewer' } });
    expect(laptop.status).toBe(201);
    expect(laptop.body).toMatchObject({ name: 'alice-laptop', principal: 'alice' });
    const plain = await h.call('POST', '/v1/tokens', { body: { name: 'bob', role: 'viewer' } });
    expect(plain.body.principal).toBe('bob');
    expect((await h.call('GET', '/v1/tokens/self', { token: laptop.body.token })).body.principal).toBe('alice');
  });

  it('rejects invalid token requests with 400', async () => {
    for (const body of [
      { name: 'p', role: 'promoter' },
      { name: 'v', role: 'viewer', scopes: ['dev'] },
      { name: 'x', role: 'root' },
      { name: '', role: 'viewer' },
      { name: 'x', role: 'promoter', scopes: ['Not An Env'] },
      { name: 'x', role: 'viewer', extra: 1 },
      // Reserved: the system's own actor names (finding 11).
      { name: 'system', role: 'promoter', scopes: ['*'] },
      { name: 'temporal-cancel', role: 'viewer' },
      { name: 'ok-name', principal: 'SYSTEM', role: 'viewer' },
    ]) {
      const res = await h.call('POST', '/v1/tokens', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res.body).code).toBe('VALIDATION_FAILED');
    }
  });

  it('revokes: the token stops working at once; revoking again is 409; unknown is 404', async () => {
    const issued = await h.call('POST', '/v1/tokens', { body: { name: 'temp', role: 'viewer' } });
    expect((await h.call('GET', '/v1/tokens/self', { token: issued.body.token })).status).toBe(200);
    const revoked = await h.call('DELETE', `/v1/tokens/${issued.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await h.call('GET', '/v1/tokens/self', { token: issued.body.token });
    expect(after.status).toBe(401);
    expect(errorOf(after.body).message).toMatch(/revoked/);
    expect((await h.call('DELETE', `/v1/tokens/${issued.body.id}`)).status).toBe(409);
    expect(errorOf((await h.call('DELETE', `/v1/tokens/${crypto.randomUUID()}`)).body).code).toBe('TOKEN_NOT_FOUND');
    expect((await h.call('DELETE', '/v1/tokens/not-a-uuid')).status).toBe(400);
  });

  it('stores the bootstrap admin token hashed on first use, once', async () => {
    const rows = await db.database.sql`select name, role, token_hash from api_tokens where created_by = 'FLOW_ADMIN_TOKEN'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'bootstrap-admin', role: 'admin', token_hash: hashToken(ADMIN_TOKEN) });
    const dump = await db.database.sql`select * from api_tokens`;
    expect(JSON.stringify(dump)).not.toContain(ADMIN_TOKEN);
  });

  it('an unknown token is 401 whatever FLOW_ADMIN_TOKEN is', async () => {
    const res = await selfWith('fct_a-different-bootstrap-token-000000')('fct_guess-guess-guess-guess-guess');
    expect(res.status).toBe(401);
  });

  it('rotating FLOW_ADMIN_TOKEN revokes the stored bootstrap token (finding 17)', async () => {
    const rotated = 'fct_rotated-bootstrap-admin-token-9876543210';
    const self = selfWith(rotated);
    expect((await self(ADMIN_TOKEN)).status).toBe(401); // stored earlier by this file's harness, no longer configured
    expect((await self(rotated)).status).toBe(200);
    expect((await h.call('GET', '/v1/tokens/self')).status).toBe(200); // the app that still has the old value
  });
});

describe('requireRole with environment scopes (for the promotion routes)', () => {
  it('lets a promoter act only within its scopes; admins everywhere; releasers nowhere', async () => {
    const probe = createRouter();
    probe.get('/probe/:env', requireRole('promoter', { environment: (c) => c.req.param('env') }), (c) =>
      c.json({ actor: actorOf(c).name }),
    );
    const scoped = await apiHarness(db.database, {}, [['/', probe]]);
    const status = async (env: string, token: string) => (await scoped.call('GET', `/probe/${env}`, { token })).status;
    expect(await status('staging', scoped.tokens.promoter)).toBe(200); // scopes: ['staging']
    expect(await status('prod', scoped.tokens.promoter)).toBe(403);
    expect(await status('prod', scoped.tokens.admin)).toBe(200);
    expect(await status('dev', scoped.tokens.releaser)).toBe(403);
    const star = (await scoped.call('POST', '/v1/tokens', { body: { name: 'p-all', role: 'promoter', scopes: ['*'] } })).body
      .token as string;
    expect(await status('prod', star)).toBe(200);
    expect(await status('prod', 'fct_nope-nope-nope-nope')).toBe(401);
  });
});

describe('audit', () => {
  it('records every mutation with actor, action, subject and request id, filterable, never with a token', async () => {
    const put = await h.call('PUT', '/v1/templates/7.0.0', {
      body: SEED_TEMPLATE,
      token: h.tokens.admin,
      headers: { 'x-request-id': 'req-audit-1' },
    });
    expect(put.status).toBe(201);
    const res = await h.call('GET', '/v1/audit?action=template.revision.create&subjectId=7.0.0%401');
    expect(res.status).toBe(200);
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({
      actor: 'bootstrap-admin',
      action: 'template.revision.create',
      subjectType: 'template',
      subjectId: '7.0.0@1',
      requestId: 'req-audit-1',
      details: { key: '7.0.0', revision: 1 },
    });
    const all = await h.call('GET', '/v1/audit?limit=500');
    const actions = new Set(all.body.events.map((e: { action: string }) => e.action));
    for (const action of ['token.bootstrap', 'token.create', 'token.revoke', 'template.revision.create', 'release.create'])
      expect(actions).toContain(action);
    const text = JSON.stringify(all.body);
    expect(text).not.toContain(ADMIN_TOKEN);
    for (const token of Object.values(h.tokens)) expect(text).not.toContain(token);
  });

  it('pages newest first with a cursor, and filters by actor and time', async () => {
    const first = await h.call('GET', '/v1/audit?limit=2');
    expect(first.body.events).toHaveLength(2);
    expect(first.body.events[0].id).toBeGreaterThan(first.body.events[1].id);
    const second = await h.call('GET', `/v1/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.events[0].id).toBeLessThan(first.body.events[1].id);
    const mine = await h.call('GET', '/v1/audit?actor=releaser-1');
    expect(mine.body.events.every((e: { actor: string }) => e.actor === 'releaser-1')).toBe(true);
    const future = await h.call('GET', `/v1/audit?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.body.events).toEqual([]);
    expect((await h.call('GET', '/v1/audit?since=yesterday')).status).toBe(400);
    expect((await h.call('GET', '/v1/audit?limit=0')).status).toBe(400);
  });

  it('a failed mutation writes no audit event', async () => {
    const before = await db.database.sql`select count(*)::int as n from audit_events`;
    const bad = await h.call('PUT', '/v1/templates/8.0.0', { body: { core: {} }, token: h.tokens.admin });
    expect(bad.status).toBe(422);
    const after = await db.database.sql`select count(*)::int as n from audit_events`;
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

describe('ApiError never echoes a token', () => {
  it('401 messages name the problem, not the credential', () => {
    expect(new ApiError('UNAUTHENTICATED', 'Unknown API token').message).not.toMatch(/fct_/);
  });
});
