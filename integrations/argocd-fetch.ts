// fetch towards Argo CD with connections kept between requests (integrations/argocd.ts uses it by default).
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';

/** What the Argo CD client calls to make a request (a test may pass a recording one). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** How long an idle connection to Argo CD is kept for the next request (below the 60 s of common load balancers). */
export const ARGO_KEEP_ALIVE_MS = 30_000;

let argoDispatcher: Agent | undefined;
/**
 * fetch towards Argo CD through one keep-alive pool per process. Node's global fetch drops an idle connection after
 * 4 s when the server names no timeout, and argocd-server's Go HTTP server names none (and closes none), so every
 * monitor observation 15 s apart used to open new connections (a TLS handshake each against a real Argo CD). The
 * pool is an Agent of the `undici` package (the engine of Node's fetch; pinned to the version Node 24 bundles).
 */
export const argoFetch: FetchLike = (input, init) => {
  argoDispatcher ??= new Agent({ keepAliveTimeout: ARGO_KEEP_ALIVE_MS, keepAliveMaxTimeout: ARGO_KEEP_ALIVE_MS });
  // undici's own fetch with its own Agent: Node's global fetch is the undici bundled with Node (6.x on Node 22), whose
  // dispatcher interface an Agent of another major may not match.
  return undiciFetch(input, { ...(init as UndiciRequestInit), dispatcher: argoDispatcher }) as unknown as Promise<Response>;
};
