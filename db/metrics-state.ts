// The state behind the API's scrape-time gauges (api/services/metrics.ts), in one grouped query: every
// environment's name (so that its gauges read 0 rather than vanish), its waiting and parked promotions with the age
// of the oldest — queued ones through the partial index deployments_one_queued_idx, the active ones (at most one per
// environment) through deployments_one_active_idx: one branch each, as the planner matches a partial index only to a
// condition that implies its own — and its open incidents by kind (the partial index incidents_one_open_idx). Cost
// does not grow with history (bench/metrics-scrape.ts prints the plan of this very query).
import { sql } from 'drizzle-orm';
import type { Tx } from './client.js';

export interface MetricsStateRow {
  /** `environment` (one per environment), `active` (a waiting or parked promotion status) or `incident` (an open kind). */
  row: 'environment' | 'active' | 'incident';
  environment: string;
  /** The promotion status (active) or incident kind (incident); null for `environment`. */
  key: string | null;
  count: number;
  /** Seconds since the oldest record of the group last changed (active rows); 0 otherwise. */
  ageSeconds: number;
  /** The environment's stored monitoring settings (`environment` rows; null: the defaults). */
  monitoring: unknown;
}

/** The query (exported for the benchmark's EXPLAIN). */
export const METRICS_STATE_QUERY = sql`
  select 'environment' as row, name as environment, null as key, 0 as count, 0::float8 as age_seconds, monitoring from environments
  union all
  select 'active', environment, status, count(*)::int, coalesce(extract(epoch from now() - min(updated_at)), 0)::float8, null
    from deployments where status = 'queued' group by environment, status
  union all
  select 'active', environment, status, count(*)::int, coalesce(extract(epoch from now() - min(updated_at)), 0)::float8, null
    from deployments where status in ('scheduled', 'awaiting_approval', 'awaiting_operator') group by environment, status
  union all
  select 'incident', environment, kind, count(*)::int, 0::float8, null from incidents where resolved_at is null group by environment, kind
`;

export async function readMetricsState(tx: Tx): Promise<MetricsStateRow[]> {
  const rows = await tx.execute<{
    row: string;
    environment: string;
    key: string | null;
    count: number;
    age_seconds: number;
    monitoring: unknown;
  }>(METRICS_STATE_QUERY);
  return rows.map((r) => ({
    row: r.row as MetricsStateRow['row'],
    environment: r.environment,
    key: r.key,
    count: Number(r.count),
    ageSeconds: Number(r.age_seconds),
    monitoring: r.monitoring,
  }));
}
