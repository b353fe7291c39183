// The environments board's live view against the simulator (audit finding 12): many viewers cause one
// fan-out per environment within the cache TTL (counted at the simulator), and a hung Argo CD or Kubernetes
// answers the board within the timeout with short, secret-free error entries instead of hanging it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, type ApiHarness, type Loose } from '../../test/api-harness.js';
import { createRig, SAMPLE_GROUPS, SAMPLE_TEMPLATE, sampleDescriptor, type Rig } from '../../sim/rig.js';

const db = useTestDatabase();
const sfx = randomBytes(3).toString('hex');
const ENVS = [`la-${sfx}`, `lb-${sfx}`];
const TIMEOUT_MS = 1500;
/** Generous: the board must answer near the timeout (deadline 3 × timeout + slack), never hang. */
const ANSWER_BOUND_MS = 10_000;

let dir: string;
let rig: Rig;
let h: ApiHarness;
let releaseId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fc-live-'));
  rig = await createRig({ dataDir: dir, environments: ENVS, groups: SAMPLE_GROUPS, secretPrefix: `FC_SECRET_LIVE_${sfx.toUpperCase()}` });
  Object.assign(process.env, rig.secrets); // the in-process API resolves env: references against process.env
  h = await apiHarness(db.database, { LIVE_STATUS_TIMEOUT_MS: String(TIMEOUT_MS), LIVE_STATUS_CACHE_TTL_MS: '600000' });
  for (const [i, name] of ENVS.entries()) await putEnvironment(name, i);
  expect((await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE })).status).toBeLessThan(300);
  const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: sampleDescriptor('1.4.2'), token: h.tokens.releaser });
  expect(rel.status, JSON.stringify(rel.body)).toBe(201);
  releaseId = (rel.body as { releaseId: string }).releaseId;
  // What a succeeded promotion records; the live view looks at the current release's applications.
  await db.database.sql`update environments set current_release_id = ${releaseId} where name in ${db.database.sql(ENVS)}`;
});
afterAll(async () => {
  await rig?.close();
  await rm(dir, { recursive: true, force: true });
});

async function putEnvironment(name: string, displayOrder: number): Promise<void> {
  const res = await h.call('PUT', `/v1/environments/${name}`, { body: rig.environmentConfig(name, { displayOrder }) });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

const view = (path: string) => h.call('GET', path, { token: h.tokens.viewer });
const appNames = (env: string) => SAMPLE_GROUPS.map((g) => `${env}-${g}`);

describe('GET /v1/environments?live=true', () => {
  it('N concurrent viewers cause one fan-out per environment within the TTL', async () => {
    rig.simulator.faults.resetRequestCounts();
    const responses = await Promise.all([
      ...Array.from({ length: 8 }, () => view('/v1/environments?live=true')),
      ...Array.from({ length: 8 }, () => view(`/v1/environments/${ENVS[0]}?live=true`)),
    ]);
    const later = await view('/v1/environments?live=true'); // within the TTL: served from the cache
    for (const res of [...responses, later]) expect(res.status).toBe(200);
    const boards = [...responses.slice(0, 8), later].map((r) => r.body.environments as Loose[]);
    for (const envs of boards) {
      for (const env of envs.filter((e: Loose) => ENVS.includes(e.name))) {
        expect(env.live.map((a: Loose) => a.name).sort()).toEqual(appNames(env.name).sort());
        for (const app of env.live) {
          expect(app.error).toBeUndefined();
          expect(app.sync).not.toBeNull();
        }
      }
    }
    const counts = rig.simulator.faults.requestCounts();
    for (const env of ENVS) {
      for (const app of appNames(env)) expect(counts[`argo GET /api/v1/applications/${app}`], app).toBe(1);
      // One workload list per application (label selector per app), not one per viewer.
      expect(counts[`kube GET /apis/apps/v1/namespaces/${env}/deployments`], env).toBe(appNames(env).length);
    }
    expect(counts['argo POST /api/v1/session']).toBe(1); // one session for everything
  });

  it('a hung Argo CD answers the board within the timeout with short error entries', async () => {
    const env = ENVS[0] as string;
    await putEnvironment(env, 0); // a changed configuration is a new view (not served from the cache)
    rig.simulator.faults.httpFaults('argo', { timeoutRate: 1 });
    try {
      const started = performance.now();
      const res = await view(`/v1/environments/${env}?live=true`);
      expect(performance.now() - started).toBeLessThan(ANSWER_BOUND_MS);
      expect(res.status).toBe(200);
      for (const app of res.body.live) {
        expect(app).toMatchObject({ sync: null, health: null, error: 'Argo CD did not answer in time' });
      }
      expectSecretFree(res.body);
    } finally {
      rig.simulator.faults.clearHttpFaults('argo');
    }
  });

  it('a hung Kubernetes API answers the board within the timeout: Argo CD status, release unknown, short error', async () => {
    const env = ENVS[1] as string;
    await putEnvironment(env, 1);
    rig.simulator.faults.httpFaults('kube', { timeoutRate: 1 });
    try {
      const started = performance.now();
      const res = await view(`/v1/environments/${env}?live=true`);
      expect(performance.now() - started).toBeLessThan(ANSWER_BOUND_MS);
      expect(res.status).toBe(200);
      for (const app of res.body.live) {
        expect(app.sync).not.toBeNull();
        expect(app).toMatchObject({ releaseId: null, error: 'Kubernetes API did not answer in time' });
      }
      expectSecretFree(res.body);
    } finally {
      rig.simulator.faults.clearHttpFaults('kube');
    }
  });
});

function expectSecretFree(body: Loose): void {
  for (const secret of Object.values(rig.secrets)) expect(JSON.stringify(body)).not.toContain(secret);
  const live = JSON.stringify(body.live); // the configuration names its servers; the live entries must not
  expect(live).not.toContain(rig.kube.server);
  expect(live).not.toContain(rig.argo.url);
  expect(live).not.toMatch(/\/api\/v1\/|timed out after/);
}
