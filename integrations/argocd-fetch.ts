// fetch towards Argo CD with connections kept between requests (integrations/argocd.ts uses it by default).
import { Agent } from 'undici';

/** What the Argo CD client calls to make a request (a test may pass a recording one). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** How long an idle connection to Argo CD is kept for the next request (below the 60 s of common load balancers). */
export const ARGO_KEEP_ALIVE_MS = 30_000;

let argoDispatcher: Agent | undefined;
/**
 * fetch towards Argo CD through one keep-alive pool per process. Node's global fetch drops an idle connection after
 * 4 s when the server names no timeout, and argocd-server's Go HTTP server names none (and closes none), so every
 * monitor observation 15 s apart used to open new connections (a TLS handshake each against a real Argo CD). The
 * pool is undici's own Agent, the engine of Node's fetch (the `undici` package pinned to the version Node bundles).
 */
export const argoFetch: FetchLike = (input, init) => {
  argoDispatcher ??= new Agent({ keepAliveTimeout: ARGO_KEEP_ALIVE_MS, keepAliveMaxTimeout: ARGO_KEEP_ALIVE_MS });
  return fetch(input, { ...init, dispatcher: argoDispatcher } as RequestInit);
};
