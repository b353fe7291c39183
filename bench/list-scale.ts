// bench: the list endpoints at scale (issue 14): 10k releases, 1M deployment-history rows and 1M audit events
// (seeded with generate_series by bench/seed.ts in a throwaway database). Every list and filter the API offers
// (releases, an environment's history, audit), first page and a page deep behind a cursor, is called through
// the real app in-process (`app.request`: routing, auth, validation, the query, serialization; no network) and
// timed; the SQL each one sent is captured from postgres.js and printed with EXPLAIN (ANALYZE, BUFFERS).
// Target: p99 ≤ 20 ms and no sequential scan of a large table. Writes bench/results/list-scale.json.
import { Client, Connection } from '@temporalio/client';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { createApp } from '../api/app.js';
import { apiRouters } from '../api/routes/index.js';
import { schema, type Database } from '../db/client.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createThrowawayDb, seed } from './seed.js';
import { machine, stats, writeResult } from './stats.js';

const COUNTS = {
  environments: 10,
  releases: Number(process.env.BENCH_RELEASES ?? 10_000),
  deployments: Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000),
  audit: Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000),
  services: 10,
};
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const TARGET = { p99Ms: 20, seqScanOnLargeTables: 0 };
const LIST_TABLES = /\b(releases|deployments|audit_events)\b/;

async function main(): Promise<void> {
  const db = await createThrowawayDb('fc_bench_lists');
  const captured: Array<{ query: string; params: unknown[] }> = [];
  const client = postgres(db.url, {
    max: 4,
    onnotice: () => undefined,
    debug: (_conn, query, params) => captured.push({ query, params: params as unknown[] }),
  });
  const database: Database = { sql: client, db: drizzle(client, { schema }), close: () => client.end() };
  const connection = Connection.lazy({ address: '127.0.0.1:7233' });
  try {
    const seedStarted = performance.now();
    const seeded = await seed(db.sql, COUNTS);
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    console.log(`seeded ${JSON.stringify(COUNTS)} in ${seedSeconds} s`);
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: db.url });
    const app = createApp(
      { config, database, temporal: { connection, client: new Client({ connection }) }, logger: createLogger({ level: 'silent' }) },
      apiRouters(),
    );
    const headers = { authorization: `Bearer ${seeded.token}` };
    const get = async (path: string) => {
      const res = await app.request(path, { headers });
      const body = (await res.json()) as { nextCursor?: string | null };
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    // The audit list is admin-only: the seeded viewer token is promoted for this benchmark.
    await db.sql`update api_tokens set role = 'admin' where name = 'bench-viewer'`;
    const env = seeded.environments[3] ?? 'env-1';
    const release = seeded.releaseIds[500] ?? '';
    const lists: Record<string, string> = {
      releases: '/v2/releases?limit=50',
      'releases by productVersion': '/v2/releases?productVersion=7.1.5000',
      'releases by creator name': '/v2/releases?createdBy=ci&limit=50',
      'releases by creator token id': '/v2/releases?createdBy=00000000-0000-4000-8000-000000000001&limit=50',
      'history of an environment': `/v1/environments/${env}/deployment-history?limit=25`,
      'history by status': `/v1/environments/${env}/deployment-history?status=aborted&limit=25`,
      'history by release': `/v1/environments/${env}/deployment-history?releaseId=${release}&limit=25`,
      audit: '/v1/audit?limit=100',
      'audit by actor': '/v1/audit?actor=ci&limit=100',
      'audit by action': '/v1/audit?action=release.create&limit=100',
      'audit by subject': '/v1/audit?subjectType=deployment&subjectId=4711',
      'audit in a time window': `/v1/audit?since=${new Date(Date.now() - 50_000_000).toISOString()}&until=${new Date(Date.now() - 40_000_000).toISOString()}&limit=100`,
    };
    // A page deep in each unfiltered list: follow nextCursor a few pages, then time that page.
    for (const [name, path] of Object.entries({
      releases: lists.releases,
      history: lists['history of an environment'],
      audit: lists.audit,
    })) {
      let cursor: string | null | undefined;
      for (let i = 0; i < 20; i++) cursor = (await get(`${path}${cursor ? `&cursor=${cursor}` : ''}`)).nextCursor;
      if (cursor) lists[`${name}, page 21 (cursor)`] = `${path}&cursor=${cursor}`;
    }

    const results: Record<string, unknown> = {};
    let met = true;
    for (const [name, path] of Object.entries(lists)) {
      for (let i = 0; i < 10; i++) await get(path); // warm: the token cache, prepared statements, JIT
      captured.length = 0;
      await get(path);
      const listQuery = captured.find((q) => LIST_TABLES.test(q.query) && /order by/i.test(q.query));
      const ms: number[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const started = performance.now();
        await get(path);
        ms.push(performance.now() - started);
      }
      let plan: string[] = [];
      if (listQuery) {
        const rows = await db.sql.unsafe(`explain (analyze, buffers) ${listQuery.query}`, listQuery.params as never[]);
        plan = rows.map((r) => String(r['QUERY PLAN']));
      }
      const seqScans = plan.filter((l) => /Seq Scan on (releases|deployments|audit_events)\b/.test(l)).length;
      const latency = stats(ms);
      const ok = latency.p99 <= TARGET.p99Ms && seqScans === 0 && plan.length > 0;
      met &&= ok;
      results[name] = { path, latencyMs: latency, seqScansOnLargeTables: seqScans, meetsTarget: ok, plan };
      console.log(`\n== ${name}: ${path}\n   p50 ${latency.p50} ms, p99 ${latency.p99} ms${ok ? '' : '  (misses the target)'}`);
      console.log(plan.map((l) => `   ${l}`).join('\n'));
    }
    const summary = {
      benchmark: 'list-scale',
      machine: machine(),
      target: TARGET,
      counts: COUNTS,
      seedSeconds,
      iterations: ITERATIONS,
      results,
      meetsTarget: met,
    };
    console.log(`\nwritten to ${await writeResult('list-scale', summary)}; meets target: ${met}`);
  } finally {
    await client.end({ timeout: 5 });
    await connection.close().catch(() => undefined);
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
