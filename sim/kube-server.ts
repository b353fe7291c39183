// The simulated Kubernetes API server (HTTPS with a certificate generated at start, bearer token):
// read-only apps/v1 Deployments/StatefulSets/DaemonSets and core/v1 Pods, list (namespaced or
// cluster-wide, labelSelector, fieldSelector, limit/continue) and get, with Kubernetes List shapes
// and `Status` error bodies, always `Content-Type: application/json`.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generate } from 'selfsigned';
import type { Cluster } from './cluster.js';
import type { FaultState } from './faults.js';
import { applyHttpFaults, HangingRequests, sendJson } from './http-util.js';
import { podJson, workloadJson } from './k8s-json.js';
import { matches, parseSelector, SelectorError } from './label-selector.js';

export interface Tls {
  /** PEM of the CA that signed the server certificate (hand to clients as caData). */
  caPem: string;
  cert: string;
  key: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1/localhost signed by it. */
export async function generateTls(): Promise<Tls> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600_000);
  const ca = await generate([{ name: 'commonName', value: 'flow-controller-sim-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'kubernetes' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, cert: leaf.cert, key: leaf.private };
}

type Resource = 'deployments' | 'statefulsets' | 'daemonsets' | 'pods';
const KIND: Record<Resource, { kind: string; list: string; apiVersion: string; group: string }> = {
  deployments: { kind: 'Deployment', list: 'DeploymentList', apiVersion: 'apps/v1', group: 'apps' },
  statefulsets: { kind: 'StatefulSet', list: 'StatefulSetList', apiVersion: 'apps/v1', group: 'apps' },
  daemonsets: { kind: 'DaemonSet', list: 'DaemonSetList', apiVersion: 'apps/v1', group: 'apps' },
  pods: { kind: 'Pod', list: 'PodList', apiVersion: 'v1', group: '' },
};

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
  sendJson(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

function qualified(resource: Resource): string {
  const g = KIND[resource].group;
  return g ? `${resource}.${g}` : resource;
}

function getPath(obj: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface KubeServer {
  server: Server;
  hanging: HangingRequests;
}

export interface KubeServerOptions {
  cluster: Cluster;
  faults: FaultState;
  tls: Tls;
  token: string;
  user: string;
  /** Namespaces that exist (besides those holding workloads, `default` and `kube-system`). */
  namespaces?: () => readonly string[];
}

export function createKubeServer(o: KubeServerOptions): KubeServer {
  const hanging = new HangingRequests();

  function objects(resource: Resource, namespace: string | undefined): Record<string, unknown>[] {
    if (resource === 'pods') {
      return o.cluster
        .pods(namespace)
        .map(({ workload, pod }) => podJson(workload, pod, false))
        .sort((a, b) => String(getPath(a, 'metadata.name')).localeCompare(String(getPath(b, 'metadata.name'))));
    }
    return o.cluster.list({ kind: KIND[resource].kind, namespace }).map((w) => workloadJson(w, false));
  }

  /** GET /api/v1/namespaces/{name}: cluster-scoped, so a namespace the token is forbidden in answers 403. */
  function namespaceObject(res: ServerResponse, name: string, method: string): void {
    if (method !== 'GET') {
      status(res, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (simulator is read-only)`);
      return;
    }
    if (o.faults.kubeForbidden.has(name)) {
      status(
        res,
        403,
        'Forbidden',
        `namespaces "${name}" is forbidden: User "${o.user}" cannot get resource "namespaces" in API group "" in the namespace "${name}"`,
        {
          name,
          kind: 'namespaces',
        },
      );
      return;
    }
    const existing = new Set(['default', 'kube-system', ...(o.namespaces?.() ?? []), ...o.cluster.list().map((w) => w.namespace)]);
    if (!existing.has(name)) {
      status(res, 404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
      return;
    }
    sendJson(res, 200, {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name, resourceVersion: String(o.cluster.nextResourceVersion()), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${o.token}`) {
      status(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    if (ns) {
      namespaceObject(res, decodeURIComponent(ns[1] ?? ''), req.method ?? 'GET');
      return;
    }
    const m =
      /^\/apis\/apps\/v1(?:\/namespaces\/([^/]+))?\/(deployments|statefulsets|daemonsets)(?:\/([^/]+))?$/.exec(url.pathname) ??
      /^\/api\/v1(?:\/namespaces\/([^/]+))?\/(pods)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) {
      status(res, 404, 'NotFound', 'the server could not find the requested resource', {});
      return;
    }
    const namespace = m[1] ? decodeURIComponent(m[1]) : undefined;
    const resource = m[2] as Resource;
    const name = m[3] ? decodeURIComponent(m[3]) : undefined;
    const verb = name ? 'get' : 'list';
    if (req.method !== 'GET') {
      status(res, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (simulator is read-only)`);
      return;
    }
    if (name && !namespace) {
      status(res, 404, 'NotFound', 'the server could not find the requested resource', {});
      return;
    }
    if (o.faults.kubeForbidden.has(namespace ?? '') || (!namespace && o.faults.kubeForbidden.size > 0)) {
      const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
      status(
        res,
        403,
        'Forbidden',
        `${qualified(resource)}${name ? ` "${name}"` : ''} is forbidden: User "${o.user}" cannot ${verb} resource "${resource}" in API group "${KIND[resource].group}"${scope}`,
        { ...(name ? { name } : {}), group: KIND[resource].group, kind: resource },
      );
      return;
    }
    const all = objects(resource, namespace);
    const info = KIND[resource];
    if (name) {
      const obj = all.find((x) => getPath(x, 'metadata.name') === name);
      if (!obj) {
        status(res, 404, 'NotFound', `${qualified(resource)} "${name}" not found`, { name, group: info.group, kind: resource });
        return;
      }
      sendJson(res, 200, { kind: info.kind, apiVersion: info.apiVersion, ...obj });
      return;
    }
    let items = all;
    try {
      const labels = parseSelector(url.searchParams.get('labelSelector'));
      items = items.filter((x) => matches(labels, getPath(x, 'metadata.labels') as Record<string, string> | undefined));
    } catch (err) {
      status(res, 400, 'BadRequest', `unable to parse requirement: ${(err as Error).message}`);
      return;
    }
    const fieldSelector = url.searchParams.get('fieldSelector');
    if (fieldSelector) {
      for (const part of fieldSelector.split(',').filter(Boolean)) {
        const fm = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(part.trim());
        if (!fm) {
          status(res, 400, 'BadRequest', `invalid selector: '${fieldSelector}'; can't understand '${part}'`);
          return;
        }
        const [, field = '', op, value] = fm;
        items = items.filter((x) => (String(getPath(x, field) ?? '') === value) === (op !== '!='));
      }
    }
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const start = Number(Buffer.from(url.searchParams.get('continue') ?? '', 'base64url').toString('utf8') || '0');
    let cont: string | undefined;
    if (limit > 0) {
      if (start + limit < items.length) cont = Buffer.from(String(start + limit)).toString('base64url');
      items = items.slice(start, start + limit);
    }
    sendJson(res, 200, {
      kind: info.list,
      apiVersion: info.apiVersion,
      metadata: { resourceVersion: String(o.cluster.nextResourceVersion()), ...(cont ? { continue: cont } : {}) },
      items,
    });
  }

  const server = createServer({ cert: o.tls.cert, key: o.tls.key }, (req, res) => {
    void (async () => {
      try {
        const consumed = await applyHttpFaults('kube', o.faults, res, hanging, (code) => ({
          contentType: 'application/json',
          body: JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: 'simulated server error',
            reason: code === 503 ? 'ServiceUnavailable' : 'InternalError',
            code,
          }),
        }));
        if (!consumed) handle(req, res);
      } catch (err) {
        if (err instanceof SelectorError) status(res, 400, 'BadRequest', err.message);
        else status(res, 500, 'InternalError', err instanceof Error ? err.message : String(err));
      }
    })();
  });
  // kube-apiserver closes an idle keep-alive connection after 90 s (k8s.io/apiserver secure serving: IdleTimeout 90 s,
  // "matches http.DefaultTransport"), not Node's default 5 s: clients that keep connections (the monitor's shared
  // Kubernetes clients) reuse them across a 15 s interval as they would against a real cluster.
  server.keepAliveTimeout = 90_000;
  server.headersTimeout = 95_000;
  return { server, hanging };
}
