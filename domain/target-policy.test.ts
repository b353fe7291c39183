// The installation's target policy (security audit findings 6 and 13): secret references that can never
// resolve, credentials inside URLs, and the outbound host allowlist. Table-driven, pure.
import { describe, expect, it } from 'vitest';
import { EnvironmentConfig } from './environment.js';
import {
  checkTargetPolicy,
  DEFAULT_TARGET_POLICY,
  endpointOf,
  hostAllowed,
  secretRefProblem,
  urlHasCredentials,
  validHostPattern,
  type TargetPolicy,
} from './target-policy.js';

describe('secretRefProblem', () => {
  it.each<[string, RegExp | undefined]>([
    ['env:FC_SECRET_ARGO_TOKEN', undefined],
    ['file:/run/secrets/argo-token', undefined],
    ['file:/run/secrets/argo/..data/token', undefined],
    ['env:DATABASE_URL', /starting with FC_SECRET_/],
    ['env:FLOW_ADMIN_TOKEN', /starting with FC_SECRET_/],
    ['env:FC_SECRET_', /starting with FC_SECRET_/],
    ['env:fc_secret_lower', /starting with FC_SECRET_/],
    ['file:/etc/passwd', /under \/run\/secrets/],
    ['file:/run/secretsX/token', /under \/run\/secrets/],
    ['file:/run/secrets', /under \/run\/secrets/],
    ['file:/run/secrets/../../proc/self/environ', /"\.\."/],
    ['file:/run/secrets/./token', /"\.\."/],
    ['file:/run/secrets//token', /empty segments/],
    ['file:run/secrets/token', /absolute/],
    ['plain-literal-secret', /env:NAME or file:/],
  ])('%s', (ref, problem) => {
    const found = secretRefProblem(ref, DEFAULT_TARGET_POLICY);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('urlHasCredentials', () => {
  it.each<[string, boolean]>([
    ['https://argocd.example.com', false],
    ['https://10.0.0.1:6443', false],
    ['https://github.com/org/gitops.git', false],
    ['ssh://git@github.com/org/gitops.git', false],
    ['ssh://git@github.com:2222/org/gitops.git', false],
    ['git+ssh://git@github.com/org/gitops.git', false],
    ['git@github.com:org/gitops.git', false],
    ['github.com:org/gitops.git', false],
    ['git@github.com:org/gitops@v2.git', false],
    ['file:///srv/git/gitops.git', false],
    ['/srv/git/gitops.git', false],
    ['https://admin:S3cretPw@argocd.example.com', true],
    ['https://ghp_token@github.com/org/gitops.git', true],
    ['https://:pw@argocd.example.com', true],
    ['https://@argocd.example.com', true],
    ['http://user:pw@10.0.0.1:8080', true],
    ['ssh://git:pw@github.com/org/gitops.git', true],
    ['ssh://:pw@github.com/org/gitops.git', true],
    ['git:pw@github.com:org/gitops.git', true],
  ])('%s → %s', (url, expected) => {
    expect(urlHasCredentials(url)).toBe(expected);
  });
});

describe('host allowlist', () => {
  it.each<[string, { host: string; port: string | undefined } | undefined]>([
    ['https://ArgoCD.Example.com/api', { host: 'argocd.example.com', port: undefined }],
    ['https://10.0.0.1:6443', { host: '10.0.0.1', port: '6443' }],
    ['https://[::1]:6443', { host: '[::1]', port: '6443' }],
    ['ssh://git@git.example.com:2222/org/repo.git', { host: 'git.example.com', port: '2222' }],
    ['git@git.example.com:org/repo.git', { host: 'git.example.com', port: undefined }],
    ['ssh://a.example.com\\@b.example.com/org/repo.git', { host: 'b.example.com', port: undefined }],
    ['https://a.example.com\\@b.example.com/', { host: 'a.example.com', port: undefined }],
    ['file:///srv/git/repo.git', undefined],
    ['/srv/git/repo.git', undefined],
  ])('endpointOf(%s)', (url, expected) => {
    expect(endpointOf(url)).toEqual(expected);
  });

  const allow = ['argocd.example.com', '*.k8s.example.com:6443', 'git.example.com:22', '[::1]'];
  it.each<[string, readonly string[], boolean]>([
    ['https://anything.example.org', [], true],
    ['file:///srv/git/repo.git', [], true],
    ['https://argocd.example.com', allow, true],
    ['https://argocd.example.com:8443', allow, true],
    ['https://ARGOCD.example.com', allow, true],
    ['https://api.k8s.example.com:6443', allow, true],
    ['https://api.k8s.example.com', allow, false],
    ['https://k8s.example.com:6443', allow, false],
    ['https://evil-k8s.example.com:6443', allow, false],
    ['ssh://git@git.example.com/org/repo.git', allow, true],
    ['git@git.example.com:org/repo.git', allow, true],
    ['ssh://git@git.example.com:2222/org/repo.git', allow, false],
    ['https://git.example.com/org/repo.git', allow, false],
    ['https://[::1]:6443', allow, true],
    ['https://argocd.example.com.evil.io', allow, false],
    ['https://argocd.example.com\\@evil.io', allow, true],
    ['ssh://argocd.example.com\\@evil.io/x', allow, false],
    ['https://attacker.example', allow, false],
    ['file:///srv/git/repo.git', allow, false],
    ['/srv/git/repo.git', allow, false],
  ])('hostAllowed(%s, %j) → %s', (url, hosts, expected) => {
    expect(hostAllowed(url, hosts)).toBe(expected);
  });

  it.each([
    ['argocd.example.com', true],
    ['*.example.com:443', true],
    ['[::1]:6443', true],
    ['https://x', false],
    ['user@host', false],
    ['host:port', false],
    ['*', false],
  ])('validHostPattern(%s) → %s', (pattern, expected) => {
    expect(validHostPattern(pattern)).toBe(expected);
  });
});

describe('EnvironmentConfig target URLs', () => {
  it.each(['file:///etc/passwd', 'ftp://argocd.example.com', 'javascript:alert(1)'])('refuses %s as Argo CD or Kubernetes URL', (url) => {
    const config = {
      displayOrder: 0,
      gitops: { repoUrl: 'git@git.example.com:org/gitops.git' },
      argocd: { serverUrl: 'https://argocd.example.com', tokenRef: 'env:FC_SECRET_ARGO' },
      kubernetes: { server: 'https://k8s.example.com', namespace: 'dev', tokenRef: 'env:FC_SECRET_KUBE' },
    };
    expect(EnvironmentConfig.safeParse(config).success).toBe(true);
    expect(EnvironmentConfig.safeParse({ ...config, argocd: { ...config.argocd, serverUrl: url } }).success).toBe(false);
    expect(EnvironmentConfig.safeParse({ ...config, kubernetes: { ...config.kubernetes, server: url } }).success).toBe(false);
  });
});

describe('checkTargetPolicy', () => {
  const base = EnvironmentConfig.parse({
    displayOrder: 0,
    gitops: { repoUrl: 'git@git.example.com:org/gitops.git', credentials: { type: 'ssh-key', privateKeyRef: 'env:FC_SECRET_GIT_KEY' } },
    argocd: { serverUrl: 'https://argocd.example.com', usernameRef: 'env:FC_SECRET_ARGO_USER', passwordRef: 'file:/run/secrets/argo' },
    kubernetes: { server: 'https://api.k8s.example.com:6443', namespace: 'dev', tokenRef: 'file:/run/secrets/kube/token' },
  });
  const pinned: TargetPolicy = { ...DEFAULT_TARGET_POLICY, allowedHosts: ['git.example.com', 'argocd.example.com', '*.k8s.example.com'] };

  it('accepts a configuration inside the policy', () => {
    expect(checkTargetPolicy(base, pinned)).toEqual([]);
  });

  it('names every field that breaks the policy, without repeating a credential', () => {
    const bad = {
      gitops: {
        ...base.gitops,
        repoUrl: 'https://x-access-token:ghp_S3cret@git.example.com/org/gitops.git',
        credentials: { type: 'https-token' as const, tokenRef: 'env:GITHUB_TOKEN' },
      },
      argocd: { ...base.argocd, serverUrl: 'https://attacker.example', tokenRef: 'env:DATABASE_URL' },
      kubernetes: {
        ...base.kubernetes,
        server: 'https://admin:KubePw@api.k8s.example.com',
        tokenRef: 'file:/var/run/secrets/kubernetes.io/serviceaccount/token',
      },
    };
    const problems = checkTargetPolicy(bad, pinned);
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'argocd.serverUrl',
        'argocd.tokenRef',
        'gitops.credentials.tokenRef',
        'gitops.repoUrl',
        'kubernetes.server',
        'kubernetes.tokenRef',
      ].sort(),
    );
    expect(problems.find((p) => p.path === 'argocd.serverUrl')?.message).toMatch(/host attacker\.example is not in FC_ALLOWED_HOSTS/);
    expect(problems.find((p) => p.path === 'gitops.repoUrl')?.message).toMatch(/must not contain credentials/);
    expect(JSON.stringify(problems)).not.toMatch(/S3cret|KubePw|ghp_/);
  });
});
