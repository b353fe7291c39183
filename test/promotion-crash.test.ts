// A worker process that dies in the middle of the push step or of the wait step: a new worker finishes
// the same promotion, and Git holds exactly one commit of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';

const db = useTestDatabase();
let f: PromotionFixture;
const root = fileURLToPath(new URL('..', import.meta.url));

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'one' }, { key: 'two' }],
    apiEnv: { PROMOTION_GIT_TIMEOUT_SECONDS: '4', PROMOTION_STEP_TIMEOUT_SECONDS: '10', PROMOTION_HEARTBEAT_TIMEOUT_SECONDS: '2' },
  });
});
afterAll(async () => {
  await f?.close();
});

async function childWorker(crashAt: string): Promise<{ child: ChildProcess; exited: Promise<number | null>; output: () => string }> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/worker-child.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: f.taskQueue,
      GIT_WORK_DIR: await mkdtemp(join(tmpdir(), 'fc-child-git-')),
      CRASH_AT: crashAt,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child worker not ready: ${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += String(b);
      if (out.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (b: Buffer) => (out += String(b)));
    child.once('exit', () => reject(new Error(`child worker exited early: ${out}`)));
  });
  return { child, exited, output: () => out };
}

async function commitsOf(deploymentId: number): Promise<number> {
  const log = await simpleGit(f.repoPath).raw(['log', '--format=%(trailers:key=Flow-Controller-Deployment,valueonly,separator=)', 'main']);
  return log.split('\n').filter((l) => l === String(deploymentId)).length;
}

describe('worker killed mid-step', () => {
  it.each([
    ['one', 'git-commit-push:pushed', 'git-commit-push'],
    ['two', 'argocd-wait:polled', 'argocd-wait'],
  ])(
    'in %s, dying at %s, the promotion is finished by another worker with one commit',
    { timeout: 120_000 },
    async (envKey, crashAt, stepName) => {
      const releaseId = await f.createRelease(`9.0.${envKey === 'one' ? 1 : 2}`);
      const worker = await childWorker(crashAt);
      const res = await f.promote(releaseId, envKey);
      expect(res.status).toBe(202);
      const code = await worker.exited;
      expect(code, worker.output()).toBe(137);
      expect(worker.output()).toContain(`crashing at ${crashAt}`);

      await f.startWorker();
      try {
        const d = await f.waitFor(envKey, res.body.deploymentId, ['succeeded', 'failed', 'awaiting_operator', 'aborted'], 60_000);
        expect(d.status, JSON.stringify(d.steps)).toBe('succeeded');
        const step = d.steps.find((s: { name: string }) => s.name === stepName);
        expect(step.attempts).toBeGreaterThanOrEqual(2);
        if (stepName === 'git-commit-push') expect(step.message).toMatch(/already on main; nothing pushed/);
        expect(await commitsOf(res.body.deploymentId)).toBe(1);
      } finally {
        await f.stopWorker();
      }
    },
  );
});
