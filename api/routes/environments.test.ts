// Environment configuration through the API: validation (secrets only by reference, upstream graph),
// create vs update, audit, and responses that never carry secret values.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, type ApiHarness } from '../../test/api-harness.js';

const db = useTestDatabase();
let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness(db.database);
});

const config = (over: Record<string, unknown> = {}) => ({
  displayOrder: 1,
  gitops: { repoUrl: 'http://127.0.0.1:9/org/gitops.git', credentials: { type: 'https-token', tokenRef: 'env:GIT_TOKEN' } },
  argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:ARGOCD_TOKEN' },
  kubernetes: { server: 'https://127.0.0.1:9', namespace: 'dev', tokenRef: 'file:/run/secrets/k8s' },
  ...over,
});

describe('PUT /v1/environments/:env', () => {
  it('creates (201), then updates (200), keeping defaults and audit', async () => {
    const created = await h.call('PUT', '/v1/environments/dev', { body: config() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.config).toMatchObject({
      upstream: [],
      protected: false,
      convergenceDeadlineSeconds: 600,
      gitops: { branch: 'main' },
    });
    const updated = await h.call('PUT', '/v1/environments/dev', { body: config({ convergenceDeadlineSeconds: 120 }) });
    expect(updated.status).toBe(200);
    expect(updated.body.config.convergenceDeadlineSeconds).toBe(120);
    const audit = await h.call('GET', '/v1/audit?subjectType=environment', { token: h.tokens.admin });
    const actions = JSON.stringify(audit.body);
    expect(actions).toContain('environment.created');
    expect(actions).toContain('environment.updated');
  });

  it('rejects literal secrets and bad shapes with 400, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [config({ argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'hunter2-plain-token' } }), /argocd\.tokenRef/],
      [config({ argocd: { serverUrl: 'http://127.0.0.1:9' } }), /tokenRef, or usernameRef and passwordRef/],
      [config({ kubernetes: { server: 'not a url', namespace: 'dev', tokenRef: 'env:X' } }), /kubernetes\.server/],
      [config({ protected: true, approvalsRequired: 0 }), /approvalsRequired/],
      [config({ surprise: 1 }), /surprise|Unrecognized/],
    ];
    for (const [body, field] of cases) {
      const res = await h.call('PUT', '/v1/environments/bad', { body });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(errorOf(res.body).code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body)).toMatch(field);
      expect(JSON.stringify(res.body)).not.toContain('hunter2-plain-token');
    }
    expect((await h.call('GET', '/v1/environments/bad', { token: h.tokens.viewer })).status).toBe(404);
  });

  it('rejects unknown upstreams and cycles with 422 ENVIRONMENT_INVALID, storing nothing', async () => {
    const unknown = await h.call('PUT', '/v1/environments/qa', { body: config({ upstream: ['nope'] }) });
    expect(unknown.status).toBe(422);
    expect(errorOf(unknown.body).code).toBe('ENVIRONMENT_INVALID');
    expect((await h.call('PUT', '/v1/environments/a1', { body: config() })).status).toBe(201);
    expect((await h.call('PUT', '/v1/environments/b1', { body: config({ upstream: ['a1'] }) })).status).toBe(201);
    const cycle = await h.call('PUT', '/v1/environments/a1', { body: config({ upstream: ['b1'] }) });
    expect(cycle.status).toBe(422);
    expect(errorOf(cycle.body).message).toMatch(/cycle/);
    expect((await h.call('GET', '/v1/environments/a1?live=false', { token: h.tokens.viewer })).body.config.upstream).toEqual([]);
  });

  it('lists environments in display order with references only', async () => {
    const res = await h.call('GET', '/v1/environments?live=false', { token: h.tokens.viewer });
    expect(res.status).toBe(200);
    const names = res.body.environments.map((e: { name: string }) => e.name);
    expect(names[0]).toBe('a1');
    expect(JSON.stringify(res.body)).toContain('env:ARGOCD_TOKEN');
  });
});
