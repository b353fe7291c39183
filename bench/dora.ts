// bench: the DORA metrics at scale (issue 12): 10k releases and 1M deployment-history rows over three years in
// 10 environments (≈ 90 promotions a day each: 5 % failed, 5 % aborted, 5 % rollbacks), 20k incidents and a
// verification row per successful promotion (4 % revoked), seeded with generate_series in a throwaway database.
//   1. the statement of db/dora.ts itself, per window (7d, 30d, 90d, 365d; by day and by week), timed
//      BENCH_ITERATIONS times, with its EXPLAIN (ANALYZE, BUFFERS) plan and the sequential scans of large tables;
//   2. GET /v1/metrics/dora?window=30d from a separate open-loop load-generator process (bench/loadgen.ts) against
//      the API in its own process (bench/api-process.ts), at BENCH_RATE (default 50) req/s for BENCH_SECONDS.
// Target: p99 ≤ 20 ms (query and API, 30-day window) and no sequential scan of a history table. Writes
// bench/results/dora.json.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hashToken } from '../api/auth.js';
import type { Sql } from '../db/client.js';
import { doraMetrics, doraStatement } from '../db/dora.js';
import { stopChild } from '../dev/temporal-dev-server.js';
import type { DoraBucket } from '../domain/dora.js';
import { loadgen, startApi } from './api-load.js';
import { createThrowawayDb } from './seed.js';
import { machine, round1, stats, writeResult } from './stats.js';

const COUNTS = {
  environments: 10,
  releases: Number(process.env.BENCH_RELEASES ?? 10_000),
  deployments: Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000),
  days: 3 * 365,
};
/** Per query for windows up to 30 days; a quarter of it for the longer ones. */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_MS = 3000;
const TARGET = { p99Ms: 20, seqScansOnLargeTables: 0 };
/** The history tables (1M deployments, 0.8M verifications): never read whole. `releases` (10k rows) is reported apart:
 *  for long windows the planner rightly hashes all of it (≈ 250 pages) rather than probe it once per change. */
const LARGE = /Seq Scan on (deployments|incidents|release_verifications)\b/;

async function seedHistory(sql: Sql): Promise<string> {
  const token = `fct_bench_${randomBytes(24).toString('base64url')}`;
  const { releases, deployments, environments, days } = COUNTS;
  const span = days * 86_400;
  await sql.unsafe(`
    insert into api_tokens (id, name, principal, role, scopes, token_hash, created_by)
      values ('00000000-0000-4000-8000-000000000001', 'bench-viewer', 'bench-viewer', 'viewer', '{}', '${hashToken(token)}', 'bench');
    insert into templates (key, revision, document, digest, created_by) values ('7.0.0', 1, '{}', 'bench', 'bench');
    insert into environments (name, display_order, gitops, argocd, kubernetes)
      select 'env-' || i, i, '{}', '{}', '{}' from generate_series(1, ${environments}) i;
    insert into releases (id, product_version, template_key, template_revision, descriptor, digest, created_by,
                          created_by_token_id, created_at, request_digest)
      select gen_random_uuid(), '7.1.' || i, '7.0.0', 1, '{}', md5(i::text), 'ci', '00000000-0000-4000-8000-000000000001',
             now() - make_interval(secs => (${releases} - i) * ${span / releases}::float8), md5(i::text)
      from generate_series(1, ${releases}) i;
    create temporary table bench_release_ids as select row_number() over (order by seq) as n, id from releases;
    create index on bench_release_ids (n);
  `);
  // Deployment i (environment i mod 10, kind k = (i div 10) mod 20: 0 failed, 1 aborted, 2 rollback) finishes (deployments - i) × step seconds ago, of a release created 1..8 release-steps earlier.
  await sql.unsafe(`
    insert into deployments (environment, release_id, is_rollback, status, started_by, workflow_id, commit_sha,
                             created_at, started_at, finished_at, updated_at)
      select 'env-' || (1 + i % ${environments}), r.id, k = 2,
             case k when 0 then 'failed' when 1 then 'aborted' else 'succeeded' end, 'bench', 'promote-' || i,
             case when k = 1 then null else md5(i::text) end, f - interval '10 minutes', f - interval '10 minutes', f, f
      from generate_series(0, ${deployments - 1}) i
      cross join lateral (select now() - make_interval(secs => (${deployments} - i) * ${span / deployments}::float8) as f,
                                 (i / ${environments}) % 20 as k) t
      join bench_release_ids r on r.n = greatest(1, (i::bigint * ${releases} / ${deployments}) - 1 - i % 7);
    insert into release_verifications (deployment_id, environment, release_id, state, verified_at, revoked_at, created_at, updated_at)
      select id, environment, release_id, case when id % 25 = 0 then 'revoked' else 'verified' end, finished_at,
             case when id % 25 = 0 then finished_at + interval '3 hours' end, finished_at, finished_at
      from deployments where status = 'succeeded' and not is_rollback;
    insert into incidents (environment, application, kind, release_id, deployment_id, summary, first_seen_at, last_seen_at, resolved_at)
      select environment, 'app-' || id, 'degraded', release_id, id, 'bench', finished_at + interval '1 hour',
             finished_at + interval '1 hour', finished_at + interval '90 minutes'
      from deployments where id % 50 = 7;
  `);
  await sql.unsafe('vacuum analyze'); // as autovacuum leaves an old history: statistics and the visibility map
  return token;
}

async function main(): Promise<void> {
  const db = await createThrowawayDb('fc_bench_dora');
  let api: { child: ChildProcess; url: string } | undefined;
  try {
    const seedStarted = performance.now();
    const token = await seedHistory(db.sql);
    const seedSeconds = round1((performance.now() - seedStarted) / 1000);
    console.log(`seeded ${JSON.stringify(COUNTS)} in ${seedSeconds} s`);
    const env = 'env-3';
    const queries: Record<string, { window: number; bucket: DoraBucket }> = {
      '7d by day': { window: 7, bucket: 'day' },
      '30d by day': { window: 30, bucket: 'day' },
      '90d by week': { window: 90, bucket: 'week' },
      '365d by day': { window: 365, bucket: 'day' },
      '365d by week': { window: 365, bucket: 'week' },
    };
    const query: Record<string, unknown> = {};
    let met = true;
    for (const [name, q] of Object.entries(queries)) {
      const input = () => {
        const to = new Date();
        return {
          environment: env,
          from: new Date(to.getTime() - q.window * 86_400_000),
          to,
          failureWindowSeconds: 86_400,
          bucket: q.bucket,
        };
      };
      for (let i = 0; i < 10; i++) await doraMetrics(db.sql, input()); // warm: prepared statement, caches
      const ms: number[] = [];
      const iterations = q.window > 30 ? Math.ceil(ITERATIONS / 4) : ITERATIONS;
      for (let i = 0; i < iterations; i++) {
        const started = performance.now();
        await doraMetrics(db.sql, input());
        ms.push(performance.now() - started);
      }
      const numbers = await doraMetrics(db.sql, input());
      const { text, params } = doraStatement(input());
      const plan = (await db.sql.unsafe(`explain (analyze, buffers) ${text}`, params)).map((r) => String(r['QUERY PLAN']));
      const seqScans = plan.filter((l) => LARGE.test(l)).length;
      const releasesSeqScan = plan.some((l) => /Seq Scan on releases\b/.test(l));
      const latency = stats(ms);
      const ok = seqScans === 0 && (q.window !== 30 || latency.p99 <= TARGET.p99Ms);
      met &&= ok;
      const { trend, ...summary } = numbers ?? { trend: [] };
      query[name] = {
        latencyMs: latency,
        seqScansOnLargeTables: seqScans,
        releasesSeqScan,
        numbers: { ...summary, trendPoints: trend.length },
        plan,
      };
      console.log(`\n== ${name}: p50 ${latency.p50} ms, p99 ${latency.p99} ms ${JSON.stringify(summary)}`);
      console.log(plan.map((l) => `   ${l}`).join('\n'));
    }

    api = await startApi(db.url);
    const r = await loadgen({
      base: api.url,
      paths: ['env-1', 'env-3', 'env-5', 'env-7'].map((e) => `/v1/metrics/dora?environment=${e}&window=30d`),
      headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' },
      rate: RATE,
      durationMs: SECONDS * 1000,
      warmupMs: WARMUP_MS,
      connections: 16,
    });
    const apiLatency = stats(r.latencies);
    const apiOk = apiLatency.p99 <= TARGET.p99Ms && r.errors === 0;
    met &&= apiOk;
    const http = {
      path: '/v1/metrics/dora?window=30d',
      rate: round1(r.achievedRate),
      latencyMs: apiLatency,
      errors: r.errors,
      statuses: r.statuses,
    };
    console.log(`\n== GET /v1/metrics/dora (30d) at ${RATE} req/s: ${JSON.stringify(http)}`);
    const summary = {
      benchmark: 'dora',
      machine: machine(),
      target: TARGET,
      counts: COUNTS,
      seedSeconds,
      iterations: ITERATIONS,
      environment: env,
      query,
      http: { ...http, seconds: SECONDS, warmupMs: WARMUP_MS, meetsTarget: apiOk },
      meetsTarget: met,
    };
    console.log(`\nwritten to ${await writeResult('dora', summary)}; meets target: ${met}`);
  } finally {
    if (api) await stopChild(api.child, 10_000);
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
