// A complete promotion rig on real services: the file's own database, the run's Temporal dev server, a
// real worker (createWorker + createActivities), and the sandbox rig (sim/rig.ts: a real bare GitOps
// repository and the Argo CD + Kubernetes simulator reconciling from it). Environment names are unique per fixture because the
// promotion workflow id is per environment and the Temporal server is shared by the whole test run.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { Simulator, Timing } from '../sim/simulator.js';
import {
  createRig,
  type RigArgoApps,
  type RigCluster,
  type RigOptions,
  SAMPLE_GROUPS,
  SAMPLE_TEMPLATE,
  sampleDescriptor,
} from '../sim/rig.js';
import { createMonitorWorker, createWorker } from '../worker.js';
import type { Database } from '../db/client.js';
import { apiHarness, type ApiHarness, type Loose } from './api-harness.js';
import { nativeConnection, silentLogger, uniqueName, workflowBundle } from './harness.js';
import type { ActivityDeps } from '../activities/deps.js';
import type { GitopsTarget } from '../domain/environment.js';

export interface EnvSpec {
  key: string;
  upstream?: string[];
  protected?: boolean;
  approvalsRequired?: number;
  approvers?: string[];
  approvalTimeoutSeconds?: number;
  /** Wait timer of the approval gate (default 0). */
  approvalWaitSeconds?: number;
  convergenceDeadlineSeconds?: number;
  /** Default 0 here (Degraded is final at once) so that fault tests park quickly; production default 60. */
  degradedGraceSeconds?: number;
  /** Auto-sync, ApplicationSet generation and sources of the environment's Argo CD Applications (sim/rig.ts). */
  argoApps?: RigArgoApps;
  /** `argocd.syncMode` of the environment (default: not set, i.e. detect). */
  syncMode?: 'explicit' | 'auto' | 'detect';
  /** Image mappings of the environment (`gitops.mapping`, `gitops.groups`; default: none, i.e. flow-workloads). */
  mappings?: Pick<GitopsTarget, 'mapping' | 'groups'>;
  /** How queued promotions wait (default fifo; docs/governance.md "Queues"). */
  queuePolicy?: 'fifo' | 'newest-wins';
  /** Auto-promotion (docs/governance.md); `from` is an environment key of this fixture. */
  autoPromote?: { from: string; when?: 'succeeded' | 'verified'; soakSeconds?: number };
  /** More settings of the environment's configuration, as given (e.g. `verification`). */
  extra?: Record<string, unknown>;
}

export interface PromotionFixture {
  h: ApiHarness;
  sim: Simulator;
  /** Every simulated cluster (one unless the fixture was built with `clusters`); `sim` is the first one's. */
  clusters: RigCluster[];
  repoPath: string;
  /** Environment key (as given) → unique environment name. */
  env: Record<string, string>;
  tokens: { promoter: string; approver1: string; approver2: string };
  taskQueue: string;
  startWorker(overrides?: Partial<ActivityDeps>): Promise<{ worker: Worker; done: Promise<void> }>;
  stopWorker(): Promise<void>;
  createRelease(tag: string, gatewayTag?: string): Promise<string>;
  promote(releaseId: string, envKey: string, token?: string): Promise<{ status: number; body: Loose }>;
  waitFor(envKey: string, id: number, statuses: string[], timeoutMs?: number): Promise<Loose>;
  close(): Promise<void>;
}

export async function createPromotionFixture(
  database: Database,
  opts: {
    envs: EnvSpec[];
    timing?: Partial<Timing>;
    pollIntervalMs?: number;
    apiEnv?: Record<string, string>;
    /** More files for the GitOps repository, and charts the simulators serve as a Helm repository. */
    rig?: Pick<RigOptions, 'files' | 'helmCharts'>;
    /** Content of each environment's values files before the first promotion (sim/rig.ts `initialValues`). */
    initialValues?: (environment: string, group: string) => string;
    /** Every environment spans these simulated clusters (sim/rig.ts RigOptions.clusters). */
    clusters?: string[];
  },
): Promise<PromotionFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'fc-promo-'));
  const sfx = randomBytes(3).toString('hex');
  const env = Object.fromEntries(opts.envs.map((e) => [e.key, `${e.key}-${sfx}`]));
  const rig = await createRig({
    dataDir: dir,
    environments: Object.values(env),
    groups: SAMPLE_GROUPS,
    timing: opts.timing,
    secretPrefix: `FC_SECRET_T${sfx.toUpperCase()}`,
    files: { 'README.md': '# test gitops repo\n', ...(opts.rig?.files ?? {}) },
    ...(opts.rig?.helmCharts ? { helmCharts: opts.rig.helmCharts } : {}),
    ...(opts.initialValues ? { initialValues: opts.initialValues } : {}),
    argoApps: Object.fromEntries(opts.envs.flatMap((e) => (e.argoApps ? [[env[e.key] as string, e.argoApps]] : []))),
    ...(opts.clusters ? { clusters: opts.clusters } : {}),
  });
  const sim = rig.simulator;
  const repoPath = rig.git.repoPath;
  // The in-process API (live view) and worker resolve `env:` references against process.env.
  Object.assign(process.env, rig.secrets);

  const taskQueue = uniqueName('promotions');
  const h = await apiHarness(database, { TEMPORAL_TASK_QUEUE: taskQueue, WORKER_RESPONSE_TIMEOUT_MS: '5000', ...(opts.apiEnv ?? {}) });
  const issue = async (name: string, role: string, scopes: string[]) => {
    const res = await h.call('POST', '/v1/tokens', { body: { name: `${name}-${sfx}`, role, scopes } });
    if (res.status !== 201) throw new Error(`token ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { token: string }).token;
  };
  const tokens = {
    promoter: await issue('promoter', 'promoter', ['*']),
    approver1: await issue('approver1', 'promoter', ['*']),
    approver2: await issue('approver2', 'promoter', ['*']),
  };

  for (const [i, e] of opts.envs.entries()) {
    const name = env[e.key] as string;
    const config = rig.environmentConfig(name, {
      displayOrder: i,
      upstream: (e.upstream ?? []).map((u) => env[u] as string),
      protected: e.protected ?? false,
      approvalsRequired: e.approvalsRequired ?? 0,
      // Principals get the fixture's suffix (tokens are named so); `group:<name>` entries are taken as given.
      approvers: (e.approvers ?? []).map((a) => (a.startsWith('group:') ? a : `${a}-${sfx}`)),
      approvalTimeoutSeconds: e.approvalTimeoutSeconds ?? 3600,
      approvalWaitSeconds: e.approvalWaitSeconds ?? 0,
      convergenceDeadlineSeconds: e.convergenceDeadlineSeconds ?? 60,
      degradedGraceSeconds: e.degradedGraceSeconds ?? 0,
      ...(e.syncMode ? { syncMode: e.syncMode } : {}),
    });
    const res = await h.call('PUT', `/v1/environments/${name}`, {
      body: {
        ...config,
        gitops: { ...config.gitops, ...(e.mappings ?? {}) },
        ...(e.queuePolicy ? { queuePolicy: e.queuePolicy } : {}),
        ...(e.autoPromote ? { autoPromote: { ...e.autoPromote, from: env[e.autoPromote.from] } } : {}),
        ...(e.extra ?? {}),
      },
    });
    if (res.status !== 201) throw new Error(`environment ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const tpl = await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE });
  if (tpl.status !== 201 && tpl.status !== 200) throw new Error(`template: ${tpl.status} ${JSON.stringify(tpl.body)}`);

  let running: { worker: Worker; done: Promise<void>; monitorWorker: Worker } | undefined;
  const connection = await nativeConnection();
  const fixture: PromotionFixture = {
    h,
    sim,
    clusters: rig.clusters,
    repoPath,
    env,
    tokens,
    taskQueue,
    async startWorker(overrides = {}) {
      const common = {
        connection,
        namespace: 'default',
        taskQueue,
        deps: {
          database,
          logger: silentLogger,
          gitWorkDir: join(dir, 'git-work'),
          pollIntervalMs: opts.pollIntervalMs ?? 50,
          ...overrides,
        },
        options: { shutdownGraceTime: '2 seconds', shutdownForceTime: '5 seconds' },
      };
      const worker = await createWorker({ ...common, workflowBundle: await workflowBundle() });
      // The monitors' watch activities run on `<queue>-monitor` (worker.ts startWorker runs the same pair).
      const monitorWorker = await createMonitorWorker({ ...common, slots: 100 });
      const runs = [worker.run(), monitorWorker.run()];
      const done = Promise.all(runs).then(() => undefined);
      running = { worker, done, monitorWorker };
      return running;
    },
    async stopWorker() {
      if (!running) return;
      for (const w of [running.worker, running.monitorWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      await running.done.catch(() => undefined);
      running = undefined;
    },
    async createRelease(tag, gatewayTag) {
      const res = await h.call('POST', '/v2/releases/create/1.0.0', {
        body: sampleDescriptor(tag, gatewayTag),
        token: h.tokens.releaser,
        query: undefined,
      } as never);
      if (res.status !== 201) throw new Error(`release: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { releaseId: string }).releaseId;
    },
    promote(releaseId, envKey, token = tokens.promoter) {
      return h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment: env[envKey] ?? envKey }, token });
    },
    async waitFor(envKey, id, statuses, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Loose;
      while (Date.now() < deadline) {
        const res = await h.call('GET', `/v1/environments/${env[envKey]}/deployment-history/${id}`, { token: h.tokens.viewer });
        last = res.body;
        if (statuses.includes(last?.status)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`deployment ${id} did not reach ${statuses.join('|')}: ${JSON.stringify(last)}`);
    },
    async close() {
      await fixture.stopWorker();
      await connection.close();
      await rig.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
