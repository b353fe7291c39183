// Kubernetes read client for verification: lists the workloads and pods Argo CD deployed. Only reads, only
// namespaced. The reads are plain JSON GETs on one keep-alive connection pool (kube-transport.ts); the objects have
// @kubernetes/client-node's types. Errors are KubeApiError (kube-errors.ts) carrying
// the HTTP status and the Kubernetes `Status.reason`. Every request has a timeout covering connect, headers and body,
// so an API server that accepts and never answers fails the call after `timeoutMs` instead of hanging it.
import type * as k8s from '@kubernetes/client-node';
import { createKubeGet } from './kube-transport.js';
import { KubeApiError } from './kube-errors.js';
import { kubeRequestDuration, kubeRequestErrors, timedCall, type KubeEndpoint } from '../lib/metrics.js';
import { SpanKind, withSpan } from '../lib/tracing.js';

export { KubeApiError, toKubeApiError } from './kube-errors.js';

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

/** The CA as PEM: a kubeconfig's `certificate-authority-data` is base64 of it. */
function caPemOf(caData: string): string {
  return caData.includes('-----BEGIN') ? caData : Buffer.from(caData, 'base64').toString('utf8');
}

export function createKubeClient(options: KubeClientOptions): KubeClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const get = createKubeGet(
    {
      server: options.server,
      ...(options.caData === undefined ? {} : { caPem: caPemOf(options.caData) }),
      token: options.token,
      skipTLSVerify: options.skipTLSVerify ?? false,
    },
    timeoutMs,
  );
  const ns = (namespace: string) => `/namespaces/${encodeURIComponent(namespace)}`;
  const list = async <T>(path: string, labelSelector: string | undefined, what: string): Promise<T[]> =>
    (await get<{ items?: T[] }>(path, { labelSelector }, what)).items ?? [];

  /** One API call, timed (and traced) by its endpoint class (`pods.list`, `deployments.get`, …: never a name or namespace). */
  function wrap<T>(endpoint: KubeEndpoint, what: string, fn: (what: string) => Promise<T>): Promise<T> {
    // A client span per call when tracing is on (node:https is not instrumented).
    return withSpan(
      `kube ${endpoint}`,
      { 'kube.endpoint': endpoint },
      () =>
        timedCall(
          KUBE_METRICS,
          endpoint,
          () => fn(what),
          (o) => ('result' in o ? 200 : o.error instanceof KubeApiError ? o.error.status : 0),
        ),
      SpanKind.CLIENT,
    );
  }

  const apps = (namespace: string, plural: string) => `/apis/apps/v1${ns(namespace)}/${plural}`;
  return {
    async listWorkloads(namespace, labelSelector, kinds = WORKLOAD_KINDS) {
      const none = Promise.resolve([]);
      const [deployments, statefulSets, daemonSets] = await Promise.all([
        kinds.includes('Deployment')
          ? wrap('deployments.list', `list deployments in ${namespace}`, (what) =>
              list<k8s.V1Deployment>(apps(namespace, 'deployments'), labelSelector, what),
            )
          : none,
        kinds.includes('StatefulSet')
          ? wrap('statefulsets.list', `list statefulsets in ${namespace}`, (what) =>
              list<k8s.V1StatefulSet>(apps(namespace, 'statefulsets'), labelSelector, what),
            )
          : none,
        kinds.includes('DaemonSet')
          ? wrap('daemonsets.list', `list daemonsets in ${namespace}`, (what) =>
              list<k8s.V1DaemonSet>(apps(namespace, 'daemonsets'), labelSelector, what),
            )
          : none,
      ]);
      return [
        ...deployments.map((object): Workload => ({ kind: 'Deployment', object })),
        ...statefulSets.map((object): Workload => ({ kind: 'StatefulSet', object })),
        ...daemonSets.map((object): Workload => ({ kind: 'DaemonSet', object })),
      ];
    },
    async getWorkload(kind, namespace, name) {
      const what = `get ${kind} ${namespace}/${name}`;
      const one = <T>(plural: string, endpoint: KubeEndpoint) =>
        wrap(endpoint, what, (w) => get<T>(`${apps(namespace, plural)}/${encodeURIComponent(name)}`, {}, w));
      switch (kind) {
        case 'Deployment':
          return { kind, object: await one<k8s.V1Deployment>('deployments', 'deployments.get') };
        case 'StatefulSet':
          return { kind, object: await one<k8s.V1StatefulSet>('statefulsets', 'statefulsets.get') };
        case 'DaemonSet':
          return { kind, object: await one<k8s.V1DaemonSet>('daemonsets', 'daemonsets.get') };
        default: {
          const never: never = kind;
          throw new KubeApiError({ status: 400, reason: 'BadRequest', message: `unsupported workload kind ${String(never)}` });
        }
      }
    },
    listPods(namespace, labelSelector) {
      return wrap('pods.list', `list pods in ${namespace}`, (what) => list<k8s.V1Pod>(`/api/v1${ns(namespace)}/pods`, labelSelector, what));
    },
    getNamespace(name) {
      return wrap('namespaces.get', `get namespace ${name}`, (what) =>
        get<k8s.V1Namespace>(`/api/v1/namespaces/${encodeURIComponent(name)}`, {}, what),
      );
    },
  };
}
