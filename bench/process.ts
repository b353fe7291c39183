// The worker of the promotion benchmarks in its own process (bench/worker-process.ts), and what is
// measured of a process: memory from /proc/<pid>/status, CPU time from /proc/<pid>/stat.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../dev/temporal-dev-server.js';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from '../lib/worker-flags.js';

const HERE = dirname(fileURLToPath(import.meta.url));

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
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    return { selfMs: ((f[11] ?? 0) + (f[12] ?? 0)) * tick, childrenMs: ((f[13] ?? 0) + (f[14] ?? 0)) * tick };
  } catch {
    return undefined;
  }
}

/** The thread ids of a process (none when it is gone). */
function tasksOf(pid: number): Promise<string[]> {
  return readdir(`/proc/${pid}/task`).catch(() => []);
}

/** Live descendants of a process, recursively (/proc/<pid>/task/<tid>/children), except `skip` and theirs. */
async function descendants(pid: number, skip: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  for (const tid of await tasksOf(pid)) {
    const children = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const c of children.split(' ').filter(Boolean).map(Number)) if (!skip.includes(c)) out.push(c, ...(await descendants(c, skip)));
  }
  return out;
}

/**
 * CPU time of a process with its helpers: own, reaped children, and its live descendants (own and reaped) — the
 * long-lived git runner (gitops/git-runner.ts) and the git commands it ran are such a descendant, not a reaped
 * child. Descendants in `skip` (measured on their own: the worker, the Temporal dev server) are left out.
 */
export async function treeCpuTimes(
  pid: number,
  skip: readonly number[] = [],
): Promise<{ selfMs: number; childrenMs: number; helpersMs: number } | undefined> {
  const own = await cpuTimes(pid);
  if (!own) return undefined;
  let helpersMs = 0;
  for (const d of await descendants(pid, skip)) {
    const c = await cpuTimes(d);
    helpersMs += (c?.selfMs ?? 0) + (c?.childrenMs ?? 0);
  }
  return { ...own, helpersMs };
}

/** CPU ms (user+system) of the PostgreSQL server processes serving database `db` (their command line names it). */
export async function postgresCpuMs(db: string): Promise<number> {
  let total = 0;
  for (const p of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.startsWith('postgres:') || !cmd.includes(` ${db} `)) continue;
    const c = await cpuTimes(Number(p));
    total += c?.selfMs ?? 0;
  }
  return total;
}

/**
 * CPU time (ms, user+system) of a process's threads grouped by thread name (/proc/<pid>/task/<tid>/{comm,stat}):
 * where a process's CPU goes between the JavaScript main thread, worker threads, the Temporal SDK's Rust
 * threads (tokio-runtime-*), V8's GC and libuv's pool. Threads that ended in between are not counted.
 */
export async function threadCpu(pid: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const tid of await tasksOf(pid)) {
    try {
      const [comm, stat] = await Promise.all([
        readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8'),
        readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8'),
      ]);
      const f = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
      const name = tid === String(pid) ? 'main' : comm.trim();
      out[name] = (out[name] ?? 0) + ((f[11] ?? 0) + (f[12] ?? 0)) * 10;
    } catch {
      // the thread ended
    }
  }
  return out;
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
  /** The last `MEMORY {json}` line of the worker (BENCH_WORKER_MEMORY_MS), parsed. */
  lastMemoryReport(): Record<string, number> | undefined;
  stop(): Promise<void>;
}

/**
 * The bench worker's Node/V8 flags: BENCH_WORKER_NODE_ARGS, default those it runs with in production (the image,
 * compose, the chart, `npm run worker`). BENCH_WORKER_NODE_ARGS= (empty) runs it without.
 */
export function workerNodeArgs(): string[] {
  return (process.env.BENCH_WORKER_NODE_ARGS ?? WORKER_NODE_FLAGS.join(' ')).split(' ').filter(Boolean);
}

/**
 * The bench worker's malloc settings: the production ones (lib/worker-flags.ts), each overridden by the bench's
 * environment; an empty value (`MALLOC_MMAP_THRESHOLD_=`) leaves that one unset, i.e. glibc's default.
 */
export function workerMallocEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(WORKER_MALLOC_ENV)
      .map(([k, v]) => [k, process.env[k] ?? v] as const)
      .filter(([, v]) => v !== ''),
  );
}

function withoutMallocSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !(k in WORKER_MALLOC_ENV)));
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
  const nodeArgs = workerNodeArgs();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(HERE, 'worker-process.ts')], {
    env: {
      ...workerMallocEnv(),
      ...withoutMallocSettings(process.env),
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
  let memoryReport: Record<string, number> | undefined;
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  const onData = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) {
      if (!line.trim()) continue;
      if (line.trim() === 'WORKER-READY') readyResolve();
      else if (line.startsWith('MEMORY {')) memoryReport = JSON.parse(line.slice(7)) as Record<string, number>;
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
    lastMemoryReport: () => memoryReport,
    stop: async () => {
      clearInterval(sampler);
      await stopChild(child, 10_000);
    },
  };
}
