// Argo CD sessions as real Argo hands them out (they expire: 401 `invalid session: … token is expired`) and as
// Flow Controller uses them: one login reused until it expires, counted at the simulator (audit finding 12).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createArgoClient } from '../integrations/argocd.js';
import { createTargetClients } from '../integrations/targets.js';
import { createSecretResolver } from '../lib/secrets.js';
import type { ArgoTarget } from '../domain/environment.js';
import { ManualScheduler } from './clock.js';
import { createSimulator, type Simulator } from './simulator.js';

const TTL_MS = 60_000;
const LOGIN = 'argo POST /api/v1/session';
const LIST = 'argo GET /api/v1/applications';

let sim: Simulator;
let clock: ManualScheduler;

beforeAll(async () => {
  clock = new ManualScheduler();
  sim = await createSimulator({ scheduler: clock, tokenTtlMs: TTL_MS });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
});

const logins = () => sim.faults.requestCounts()[LOGIN] ?? 0;

describe('simulated Argo CD sessions', () => {
  it('expire after their lifetime with 401, as real Argo CD sessions do', async () => {
    const login = await fetch(`${sim.argoUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(sim.argoAdmin),
    });
    const { token } = (await login.json()) as { token: string };
    const get = () => fetch(`${sim.argoUrl}/api/v1/applications`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await get()).status).toBe(200);
    clock.advance(TTL_MS - 2_000);
    expect((await get()).status).toBe(200);
    clock.advance(2_000);
    const expired = await get();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 16, message: 'invalid session: token has invalid claims: token is expired' });
  });

  it('counts requests per API, method and path, over the admin API too', async () => {
    const argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
    await argo.listApplications();
    await argo.listApplications('team=a');
    expect(sim.faults.requestCounts()).toEqual({ [LOGIN]: 1, [LIST]: 2 });
    const admin = (await (await fetch(`${sim.argoUrl}/sim/admin/requests`)).json()) as { requests: Record<string, number> };
    expect(admin.requests).toEqual({ [LOGIN]: 1, [LIST]: 2 });
    await fetch(`${sim.argoUrl}/sim/admin/requests`, { method: 'DELETE' });
    expect(sim.faults.requestCounts()).toEqual({});
  });
});

describe('session reuse by the client', () => {
  it('logs in once, reuses the session until it expires, then logs in again exactly once', async () => {
    const argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
    for (let i = 0; i < 5; i++) await argo.listApplications();
    expect(logins()).toBe(1);
    clock.advance(TTL_MS);
    await argo.listApplications();
    await argo.listApplications();
    expect(logins()).toBe(2);
    expect(sim.faults.requestCounts()[LIST]).toBe(8); // 7 answered + the one that met the expired session
  });

  it('concurrent calls share one login, also after the session expired', async () => {
    const argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
    await Promise.all(Array.from({ length: 10 }, () => argo.listApplications()));
    expect(logins()).toBe(1);
    sim.faults.expireTokens();
    await Promise.all(Array.from({ length: 10 }, () => argo.listApplications()));
    expect(logins()).toBe(2);
  });

  it('TargetClients keep one session per target across argoFor calls (the live view and every step)', async () => {
    const secrets = createSecretResolver({
      env: { FC_SECRET_SIM_ARGO_USER: sim.argoAdmin.username, FC_SECRET_SIM_ARGO_PASS: sim.argoAdmin.password },
    });
    const targets = createTargetClients({ secrets, argoTimeoutMs: 5_000 });
    const argocd: ArgoTarget = {
      serverUrl: sim.argoUrl,
      project: 'default',
      applicationPattern: '{env}-{group}',
      usernameRef: 'env:FC_SECRET_SIM_ARGO_USER',
      passwordRef: 'env:FC_SECRET_SIM_ARGO_PASS',
    } as ArgoTarget;
    for (let i = 0; i < 5; i++) await targets.argoFor({ argocd }).listApplications();
    expect(logins()).toBe(1);
  });
});
