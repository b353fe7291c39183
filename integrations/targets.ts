// Clients for an environment's configured targets: Argo CD and Kubernetes, with credentials resolved from
// their secret references at the moment of use. Built once per process as TargetClients and injected into
// the promotion activities (ActivityDeps) and the API's live view (AppDeps).
// Before any secret is resolved, the target URL is checked again against the installation's policy (no
// credentials in the URL, host in FC_ALLOWED_HOSTS): a row written to the database behind the API's back
// cannot send a credential to another host. The refusal names the field, never the URL.
// Argo CD clients are kept per target and credentials, so a username/password session is reused until it
// expires (one login, not one per call). Kubernetes clients are kept the same way, so their keep-alive
// connections are shared by every environment on a cluster (a client per call made every monitor observation
// open new TLS connections). Every Kubernetes and Argo CD request has a timeout.
import { createHash } from 'node:crypto';
import type { ArgoTarget, KubeTarget } from '../domain/environment.js';
import { hostAllowed, urlHasCredentials } from '../domain/target-policy.js';
import { createSecretResolver, SecretError, type SecretResolver } from '../lib/secrets.js';
import { createArgoClient, type ArgoClient, type FetchLike } from './argocd.js';
import { createKubeClient, DEFAULT_KUBE_TIMEOUT_MS, type KubeClient } from './kube.js';

/**
 * Builds the clients for one environment's targets. Each call resolves the credentials again, so a rotated
 * secret is picked up without a restart; a missing secret throws SecretError from the call.
 */
export interface TargetClients {
  argoFor(env: { argocd: ArgoTarget }): ArgoClient;
  kubeFor(env: { kubernetes: KubeTarget }): KubeClient;
}

export interface TargetClientsOptions {
  /** Secret references → values (default: env:/file: resolver over process.env). */
  secrets?: SecretResolver;
  /** FC_ALLOWED_HOSTS patterns (domain/target-policy.ts); absent or empty = every host. */
  allowedHosts?: readonly string[];
  /** Per-request timeout towards Argo CD. */
  argoTimeoutMs: number;
  /** Per-request timeout towards Kubernetes (default DEFAULT_KUBE_TIMEOUT_MS). */
  kubeTimeoutMs?: number;
  /** Test seam: fetch used for Argo CD (default: global fetch). */
  fetchImpl?: FetchLike;
}

/** Argo CD clients kept at most (one per target and credentials; the oldest is forgotten first). */
const MAX_ARGO_CLIENTS = 64;
/** Kubernetes clients kept at most (one per server, TLS settings and token; the oldest is forgotten first). */
const MAX_KUBE_CLIENTS = 64;

export function createTargetClients(opts: TargetClientsOptions): TargetClients {
  const secrets = opts.secrets ?? createSecretResolver();
  const allowed = opts.allowedHosts ?? [];
  const kubeTimeoutMs = opts.kubeTimeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  // Keyed by a hash of the target and its resolved credentials: a rotated secret gets a new client (and session).
  const argoClients = new Map<string, ArgoClient>();
  const kubeClients = new Map<string, KubeClient>();
  return {
    argoFor: (env) => {
      checkTargetUrl('argocd.serverUrl', env.argocd.serverUrl, allowed);
      const resolved = resolveArgoCredentials(env.argocd, secrets);
      const key = createHash('sha256')
        .update(JSON.stringify([env.argocd.serverUrl, resolved.token ?? null, resolved.username ?? null, resolved.password ?? null]))
        .digest('hex');
      let client = argoClients.get(key);
      if (!client) {
        client = createArgoClient({
          baseUrl: env.argocd.serverUrl,
          ...resolved,
          timeoutMs: opts.argoTimeoutMs,
          ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
        });
        if (argoClients.size >= MAX_ARGO_CLIENTS) argoClients.delete(argoClients.keys().next().value as string);
        argoClients.set(key, client);
      }
      return client;
    },
    kubeFor: (env) => {
      checkTargetUrl('kubernetes.server', env.kubernetes.server, allowed);
      const t = env.kubernetes;
      const token = secrets.resolve(t.tokenRef);
      const key = createHash('sha256')
        .update(JSON.stringify([t.server, token, t.caData ?? null, t.skipTLSVerify ?? false]))
        .digest('hex');
      let client = kubeClients.get(key);
      if (!client) {
        client = createKubeClient({
          server: t.server,
          token,
          ...(t.caData ? { caData: t.caData } : {}),
          skipTLSVerify: t.skipTLSVerify,
          timeoutMs: kubeTimeoutMs,
        });
        if (kubeClients.size >= MAX_KUBE_CLIENTS) kubeClients.delete(kubeClients.keys().next().value as string);
        kubeClients.set(key, client);
      }
      return client;
    },
  };
}

function resolveArgoCredentials(target: ArgoTarget, secrets: SecretResolver): { token?: string; username?: string; password?: string } {
  return {
    ...(target.tokenRef ? { token: secrets.resolve(target.tokenRef) } : {}),
    ...(target.usernameRef && target.passwordRef
      ? { username: secrets.resolve(target.usernameRef), password: secrets.resolve(target.passwordRef) }
      : {}),
  };
}

/** Throws SecretError (a configuration failure) when `url` may not receive credentials. */
export function checkTargetUrl(field: string, url: string, allowedHosts: readonly string[]): void {
  if (urlHasCredentials(url)) throw new SecretError(`${field} must not contain credentials (user:password@)`);
  if (!hostAllowed(url, allowedHosts)) throw new SecretError(`${field}: the host is not in FC_ALLOWED_HOSTS`);
}
