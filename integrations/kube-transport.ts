// The Kubernetes client's HTTP: one GET answered as plain JSON, on one keep-alive connection pool per client.
// A target is a server URL, a CA and a bearer token (domain/environment.ts), so the connection needs no kubeconfig
// machinery: node:https with the CA and `Authorization: Bearer`. @kubernetes/client-node's generated API classes
// deserialised every object through their typed model (ObjectSerializer, dates into Date objects) behind node-fetch:
// measured in the continuous monitor's profile (docs/benchmarks.md, "Continuous monitor") that was about a third of
// the CPU of each Kubernetes read, for fields Flow Controller never reads, and loading the package cost the worker
// 20–45 MB of heap. Its types stay (V1Pod, V1Deployment, … with their JSON names; timestamps stay strings).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeApiError, toKubeApiError } from './kube-errors.js';

/** Connections kept per API server (kube-apiserver closes an idle one after 90 s). */
const MAX_SOCKETS = 16;

export interface KubeConnection {
  /** API server URL, e.g. `https://10.0.0.1:6443` (`http:` only with skipTLSVerify, as client-node required). */
  server: string;
  /** PEM CA bundle (plain, not base64); absent: the system's CAs. */
  caPem?: string;
  token: string;
  skipTLSVerify: boolean;
}

export type KubeGet = <T>(path: string, query: Record<string, string | undefined>, what: string) => Promise<T>;

/**
 * A GET against the API server: `path` is the API path (`/api/v1/namespaces/dev/pods`), `what` names the call in
 * errors (`list pods in dev`). Every call is bounded by `timeoutMs` (connect, headers and body).
 */
export function createKubeGet(c: KubeConnection, timeoutMs: number): KubeGet {
  const server = c.server.replace(/\/+$/, '');
  const secure = !server.startsWith('http:');
  const base: RequestOptions = {
    agent: secure
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: MAX_SOCKETS,
          rejectUnauthorized: !c.skipTLSVerify,
          ...(c.caPem ? { ca: c.caPem } : {}),
        })
      : new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    headers: { Authorization: `Bearer ${c.token}`, Accept: 'application/json' },
    method: 'GET',
  };

  return async <T>(path: string, query: Record<string, string | undefined>, what: string): Promise<T> => {
    if (!secure && !c.skipTLSVerify) {
      // The token would cross the network in clear text.
      throw new KubeApiError({ status: 0, reason: 'NetworkError', message: `${what}: an http:// API server needs skipTLSVerify` });
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
    const search = params.size > 0 ? `?${params.toString()}` : '';
    // A timer cleared once the answer is in (AbortSignal.timeout would fire, and build its error, for every call).
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException('timed out', 'TimeoutError')), timeoutMs);
    const signal = timeout.signal;
    let res: { status: number; body: string };
    try {
      res = await get(secure, `${server}${path}${search}`, { ...base, signal }, signal);
    } catch (err) {
      throw toKubeApiError(err, what, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (res.status >= 400) throw KubeApiError.fromStatus(res.status, res.body, what);
    try {
      return JSON.parse(res.body) as T;
    } catch (err) {
      // A proxy's page or a cut answer: retryable, as any failure to reach the API server.
      throw new KubeApiError({ status: 0, reason: 'NetworkError', message: `${what}: the answer (${res.status}) is not JSON`, cause: err });
    }
  };
}

function get(secure: boolean, url: string, options: RequestOptions, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
      // A connection that ends before the body does (the timeout's abort included) is a failed call, not a short body.
      res.on('close', () => {
        if (!res.complete) reject(signal.aborted ? signal.reason : new Error('the connection closed before the answer ended'));
      });
    };
    const req = secure ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    req.on('error', reject);
    req.end();
  });
}
