// Template Service over the API: saving revisions, semver fallback as seen by clients, the render helper.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, SEED_TEMPLATE, type ApiHarness } from '../../test/api-harness.js';

const db = useTestDatabase();
let h: ApiHarness;

const tpl = (tag: string) => ({ core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag } } } } } });

beforeAll(async () => {
  h = await apiHarness(db.database);
  for (const [key, tag] of [
    ['default', 'default-<T>'],
    ['2.4.0', 'v240-<T>'],
    ['2.4.1', 'v241-<T>'],
    ['2.5.0-rc.1', 'rc-<T>'],
  ] as const) {
    expect((await h.call('PUT', `/v1/templates/${key}`, { body: tpl(tag), token: h.tokens.admin })).status).toBe(201);
  }
});

async function resolved(version: string) {
  const res = await h.call('GET', `/v1/releases/template/${encodeURIComponent(version)}`, { token: h.tokens.viewer });
  return {
    status: res.status,
    key: res.headers.get('x-template-key'),
    tag: res.body?.core?.api?.Deployment?.containers?.api?.tag,
    body: res.body,
  };
}

describe('GET /v1/releases/template/:productVersion (semver fallback)', () => {
  it.each([
    ['2.4.1', '2.4.1', 'exact'],
    ['2.4.7', '2.4.0', '.0 fallback'],
    ['2.6.3', 'default', 'default fallback'],
    ['default', 'default', 'default by name'],
    ['2.4.1-rc.2', '2.4.1', 'pre-release without its own template → its release version'],
    ['2.4.3-rc.1', '2.4.0', 'pre-release → .0 of its minor'],
    ['2.5.0-rc.1', '2.5.0-rc.1', 'pre-release with its own template'],
    ['2.5.0-rc.2', 'default', 'another pre-release of 2.5.0 (no 2.5.0 template) → default'],
    ['2.4.1+build.9', '2.4.1', 'build metadata is ignored'],
  ])('%s → %s (%s)', async (version, key) => {
    const r = await resolved(version);
    expect(r.status).toBe(200);
    expect(r.key).toBe(key);
  });

  it('returns the template JSON itself with key, revision and digest in headers', async () => {
    const res = await h.call('GET', '/v1/releases/template/2.4.1', { token: h.tokens.viewer });
    expect(res.body).toEqual(tpl('v241-<T>'));
    expect(res.headers.get('x-template-revision')).toBe('1');
    expect(res.headers.get('x-template-digest')).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(res.headers.get('content-location')).toBe('/v1/templates/2.4.1/revisions/1');
  });

  it('is 400 INVALID_PRODUCT_VERSION for a non-semver version', async () => {
    for (const v of ['v2.4.1', '2.4', 'latest', '2.4.1.0']) {
      const res = await h.call('GET', `/v1/releases/template/${v}`, { token: h.tokens.viewer });
      expect(res.status, v).toBe(400);
      expect(errorOf(res.body).code).toBe('INVALID_PRODUCT_VERSION');
    }
  });

  it('is 404 TEMPLATE_NOT_FOUND when nothing resolves', async () => {
    const empty = await emptyHarness();
    const res = await empty.call('GET', '/v1/releases/template/1.0.0', { token: empty.tokens.viewer });
    expect(res.status).toBe(404);
    expect(errorOf(res.body)).toMatchObject({ code: 'TEMPLATE_NOT_FOUND', details: { tried: ['1.0.0', 'default'] } });
  });
});

/** A harness on a database with no templates: the shared one has a default. */
const emptyDb = useTestDatabase();
function emptyHarness() {
  return apiHarness(emptyDb.database);
}

describe('PUT /v1/templates/:key', () => {
  it('accepts the seed example as is and appends revisions; identical content is 200 with no new revision', async () => {
    const first = await h.call('PUT', '/v1/templates/3.0.0', { body: SEED_TEMPLATE, token: h.tokens.admin });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ key: '3.0.0', revision: 1, createdBy: 'bootstrap-admin', template: SEED_TEMPLATE });
    const again = await h.call('PUT', '/v1/templates/3.0.0', { rawBody: JSON.stringify(SEED_TEMPLATE, null, 2), token: h.tokens.admin });
    expect(again.status).toBe(200);
    expect(again.body.revision).toBe(1);
    const second = await h.call('PUT', '/v1/templates/3.0.0', { body: tpl('<T>'), token: h.tokens.admin });
    expect(second.body.revision).toBe(2);
    const revisions = await h.call('GET', '/v1/templates/3.0.0/revisions', { token: h.tokens.viewer });
    expect(revisions.body.revisions.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
    const old = await h.call('GET', '/v1/templates/3.0.0/revisions/1', { token: h.tokens.viewer });
    expect(old.body.template).toEqual(SEED_TEMPLATE);
    const latest = await h.call('GET', '/v1/templates/3.0.0', { token: h.tokens.viewer });
    expect(latest.body.revision).toBe(2);
  });

  it('is 422 TEMPLATE_INVALID with every problem', async () => {
    const res = await h.call('PUT', '/v1/templates/3.1.0', {
      body: { core: { api: { Job: {} }, web: { Deployment: { containers: { web: { repo: 'Bad//Repo', tag: '<lower>' } } } } } },
      token: h.tokens.admin,
    });
    expect(res.status).toBe(422);
    const error = errorOf(res.body);
    expect(error.code).toBe('TEMPLATE_INVALID');
    expect(error.details.problems.map((p: { path: string; code: string }) => [p.path, p.code])).toEqual([
      ['core.api.Job', 'UNKNOWN_WORKLOAD_KIND'],
      ['core.web.Deployment.containers.web.repo', 'INVALID_REPOSITORY'],
      ['core.web.Deployment.containers.web.tag', 'INVALID_PLACEHOLDER'],
    ]);
    expect((await h.call('GET', '/v1/templates/3.1.0', { token: h.tokens.viewer })).status).toBe(404);
  });

  it('rejects keys that are not semver or default, and build metadata', async () => {
    for (const key of ['latest', 'v1.0.0', '1.0.0+b1']) {
      const res = await h.call('PUT', `/v1/templates/${encodeURIComponent(key)}`, { body: SEED_TEMPLATE, token: h.tokens.admin });
      expect(res.status, key).toBe(400);
      expect(errorOf(res.body).code).toBe('INVALID_PRODUCT_VERSION');
    }
  });

  it('rejects a non-JSON body with 415 and malformed JSON with 400', async () => {
    expect(
      (await h.call('PUT', '/v1/templates/3.2.0', { rawBody: 'x', headers: { 'content-type': 'text/plain' }, token: h.tokens.admin }))
        .status,
    ).toBe(415);
    expect((await h.call('PUT', '/v1/templates/3.2.0', { rawBody: '{', token: h.tokens.admin })).status).toBe(400);
  });
});

describe('GET /v1/templates', () => {
  it('lists keys newest version first, default last, with revision counts', async () => {
    const res = await h.call('GET', '/v1/templates', { token: h.tokens.viewer });
    expect(res.status).toBe(200);
    const keys = res.body.templates.map((t: { key: string }) => t.key);
    expect(keys.at(-1)).toBe('default');
    expect(keys.indexOf('3.0.0')).toBeLessThan(keys.indexOf('2.5.0-rc.1'));
    expect(keys.indexOf('2.5.0-rc.1')).toBeLessThan(keys.indexOf('2.4.1'));
    expect(res.body.templates.find((t: { key: string }) => t.key === '3.0.0')).toMatchObject({ revision: 2, revisions: 2 });
  });

  it('GET of unknown key or revision is 404, of a bad revision number 400', async () => {
    expect(errorOf((await h.call('GET', '/v1/templates/9.9.9', { token: h.tokens.viewer })).body).code).toBe('TEMPLATE_NOT_FOUND');
    expect((await h.call('GET', '/v1/templates/9.9.9/revisions', { token: h.tokens.viewer })).status).toBe(404);
    expect((await h.call('GET', '/v1/templates/2.4.1/revisions/7', { token: h.tokens.viewer })).status).toBe(404);
    expect((await h.call('GET', '/v1/templates/2.4.1/revisions/zero', { token: h.tokens.viewer })).status).toBe(400);
  });
});

describe('POST /v1/releases/template/:productVersion/render', () => {
  it('fills placeholders into a descriptor that validates, dropping optional markers', async () => {
    const template = {
      core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG>' } } } } },
      infra: { gateway: { Deployment: { optional: true, containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
    };
    await h.call('PUT', '/v1/templates/4.0.0', { body: template, token: h.tokens.admin });
    const res = await h.call('POST', '/v1/releases/template/4.0.3/render', {
      body: { values: { RELEASE_TAG: '4.0.3', EXTRA: 'x' } },
      token: h.tokens.releaser,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      descriptor: {
        core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '4.0.3' } } } } },
        infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
      },
      template: { key: '4.0.0', revision: 1 },
      unusedValues: ['EXTRA'],
    });
    const created = await h.call('POST', '/v2/releases/create/4.0.3', { body: res.body.descriptor, token: h.tokens.releaser });
    expect(created.status).toBe(201);
  });

  it('is 422 naming missing and invalid values, 400 for a malformed request', async () => {
    const res = await h.call('POST', '/v1/releases/template/4.0.3/render', {
      body: { values: { RELEASE_TAG: 'bad tag' } },
      token: h.tokens.releaser,
    });
    expect(res.status).toBe(422);
    expect(errorOf(res.body).details.problems.map((p: { code: string }) => p.code)).toEqual(['INVALID_TAG']);
    const missing = await h.call('POST', '/v1/releases/template/4.0.3/render', { body: { values: {} }, token: h.tokens.releaser });
    expect(errorOf(missing.body).details.problems).toEqual([
      { path: 'core.api.Deployment.containers.api.tag', code: 'MISSING_VALUE', message: 'no value for placeholder <RELEASE_TAG>' },
    ]);
    expect(
      (await h.call('POST', '/v1/releases/template/4.0.3/render', { body: { values: { A: 1 } }, token: h.tokens.releaser })).status,
    ).toBe(400);
    expect((await h.call('POST', '/v1/releases/template/4.0.3/render', { body: {}, token: h.tokens.releaser })).status).toBe(400);
  });
});
