// The four DORA metrics of one environment over a window, computed by Postgres in one statement (one round trip,
// prepared once per connection) over the deployment history, incidents and verifications. The definitions are
// documented in docs/operations.md ("DORA metrics"); the indexes the plan needs are in db/promotion-schema.ts
// (deployments_env_status_finished_idx, deployments_env_rollback_idx) and db/verification-schema.ts
// (release_verifications_revoked_idx, incidents_env_first_seen_idx).
//
//   changes   successful promotions that are not rollbacks, finished in [from, to): frequency, lead time, and
//             the denominator of the change failure rate
//   failed    a change followed, in [finished, min(finished + failure window, next successful promotion's
//             finish)), by a rollback started in the environment, a revocation of its verification, or an
//             incident opened on it
//   failures  for time to restore: incidents opened in [from, to) (restored when resolved), and failed or
//             aborted promotions that had pushed a commit, finished in [from, to) (restored by the next
//             successful promotion); a failure not restored by `to` counts in `failures` but not in the times
import type { Sql } from './client.js';
import type { DoraBucket } from '../domain/dora.js';

// $1 environment, $2 from, $3 to, $4 failure window (s), $5 bucket ('day' | 'week').
const DORA = `
with succ as (
  select d.id, d.release_id, d.is_rollback, d.finished_at,
         lead(d.finished_at) over (order by d.finished_at) as next_finished_at
  from deployments d
  where d.environment = $1 and d.status = 'succeeded' and d.finished_at >= $2::timestamptz
),
-- Failure signals, each tied to one deployment: a rollback to the newest successful promotion finished at or
-- before its start (any other one's failure window ends at that promotion's finish), a revocation and an
-- incident to the deployment they name. Few rows, found through indexes, then hash-joined to the changes.
signals as (
  select last.id as deployment_id, rb.created_at as at
  from deployments rb
  cross join lateral (
    select d.id from deployments d
    where d.environment = $1 and d.status = 'succeeded' and d.finished_at <= rb.created_at
    order by d.finished_at desc limit 1
  ) last
  -- A rollback that was started: not one still queued or superseded, nor one that ended in its queue.
  where rb.environment = $1 and rb.is_rollback and rb.status not in ('queued', 'superseded')
    and not (rb.queued_at is not null and rb.run_id is null) and rb.created_at >= $2::timestamptz
    and rb.created_at < $3::timestamptz + make_interval(secs => $4::int)
  union all
  select v.deployment_id, v.revoked_at
  from release_verifications v
  where v.environment = $1 and v.state = 'revoked' and v.revoked_at >= $2::timestamptz
    and v.revoked_at < $3::timestamptz + make_interval(secs => $4::int)
  union all
  select i.deployment_id, i.first_seen_at
  from incidents i
  where i.environment = $1 and i.deployment_id is not null and i.first_seen_at >= $2::timestamptz
    and i.first_seen_at < $3::timestamptz + make_interval(secs => $4::int)
),
failed_ids as (
  select distinct s.id
  from succ s join signals g on g.deployment_id = s.id
  where g.at >= s.finished_at
    and g.at < least(s.finished_at + make_interval(secs => $4::int), coalesce(s.next_finished_at, 'infinity'::timestamptz))
),
changes as (
  select s.id, s.finished_at, extract(epoch from s.finished_at - r.created_at)::float8 as lead_seconds,
         s.id in (select id from failed_ids) as failed
  from succ s
  join releases r on r.id = s.release_id
  where not s.is_rollback and s.finished_at < $3::timestamptz
),
failures as (
  select i.first_seen_at as started_at, i.resolved_at as restored_at
  from incidents i
  where i.environment = $1 and i.first_seen_at >= $2::timestamptz and i.first_seen_at < $3::timestamptz
  union all
  select f.finished_at,
         (select n.finished_at from deployments n
           where n.environment = $1 and n.status = 'succeeded' and n.finished_at > f.finished_at
           order by n.finished_at limit 1)
  from deployments f
  where f.environment = $1 and f.status in ('failed', 'aborted') and f.commit_sha is not null
    and f.finished_at >= $2::timestamptz and f.finished_at < $3::timestamptz
),
restores as (
  select extract(epoch from restored_at - started_at)::float8 as seconds
  from failures where restored_at <= $3::timestamptz
),
per_bucket as (
  select date_trunc($5::text, finished_at at time zone 'UTC') as start, count(*)::int as n, (count(*) filter (where failed))::int as f
  from changes group by 1
),
buckets as (
  select b as start
  from generate_series(date_trunc($5::text, $2::timestamptz at time zone 'UTC'),
                       ($3::timestamptz at time zone 'UTC') - interval '1 microsecond', ('1 ' || $5::text)::interval) b
)
select
  exists (select 1 from environments where name = $1) as "exists",
  (select count(*) from changes)::int as "deployments",
  (select count(*) from changes where failed)::int as "failed",
  (select percentile_cont(0.5) within group (order by lead_seconds) from changes) as "leadP50",
  (select percentile_cont(0.9) within group (order by lead_seconds) from changes) as "leadP90",
  (select count(*) from failures)::int as "failures",
  (select count(*) from restores)::int as "restored",
  (select percentile_cont(0.5) within group (order by seconds) from restores) as "restoreP50",
  (select avg(seconds) from restores) as "restoreMean",
  (select coalesce(json_agg(json_build_object('start', to_char(b.start, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                              'deployments', coalesce(p.n, 0), 'failed', coalesce(p.f, 0)) order by b.start), '[]')
     from buckets b left join per_bucket p using (start)) as "trend"
`;

export interface DoraTrendPoint {
  /** Start of the bucket (UTC, ISO 8601); the first bucket may start before the window. */
  start: string;
  deployments: number;
  failed: number;
}

export interface DoraNumbers {
  /** Successful promotions (not rollbacks) finished in the window. */
  deployments: number;
  /** Of those, the ones followed by a failure signal within the failure window. */
  failed: number;
  leadP50Seconds: number | null;
  leadP90Seconds: number | null;
  /** Failures started in the window, and how many of them were restored by its end. */
  failures: number;
  restored: number;
  restoreP50Seconds: number | null;
  restoreMeanSeconds: number | null;
  trend: DoraTrendPoint[];
}

export interface DoraQuery {
  environment: string;
  from: Date;
  to: Date;
  failureWindowSeconds: number;
  bucket: DoraBucket;
}

/** The raw statement and its parameters (bench/dora.ts prints its plan with EXPLAIN). */
export function doraStatement(input: DoraQuery): { text: string; params: Array<string | number> } {
  return {
    text: DORA,
    params: [input.environment, input.from.toISOString(), input.to.toISOString(), input.failureWindowSeconds, input.bucket],
  };
}

interface Raw {
  exists: boolean;
  deployments: number;
  failed: number;
  leadP50: number | null;
  leadP90: number | null;
  failures: number;
  restored: number;
  restoreP50: number | null;
  restoreMean: number | null;
  trend: DoraTrendPoint[] | string;
}

/** The numbers of `environment` over [from, to); undefined when the environment does not exist. */
export async function doraMetrics(sql: Sql, input: DoraQuery): Promise<DoraNumbers | undefined> {
  const { text, params } = doraStatement(input);
  const [r] = await sql.unsafe<Raw[]>(text, params, { prepare: true });
  if (!r?.exists) return undefined;
  return {
    deployments: r.deployments,
    failed: r.failed,
    leadP50Seconds: r.leadP50,
    leadP90Seconds: r.leadP90,
    failures: r.failures,
    restored: r.restored,
    restoreP50Seconds: r.restoreP50,
    restoreMeanSeconds: r.restoreMean,
    trend: typeof r.trend === 'string' ? (JSON.parse(r.trend) as DoraTrendPoint[]) : r.trend,
  };
}
