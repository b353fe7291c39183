// Serves the API with @hono/node-server. `npm run api` runs it alone; `npm start` embeds it.
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { createApp } from './app.js';
import { apiRouters } from './routes/index.js';
import { completeAppDeps, type AppDeps, type BaseAppDeps } from './context.js';
import { loadConfig, type Config } from '../lib/config.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { setupTracing } from '../lib/tracing.js';
import { createDatabase, type Database } from '../db/client.js';
import { seedEnvironmentsFile } from './services/environments.js';

export interface RunningApi {
  url: string;
  server: ServerType;
  close(): Promise<void>;
}

/** The API's Temporal client interceptors: the request's trace continues into the workflows it starts (no-op while tracing is off). */
export function apiClientInterceptors() {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** Temporal client for the API. Lazy: the API starts (and /healthz reports 503) even while Temporal is down. */
export function createTemporalClient(config: Config): AppDeps['temporal'] {
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  return { connection, client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: apiClientInterceptors() }) };
}

export function buildAppDeps(
  config: Config,
  database: Database,
  logger: Logger,
  extra: Pick<BaseAppDeps, 'targets' | 'preflight'> = {},
): AppDeps {
  return completeAppDeps({ config, database, temporal: createTemporalClient(config), logger, ...extra });
}

export async function startApiServer(deps: AppDeps): Promise<RunningApi> {
  const app = createApp(deps, apiRouters());
  const { HOST: hostname, PORT: port } = deps.config;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname, port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${hostname}:${boundPort}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const tracing = setupTracing({
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: config.OTEL_SERVICE_NAME ?? 'flow-controller-api',
  });
  if (!config.DATABASE_URL) {
    logger.fatal('DATABASE_URL is missing: the API needs the database (npm start sets it up for you)');
    process.exit(2);
  }
  const database = createDatabase(config.DATABASE_URL);
  const names = await seedEnvironmentsFile(database, config);
  if (names) logger.info({ environments: names }, 'environments loaded');
  const deps = buildAppDeps(config, database, logger);
  const api = await startApiServer(deps);
  logger.info({ url: api.url }, 'API listening');
  let stopping = false;
  const stop = async () => {
    if (stopping) return; // a second signal (e.g. relayed by a wrapper) must not interrupt the shutdown
    stopping = true;
    await api.close();
    await deps.temporal.connection.close();
    await database.close();
    await tracing.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
