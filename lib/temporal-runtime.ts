// The process-wide Temporal runtime of a worker process (worker.ts re-exports these): the SDK's logs routed into
// pino and, optionally, the Rust core's Prometheus metrics appended to this process's /metrics.
import { createServer } from 'node:net';
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from './logger.js';
import { addMetricsSource } from './metrics.js';

let runtimeInstalled = false;
/**
 * Routes the SDK's own logs into pino and, with `metricsPort`, serves the SDK's (Rust core's) Prometheus metrics on
 * 127.0.0.1:<metricsPort>, appended to this process's /metrics (lib/metrics.ts addMetricsSource). Once per process:
 * false when a runtime was installed already (then without these metrics).
 */
export function installTemporalRuntime(logger: Logger, opts: { metricsPort?: number } = {}): boolean {
  if (runtimeInstalled) return false;
  runtimeInstalled = true;
  const log = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: {
      log: (level, message, meta) =>
        log[level === 'WARN' ? 'warn' : level === 'ERROR' ? 'error' : level === 'TRACE' ? 'trace' : 'debug'](meta ?? {}, message),
      trace: (m, meta) => log.trace(meta ?? {}, m),
      debug: (m, meta) => log.debug(meta ?? {}, m),
      info: (m, meta) => log.debug(meta ?? {}, m), // SDK info (bundle stats, state changes) is debug for us
      warn: (m, meta) => log.warn(meta ?? {}, m),
      error: (m, meta) => log.error(meta ?? {}, m),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(opts.metricsPort
        ? {
            metrics: {
              prometheus: { bindAddress: `127.0.0.1:${opts.metricsPort}`, useSecondsForDurations: true, countersTotalSuffix: true },
            },
          }
        : {}),
    },
  });
  if (opts.metricsPort) {
    const url = `http://127.0.0.1:${opts.metricsPort}/metrics`;
    addMetricsSource('temporal-sdk', async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).text());
  }
  return true;
}

/** A free loopback port for the SDK's exporter (it binds a fixed address; nothing else listens there). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
