// The Temporal worker: connects with NativeConnection, registers the workflows in workflows/ and the
// activities built by createActivities(deps), logs with pino, and shuts down gracefully on SIGTERM/SIGINT.
// `npm run worker` runs it alone; `npm start` runs it in-process next to the API. The workflow code is
// bundled once (scripts/bundle-workflows.ts, run by `npm start` and the image build) into
// dist/workflow-bundle-<hash of the workflow sources>.js; the worker loads that file when it matches the
// sources and bundles at start otherwise (webpack in the worker's process costs ~90 MB of RSS it never returns).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions, bundleWorkflowCode } from '@temporalio/worker';
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { ensureAutoPromoters } from './activities/auto-promotion.js';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { secretDepsOf } from './activities/deps.js';
import { loadConfig, type Config } from './lib/config.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createDatabase, pingDatabase, type Database } from './db/client.js';
import { logContextInterceptor } from './activities/log-context.js';
import { initPromotionSeries } from './lib/metrics.js';
import { freeLoopbackPort, installTemporalRuntime } from './lib/temporal-runtime.js';
import { startMetricsServer, type RunningMetricsServer } from './lib/metrics-server.js';
import { listEnvironments } from './db/environments.js';
import { monitoringOf } from './domain/monitor.js';
import { createProjectWatches } from './integrations/argocd-project-watch.js';
import { monitorStartOptions, monitorTaskQueue } from './workflows/monitor-messages.js';
import { currentTracing, setupTracing, tracingWorkerOptions, workflowInterceptorModules } from './lib/tracing.js';

export { workflowInterceptorModules, freeLoopbackPort, installTemporalRuntime };
import { dispatcherStartOptions, notifySettingsOf, notifyTaskQueue } from './workflows/notify-messages.js';

/**
 * `.ts` when this file runs from the sources (tsx, vitest), `.js` when it runs compiled (`npm run build` → build/,
 * the image). The compiled tree is self-contained: its workflow bundle (build/dist) is made from build/workflows and
 * build/domain, and its hash covers those .js files; build/ has no lockfile, so the hash there leaves it out (the
 * bundle is rebuilt with every `npm run build` anyway).
 */
const SOURCE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
export const WORKFLOWS_PATH = fileURLToPath(new URL(`./workflows/index${SOURCE_EXT}`, import.meta.url));
const ROOT = fileURLToPath(new URL('.', import.meta.url));
/** Where scripts/bundle-workflows.ts writes the pre-built bundle (gitignored). */
export const WORKFLOW_BUNDLE_DIR = join(ROOT, 'dist');
/** What the bundle is built from at run time: the workflows and the pure domain code they import. */
const WORKFLOW_SOURCE_DIRS = ['workflows', 'domain'];

/** Hash of the workflow bundle's inputs: workflows/ and domain/ sources, the workflow SDK's version and the lockfile. */
export async function workflowSourcesHash(root = ROOT, ext = SOURCE_EXT): Promise<string> {
  const hash = createHash('sha256');
  const sdk = createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string };
  hash.update(`@temporalio/workflow@${sdk.version}\n`);
  // The packages the workflow code imports (zod, semver, …) are bundled too: a lockfile change rebuilds.
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) hash.update(await readFile(lock)).update('\0');
  for (const dir of WORKFLOW_SOURCE_DIRS) {
    const files = (await readdir(join(root, dir), { recursive: true })).filter((f) => f.endsWith(ext) && !f.endsWith(`.test${ext}`)).sort();
    for (const f of files)
      hash
        .update(`${dir}/${f}\0`)
        .update(await readFile(join(root, dir, f)))
        .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

const bundleFile = (hash: string, traced: boolean) => join(WORKFLOW_BUNDLE_DIR, `workflow-bundle-${hash}${traced ? '-traced' : ''}.js`);

/** The pre-built bundle if one matches the current sources (and tracing), else undefined (the worker then bundles at start). */
export async function prebuiltWorkflowBundle(traced = false): Promise<{ codePath: string } | undefined> {
  const codePath = bundleFile(await workflowSourcesHash(), traced);
  return existsSync(codePath) ? { codePath } : undefined;
}

/** Bundles workflows/ into WORKFLOW_BUNDLE_DIR (removing bundles of other sources); returns the file. */
export async function writeWorkflowBundle(traced = false): Promise<string> {
  const hash = await workflowSourcesHash();
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: workflowInterceptorModules(traced),
    logger: quiet,
  });
  await mkdir(WORKFLOW_BUNDLE_DIR, { recursive: true });
  for (const f of await readdir(WORKFLOW_BUNDLE_DIR)) {
    const m = /^workflow-bundle-([0-9a-f]+)(-traced)?\.js(\.tmp)?$/.exec(f);
    if (m && m[1] !== hash) await rm(join(WORKFLOW_BUNDLE_DIR, f), { force: true });
  }
  const file = bundleFile(hash, traced);
  await writeFile(`${file}.tmp`, code);
  await rename(`${file}.tmp`, file);
  return file;
}

/** The worker's concurrency and cache bounds from the configuration (docs/configuration.md, "Worker"). */
export function workerTuningOf(config: Config): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: Math.min(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, config.WORKER_MAX_CACHED_WORKFLOWS),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  };
}

export interface CreateWorkerInput {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Pre-built bundle (tests build one per file with bundleWorkflowCode); default bundles workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Serve activities only (no workflows: the monitors' watch worker). */
  activitiesOnly?: boolean;
  options?: Partial<WorkerOptions>;
}

export async function createWorker(input: CreateWorkerInput): Promise<Worker> {
  const tracing = tracingWorkerOptions();
  return Worker.create({
    connection: input.connection,
    namespace: input.namespace,
    taskQueue: input.taskQueue,
    ...(input.activitiesOnly ? {} : input.workflowBundle ? { workflowBundle: input.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(input.deps),
    shutdownGraceTime: '10 seconds',
    ...(tracing.sinks ? { sinks: tracing.sinks } : {}),
    ...input.options,
    interceptors: {
      ...tracing.interceptors,
      ...(input.workflowBundle || input.activitiesOnly ? {} : { workflowModules: workflowInterceptorModules(currentTracing().enabled) }),
      ...input.options?.interceptors,
      // Every log line of a promotion activity carries its deployment, release, environment and step; with
      // tracing on, every activity is a span.
      activity: [
        logContextInterceptor(input.deps),
        ...(tracing.interceptors?.activity ?? []),
        ...(input.options?.interceptors?.activity ?? []),
      ],
    },
  });
}

/**
 * The activity-only worker of the monitors' watches (`<task queue>-monitor`, workflows/monitor.ts): one slot per
 * monitored environment, held for minutes by a mostly sleeping activity, so they never take the promotions' slots.
 * Heartbeats go out at most once a second (not 80 % of the heartbeat timeout): the one after each observation
 * carries its time to the status endpoint at once, and its answer delivers a wake Signal's cancellation.
 */
export function createMonitorWorker(input: CreateWorkerInput & { slots: number }): Promise<Worker> {
  const { slots, ...rest } = input;
  return createWorker({
    ...rest,
    deps: { ...input.deps, workflowTaskQueue: input.taskQueue },
    taskQueue: monitorTaskQueue(input.taskQueue),
    activitiesOnly: true,
    options: { ...input.options, maxConcurrentActivityTaskExecutions: slots, maxHeartbeatThrottleInterval: '1 second' },
  });
}

/**
 * The periodic orphan sweep (finding 8): a Temporal Schedule, created idempotently at worker start, that
 * starts `sweepOrphanedPromotions` every `intervalSeconds` on this task queue. A Schedule rather than a timer
 * in the worker process: it runs once per interval however many workers there are (never concurrently:
 * overlap SKIP), it survives worker restarts, and each pass is visible (and can be triggered or paused) in the
 * Temporal UI. A second start updates the interval and grace period instead of failing.
 */
export async function ensureOrphanSweepSchedule(
  client: Client,
  opts: { taskQueue: string; intervalSeconds: number; graceSeconds: number },
): Promise<string> {
  const scheduleId = `sweep-orphans:${opts.taskQueue}`;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'sweepOrphanedPromotions',
    workflowId: scheduleId,
    taskQueue: opts.taskQueue,
    args: [{ graceSeconds: opts.graceSeconds }],
    workflowExecutionTimeout: '5 minutes',
  };
  const spec = { intervals: [{ every: `${opts.intervalSeconds} seconds` }] };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: 'SKIP', catchupWindow: '1 minute' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
  return scheduleId;
}

/**
 * Starts the monitor workflow of every environment whose monitoring is enabled (workflows/monitor.ts). Idempotent:
 * a running monitor is left as it is (USE_EXISTING), so every worker start (`npm start`, a restart, a second
 * worker) makes sure each environment is watched, including those seeded from a file or the sandbox.
 */
export async function ensureMonitors(client: Client, opts: { taskQueue: string; database: Database; logger: Logger }): Promise<string[]> {
  const started: string[] = [];
  for (const env of await listEnvironments(opts.database.db)) {
    if (!monitoringOf(env.monitoring).enabled) continue;
    try {
      await client.workflow.start('monitorEnvironment', monitorStartOptions(env.name, opts.taskQueue));
      started.push(env.name);
    } catch (err) {
      opts.logger.warn({ environment: env.name, err: (err as Error).message }, 'could not start the monitor workflow');
    }
  }
  return started;
}

/**
 * Starts the notification dispatcher (workflows/notify.ts) of this task queue. Idempotent (USE_EXISTING): every
 * worker start makes sure it runs, a second worker finds it running. One long-lived workflow rather than a Schedule:
 * an idle dispatcher reads the log every NOTIFY_POLL_MS (a durable timer), which a Schedule's one workflow per tick
 * would turn into thousands of executions a day; continue-as-new keeps its history bounded.
 */
export async function ensureNotificationDispatcher(client: Client, opts: { taskQueue: string; pollMs: number }): Promise<string> {
  const handle = await client.workflow.start('notificationDispatcher', dispatcherStartOptions(opts.taskQueue, { pollMs: opts.pollMs }));
  return handle.workflowId;
}

/** The worker's /metrics, /livez and /readyz (ready: worker RUNNING and the database answering). */
export function startWorkerHttp(opts: { host: string; port: number; worker: Worker; database: Database }): Promise<RunningMetricsServer> {
  return startMetricsServer({
    host: opts.host,
    port: opts.port,
    ready: async () => {
      const state = opts.worker.getState();
      if (state !== 'RUNNING') return `worker ${state}`;
      await pingDatabase(opts.database.sql).catch(() => {
        throw new Error('database unreachable');
      });
      return true;
    },
  });
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown() or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Connects and starts a worker for the given config; the caller owns the database. */
export async function startWorker(config: Config, deps: ActivityDeps): Promise<RunningWorker> {
  installTemporalRuntime(deps.logger, config.WORKER_HTTP_PORT > 0 ? { metricsPort: await freeLoopbackPort() } : {});
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workflowBundle = await prebuiltWorkflowBundle(currentTracing().enabled);
  if (!workflowBundle) deps.logger.info('no pre-built workflow bundle matches workflows/ (npm run bundle:workflows): bundling at start');
  // Notification deliveries on their own task queue and worker (NOTIFY_WORKER_ACTIVITIES slots): a receiver that
  // hangs never holds one of the promotions' activity slots.
  const notifyQueue = config.NOTIFY_WORKER_ACTIVITIES > 0 ? notifyTaskQueue(config.TEMPORAL_TASK_QUEUE, true) : undefined;
  // The monitors' Argo CD watch streams: one set for the process, closed when it stops (an open stream would keep it).
  const projectWatches = createProjectWatches();
  const workerDeps: ActivityDeps = {
    projectWatches,
    syncWindowRecheckMs: config.PROMOTION_SYNC_WINDOW_RECHECK_SECONDS * 1000,
    argocdWatch: config.ARGOCD_WATCH === 'on',
    promotionTimeouts: {
      stepSeconds: config.PROMOTION_STEP_TIMEOUT_SECONDS,
      gitSeconds: config.PROMOTION_GIT_TIMEOUT_SECONDS,
      heartbeatSeconds: config.PROMOTION_HEARTBEAT_TIMEOUT_SECONDS,
    },
    notifications: notifySettingsOf(config),
    ...(notifyQueue ? { notifyTaskQueue: notifyQueue } : {}),
    ...deps,
  };
  const common = { connection, namespace: config.TEMPORAL_NAMESPACE, deps: workerDeps, ...(workflowBundle ? { workflowBundle } : {}) };
  const worker = await createWorker({ ...common, taskQueue: config.TEMPORAL_TASK_QUEUE, options: workerTuningOf(config) });
  const notifyWorker = notifyQueue
    ? await createWorker({
        ...common,
        taskQueue: notifyQueue,
        options: { ...workerTuningOf(config), maxConcurrentActivityTaskExecutions: config.NOTIFY_WORKER_ACTIVITIES },
      })
    : undefined;
  const monitorWorker = await createMonitorWorker({
    ...common,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    slots: config.MONITOR_WORKER_ACTIVITIES,
  });
  const workers = [worker, monitorWorker, ...(notifyWorker ? [notifyWorker] : [])];
  const stopAll = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  if (config.PROMOTION_ORPHAN_SWEEP_SECONDS > 0 && worker.client) {
    await ensureOrphanSweepSchedule(worker.client, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      intervalSeconds: config.PROMOTION_ORPHAN_SWEEP_SECONDS,
      graceSeconds: config.PROMOTION_ORPHAN_GRACE_SECONDS,
    });
  }
  // One worker failing stops the other: the process is then down as a whole, never half-serving.
  const done = Promise.allSettled(
    workers.map((w) =>
      w.run().catch((err: unknown) => {
        stopAll();
        throw err;
      }),
    ),
  )
    .then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })
    .finally(() => connection.close());
  initPromotionSeries((await listEnvironments(deps.database.db)).map((e) => e.name));
  const starting = { taskQueue: config.TEMPORAL_TASK_QUEUE, database: deps.database, logger: deps.logger };
  if (config.MONITOR_START === 'on' && worker.client) {
    const monitors = await ensureMonitors(worker.client, starting);
    deps.logger.info({ environments: monitors.length }, 'monitor workflows running');
  }
  // docs/governance.md "Auto-promotion": every environment with autoPromote has its follower running.
  if (worker.client) await ensureAutoPromoters(worker.client, starting);
  // The probes and the scrape target: a port that cannot be bound stops the worker (its pod would never be ready).
  const http =
    config.WORKER_HTTP_PORT > 0
      ? await startWorkerHttp({ host: config.WORKER_HTTP_HOST, port: config.WORKER_HTTP_PORT, worker, database: deps.database }).catch(
          async (err: unknown) => {
            stopAll();
            await done.catch(() => undefined);
            throw err;
          },
        )
      : undefined;
  if (config.NOTIFY_DISPATCH === 'on' && worker.client) {
    await ensureNotificationDispatcher(worker.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, pollMs: config.NOTIFY_POLL_MS });
  }
  deps.logger.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, notifyTaskQueue: notifyQueue, address: config.TEMPORAL_ADDRESS, http: http?.url },
    'worker started',
  );
  return {
    worker,
    done,
    shutdown: async () => {
      stopAll();
      await done;
      projectWatches.close();
      await http?.close();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const tracing = setupTracing({
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: config.OTEL_SERVICE_NAME ?? 'flow-controller-worker',
  });
  if (!config.DATABASE_URL) {
    logger.fatal('DATABASE_URL is missing: the worker needs the database (npm start sets it up for you)');
    process.exit(2);
  }
  const database = createDatabase(config.DATABASE_URL);
  const running = await startWorker(config, {
    database,
    logger,
    gitWorkDir: join(config.FC_DATA_DIR, 'git-work'),
    ...secretDepsOf(config),
  });
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down worker');
    void running.shutdown();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await running.done;
  await tracing.shutdown();
  await database.close();
  logger.info('worker stopped');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
