// Promotion end to end on real services: API → Temporal workflow → real worker → real Git → simulated
// Argo CD/Kubernetes reconciling from that Git → verification → history. dev → staging → prod.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { parse as parseYaml } from 'yaml';
import { createKubeClient } from '../integrations/kube.js';
import { Worker } from '@temporalio/worker';
import { temporalClient, useTestDatabase, workflowBundle } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { recordHistory } from './history-corpus.js';

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
        'verify',
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
      expect(env.body.live).toHaveLength(2);
      for (const app of env.body.live) {
        expect(app).toMatchObject({ sync: 'Synced', health: 'Healthy', releaseId, matchesCurrentRelease: true });
      }

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

    // The release knows where it has been.
    const release = await f.h.call('GET', `/v2/releases/${releaseId}`, { token: f.h.tokens.viewer });
    expect(
      release.body.environments
        .map((e: { environment: string; status: string; current: boolean }) => [e.environment, e.status, e.current])
        .sort(),
    ).toEqual(['dev', 'staging', 'prod'].map((k) => [f.env[k], 'succeeded', true]).sort());

    // Every promotion of the release is findable in Temporal by its search attributes, with its state.
    const { client, connection } = await temporalClient();
    try {
      let found: Array<{ env: unknown; state: unknown; summary: unknown }> = [];
      for (let i = 0; i < 50; i++) {
        found = [];
        for await (const wf of client.workflow.list({ query: `ReleaseId = "${releaseId}"` })) {
          const sa = wf.searchAttributes as Record<string, unknown[]>;
          found.push({ env: sa.Environment?.[0], state: sa.PromotionState?.[0], summary: wf.workflowId });
        }
        if (found.length === 3 && found.every((w) => w.state === 'succeeded')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(found.map((w) => w.env).sort()).toEqual(['dev', 'staging', 'prod'].map((k) => f.env[k]).sort());
      expect(found.every((w) => w.state === 'succeeded')).toBe(true);
      const handle = client.workflow.getHandle(`promote:${f.env.prod}`);
      const description = await handle.describe();
      expect((await description.staticSummary()) ?? '').toBe(`${releaseId} → ${f.env.prod}`);

      // What the Temporal UI shows: current details (markdown) and the operator Updates with descriptions.
      const meta = (await handle.query('__temporal_workflow_metadata')) as {
        currentDetails?: string;
        definition?: { updateDefinitions?: Array<{ name: string; description?: string }> };
      };
      expect(meta.currentDetails).toContain(`${releaseId} → ${f.env.prod}`);
      expect(meta.currentDetails).toMatch(/\*\*State:\*\* succeeded/);
      expect(meta.currentDetails).toMatch(/Last result:\*\* verify-images: 2 container/);
      const updates = Object.fromEntries((meta.definition?.updateDefinitions ?? []).map((u) => [u.name, u.description ?? '']));
      expect(Object.keys(updates).sort()).toEqual(['abort', 'approve', 'retry']);
      expect(updates.retry).toMatch(/failed step/);

      // Determinism guard: the recorded history replays against the current workflow bundle.
      const history = await handle.fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `promote:${f.env.prod}`);
      await recordHistory('happy-path', `promote:${f.env.prod}`);
    } finally {
      await connection.close();
    }
  });
});
