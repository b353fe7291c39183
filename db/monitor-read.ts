// What the monitor reads of an environment before each observation (activities/monitor-tick.ts), in one prepared
// statement on postgres.js (db/prepared.ts explains why not drizzle on the hot path): the environment row, its
// active deployment (at most one: deployments_one_active_idx) and how many incidents are open there (counted up
// to OPEN_INCIDENTS_CAP, as the tick's list of open incidents was bounded).
import type { Sql } from './client.js';
import type { DeploymentRow } from './deployments.js';
import type { EnvironmentRow } from './environments.js';
import { ACTIVE_STATUSES } from '../domain/promotion.js';
import { DEPLOYMENT_COLUMNS, ENVIRONMENT_COLUMNS, camel, deploymentOf, environmentOf, selectList, type Raw } from './prepared.js';
import { boundedMapsPer } from '../lib/bounded-map.js';

/** The open incidents an observation counts at most (the monitor reports `openIncidents` up to this). */
export const OPEN_INCIDENTS_CAP = 100;

export interface MonitorSnapshot {
  environment: EnvironmentRow;
  active: DeploymentRow | undefined;
  /** Open incidents of the environment, of every kind, at most OPEN_INCIDENTS_CAP. */
  openIncidents: number;
}

const ACTIVE = ACTIVE_STATUSES.map((v) => `'${v}'`).join(',');
/**
 * The environment's columns only when its row changed since the version the caller holds ($2, its `xmin`: any
 * update of the row changes it), else nulls: in a steady monitor the row's JSON columns were most of the read's
 * parse cost, every interval, for a configuration that rarely changes.
 */
const envColumns = ENVIRONMENT_COLUMNS.map((c) => `case when e.xmin::text is distinct from $2 then e.${c} end as "${camel(c)}"`).join(', ');
const SNAPSHOT = `select e.xmin::text as "envVersion", ${envColumns}, ${selectList('d', DEPLOYMENT_COLUMNS, 'd_')},
  (select count(*) from (select 1 from incidents i where i.environment = e.name and i.resolved_at is null
    limit ${OPEN_INCIDENTS_CAP}) o)::int as "openIncidents"
  from environments e
  left join deployments d on d.environment = e.name and d.status in (${ACTIVE})
  where e.name = $1
  limit 1`;
const OPEN_COUNT = `select count(*)::int as n from (select 1 from incidents where environment = $1 and resolved_at is null
  limit ${OPEN_INCIDENTS_CAP}) o`;

/** Environment rows as last read, with their row version (the newest are kept, at most this many). */
const KEPT_ENVIRONMENTS = 2_000;
/** Per database (xmin is a version within one PostgreSQL cluster only). */
const keptBySql = boundedMapsPer<Sql, string, { version: string; row: EnvironmentRow }>(KEPT_ENVIRONMENTS);

/** The environment, its active deployment and its open-incident count; undefined when the environment does not exist. */
export async function readMonitorSnapshot(sql: Sql, input: { environment: string }): Promise<MonitorSnapshot | undefined> {
  const kept = keptBySql(sql);
  const known = kept.get(input.environment);
  const [r] = await sql.unsafe<Raw[]>(SNAPSHOT, [input.environment, known?.version ?? ''], { prepare: true });
  if (!r) {
    kept.delete(input.environment);
    return undefined;
  }
  const version = String(r.envVersion);
  let environment = known?.version === version ? known.row : undefined;
  const deployment: Raw = {};
  const env: Raw = {};
  for (const key in r) {
    if (key === 'openIncidents' || key === 'envVersion') continue;
    if (key.startsWith('d_')) deployment[key.slice(2)] = r[key];
    else if (!environment) env[key] = r[key];
  }
  if (!environment) {
    environment = environmentOf(env);
    kept.set(input.environment, { version, row: environment });
  }
  return {
    environment,
    active: deployment.id === null || deployment.id === undefined ? undefined : deploymentOf(deployment),
    openIncidents: Number(r.openIncidents),
  };
}

/** The open incidents of an environment, of every kind, counted up to OPEN_INCIDENTS_CAP. */
export async function countOpenIncidents(sql: Sql, input: { environment: string }): Promise<number> {
  const [r] = await sql.unsafe<Raw[]>(OPEN_COUNT, [input.environment], { prepare: true });
  return Number(r?.n ?? 0);
}
