// Clients for an environment's configured targets: Argo CD and Kubernetes, with credentials resolved from
// their secret references at the moment of use. Shared by the promotion activities and the API's live view.
import type { ArgoTarget, KubeTarget } from '../domain/environment.js';
import type { SecretResolver } from '../lib/secrets.js';
import { createArgoClient, type ArgoClient, type FetchLike } from './argocd.js';
import { createKubeClient, type KubeClient } from './kube.js';

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
