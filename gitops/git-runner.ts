// Runs git commands from a small, long-lived helper process instead of the worker itself. Why: Node
// forks to spawn, and a fork costs time in proportion to the parent's memory. A Temporal worker holds
// ~500 MB, so each of the ~16 git commands of a promotion cost ~25 ms there, against ~6 ms from a small
// process (bench: docs/benchmarks.md). The helper is started on first use and restarted if it dies;
// if it cannot be started, commands run in-process as before.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SpanStatusCode, withSpan } from '../lib/tracing.js';

export interface GitRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeout: number;
  maxBuffer: number;
  signal?: AbortSignal;
  /** Written to the command's standard input, which is then closed (`cat-file --batch`). */
  input?: string;
}

export interface GitRunResult {
  /** Exit code; -1 when killed or not started. */
  code: number;
  stdout: string;
  stderr: string;
  /** Killed by the timeout (or a cancel). */
  killed: boolean;
  /** Set when git could not be started at all (e.g. ENOENT). */
  spawnError?: string;
}

type Pending = { resolve: (r: GitRunResult) => void; reject: (e: unknown) => void };
type Channel = { ref?: () => void; unref?: () => void } | undefined;

let runner: ChildProcess | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();
// Next to this file: git-runner-child.ts in the sources, git-runner-child.js in the compiled build (build/).
const CHILD = fileURLToPath(new URL(`./git-runner-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

function startRunner(): ChildProcess | undefined {
  if (runner && runner.connected) return runner;
  if (process.env.FC_GIT_RUNNER === 'off') return undefined;
  try {
    // The child is erasable-syntax TypeScript with no imports of ours: Node (>= 22.18) runs it natively,
    // without the tsx loader, which keeps it small.
    const child = fork(CHILD, [], {
      execArgv: ['--no-warnings'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    child.on('message', (msg: GitRunResult & { id: number }) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      settleRef(child);
      p.resolve({
        code: msg.code,
        stdout: msg.stdout,
        stderr: msg.stderr,
        killed: msg.killed,
        ...(msg.spawnError ? { spawnError: msg.spawnError } : {}),
      });
    });
    child.on('exit', () => {
      if (runner === child) runner = undefined;
      // Commands in flight in a dead runner are transient failures for the caller to retry.
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resolve({ code: -1, stdout: '', stderr: 'git runner process exited', killed: true });
      }
    });
    // Idle, the runner must not keep the process alive; busy, it must (see settleRef).
    child.unref();
    (child.channel as Channel)?.unref?.();
    runner = child;
    return child;
  } catch {
    return undefined;
  }
}

/** Keeps the event loop alive exactly while commands are in flight. */
function settleRef(child: ChildProcess): void {
  const channel = child.channel as Channel;
  if (pending.size > 0) channel?.ref?.();
  else channel?.unref?.();
}

// The fallback when the runner process cannot be started. It is a deliberate twin of the handler in
// git-runner-child.ts (same execFile options, same mapping of the error to code/killed/spawnError): the child is
// kept tiny and self-contained, so the few lines are repeated rather than shared. Change both together.
function runInProcess(args: string[], opts: GitRunOptions): Promise<GitRunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: opts.cwd,
        env: opts.env,
        encoding: 'utf8',
        maxBuffer: opts.maxBuffer,
        timeout: opts.timeout,
        killSignal: 'SIGKILL',
        signal: opts.signal,
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        resolve({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1,
          stdout,
          stderr,
          killed: !!e?.killed,
          ...(e && typeof e.code === 'string' ? { spawnError: e.code } : {}),
        });
      },
    );
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => undefined); // git exited before reading it all: its exit code tells
      child.stdin?.end(opts.input);
    }
  });
}

/** The git subcommand of an argument list (`-c k=v` and `-C dir` options skipped): a span name without URLs or paths. */
export function gitSubcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-c' || a === '-C') i++;
    else if (!a.startsWith('-')) return /^[a-z][a-z-]{0,30}$/.test(a) ? a : 'other';
  }
  return 'other';
}

/** Runs one git command (a `git <subcommand>` span when tracing is on: docs/operations.md, "Tracing"). */
export function runGit(args: string[], opts: GitRunOptions): Promise<GitRunResult> {
  const sub = gitSubcommand(args);
  return withSpan(`git ${sub}`, { 'git.command': sub }, async (span) => {
    const result = await runGitCommand(args, opts);
    if (result.code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `exit ${result.code}` });
    return result;
  });
}

/** Runs one git command through the helper process without a span (the simulator's repo-server, which is not Flow Controller). */
export function runGitCommand(args: string[], opts: GitRunOptions): Promise<GitRunResult> {
  opts.signal?.throwIfAborted();
  const child = startRunner();
  if (!child) return runInProcess(args, opts);
  const id = nextId++;
  return new Promise<GitRunResult>((resolve, reject) => {
    const onAbort = () => {
      child.send({ cancel: id });
      pending.delete(id);
      settleRef(child);
      reject(opts.signal?.reason as Error);
    };
    pending.set(id, {
      resolve: (r) => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      },
      reject,
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    settleRef(child);
    const job = { id, args, cwd: opts.cwd, env: opts.env, timeout: opts.timeout, maxBuffer: opts.maxBuffer };
    child.send(opts.input === undefined ? job : { ...job, input: opts.input }, (err) => {
      if (err) {
        pending.delete(id);
        settleRef(child);
        opts.signal?.removeEventListener('abort', onAbort);
        runInProcess(args, opts).then(resolve, reject);
      }
    });
  });
}

/** The helper process, if running (diagnostics and tests). */
export function gitRunnerProcess(): ChildProcess | undefined {
  return runner;
}
