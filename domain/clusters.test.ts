// Several clusters per environment: the targets of a configuration, and the rules across them. Table-driven, pure.
import { describe, expect, it } from 'vitest';
import { checkClusters, DEFAULT_CLUSTER_NAME, targetsOf } from './clusters.js';
import { EnvironmentConfig, type ClusterTarget } from './environment.js';
import { DEFAULT_TARGET_POLICY } from './target-policy.js';

const argocd = (serverUrl: string, over: Record<string, unknown> = {}) => ({ serverUrl, tokenRef: 'env:FC_SECRET_ARGO', ...over });
const kubernetes = (server: string) => ({ server, namespace: 'prod', tokenRef: 'env:FC_SECRET_KUBE' });
const cluster = (name: string, n: number, over: Record<string, unknown> = {}) => ({
  name,
  argocd: argocd(`https://argocd.eu-${n}.example.com`),
  kubernetes: kubernetes(`https://k8s.eu-${n}.example.com:6443`),
  ...over,
});
const config = (over: Record<string, unknown> = {}) =>
  EnvironmentConfig.parse({
    displayOrder: 0,
    gitops: { repoUrl: 'https://git.example.com/org/gitops.git' },
    argocd: argocd('https://argocd.eu-1.example.com'),
    kubernetes: kubernetes('https://k8s.eu-1.example.com:6443'),
    ...over,
  });

describe('targetsOf', () => {
  it('a configuration without clusters has one target, named by default', () => {
    const c = config();
    expect(targetsOf(c)).toEqual([{ name: DEFAULT_CLUSTER_NAME, argocd: c.argocd, kubernetes: c.kubernetes, field: '' }]);
  });

  it('a stored row (null name, empty list) reads the same', () => {
    const c = config();
    expect(targetsOf({ ...c, clusterName: null, clusters: [] }).map((t) => t.name)).toEqual([DEFAULT_CLUSTER_NAME]);
  });

  it('the top-level target first, then each cluster with the field its configuration lives in', () => {
    const c = config({ clusterName: 'eu-1', clusters: [cluster('eu-2', 2), cluster('us-1', 3)] });
    expect(targetsOf(c).map((t) => [t.name, t.field, t.argocd.serverUrl])).toEqual([
      ['eu-1', '', 'https://argocd.eu-1.example.com'],
      ['eu-2', 'clusters[0].', 'https://argocd.eu-2.example.com'],
      ['us-1', 'clusters[1].', 'https://argocd.eu-3.example.com'],
    ]);
  });
});

describe('EnvironmentConfig with clusters (schema: 400 on the API)', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a cluster name that is not a DNS label', { clusters: [cluster('EU_2', 2)] }, /DNS label/],
    ['a clusterName that is not a DNS label', { clusterName: 'eu 1' }, /DNS label/],
    ['a cluster without its Kubernetes target', { clusters: [{ name: 'eu-2', argocd: argocd('https://a.example.com') }] }, /kubernetes/],
    ['an unknown field in a cluster', { clusters: [cluster('eu-2', 2, { gitops: {} })] }, /gitops|Unrecognized/],
    [
      'a literal secret in a cluster',
      { clusters: [cluster('eu-2', 2, { argocd: argocd('https://a.example.com', { tokenRef: 'hunter2' }) })] },
      /env:NAME/,
    ],
    ['more clusters than allowed', { clusters: Array.from({ length: 16 }, (_, i) => cluster(`c-${i}`, i)) }, /16|too big|at most/i],
  ])('%s', (_name, over, message) => {
    const parsed = EnvironmentConfig.safeParse({
      displayOrder: 0,
      gitops: { repoUrl: 'https://git.example.com/org/gitops.git' },
      argocd: argocd('https://argocd.eu-1.example.com'),
      kubernetes: kubernetes('https://k8s.eu-1.example.com:6443'),
      ...over,
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(message);
  });
});

describe('checkClusters (422 on the API)', () => {
  const policy = { ...DEFAULT_TARGET_POLICY, allowedHosts: ['*.example.com'] };
  const cases: Array<{ name: string; over: Record<string, unknown>; problems: Array<[string, RegExp]> }> = [
    { name: 'no clusters', over: {}, problems: [] },
    { name: 'two clusters, each its own Argo CD', over: { clusterName: 'eu-1', clusters: [cluster('eu-2', 2)] }, problems: [] },
    {
      name: 'a cluster named like the unnamed top-level target',
      over: { clusters: [cluster('default', 2)] },
      problems: [['clusters[0].name', /"default" is already the top-level target's/]],
    },
    {
      name: 'two clusters with the same name',
      over: { clusterName: 'eu-1', clusters: [cluster('eu-2', 2), cluster('eu-2', 3)] },
      problems: [['clusters[1].name', /"eu-2" is already clusters\[0\]\.name/]],
    },
    {
      name: 'a cluster whose Argo CD host is not allowed',
      over: { clusters: [cluster('eu-2', 2), cluster('eu-3', 3, { argocd: argocd('https://argocd.evil.test') })] },
      problems: [['clusters[1].argocd.serverUrl', /host argocd\.evil\.test is not in FC_ALLOWED_HOSTS/]],
    },
    {
      name: 'credentials in a cluster URL, never echoed',
      over: { clusters: [cluster('eu-2', 2, { kubernetes: kubernetes('https://admin:S3cretPw@k8s.eu-2.example.com') })] },
      problems: [['clusters[0].kubernetes.server', /must not contain credentials/]],
    },
    {
      name: 'a cluster secret reference outside the policy',
      over: { clusters: [cluster('eu-2', 2, { argocd: argocd('https://argocd.eu-2.example.com', { tokenRef: 'env:DATABASE_URL' }) })] },
      problems: [['clusters[0].argocd.tokenRef', /starting with FC_SECRET_/]],
    },
    {
      name: 'a cluster selecting by pattern and by selector',
      over: {
        clusters: [
          cluster('eu-2', 2, {
            argocd: argocd('https://argocd.eu-2.example.com', { applicationPattern: '{env}-{group}', applicationSelector: 'a=b' }),
          }),
        ],
      },
      problems: [['clusters[0].argocd.applicationSelector', /not both/]],
    },
    {
      name: 'one Argo CD for both clusters selecting the same applications',
      over: { clusters: [cluster('eu-2', 2, { argocd: argocd('https://ARGOCD.eu-1.example.com/') })] },
      problems: [['clusters[0].argocd', /same applications of the same Argo CD and project as cluster "default"/]],
    },
    {
      name: 'one Argo CD for both clusters, each cluster its own applications',
      over: {
        clusters: [cluster('eu-2', 2, { argocd: argocd('https://argocd.eu-1.example.com', { applicationPattern: '{env}-{group}-eu-2' }) })],
      },
      problems: [],
    },
  ];
  it.each(cases)('$name', ({ over, problems }) => {
    const found = checkClusters(config(over), policy);
    expect(found.map((p) => p.path)).toEqual(problems.map(([path]) => path));
    for (const [i, [, message]] of problems.entries()) expect(found[i]?.message).toMatch(message);
    expect(JSON.stringify(found)).not.toContain('S3cretPw');
  });

  it('checks only the clusters: the top-level target is checked by checkTargetPolicy as before', () => {
    const c = config({ argocd: argocd('https://argocd.evil.test') });
    expect(checkClusters(c, policy)).toEqual([]);
  });

  it('the Git side is checked once, not per cluster', () => {
    const c = config({ gitops: { repoUrl: 'https://git.evil.test/org/gitops.git' }, clusters: [cluster('eu-2', 2)] as ClusterTarget[] });
    expect(checkClusters(c, policy)).toEqual([]);
  });
});
