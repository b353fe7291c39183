// Environments spanning several clusters through the API: stored and shown as configured (a single-cluster
// environment reads exactly as before), and every cluster under the same rules as the top-level target —
// 400 for a malformed entry, 422 ENVIRONMENT_INVALID naming the field (`clusters[1].argocd.serverUrl`) for
// the installation's policy and the rules across clusters, on save and on ?dryRun=true, storing nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, type ApiHarness } from '../../test/api-harness.js';

const db = useTestDatabase();
let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness(db.database, { FC_ALLOWED_HOSTS: '127.0.0.1, *.example.com' });
});

const cluster = (name: string, n: number, over: Record<string, unknown> = {}) => ({
  name,
  argocd: { serverUrl: `https://argocd.eu-${n}.example.com`, tokenRef: `env:FC_SECRET_ARGO_EU_${n}` },
  kubernetes: { server: `https://k8s.eu-${n}.example.com:6443`, namespace: 'prod', tokenRef: `file:/run/secrets/k8s-eu-${n}` },
  ...over,
});
const config = (over: Record<string, unknown> = {}) => ({
  displayOrder: 1,
  gitops: { repoUrl: 'https://git.example.com/org/gitops.git' },
  argocd: { serverUrl: 'https://argocd.eu-1.example.com', tokenRef: 'env:FC_SECRET_ARGO_EU_1' },
  kubernetes: { server: 'https://k8s.eu-1.example.com:6443', namespace: 'prod', tokenRef: 'file:/run/secrets/k8s-eu-1' },
  ...over,
});

describe('PUT /v1/environments/:env with clusters', () => {
  it('stores and shows the clusters; a single-cluster environment shows no cluster fields', async () => {
    const body = config({ clusterName: 'eu-1', clusters: [cluster('eu-2', 2), cluster('eu-3', 3)] });
    const created = await h.call('PUT', '/v1/environments/multi', { body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const got = await h.call('GET', '/v1/environments/multi?live=false', { token: h.tokens.viewer });
    expect(got.body.config.clusterName).toBe('eu-1');
    expect(got.body.config.clusters).toEqual([
      {
        ...cluster('eu-2', 2),
        argocd: { ...cluster('eu-2', 2).argocd, project: 'default' },
        kubernetes: { ...cluster('eu-2', 2).kubernetes, skipTLSVerify: false },
      },
      {
        ...cluster('eu-3', 3),
        argocd: { ...cluster('eu-3', 3).argocd, project: 'default' },
        kubernetes: { ...cluster('eu-3', 3).kubernetes, skipTLSVerify: false },
      },
    ]);

    // Back to one cluster: the configuration reads as one that never had clusters.
    expect((await h.call('PUT', '/v1/environments/multi', { body: config() })).status).toBe(200);
    const single = await h.call('GET', '/v1/environments/multi?live=false', { token: h.tokens.viewer });
    expect(single.body.config).not.toHaveProperty('clusters');
    expect(single.body.config).not.toHaveProperty('clusterName');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a cluster name that is not a DNS label', { clusters: [cluster('EU 2', 2)] }, /clusters.*name|DNS label/],
    [
      'a literal secret in a cluster',
      { clusters: [cluster('eu-2', 2, { kubernetes: { ...cluster('eu-2', 2).kubernetes, tokenRef: 'hunter2' } })] },
      /clusters/,
    ],
    ['a cluster without Argo CD', { clusters: [{ name: 'eu-2', kubernetes: cluster('eu-2', 2).kubernetes }] }, /clusters/],
  ])('%s → 400 VALIDATION_FAILED', async (_name, over, field) => {
    const res = await h.call('PUT', '/v1/environments/bad-shape', { body: config(over) });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(errorOf(res.body).code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body)).toMatch(field);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a further cluster whose Argo CD host is not allowed',
      {
        clusters: [
          cluster('eu-2', 2),
          cluster('eu-3', 3, { argocd: { serverUrl: 'https://argocd.attacker.test', tokenRef: 'env:FC_SECRET_A' } }),
        ],
      },
      /refused\.clusters\[1\]\.argocd\.serverUrl: host argocd\.attacker\.test is not in FC_ALLOWED_HOSTS/,
    ],
    [
      'credentials in a cluster Kubernetes URL',
      {
        clusters: [
          cluster('eu-2', 2, { kubernetes: { ...cluster('eu-2', 2).kubernetes, server: 'https://admin:S3cretPw@k8s.eu-2.example.com' } }),
        ],
      },
      /refused\.clusters\[0\]\.kubernetes\.server: must not contain credentials/,
    ],
    [
      'a cluster secret reference outside the policy',
      { clusters: [cluster('eu-2', 2, { argocd: { serverUrl: 'https://argocd.eu-2.example.com', tokenRef: 'env:DATABASE_URL' } })] },
      /refused\.clusters\[0\]\.argocd\.tokenRef: env: references must name a variable starting with FC_SECRET_/,
    ],
    [
      'two clusters with one name',
      { clusterName: 'eu-1', clusters: [cluster('eu-1', 2)] },
      /refused\.clusters\[0\]\.name: cluster name "eu-1" is already/,
    ],
    [
      'two clusters promoting the same applications of one Argo CD',
      { clusters: [cluster('eu-2', 2, { argocd: { serverUrl: 'https://argocd.eu-1.example.com', tokenRef: 'env:FC_SECRET_A' } })] },
      /refused\.clusters\[0\]\.argocd: selects the same applications/,
    ],
    [
      'a cluster selecting by pattern and selector',
      {
        clusters: [
          cluster('eu-2', 2, {
            argocd: {
              serverUrl: 'https://argocd.eu-2.example.com',
              tokenRef: 'env:FC_SECRET_A',
              applicationPattern: 'x-{group}',
              applicationSelector: 'a=b',
            },
          }),
        ],
      },
      /refused\.clusters\[0\]\.argocd\.applicationSelector: .*not both/,
    ],
  ])('%s → 422 ENVIRONMENT_INVALID naming the field, saving nothing (also with ?dryRun=true)', async (_name, over, field) => {
    for (const query of ['', '?dryRun=true']) {
      const res = await h.call('PUT', `/v1/environments/refused${query}`, { body: config(over) });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(errorOf(res.body).code).toBe('ENVIRONMENT_INVALID');
      expect(errorOf(res.body).message).toMatch(field);
      expect(JSON.stringify(res.body)).not.toMatch(/S3cretPw/);
    }
    expect((await h.call('GET', '/v1/environments/refused', { token: h.tokens.viewer })).status).toBe(404);
  });
});
