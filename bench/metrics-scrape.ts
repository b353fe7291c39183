// bench: the cost of one GET /metrics on the API with a large history (issue 12): 1M deployment-history rows and
// 100k incidents (a few hundred open) seeded by SQL in a throwaway database. Times the state query alone (what a
// scrape pays once per STATE_TTL_MS, however many scrapers), a full scrape through the real app with the state
// query (cold), and with the cached state (warm), and prints the query's plan. Writes bench/results/metrics-scrape.json.
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { createApp } from '../api/app.js';
import { apiRouters } from '../api/routes/index.js';
import { schema, type Database } from '../db/client.js';
import { METRICS_STATE_QUERY, readMetricsState } from '../db/metrics-state.js';
import { STATE_TTL_MS } from '../api/services/metrics.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createThrowawayDb, seed } from './seed.js';
import { machine, sleep, stats, writeResult } from './stats.js';

const COUNTS = {
  environments: 10,
  releases: 1000,
  deployments: Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000),
  audit: 0,
  services: 10,
};
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 100_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50);

async function main(): Promise<void> {
  const db = await createThrowawayDb('fc_bench_metrics');
  const client = postgres(db.url, { max: 4, onnotice: () => undefined });
  const database: Database = { sql: client, db: drizzle(client, { schema }), close: () => client.end() };
  try {
    const seeded = await seed(db.sql, COUNTS);
    // Incidents: mostly resolved history, one open per (environment, application, kind) where the index allows.
    await db.sql.unsafe(`
      insert into incidents (environment, application, kind, summary, first_seen_at, last_seen_at, resolved_at)
      select e.name, 'app-' || (s % 1000), (array['drift','degraded','missing','out-of-sync'])[1 + s % 4], 'seeded',
             now() - interval '1 day', now() - interval '1 day', now() - interval '1 hour'
        from generate_series(1, ${INCIDENTS}) s
        join (select name, row_number() over (order by name) - 1 as i from environments) e on e.i = s % ${COUNTS.environments}`);
    await db.sql.unsafe(`
      insert into incidents (environment, application, kind, summary)
      select name, 'open-' || a, 'drift', 'seeded open' from environments, generate_series(1, 30) a`);
    await db.sql.unsafe('analyze');

    const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
    const app = createApp(
      { config, database, temporal: { connection, client: new Client({ connection }) }, logger: createLogger({ level: 'silent' }) },
      apiRouters(),
    );
    const scrape = async () => {
      const started = performance.now();
      const res = await app.request('/metrics');
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET /metrics: ${res.status} ${body.slice(0, 200)}`);
      return { ms: performance.now() - started, bytes: body.length };
    };

    const query: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const started = performance.now();
      await readMetricsState(database.db);
      query.push(performance.now() - started);
    }
    const warm: number[] = [];
    const cold: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      await sleep(STATE_TTL_MS + 50); // the cached state expires: this scrape runs the query
      const c = await scrape();
      cold.push(c.ms);
      bytes = c.bytes;
      for (let j = 0; j < 10; j++) warm.push((await scrape()).ms);
    }
    // The plan of the query readMetricsState runs (every branch: environments, queued and active deployments, incidents).
    const plan = await database.db.execute<Record<string, string>>(sql`explain (analyze, buffers) ${METRICS_STATE_QUERY}`);
    const summary = {
      benchmark: 'metrics-scrape',
      machine: machine(),
      counts: { ...COUNTS, incidents: INCIDENTS, environmentsSeeded: seeded.environments.length },
      stateQueryMs: stats(query),
      scrapeColdMs: stats(cold),
      scrapeWarmMs: stats(warm),
      exposition: { bytes },
      plan: plan.map((r) => Object.values(r)[0]),
      seqScansOfLargeTables: plan.map((r) => Object.values(r)[0]).filter((l) => /Seq Scan on (deployments|incidents)\b/.test(String(l)))
        .length,
    };
    console.log(JSON.stringify(summary, null, 2));
    console.log(`wrote ${await writeResult('metrics-scrape', summary)}`);
    await connection.close();
  } finally {
    await client.end();
    await db.drop();
  }
}

await main();
