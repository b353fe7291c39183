// Shared rig of the promotion benchmarks (bench/promotion-latency.ts, bench/promotion-concurrency.ts), not
// tests: a throwaway database fc_bench_<random> on DATABASE_URL's server (default 127.0.0.1:5432), an own
// Temporal dev server (startDevServer, headless), the Argo CD/Kubernetes simulator with INSTANT_TIMING, a
// real bare GitOps repository, the real API (in-process Hono app, app.request) and the real worker in a
// separate child process (bench/worker-process.ts) whose memory is sampled from /proc/<pid>/status.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker.js';
import { createApp } from '../api/app.js';
import { apiRouters } from '../api/routes/index.js';
import { createDatabase, type Database } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { freePort, startDevServer, stopChild, type DevServer } from '../dev/temporal-dev-server.js';
import { startEmbeddedPostgres } from '../dev/postgres.js';
import { commitFiles, ensureBareRepo } from '../sim/gitops-repo.js';
import { createSimulator, INSTANT_TIMING, type Simulator } from '../sim/simulator.js';

export const GROUPS = ['core', 'infra'] as const;
export const PATH_PATTERN = 'environments/{env}/{group}/values.yaml';
export const DEPLOYMENT_TRAILER = 'Flow-Controller-Deployment';
const HERE = dirname(fileURLToPath(import.meta.url));

// ---- numbers ----------------------------------------------------------------------------------------

export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Nearest-rank percentile. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

export function stats(samples: number[]): Stats {
  const n = samples.length;
  const mean = n ? samples.reduce((a, b) => a + b, 0) / n : 0;
  return {
    n,
    p50: round1(percentile(samples, 50)),
    p90: round1(percentile(samples, 90)),
    p99: round1(percentile(samples, 99)),
    mean: round1(mean),
    min: round1(n ? Math.min(...samples) : 0),
    max: round1(n ? Math.max(...samples) : 0),
  };
}

export function machine(): { node: string; cpus: number; loadavg: number[] } {
  return { node: process.version, cpus: cpus().length, loadavg: loadavg().map(round1) };
}

export function descriptorWith(tag: string, gatewayTag = 'stable') {
  return {
    core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag } } } } },
    infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: gatewayTag } } } } },
  };
}

export const TEMPLATE = {
  core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG>' } } } } },
  infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function writeResult(name: string, summary: unknown): Promise<string> {
  const file = join(HERE, 'results', `${name}.json`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

// ---- the worker child process -----------------------------------------------------------------------

export interface MemorySample {
  vmRssKb: number;
  vmHwmKb: number;
}

export async function readMemory(pid: number): Promise<MemorySample | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { vmRssKb: kb('VmRSS'), vmHwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU time of a process in ms: own (user+system) and of its reaped children (git, …), from /proc/<pid>/stat. */
export async function cpuTimes(pid: number): Promise<{ selfMs: number; childrenMs: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime is field 14 (index 11 after the name).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    return { selfMs: ((f[11] ?? 0) + (f[12] ?? 0)) * tick, childrenMs: ((f[13] ?? 0) + (f[14] ?? 0)) * tick };
  } catch {
    return undefined;
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Peak VmRSS sampled since the last resetPeak() (every sampleMs). */
  peakRssKb(): number;
  resetPeak(): void;
  memory(): Promise<MemorySample | undefined>;
  /** Last lines the worker wrote (logs at warn and above), for diagnostics. */
  output(): string[];
  stop(): Promise<void>;
}

export async function spawnWorker(opts: {
  temporalAddress: string;
  taskQueue: string;
  databaseUrl: string;
  gitWorkDir: string;
  pollIntervalMs: number;
  env: Record<string, string>;
  sampleMs?: number;
  /** A pre-built workflow bundle (file); default: the worker bundles workflows/ at start, like worker.ts. */
  workflowBundlePath?: string;
}): Promise<WorkerProcess> {
  // `node --import tsx` (not the tsx CLI, which forks): the pid we sample is the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'worker-process.ts')], {
    env: {
      ...process.env,
      ...opts.env,
      BENCH_TEMPORAL_ADDRESS: opts.temporalAddress,
      BENCH_TASK_QUEUE: opts.taskQueue,
      BENCH_DATABASE_URL: opts.databaseUrl,
      BENCH_GIT_WORK_DIR: opts.gitWorkDir,
      BENCH_POLL_INTERVAL_MS: String(opts.pollIntervalMs),
      ...(opts.workflowBundlePath ? { BENCH_WORKFLOW_BUNDLE: opts.workflowBundlePath } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the worker process');
  const lines: string[] = [];
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  const onData = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) {
      if (!line.trim()) continue;
      if (line.trim() === 'WORKER-READY') readyResolve();
      else {
        lines.push(line);
        if (lines.length > 100) lines.shift();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`worker exited with ${code ?? signal}`)));

  let peak = 0;
  const sampler = setInterval(() => {
    void readMemory(pid).then((m) => {
      if (m && m.vmRssKb > peak) peak = m.vmRssKb;
    });
  }, opts.sampleMs ?? 50);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout after 120 s'), 120_000)));
  const outcome = await Promise.race([ready.then(() => 'ready'), exited, timeout]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    clearInterval(sampler);
    child.kill('SIGKILL');
    throw new Error(`worker did not start (${outcome}):\n${lines.join('\n')}`);
  }
  return {
    child,
    pid,
    peakRssKb: () => peak,
    resetPeak: () => (peak = 0),
    memory: () => readMemory(pid),
    output: () => [...lines],
    stop: async () => {
      clearInterval(sampler);
      await stopChild(child, 10_000);
    },
  };
}

// ---- the rig ----------------------------------------------------------------------------------------

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

    // Git.
    const repoPath = join(dir, 'gitops.git');
    await ensureBareRepo(repoPath, 'main');
    const allEnvs = [...opts.fcEnvironments, ...(opts.plainEnvironments ?? [])];
    const initial: Record<string, string> = { 'README.md': '# benchmark gitops repo\n' };
    for (const name of allEnvs) {
      for (const g of GROUPS) initial[`environments/${name}/${g}/values.yaml`] = `# ${name}-${g}: comments survive promotions\nteam: platform\nworkloads: {}\n`;
    }
    await commitFiles(repoPath, initial, 'initial layout', 'main');
    const repoUrl = pathToFileURL(repoPath).href;

    // Simulator: one Argo CD application per environment and group.
    const sim = await createSimulator({ timing: INSTANT_TIMING, gitCacheDir: join(dir, 'sim-cache') });
    cleanups.push(() => sim.close());
    const environments: Record<string, RigEnvironment> = {};
    await timed('simulatorApplications', async () => {
      for (const name of allEnvs) {
        const applications = GROUPS.map((group) => ({ group, name: `${name}-${group}` }));
        for (const app of applications) {
          await sim.addApplication({ name: app.name, project: 'default', repoURL: repoUrl, path: `environments/${name}/${app.group}`, targetRevision: 'main', namespace: name });
        }
        environments[name] = { name, applications };
      }
    });

    const secretVar = (what: string) => `FCB_${what}_${sfx.toUpperCase()}`;
    const secretEnv = {
      [secretVar('ARGO_USER')]: sim.argoAdmin.username,
      [secretVar('ARGO_PASSWORD')]: sim.argoAdmin.password,
      [secretVar('KUBE_TOKEN')]: sim.kubeToken,
    };

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
        await must('PUT', `/v1/environments/${name}`, {
          displayOrder: i,
          upstream: [],
          protected: false,
          approvalsRequired: 0,
          approvers: [],
          approvalTimeoutSeconds: 3600,
          convergenceDeadlineSeconds: 300,
          gitops: { repoUrl, branch: 'main', pathPattern: PATH_PATTERN },
          argocd: {
            serverUrl: sim.argoUrl,
            project: 'default',
            applicationPattern: '{env}-{group}',
            usernameRef: `env:${secretVar('ARGO_USER')}`,
            passwordRef: `env:${secretVar('ARGO_PASSWORD')}`,
          },
          kubernetes: { server: sim.kubeUrl, namespace: name, caData: sim.kubeCaData, tokenRef: `env:${secretVar('KUBE_TOKEN')}` },
        }, [201]);
      }
      await must('PUT', '/v1/templates/default', TEMPLATE, [200, 201]);
    });

    // Worker, in its own process.
    const gitWorkDir = join(dir, 'worker-git');
    let workflowBundlePath: string | undefined;
    if (opts.prebundle) {
      workflowBundlePath = join(dir, 'workflow-bundle.js');
      const { code } = await timed('workflowBundle', () =>
        bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }),
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
        env: secretEnv,
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
      setupMs,
      call,
      async createRelease(tag) {
        const body = await must('POST', '/v2/releases/create/1.0.0', descriptorWith(tag), [201]);
        return String(body.releaseId);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

// ---- Temporal history: where the time of one workflow run went ----------------------------------------

interface HistoryEvent {
  eventId?: unknown;
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  workflowExecutionStartedEventAttributes?: unknown;
  workflowExecutionCompletedEventAttributes?: unknown;
  workflowTaskScheduledEventAttributes?: unknown;
  workflowTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  workflowTaskCompletedEventAttributes?: { scheduledEventId?: unknown; startedEventId?: unknown } | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown; attempt?: number | null } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown; startedEventId?: unknown } | null;
}

function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}

function timeOf(e: HistoryEvent): number {
  return num(e.eventTime?.seconds) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
}

export interface HistoryBreakdown {
  workflowStartedAt: number;
  workflowCompletedAt: number | undefined;
  workflowTasks: number;
  /** Σ workflow task scheduled → completed (queue wait + the worker's workflow code + the completion RPC). */
  workflowTaskMs: number;
  /** Σ activity task scheduled → started (matching / task-queue wait). */
  activityScheduleToStartMs: number;
  /** Σ activity task started → completed, per activity type. */
  activityExecMs: Record<string, number>;
  /** Each workflow task: scheduled and completed times. */
  workflowTaskSpans: Array<{ scheduledAt: number; completedAt: number }>;
  /** Activity type → [scheduledAt, startedAt, completedAt]. */
  activities: Array<{ type: string; scheduledAt: number; startedAt: number; completedAt: number; attempt: number }>;
}

export async function historyBreakdown(client: Client, workflowId: string, runId?: string): Promise<HistoryBreakdown> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = (history.events ?? []) as HistoryEvent[];
  const byId = new Map<number, HistoryEvent>(events.map((e) => [num(e.eventId), e]));
  const out: HistoryBreakdown = {
    workflowStartedAt: 0,
    workflowCompletedAt: undefined,
    workflowTasks: 0,
    workflowTaskMs: 0,
    activityScheduleToStartMs: 0,
    activityExecMs: {},
    workflowTaskSpans: [],
    activities: [],
  };
  const started = new Map<number, HistoryEvent>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) out.workflowStartedAt = timeOf(e);
    if (e.workflowExecutionCompletedEventAttributes) out.workflowCompletedAt = timeOf(e);
    if (e.workflowTaskCompletedEventAttributes) {
      const sched = byId.get(num(e.workflowTaskCompletedEventAttributes.scheduledEventId));
      if (sched) {
        out.workflowTasks++;
        out.workflowTaskMs += timeOf(e) - timeOf(sched);
        out.workflowTaskSpans.push({ scheduledAt: timeOf(sched), completedAt: timeOf(e) });
      }
    }
    if (e.activityTaskStartedEventAttributes) started.set(num(e.eventId), e);
    if (e.activityTaskCompletedEventAttributes) {
      const sched = byId.get(num(e.activityTaskCompletedEventAttributes.scheduledEventId));
      const st = byId.get(num(e.activityTaskCompletedEventAttributes.startedEventId));
      if (!sched || !st) continue;
      const type = sched.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      const a = { type, scheduledAt: timeOf(sched), startedAt: timeOf(st), completedAt: timeOf(e), attempt: st.activityTaskStartedEventAttributes?.attempt ?? 1 };
      out.activities.push(a);
      out.activityScheduleToStartMs += a.startedAt - a.scheduledAt;
      out.activityExecMs[type] = (out.activityExecMs[type] ?? 0) + (a.completedAt - a.startedAt);
    }
  }
  return out;
}

/** Deployment rows and step rows of the given deployments, straight from the database (times as epoch ms). */
export async function deploymentTimings(database: Database, ids: number[]) {
  const rows = await database.sql<Array<{ id: string; environment: string; status: string; createdAt: number; startedAt: number | null; finishedAt: number | null; commitSha: string | null; workflowId: string; runId: string | null }>>`
    select id, environment, status,
           extract(epoch from created_at) * 1000 as "createdAt", extract(epoch from started_at) * 1000 as "startedAt",
           extract(epoch from finished_at) * 1000 as "finishedAt", commit_sha as "commitSha", workflow_id as "workflowId", run_id as "runId"
      from deployments where id = any(${ids})`;
  const steps = await database.sql<Array<{ deploymentId: string; step: string; status: string; attempts: number; startedAt: number | null; finishedAt: number | null; message: string | null }>>`
    select deployment_id as "deploymentId", step, status, attempts, extract(epoch from started_at) * 1000 as "startedAt",
           extract(epoch from finished_at) * 1000 as "finishedAt", message
      from deployment_steps where deployment_id = any(${ids}) order by deployment_id, position`;
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    rows: rows.map((r) => ({ ...r, id: Number(r.id), createdAt: n(r.createdAt) ?? 0, startedAt: n(r.startedAt), finishedAt: n(r.finishedAt) })),
    steps: steps.map((s) => ({ ...s, deploymentId: Number(s.deploymentId), startedAt: n(s.startedAt), finishedAt: n(s.finishedAt) })),
  };
}
