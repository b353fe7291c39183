// `npm start`: the whole system in the foreground on embedded defaults.
// PostgreSQL (DATABASE_URL, else 127.0.0.1:5432, else embedded), migrations, the Temporal dev server
// (file-backed, Web UI on 8233; or TEMPORAL_ADDRESS if set), the worker and the API in this process.
// Ctrl-C (SIGINT) or SIGTERM stops everything it started, in reverse order.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from './config.js';
import { targetPolicyOf } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { setupTracing } from '../lib/tracing.js';
import { resolveDatabase } from './postgres.js';
import { startDevServer } from './temporal-dev-server.js';
import { runMigrations } from '../db/migrate.js';
import { createDatabase } from '../db/client.js';
import { startWorker } from '../worker.js';
import { buildAppDeps, startApiServer } from '../api/server.js';
import { liveTargetClients } from '../api/context.js';
import { secretDepsOf } from '../activities/deps.js';
import { systemCheck } from '../workflows/index.js';
import { startSandbox, type RunningSandbox } from './bootstrap.js';
import { seedEnvironmentsFile } from '../api/services/environments.js';
import { preflightAll, preflightDepsOf } from '../api/services/preflight.js';

/** How long the banner waits for the preflight results; later ones are printed when they arrive. */
const PREFLIGHT_BANNER_WAIT_MS = 15_000;

const BUNDLE_SCRIPT = fileURLToPath(new URL('../scripts/bundle-workflows.ts', import.meta.url));

type Stop = { name: string; stop: () => Promise<void> };

async function temporalAnswers(address: string): Promise<boolean> {
  try {
    const conn = await Connection.connect({ address, connectTimeout: 1000 });
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

function devAdminToken(dataDir: string): string {
  const file = join(dataDir, 'dev-admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = `fc_dev_${randomBytes(24).toString('hex')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'flow-controller' });
  const dataDir = resolve(config.FC_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: Stop[] = [];
  const tracing = setupTracing({
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: config.OTEL_SERVICE_NAME ?? 'flow-controller',
  });
  if (tracing.enabled) stops.push({ name: 'tracing', stop: tracing.shutdown });
  let stopping = false;
  const shutdown = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping Flow Controller');
    for (const s of stops.reverse()) {
      try {
        await s.stop();
        logger.info(`stopped ${s.name}`);
      } catch (err) {
        logger.error({ err }, `failed to stop ${s.name}`);
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    // 1. PostgreSQL + migrations
    const db = await resolveDatabase({ databaseUrl: config.DATABASE_URL, dataDir, logger });
    stops.push({ name: `postgres (${db.kind})`, stop: db.stop });
    await runMigrations(db.url);
    logger.info({ kind: db.kind }, 'database ready, migrations applied');
    config = { ...config, DATABASE_URL: db.url };

    // 2. Temporal
    let temporalUi: string | undefined;
    if (process.env.TEMPORAL_ADDRESS || (await temporalAnswers(config.TEMPORAL_ADDRESS))) {
      logger.info({ address: config.TEMPORAL_ADDRESS }, 'using the Temporal server already running');
      temporalUi = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
    } else {
      const [host, port] = config.TEMPORAL_ADDRESS.split(':');
      const server = await startDevServer({
        ip: host,
        port: Number(port),
        uiPort: config.TEMPORAL_UI_PORT,
        dbFilename: join(dataDir, 'temporal', 'dev.sqlite'),
        namespace: config.TEMPORAL_NAMESPACE,
        logLevel: 'error',
      });
      stops.push({ name: 'temporal dev server', stop: server.stop });
      temporalUi = server.uiUrl;
    }

    // 3. Admin token for development
    let printedToken: string | undefined;
    if (!config.FLOW_ADMIN_TOKEN) {
      printedToken = devAdminToken(dataDir);
      config = { ...config, FLOW_ADMIN_TOKEN: printedToken };
    }

    // 4. Environments: a real configuration file, or the sandbox cluster when nothing real is configured.
    const database = createDatabase(db.url);
    stops.push({ name: 'database pool', stop: database.close });
    let sandbox: RunningSandbox | undefined;
    const names = await seedEnvironmentsFile(database, config);
    if (names) logger.info({ environments: names }, 'environments loaded');
    if (config.FC_SANDBOX === 'on' || (config.FC_SANDBOX === 'auto' && !config.FC_ENVIRONMENTS_FILE)) {
      sandbox = await startSandbox({ database, dataDir, logger, policy: targetPolicyOf(config) });
      if (sandbox) stops.push({ name: 'sandbox cluster', stop: sandbox.close });
    }

    // 5. Worker and API in this process. The workflow bundle is built (when workflows/ changed) by
    // scripts/bundle-workflows.ts in a child process, so webpack's memory is not kept by this one.
    const bundleArgs = ['--import', 'tsx', BUNDLE_SCRIPT, ...(tracing.enabled ? ['--traced'] : [])];
    await promisify(execFile)(process.execPath, bundleArgs, { timeout: 300_000 }).then(
      (bundled) => logger.info(bundled.stdout.trim()),
      (err: unknown) => logger.warn({ err }, 'could not pre-build the workflow bundle: the worker bundles at start'),
    );
    // 5b. Worker and API in this process. The sandbox's credentials (FC_SECRET_SANDBOX_*) reach them through
    // the SecretResolver, never through process.env.
    const secretEnv = { ...process.env, ...(sandbox?.secrets ?? {}) };
    const worker = await startWorker(config, {
      database,
      logger: logger.child({ component: 'worker' }),
      gitWorkDir: join(dataDir, 'git-work'),
      ...secretDepsOf(config, secretEnv),
    });
    stops.push({ name: 'worker', stop: worker.shutdown });
    const preflightDeps = preflightDepsOf(config, database, logger.child({ component: 'preflight' }), {
      env: secretEnv,
      gitWorkDir: join(dataDir, 'git-work'),
    });
    const deps = buildAppDeps(config, database, logger.child({ component: 'api' }), {
      targets: liveTargetClients(config, secretEnv),
      preflight: preflightDeps,
    });
    stops.push({ name: 'temporal client', stop: () => deps.temporal.connection.close() });
    const api = await startApiServer(deps);
    stops.push({ name: 'api', stop: api.close });
    worker.done.catch((err: unknown) => {
      logger.error({ err }, 'worker failed');
      void shutdown('worker failed', 1);
    });

    // 6. Preflight of every environment, in the background: it never blocks or fails start-up.
    const preflight = preflightAll(preflightDeps).then(
      (results) => results.map((r) => `${r.environment.padEnd(14)} ${r.summary}`),
      (err: unknown) => [`preflight failed: ${err instanceof Error ? err.message : String(err)}`],
    );

    // 7. Self-check: a real workflow round trip through the worker and the database.
    const client = new Client({ connection: deps.temporal.connection, namespace: config.TEMPORAL_NAMESPACE });
    const check = await client.workflow.execute(systemCheck, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: `system-check-${randomUUID()}`,
      args: [{ nonce: 'start' }],
      workflowExecutionTimeout: '30 seconds',
    });
    logger.info({ databaseTime: check.databaseTime }, 'self-check workflow completed');

    const pending = Symbol('pending');
    let timer: NodeJS.Timeout | undefined;
    const preflightLines = await Promise.race([
      preflight,
      new Promise<typeof pending>((r) => {
        timer = setTimeout(() => r(pending), PREFLIGHT_BANNER_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (preflightLines === pending) {
      void preflight.then((ls) =>
        process.stdout.write(`Preflight (POST /v1/environments/<env>/preflight for details):\n${ls.map((l) => `  ${l}`).join('\n')}\n`),
      );
    }
    const preflightBanner =
      preflightLines === pending
        ? ['  Preflight      still running; the summary follows below when it is done']
        : preflightLines.length === 0
          ? []
          : preflightLines.map((l, i) => `${i === 0 ? '  Preflight      ' : '                 '}${l}`);
    const lines = [
      '',
      'Flow Controller is running. Ctrl-C stops everything.',
      `  Web UI         ${api.url}/ui/`,
      `  API            ${api.url}`,
      `  API docs       ${api.url}/docs   (OpenAPI: ${api.url}/openapi.json)`,
      `  Health         ${api.url}/healthz`,
      `  Temporal UI    ${temporalUi ?? '(not started by npm start)'}`,
      `  Database       ${db.kind === 'embedded' ? `embedded PostgreSQL under ${join(dataDir, 'postgres')}` : db.kind === 'local' ? 'PostgreSQL on 127.0.0.1:5432 (database flow_controller)' : 'DATABASE_URL'}`,
      sandbox
        ? `  Sandbox        Argo CD (simulated) ${sandbox.argoUrl}, Kubernetes ${sandbox.kubeUrl}, GitOps repo ${sandbox.repoPath}\n                 environments ${sandbox.environments.join(' → ')}; try: docs/quickstart.md`
        : '',
      ...preflightBanner,
      preflightBanner.length > 0
        ? '                 details: POST /v1/environments/<env>/preflight (docs/bring-your-own-repo.md#preflight)'
        : '',
      printedToken ? `  Admin token    ${printedToken}   (development only; set FLOW_ADMIN_TOKEN to choose one)` : '',
      '',
    ];
    process.stdout.write(lines.filter((l, i) => l !== '' || i === 0 || i === lines.length - 1).join('\n') + '\n');
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await shutdown('start-up failed', 1);
  }
}

await main();
