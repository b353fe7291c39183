// Sync windows of the simulated Argo CD, judged on its clock as argo-cd judges them: a manual sync refused with
// its exact 403 (before the auto-sync check), manualSync, allow windows none of which is active, the automated
// sync held back (the app stays OutOfSync) until the window opens, a running operation a window catches, the
// syncwindows and project endpoints' JSON, time zones, and the admin routes. Also the client's side: the typed
// refusal (SyncWindowBlockedError) and when the block ends (readSyncWindowBlock). Virtual time throughout.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SyncWindowBlockedError, type ArgoClient } from '../integrations/argocd.js';
import { describeBlock, readSyncWindowBlock } from '../integrations/argocd-sync-windows.js';
import type { ManualScheduler } from './clock.js';
import type { Simulator, SyncWindow } from './simulator.js';
import { type RepoFixture, valuesYaml, virtualSimulator } from '../test/sim-fixtures.js';

const V1 = { api: { replicas: 1, images: { api: 'org/api:1.0.0' } } };
const V2 = { api: { replicas: 1, images: { api: 'org/api:2.0.0' } } };
const FILE = 'environments/dev/core/values.yaml';
/** The ManualScheduler starts at Wednesday 2025-01-01 00:00:00 UTC. */
const START = Date.parse('2025-01-01T00:00:00Z');
const HOUR = 3_600_000;

let fx: RepoFixture & { first: string };
let sim: Simulator;
let clock: ManualScheduler;
let argo: ArgoClient;
let token: string;

async function raw(method: string, p: string, body?: unknown) {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (method !== 'GET') headers['Content-Type'] = 'application/json';
  const res = await fetch(`${sim.argoUrl}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A deny window from 00:00 UTC for `duration` (every day), on every application. */
const denyFromMidnight = (duration: string, more: Partial<SyncWindow> = {}): SyncWindow => ({
  kind: 'deny',
  schedule: '0 0 * * *',
  duration,
  applications: ['*'],
  ...more,
});

const rig = virtualSimulator({ file: FILE, initial: valuesYaml(V1), startMs: START });
beforeAll(async () => ({ fx, sim, clock, argo } = await rig.start()));
afterAll(() => rig.stop());
beforeEach(async () => {
  await rig.reset();
  await sim.addApplication({ name: 'dev-core', project: 'flow', repoURL: fx.repo, path: 'environments/dev/core', namespace: 'dev' });
  // Every test starts one second into a new day (a window starting at midnight is active), with a fresh session.
  clock.advance(Math.ceil((clock.now() - START) / 86_400_000) * 86_400_000 + START + 1000 - clock.now());
  const res = await fetch(`${sim.argoUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(sim.argoAdmin),
  });
  token = ((await res.json()) as { token: string }).token;
});

const syncBody = { revision: 'main', prune: true, infos: [], syncOptions: [] };

describe('a manual sync while a window blocks', () => {
  it('is refused with argo-cd’s 403 PermissionDenied, and accepted once the clock passes the window', async () => {
    sim.setSyncWindows('flow', [denyFromMidnight('1h')]);
    const refused = await raw('POST', '/api/v1/applications/dev-core/sync', syncBody);
    expect(refused).toEqual({
      status: 403,
      json: { error: 'cannot sync: blocked by sync window', code: 7, message: 'cannot sync: blocked by sync window' },
    });
    const err = await argo.sync('dev-core', syncBody).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncWindowBlockedError);
    expect(err).toMatchObject({ status: 403, code: 7, retryable: false, application: 'dev-core', schedules: ['0 0 * * *'] });
    expect((err as SyncWindowBlockedError).windows).toEqual([{ kind: 'deny', schedule: '0 0 * * *', duration: '1h', manualSync: false }]);

    clock.advance(HOUR);
    await expect(argo.sync('dev-core', syncBody)).resolves.toMatchObject({ operation: { sync: { revision: expect.any(String) } } });
    clock.runUntilIdle();
  });

  it('is checked before the auto-sync rule (403, not 400)', async () => {
    await sim.addApplication({
      name: 'dev-auto',
      project: 'flow',
      repoURL: fx.repo,
      path: 'environments/dev/core',
      namespace: 'dev',
      automated: true,
    });
    sim.setSyncWindows('flow', [denyFromMidnight('1h')]);
    const res = await raw('POST', '/api/v1/applications/dev-auto/sync', { ...syncBody, revision: 'f'.repeat(40) });
    expect(res.status).toBe(403);
    clock.runUntilIdle();
  });

  it('goes through a deny window with manualSync: true (an automated sync does not)', async () => {
    const today = clock.now() - 1000;
    sim.setSyncWindows('flow', [denyFromMidnight('1h', { manualSync: true })]);
    expect(await argo.syncWindows('dev-core')).toEqual({
      activeWindows: [{ kind: 'deny', schedule: '0 0 * * *', duration: '1h', manualSync: true }],
      assignedWindows: [{ kind: 'deny', schedule: '0 0 * * *', duration: '1h', manualSync: true }],
      canSync: true,
    });
    await expect(argo.sync('dev-core', syncBody)).resolves.toBeDefined();
    clock.runUntilIdle();
    const auto = await readSyncWindowBlock(argo, { application: 'dev-core', project: 'flow', manual: false, nowMs: clock.now() });
    expect(auto).toMatchObject({ canSync: false, schedules: ['0 0 * * *'], opensAtMs: today + HOUR + 1000 });
  });

  it('is refused while allow windows exist and none is active, and accepted when one opens', async () => {
    sim.setSyncWindows('flow', [{ kind: 'allow', schedule: '0 2 * * *', duration: '30m', applications: ['dev-*'] }]);
    await expect(argo.sync('dev-core', syncBody)).rejects.toBeInstanceOf(SyncWindowBlockedError);
    const block = await readSyncWindowBlock(argo, { application: 'dev-core', project: 'flow', manual: true, nowMs: clock.now() });
    const today = clock.now() - 1000;
    expect(block).toMatchObject({ canSync: false, schedules: ['0 2 * * *'], opensAtMs: today + 2 * HOUR + 1000, zonesKnown: true });
    expect(describeBlock(block)).toBe(
      `blocked by sync window 0 2 * * * (allow 30m): dev-core may sync at ${new Date(today + 2 * HOUR + 1000).toISOString()}`,
    );
    clock.advance(2 * HOUR);
    await expect(argo.sync('dev-core', syncBody)).resolves.toBeDefined();
    clock.runUntilIdle();
  });

  it('is judged in the window’s time zone', async () => {
    // 01:00 in Berlin (winter, UTC+1) is midnight UTC: the window runs 00:00–02:00 UTC.
    sim.setSyncWindows('flow', [{ kind: 'deny', schedule: '0 1 * * *', duration: '2h', applications: ['*'], timeZone: 'Europe/Berlin' }]);
    await expect(argo.sync('dev-core', syncBody)).rejects.toBeInstanceOf(SyncWindowBlockedError);
    const block = await readSyncWindowBlock(argo, { application: 'dev-core', project: 'flow', manual: true, nowMs: clock.now() });
    expect(block.opensAtMs).toBe(clock.now() - 1000 + 2 * HOUR + 1000);
    clock.advance(2 * HOUR);
    await expect(argo.sync('dev-core', syncBody)).resolves.toBeDefined();
    clock.runUntilIdle();
  });

  it('applies only where the window’s globs match the application, namespace or cluster', async () => {
    const cases: Array<[Partial<SyncWindow>, boolean]> = [
      [{ applications: ['prod-*'] }, false],
      [{ applications: ['dev-?ore'] }, true],
      [{ namespaces: ['dev'] }, true],
      [{ clusters: ['https://kubernetes.default.svc'] }, true],
      [{ clusters: ['other'] }, false],
      [{ applications: ['dev-*'], namespaces: ['prod'], andOperator: true }, false],
    ];
    for (const [selectors, blocks] of cases) {
      sim.setSyncWindows('flow', [{ kind: 'deny', schedule: '0 0 * * *', duration: '1h', ...selectors }]);
      expect((await argo.syncWindows('dev-core')).canSync, JSON.stringify(selectors)).toBe(!blocks);
    }
    // Windows of another project do not apply.
    sim.setSyncWindows('flow', []);
    sim.setSyncWindows('default', [denyFromMidnight('1h')]);
    expect(await argo.syncWindows('dev-core')).toEqual({ canSync: true });
  });
});

describe('the automated sync while a window blocks', () => {
  it('does not start (the app stays OutOfSync) until the window has opened and a reconcile runs', async () => {
    await sim.addApplication({
      name: 'dev-auto',
      project: 'flow',
      repoURL: fx.repo,
      path: 'environments/dev/core',
      namespace: 'dev',
      automated: true,
    });
    clock.runUntilIdle();
    sim.setSyncWindows('flow', [denyFromMidnight('1h', { manualSync: true })]);
    await fx.commit({ [FILE]: valuesYaml(V2) }, 'v2');
    const held = await argo.getApplication('dev-auto', { refresh: 'normal' });
    expect(held.operation).toBeUndefined();
    expect(held.status?.sync?.status).toBe('OutOfSync');
    clock.runUntilIdle();
    expect((await argo.getApplication('dev-auto')).status?.operationState?.syncResult?.revision).not.toBe(held.status?.sync?.revision);

    clock.advance(HOUR);
    const resumed = await argo.getApplication('dev-auto', { refresh: 'normal' });
    expect(resumed.operation).toMatchObject({ initiatedBy: { automated: true }, sync: { revision: held.status?.sync?.revision } });
    clock.runUntilIdle();
    expect((await argo.getApplication('dev-auto')).status?.sync?.status).toBe('Synced');
  });
});

describe('a running operation a window catches', () => {
  it('stays Running with Argo’s message until the window lets it go on', async () => {
    await argo.sync('dev-core', syncBody);
    clock.advance(100); // Running
    // A deny window (without manualSync) set while the operation runs catches it before it applies.
    sim.setSyncWindows('flow', [denyFromMidnight('1h')]);
    clock.advance(5000);
    const held = await argo.getApplication('dev-core');
    expect(held.status?.operationState).toMatchObject({ phase: 'Running', message: 'Sync operation blocked by sync window' });
    expect(held.operation).toBeDefined();
    clock.advance(HOUR);
    clock.runUntilIdle();
    expect((await argo.getApplication('dev-core')).status?.operationState?.phase).toBe('Succeeded');
  });
});

describe('views and administration', () => {
  it('GET /api/v1/projects/{name} and …/syncwindows: the windows as stored (zone defaulted to UTC), the active ones', async () => {
    sim.setSyncWindows('flow', [denyFromMidnight('1h'), { kind: 'allow', schedule: '0 2 * * *', duration: '30m', namespaces: ['dev'] }]);
    const project = await argo.getProject('flow');
    expect(project.spec?.syncWindows).toEqual([
      { kind: 'deny', schedule: '0 0 * * *', duration: '1h', applications: ['*'], timeZone: 'UTC' },
      { kind: 'allow', schedule: '0 2 * * *', duration: '30m', namespaces: ['dev'], timeZone: 'UTC' },
    ]);
    expect(await raw('GET', '/api/v1/projects/flow/syncwindows')).toEqual({
      status: 200,
      json: { windows: [{ kind: 'deny', schedule: '0 0 * * *', duration: '1h', applications: ['*'], timeZone: 'UTC' }] },
    });
    expect(await argo.syncWindows('dev-core')).toEqual({
      activeWindows: [{ kind: 'deny', schedule: '0 0 * * *', duration: '1h', manualSync: false }],
      assignedWindows: [
        { kind: 'deny', schedule: '0 0 * * *', duration: '1h', manualSync: false },
        { kind: 'allow', schedule: '0 2 * * *', duration: '30m', manualSync: false },
      ],
      canSync: false,
    });
    expect(await raw('GET', '/api/v1/projects/nope')).toMatchObject({
      status: 404,
      json: { code: 5, message: 'appprojects.argoproj.io "nope" not found' },
    });
    expect((await raw('GET', '/api/v1/projects/default/syncwindows')).json).toEqual({});
  });

  it('refuses a window Argo would not save; the admin routes set windows and move the clock', async () => {
    expect(() => sim.setSyncWindows('flow', [{ kind: 'deny', schedule: '0 0 * * 7', duration: '1h', applications: ['*'] }])).toThrow(
      /cannot parse schedule '0 0 \* \* 7'/,
    );
    const admin = (method: string, p: string, body?: unknown) =>
      fetch(`${sim.argoUrl}/sim/admin${p}`, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(
        async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }),
      );
    expect(
      (
        await admin('POST', '/projects/sync-windows', {
          project: 'flow',
          windows: [{ kind: 'maybe', schedule: '* * * * *', duration: '1h', applications: ['*'] }],
        })
      ).json,
    ).toEqual({ error: "kind 'maybe' mismatch: can only be allow or deny" });
    // Argo's project validation: a window needs a selector, and no two windows may be the same.
    expect(() => sim.setSyncWindows('flow', [{ kind: 'deny', schedule: '0 0 * * *', duration: '1h' }])).toThrow(
      "window 'deny':'0 0 * * *':'1h' requires one of application, cluster or namespace",
    );
    expect(() => sim.setSyncWindows('flow', [denyFromMidnight('1h'), denyFromMidnight('1h')])).toThrow(/already exists/);
    const set = await admin('POST', '/projects/sync-windows', { project: 'flow', windows: [denyFromMidnight('90m')] });
    expect(set).toMatchObject({ status: 200, json: { spec: { syncWindows: [{ kind: 'deny', duration: '90m' }] } } });
    expect((await argo.syncWindows('dev-core')).canSync).toBe(false);
    const before = clock.now();
    expect(await admin('POST', '/clock', { advanceMs: 90 * 60_000 })).toEqual({
      status: 200,
      json: { now: new Date(before + 90 * 60_000).toISOString() },
    });
    expect((await argo.syncWindows('dev-core')).canSync).toBe(true);
    expect((await admin('POST', '/clock', { advanceMs: -1 })).status).toBe(400);
  });

  it('blockSyncs(app) is a deny window that never closes', async () => {
    sim.faults.blockSyncs('dev-core');
    expect(await argo.syncWindows('dev-core')).toMatchObject({ canSync: false, activeWindows: [{ kind: 'deny', schedule: '* * * * *' }] });
    const never = await readSyncWindowBlock(argo, { application: 'dev-core', project: 'flow', manual: true, nowMs: clock.now() });
    expect(never.opensAtMs).toBeUndefined();
    expect(describeBlock(never)).toMatch(
      /^blocked by sync window \* \* \* \* \* \(deny 1h\): dev-core may not sync within the next 7 days/,
    );
    sim.faults.unblockSyncs('dev-core');
  });
});
