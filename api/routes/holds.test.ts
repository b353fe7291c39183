// Reject a release, stop the line (issue 11) through the API: who may, what is refused while they hold (422
// RELEASE_REJECTED, 409 ENVIRONMENT_PAUSED), what reads show, and that lifting / resuming lets the same request
// through. The workflow side (running promotions park at their next step) is test/promotion-holds.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueEnvName, useTestDatabase } from '../../test/harness.js';
import {
  apiHarness,
  errorOf,
  SEED_DESCRIPTOR,
  SEED_TEMPLATE,
  scopedPromoter,
  type ApiHarness,
  unreachableEnvironmentConfig,
} from '../../test/api-harness.js';

const db = useTestDatabase();
const E_PROD = uniqueEnvName('prod');
const E_QA = uniqueEnvName('qa');
const E_STAGING = uniqueEnvName('staging');

let h: ApiHarness;
/** A promoter scoped to this file's staging (the harness's promoter is scoped to a fixed name). */
let promoter: string;

beforeAll(async () => {
  h = await apiHarness(db.database);
  promoter = await scopedPromoter(h, [E_STAGING]);
  for (const env of [E_STAGING, E_PROD, E_QA])
    expect((await h.call('PUT', `/v1/environments/${env}`, { body: unreachableEnvironmentConfig() })).status).toBe(201);
  expect((await h.call('PUT', '/v1/templates/default', { body: SEED_TEMPLATE })).status).toBeLessThan(300);
});

async function newRelease(version: string): Promise<string> {
  const rel = await h.call('POST', `/v2/releases/create/${version}`, { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
  expect(rel.status, JSON.stringify(rel.body)).toBe(201);
  return rel.body.releaseId as string;
}

const promote = (releaseId: string, environment: string) =>
  h.call('POST', `/v2/releases/${releaseId}/promote`, { body: { environment }, token: promoter });

describe('reject a release', () => {
  it('a releaser rejects it: promotions refused with 422 RELEASE_REJECTED, shown on the release and in lists; an admin lifts it', async () => {
    const id = await newRelease('2.0.0');
    expect((await h.call('POST', `/v2/releases/${id}/reject`, { body: { reason: '' }, token: h.tokens.releaser })).status).toBe(400);
    expect((await h.call('POST', `/v2/releases/${id}/reject`, { body: { reason: 'x' }, token: h.tokens.viewer })).status).toBe(403);
    const rejected = await h.call('POST', `/v2/releases/${id}/reject`, { body: { reason: 'CVE-2026-1234' }, token: h.tokens.releaser });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toMatchObject({ releaseId: id, reason: 'CVE-2026-1234', rejectedBy: 'releaser-1', liftedAt: null });
    expect((await h.call('POST', `/v2/releases/${id}/reject`, { body: { reason: 'again' }, token: h.tokens.releaser })).status).toBe(409);

    const refused = await promote(id, E_STAGING);
    expect(refused.status).toBe(422);
    expect(errorOf(refused.body)).toMatchObject({
      code: 'RELEASE_REJECTED',
      details: { reason: 'CVE-2026-1234', rejectedBy: 'releaser-1' },
    });
    expect((await h.call('GET', `/v2/releases/${id}`, { token: h.tokens.viewer })).body.rejection).toMatchObject({
      reason: 'CVE-2026-1234',
    });
    const list = (await h.call('GET', '/v2/releases?productVersion=2.0.0', { token: h.tokens.viewer })).body.releases;
    expect(list).toEqual([expect.objectContaining({ releaseId: id, rejected: true })]);

    // Only an admin lifts it; then the same request goes through.
    expect((await h.call('POST', `/v2/releases/${id}/unreject`, { body: {}, token: h.tokens.releaser })).status).toBe(403);
    const lifted = await h.call('POST', `/v2/releases/${id}/unreject`, { body: { reason: 'false positive' } });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ liftedBy: 'bootstrap-admin', liftReason: 'false positive' });
    expect((await h.call('POST', `/v2/releases/${id}/unreject`, { body: {} })).status).toBe(409);
    expect((await h.call('GET', `/v2/releases/${id}`)).body.rejection).toBeNull();
    expect((await promote(id, E_STAGING)).status).toBe(202);
    const audit = JSON.stringify((await h.call('GET', `/v1/audit?subjectType=release&subjectId=${id}`)).body);
    expect(audit).toContain('release.reject');
    expect(audit).toContain('release.unreject');
    expect((await h.call('POST', '/v2/releases/00000000-0000-4000-8000-000000000000/reject', { body: { reason: 'x' } })).status).toBe(404);
  });
});

describe('stop the line', () => {
  it('pausing an environment refuses promotions with 409 ENVIRONMENT_PAUSED until it resumes; scope and global pause', async () => {
    const id = await newRelease('2.1.0');
    // This file's promoter is scoped to staging: prod is not its to pause.
    expect((await h.call('POST', `/v1/environments/${E_PROD}/pause`, { body: { reason: 'x' }, token: promoter })).status).toBe(403);
    const paused = await h.call('POST', `/v1/environments/${E_PROD}/pause`, { body: { reason: 'incident 42' } });
    expect(paused.status).toBe(200);
    expect((await h.call('POST', `/v1/environments/${E_PROD}/pause`, { body: { reason: 'again' } })).status).toBe(409);
    const refused = await h.call('POST', `/v2/releases/${id}/promote`, { body: { environment: E_PROD } });
    expect(refused.status).toBe(409);
    expect(errorOf(refused.body)).toMatchObject({
      code: 'ENVIRONMENT_PAUSED',
      details: { pauses: [{ environment: E_PROD, reason: 'incident 42' }] },
    });
    expect((await h.call('GET', '/v1/pauses', { token: h.tokens.viewer })).body.pauses).toEqual([
      expect.objectContaining({ environment: E_PROD, pausedBy: 'bootstrap-admin' }),
    ]);
    expect((await h.call('POST', `/v1/environments/${E_PROD}/resume`, { body: { reason: 'fixed' } })).status).toBe(200);
    expect((await h.call('POST', `/v1/environments/${E_PROD}/resume`, { body: { reason: 'fixed' } })).status).toBe(409);
    expect((await h.call('POST', `/v2/releases/${id}/promote`, { body: { environment: E_PROD } })).status).toBe(202);

    // The global pause stops every environment; only admins set it.
    expect((await h.call('POST', '/v1/pause', { body: { reason: 'x' }, token: promoter })).status).toBe(403);
    expect((await h.call('POST', '/v1/pause', { body: { reason: 'code freeze' } })).status).toBe(200);
    const global = await h.call('POST', `/v2/releases/${id}/promote`, { body: { environment: E_QA } });
    expect(global.status).toBe(409);
    expect(errorOf(global.body).message).toMatch(/all environments paused by bootstrap-admin: code freeze/);
    expect((await h.call('POST', '/v1/resume', { body: { reason: 'done' } })).status).toBe(200);
    expect((await h.call('POST', '/v1/resume', { body: { reason: 'done' } })).status).toBe(409);
    expect((await h.call('POST', `/v2/releases/${id}/promote`, { body: { environment: E_QA } })).status).toBe(202);
  });
});
