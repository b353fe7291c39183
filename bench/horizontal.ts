// Benchmark (not a test): horizontal scaling. One Temporal dev server, one PostgreSQL database, one GitOps
// repository and the simulator (bench/rig.ts), and two deployments of Flow Controller side by side in the
// same run, each on a task queue of its own:
//   1+1: one worker process and one API process (real HTTP, `api/server.ts`);
//   2+2: two worker processes and two API processes, the POSTs spread over both APIs (alternating).
// Each deployment promotes one release to BENCH_ENVS (50) environments of its own, all at once, in the one
// repository and branch. Asserted (exit 1 otherwise): 100 % success and exactly one commit per deployment
// (trailer Flow-Controller-Deployment, equal to the history record's commit SHA) in both. Reported: wall time
// and throughput of each, the ratio 2+2 ÷ 1+1, and non-fast-forward push retries (the in-process commit lock
// only orders one worker's pushes; two workers race at the remote). BENCH_ORDER=21 runs 2+2 first.
// Run with
//   bash scripts/with-node.sh tsx bench/horizontal.ts       # → bench/results/horizontal.json
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stopChild } from '../dev/temporal-dev-server.js';
import { deploymentTimings } from './history.js';
import { spawnWorker, type WorkerProcess } from './process.js';
import { commitsByDeployment, rigGit } from './commits.js';
import { createRig, type Rig } from './rig.js';
import { machine, sleep, stats, writeResult } from './stats.js';

const ENVS = Number(process.env.BENCH_ENVS ?? 50);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 50);
const ORDER = process.env.BENCH_ORDER === '21' ? [2, 1] : [1, 2];
const DEADLINE_MS = 10 * 60_000;
const TERMINAL = ['succeeded', 'failed', 'aborted', 'awaiting_operator'];
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

interface ApiProcess {
  url: string;
  child: ChildProcess;
  output: string[];
}

async function spawnApi(rig: Rig, taskQueue: string, token: string): Promise<ApiProcess> {
  const port = await freePort();
  const { FLOW_ADMIN_TOKEN: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'api', 'server.ts')], {
    env: {
      ...env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: rig.databaseUrl,
      TEMPORAL_ADDRESS: rig.temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (b: Buffer) => output.push(...b.toString().split('\n').filter(Boolean).slice(-50));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  for (const t0 = performance.now(); performance.now() - t0 < 120_000; await sleep(200)) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${url}/v1/tokens/self`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { url, child, output };
  }
  child.kill('SIGKILL');
  throw new Error(`API process did not start:\n${output.join('\n')}`);
}

async function post(
  api: ApiProcess,
  token: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** One deployment of `n` workers and `n` API processes on its own task queue; ENVS promotions at once. */
async function phase(rig: Rig, n: number, token: string, releaseId: string, envs: string[], warmEnvs: string[]) {
  const taskQueue = `bench-h${n}-${randomBytes(3).toString('hex')}`;
  const workers: WorkerProcess[] = [];
  const apis: ApiProcess[] = [];
  try {
    for (let i = 0; i < n; i++) {
      workers.push(
        await spawnWorker({
          temporalAddress: rig.temporal.address,
          taskQueue,
          databaseUrl: rig.databaseUrl,
          gitWorkDir: join(rig.dir, `${taskQueue}-w${i}`),
          pollIntervalMs: POLL_MS,
          env: rig.workerEnv,
        }),
      );
      apis.push(await spawnApi(rig, taskQueue, token));
    }
    const wait = async (ids: number[], deadlineMs: number) => {
      const t0 = performance.now();
      const done = new Map<number, { status: string; atMs: number }>();
      while (done.size < ids.length && performance.now() - t0 < deadlineMs) {
        const rows = await rig.database.sql<
          Array<{ id: string; status: string }>
        >`select id, status from deployments where id = any(${ids})`;
        for (const r of rows)
          if (TERMINAL.includes(r.status) && !done.has(Number(r.id))) done.set(Number(r.id), { status: r.status, atMs: performance.now() });
        if (done.size < ids.length) await sleep(50);
      }
      return done;
    };
    // Warm-up: one promotion through each API (and so, likely, each worker).
    const warm = await Promise.all(
      warmEnvs.map((environment, i) => post(apis[i % n]!, token, `/v2/releases/${releaseId}/promote`, { environment })),
    );
    await wait(
      warm.map((w) => Number(w.body.deploymentId)),
      120_000,
    );
    const headBefore = (await rigGit(rig, ['rev-parse', 'main'])).trim();

    const t0 = performance.now();
    const started = await Promise.all(
      envs.map((environment, i) => post(apis[i % n]!, token, `/v2/releases/${releaseId}/promote`, { environment })),
    );
    const ids = started.filter((s) => s.status === 202).map((s) => Number(s.body.deploymentId));
    const done = await wait(ids, DEADLINE_MS);
    const wallMs = Math.max(0, ...[...done.values()].map((d) => d.atMs - t0));

    const headAfter = (await rigGit(rig, ['rev-parse', 'main'])).trim();
    const byDeployment = await commitsByDeployment(rig, headBefore, headAfter);
    const { rows, steps } = await deploymentTimings(rig.database, ids);
    const succeeded = rows.filter((r) => r.status === 'succeeded').length;
    let pushRetries = 0;
    for (const s of steps) {
      const m = s.step === 'git-commit-push' ? /after (\d+) attempts/.exec(s.message ?? '') : null;
      if (m) pushRetries += Number(m[1]) - 1;
    }
    const peaks = workers.map((w) => Math.round(w.peakRssKb() / 102.4) / 10);
    return {
      workers: n,
      apiProcesses: n,
      taskQueue,
      requested: envs.length,
      accepted: ids.length,
      rejected: started.filter((s) => s.status !== 202).map((s) => ({ status: s.status, body: s.body })),
      succeeded,
      notSucceeded: rows.filter((r) => r.status !== 'succeeded').map((r) => ({ id: r.id, status: r.status })),
      commitsAdded: Number((await rigGit(rig, ['rev-list', '--count', `${headBefore}..${headAfter}`])).trim()),
      exactlyOnce: ids.filter((id) => byDeployment.get(String(id))?.length === 1).length,
      duplicated: ids.filter((id) => (byDeployment.get(String(id))?.length ?? 0) > 1),
      missing: ids.filter((id) => !byDeployment.has(String(id))),
      shaMatches: rows.filter((r) => r.commitSha !== null && byDeployment.get(String(r.id))?.[0] === r.commitSha).length,
      nonFastForwardRetries: pushRetries,
      wallMs: Math.round(wallMs),
      throughputPerSec: Math.round((succeeded / (wallMs / 1000)) * 100) / 100,
      latencyMs: stats([...done.values()].map((d) => d.atMs - t0)),
      workerPeakRssMb: peaks,
      output:
        succeeded < envs.length ? [...workers.flatMap((w) => w.output().slice(-15)), ...apis.flatMap((a) => a.output.slice(-15))] : [],
    };
  } finally {
    for (const a of apis) await stopChild(a.child, 10_000);
    for (const w of workers) await w.stop();
  }
}

async function main(): Promise<void> {
  const sfx = randomBytes(3).toString('hex');
  const envsOf = (n: number) => Array.from({ length: ENVS }, (_, i) => `h${n}x${String(i).padStart(2, '0')}-${sfx}`);
  const warmOf = (n: number) => Array.from({ length: n }, (_, i) => `h${n}warm${i}-${sfx}`);
  const loadBefore = machine();
  const rig = await createRig({
    fcEnvironments: [...warmOf(1), ...warmOf(2), ...envsOf(1), ...envsOf(2)],
    pollIntervalMs: POLL_MS,
    prebundle: true,
  });
  try {
    const issued = await rig.call('POST', '/v1/tokens', { name: `bench-horizontal-${sfx}`, role: 'admin' });
    if (issued.status !== 201) throw new Error(`token → ${issued.status}: ${JSON.stringify(issued.body)}`);
    const token = String(issued.body.token);
    const releaseId = await rig.createRelease('8.0.0');
    const results: Record<string, Awaited<ReturnType<typeof phase>>> = {};
    for (const n of ORDER) results[`${n}+${n}`] = await phase(rig, n, token, releaseId, envsOf(n), warmOf(n));
    const one = results['1+1']!;
    const two = results['2+2']!;
    const ok = (r: typeof one) => r.succeeded === ENVS && r.exactlyOnce === ENVS && r.duplicated.length === 0 && r.shaMatches === ENVS;
    const summary = {
      benchmark: 'horizontal',
      date: new Date().toISOString(),
      target: '2 workers + 2 API processes: 100 % success, no duplicate commit, higher throughput than 1+1',
      machine: { node: loadBefore.node, cpus: loadBefore.cpus, loadavgBefore: loadBefore.loadavg, loadavgAfter: machine().loadavg },
      parameters: {
        environmentsPerPhase: ENVS,
        applicationsPerPhase: ENVS * 2,
        order: ORDER.map((n) => `${n}+${n}`),
        pollIntervalMs: POLL_MS,
        sharedRepository: true,
        simulatorTiming: 'INSTANT_TIMING',
      },
      setupMs: rig.setupMs,
      phases: results,
      throughputRatio2over1: Math.round((two.throughputPerSec / one.throughputPerSec) * 100) / 100,
      correct: ok(one) && ok(two),
      meetsTarget: ok(one) && ok(two) && two.throughputPerSec > one.throughputPerSec,
    };
    console.log(JSON.stringify(summary, null, 2));
    const file = await writeResult('horizontal', summary);
    process.stderr.write(
      `written to ${file}\n1+1: ${one.succeeded}/${ENVS}, ${one.exactlyOnce} exactly once, ${one.throughputPerSec}/s; 2+2: ${two.succeeded}/${ENVS}, ${two.exactlyOnce} exactly once, ${two.throughputPerSec}/s; ratio ${summary.throughputRatio2over1}\n`,
    );
    if (!summary.correct) process.exitCode = 1;
  } finally {
    await rig.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
