// A promotion worker in its own process (test/worker-child.ts) that dies with exit 137 when the test seam reaches
// `crashAt`: for tests of a worker killed mid-step (test/promotion-crash.test.ts) or mid-soak
// (test/promotion-soak.test.ts). Resolves once the child says it is ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function childWorker(input: {
  databaseUrl: string;
  taskQueue: string;
  crashAt: string;
}): Promise<{ child: ChildProcess; exited: Promise<number | null>; output: () => string }> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/worker-child.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: input.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: input.taskQueue,
      GIT_WORK_DIR: await mkdtemp(join(tmpdir(), 'fc-child-git-')),
      CRASH_AT: input.crashAt,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child worker not ready: ${out}`)), 60_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += String(b);
      if (out.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (b: Buffer) => (out += String(b)));
    child.once('exit', () => reject(new Error(`child worker exited early: ${out}`)));
  });
  return { child, exited, output: () => out };
}
