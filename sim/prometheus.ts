// The simulator's Prometheus: the instant-query HTTP API (`GET|POST /api/v1/query`) over series the tests control
// (docs/verification-and-monitoring.md, "Verification gates"). Answers have Prometheus's shape:
//   {"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":…,…},"value":[<unix>,"<value>"]}]}}
// and errors `400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: …"}`.
// Queries are the PromQL subset of sim/promql.ts. Series: those set through the faults API (setMetric, value may be
// NaN or ±Inf; removeMetric) and a built-in error ratio per live workload of the cluster,
//   flow_workload_error_ratio{namespace="<ns>",workload="<name>",kind="<Deployment|…>"}  0 unless setErrorRate raised it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Cluster } from './cluster.js';
import type { Scheduler } from './clock.js';
import { readBody, sendJson, sendText } from './http-util.js';
import { matches, parseSelector, PromQLError } from './promql.js';

export const ERROR_RATIO_METRIC = 'flow_workload_error_ratio';

export interface MetricSeries {
  name: string;
  labels?: Record<string, string>;
  /** NaN and ±Infinity are answered as "NaN", "+Inf", "-Inf". */
  value: number;
}

export interface MetricFaults {
  /** Sets one series of the simulator's Prometheus (the series is its name and exact label set). */
  setMetric(series: MetricSeries): void;
  /** Removes one series (exact labels), or every series of `name` when `labels` is omitted. */
  removeMetric(series: { name: string; labels?: Record<string, string> }): void;
  /** The built-in `flow_workload_error_ratio` of a workload (any kind) in `namespace`; 0 restores the default. */
  setErrorRate(namespace: string, workload: string, ratio: number): void;
  /** Removes every series set and every raised error ratio. */
  clearMetrics(): void;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function seriesKey(name: string, labels: Record<string, string>): string {
  return JSON.stringify([name, Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))]);
}

/** Prometheus's text form of a sample value. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

export class MetricStore implements MetricFaults {
  private readonly series = new Map<string, { name: string; labels: Record<string, string>; value: number }>();
  private readonly errorRates = new Map<string, number>();

  constructor(private readonly cluster: Pick<Cluster, 'list'>) {}

  setMetric(s: MetricSeries): void {
    const labels = s.labels ?? {};
    if (!METRIC_NAME.test(s.name)) throw new Error(`invalid metric name ${JSON.stringify(s.name)}`);
    for (const l of Object.keys(labels)) if (!LABEL_NAME.test(l)) throw new Error(`invalid label name ${JSON.stringify(l)}`);
    this.series.set(seriesKey(s.name, labels), { name: s.name, labels: { ...labels }, value: s.value });
  }

  removeMetric(s: { name: string; labels?: Record<string, string> }): void {
    if (s.labels) this.series.delete(seriesKey(s.name, s.labels));
    else for (const [k, v] of this.series) if (v.name === s.name) this.series.delete(k);
  }

  setErrorRate(namespace: string, workload: string, ratio: number): void {
    if (ratio === 0) this.errorRates.delete(`${namespace}/${workload}`);
    else this.errorRates.set(`${namespace}/${workload}`, ratio);
  }

  clearMetrics(): void {
    this.series.clear();
    this.errorRates.clear();
  }

  /** Every series now: the set ones and the built-in error ratio of each live workload. */
  all(): Array<{ name: string; labels: Record<string, string>; value: number }> {
    const builtIn = this.cluster.list().map((w) => ({
      name: ERROR_RATIO_METRIC,
      labels: { namespace: w.namespace, workload: w.name, kind: w.kind },
      value: this.errorRates.get(`${w.namespace}/${w.name}`) ?? 0,
    }));
    return [...builtIn, ...this.series.values()];
  }

  /** The instant query's answer body and status. */
  query(query: string, timeSeconds: number): { status: number; body: unknown } {
    let sel;
    try {
      sel = parseSelector(query);
    } catch (err) {
      if (!(err instanceof PromQLError)) throw err;
      const error = `invalid parameter "query": 1:${err.column}: parse error: ${err.message}`;
      return { status: 400, body: { status: 'error', errorType: 'bad_data', error } };
    }
    const result = this.all()
      .filter((s) => matches(sel, s.name, s.labels))
      .map((s) => ({ metric: { __name__: s.name, ...s.labels }, value: [timeSeconds, formatValue(s.value)] }));
    return { status: 200, body: { status: 'success', data: { resultType: 'vector', result } } };
  }
}

/** `time` as Prometheus accepts it: unix seconds (with decimals) or RFC 3339; undefined when invalid. */
function parseTime(text: string | null, nowMs: number): number | undefined {
  if (text === null || text === '') return nowMs / 1000;
  const n = Number(text);
  if (Number.isFinite(n)) return n;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

const badData = (error: string) => ({ status: 'error', errorType: 'bad_data', error });

export function createPrometheusServer(opts: { store: MetricStore; sched: Pick<Scheduler, 'now'> }): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://prometheus');
    if (url.pathname === '/-/healthy' || url.pathname === '/-/ready') return sendText(res, 200, 'Prometheus Server is Ready.\n');
    if (url.pathname !== '/api/v1/query') return sendText(res, 404, '404 page not found\n');
    let params = url.searchParams;
    if (req.method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      const body = await readBody(req, 64 * 1024);
      if (type === 'application/x-www-form-urlencoded') {
        params = new URLSearchParams(url.searchParams);
        for (const [k, v] of new URLSearchParams(body)) params.set(k, v); // the form wins over the URL
      }
    } else if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET, POST');
      return sendText(res, 405, 'Method Not Allowed\n');
    }
    const time = parseTime(params.get('time'), opts.sched.now());
    if (time === undefined)
      return sendJson(
        res,
        400,
        badData(`invalid parameter "time": cannot parse ${JSON.stringify(params.get('time'))} to a valid timestamp`),
      );
    const answer = opts.store.query(params.get('query') ?? '', time);
    return sendJson(res, answer.status, answer.body);
  };
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 400, badData(err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });
}

/** `/sim/admin` routes of the metrics (like windowsAdmin): POST/DELETE /metrics, POST /metrics/error-rate. */
export function metricsAdmin(route: string, body: unknown, store: MetricFaults): { status: number; body: unknown } | undefined {
  const b = (body ?? {}) as { name?: unknown; labels?: unknown; value?: unknown; namespace?: unknown; workload?: unknown; ratio?: unknown };
  const labels = b.labels && typeof b.labels === 'object' ? (b.labels as Record<string, string>) : undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN);
  switch (route) {
    case 'POST /metrics':
      store.setMetric({ name: String(b.name ?? ''), ...(labels ? { labels } : {}), value: num(b.value) });
      return { status: 200, body: { ok: true } };
    case 'DELETE /metrics':
      if (typeof b.name === 'string') store.removeMetric({ name: b.name, ...(labels ? { labels } : {}) });
      else store.clearMetrics();
      return { status: 200, body: { ok: true } };
    case 'POST /metrics/error-rate':
      store.setErrorRate(String(b.namespace ?? ''), String(b.workload ?? ''), num(b.ratio));
      return { status: 200, body: { ok: true } };
    default:
      return undefined;
  }
}
