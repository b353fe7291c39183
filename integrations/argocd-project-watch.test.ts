// The monitor's Argo CD view kept by a project's watch stream (argocd-project-watch.ts), against the simulated
// Argo CD: reads stop once the stream is live and changes arrive by it; a kept application is read again after the
// safety interval; a read never replaces an event that arrived while it was under way; an unavailable stream means
// a read every time; an unused stream closes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createArgoClient, type ArgoClient } from './argocd.js';
import type { ObservedApplication } from './argocd-observed.js';
import { createProjectWatches, type ProjectWatches } from './argocd-project-watch.js';
import { createSimulator, type Simulator } from '../sim/simulator.js';
import { createRepoFixture, type RepoFixture, valuesYaml } from '../test/sim-fixtures.js';
import { waitUntil } from '../test/harness.js';

const V1 = { api: { replicas: 1, images: { api: 'org/api:1.0.0' } } };
const FILE = 'environments/dev/core/values.yaml';
const SAFETY_MS = 120_000;

let fx: RepoFixture;
let sim: Simulator;
let argo: ArgoClient;
let watches: ProjectWatches | undefined;
let clock = 0;

beforeAll(async () => {
  fx = await createRepoFixture({ [FILE]: valuesYaml(V1) });
  sim = await createSimulator({ timing: { operationStartMs: 5, applyMs: 5, observeMs: 5, podStepMs: 5, healthLagMs: 5 } });
  argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 2_000 });
});
afterAll(async () => {
  watches?.close();
  await sim.close();
  await fx.cleanup();
});
beforeEach(async () => {
  watches?.close();
  sim.reset();
  clock = Date.now();
  await sim.addApplication({ name: 'dev-core', project: 'flow', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev' });
});

/** A read that counts itself. */
function counted() {
  const r = { n: 0, read: () => ((r.n += 1), argo.observeApplication!('dev-core', { project: 'flow' })) };
  return r;
}
const syncState = (a: ObservedApplication | undefined) => a?.status?.sync?.status;
const sync = async () => {
  await argo.sync('dev-core', { revision: 'main', prune: true, infos: [], syncOptions: [] });
};

describe('project watch (the monitor view of Argo CD)', () => {
  it('reads until the stream is live, then answers from it, changes included', async () => {
    watches = createProjectWatches({ now: () => clock });
    const view = watches.forProject(argo, 'flow');
    const r = counted();
    await view.observe('dev-core', r.read);
    expect(r.n).toBe(1);
    // Live and replayed: an observation no longer reads.
    await waitUntil('served from the stream', async () => {
      const before = r.n;
      await view.observe('dev-core', r.read);
      return r.n === before;
    });
    const reads = r.n;
    expect(syncState(await view.observe('dev-core', r.read))).not.toBe('Synced');
    await sync();
    await waitUntil('the change arrives by the stream', async () => syncState(await view.observe('dev-core', r.read)) === 'Synced');
    expect(r.n).toBe(reads);
    expect(watches.open()).toBe(1);
  });

  it('reads a kept application again after the safety interval, and keeps that answer', async () => {
    watches = createProjectWatches({ now: () => clock, safetyReadMs: SAFETY_MS });
    const view = watches.forProject(argo, 'flow');
    const r = counted();
    await view.observe('dev-core', r.read);
    await waitUntil('live with the application kept', async () => view.live() && view.peek('dev-core') !== undefined);
    const reads = r.n;
    await view.observe('dev-core', r.read);
    expect(r.n).toBe(reads);
    clock += SAFETY_MS + 1;
    // The safety read, answered at once (no event can come between it and its answer), is kept and served after.
    const known = view.peek('dev-core')!;
    const answer: ObservedApplication = { ...known, status: { ...known.status, health: { status: 'Unknown', message: 'safety read' } } };
    let safetyReads = 0;
    const synthetic = () => ((safetyReads += 1), Promise.resolve(answer));
    expect(await view.observe('dev-core', synthetic)).toBe(answer);
    expect(await view.observe('dev-core', synthetic)).toBe(answer);
    expect(safetyReads).toBe(1);
    expect(r.n).toBe(reads);
  });

  it('never keeps a read over an event that arrived while the read was under way', async () => {
    watches = createProjectWatches({ now: () => clock, safetyReadMs: SAFETY_MS });
    const view = watches.forProject(argo, 'flow');
    await view.observe('dev-core', counted().read);
    await waitUntil('live with the application kept', async () => view.live() && view.peek('dev-core') !== undefined);
    clock += SAFETY_MS + 1;
    const stale = await view.observe('dev-core', async () => {
      const before = await counted().read();
      await sync();
      await waitUntil('the event is kept', async () => syncState(view.peek('dev-core')) === 'Synced');
      return before;
    });
    expect(syncState(stale)).not.toBe('Synced');
    const r = counted();
    expect(syncState(await view.observe('dev-core', r.read))).toBe('Synced');
    expect(r.n).toBe(0);
  });

  it('an unavailable stream (404 of an older proxy) means a read every time', async () => {
    sim.faults.stream({ unavailableStatus: 404 });
    let attempts = 0;
    const failing: ArgoClient = {
      ...argo,
      openStream: (path, signal) => {
        attempts += 1;
        return argo.openStream(path, signal);
      },
    };
    watches = createProjectWatches();
    const view = watches.forProject(failing, 'flow');
    const r = counted();
    await view.observe('dev-core', r.read);
    await waitUntil('the stream was tried and refused', async () => attempts >= 1 && !view.live());
    for (let i = 0; i < 3; i += 1) await view.observe('dev-core', r.read);
    expect(r.n).toBe(4);
    expect(view.peek('dev-core')).toBeUndefined();
    sim.faults.stream(undefined);
  });

  it('uses an event only for the namespace and project its GET answered with (apps in any namespace share a stream)', async () => {
    let push: (e: unknown) => void = () => undefined;
    const fake = {
      ...argo,
      openStream: () =>
        Promise.resolve(
          new Response(
            new ReadableStream<Uint8Array>({
              start(c) {
                push = (e) => c.enqueue(new TextEncoder().encode(`data: ${JSON.stringify({ result: e })}\n\n`));
              },
            }),
            { headers: { 'content-type': 'text/event-stream' } },
          ),
        ),
    } as ArgoClient;
    const app = (name: string, namespace: string, health: string): ObservedApplication => ({
      metadata: { name, namespace },
      spec: { project: 'flow' },
      status: { sync: { status: 'Synced' }, health: { status: health as 'Healthy' } },
    });
    watches = createProjectWatches();
    const view = watches.forProject(fake, 'flow');
    await waitUntil('connected', async () => view.live());
    // Their GETs say where dev-core and marker live.
    await view.observe('dev-core', () => Promise.resolve(app('dev-core', 'argocd', 'Healthy')));
    await view.observe('marker', () => Promise.resolve(app('marker', 'argocd', 'Healthy')));
    push({ type: 'MODIFIED', application: app('dev-core', 'argocd', 'Progressing') });
    await waitUntil('its own event is kept', async () => view.peek('dev-core')?.status?.health?.status === 'Progressing');
    push({ type: 'MODIFIED', application: app('dev-core', 'team-b', 'Degraded') }); // another namespace's dev-core
    push({ type: 'MODIFIED', application: app('marker', 'argocd', 'Progressing') });
    await waitUntil('both events read', async () => view.peek('marker')?.status?.health?.status === 'Progressing');
    expect(view.peek('dev-core')?.status?.health?.status).toBe('Progressing');
    // An event the lean read refuses drops what was kept: the next observation reads with GET.
    push({
      type: 'MODIFIED',
      application: { metadata: { name: 'dev-core', namespace: 'argocd' }, status: { sync: { status: 'Sideways' } } },
    });
    await waitUntil('dropped', async () => view.peek('dev-core') === undefined);
    expect(view.live()).toBe(true);
  });

  it('closes a stream nobody asked for', async () => {
    watches = createProjectWatches({ idleCloseMs: 200 });
    const view = watches.forProject(argo, 'flow');
    await view.observe('dev-core', counted().read);
    expect(watches.open()).toBe(1);
    await waitUntil('closed when idle', async () => watches?.open() === 0);
  });
});
