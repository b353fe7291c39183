// The worker's small HTTP server (node:http, no framework): `/metrics` (this process's series plus the Temporal
// SDK's, lib/metrics.ts), `/livez` (the process answers) and `/readyz` (the caller's readiness check: worker
// RUNNING and the database reachable). Bound to WORKER_HTTP_HOST:WORKER_HTTP_PORT (lib/config.ts); the Helm chart
// points its probes and ServiceMonitor at exactly these paths. GET and HEAD only; no request body is read.
import { createServer, type Server } from 'node:http';
import { METRICS_CONTENT_TYPE, registry, renderMetrics } from './metrics.js';

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (tests); the caller skips the server altogether when the configuration says 0. */
  port: number;
  /** Ready to take work: each check returns true, or a short reason it is not. */
  ready: () => Promise<true | string>;
}

export interface RunningMetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<RunningMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    const respond = async () => {
      switch (path) {
        case '/metrics':
          return send(200, METRICS_CONTENT_TYPE, await renderMetrics([registry]));
        case '/livez':
          return send(200, 'text/plain; charset=utf-8', 'ok\n');
        case '/readyz': {
          const verdict = await opts.ready().catch((err: unknown) => (err instanceof Error ? err.name : 'error'));
          return verdict === true
            ? send(200, 'text/plain; charset=utf-8', 'ready\n')
            : send(503, 'text/plain; charset=utf-8', `${verdict}\n`);
        }
        default:
          return send(404, 'text/plain; charset=utf-8', 'not found\n');
      }
    };
    respond().catch(() => {
      if (!res.headersSent) send(500, 'text/plain; charset=utf-8', 'error\n');
      else res.destroy();
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
