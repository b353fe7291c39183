// The simulated Argo CD's automated sync (spec.syncPolicy.automated), as argo-cd's application controller
// runs it (controller/appcontroller.go autoSync) and its API refuses manual syncs to another revision
// (server/application/application.go). Virtual time makes the operation's stale windows observable.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ArgoClient } from '../integrations/argocd.js';
import type { ManualScheduler } from './clock.js';
import type { Simulator } from './simulator.js';
import { type RepoFixture, valuesYaml, virtualSimulator } from '../test/sim-fixtures.js';

const V1 = { api: { replicas: 1, images: { api: 'org/api:1.0.0' } } };
const V2 = { api: { replicas: 1, images: { api: 'org/api:2.0.0' } } };
const FILE = 'environments/dev/core/values.yaml';

let fx: RepoFixture & { first: string };
let sim: Simulator;
let clock: ManualScheduler;
let argo: ArgoClient;

const rig = virtualSimulator({ file: FILE, initial: valuesYaml(V1) });
beforeAll(async () => ({ fx, sim, clock, argo } = await rig.start()));
afterAll(() => rig.stop());
beforeEach(async () => {
  await rig.reset();
});

async function addAuto(automated: boolean | { prune?: boolean; selfHeal?: boolean }): Promise<void> {
  await sim.addApplication({ name: 'dev-auto', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev', automated });
  clock.runUntilIdle();
}

describe('automated sync', () => {
  it('starts its own operation when a refresh finds a new revision, with the stale windows of a manual sync', async () => {
    await addAuto({ prune: true, selfHeal: false });
    const first = await argo.getApplication('dev-auto');
    expect(first.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: false });
    expect(first.status?.operationState?.operation.initiatedBy).toEqual({ automated: true });
    expect(first.status?.sync?.status).toBe('Synced');

    const v2 = await fx.commit({ [FILE]: valuesYaml(V2) }, 'v2');
    const refreshed = await argo.getApplication('dev-auto', { refresh: 'normal' });
    expect(refreshed.operation).toMatchObject({ initiatedBy: { automated: true }, sync: { revision: v2, prune: true } });
    expect(refreshed.operation?.info).toBeUndefined();
    clock.advance(100);
    const running = await argo.getApplication('dev-auto');
    expect(running.status?.operationState).toMatchObject({ phase: 'Running', syncResult: { revision: v2 } });
    clock.runUntilIdle();
    const done = await argo.getApplication('dev-auto');
    expect(done.operation ?? null).toBeNull();
    expect(done.status?.operationState).toMatchObject({ phase: 'Succeeded', syncResult: { revision: v2 } });
    expect(done.status?.sync).toMatchObject({ status: 'Synced', revision: v2 });
    expect(done.status?.history?.at(-1)).toMatchObject({ revision: v2, initiatedBy: { automated: true } });
  });

  it('does not retry a revision whose automated attempt failed (SyncError), and starts again for a newer one', async () => {
    await addAuto(true);
    sim.faults.failNextSyncs(1, { message: 'quota exceeded' });
    const v2 = await fx.commit({ [FILE]: valuesYaml(V2) }, 'v2');
    await argo.getApplication('dev-auto', { refresh: 'normal' });
    clock.runUntilIdle();
    const failed = await argo.getApplication('dev-auto', { refresh: 'normal' });
    expect(failed.operation ?? null).toBeNull();
    expect(failed.status?.operationState).toMatchObject({ phase: 'Failed', syncResult: { revision: v2 } });
    expect(failed.status?.conditions).toEqual([
      expect.objectContaining({ type: 'SyncError', message: expect.stringContaining(`Failed last sync attempt to [${v2}]`) }),
    ]);
    const v3 = await fx.commit({ [FILE]: valuesYaml({ api: { replicas: 1, images: { api: 'org/api:3.0.0' } } }) }, 'v3');
    const again = await argo.getApplication('dev-auto', { refresh: 'normal' });
    expect(again.operation).toMatchObject({ initiatedBy: { automated: true }, sync: { revision: v3 } });
    expect(again.status?.conditions ?? []).toEqual([]);
    clock.runUntilIdle();
  });

  it('refuses a manual sync to another revision with FailedPrecondition, and accepts one to the target revision', async () => {
    await addAuto(true);
    const head = (await argo.getApplication('dev-auto')).status?.sync?.revision ?? '';
    const err = await argo.sync('dev-auto', { revision: head, prune: true, infos: [], syncOptions: [] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 9, retryable: false });
    expect((err as Error).message).toContain(`Cannot sync to ${head}: auto-sync currently set to main`);
    await expect(argo.sync('dev-auto', { revision: 'main', prune: true, infos: [], syncOptions: [] })).resolves.toBeDefined();
    clock.runUntilIdle();
  });

  it('self-heals drift at an already synced revision only with selfHeal, after the backoff', async () => {
    for (const selfHeal of [false, true]) {
      sim.reset();
      await addAuto({ prune: true, selfHeal });
      const before = (await argo.getApplication('dev-auto')).status?.history?.length ?? 0;
      sim.faults.setImage({ kind: 'Deployment', namespace: 'dev', name: 'api', container: 'api', image: 'org/api:drift' });
      clock.runUntilIdle();
      const app = await argo.getApplication('dev-auto');
      expect(app.status?.history?.length ?? 0).toBe(selfHeal ? before + 1 : before);
      expect(app.status?.sync?.status).toBe(selfHeal ? 'Synced' : 'OutOfSync');
    }
  });
});
