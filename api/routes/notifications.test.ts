// Notification subscriptions through the API: admin-only CRUD (every change audited), validation (closed event
// vocabulary, secrets by reference, FC_ALLOWED_HOSTS), nothing secret in any response, 404s, the delivery log.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, type ApiHarness } from '../../test/api-harness.js';

const db = useTestDatabase();
let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness(db.database, { FC_ALLOWED_HOSTS: 'hooks.example.com,*.slack.example' });
});

const webhook = (over: Record<string, unknown> = {}) => ({
  name: 'ops webhook',
  filters: { environments: ['prod'], eventTypes: ['promotion.failed', 'promotion.parked'] },
  target: { kind: 'webhook', url: 'https://hooks.example.com/flow', secretRef: 'env:FC_SECRET_HOOK' },
  ...over,
});

describe('notification subscriptions', () => {
  it('admins create, read, list, replace, patch and delete; every change is audited', async () => {
    const created = await h.call('POST', '/v1/notifications/subscriptions', { body: webhook() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'ops webhook', enabled: true, createdBy: 'bootstrap-admin', target: { kind: 'webhook' } });
    const id = created.body.id as string;

    expect((await h.call('GET', `/v1/notifications/subscriptions/${id}`)).body).toMatchObject({ id, name: 'ops webhook' });
    expect((await h.call('GET', '/v1/notifications/subscriptions')).body.subscriptions.map((s: { id: string }) => s.id)).toContain(id);

    const put = await h.call('PUT', `/v1/notifications/subscriptions/${id}`, {
      body: webhook({ name: 'renamed', filters: { environments: null, eventTypes: ['promotion.succeeded'] } }),
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'renamed', filters: { environments: null } });

    const patched = await h.call('PATCH', `/v1/notifications/subscriptions/${id}`, { body: { enabled: false } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'renamed', enabled: false });
    // A patch of another field leaves `enabled` alone.
    const renamed = await h.call('PATCH', `/v1/notifications/subscriptions/${id}`, { body: { name: 'again' } });
    expect(renamed.body).toMatchObject({ name: 'again', enabled: false });

    const deleted = await h.call('DELETE', `/v1/notifications/subscriptions/${id}`);
    expect(deleted.status).toBe(200);
    expect((await h.call('GET', `/v1/notifications/subscriptions/${id}`)).status).toBe(404);
    expect(errorOf((await h.call('DELETE', `/v1/notifications/subscriptions/${id}`)).body).code).toBe('SUBSCRIPTION_NOT_FOUND');

    const audit = await h.call('GET', `/v1/audit?subjectId=${id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.events.map((e: { action: string }) => e.action).sort()).toEqual([
      'notification.subscription.create',
      'notification.subscription.delete',
      'notification.subscription.update',
      'notification.subscription.update',
      'notification.subscription.update',
    ]);
  });

  it('non-admins get 403 on every route', async () => {
    const created = await h.call('POST', '/v1/notifications/subscriptions', { body: webhook() });
    const id = created.body.id as string;
    for (const token of [h.tokens.viewer, h.tokens.releaser, h.tokens.promoter]) {
      for (const [method, path, body] of [
        ['POST', '/v1/notifications/subscriptions', webhook()],
        ['GET', '/v1/notifications/subscriptions', undefined],
        ['GET', `/v1/notifications/subscriptions/${id}`, undefined],
        ['PUT', `/v1/notifications/subscriptions/${id}`, webhook()],
        ['PATCH', `/v1/notifications/subscriptions/${id}`, { enabled: false }],
        ['DELETE', `/v1/notifications/subscriptions/${id}`, undefined],
        ['GET', `/v1/notifications/subscriptions/${id}/deliveries`, undefined],
        ['POST', '/v1/notifications/deliveries/1/redeliver', undefined],
      ] as const) {
        const res = await h.call(method, path, { token, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${path}`).toBe(403);
      }
    }
    expect((await h.call('GET', '/v1/notifications/subscriptions', { token: null })).status).toBe(401);
  });

  it.each([
    ['an unknown event type', webhook({ filters: { eventTypes: ['promotion.exploded'] } }), 400, 'VALIDATION_FAILED'],
    ['no event type', webhook({ filters: { eventTypes: [] } }), 400, 'VALIDATION_FAILED'],
    [
      'a literal secret',
      webhook({ target: { kind: 'webhook', url: 'https://hooks.example.com/x', secret: 'abc' } }),
      400,
      'VALIDATION_FAILED',
    ],
    ['a Slack URL in clear', webhook({ target: { kind: 'slack', url: 'https://hooks.slack.example/T/B/x' } }), 400, 'VALIDATION_FAILED'],
    [
      'a host outside FC_ALLOWED_HOSTS',
      webhook({ target: { kind: 'webhook', url: 'https://evil.example.net/x', secretRef: 'env:FC_SECRET_H' } }),
      422,
      'SUBSCRIPTION_INVALID',
    ],
    [
      'credentials in the URL',
      webhook({ target: { kind: 'cdevents', url: 'https://u:p@hooks.example.com/x' } }),
      422,
      'SUBSCRIPTION_INVALID',
    ],
    [
      'a reference outside the prefix',
      webhook({ target: { kind: 'webhook', url: 'https://hooks.example.com/x', secretRef: 'env:DATABASE_URL' } }),
      422,
      'SUBSCRIPTION_INVALID',
    ],
  ])('refuses %s', async (_name, body, status, code) => {
    const res = await h.call('POST', '/v1/notifications/subscriptions', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(errorOf(res.body).code).toBe(code);
    // The refused URL's credentials are never echoed.
    expect(JSON.stringify(res.body)).not.toContain('u:p@');
  });

  it('a Slack target is a reference; responses never carry a secret value', async () => {
    process.env.FC_SECRET_SLACK_URL_T = 'https://hooks.slack.example/services/T000/B000/SECRETSECRET';
    const res = await h.call('POST', '/v1/notifications/subscriptions', {
      body: webhook({ target: { kind: 'slack', urlRef: 'env:FC_SECRET_SLACK_URL_T' } }),
    });
    expect(res.status).toBe(201);
    const all = JSON.stringify((await h.call('GET', '/v1/notifications/subscriptions')).body);
    expect(all).toContain('env:FC_SECRET_SLACK_URL_T');
    expect(all).not.toContain('SECRETSECRET');
  });

  it('the delivery log is empty at first, paged, and 404 for unknown subscriptions and deliveries', async () => {
    const created = await h.call('POST', '/v1/notifications/subscriptions', { body: webhook() });
    const log = await h.call('GET', `/v1/notifications/subscriptions/${created.body.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body).toEqual({ deliveries: [], nextCursor: null });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(errorOf((await h.call('GET', `/v1/notifications/subscriptions/${unknown}/deliveries`)).body).code).toBe(
      'SUBSCRIPTION_NOT_FOUND',
    );
    expect(errorOf((await h.call('POST', '/v1/notifications/deliveries/999999/redeliver')).body).code).toBe('DELIVERY_NOT_FOUND');
    expect((await h.call('GET', `/v1/notifications/subscriptions/${created.body.id}/deliveries?cursor=forged`)).status).toBe(400);
    expect((await h.call('GET', '/v1/notifications/subscriptions/not-a-uuid')).status).toBe(400);
  });
});
