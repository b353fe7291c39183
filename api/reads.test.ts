// The read path over the API on a real Postgres: signed cursors (tampering is 400 INVALID_CURSOR), keyset
// pages without duplicates or gaps when many rows share a timestamp, ETag/304 and Cache-Control, gzip, the
// token cache (a revocation is honoured at once in the revoking process, within TOKEN_CACHE_TTL_MS elsewhere),
// and that the list queries are planned on their indexes.
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../test/harness.js';
import { getInstallationId } from '../db/installation.js';
import { createCursorCodec } from './cursor.js';
import { apiHarness, errorOf, SEED_DESCRIPTOR, SEED_TEMPLATE, type ApiHarness } from '../test/api-harness.js';
import { listDeployments } from '../db/deployments.js';
import { deploymentSummary } from './schemas.js';
import { syncWindowParkMessage } from '../domain/promotion.js';
import { readBoard } from '../db/prepared.js';

const db = useTestDatabase();
let h: ApiHarness;
let releaseId: string;
const ENV = 'reads-env';

/** Follows nextCursor to the end; the items of every page in order. */
async function allPages<T>(first: string, key: string, token?: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const sep = first.includes('?') ? '&' : '?';
    const res = await h.call('GET', cursor ? `${first}${sep}cursor=${encodeURIComponent(cursor)}` : first, token ? { token } : {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...(res.body[key] as T[]));
    cursor = res.body.nextCursor as string | null;
    if (!cursor) return items;
  }
  throw new Error('more than 100 pages');
}

beforeAll(async () => {
  h = await apiHarness(db.database);
  expect((await h.call('PUT', '/v1/templates/2.4.0', { body: SEED_TEMPLATE })).status).toBe(201);
  releaseId = (await h.call('POST', '/v2/releases/create/2.4.1', { body: SEED_DESCRIPTOR })).body.releaseId as string;
  const sql = db.database.sql;
  await sql`insert into environments (name, display_order, gitops, argocd, kubernetes)
    values (${ENV}, 1, ${JSON.stringify({ repoUrl: 'https://git.example.com/g.git', branch: 'main', valuesFile: 'v.yaml' })}::jsonb,
            ${JSON.stringify({ url: 'https://argocd.example.com', tokenRef: 'env:FC_SECRET_A', project: 'default', applications: ['app'] })}::jsonb,
            ${JSON.stringify({ apiUrl: 'https://k8s.example.com', tokenRef: 'env:FC_SECRET_K', namespace: 'default' })}::jsonb)`;
  // 23 history records and 23 audit events that all share one timestamp (one transaction: now() is fixed).
  await sql.begin(async (tx) => {
    await tx`insert into deployments (environment, release_id, status, started_by, workflow_id)
      select ${ENV}, ${releaseId}::uuid, case when i % 2 = 0 then 'succeeded' else 'failed' end, 'someone', 'wf-' || i
      from generate_series(1, 23) i`;
    await tx`insert into audit_events (actor, action, subject_type, subject_id)
      select 'same-instant', 'bench.event', 'thing', i::text from generate_series(1, 23) i`;
  });
});

describe('keyset pagination with signed cursors', () => {
  it('pages through history and audit without duplicates or gaps when timestamps are equal', async () => {
    const history = await allPages<{ id: number }>(`/v1/environments/${ENV}/deployment-history?limit=4`, 'deployments');
    const expected = (await db.database.sql`select id from deployments where environment = ${ENV} order by id desc`).map((r) =>
      Number(r.id),
    );
    expect(history.map((d) => d.id)).toEqual(expected);
    const failed = await allPages<{ id: number; status: string }>(
      `/v1/environments/${ENV}/deployment-history?limit=3&status=failed`,
      'deployments',
    );
    expect(failed).toHaveLength(12);
    expect(failed.every((d) => d.status === 'failed')).toBe(true);

    const audit = await allPages<{ id: number; at: string }>('/v1/audit?actor=same-instant&limit=5', 'events');
    expect(new Set(audit.map((e) => e.at)).size).toBe(1);
    const auditIds = (await db.database.sql`select id from audit_events where actor = 'same-instant' order by id desc`).map((r) =>
      Number(r.id),
    );
    expect(audit.map((e) => e.id)).toEqual(auditIds);
    // Unfiltered, across events with different timestamps: every event exactly once, newest first.
    const everything = await allPages<{ id: number; at: string }>('/v1/audit?limit=7', 'events');
    expect(new Set(everything.map((e) => e.id)).size).toBe(everything.length);
    const total = Number((await db.database.sql`select count(*)::int as n from audit_events`)[0]?.n);
    expect(everything).toHaveLength(total);
    const times = everything.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages through releases', async () => {
    for (const v of ['2.4.2', '2.4.3', '2.4.4', '2.4.5']) {
      expect((await h.call('POST', `/v2/releases/create/${v}`, { body: SEED_DESCRIPTOR })).status).toBe(201);
    }
    const pages = await allPages<{ releaseId: string }>('/v2/releases?limit=2', 'releases');
    const expected = (await db.database.sql`select id from releases order by seq desc`).map((r) => r.id as string);
    expect(pages.map((r) => r.releaseId)).toEqual(expected);
  });

  it('answers 400 INVALID_CURSOR to a forged, tampered or borrowed cursor', async () => {
    const page = await h.call('GET', '/v1/audit?limit=1');
    const cursor = page.body.nextCursor as string;
    const [payload, signature] = cursor.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify(['audit', '2999-01-01 00:00:00+00', 999999])).toString('base64url');
    const history = await h.call('GET', `/v1/environments/${ENV}/deployment-history?limit=1`);
    const cases: Array<[string, string]> = [
      ['/v1/audit', '123'],
      ['/v1/audit', `${forgedPayload}.${signature}`],
      // The first character: the last ones carry padding bits a decoder ignores ("…AA" may decode to the same bytes).
      ['/v1/audit', `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`],
      ['/v1/audit', `${payload}.${signature}.x`],
      ['/v1/audit', 'x'.repeat(600)],
      ['/v2/releases', cursor], // an audit cursor on another list
      ['/v1/audit', history.body.nextCursor as string],
      [`/v1/environments/${ENV}/deployment-history`, cursor],
    ];
    for (const [path, bad] of cases) {
      const res = await h.call('GET', `${path}?cursor=${encodeURIComponent(bad)}`);
      expect(res.status, `${path} ${bad}`).toBe(400);
      expect(['INVALID_CURSOR', 'VALIDATION_FAILED']).toContain(errorOf(res.body).code);
    }
    expect(errorOf((await h.call('GET', `/v1/audit?cursor=${forgedPayload}.${signature}`)).body).code).toBe('INVALID_CURSOR');
    expect((await h.call('GET', `/v1/audit?limit=1&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
  });

  it('a correctly signed cursor with an impossible position is 400 too (the key is no secret to GitOps readers)', async () => {
    // Whoever reads a GitOps repository knows the installation id (its commits' trailer), so can sign any position.
    const codec = createCursorCodec(() => getInstallationId(db.database.db));
    const positions: Array<Array<string | number>> = [
      ['not a time', 1],
      ['2026-02-31 00:00:00+00', 1],
      ['2026-01-01 24:00:00+00', 1],
      [`2026-01-01 00:00:00${'0'.repeat(60)}`, 1],
      ['2026-01-01 00:00:00+00', -1],
      ['2026-01-01 00:00:00+00', 'x'],
      [1, 1],
    ];
    for (const position of positions) {
      const forged = await codec.encode('audit', position);
      const res = await h.call('GET', `/v1/audit?cursor=${encodeURIComponent(forged)}`);
      expect(res.status, JSON.stringify(position)).toBe(400);
      expect(errorOf(res.body).code).toBe('INVALID_CURSOR');
    }
    const fine = await codec.encode('audit', ['2999-01-01 00:00:00.5+00', 999999]);
    expect((await h.call('GET', `/v1/audit?cursor=${encodeURIComponent(fine)}`)).status).toBe(200);
  });
});

describe('conditional reads and compression', () => {
  it('sends an ETag with a release, 304 for If-None-Match, and a new tag when its environments change', async () => {
    const first = await h.call('GET', `/v2/releases/${releaseId}`, { token: h.tokens.viewer });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.body.environments).toHaveLength(23);
    expect(first.body.descriptor).toEqual(SEED_DESCRIPTOR);
    const again = await h.call('GET', `/v2/releases/${releaseId}`, { token: h.tokens.viewer, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers.get('etag')).toBe(etag);
    await db.database
      .sql`update environments set current_release_id = ${releaseId}, current_deployment_id = (select max(id) from deployments where environment = ${ENV}) where name = ${ENV}`;
    const changed = await h.call('GET', `/v2/releases/${releaseId}`, { token: h.tokens.viewer, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.body.environments[0]).toMatchObject({ environment: ENV, current: true });
    expect(changed.body.environments.filter((e: { current: boolean }) => e.current)).toHaveLength(1);
  });

  it('marks a diff of two releases immutable', async () => {
    const other = (await h.call('POST', '/v2/releases/create/2.4.6', { body: SEED_DESCRIPTOR })).body.releaseId as string;
    const diff = await h.call('GET', `/v2/releases/${releaseId}/diff/${other}`, { token: h.tokens.viewer });
    expect(diff.status).toBe(200);
    expect(diff.headers.get('cache-control')).toContain('immutable');
    const etag = diff.headers.get('etag') ?? '';
    expect((await h.call('GET', `/v2/releases/${releaseId}/diff/${other}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('gzips a large response when the client accepts it, and only then', async () => {
    const path = `/v1/environments/${ENV}/deployment-history?limit=20`;
    const auth = { authorization: `Bearer ${h.tokens.viewer}` };
    const plain = await h.app.request(path, { headers: auth });
    const plainText = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plainText.length).toBeGreaterThan(2048);
    const zipped = await h.app.request(path, { headers: { ...auth, 'accept-encoding': 'gzip, deflate, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toContain('Accept-Encoding');
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(plainText.length / 3);
    expect(gunzipSync(bytes).toString('utf8')).toBe(plainText);
    const refused = await h.app.request(path, { headers: { ...auth, 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    // Other routes go through the middleware: the token list is small, so it stays uncompressed.
    const small = await h.app.request('/v1/tokens', { headers: { authorization: `Bearer ${h.tokens.admin}`, 'accept-encoding': 'gzip' } });
    expect(small.status).toBe(200);
    expect(small.headers.get('content-encoding')).toBeNull();
  });
});

describe('the history page from prepared rows', () => {
  it('equals deploymentSummary of the drizzle rows: parkReason, nulls, timestamps (text rewritten as ISO) to the millisecond, actions', async () => {
    const sql = db.database.sql;
    const park = syncWindowParkMessage('blocked by sync window "nightly" (deny) until 2026-12-02T06:00:00Z');
    // One environment per case: at most one awaiting_operator promotion per environment.
    const cases: Array<[string, string | null, string | null]> = [
      ['awaiting_operator', park, 'sync-window'],
      ['awaiting_operator', `cluster eu-1: ${park}`, 'sync-window'],
      ['awaiting_operator', 'verify-images failed: image mismatch', 'step-failed'],
      ['awaiting_operator', null, 'step-failed'],
      ['failed', park, null],
      ['succeeded', 'it\'s "done" — ünïcode\n', null],
    ];
    for (const [i, [status, message, parkReason]] of cases.entries()) {
      const env = `reads-summary-${i}`;
      await sql`insert into environments (name, display_order, gitops, argocd, kubernetes)
        select ${env}, 2, gitops, argocd, kubernetes from environments where name = ${ENV}`;
      await sql`insert into deployments (environment, release_id, previous_release_id, status, started_by, workflow_id, run_id,
          message, commit_sha, reason, when_open, scheduled_for, queued_at, started_at, finished_at, created_at, updated_at, actions)
        values (${env}, ${releaseId}, ${releaseId}, ${status}, 'someone', 'wf-summary', 'run-1', ${message}, 'abc123', 'because',
          true, '2026-12-01 10:00:00.123456+00', '2026-12-01 09:00:00.999999+00', now(), null, '2026-12-01 08:00:00.5+00',
          '2026-12-01 07:00:00+00',
          ${JSON.stringify([{ action: 'approve', by: 'ann', at: '2026-12-01T09:30:00.000Z', comment: 'ok "quoted"' }])}::jsonb)`;
      await sql`insert into deployments (environment, release_id, status, started_by, workflow_id)
        values (${env}, ${releaseId}, 'superseded', 'other', 'wf-older')`;
      const page = await h.call('GET', `/v1/environments/${env}/deployment-history?limit=50`);
      expect(page.status).toBe(200);
      const expected = (await listDeployments(db.database.db, { environment: env, limit: 50 })).rows.map(deploymentSummary);
      expect(expected).toHaveLength(2);
      expect(page.body.deployments).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(page.body.deployments.map((d: { parkReason: string | null }) => d.parkReason).sort()).toEqual([null, parkReason].sort());
    }
  });
});

describe('the board from one query', () => {
  it('equals the single-environment view of each environment: configuration members, last deployment, verification, queue', async () => {
    const sql = db.database.sql;
    const env = 'reads-board';
    await sql`insert into environments (name, display_order, gitops, argocd, kubernetes, cluster_name, clusters, upstream,
        approvers, upstream_requires, queue_policy, verification, monitoring, approvals_required)
      select ${env}, 0, gitops, argocd, kubernetes, 'main', ${JSON.stringify([{ name: 'eu-1', argocd: { url: 'https://a.example.com', tokenRef: 'env:FC_SECRET_B', project: 'p', applications: ['x'] }, kubernetes: { apiUrl: 'https://k.example.com', tokenRef: 'env:FC_SECRET_C', namespace: 'n' } }])}::jsonb,
        '{reads-env}', '{ann,bob}', 'verified', 'newest-wins', ${JSON.stringify({ soakSeconds: 60, checks: [] })}::jsonb,
        ${JSON.stringify({ intervalSeconds: 15.5 })}::jsonb, 2
      from environments where name = ${ENV}`;
    const [done] = await sql`insert into deployments (environment, release_id, status, started_by, workflow_id, finished_at)
      values (${env}, ${releaseId}, 'succeeded', 'ann', 'wf-board', '2026-12-01 11:00:00.123789+00') returning id`;
    await sql`insert into deployments (environment, release_id, status, started_by, workflow_id, queued_at)
      values (${env}, ${releaseId}, 'queued', 'bob', 'wf-queued', now())`;
    await sql`update environments set current_release_id = ${releaseId}, current_deployment_id = ${done!.id} where name = ${env}`;
    await sql`insert into release_verifications (deployment_id, environment, release_id, state, soak_until, reason)
      values (${done!.id}, ${env}, ${releaseId}, 'soaking', '2026-12-01 12:00:00.5+00', null)`;
    const board = await h.call('GET', '/v1/environments?live=false');
    expect(board.status).toBe(200);
    const entries = board.body.environments as Array<{ name: string }>;
    expect(entries.length).toBeGreaterThan(3);
    expect(entries[0]).toMatchObject({ name: env, queueLength: 1, verification: { state: 'soaking' } });
    for (const entry of entries) {
      const one = await h.call('GET', `/v1/environments/${entry.name}?live=false`);
      expect(entry, entry.name).toEqual(one.body);
    }
  });

  it('rebuilds an entry only when a row it shows changed, and every change shows at once', async () => {
    const sql = db.database.sql;
    const env = 'reads-board-versions';
    await sql`insert into environments (name, display_order, gitops, argocd, kubernetes)
      select ${env}, 1, gitops, argocd, kubernetes from environments where name = ${ENV}`;
    const boardEqualsSingleViews = async () => {
      const board = await h.call('GET', '/v1/environments?live=false');
      expect(board.status).toBe(200);
      const entries = board.body.environments as Array<{ name: string }>;
      for (const entry of entries)
        expect(entry, entry.name).toEqual((await h.call('GET', `/v1/environments/${entry.name}?live=false`)).body);
      return entries.find((e) => e.name === env) as Record<string, unknown>;
    };
    expect(await boardEqualsSingleViews()).toMatchObject({ lastDeployment: null, queueLength: 0, verification: null });
    // Held entries come back without their rows; a changed one with them.
    const keys = (await readBoard(sql)).map((b) => b.key);
    expect((await readBoard(sql, keys)).every((b) => b.entry === undefined)).toBe(true);

    const [d] = await sql`insert into deployments (environment, release_id, status, started_by, workflow_id)
      values (${env}, ${releaseId}, 'running', 'ann', 'wf-versions') returning id`;
    const changed = await readBoard(sql, keys);
    expect(changed.filter((b) => b.entry).map((b) => b.name)).toEqual([env]);
    expect(await boardEqualsSingleViews()).toMatchObject({ lastDeployment: { status: 'running' } });
    await sql`update deployments set current_step = 'git-commit-push' where id = ${d!.id}`;
    expect(await boardEqualsSingleViews()).toMatchObject({ lastDeployment: { currentStep: 'git-commit-push' } });
    await sql`insert into deployments (environment, release_id, status, started_by, workflow_id, queued_at)
      values (${env}, ${releaseId}, 'queued', 'bob', 'wf-versions-q', now())`;
    expect(await boardEqualsSingleViews()).toMatchObject({ queueLength: 1 });
    await sql`update deployments set status = 'succeeded', finished_at = now() where id = ${d!.id}`;
    await sql`update environments set current_release_id = ${releaseId}, current_deployment_id = ${d!.id}, protected = true where name = ${env}`;
    expect(await boardEqualsSingleViews()).toMatchObject({
      currentDeploymentId: Number(d!.id),
      config: { protected: true },
      lastDeployment: { status: 'succeeded' },
      verification: null,
    });
    await sql`insert into release_verifications (deployment_id, environment, release_id, state)
      values (${d!.id}, ${env}, ${releaseId}, 'soaking')`;
    expect(await boardEqualsSingleViews()).toMatchObject({ verification: { state: 'soaking' } });
    await sql`update release_verifications set state = 'verified', verified_at = now() where deployment_id = ${d!.id}`;
    expect(await boardEqualsSingleViews()).toMatchObject({ verification: { state: 'verified' } });
  });
});

describe('token cache', () => {
  it('honours a revocation at once in this process, and within TOKEN_CACHE_TTL_MS in another', async () => {
    const issued = await h.call('POST', '/v1/tokens', { body: { name: 'short-lived', role: 'viewer' } });
    const token = issued.body.token as string;
    const other = await apiHarness(db.database, { TOKEN_CACHE_TTL_MS: '300' });
    expect((await h.call('GET', '/v2/releases?limit=1', { token })).status).toBe(200);
    expect((await other.call('GET', '/v2/releases?limit=1', { token })).status).toBe(200);
    expect((await h.call('DELETE', `/v1/tokens/${issued.body.id as string}`)).status).toBe(200);
    const here = await h.call('GET', '/v2/releases?limit=1', { token });
    expect(here.status).toBe(401);
    expect(errorOf(here.body).code).toBe('UNAUTHENTICATED');
    // The other process may still trust its cached lookup, but no longer than its TTL.
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 5000) status = (await other.call('GET', '/v2/releases?limit=1', { token })).status;
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(300 + 1500);
  });
});

describe('list plans', () => {
  it('plans each list query on its index', async () => {
    const sql = db.database.sql;
    await sql`insert into audit_events (at, actor, action, subject_type, subject_id)
      select now() - make_interval(secs => i), 'actor-' || (i % 50), 'action-' || (i % 20), 'thing', i::text from generate_series(1, 20000) i`;
    await sql`analyze audit_events`;
    const plan = async (query: string) => (await sql.unsafe(`explain ${query}`)).map((r) => String(r['QUERY PLAN'])).join('\n');
    const cases: Array<[string, string]> = [
      ["select * from audit_events where actor = 'actor-7' order by at desc, id desc limit 101", 'audit_events_actor_idx'],
      ["select * from audit_events where action = 'action-3' order by at desc, id desc limit 101", 'audit_events_action_idx'],
      [
        "select * from audit_events where subject_type = 'thing' and subject_id = '77' order by at desc, id desc limit 101",
        'audit_events_subject_idx',
      ],
      [
        "select * from audit_events where actor = 'actor-7' and (at, id) < (now() - interval '1 hour', 5000) order by at desc, id desc limit 101",
        'audit_events_actor_idx',
      ],
    ];
    for (const [query, index] of cases) {
      const text = await plan(query);
      expect(text, query).toContain(index);
      expect(text, query).not.toMatch(/Seq Scan|Sort/);
    }
  });
});
