// bench: API reads at a constant rate from a separate load-generator process (issue 14):
//   GET /v2/releases/:id, the deployment history page (limit 25, as the UI asks) and the environments board
//   without live status, each at BENCH_RATE (default 500) req/s for BENCH_SECONDS (default 20 s, the first 3 s
//   not counted). The API runs in its own process (bench/api-process.ts) against a throwaway database seeded
//   by bench/seed.ts; the load generator (bench/loadgen.ts) is open-loop and measures latency from when each
//   request was due. Also reported: the API process's CPU time per request (/proc), and the share of errors.
// Target: p99 ≤ 15 ms and 0 errors at 500 req/s. Writes bench/results/api-reads.json.
import type { ChildProcess } from 'node:child_process';
import { stopChild } from '../dev/temporal-dev-server.js';
import { loadgen, startApi } from './api-load.js';
import { cpuTimes } from './process.js';
import { createThrowawayDb, seed } from './seed.js';
import { machine, round1, stats, writeResult } from './stats.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_MS = 3000;
const TARGET = { rate: 500, p99Ms: 15, errors: 0 };

async function main(): Promise<void> {
  const db = await createThrowawayDb('fc_bench_reads');
  let api: { child: ChildProcess; url: string } | undefined;
  try {
    const seeded = await seed(db.sql, { environments: 10, releases: 2000, deployments: 20_000, audit: 20_000, services: 30 });
    api = await startApi(db.url);
    const headers = { authorization: `Bearer ${seeded.token}`, 'accept-encoding': 'gzip' };
    const scenarios: Record<string, string[]> = {
      'GET /v2/releases/:id': seeded.releaseIds.slice(0, 500).map((id) => `/v2/releases/${id}`),
      'GET deployment-history (limit 25)': seeded.environments.map((e) => `/v1/environments/${e}/deployment-history?limit=25`),
      'GET /v1/environments?live=false': ['/v1/environments?live=false'],
    };
    // BENCH_READS=release,history,board: only these reads (A/B runs of one read; the JSON then holds only them).
    const only = process.env.BENCH_READS?.split(',');
    const keys: Record<string, string> = {
      release: 'GET /v2/releases/:id',
      history: 'GET deployment-history (limit 25)',
      board: 'GET /v1/environments?live=false',
    };
    const selected = Object.entries(scenarios).filter(([name]) => !only || only.some((k) => keys[k] === name));
    const results: Record<string, unknown> = {};
    let met = true;
    for (const [name, paths] of selected) {
      const before = await cpuTimes(api.child.pid ?? 0);
      const r = await loadgen({
        base: api.url,
        paths,
        headers,
        rate: RATE,
        durationMs: SECONDS * 1000,
        warmupMs: WARMUP_MS,
        connections: 64,
      });
      const after = await cpuTimes(api.child.pid ?? 0);
      const latency = stats(r.latencies);
      const cpuMsPerRequest = before && after ? round1(((after.selfMs - before.selfMs) / r.sent) * 100) / 100 : null;
      const ok = latency.p99 <= TARGET.p99Ms && r.errors === 0;
      met &&= ok;
      results[name] = {
        rate: round1(r.achievedRate),
        latencyMs: latency,
        errors: r.errors,
        statuses: r.statuses,
        bytesPerResponse: Math.round(r.bytes / Math.max(1, r.sent)),
        apiCpuMsPerRequest: cpuMsPerRequest,
        meetsTarget: ok,
      };
      console.log(name, JSON.stringify(results[name]));
    }
    const summary = {
      benchmark: 'api-reads',
      machine: machine(),
      target: TARGET,
      setup: { seconds: SECONDS, warmupMs: WARMUP_MS, logLevel: process.env.BENCH_LOG_LEVEL ?? 'info', acceptEncoding: 'gzip' },
      results,
      meetsTarget: met,
    };
    console.log(JSON.stringify(summary, null, 2));
    console.log(`written to ${await writeResult('api-reads', summary)}`);
  } finally {
    if (api) await stopChild(api.child, 10_000);
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
