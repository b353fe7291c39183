// Prometheus metrics of one process (prom-client): the in-process counters and histograms, recorded where the event
// happens (the worker's activities, the Git and Argo CD/Kubernetes clients, the API middleware), plus Node's default
// process metrics. State that lives in PostgreSQL (parked promotions, waiting queues, open incidents) is not here:
// the API reads it at scrape time into `stateRegistry` (api/services/metrics.ts). Names follow Prometheus
// conventions: `flow_controller_` prefix, base units (seconds), and labels of bounded cardinality only —
// environment names (admin-defined), step names, fixed endpoint classes, outcomes; never release or deployment
// ids, URLs or raw paths. docs/operations.md lists every series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's own series (in-process counters/histograms and the Node process metrics). */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** State gauges the API fills from PostgreSQL at scrape time (identical on every API replica: aggregate with max()). */
export const stateRegistry = new Registry();

/** Prometheus text format 0.0.4, as every scraper accepts. */
export const METRICS_CONTENT_TYPE = registry.contentType;

const STEP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const PROMOTION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400];
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const promotionsStarted = new Counter({
  name: 'flow_controller_promotions_started_total',
  help: 'Promotions accepted (a deployment record created), by environment and kind (promotion or rollback).',
  labelNames: ['environment', 'kind'] as const,
  registers: [registry],
});

export const promotionsFinished = new Counter({
  name: 'flow_controller_promotions_finished_total',
  help: 'Promotions that reached a final status, by environment and outcome (succeeded, failed, aborted).',
  labelNames: ['environment', 'outcome'] as const,
  registers: [registry],
});

export const promotionDuration = new Histogram({
  name: 'flow_controller_promotion_duration_seconds',
  help: 'End to end duration of a promotion, from its record to its final status (approvals and waits included).',
  labelNames: ['environment', 'outcome'] as const,
  buckets: PROMOTION_BUCKETS,
  registers: [registry],
});

export const stepDuration = new Histogram({
  name: 'flow_controller_promotion_step_duration_seconds',
  help: 'Duration of one attempt of a promotion step activity, by step and outcome (succeeded, skipped, failed).',
  labelNames: ['step', 'outcome'] as const,
  buckets: STEP_BUCKETS,
  registers: [registry],
});

export const monitorLastObservation = new Gauge({
  name: 'flow_controller_monitor_last_observation_timestamp_seconds',
  help: 'Unix time of the last completed observation of the environment monitor (per worker process: use max by environment).',
  labelNames: ['environment'] as const,
  registers: [registry],
});

export const gitPushes = new Counter({
  name: 'flow_controller_git_pushes_total',
  help: 'Pushes to GitOps repositories by result: ok, conflict (non-fast-forward: a concurrent writer) or error.',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const gitPushRetries = new Counter({
  name: 'flow_controller_git_push_retries_total',
  help: 'Push attempts made again after a non-fast-forward rejection (fetch, re-render, push again).',
  registers: [registry],
});

export const argocdRequestDuration = new Histogram({
  name: 'flow_controller_argocd_request_duration_seconds',
  help: 'Argo CD API calls by endpoint class and status class (2xx…5xx, or error: timeout or no answer); streams until their headers.',
  labelNames: ['endpoint', 'status_class'] as const,
  buckets: CALL_BUCKETS,
  registers: [registry],
});

export const argocdRequestErrors = new Counter({
  name: 'flow_controller_argocd_request_errors_total',
  help: 'Argo CD API calls that failed (no answer, timeout, or a non-2xx status), by endpoint class.',
  labelNames: ['endpoint', 'status_class'] as const,
  registers: [registry],
});

export const kubeRequestDuration = new Histogram({
  name: 'flow_controller_kube_request_duration_seconds',
  help: 'Kubernetes API reads by endpoint class and status class (2xx…5xx, or error: timeout or no answer).',
  labelNames: ['endpoint', 'status_class'] as const,
  buckets: CALL_BUCKETS,
  registers: [registry],
});

export const kubeRequestErrors = new Counter({
  name: 'flow_controller_kube_request_errors_total',
  help: 'Kubernetes API reads that failed, by endpoint class and status class.',
  labelNames: ['endpoint', 'status_class'] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: 'flow_controller_http_request_duration_seconds',
  help: 'API requests by method, route pattern (never the raw path) and status class.',
  labelNames: ['method', 'route', 'status_class'] as const,
  buckets: CALL_BUCKETS,
  registers: [registry],
});

/** Counts a promotion that reached a final status (call once, after the transaction that ended it committed). */
/**
 * Starts every environment's finished-promotion series at 0 (worker start): `increase()` and `rate()` see no
 * increase in a series whose first sample is already 1, so without this the first failure after a restart would be
 * invisible to the failure-rate alert. (An environment created later starts at its first promotion.)
 */
export function initPromotionSeries(environments: readonly string[]): void {
  for (const environment of environments) {
    for (const outcome of ['succeeded', 'failed', 'aborted']) promotionsFinished.inc({ environment, outcome }, 0);
  }
}

export function promotionEnded(record: { environment: string; status: string; createdAt: Date; finishedAt: Date | null }): void {
  promotionsFinished.inc({ environment: record.environment, outcome: record.status });
  const end = record.finishedAt ?? new Date();
  promotionDuration.observe(
    { environment: record.environment, outcome: record.status },
    Math.max(0, (end.getTime() - record.createdAt.getTime()) / 1000),
  );
}

/** The endpoint classes of the Argo CD and Kubernetes clients (integrations/argocd.ts argoEndpointClass, kube.ts). */
export const ARGO_ENDPOINTS = [
  'session.create',
  'application.list',
  'application.get',
  'application.sync',
  'application.terminate',
  'application.resource_tree',
  'application.managed_resources',
  'application.sync_windows',
  'project.get',
  'stream',
  'other',
] as const;
export type ArgoEndpoint = (typeof ARGO_ENDPOINTS)[number];
export const KUBE_ENDPOINTS = [
  'deployments.list',
  'statefulsets.list',
  'daemonsets.list',
  'deployments.get',
  'statefulsets.get',
  'daemonsets.get',
  'pods.list',
  'namespaces.get',
] as const;
export type KubeEndpoint = (typeof KUBE_ENDPOINTS)[number];

// Known label values start at 0, so that rate() and the alert rules see the first error (and the series exist).
for (const endpoint of ARGO_ENDPOINTS) for (const c of ['4xx', '5xx', 'error']) argocdRequestErrors.inc({ endpoint, status_class: c }, 0);
for (const endpoint of KUBE_ENDPOINTS) for (const c of ['4xx', '5xx', 'error']) kubeRequestErrors.inc({ endpoint, status_class: c }, 0);
for (const result of ['ok', 'conflict', 'error']) gitPushes.inc({ result }, 0);

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * One API request: `route` is the matched route pattern (Hono's routePath); a request no route matched (only the
 * catch-all middleware, `*` or `/*`) is `unmatched`, and an unusual method `OTHER`, so no client can add series.
 */
export function observeHttpRequest(req: { method: string; route: string; status: number }, started: number): void {
  const route = req.route === '*' || req.route === '/*' || req.route === '' ? 'unmatched' : req.route;
  const method = HTTP_METHODS.has(req.method) ? req.method : 'OTHER';
  httpRequestDuration.observe({ method, route, status_class: statusClass(req.status) }, secondsSince(started));
}

/** `2xx` … `5xx` for an HTTP status; `error` for none (no answer, timeout). */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'error';
}

/** Seconds since a `performance.now()` reading. */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/**
 * Observes one outbound call: its duration by endpoint class and status class, and an error count when it did not
 * answer 2xx. `statusOf` maps the result (or the thrown error) to an HTTP status, 0 for none.
 */
export async function timedCall<T>(
  metrics: { duration: Histogram<'endpoint' | 'status_class'>; errors: Counter<'endpoint' | 'status_class'> },
  endpoint: string,
  fn: () => Promise<T>,
  statusOf: (outcome: { result: T } | { error: unknown }) => number,
): Promise<T> {
  const started = performance.now();
  let outcome: { result: T } | { error: unknown };
  try {
    outcome = { result: await fn() };
  } catch (error) {
    outcome = { error };
  }
  const cls = statusClass(statusOf(outcome));
  metrics.duration.observe({ endpoint, status_class: cls }, secondsSince(started));
  if (cls !== '2xx') metrics.errors.inc({ endpoint, status_class: cls });
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

/**
 * Text appended to this process's exposition: the worker registers the Temporal SDK's own Prometheus exporter
 * here, so that one scrape (the worker's /metrics, or the API's in `npm start`, where both run in one process)
 * returns both. A source that fails adds a comment line, never an error.
 */
const extraSources = new Map<string, () => Promise<string>>();

export function addMetricsSource(name: string, read: () => Promise<string>): () => void {
  extraSources.set(name, read);
  return () => {
    if (extraSources.get(name) === read) extraSources.delete(name);
  };
}

/** The exposition of the given registries plus the extra sources, in text format 0.0.4. */
export async function renderMetrics(registries: Registry[]): Promise<string> {
  const own = await Promise.all(registries.map((r) => r.metrics()));
  const extra = await Promise.all(
    [...extraSources].map(([name, read]) =>
      read().then(
        (text) => text,
        (err: unknown) => `# ${name} unavailable: ${err instanceof Error ? err.name : 'error'}\n`,
      ),
    ),
  );
  return [...own, ...extra].map((t) => (t.endsWith('\n') || t === '' ? t : `${t}\n`)).join('');
}
