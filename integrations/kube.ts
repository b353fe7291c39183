// Kubernetes read client for verification: lists the workloads and pods Argo CD deployed, through
// @kubernetes/client-node 1.x (object parameters, ESM). Only reads, only namespaced. Errors are
// mapped to KubeApiError carrying the HTTP status and the Kubernetes `Status.reason`. Every request
// carries an AbortSignal (client-node 1.x passes RequestContext.getSignal() to node-fetch), so an API
// server that accepts and never answers fails the call after `timeoutMs` instead of hanging it.
import { Agent as HttpsAgent } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { scrubUrlCredentials } from '../lib/secrets.js';
import { kubeRequestDuration, kubeRequestErrors, timedCall, type KubeEndpoint } from '../lib/metrics.js';
import { SpanKind, withSpan } from '../lib/tracing.js';

const KUBE_METRICS = { duration: kubeRequestDuration, errors: kubeRequestErrors };

/** Default per-request timeout: well below the promotion heartbeat timeout (30 s by default). */
export const DEFAULT_KUBE_TIMEOUT_MS = 10_000;

export interface KubeClientOptions {
  /** API server URL without trailing slash, e.g. `https://10.0.0.1:6443`. */
  server: string;
  /** PEM CA bundle, base64-encoded as in a kubeconfig (`certificate-authority-data`), or plain PEM. */
  caData?: string;
  token: string;
  skipTLSVerify?: boolean;
  /** Per-request timeout (connect, headers and body); default DEFAULT_KUBE_TIMEOUT_MS. */
  timeoutMs?: number;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export type Workload =
  | { kind: 'Deployment'; object: k8s.V1Deployment }
  | { kind: 'StatefulSet'; object: k8s.V1StatefulSet }
  | { kind: 'DaemonSet'; object: k8s.V1DaemonSet };

export interface KubeClient {
  /** Deployments, StatefulSets and DaemonSets of a namespace (only `kinds`, when given: one list per kind). */
  listWorkloads(namespace: string, labelSelector?: string, kinds?: readonly WorkloadKind[]): Promise<Workload[]>;
  getWorkload(kind: WorkloadKind, namespace: string, name: string): Promise<Workload>;
  listPods(namespace: string, labelSelector?: string): Promise<k8s.V1Pod[]>;
  /** GET /api/v1/namespaces/{name}: a cluster-scoped read that namespaced RBAC often forbids (403). */
  getNamespace(name: string): Promise<k8s.V1Namespace>;
}

/** A failed Kubernetes API call. `reason` is the Status reason (`NotFound`, `Forbidden`, `Unauthorized`, …). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly status: number;
  readonly reason: string;
  readonly retryable: boolean;
  constructor(init: { status: number; reason: string; message: string; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.reason = init.reason;
    this.retryable = init.status === 0 || init.status === 429 || init.status >= 500;
  }
}

const REASON_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function parseStatusBody(body: unknown): { reason?: string; message?: string } {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim() } : {};
    }
  }
  if (value && typeof value === 'object') {
    const o = value as { reason?: unknown; message?: unknown };
    return {
      reason: typeof o.reason === 'string' ? o.reason : undefined,
      message: typeof o.message === 'string' ? o.message : undefined,
    };
  }
  return {};
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError' || isAbort(err.cause));
}

/** Maps anything thrown by client-node to KubeApiError (the token is never in the message). */
export function toKubeApiError(err: unknown, what: string, timeoutMs?: number): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (isAbort(err)) {
    const after = timeoutMs === undefined ? '' : ` after ${timeoutMs}ms`;
    return new KubeApiError({ status: 0, reason: 'Timeout', message: `${what}: timed out${after}`, cause: err });
  }
  if (err instanceof k8s.ApiException) {
    const status = err.code;
    const parsed = parseStatusBody(err.body);
    const reason = parsed.reason ?? REASON_BY_STATUS[status] ?? 'Unknown';
    return new KubeApiError({ status, reason, message: `${what}: ${status} ${parsed.message ?? reason}`, cause: err });
  }
  const message = scrubUrlCredentials(err instanceof Error ? err.message : String(err));
  return new KubeApiError({ status: 0, reason: 'NetworkError', message: `${what}: ${message}`, cause: err });
}

function toBase64Pem(caData: string): string {
  return caData.includes('-----BEGIN') ? Buffer.from(caData, 'utf8').toString('base64') : caData;
}

/**
 * The KubeConfig's authentication, but with ONE keep-alive HTTPS agent per client: client-node builds a new agent
 * (a new TLS context and connection) for every request, which made each read pay a full TLS handshake (the
 * continuous monitor reads every workload of every environment every interval). Proxy agents are left as built.
 */
function reusingAgent(kc: k8s.KubeConfig): k8s.SecurityAuthentication {
  let agent: HttpsAgent | undefined;
  return {
    getName: () => 'kubeconfig-keep-alive',
    async applySecurityAuthentication(context) {
      await kc.applySecurityAuthentication(context);
      const built = context.getAgent();
      if (!(built instanceof HttpsAgent) || built.constructor !== HttpsAgent) return;
      agent ??= new HttpsAgent({ ...built.options, keepAlive: true, maxSockets: 16 });
      context.setAgent(agent);
    },
  };
}

export function createKubeClient(options: KubeClientOptions): KubeClient {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'cluster',
        server: options.server.replace(/\/+$/, ''),
        caData: options.caData === undefined ? undefined : toBase64Pem(options.caData),
        skipTLSVerify: options.skipTLSVerify ?? false,
      },
    ],
    users: [{ name: 'user', token: options.token }],
    contexts: [{ name: 'ctx', cluster: 'cluster', user: 'user' }],
    currentContext: 'ctx',
  });
  const timeoutMs = options.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  // kc.makeApiClient without its defaults: the same server and authentication, plus a middleware that
  // gives every request its own timeout signal (client-node has no timeout setting of its own).
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(kc.getCurrentCluster()?.server ?? options.server, {}),
    authMethods: { default: reusingAgent(kc) },
    promiseMiddleware: [
      {
        pre: (context) => {
          context.setSignal(AbortSignal.timeout(timeoutMs));
          return Promise.resolve(context);
        },
        post: (context) => Promise.resolve(context),
      },
    ],
  });
  const apps = new k8s.AppsV1Api(configuration);
  const core = new k8s.CoreV1Api(configuration);

  /** One API call, timed (and traced) by its endpoint class (`pods.list`, `deployments.get`, …: never a name or namespace). */
  function wrap<T>(endpoint: KubeEndpoint, what: string, fn: () => Promise<T>): Promise<T> {
    const call = async () => {
      try {
        return await fn();
      } catch (err) {
        throw toKubeApiError(err, what, timeoutMs);
      }
    };
    // A client span per call when tracing is on (client-node's own HTTP layer is not instrumented).
    return withSpan(
      `kube ${endpoint}`,
      { 'kube.endpoint': endpoint },
      () => timedCall(KUBE_METRICS, endpoint, call, (o) => ('result' in o ? 200 : o.error instanceof KubeApiError ? o.error.status : 0)),
      SpanKind.CLIENT,
    );
  }

  return {
    async listWorkloads(namespace, labelSelector, kinds = WORKLOAD_KINDS) {
      const none = Promise.resolve({ items: [] });
      const [deployments, statefulSets, daemonSets] = await Promise.all([
        kinds.includes('Deployment')
          ? wrap('deployments.list', `list deployments in ${namespace}`, () => apps.listNamespacedDeployment({ namespace, labelSelector }))
          : none,
        kinds.includes('StatefulSet')
          ? wrap('statefulsets.list', `list statefulsets in ${namespace}`, () =>
              apps.listNamespacedStatefulSet({ namespace, labelSelector }),
            )
          : none,
        kinds.includes('DaemonSet')
          ? wrap('daemonsets.list', `list daemonsets in ${namespace}`, () => apps.listNamespacedDaemonSet({ namespace, labelSelector }))
          : none,
      ]);
      return [
        ...deployments.items.map((object): Workload => ({ kind: 'Deployment', object: object as k8s.V1Deployment })),
        ...statefulSets.items.map((object): Workload => ({ kind: 'StatefulSet', object: object as k8s.V1StatefulSet })),
        ...daemonSets.items.map((object): Workload => ({ kind: 'DaemonSet', object: object as k8s.V1DaemonSet })),
      ];
    },
    async getWorkload(kind, namespace, name) {
      const what = `get ${kind} ${namespace}/${name}`;
      switch (kind) {
        case 'Deployment':
          return { kind, object: await wrap('deployments.get', what, () => apps.readNamespacedDeployment({ namespace, name })) };
        case 'StatefulSet':
          return { kind, object: await wrap('statefulsets.get', what, () => apps.readNamespacedStatefulSet({ namespace, name })) };
        case 'DaemonSet':
          return { kind, object: await wrap('daemonsets.get', what, () => apps.readNamespacedDaemonSet({ namespace, name })) };
        default: {
          const never: never = kind;
          throw new KubeApiError({ status: 400, reason: 'BadRequest', message: `unsupported workload kind ${String(never)}` });
        }
      }
    },
    async listPods(namespace, labelSelector) {
      const list = await wrap('pods.list', `list pods in ${namespace}`, () => core.listNamespacedPod({ namespace, labelSelector }));
      return list.items;
    },
    getNamespace(name) {
      return wrap('namespaces.get', `get namespace ${name}`, () => core.readNamespace({ name }));
    },
  };
}
