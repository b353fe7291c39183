// Clients for an environment's configured targets: Argo CD and Kubernetes, with credentials resolved from
// their secret references at the moment of use. Built once per process as TargetClients and injected into
// the promotion activities (ActivityDeps) and the API's live view (AppDeps).
// Before any secret is resolved, the target URL is checked again against the installation's policy (no
// credentials in the URL, host in FC_ALLOWED_HOSTS): a row written to the database behind the API's back
// cannot send a credential to another host. The refusal names the field, never the URL.
import type { ArgoTarget, KubeTarget } from '../domain/environment.js';
import { hostAllowed, urlHasCredentials } from '../domain/target-policy.js';
import { createSecretResolver, SecretError, type SecretResolver } from '../lib/secrets.js';
import { createArgoClient, type ArgoClient, type FetchLike } from './argocd.js';
import { createKubeClient, type KubeClient } from './kube.js';

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
  /** Test seam: fetch used for Argo CD (default: global fetch). */
  fetchImpl?: FetchLike;
}

export function createTargetClients(opts: TargetClientsOptions): TargetClients {
  const secrets = opts.secrets ?? createSecretResolver();
  const allowed = opts.allowedHosts ?? [];
  return {
    argoFor: (env) => {
      checkTargetUrl('argocd.serverUrl', env.argocd.serverUrl, allowed);
      return argoClientForTarget(env.argocd, secrets, {
        timeoutMs: opts.argoTimeoutMs,
        ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
      });
    },
    kubeFor: (env) => {
      checkTargetUrl('kubernetes.server', env.kubernetes.server, allowed);
      return kubeClientForTarget(env.kubernetes, secrets);
    },
  };
}

/** Throws SecretError (a configuration failure) when `url` may not receive credentials. */
export function checkTargetUrl(field: string, url: string, allowedHosts: readonly string[]): void {
  if (urlHasCredentials(url)) throw new SecretError(`${field} must not contain credentials (user:password@)`);
  if (!hostAllowed(url, allowedHosts)) throw new SecretError(`${field}: the host is not in FC_ALLOWED_HOSTS`);
}

export function argoClientForTarget(
  target: ArgoTarget,
  secrets: SecretResolver,
  opts: { timeoutMs: number; fetchImpl?: FetchLike },
): ArgoClient {
  return createArgoClient({
    baseUrl: target.serverUrl,
    ...(target.tokenRef ? { token: secrets.resolve(target.tokenRef) } : {}),
    ...(target.usernameRef && target.passwordRef
      ? { username: secrets.resolve(target.usernameRef), password: secrets.resolve(target.passwordRef) }
      : {}),
    timeoutMs: opts.timeoutMs,
    ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
  });
}

export function kubeClientForTarget(target: KubeTarget, secrets: SecretResolver): KubeClient {
  return createKubeClient({
    server: target.server,
    token: secrets.resolve(target.tokenRef),
    ...(target.caData ? { caData: target.caData } : {}),
    skipTLSVerify: target.skipTLSVerify,
  });
}
