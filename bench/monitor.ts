// Benchmark (not a test): the continuous monitor (workflows/monitor.ts) at scale. BENCH_MONITOR_ENVS (100)
// environments × 5 applications (one Deployment each) are promoted once, then monitored at
// BENCH_MONITOR_INTERVAL_SECONDS (15) by ONE worker process (bench/worker-process.ts, as worker.ts builds it).
// Reported:
//   - the worker's CPU over a BENCH_MONITOR_WINDOW_SECONDS (120) window of steady monitoring, as a share of one
//     core, in total and per monitored application (target: 100 × 5 with < 5 % of one core at 15 s), and its RSS
//     before any release was current (the monitors' watches read the configuration and incidents but observe no
//     application) and while observing;
//   - drift detection latency: BENCH_MONITOR_SAMPLES (20) out-of-band `kubectl set image` changes (the simulator's
//     setImage), each in its own environment, timed from the change to the drift incident's first_seen_at
//     (p50/p99; at a polling interval the expectation is about interval/2 and interval), each change at a random
//     phase of the interval.
// After the promotions the simulated Argo CD reconciles every application every BENCH_MONITOR_RECONCILE_SECONDS
// (180, Argo CD's default timeout.reconciliation; 0 = off), so the monitors' watch streams carry the events a
// real Argo CD sends even when nothing changes.
// The Temporal dev server, PostgreSQL and the simulator (in this process) share the machine; their CPU is not the
// worker's and is not counted. Run with
//   bash scripts/with-node.sh tsx bench/monitor.ts       # → bench/results/monitor.json
// and a small run while others work: BENCH_MONITOR_ENVS=10 BENCH_MONITOR_WINDOW_SECONDS=30 BENCH_MONITOR_SAMPLES=10.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuTimes, readMemory, threadCpu } from './process.js';
import { createRig, type Rig } from './rig.js';
import { machine, round1, sleep, stats, writeResult } from './stats.js';

const ENVS = Number(process.env.BENCH_MONITOR_ENVS ?? 100);
const APPS = 5;
const INTERVAL_S = Number(process.env.BENCH_MONITOR_INTERVAL_SECONDS ?? 15);
const WINDOW_S = Number(process.env.BENCH_MONITOR_WINDOW_SECONDS ?? 120);
const SAMPLES = Number(process.env.BENCH_MONITOR_SAMPLES ?? 20);
const PROMOTE_CONCURRENCY = 10;
/** Argo CD's periodic reconciliation (timeout.reconciliation): a watch event per application this often; 0 = off. */
const RECONCILE_S = Number(process.env.BENCH_MONITOR_RECONCILE_SECONDS ?? 180);
const TARGET_CORE_PCT = 5;

const groups = Array.from({ length: APPS }, (_, i) => `g${i + 1}`);
const svc = (g: string) => `svc${g.slice(1)}`;
const product = {
  groups,
  template: Object.fromEntries(
    groups.map((g) => [g, { [svc(g)]: { Deployment: { containers: { [svc(g)]: { repo: `org/${svc(g)}`, tag: '<RELEASE_TAG>' } } } } }]),
  ),
  descriptor: (tag: string) =>
    Object.fromEntries(groups.map((g) => [g, { [svc(g)]: { Deployment: { containers: { [svc(g)]: { repo: `org/${svc(g)}`, tag } } } } }])),
};
const mb = (kb: number | undefined) => (kb === undefined ? null : round1(kb / 1024));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

async function promoteAll(rig: Rig, names: string[], releaseId: string): Promise<number> {
  const t0 = performance.now();
  const queue = [...names];
  await Promise.all(
    Array.from({ length: PROMOTE_CONCURRENCY }, async () => {
      for (let env = queue.shift(); env; env = queue.shift()) {
        const res = await rig.call('POST', `/v2/releases/${releaseId}/promote`, { environment: env });
        if (res.status !== 202) throw new Error(`promote ${env}: ${res.status} ${JSON.stringify(res.body)}`);
        const id = Number(res.body.deploymentId);
        const status = await until(
          `deployment ${id}`,
          async () => {
            const [row] = await rig.database.sql<Array<{ status: string }>>`select status from deployments where id = ${id}`;
            return row && ['succeeded', 'failed', 'aborted', 'awaiting_operator'].includes(row.status) ? row.status : undefined;
          },
          300_000,
          100,
        );
        if (status !== 'succeeded') throw new Error(`deployment ${id} to ${env} ended ${status}`);
      }
    }),
  );
  return Math.round(performance.now() - t0);
}

/** One out-of-band change in `env`: ms from the change to the drift incident, then the change undone and resolved. */
async function driftSample(rig: Rig, env: string, k: number): Promise<number> {
  const container = svc('g1');
  // At a random phase of the monitor's interval (changes made at the same moment would all share one phase).
  await sleep(Math.random() * INTERVAL_S * 1000);
  const t0 = Date.now();
  rig.sim.faults.setImage({ namespace: env, name: container, container, image: `org/${container}:drift-${k}` });
  const firstSeen = await until(
    `drift in ${env}`,
    async () => {
      const [row] = await rig.database.sql<Array<{ first_seen_at: Date | string }>>`
        select first_seen_at from incidents where environment = ${env} and kind = 'drift' and resolved_at is null`;
      return row?.first_seen_at;
    },
    (INTERVAL_S * 3 + 30) * 1000,
  );
  rig.sim.faults.setImage({ namespace: env, name: container, container, image: `org/${container}:1.0.0` });
  await until(
    `drift resolved in ${env}`,
    async () => {
      const [row] = await rig.database.sql<Array<{ n: number }>>`
        select count(*)::int as n from incidents where environment = ${env} and resolved_at is null`;
      return row?.n === 0 ? true : undefined;
    },
    (INTERVAL_S * 3 + 30) * 1000,
    100,
  );
  return Math.max(0, new Date(firstSeen).getTime() - t0);
}

async function main(): Promise<void> {
  const sfx = randomBytes(3).toString('hex');
  const names = Array.from({ length: ENVS }, (_, i) => `m${String(i).padStart(3, '0')}-${sfx}`);
  const loadBefore = machine();
  const rig = await createRig({ fcEnvironments: names, pollIntervalMs: 1000, prebundle: true, workerSampleMs: 500, product });
  try {
    const configure = async (monitoring: Record<string, unknown>) => {
      for (const env of names) {
        const got = await rig.call('GET', `/v1/environments/${env}`);
        const config = got.body.config as Record<string, unknown>;
        const put = await rig.call('PUT', `/v1/environments/${env}`, { ...config, monitoring });
        if (put.status !== 200) throw new Error(`PUT ${env}: ${put.status} ${JSON.stringify(put.body).slice(0, 300)}`);
      }
    };
    const windowCpu = async (): Promise<number> => {
      const c0 = await cpuTimes(rig.worker.pid);
      const t = performance.now();
      await sleep(WINDOW_S * 1000);
      return (100 * (((await cpuTimes(rig.worker.pid))?.selfMs ?? 0) - (c0?.selfMs ?? 0))) / (performance.now() - t);
    };
    // Baseline: the same worker with every monitor stopped (monitoring disabled ends them at their next observation).
    await configure({ enabled: false });
    await sleep(INTERVAL_S * 1000 + 2000);
    const baselineCorePct = await windowCpu();
    // Monitoring as measured: the interval under test, incidents never acted on (alert after a day).
    await configure({ intervalSeconds: INTERVAL_S, sustainSeconds: 86_400, policy: 'alert' });
    await sleep(INTERVAL_S * 1000);
    const idle = await readMemory(rig.worker.pid);
    // The same window before any release is current: the watches read the configuration and incidents every interval
    // (and heartbeat) but observe no application — what monitoring costs apart from Argo CD and Kubernetes.
    // BENCH_MONITOR_PROFILE=idle: the worker profiles this window instead of the observing one (below).
    const profileIdle = process.env.BENCH_MONITOR_PROFILE === 'idle' ? process.env.BENCH_WORKER_CPU_PROFILE_DIR : undefined;
    if (profileIdle) await writeFile(join(profileIdle, 'profile-start'), '');
    const idleCorePct = await windowCpu();
    if (profileIdle) await writeFile(join(profileIdle, 'profile-stop'), '');

    const releaseId = await rig.createRelease('1.0.0');
    const promoteMs = await promoteAll(rig, names, releaseId);
    if (RECONCILE_S > 0) rig.sim.reconcileEvery(RECONCILE_S * 1000);
    // Warm-up: every monitor has observed its release at least twice.
    await sleep(2 * INTERVAL_S * 1000);
    const openBefore = (await rig.database.sql<Array<{ n: number }>>`select count(*)::int as n from incidents where resolved_at is null`)[0]
      ?.n;

    // BENCH_WORKER_CPU_PROFILE_DIR: the worker profiles this window only (bench/worker-process.ts).
    const profileDir = profileIdle ? undefined : process.env.BENCH_WORKER_CPU_PROFILE_DIR;
    if (profileDir) await writeFile(join(profileDir, 'profile-start'), '');
    rig.worker.resetPeak();
    const cpu0 = await cpuTimes(rig.worker.pid);
    const threads0 = await threadCpu(rig.worker.pid);
    const t0 = performance.now();
    const rss: number[] = [];
    while (performance.now() - t0 < WINDOW_S * 1000) {
      const m = await readMemory(rig.worker.pid);
      if (m) rss.push(m.vmRssKb / 1024);
      await sleep(1000);
    }
    const cpu1 = await cpuTimes(rig.worker.pid);
    const threads1 = await threadCpu(rig.worker.pid);
    const byThread = Object.fromEntries(
      Object.entries(threads1)
        .map(([name, ms]) => [name, Math.round(ms - (threads0[name] ?? 0))] as const)
        .filter(([, ms]) => ms > 0)
        .sort((a, b) => b[1] - a[1]),
    );
    if (profileDir) await writeFile(join(profileDir, 'profile-stop'), '');
    const windowMs = performance.now() - t0;
    const cpuMs = (cpu1?.selfMs ?? 0) - (cpu0?.selfMs ?? 0);
    const corePct = (100 * cpuMs) / windowMs;
    const apps = ENVS * APPS;

    // Drift latency: samples in parallel, each in its own environment (rounds when there are fewer environments).
    const latencies: number[] = [];
    for (let done = 0; done < SAMPLES;) {
      const round = names.slice(0, Math.min(SAMPLES - done, ENVS));
      latencies.push(...(await Promise.all(round.map((env, i) => driftSample(rig, env, done + i)))));
      done += round.length;
    }

    const summary = {
      benchmark: 'monitor',
      date: new Date().toISOString(),
      target: `${ENVS} environments × ${APPS} applications monitored by one worker at ${INTERVAL_S} s with < ${TARGET_CORE_PCT} % of one core`,
      machine: { node: loadBefore.node, cpus: loadBefore.cpus, loadavgBefore: loadBefore.loadavg, loadavgAfter: machine().loadavg },
      parameters: {
        environments: ENVS,
        applicationsPerEnvironment: APPS,
        intervalSeconds: INTERVAL_S,
        windowSeconds: WINDOW_S,
        samples: SAMPLES,
        argoReconcileSeconds: RECONCILE_S,
      },
      promotions: { count: ENVS, wallMs: promoteMs },
      openIncidentsBeforeWindow: openBefore ?? null,
      worker: {
        cpuMsInWindow: Math.round(cpuMs),
        // By thread name: main (JavaScript, activities), workflow threads, tokio-runtime-* (Temporal's core), GC, libuv.
        cpuMsInWindowByThread: byThread,
        corePct: round1(corePct),
        corePctPerApplication: Number((corePct / apps).toFixed(4)),
        corePctNothingToObserve: round1(idleCorePct),
        corePctNoMonitors: round1(baselineCorePct),
        corePctMonitorsOnly: round1(corePct - baselineCorePct),
        corePctPerApplicationMonitorsOnly: Number(((corePct - baselineCorePct) / apps).toFixed(4)),
        cpuMsPerObservationOfOneApplication: round1(cpuMs / ((apps * windowMs) / 1000 / INTERVAL_S)),
        rssNoReleaseMb: mb(idle?.vmRssKb),
        rssObservingMb: stats(rss),
        rssPerApplicationKb: idle ? round1(((stats(rss).p50 - idle.vmRssKb / 1024) * 1024) / apps) : null,
      },
      driftDetectionMs: stats(latencies),
      driftDetectionIntervals: {
        p50: round1(stats(latencies).p50 / (INTERVAL_S * 1000)),
        p99: round1(stats(latencies).p99 / (INTERVAL_S * 1000)),
      },
      // Linear in the applications observed; judged on the real size only (BENCH_MONITOR_ENVS=100).
      extrapolatedCorePctAt100x5: round1(((corePct - baselineCorePct) / apps) * 500),
      met: ENVS >= 100 ? corePct - baselineCorePct < TARGET_CORE_PCT : null,
    };
    const file = await writeResult('monitor', summary);
    console.log(JSON.stringify(summary, null, 2));
    console.log(`→ ${file}`);
  } catch (err) {
    console.error(rig.worker.output().slice(-30).join('\n'));
    throw err;
  } finally {
    await rig.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
