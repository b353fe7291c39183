// Release Service over the API: create (201 contract), the 422 report, overrides, dry run, idempotency,
// reads, listing with keyset pagination, diff, and that nothing but create writes a release.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, SEED_DESCRIPTOR, SEED_TEMPLATE, type ApiHarness } from '../../test/api-harness.js';
import { digestOf } from '../../domain/digest.js';

const db = useTestDatabase();
let h: ApiHarness;
const GATEWAY_TAG = 'infra.gateway.Deployment.containers.gateway.tag';

const descriptor = (apiTag: string, gatewayTag = 'stable') => ({
  core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: apiTag } } } } },
  infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: gatewayTag } } } } },
});
const count = async () => Number((await db.database.sql`select count(*)::int as n from releases`)[0]?.n);

beforeAll(async () => {
  h = await apiHarness(db.database);
  expect((await h.call('PUT', '/v1/templates/2.4.0', { body: SEED_TEMPLATE, token: h.tokens.admin })).status).toBe(201);
});

describe('POST /v2/releases/create/:productVersion', () => {
  it('stores the descriptor with a UUID, digest and template revision: 201 { releaseId, status }', async () => {
    const res = await h.call('POST', '/v2/releases/create/2.4.1', { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
    expect(res.status).toBe(201);
    expect(res.body.releaseId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.body.status).toBe('created');
    expect(res.body).toMatchObject({ productVersion: '2.4.1', template: { key: '2.4.0', revision: 1 }, digest: digestOf(SEED_DESCRIPTOR) });
    expect(res.headers.get('location')).toBe(`/v2/releases/${res.body.releaseId}`);
    const [row] = await db.database
      .sql`select descriptor, digest, template_key, template_revision, created_by from releases where id = ${res.body.releaseId}`;
    expect(row).toMatchObject({
      descriptor: SEED_DESCRIPTOR,
      digest: digestOf(SEED_DESCRIPTOR),
      template_key: '2.4.0',
      template_revision: 1,
      created_by: 'releaser-1',
    });
    const audit = await db.database.sql`select actor, action from audit_events where subject_id = ${res.body.releaseId}`;
    expect(audit).toEqual([{ actor: 'releaser-1', action: 'release.create' }]);
  });

  it('gives the same digest for the same descriptor in another key order and whitespace', async () => {
    const reordered = `{"infra":{"gateway":{"Deployment":{"containers":{"gateway":{"tag":"stable","repo":"org/gateway"}}}}},
      "core" : { "api": {"Deployment": {"containers": {"api": {"tag": "1.4.2", "repo": "org/api"}}}}}}`;
    const res = await h.call('POST', '/v2/releases/create/2.4.1', { rawBody: reordered, token: h.tokens.releaser });
    expect(res.status).toBe(201);
    expect(res.body.digest).toBe(digestOf(SEED_DESCRIPTOR));
  });

  it('is 422 RELEASE_INVALID with every problem at once, storing nothing', async () => {
    const before = await count();
    const res = await h.call('POST', '/v2/releases/create/2.4.1', {
      body: {
        core: { api: { Deployment: { containers: { api: { repo: 'evil/api', tag: '<RELEASE_TAG>' } } } } },
        infra: { gateway: descriptor('1', 'latest').infra.gateway },
        x: { y: {} },
      },
      token: h.tokens.releaser,
    });
    expect(res.status).toBe(422);
    const error = errorOf(res.body);
    expect(error.code).toBe('RELEASE_INVALID');
    expect(error.details.problems.map((p: { path: string; code: string }) => [p.path, p.code])).toEqual([
      ['core.api.Deployment.containers.api.repo', 'REPOSITORY_NOT_ALLOWED'],
      ['core.api.Deployment.containers.api.tag', 'PLACEHOLDER_UNFILLED'],
      [GATEWAY_TAG, 'PINNED_VALUE_OVERRIDDEN'],
      ['x', 'UNKNOWN_GROUP'],
      ['x.y', 'INVALID_SHAPE'],
    ]);
    expect(error.details.template).toEqual({ key: '2.4.0', revision: 1 });
    expect(await count()).toBe(before);
  });

  it('accepts an acknowledged override and shows it in the release', async () => {
    const res = await h.call('POST', `/v2/releases/create/2.4.1?acknowledgeOverride=${GATEWAY_TAG}`, {
      body: descriptor('1.5.0', '1.25'),
      token: h.tokens.releaser,
    });
    expect(res.status).toBe(201);
    const override = { path: GATEWAY_TAG, templateValue: 'stable', value: '1.25' };
    expect(res.body.acknowledgedOverrides).toEqual([override]);
    const details = await h.call('GET', `/v2/releases/${res.body.releaseId}`, { token: h.tokens.viewer });
    expect(details.body.acknowledgedOverrides).toEqual([override]);
  });

  it('rejects an acknowledgement that overrides nothing', async () => {
    const res = await h.call('POST', `/v2/releases/create/2.4.1?acknowledgeOverride=${GATEWAY_TAG},core.api`, {
      body: SEED_DESCRIPTOR,
      token: h.tokens.releaser,
    });
    expect(res.status).toBe(422);
    expect(errorOf(res.body).details.problems.map((p: { code: string }) => p.code)).toEqual(['OVERRIDE_ACK_UNUSED', 'OVERRIDE_ACK_UNUSED']);
  });

  it('is 400 for an invalid product version (default included), 404 when no template resolves', async () => {
    for (const v of ['v2.4.1', 'default', '2.4']) {
      const res = await h.call('POST', `/v2/releases/create/${v}`, { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
      expect(res.status, v).toBe(400);
      expect(errorOf(res.body).code).toBe('INVALID_PRODUCT_VERSION');
    }
    const res = await h.call('POST', '/v2/releases/create/9.0.0', { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
    expect(res.status).toBe(404);
    expect(errorOf(res.body).code).toBe('TEMPLATE_NOT_FOUND');
  });
});

describe('Idempotency-Key', () => {
  it('a retry returns the same release (200, Idempotent-Replayed) and stores one row', async () => {
    const headers = { 'idempotency-key': 'ci-run-1' };
    const before = await count();
    const first = await h.call('POST', '/v2/releases/create/2.4.2', { body: descriptor('2.4.2'), token: h.tokens.releaser, headers });
    const retry = await h.call('POST', '/v2/releases/create/2.4.2', { body: descriptor('2.4.2'), token: h.tokens.releaser, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.releaseId).toBe(first.body.releaseId);
    expect(retry.body.status).toBe('created');
    expect(await count()).toBe(before + 1);
  });

  it('concurrent retries create exactly one release', async () => {
    const headers = { 'idempotency-key': 'ci-run-race' };
    const before = await count();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.call('POST', '/v2/releases/create/2.4.3', { body: descriptor('2.4.3'), token: h.tokens.releaser, headers }),
      ),
    );
    expect(new Set(results.map((r) => r.body.releaseId)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await count()).toBe(before + 1);
  });

  it('the same key with a different body is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const headers = { 'idempotency-key': 'ci-run-2' };
    await h.call('POST', '/v2/releases/create/2.4.4', { body: descriptor('2.4.4'), token: h.tokens.releaser, headers });
    const other = await h.call('POST', '/v2/releases/create/2.4.4', { body: descriptor('2.4.5'), token: h.tokens.releaser, headers });
    expect(other.status).toBe(422);
    expect(errorOf(other.body).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('keys are scoped to the calling token, and must be printable ASCII', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await h.call('POST', '/v2/releases/create/2.4.6', { body: descriptor('2.4.6'), token: h.tokens.releaser, headers });
    const b = await h.call('POST', '/v2/releases/create/2.4.6', { body: descriptor('2.4.6'), token: h.tokens.admin, headers });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.releaseId).not.toBe(b.body.releaseId);
    const bad = await h.call('POST', '/v2/releases/create/2.4.6', {
      body: descriptor('2.4.6'),
      token: h.tokens.releaser,
      headers: { 'idempotency-key': 'x'.repeat(256) },
    });
    expect(bad.status).toBe(400);
  });
});

describe('POST /v2/releases/validate/:productVersion (dry run)', () => {
  it('reports what create would store, and stores nothing', async () => {
    const before = await count();
    const ok = await h.call('POST', '/v2/releases/validate/2.4.1', { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      valid: true,
      productVersion: '2.4.1',
      template: { key: '2.4.0', revision: 1 },
      digest: digestOf(SEED_DESCRIPTOR),
      acknowledgedOverrides: [],
      problems: [],
    });
    const bad = await h.call('POST', '/v2/releases/validate/2.4.1', { body: descriptor('1', 'latest'), token: h.tokens.releaser });
    expect(bad.status).toBe(422);
    expect(errorOf(bad.body).details.problems).toEqual([
      {
        path: GATEWAY_TAG,
        code: 'PINNED_VALUE_OVERRIDDEN',
        message: '"latest" differs from the template\'s pinned "stable"; acknowledge the override to allow it',
      },
    ]);
    expect(await count()).toBe(before);
  });
});

describe('reads', () => {
  it('GET /v2/releases/:id returns the full release; unknown is 404; malformed id 400', async () => {
    const created = await h.call('POST', '/v2/releases/create/2.4.7', { body: descriptor('2.4.7'), token: h.tokens.releaser });
    const res = await h.call('GET', `/v2/releases/${created.body.releaseId}`, { token: h.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      releaseId: created.body.releaseId,
      productVersion: '2.4.7',
      template: { key: '2.4.0', revision: 1 },
      digest: digestOf(descriptor('2.4.7')),
      descriptor: descriptor('2.4.7'),
      acknowledgedOverrides: [],
      createdBy: { name: 'releaser-1' },
      idempotencyKey: null,
    });
    expect(Date.parse(res.body.createdAt)).not.toBeNaN();
    expect(errorOf((await h.call('GET', `/v2/releases/${crypto.randomUUID()}`, { token: h.tokens.viewer })).body).code).toBe(
      'RELEASE_NOT_FOUND',
    );
    expect((await h.call('GET', '/v2/releases/not-a-uuid', { token: h.tokens.viewer })).status).toBe(400);
  });

  it('accepts an unambiguous id prefix (8+ hex digits) wherever a release is named, and says which ones match otherwise', async () => {
    const created = await h.call('POST', '/v2/releases/create/2.4.8', { body: descriptor('2.4.8'), token: h.tokens.releaser });
    const id = created.body.releaseId as string;
    const got = await h.call('GET', `/v2/releases/${id.slice(0, 8)}`, { token: h.tokens.viewer });
    expect(got.status).toBe(200);
    expect(got.body.releaseId).toBe(id);
    expect((await h.call('GET', `/v2/releases/${id.slice(0, 13).toUpperCase()}`, { token: h.tokens.viewer })).body.releaseId).toBe(id);
    expect((await h.call('GET', `/v2/releases/${id.slice(0, 8)}/diff/${id}`, { token: h.tokens.viewer })).status).toBe(200);
    // Two releases whose ids share their first 8 hex digits (stored with chosen ids, copies of the one above).
    for (const suffix of ['1', '2']) {
      await db.database
        .sql`insert into releases (id, product_version, template_key, template_revision, descriptor, digest, overrides, created_by, created_by_token_id, request_digest)
        select ${`abcdef01-0000-4000-8000-00000000000${suffix}`}::uuid, product_version, template_key, template_revision, descriptor, digest, overrides, created_by, created_by_token_id, request_digest
        from releases where id = ${id}`;
    }
    const ambiguous = await h.call('GET', '/v2/releases/abcdef01', { token: h.tokens.viewer });
    expect(ambiguous.status).toBe(400);
    expect(errorOf(ambiguous.body)).toMatchObject({ code: 'AMBIGUOUS_RELEASE_ID', details: { candidates: [{}, {}] } });
    expect(errorOf(ambiguous.body).message).toMatch(/abcdef01-0000-4000-8000-000000000001 \(2\.4\.8\).*give more digits/);
    expect((await h.call('GET', '/v2/releases/abcdef01-0000-4000-8000-00000000000', { token: h.tokens.viewer })).status).toBe(400);
    expect((await h.call('GET', '/v2/releases/abcdef01-0000-4000-8000-000000000002', { token: h.tokens.viewer })).status).toBe(200);
    expect(errorOf((await h.call('GET', '/v2/releases/00000000', { token: h.tokens.viewer })).body).code).toBe('RELEASE_NOT_FOUND');
    expect((await h.call('GET', '/v2/releases/abc', { token: h.tokens.viewer })).status).toBe(400);
  });

  it('GET /v2/releases lists newest first, filters, and pages with a cursor', async () => {
    for (const v of ['5.0.1', '5.0.2', '5.0.3']) {
      await h.call('PUT', '/v1/templates/5.0.0', { body: SEED_TEMPLATE, token: h.tokens.admin });
      expect((await h.call('POST', `/v2/releases/create/${v}`, { body: descriptor(v), token: h.tokens.admin })).status).toBe(201);
    }
    const page1 = await h.call('GET', '/v2/releases?limit=2&createdBy=bootstrap-admin', { token: h.tokens.viewer });
    expect(page1.body.releases.map((r: { productVersion: string }) => r.productVersion).slice(0, 2)).toEqual(['5.0.3', '5.0.2']);
    expect(page1.body.releases[0]).not.toHaveProperty('descriptor');
    const page2 = await h.call('GET', `/v2/releases?limit=2&createdBy=bootstrap-admin&cursor=${page1.body.nextCursor}`, {
      token: h.tokens.viewer,
    });
    expect(page2.body.releases[0].productVersion).toBe('5.0.1');
    const byVersion = await h.call('GET', '/v2/releases?productVersion=5.0.2', { token: h.tokens.viewer });
    expect(byVersion.body).toMatchObject({ releases: [{ productVersion: '5.0.2' }], nextCursor: null });
    const tokenId = byVersion.body.releases[0].createdBy.tokenId;
    const byTokenId = await h.call('GET', `/v2/releases?createdBy=${tokenId}&limit=200`, { token: h.tokens.viewer });
    expect(byTokenId.body.releases.every((r: { createdBy: { tokenId: string } }) => r.createdBy.tokenId === tokenId)).toBe(true);
    expect((await h.call('GET', '/v2/releases?limit=1000', { token: h.tokens.viewer })).status).toBe(400);
    expect((await h.call('GET', '/v2/releases?cursor=abc', { token: h.tokens.viewer })).status).toBe(400);
  });

  it('GET /v2/releases/:a/diff/:b reports component changes and overrides', async () => {
    const a = await h.call('POST', '/v2/releases/create/2.4.8', { body: descriptor('2.4.8'), token: h.tokens.releaser });
    const b = await h.call('POST', `/v2/releases/create/2.4.9?acknowledgeOverride=${GATEWAY_TAG}`, {
      body: descriptor('2.4.9', '1.26'),
      token: h.tokens.releaser,
    });
    const res = await h.call('GET', `/v2/releases/${a.body.releaseId}/diff/${b.body.releaseId}`, { token: h.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      from: a.body.releaseId,
      to: b.body.releaseId,
      identical: false,
      changes: [
        { type: 'image-changed', path: 'core.api.containers.api', tag: { from: '2.4.8', to: '2.4.9' }, repo: null },
        { type: 'image-changed', path: 'infra.gateway.containers.gateway', tag: { from: 'stable', to: '1.26' } },
      ],
      overrides: [{ path: GATEWAY_TAG, change: 'added' }],
    });
    const same = await h.call('GET', `/v2/releases/${a.body.releaseId}/diff/${a.body.releaseId}`, { token: h.tokens.viewer });
    expect(same.body.identical).toBe(true);
    expect((await h.call('GET', `/v2/releases/${a.body.releaseId}/diff/${crypto.randomUUID()}`, { token: h.tokens.viewer })).status).toBe(
      404,
    );
  });

  it('no API route modifies or deletes a release', async () => {
    const created = await h.call('POST', '/v2/releases/create/2.4.1', { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await h.call(method, `/v2/releases/${created.body.releaseId}`, { body: descriptor('9'), token: h.tokens.admin });
      expect(res.status, method).toBe(404);
    }
    const res = await h.call('GET', `/v2/releases/${created.body.releaseId}`, { token: h.tokens.viewer });
    expect(res.body.descriptor).toEqual(SEED_DESCRIPTOR);
  });
});
