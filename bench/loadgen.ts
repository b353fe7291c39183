// Open-loop constant-rate HTTP load generator (a helper of bench/api-reads.ts, run as its own process so it
// never shares the API's event loop). Requests are sent on schedule, whether or not earlier ones have
// answered, and each latency is measured from the moment the request was due (so a stalled server cannot
// hide its queueing: no coordinated omission). Input: BENCH_LOADGEN (JSON LoadSpec) in the environment.
// Output: one JSON line (LoadResult) on stdout.
import { Agent, request } from 'node:http';

export interface LoadSpec {
  base: string;
  /** Paths, used round robin. */
  paths: string[];
  headers: Record<string, string>;
  rate: number;
  durationMs: number;
  /** Requests before this many ms are sent but not counted. */
  warmupMs: number;
  /** Keep-alive connections at most (like a browser fleet behind a proxy). */
  connections: number;
}

export interface LoadResult {
  sent: number;
  counted: number;
  errors: number;
  statuses: Record<string, number>;
  /** Latencies of counted requests in ms, from due time to the end of the body. */
  latencies: number[];
  achievedRate: number;
  bytes: number;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.base);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let bytes = 0;
  const start = performance.now();
  const interval = 1000 / spec.rate;
  const total = Math.floor((spec.durationMs / 1000) * spec.rate);
  const pending = new Set<Promise<void>>();
  const fire = (i: number, due: number) => {
    const counted = due - start >= spec.warmupMs;
    const p = new Promise<void>((resolve) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: spec.paths[i % spec.paths.length], method: 'GET', headers: spec.headers },
        (res) => {
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (counted) {
              latencies.push(performance.now() - due);
              statuses[status] = (statuses[status] ?? 0) + 1;
              if (status >= 400) errors++;
            }
            resolve();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        if (counted) errors++;
        resolve();
      });
      req.end();
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        fire(sent, start + sent * interval);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  const elapsed = performance.now() - start;
  return { sent, counted: latencies.length + errors, errors, statuses, latencies, achievedRate: (sent * 1000) / elapsed, bytes };
}

const spec = JSON.parse(process.env.BENCH_LOADGEN ?? 'null') as LoadSpec | null;
if (!spec) {
  console.error('BENCH_LOADGEN (JSON) is required');
  process.exit(2);
}
run(spec).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
