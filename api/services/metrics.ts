// GET /metrics of the API: this process's series (lib/metrics.ts) plus the state gauges read from PostgreSQL at
// scrape time (db/metrics-state.ts) — parked promotions and the age of the oldest, promotions waiting for a freeze
// window or an approval, open incidents. State is read rather than counted because it must survive restarts and be
// the same whichever process changed it; every API replica reports the same values (aggregate with max(), never
// sum()). One grouped query, shared by concurrent scrapes and cached for STATE_TTL_MS, so a scrape storm costs at
// most one query per interval.
import { Gauge } from 'prom-client';
import type { Database } from '../../db/client.js';
import { readMetricsState, type MetricsStateRow } from '../../db/metrics-state.js';
import { INCIDENT_KINDS } from '../../domain/verification.js';
import { MonitoringConfig as MonitoringSchema } from '../../domain/verification.js';
import { registry, renderMetrics, stateRegistry } from '../../lib/metrics.js';

export const STATE_TTL_MS = 2000;

const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [stateRegistry] });

const parked = gauge('flow_controller_promotions_parked', 'Promotions parked for an operator (awaiting_operator), per environment.', [
  'environment',
]);
const parkedAge = gauge(
  'flow_controller_promotions_parked_oldest_age_seconds',
  'Seconds since the oldest parked promotion of the environment last changed (0 when none is parked).',
  ['environment'],
);
const scheduled = gauge(
  'flow_controller_promotions_scheduled',
  'Promotions waiting for a freeze window to end (scheduled), per environment.',
  ['environment'],
);
const queued = gauge(
  'flow_controller_promotions_queued',
  'Promotions waiting in the environment queue (queued: docs/governance.md "Queues"), per environment.',
  ['environment'],
);
const approvals = gauge(
  'flow_controller_approvals_waiting',
  'Promotions waiting for their approvals (awaiting_approval), per environment.',
  ['environment'],
);
const incidents = gauge('flow_controller_incidents_open', 'Open incidents of the environment monitor, per environment and kind.', [
  'environment',
  'kind',
]);
const monitoring = gauge(
  'flow_controller_monitoring_enabled',
  '1 when the environment is monitored (its monitor workflow should report), 0 when its monitoring is off.',
  ['environment'],
);
const stateUp = gauge(
  'flow_controller_state_up',
  '1 when the last state query succeeded; 0 when the database did not answer (state gauges absent).',
  [],
);
const queryDuration = gauge('flow_controller_state_query_duration_seconds', 'Duration of the last state query behind these gauges.', []);

function apply(rows: MetricsStateRow[]): void {
  for (const g of [parked, parkedAge, scheduled, queued, approvals, incidents, monitoring]) g.reset();
  // Environments first (their gauges read 0 rather than vanish), whatever order the union returned the rows in.
  for (const r of rows) {
    if (r.row !== 'environment') continue;
    const environment = r.environment;
    for (const g of [parked, parkedAge, scheduled, queued, approvals]) g.set({ environment }, 0);
    for (const kind of INCIDENT_KINDS) incidents.set({ environment, kind }, 0);
    const parsed = MonitoringSchema.safeParse(r.monitoring ?? {});
    monitoring.set({ environment }, parsed.success && parsed.data.enabled ? 1 : 0);
  }
  for (const r of rows) {
    const environment = r.environment;
    if (r.row === 'incident' && r.key !== null) {
      incidents.set({ environment, kind: r.key }, r.count);
    } else if (r.row !== 'active') {
      continue;
    } else if (r.key === 'awaiting_operator') {
      parked.set({ environment }, r.count);
      parkedAge.set({ environment }, r.ageSeconds);
    } else if (r.key === 'scheduled') {
      scheduled.set({ environment }, r.count);
    } else if (r.key === 'queued') {
      queued.set({ environment }, r.count);
    } else if (r.key === 'awaiting_approval') {
      approvals.set({ environment }, r.count);
    }
  }
}

interface StateCache {
  at: number;
  pending?: Promise<void>;
}
const caches = new WeakMap<Database, StateCache>();

/** Refreshes the state gauges from the database unless they are younger than STATE_TTL_MS (single flight). */
export async function refreshState(database: Database, now = Date.now()): Promise<void> {
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = { at: -Infinity }));
  if (cache.pending) return cache.pending;
  if (now - cache.at < STATE_TTL_MS) return;
  const c = cache;
  c.pending = (async () => {
    const started = performance.now();
    try {
      apply(await readMetricsState(database.db));
      stateUp.set(1);
      c.at = Date.now();
    } catch {
      // No stale numbers: the state gauges disappear and flow_controller_state_up says why.
      for (const g of [parked, parkedAge, scheduled, queued, approvals, incidents, monitoring]) g.reset();
      stateUp.set(0);
    } finally {
      queryDuration.set((performance.now() - started) / 1000);
      c.pending = undefined;
    }
  })();
  return c.pending;
}

/** The API's exposition: state gauges (fresh within STATE_TTL_MS), this process's series, and any extra sources. */
export async function apiMetrics(database: Database): Promise<string> {
  await refreshState(database);
  return renderMetrics([registry, stateRegistry]);
}
