// Target clients re-check the installation's policy when they are built (security audit 6, 13): a row written
// to the database behind the API's back cannot send a credential to another host, and what a viewer's live
// view shows of a refusal carries neither a secret nor a URL's credentials.
import { describe, expect, it } from 'vitest';
import { createTargetClients } from './targets.js';
import { createArgoClient, type FetchLike } from './argocd.js';
import { createLiveStatus } from '../api/services/live-status.js';
import { createLogger } from '../lib/logger.js';
import { createSecretResolver, SecretError } from '../lib/secrets.js';
import type { EnvironmentRow } from '../db/environments.js';

const ENV = {
  FC_SECRET_ARGO_TOKEN: 'argo-token-S3cret',
  FC_SECRET_KUBE_TOKEN: 'kube-token-S3cret',
  DATABASE_URL: 'postgres://app:DbS3cret@db/flow',
};

function clients(allowedHosts: string[]) {
  const calls: string[] = [];
  const fetchImpl: FetchLike = (input) => {
    calls.push(String(input));
    return Promise.resolve(new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }));
  };
  const targets = createTargetClients({ secrets: createSecretResolver({ env: ENV }), allowedHosts, argoTimeoutMs: 1000, fetchImpl });
  return { targets, calls };
}

const row = (argocd: Record<string, unknown>, kubernetes: Record<string, unknown> = {}) =>
  ({
    name: 'dev',
    updatedAt: new Date(0),
    currentReleaseId: null,
    argocd: {
      serverUrl: 'https://argocd.internal',
      project: 'default',
      applicationPattern: '{env}-{group}',
      tokenRef: 'env:FC_SECRET_ARGO_TOKEN',
      ...argocd,
    },
    kubernetes: {
      server: 'https://k8s.internal:6443',
      namespace: 'dev',
      tokenRef: 'env:FC_SECRET_KUBE_TOKEN',
      skipTLSVerify: false,
      ...kubernetes,
    },
  }) as unknown as EnvironmentRow;

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('createTargetClients under the policy', () => {
  it('refuses an Argo CD or Kubernetes host outside FC_ALLOWED_HOSTS before resolving or sending anything', async () => {
    const { targets, calls } = clients(['argocd.internal', 'k8s.internal:6443']);
    expect(refusal(() => targets.argoFor(row({ serverUrl: 'https://attacker.example' })))).toMatch(
      /argocd\.serverUrl: the host is not in FC_ALLOWED_HOSTS/,
    );
    expect(refusal(() => targets.kubeFor(row({}, { server: 'https://k8s.internal:443' })))).toMatch(/kubernetes\.server: the host/);
    // Allowed hosts work.
    await targets
      .argoFor(row({}))
      .getApplication('dev-core', { project: 'default' })
      .catch(() => undefined);
    expect(calls.every((u) => u.startsWith('https://argocd.internal/'))).toBe(true);
    expect(calls.length).toBeGreaterThan(0);
  });

  it('shares one Kubernetes client (and its keep-alive connections) per server, TLS settings and token', () => {
    const secrets = createSecretResolver({ env: { ...ENV, FC_SECRET_KUBE_OTHER: 'other-token' } });
    const targets = createTargetClients({ secrets, argoTimeoutMs: 1000 });
    const a = targets.kubeFor(row({}, { namespace: 'dev' }));
    expect(targets.kubeFor(row({}, { namespace: 'staging' }))).toBe(a);
    expect(targets.kubeFor(row({}, { tokenRef: 'env:FC_SECRET_KUBE_OTHER' }))).not.toBe(a);
    expect(targets.kubeFor(row({}, { server: 'https://k8s-2.internal:6443' }))).not.toBe(a);
    expect(targets.kubeFor(row({}, { skipTLSVerify: true }))).not.toBe(a);
  });

  it('refuses credentials inside the URL without echoing them', () => {
    const { targets, calls } = clients([]);
    const argo = refusal(() => targets.argoFor(row({ serverUrl: 'https://admin:UrlS3cret@argocd.internal' })));
    const kube = refusal(() => targets.kubeFor(row({}, { server: 'https://admin:UrlS3cret@k8s.internal:6443' })));
    expect(argo).toMatch(/argocd\.serverUrl must not contain credentials/);
    expect(kube).toMatch(/kubernetes\.server must not contain credentials/);
    expect(argo + kube).not.toContain('UrlS3cret');
    expect(calls).toEqual([]);
  });

  it('the live view shows a refused reference without its value', async () => {
    const { targets, calls } = clients([]);
    const service = createLiveStatus(targets, {
      cacheTtlMs: 0,
      concurrency: 1,
      deadlineMs: 5_000,
      logger: createLogger({ level: 'silent' }),
    });
    const live = await service.get(row({ tokenRef: 'env:DATABASE_URL' }), ['core']);
    expect(live[0]?.error).toBe('credentials not available');
    expect(JSON.stringify(live)).not.toMatch(/DbS3cret|postgres:/);
    expect(calls).toEqual([]);
  });
});

describe('createArgoClient used directly', () => {
  it('never echoes a URL with credentials from a fetch error', async () => {
    const client = createArgoClient({ baseUrl: 'https://admin:UrlS3cret@argocd.internal', token: 't0ken-value', timeoutMs: 1000 });
    const err = await client.getApplication('dev-core', { project: 'default' }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).not.toContain('UrlS3cret');
  });
});
