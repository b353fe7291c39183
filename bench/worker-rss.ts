// Benchmark (not a test): the worker's memory with BENCH_INFLIGHT (100) promotions in flight at once, to as
// many environments sharing one GitOps repository. The simulator's workload controllers observe a spec change
// only after BENCH_CONVERGE_MS (240 s; sim/timing.ts observeMs) once the rig is up, and the POSTs are spread over BENCH_RAMP_MS (100 s; 0 = all at once), so every
// promotion is still running (waiting for convergence) when the last one has committed: the bench reads the
// number in flight from the deployments table and samples the worker's VmRSS every 200 ms, reporting the peak
// with all of them in flight and overall. (All at once, 100 commits queue on the worker's per-repository lock
// longer than the Git step's 120 s timeout on a loaded 2-core machine: that is the commit queue's benchmark,
// bench/promotion-concurrency.ts, not this one.)
// The worker runs in its own process (bench/worker-process.ts) with the pre-built workflow bundle and the
// WORKER_* bounds of lib/config.ts (set them in the environment to try others); BENCH_WORKER_NODE_ARGS passes
// V8 flags to it. Before the load, the bench starts the worker twice more, idle, on a task queue of its own:
// once bundling the workflow code at start (as before scripts/bundle-workflows.ts) and once with the bundle,
// to show what the pre-built bundle saves. Run with
//   bash scripts/with-node.sh tsx bench/worker-rss.ts       # → bench/results/worker-rss.json
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../lib/config.js';
import { ensureWorkflowBundle } from '../scripts/bundle-workflows.js';
import { readMemory, spawnWorker, workerMallocEnv, workerNodeArgs } from './process.js';
import { createRig, type Rig } from './rig.js';
import { machine, sleep, writeResult } from './stats.js';

const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 100);
const CONVERGE_MS = Number(process.env.BENCH_CONVERGE_MS ?? 240_000);
const RAMP_MS = Number(process.env.BENCH_RAMP_MS ?? 100_000);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const DEADLINE_MS = 15 * 60_000;
const TARGET_MB = 300;
const TERMINAL = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];
const mb = (kb: number | undefined) => (kb === undefined ? null : Math.round(kb / 102.4) / 10);

/** RSS of an idle worker 5 s after it is ready, with or without a pre-built bundle (its own task queue). */
async function idleWorker(rig: Rig, bundle: string | undefined): Promise<{ rssMb: number | null; vmHwmMb: number | null }> {
  const worker = await spawnWorker({
    temporalAddress: rig.temporal.address,
    taskQueue: `bench-idle-${randomBytes(3).toString('hex')}`,
    databaseUrl: rig.databaseUrl,
    gitWorkDir: join(rig.dir, 'idle-git'),
    pollIntervalMs: POLL_MS,
    env: {},
    sampleMs: 500,
    ...(bundle ? { workflowBundlePath: bundle } : {}),
  });
  try {
    await sleep(5000);
    const m = await readMemory(worker.pid);
    return { rssMb: mb(m?.vmRssKb), vmHwmMb: mb(m?.vmHwmKb) };
  } finally {
    await worker.stop();
  }
}

async function main(): Promise<void> {
  const sfx = randomBytes(3).toString('hex');
  const names = Array.from({ length: INFLIGHT }, (_, i) => `r${String(i).padStart(3, '0')}-${sfx}`);
  const loadBefore = machine();
  process.env.BENCH_WORKER_MEMORY_MS ??= '1000';
  const rig = await createRig({ fcEnvironments: names, pollIntervalMs: POLL_MS, prebundle: true, workerSampleMs: 200 });
  try {
    const { file: bundle } = await ensureWorkflowBundle();
    const startup = { bundlingAtStart: await idleWorker(rig, undefined), prebuiltBundle: await idleWorker(rig, bundle) };

    rig.sim.setTiming({ observeMs: CONVERGE_MS });
    const releaseId = await rig.createRelease('7.0.0');
    await sleep(2000);
    const idle = await readMemory(rig.worker.pid);
    const idleReport = rig.worker.lastMemoryReport();
    rig.worker.resetPeak();

    const t0 = performance.now();
    const started = await Promise.all(
      names.map(async (environment, i) => {
        await sleep((RAMP_MS * i) / INFLIGHT);
        return rig.call('POST', `/v2/releases/${releaseId}/promote`, { environment });
      }),
    );
    const ids = started.filter((s) => s.status === 202).map((s) => Number(s.body.deploymentId));
    let peakAllInFlightKb = 0;
    let allInFlightSamples = 0;
    let maxInFlight = 0;
    let reportAtPeak: Record<string, number> | undefined;
    const timeline: Array<{ t: number; inFlight: number; rssMb: number | null; memoryUsageMb?: Record<string, number> }> = [];
    let statuses: string[] = [];
    let lastTimeline = -Infinity;
    while (performance.now() - t0 < DEADLINE_MS) {
      const rows = await rig.database.sql<Array<{ status: string }>>`select status from deployments where id = any(${ids})`;
      statuses = rows.map((r) => r.status);
      const inFlight = statuses.filter((s) => !TERMINAL.includes(s)).length;
      const m = await readMemory(rig.worker.pid);
      maxInFlight = Math.max(maxInFlight, inFlight);
      // "All in flight": at least 95 % of them (a promotion whose values are already in place finishes at once).
      if (inFlight >= Math.ceil(INFLIGHT * 0.95) && m) {
        allInFlightSamples++;
        if (m.vmRssKb > peakAllInFlightKb) {
          peakAllInFlightKb = m.vmRssKb;
          reportAtPeak = rig.worker.lastMemoryReport();
        }
      }
      if (performance.now() - lastTimeline >= 5000) {
        lastTimeline = performance.now();
        const memoryUsageMb = rig.worker.lastMemoryReport();
        timeline.push({
          t: Math.round((performance.now() - t0) / 1000),
          inFlight,
          rssMb: mb(m?.vmRssKb),
          ...(memoryUsageMb ? { memoryUsageMb } : {}),
        });
      }
      if (inFlight === 0) break;
      if (rig.worker.child.exitCode !== null || rig.worker.child.signalCode !== null) {
        throw new Error(
          `worker exited (${rig.worker.child.exitCode ?? rig.worker.child.signalCode}):\n${rig.worker.output().slice(-20).join('\n')}`,
        );
      }
      await sleep(200);
    }
    const wallMs = performance.now() - t0;
    const peakKb = rig.worker.peakRssKb();
    const after = await readMemory(rig.worker.pid);
    await sleep(10_000);
    const settled = await readMemory(rig.worker.pid);
    const succeeded = statuses.filter((s) => s === 'succeeded').length;
    const config = loadConfig();
    const summary = {
      benchmark: 'worker-rss',
      date: new Date().toISOString(),
      target: `worker RSS with ${INFLIGHT} promotions in flight ≤ ${TARGET_MB} MB`,
      machine: { node: loadBefore.node, cpus: loadBefore.cpus, loadavgBefore: loadBefore.loadavg, loadavgAfter: machine().loadavg },
      parameters: {
        inFlight: INFLIGHT,
        simulatorObserveMs: CONVERGE_MS,
        rampMs: RAMP_MS,
        pollIntervalMs: POLL_MS,
        // What the worker ran with (the production defaults unless BENCH_WORKER_NODE_ARGS says otherwise).
        workerNodeArgs: workerNodeArgs().join(' '),
        malloc: workerMallocEnv(),
        workerBounds: {
          WORKER_MAX_CONCURRENT_ACTIVITIES: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
          WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
          WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          WORKER_MAX_CACHED_WORKFLOWS: config.WORKER_MAX_CACHED_WORKFLOWS,
        },
        prebuiltWorkflowBundle: true,
        sharedRepository: true,
      },
      startupIdleRssMb: startup,
      promotions: { requested: INFLIGHT, accepted: ids.length, succeeded, statuses: countBy(statuses), wallMs: Math.round(wallMs) },
      maxInFlightObserved: maxInFlight,
      samplesWithAllInFlight: allInFlightSamples,
      worker: {
        idleRssMb: mb(idle?.vmRssKb),
        idleMemoryUsageMb: idleReport,
        peakRssAllInFlightMb: allInFlightSamples ? mb(peakAllInFlightKb) : null,
        memoryUsageAtThatPeakMb: reportAtPeak,
        peakRssDuringRunMb: mb(peakKb),
        rssAfterRunMb: mb(after?.vmRssKb),
        rss10sLaterMb: mb(settled?.vmRssKb),
        vmHwmMb: mb(settled?.vmHwmKb),
      },
      meetsTarget: allInFlightSamples > 0 && peakKb / 1024 <= TARGET_MB,
      timeline,
    };
    console.log(JSON.stringify(summary, null, 2));
    const file = await writeResult('worker-rss', summary);
    process.stderr.write(
      `written to ${file}\n${succeeded}/${INFLIGHT} succeeded, max ${maxInFlight} in flight; worker RSS idle ${summary.worker.idleRssMb} MB, peak with all in flight ${summary.worker.peakRssAllInFlightMb} MB, peak ${summary.worker.peakRssDuringRunMb} MB; idle at start: bundling ${startup.bundlingAtStart.rssMb} MB vs pre-built ${startup.prebuiltBundle.rssMb} MB\n`,
    );
    if (succeeded < INFLIGHT) process.stderr.write(`worker output:\n${rig.worker.output().slice(-30).join('\n')}\n`);
  } finally {
    await rig.close();
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
