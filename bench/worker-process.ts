// The Flow Controller worker as its own process for the promotion benchmarks (spawned by
// bench/process.ts with `node --import tsx`, so the pid is the worker and its memory can be
// sampled). Built exactly like worker.ts builds it: createWorker + createActivities (and the monitors' watch
// worker, createMonitorWorker), workflows bundled
// from workflows/ at start (or, with BENCH_WORKFLOW_BUNDLE, a pre-built bundle file), production defaults
// (database pool of 10, the WORKER_* bounds of lib/config.ts read from the environment as worker.ts does);
// only the convergence poll interval is set by the benchmark. Prints WORKER-READY once polling; SIGTERM stops it.
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import { watch } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createMonitorWorker, createWorker, installTemporalRuntime, workerTuningOf } from '../worker.js';
import { createProjectWatches } from '../integrations/argocd-project-watch.js';
import { loadConfig } from '../lib/config.js';
import { createDatabase } from '../db/client.js';
import { createLogger } from '../lib/logger.js';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

/**
 * The SDK's workflow threads (worker_threads), recorded as they are created, so the MEMORY lines can report their V8
 * heaps too: process.memoryUsage() covers the main thread's isolate only, the workflows live in another one.
 */
const workflowThreads: WorkerThreads.Worker[] = [];
function recordWorkflowThreads(): void {
  // The CommonJS module object (the ESM namespace is read-only): the one the SDK's compiled code requires.
  const workerThreads = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
  const Original = workerThreads.Worker;
  class Recorded extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      workflowThreads.push(this);
      this.once('exit', () => workflowThreads.splice(workflowThreads.indexOf(this), 1));
    }
  }
  // The SDK reads worker_threads.Worker when it starts its workflow threads (Worker.create), after this ran.
  (workerThreads as { Worker: typeof Original }).Worker = Recorded;
}

async function workflowThreadHeaps(): Promise<{ heapTotal: number; heapUsed: number }> {
  const all = await Promise.all(workflowThreads.map((t) => t.getHeapStatistics().catch(() => undefined)));
  return {
    heapTotal: all.reduce((a, h) => a + (h?.total_heap_size ?? 0), 0),
    heapUsed: all.reduce((a, h) => a + (h?.used_heap_size ?? 0), 0),
  };
}

async function main(): Promise<void> {
  recordWorkflowThreads();
  const logger = createLogger({ level: 'warn', name: 'bench-worker' });
  installTemporalRuntime(logger);
  const connection = await NativeConnection.connect({ address: required('BENCH_TEMPORAL_ADDRESS') });
  const database = createDatabase(required('BENCH_DATABASE_URL'));
  const config = loadConfig();
  const projectWatches = createProjectWatches();
  const common = {
    connection,
    namespace: 'default',
    taskQueue: required('BENCH_TASK_QUEUE'),
    deps: {
      database,
      logger,
      gitWorkDir: required('BENCH_GIT_WORK_DIR'),
      pollIntervalMs: Number(process.env.BENCH_POLL_INTERVAL_MS ?? 1000),
      projectWatches,
    },
    options: { ...workerTuningOf(config), shutdownGraceTime: '2 seconds', shutdownForceTime: '5 seconds' },
  };
  const worker = await createWorker({
    ...common,
    ...(process.env.BENCH_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: process.env.BENCH_WORKFLOW_BUNDLE } } : {}),
  });
  // The monitors' watch activities, on `<queue>-monitor` as worker.ts startWorker runs them.
  const monitorWorker = await createMonitorWorker({ ...common, slots: config.MONITOR_WORKER_ACTIVITIES });
  const done = Promise.all([worker.run(), monitorWorker.run()]);
  process.stdout.write('WORKER-READY\n');
  // BENCH_WORKER_MEMORY_MS: where the RSS goes (V8 heap vs external/array buffers vs the rest: native code,
  // the SDK's Rust core), printed as `MEMORY {json}` lines that bench/process.ts keeps apart.
  const memoryMs = Number(process.env.BENCH_WORKER_MEMORY_MS ?? 0);
  const memoryTimer =
    memoryMs > 0
      ? setInterval(() => {
          void reportMemory();
        }, memoryMs)
      : undefined;
  async function reportMemory(): Promise<void> {
    const wf = await workflowThreadHeaps();
    const m = process.memoryUsage();
    const mb = (b: number) => Math.round(b / 104857.6) / 10;
    const line = {
      rss: mb(m.rss),
      heapTotal: mb(m.heapTotal),
      heapUsed: mb(m.heapUsed),
      external: mb(m.external),
      arrayBuffers: mb(m.arrayBuffers),
      workflowThreadsHeapTotal: mb(wf.heapTotal),
      workflowThreadsHeapUsed: mb(wf.heapUsed),
    };
    process.stdout.write(`MEMORY ${JSON.stringify(line)}\n`);
  }
  memoryTimer?.unref();
  // BENCH_WORKER_CPU_PROFILE_DIR: a file `profile-start` created there starts the V8 CPU profiler, `profile-stop`
  // writes <dir>/worker.cpuprofile (Chrome DevTools opens it), so a benchmark profiles just its window. (Not a
  // signal: the Temporal runtime shuts the worker down on SIGUSR2.)
  const profileDir = process.env.BENCH_WORKER_CPU_PROFILE_DIR;
  if (profileDir) {
    const session = new Session();
    session.connect();
    watch(profileDir, (_event, file) => {
      void (async () => {
        if (file === 'profile-start') {
          await session.post('Profiler.enable');
          await session.post('Profiler.setSamplingInterval', { interval: 1000 });
          await session.post('Profiler.start');
        } else if (file === 'profile-stop') {
          const { profile } = await session.post('Profiler.stop');
          await writeFile(join(profileDir, 'worker.cpuprofile'), JSON.stringify(profile));
        }
      })();
    }).unref();
  }
  const stop = () => {
    for (const w of [worker, monitorWorker]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await done;
  } finally {
    projectWatches.close();
    await connection.close();
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
