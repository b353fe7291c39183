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
  gitops: { repoUrl: 'http://127.0.0.1:9/org/gitops.git', credentials: { type: 'https-token', tokenRef: 'env:FC_SECRET_GIT_TOKEN' } },
  argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:FC_SECRET_ARGOCD_TOKEN' },
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
    expect(JSON.stringify(res.body)).toContain('env:FC_SECRET_ARGOCD_TOKEN');
  });
});

describe('PUT /v1/environments/:env under the installation policy (security audit 6, 13)', () => {
  const gitops = (over: Record<string, unknown>) => ({ gitops: { repoUrl: 'http://127.0.0.1:9/org/gitops.git', ...over } });
  const argocd = (over: Record<string, unknown>) => ({
    argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:FC_SECRET_ARGOCD_TOKEN', ...over },
  });
  const kubernetes = (over: Record<string, unknown>) => ({
    kubernetes: { server: 'https://127.0.0.1:9', namespace: 'dev', tokenRef: 'file:/run/secrets/k8s', ...over },
  });
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'env: without the prefix',
      argocd({ tokenRef: 'env:DATABASE_URL' }),
      /argocd\.tokenRef: env: references must name a variable starting with FC_SECRET_/,
    ],
    [
      'env: the admin token',
      argocd({ tokenRef: undefined, usernameRef: 'env:FC_SECRET_U', passwordRef: 'env:FLOW_ADMIN_TOKEN' }),
      /argocd\.passwordRef/,
    ],
    [
      'file: outside FC_SECRETS_DIR',
      kubernetes({ tokenRef: 'file:/var/run/secrets/kubernetes.io/serviceaccount/token' }),
      /kubernetes\.tokenRef: .*under \/run\/secrets/,
    ],
    ['file: with ..', kubernetes({ tokenRef: 'file:/run/secrets/../../proc/self/environ' }), /kubernetes\.tokenRef: .*"\.\."/],
    [
      'an SSH key from a foreign variable',
      gitops({ credentials: { type: 'ssh-key', privateKeyRef: 'env:GIT_SSH_KEY' } }),
      /gitops\.credentials\.privateKeyRef/,
    ],
    [
      'credentials in repoUrl',
      gitops({ repoUrl: 'https://deploy:S3cretPw@git.example.com/org/gitops.git' }),
      /gitops\.repoUrl: must not contain credentials/,
    ],
    [
      'a token as the repoUrl user',
      gitops({ repoUrl: 'https://ghp_S3cretPw@github.com/org/gitops.git' }),
      /gitops\.repoUrl: must not contain credentials/,
    ],
    ['a password in an ssh:// repoUrl', gitops({ repoUrl: 'ssh://git:S3cretPw@git.example.com/org/gitops.git' }), /gitops\.repoUrl/],
    [
      'credentials in the Argo CD URL',
      argocd({ serverUrl: 'https://admin:S3cretPw@argocd.example.com' }),
      /argocd\.serverUrl: must not contain credentials/,
    ],
    [
      'credentials in the Kubernetes server',
      kubernetes({ server: 'https://admin:S3cretPw@10.0.0.1:6443' }),
      /kubernetes\.server: must not contain credentials/,
    ],
  ];
  it.each(cases)('%s → 422 ENVIRONMENT_INVALID naming the field, without echoing it', async (_name, over, field) => {
    const res = await h.call('PUT', '/v1/environments/refused', { body: config(over) });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(errorOf(res.body).code).toBe('ENVIRONMENT_INVALID');
    expect(errorOf(res.body).message).toMatch(field);
    expect(JSON.stringify(res.body)).not.toMatch(/S3cretPw/);
    expect((await h.call('GET', '/v1/environments/refused', { token: h.tokens.viewer })).status).toBe(404);
  });

  it('accepts SSH user names: ssh://git@host/… and git@host:org/repo.git', async () => {
    for (const repoUrl of ['ssh://git@git.example.com/org/gitops.git', 'git@git.example.com:org/gitops.git']) {
      const res = await h.call('PUT', '/v1/environments/ssh-ok', {
        body: config(gitops({ repoUrl, credentials: { type: 'ssh-key', privateKeyRef: 'env:FC_SECRET_GIT_SSH_KEY' } })),
      });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    }
  });

  it('FC_ALLOWED_HOSTS pins the hosts of all three targets', async () => {
    const pinned = await apiHarness(db.database, { FC_ALLOWED_HOSTS: '127.0.0.1, git.example.com' });
    expect((await pinned.call('PUT', '/v1/environments/pinned', { body: config() })).status).toBe(201);
    for (const [over, field] of [
      [argocd({ serverUrl: 'https://attacker.example' }), /argocd\.serverUrl: host attacker\.example is not in FC_ALLOWED_HOSTS/],
      [kubernetes({ server: 'https://10.9.9.9:6443' }), /kubernetes\.server: host 10\.9\.9\.9:6443 is not in FC_ALLOWED_HOSTS/],
      [gitops({ repoUrl: 'git@github.com:org/gitops.git' }), /gitops\.repoUrl: host github\.com is not in FC_ALLOWED_HOSTS/],
      [gitops({ repoUrl: 'file:///srv/gitops.git' }), /gitops\.repoUrl: a local repository is not in FC_ALLOWED_HOSTS/],
    ] as const) {
      const res = await pinned.call('PUT', '/v1/environments/pinned', { body: config(over) });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(errorOf(res.body).message).toMatch(field);
    }
  });
});
