// Freeze windows through the API (issue 11): admins create and end them (audited), anyone reads the freeze
// state, and a promotion requested while frozen is refused with 409 ENVIRONMENT_FROZEN, the reasons and the
// next open time; ending the window lets the same request through.
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
const E_STAGING = uniqueEnvName('staging');

let h: ApiHarness;
/** A promoter scoped to this file's staging (the harness's promoter is scoped to a fixed name). */
let promoter: string;
let releaseId: string;

beforeAll(async () => {
  h = await apiHarness(db.database);
  promoter = await scopedPromoter(h, [E_STAGING]);
  for (const env of [E_STAGING, E_PROD])
    expect((await h.call('PUT', `/v1/environments/${env}`, { body: unreachableEnvironmentConfig() })).status).toBe(201);
  expect((await h.call('PUT', '/v1/templates/default', { body: SEED_TEMPLATE })).status).toBeLessThan(300);
  const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: SEED_DESCRIPTOR, token: h.tokens.releaser });
  expect(rel.status, JSON.stringify(rel.body)).toBe(201);
  releaseId = rel.body.releaseId;
});

const hourFromNow = () => ({ from: new Date(Date.now() - 60_000).toISOString(), until: new Date(Date.now() + 3_600_000).toISOString() });

describe('freeze windows', () => {
  it('a one-off freeze refuses promotions with 409 ENVIRONMENT_FROZEN until an admin ends it', async () => {
    const created = await h.call('POST', '/v1/freezes', {
      body: { environment: E_STAGING, schedule: { type: 'once', ...hourFromNow() }, reason: 'quarter close' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      environment: E_STAGING,
      kind: 'deny',
      reason: 'quarter close',
      endedAt: null,
      createdBy: 'bootstrap-admin',
    });

    const state = await h.call('GET', `/v1/environments/${E_STAGING}/freeze`, { token: h.tokens.viewer });
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ frozen: true, blocks: [{ kind: 'deny', reason: 'quarter close' }] });
    expect(Date.parse(state.body.nextOpenAt)).toBe(Date.parse(created.body.schedule.until));
    // Another environment is not frozen by it.
    expect((await h.call('GET', `/v1/environments/${E_PROD}/freeze`, { token: h.tokens.viewer })).body.frozen).toBe(false);

    const refused = await h.call('POST', `/v2/releases/${releaseId}/promote`, {
      body: { environment: E_STAGING },
      token: promoter,
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    const err = errorOf(refused.body);
    expect(err.code).toBe('ENVIRONMENT_FROZEN');
    expect(err.message).toMatch(/quarter close; next open at/);
    expect(err.details).toMatchObject({ environment: E_STAGING, nextOpenAt: state.body.nextOpenAt });
    // Nothing was recorded for the refused request.
    expect((await h.call('GET', `/v1/environments/${E_STAGING}/deployment-history`)).body.deployments).toEqual([]);

    const ended = await h.call('DELETE', `/v1/freezes/${created.body.id}`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ endedBy: 'bootstrap-admin' });
    expect((await h.call('DELETE', `/v1/freezes/${created.body.id}`)).status).toBe(409);
    expect((await h.call('GET', `/v1/environments/${E_STAGING}/freeze`)).body.frozen).toBe(false);
    const accepted = await h.call('POST', `/v2/releases/${releaseId}/promote`, {
      body: { environment: E_STAGING },
      token: promoter,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);

    const audit = JSON.stringify((await h.call('GET', '/v1/audit?subjectType=freeze_window')).body);
    expect(audit).toContain('freeze.create');
    expect(audit).toContain('freeze.end');
    expect((await h.call('GET', `/v1/freezes?environment=${E_STAGING}&includeEnded=true`)).body.freezes).toHaveLength(1);
    expect((await h.call('GET', `/v1/freezes?environment=${E_STAGING}`)).body.freezes).toHaveLength(0);
  });

  it('global allow windows: outside them every environment is frozen until the next one opens', async () => {
    const hour = (new Date().getUTCHours() + 2) % 24;
    const created = await h.call('POST', '/v1/freezes', {
      body: {
        kind: 'allow',
        schedule: { type: 'cron', cron: `0 ${hour} * * *`, durationSeconds: 1800, timeZone: 'UTC' },
        reason: 'release train',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const state = await h.call('GET', `/v1/environments/${E_PROD}/freeze`);
    expect(state.body).toMatchObject({ frozen: true, blocks: [{ kind: 'allow', environment: null }] });
    expect(new Date(state.body.nextOpenAt).getUTCHours()).toBe(hour);
    // Inside the window (asked with ?at=): open.
    const inside = await h.call('GET', `/v1/environments/${E_PROD}/freeze?at=${encodeURIComponent(state.body.nextOpenAt)}`);
    expect(inside.body.frozen).toBe(false);
    expect((await h.call('DELETE', `/v1/freezes/${created.body.id}`)).status).toBe(200);
  });

  it('only admins manage windows; bad schedules are 422 FREEZE_INVALID or 400, unknown ones 404', async () => {
    const body = { environment: E_PROD, schedule: { type: 'once', ...hourFromNow() }, reason: 'x' };
    expect((await h.call('POST', '/v1/freezes', { body, token: promoter })).status).toBe(403);
    const cases: Array<[unknown, number, string]> = [
      [{ ...body, schedule: { type: 'cron', cron: '61 * * * *', durationSeconds: 600, timeZone: 'UTC' } }, 422, 'FREEZE_INVALID'],
      [{ ...body, schedule: { type: 'rrule', rrule: 'FREQ=SECONDLY', durationSeconds: 600, timeZone: 'UTC' } }, 422, 'FREEZE_INVALID'],
      [{ ...body, kind: 'allow' }, 422, 'FREEZE_INVALID'],
      [
        { ...body, schedule: { type: 'cron', cron: '0 1 * * *', durationSeconds: 600, timeZone: 'Mars/Olympus' } },
        400,
        'VALIDATION_FAILED',
      ],
      [{ ...body, reason: '' }, 400, 'VALIDATION_FAILED'],
      [{ ...body, environment: 'nowhere' }, 404, 'ENVIRONMENT_NOT_FOUND'],
    ];
    for (const [b, status, code] of cases) {
      const res = await h.call('POST', '/v1/freezes', { body: b });
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(errorOf(res.body).code).toBe(code);
    }
    expect((await h.call('DELETE', '/v1/freezes/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await h.call('GET', '/v1/environments/nowhere/freeze')).status).toBe(404);
    expect((await h.call('GET', `/v1/environments/${E_PROD}/freeze?at=9999-12-31T00:00:00Z`)).status).toBe(400);
  });
});
