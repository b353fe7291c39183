// End-to-end reconciliation on real timers with instant timing, the way the promotion steps will
// run: commit new values to a real bare repo, refresh, sync the SHA with our promotion id, poll with
// assessConvergence until converged, then verify the live pods through the Kubernetes API.
// Also: the sandbox comes up idempotently on the same data dir.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArgoClient, createArgoClient } from '../integrations/argocd.js';
import { assessConvergence, assessWorkloadRollout, type ConvergenceResult } from '../integrations/argocd-convergence.js';
import { createKubeClient } from '../integrations/kube.js';
import { commitFiles } from './gitops-repo.js';
import { createSandbox } from './sandbox.js';
import { createSimulator, type Simulator } from './simulator.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';
import { INSTANT_TIMING } from './timing.js';

async function waitConverged(
  argo: ArgoClient,
  app: string,
  sha: string,
  promotionId: string,
  timeoutMs = 10_000,
): Promise<ConvergenceResult> {
  const deadline = Date.now() + timeoutMs;
  let refresh = false;
  for (;;) {
    const verdict = assessConvergence(await argo.getApplication(app, refresh ? { refresh: 'normal' } : {}), { sha, promotionId });
    if (verdict.state !== 'waiting' || Date.now() > deadline) return verdict;
    refresh = verdict.refresh;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('reconciliation from real Git', () => {
  let fx: RepoFixture & { first: string };
  let sim: Simulator;
  beforeAll(async () => {
    fx = await createRepoFixture({
      'environments/staging/core/values.yaml': valuesYaml({ web: { replicas: 3, images: { web: 'org/web:1.0.0' } } }),
    });
    sim = await createSimulator({ timing: INSTANT_TIMING });
  });
  afterAll(async () => {
    await sim.close();
    await fx.cleanup();
  });

  it('commit → refresh → sync → converged → live pods run the new images', async () => {
    await sim.addApplication({ name: 'staging-core', repoURL: fx.repo, path: 'environments/staging/core', namespace: 'staging' });
    const argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
    const kube = createKubeClient({ server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken });
    const sync = async (sha: string, promotionId: string) => {
      await argo.sync('staging-core', {
        revision: sha,
        prune: true,
        infos: [{ name: 'promotion', value: promotionId }],
        syncOptions: ['ApplyOutOfSyncOnly=true'],
      });
      return waitConverged(argo, 'staging-core', sha, promotionId);
    };
    expect(await sync(fx.first, 'p-1')).toMatchObject({ state: 'converged' });

    const digest = `sha256:${'d'.repeat(64)}`;
    const sha = await fx.commit(
      {
        'environments/staging/core/values.yaml': valuesYaml(
          { web: { replicas: 3, images: { web: 'org/web:2.0.0', sidecar: `org/proxy@${digest}` } } },
          'rel-2',
        ),
      },
      'promote rel-2',
    );
    const refreshed = await argo.getApplication('staging-core', { refresh: 'normal' });
    expect(refreshed.status?.sync).toMatchObject({ status: 'OutOfSync', revision: sha });
    expect(await sync(sha, 'p-2')).toMatchObject({ state: 'converged', clause: 'converged' });

    const [web] = await kube.listWorkloads('staging', 'app.kubernetes.io/instance=staging-core');
    expect(web && assessWorkloadRollout(web).state).toBe('rolledOut');
    const pods = (await kube.listPods('staging', 'app.kubernetes.io/instance=staging-core,app.kubernetes.io/name=web')).filter(
      (p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata?.annotations?.['flow-controller.io/release-id']).toBe('rel-2');
      const byName = Object.fromEntries((pod.status?.containerStatuses ?? []).map((c) => [c.name, c]));
      expect(byName.web?.image).toBe('org/web:2.0.0');
      expect(byName.sidecar?.image).toBe(`org/proxy@${digest}`);
      expect(byName.sidecar?.imageID).toBe(`org/proxy@${digest}`);
    }
  });
});

describe('sandbox', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'fc-sandbox-test-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates repo and applications for dev, staging, prod; a promotion converges; restart is idempotent', async () => {
    let sandbox = await createSandbox({ dataDir, timing: INSTANT_TIMING, groups: ['core'] });
    try {
      expect(sandbox.environments.map((e) => e.applications.map((a) => `${a.name}@${a.namespace}`))).toEqual([
        ['dev-core@dev'],
        ['staging-core@staging'],
        ['prod-core@prod'],
      ]);
      const argo = createArgoClient({
        baseUrl: sandbox.argo.url,
        username: sandbox.argo.username,
        password: sandbox.argo.password,
        timeoutMs: 5_000,
      });
      const list = await argo.listApplications('flow-controller.io/environment=prod');
      expect(list.items?.map((a) => a.spec.source?.repoURL)).toEqual([sandbox.git.repoURL]);
      const sha = await commitFiles(
        sandbox.git.repoPath,
        { 'environments/dev/core/values.yaml': valuesYaml({ api: { images: { api: 'org/api:1.2.3' } } }) },
        'promote',
      );
      // The start-up restore sync may still be running: wait until no operation is pending.
      while ((await argo.getApplication('dev-core')).operation) await new Promise((r) => setTimeout(r, 5));
      await argo.sync('dev-core', { revision: sha, prune: true, infos: [{ name: 'promotion', value: 'p-9' }], syncOptions: [] });
      expect(await waitConverged(argo, 'dev-core', sha, 'p-9')).toMatchObject({ state: 'converged' });
    } finally {
      await sandbox.close();
    }
    sandbox = await createSandbox({ dataDir, timing: INSTANT_TIMING, groups: ['core'] });
    try {
      const kube = createKubeClient({ server: sandbox.kube.server, caData: sandbox.kube.caData, token: sandbox.kube.token });
      const deadline = Date.now() + 5_000;
      let images: (string | undefined)[] = [];
      while (Date.now() < deadline) {
        images = (await kube.listPods('dev')).map((p) => p.status?.containerStatuses?.[0]?.image);
        if (images.length > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(images).toEqual(['org/api:1.2.3']);
    } finally {
      await sandbox.close();
    }
  });
});
