// Promotion end to end on real services: API → Temporal workflow → real worker → real Git → simulated
// Argo CD/Kubernetes reconciling from that Git → verification → history. dev → staging → prod.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { parse as parseYaml } from 'yaml';
import { createKubeClient } from '../integrations/kube.js';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';

const db = useTestDatabase();
let f: PromotionFixture;

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [{ key: 'dev' }, { key: 'staging', upstream: ['dev'] }, { key: 'prod', upstream: ['staging'] }],
  });
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
});

async function liveImages(namespace: string): Promise<string[]> {
  const kube = createKubeClient({ server: f.sim.kubeUrl, caData: f.sim.kubeCaData, token: f.sim.kubeToken });
  const pods = await kube.listPods(namespace);
  return [...new Set(pods.flatMap((p) => (p.status?.containerStatuses ?? []).map((s) => s.image)))].sort();
}

describe('promotion dev → staging → prod', () => {
  it('moves the same release through all three environments and proves it', async () => {
    const releaseId = await f.createRelease('1.4.2');
    for (const key of ['dev', 'staging', 'prod']) {
      const res = await f.promote(releaseId, key);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.statusUrl).toBe(`/v1/environments/${f.env[key]}/deployment-history/${res.body.deploymentId}`);
      const d = await f.waitFor(key, res.body.deploymentId, ['succeeded', 'failed', 'awaiting_operator', 'aborted']);
      expect(d.status, JSON.stringify(d)).toBe('succeeded');
      expect(d.releaseId).toBe(releaseId);
      expect(d.commitSha).toMatch(/^[0-9a-f]{40}$/);
      expect(d.steps.map((s: { name: string }) => s.name)).toEqual([
        'render-values',
        'git-commit-push',
        'argocd-refresh',
        'argocd-sync',
        'argocd-wait',
        'verify-images',
        'record',
      ]);
      for (const s of d.steps) {
        expect(['succeeded', 'skipped'], `${s.name}: ${s.message}`).toContain(s.status);
        expect(s.attempts).toBeGreaterThanOrEqual(1);
        expect(s.startedAt).not.toBeNull();
        expect(s.finishedAt).not.toBeNull();
      }
      const env = await f.h.call('GET', `/v1/environments/${f.env[key]}`, { token: f.h.tokens.viewer });
      expect(env.body.currentReleaseId).toBe(releaseId);
      expect(env.body.live.every((a: { sync: string; health: string }) => a.sync === 'Synced' && a.health === 'Healthy')).toBe(true);

      // Git holds the release, with the trailers naming it, exactly once.
      const git = simpleGit(f.repoPath);
      const values = await git.show([`main:environments/${f.env[key]}/core/values.yaml`]);
      const parsed = parseYaml(values) as { flowController: { releaseId: string }; workloads: Record<string, unknown> };
      expect(parsed.flowController.releaseId).toBe(releaseId);
      expect(Object.keys(parsed.workloads)).toEqual(['api']);
      expect(values).toContain('# ' + f.env[key] + '-core: comments survive promotions');
      expect(values).toContain('team: platform');
      const log = await git.raw(['log', '--format=%H %(trailers:key=Flow-Controller-Deployment,valueonly,separator=)', 'main']);
      const ours = log.split('\n').filter((l) => l.endsWith(` ${res.body.deploymentId}`));
      expect(ours).toHaveLength(1);
      expect(ours[0]?.startsWith(d.commitSha)).toBe(true);

      // The cluster runs exactly the release.
      expect(await liveImages(f.env[key] as string)).toEqual(['org/api:1.4.2', 'org/gateway:stable']);
    }
  });
});
