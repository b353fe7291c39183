// A worker process that dies in the middle of the push step or of the wait step: a new worker finishes
// the same promotion, and Git holds exactly one commit of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { useTestDatabase } from './harness.js';
import { childWorker } from './child-worker.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'one' }, { key: 'two' }],
    apiEnv: { PROMOTION_GIT_TIMEOUT_SECONDS: '4', PROMOTION_STEP_TIMEOUT_SECONDS: '10', PROMOTION_HEARTBEAT_TIMEOUT_SECONDS: '2' },
  });
});
afterAll(async () => {
  await f?.close();
});

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
      const worker = await childWorker({ databaseUrl: db.url, taskQueue: f.taskQueue, crashAt });
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
