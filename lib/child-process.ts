// One bounded child process: the runner that integrations/helm.ts and integrations/kustomize.ts share. It is
// killed (SIGKILL) after `timeoutMs` or once its stdout exceeds `maxStdoutBytes`; stderr is kept only up to
// `maxStderrBytes` (or drained unread when 0, for tools that could echo their input). The caller maps the
// outcome to its own errors, so no tool-specific text lives here.
import { spawn } from 'node:child_process';

export interface BoundedRunOptions {
  cwd?: string;
  /** The child's whole environment (default: the parent's — pass an allowlisted one for untrusted tools). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (at once when absent). */
  stdin?: string;
  timeoutMs: number;
  maxStdoutBytes?: number;
  /** Stderr kept for the caller's message; 0 drains it unread. Default 64 KiB. */
  maxStderrBytes?: number;
}

export interface BoundedRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Why a run did not produce a result: it could not start, ran out of time, or wrote too much. */
export class BoundedRunError extends Error {
  override readonly name = 'BoundedRunError';
  constructor(
    readonly kind: 'spawn' | 'timeout' | 'too-large',
    message: string,
    readonly errno?: string,
  ) {
    super(message);
  }
}

export function runBounded(command: string, args: readonly string[], opts: BoundedRunOptions): Promise<BoundedRunResult> {
  const maxStdout = opts.maxStdoutBytes ?? Number.POSITIVE_INFINITY;
  const maxStderr = opts.maxStderrBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new BoundedRunError('timeout', `did not finish within ${opts.timeoutMs} ms`)));
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      stdoutBytes += b.length;
      if (stdoutBytes > maxStdout) {
        child.kill('SIGKILL');
        finish(() => reject(new BoundedRunError('too-large', `output exceeds ${maxStdout} bytes`)));
        return;
      }
      stdout.push(b);
    });
    if (maxStderr === 0) child.stderr.resume();
    else
      child.stderr.on('data', (b: Buffer) => {
        if (stderrBytes < maxStderr) stderr.push(b);
        stderrBytes += b.length;
      });
    child.on('error', (err: NodeJS.ErrnoException) =>
      finish(() => reject(new BoundedRunError('spawn', `cannot start ${command}`, err.code ?? err.message))),
    );
    child.on('close', (code, signal) =>
      finish(() => resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) })),
    );
    child.stdin.on('error', () => undefined); // a child that died early is reported by 'close'
    child.stdin.end(opts.stdin ?? '');
  });
}
