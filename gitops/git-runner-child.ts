// The git runner process (see git-runner.ts): receives { id, args, cwd, env, timeout, maxBuffer, input? } over IPC,
// runs `git` with execFile, answers { id, code, stdout, stderr, killed, spawnError }. `{ cancel: id }`
// kills a running command. Kept tiny on purpose: forking from a small process is what makes it fast.
import { execFile, type ChildProcess } from 'node:child_process';

interface Job {
  id: number;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeout: number;
  maxBuffer: number;
  /** Standard input for the command (then closed). */
  input?: string;
}

const running = new Map<number, ChildProcess>();

process.on('message', (msg: Job | { cancel: number }) => {
  if ('cancel' in msg) {
    running.get(msg.cancel)?.kill('SIGKILL');
    return;
  }
  const child = execFile(
    'git',
    msg.args,
    { cwd: msg.cwd, env: msg.env, encoding: 'utf8', maxBuffer: msg.maxBuffer, timeout: msg.timeout, killSignal: 'SIGKILL' },
    (err, stdout, stderr) => {
      running.delete(msg.id);
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      process.send?.({
        id: msg.id,
        code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1,
        spawnError: e && typeof e.code === 'string' ? e.code : undefined,
        killed: !!e?.killed,
        stdout,
        stderr,
      });
    },
  );
  if (msg.input !== undefined) {
    child.stdin?.on('error', () => undefined); // git exited before reading it all: its exit code tells
    child.stdin?.end(msg.input);
  }
  running.set(msg.id, child);
});

// The parent went away: nothing left to serve.
process.on('disconnect', () => {
  for (const child of running.values()) child.kill('SIGKILL');
  process.exit(0);
});
