// Benchmark (not a test): how long after Argo CD reports convergence the convergence wait notices it, with the
// application watch stream (default) and with polling at the production interval (1000 ms). Full promotions on
// the bench rig (bench/rig.ts: real API, Temporal, worker process, Git, simulator), the simulator given stale
// windows so that the wait really waits (operation start, apply, rollout, health lag). For every promotion:
//   converged = the simulator's time of the first Application change after which every application of the
//               environment satisfies the convergence rule for the promotion's commit (integrations/
//               argocd-convergence.ts, the wait's own rule; recorded by sim.onApplicationChange),
//   noticed   = the argocd-wait step's finishedAt (written by the worker when the activity returned),
// lag = noticed − converged (same machine clock). Modes alternate run by run; "polling" makes the stream endpoint
// answer 404 (an older proxy), so the wait falls back to polling — as with ARGOCD_WATCH=off, plus one refused
// stream request. Knobs: BENCH_RUNS (20 per mode), BENCH_WARMUP (2), BENCH_POLL_MS (1000).
import { randomBytes } from 'node:crypto';
import type { Application } from '../integrations/argocd-schema.js';
import { assessConvergence } from '../integrations/argocd-convergence.js';
import { createRig, type Rig } from './rig.js';
import { machine, round1, sleep, stats, writeResult } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const TARGET_P50_MS = 250;
const DEADLINE_MS = 120_000;
/** Stale windows as a real Argo CD has them, short enough for many runs. */
const TIMING = { operationStartMs: 100, applyMs: 200, observeMs: 100, rolloutMs: 1_000, terminationMs: 100, healthLagMs: 300 };

type Mode = 'stream' | 'polling';
interface Run {
  mode: Mode;
  lagMs: number;
  totalMs: number;
  reads: number;
  events: number;
}

async function promoteOnce(rig: Rig, env: string, releaseId: string, mode: Mode): Promise<Run> {
  const apps = new Set(rig.environments[env]?.applications.map((a) => a.name));
  const changes: Array<{ atMs: number; application: Application }> = [];
  const off = rig.sim.onApplicationChange((e) => {
    if (apps.has(e.application.metadata.name)) changes.push({ atMs: e.atMs, application: e.application });
  });
  rig.sim.faults.stream(mode === 'polling' ? { unavailableStatus: 404 } : undefined);
  const t0 = performance.now();
  try {
    const res = await rig.call('POST', `/v2/releases/${releaseId}/promote`, { environment: env });
    if (res.status !== 202) throw new Error(`promote → ${res.status}: ${JSON.stringify(res.body)}`);
    const id = Number(res.body.deploymentId);
    for (;;) {
      const [row] = await rig.database.sql<Array<{ status: string; message: string | null }>>`
        select status, message from deployments where id = ${id}`;
      if (row?.status === 'succeeded') break;
      if (row && ['failed', 'aborted', 'awaiting_operator'].includes(row.status)) {
        throw new Error(`deployment ${id} ended ${row.status}: ${row.message ?? ''}\n${rig.worker.output().join('\n')}`);
      }
      if (performance.now() - t0 > DEADLINE_MS) throw new Error(`deployment ${id} not done after ${DEADLINE_MS} ms`);
      await sleep(20);
    }
    const totalMs = performance.now() - t0;
    const [dep] = await rig.database.sql<Array<{ commit_sha: string }>>`select commit_sha from deployments where id = ${id}`;
    const [wait] = await rig.database.sql<Array<{ finished_at: Date | string; observation: { reads?: number; events?: number } }>>`
      select finished_at, observation from deployment_steps where deployment_id = ${id} and step = 'argocd-wait'`;
    if (!dep || !wait) throw new Error(`deployment ${id}: no commit or wait step`);
    const target = { sha: dep.commit_sha, promotionId: String(id), acceptNewerBranchRevision: true };
    const latest = new Map<string, Application>();
    let convergedAt: number | undefined;
    for (const c of changes) {
      latest.set(c.application.metadata.name, c.application);
      const all = [...apps].every((name) => {
        const app = latest.get(name);
        return app !== undefined && assessConvergence(app, target).state === 'converged';
      });
      if (all) {
        convergedAt = c.atMs;
        break;
      }
    }
    if (convergedAt === undefined) throw new Error(`deployment ${id}: the simulator never reported convergence`);
    return {
      mode,
      lagMs: new Date(wait.finished_at).getTime() - convergedAt,
      totalMs,
      reads: wait.observation.reads ?? 0,
      events: wait.observation.events ?? 0,
    };
  } finally {
    off();
    rig.sim.faults.stream(undefined);
  }
}

async function main(): Promise<void> {
  const env = `notice-${randomBytes(3).toString('hex')}`;
  const loadBefore = machine();
  const rig = await createRig({ fcEnvironments: [env], pollIntervalMs: POLL_MS });
  try {
    rig.sim.setTiming(TIMING);
    const modes: Mode[] = ['stream', 'polling'];
    const total = (WARMUP + RUNS) * modes.length;
    const releaseIds: string[] = [];
    for (let i = 0; i < total; i++) releaseIds.push(await rig.createRelease(`3.0.${i}`));
    const runs: Run[] = [];
    for (let i = 0; i < total; i++) {
      const run = await promoteOnce(rig, env, releaseIds[i] as string, modes[i % modes.length] as Mode);
      if (i >= WARMUP * modes.length) runs.push(run);
      process.stdout.write(`${run.mode} lag ${Math.round(run.lagMs)} ms (reads ${run.reads}, events ${run.events})\n`);
    }
    const of = (mode: Mode) => runs.filter((r) => r.mode === mode);
    const summary = (mode: Mode) => ({
      lagMs: stats(of(mode).map((r) => r.lagMs)),
      promotionMs: stats(of(mode).map((r) => r.totalMs)),
      readsPerWait: stats(of(mode).map((r) => r.reads)),
      eventsPerWait: stats(of(mode).map((r) => r.events)),
    });
    const stream = summary('stream');
    const polling = summary('polling');
    const result = {
      benchmark: 'convergence-notice',
      target: { metric: 'convergence noticed after Argo CD reports it (stream), p50', maxMs: TARGET_P50_MS },
      met: stream.lagMs.p50 <= TARGET_P50_MS,
      runsPerMode: RUNS,
      warmupPerMode: WARMUP,
      pollIntervalMs: POLL_MS,
      simulatorTiming: TIMING,
      stream,
      polling,
      ratioPollingToStreamP50: stream.lagMs.p50 > 0 ? round1(polling.lagMs.p50 / stream.lagMs.p50) : null,
      machineBefore: loadBefore,
      machine: machine(),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`wrote ${await writeResult('convergence-notice', result)}`);
  } finally {
    await rig.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
