// Shared rig of the promotion benchmarks (bench/promotion-latency.ts, bench/promotion-concurrency.ts), not
// tests: a throwaway database fc_bench_<random> on DATABASE_URL's server (default 127.0.0.1:5432), an own
// Temporal dev server (startDevServer, headless), the sandbox rig (sim/rig.ts: a real bare GitOps repository
// and the Argo CD/Kubernetes simulator with INSTANT_TIMING), the real API (in-process Hono app, app.request)
// and the real worker in a separate child process (bench/process.ts) whose memory is sampled.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules, WORKFLOWS_PATH } from '../worker.js';
import { createApp } from '../api/app.js';
import { apiRouters } from '../api/routes/index.js';
import { createDatabase, type Database } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { freePort, startDevServer, type DevServer } from '../dev/temporal-dev-server.js';
import { startEmbeddedPostgres } from '../dev/postgres.js';
import { createRig as createSandboxRig, SAMPLE_GROUPS, SAMPLE_TEMPLATE, sampleDescriptor } from '../sim/rig.js';
import type { Simulator } from '../sim/simulator.js';
import { spawnWorker, type WorkerProcess } from './process.js';

export interface RigEnvironment {
  name: string;
  applications: Array<{ group: string; name: string }>;
}

export interface Rig {
  dir: string;
  repoPath: string;
  repoUrl: string;
  sim: Simulator;
  temporal: DevServer;
  client: Client;
  databaseUrl: string;
  /** 'shared' (DATABASE_URL / 127.0.0.1:5432) or 'private' (BENCH_PRIVATE_PG=1). */
  databaseServer: 'shared' | 'private';
  database: Database;
  taskQueue: string;
  worker: WorkerProcess;
  environments: Record<string, RigEnvironment>;
  /** Secrets as the worker sees them (env:NAME references resolve against these). */
  secrets: { argoUser: string; argoPassword: string; kubeToken: string };
  /** The environment a worker process needs (the sandbox's FC_SECRET_* variables), for more workers. */
  workerEnv: Record<string, string>;
  setupMs: Record<string, number>;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  createRelease(tag: string): Promise<string>;
  close(): Promise<void>;
}

export interface RigOptions {
  /** Environment names (DNS labels, unique in this run). */
  fcEnvironments: string[];
  /** Environments that get Git files and Argo apps but are not configured in Flow Controller (the plain script's). */
  plainEnvironments?: string[];
  pollIntervalMs: number;
  workerSampleMs?: number;
  /** Bundle the workflow code in the bench process and hand the worker the file (BENCH_PREBUNDLE=1). */
  prebundle?: boolean;
  /** Another product (default the sample's two groups): its groups, template, and descriptor at a tag. */
  product?: { groups: readonly string[]; template: unknown; descriptor: (tag: string) => unknown };
}

/** Builds everything; on failure tears down what was built. */
export async function createRig(opts: RigOptions): Promise<Rig> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const setupMs: Record<string, number> = {};
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      setupMs[label] = Math.round(performance.now() - t);
    }
  };
  const close = async () => {
    for (const c of cleanups.reverse()) {
      const t = performance.now();
      await c().catch((err: unknown) => console.error('cleanup:', err));
      const ms = performance.now() - t;
      if (ms > 2000) process.stderr.write(`slow cleanup (${Math.round(ms)} ms): ${c.toString().slice(0, 80)}\n`);
    }
  };
  try {
    const sfx = randomBytes(3).toString('hex');
    const dir = await mkdtemp(join(tmpdir(), 'fc-bench-promo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    // Database: a throwaway database on DATABASE_URL's server (default 127.0.0.1:5432), or with
    // BENCH_PRIVATE_PG=1 on a private PostgreSQL (dev/postgres.ts startEmbeddedPostgres) in the run's temp dir,
    // for when the shared server is busy or being restarted by others.
    let serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    if (process.env.BENCH_PRIVATE_PG === '1') {
      await chmod(dir, 0o755); // the postgres user must reach its data directory
      const pg = await timed('privatePostgres', async () =>
        startEmbeddedPostgres({ dataDir: join(dir, 'pg', 'data'), port: await freePort(), logger: createLogger({ level: 'silent' }) }),
      );
      cleanups.push(() => pg.stop());
      serverUrl = pg.url;
    }
    const server = new URL(serverUrl);
    const dbName = `fc_bench_${randomBytes(4).toString('hex')}`;
    const adminUrl = new URL(server);
    adminUrl.pathname = '/postgres';
    const databaseUrl = new URL(server);
    databaseUrl.pathname = `/${dbName}`;
    const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database "${dbName}"`);
    cleanups.push(async () => {
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    });
    await timed('migrations', () => runMigrations(databaseUrl.toString()));
    const database = createDatabase(databaseUrl.toString(), { max: 10 });
    cleanups.push(() => database.close());

    // Temporal.
    const temporal = await timed('temporalDevServer', () => startDevServer({ headless: true }));
    cleanups.push(() => temporal.stop());
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });

    // Git and simulator: one Argo CD application per environment and group.
    const allEnvs = [...opts.fcEnvironments, ...(opts.plainEnvironments ?? [])];
    const sandbox = await timed('sandboxRig', () =>
      createSandboxRig({
        dataDir: dir,
        environments: allEnvs,
        groups: opts.product?.groups ?? SAMPLE_GROUPS,
        secretPrefix: `FC_SECRET_B${sfx.toUpperCase()}`,
        files: { 'README.md': '# benchmark gitops repo\n' },
      }),
    );
    cleanups.push(() => sandbox.close());
    const sim = sandbox.simulator;
    const repoPath = sandbox.git.repoPath;
    const repoUrl = sandbox.git.repoURL;
    const environments: Record<string, RigEnvironment> = Object.fromEntries(
      sandbox.environments.map((e) => [
        e.name,
        { name: e.name, applications: e.applications.map((a) => ({ group: a.group, name: a.name })) },
      ]),
    );

    // API (in-process Hono app, the same code as api/server.ts serves).
    const adminToken = `fct_bench_${randomBytes(24).toString('base64url')}`;
    const taskQueue = `bench-promotions-${sfx}`;
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      FLOW_ADMIN_TOKEN: adminToken,
      DATABASE_URL: databaseUrl.toString(),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    const app = createApp({ config, database, temporal: { connection, client }, logger: createLogger({ level: 'silent' }) }, apiRouters());
    const call: Rig['call'] = async (method, path, body) => {
      const res = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    };
    const must = async (method: string, path: string, body: unknown, ok: number[]) => {
      const res = await call(method, path, body);
      if (!ok.includes(res.status)) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
      return res.body;
    };

    await timed('environmentsAndTemplate', async () => {
      for (const [i, name] of opts.fcEnvironments.entries()) {
        await must(
          'PUT',
          `/v1/environments/${name}`,
          sandbox.environmentConfig(name, { displayOrder: i, approvalTimeoutSeconds: 3600, convergenceDeadlineSeconds: 300 }),
          [201],
        );
      }
      await must('PUT', '/v1/templates/default', opts.product?.template ?? SAMPLE_TEMPLATE, [200, 201]);
    });

    // Worker, in its own process.
    const gitWorkDir = join(dir, 'worker-git');
    let workflowBundlePath: string | undefined;
    if (opts.prebundle) {
      workflowBundlePath = join(dir, 'workflow-bundle.js');
      const { code } = await timed('workflowBundle', () =>
        bundleWorkflowCode({
          workflowsPath: WORKFLOWS_PATH,
          workflowInterceptorModules: workflowInterceptorModules(false),
          logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
        }),
      );
      await writeFile(workflowBundlePath, code);
    }
    const worker = await timed('workerStart', () =>
      spawnWorker({
        temporalAddress: temporal.address,
        taskQueue,
        databaseUrl: databaseUrl.toString(),
        gitWorkDir,
        pollIntervalMs: opts.pollIntervalMs,
        env: sandbox.secrets,
        ...(opts.workerSampleMs ? { sampleMs: opts.workerSampleMs } : {}),
        ...(workflowBundlePath ? { workflowBundlePath } : {}),
      }),
    );
    cleanups.push(() => worker.stop());

    return {
      dir,
      repoPath,
      repoUrl,
      sim,
      temporal,
      client,
      databaseUrl: databaseUrl.toString(),
      databaseServer: process.env.BENCH_PRIVATE_PG === '1' ? 'private' : 'shared',
      database,
      taskQueue,
      worker,
      environments,
      secrets: { argoUser: sim.argoAdmin.username, argoPassword: sim.argoAdmin.password, kubeToken: sim.kubeToken },
      workerEnv: sandbox.secrets,
      setupMs,
      call,
      async createRelease(tag) {
        const body = await must('POST', '/v2/releases/create/1.0.0', opts.product?.descriptor(tag) ?? sampleDescriptor(tag), [201]);
        return String(body.releaseId);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
