// Notification mapping, filters and bodies (pure): which event-log rows notify what, Slack and CDEvents shapes,
// the webhook signature a receiver verifies, and the idempotency key.
import { describe, expect, it } from 'vitest';
import { matches, notificationsOf, redactDeliveryError, uiLinkOf, type EventLogRow } from './notifications.js';
import { cdeventBody, slackBody, webhookBody } from './notification-bodies.js';
import { idempotencyKeyOf, signatureOf, verifySignature } from './notification-signature.js';

const row = (over: Partial<EventLogRow>): EventLogRow => ({
  tx: 10,
  id: 7,
  at: new Date('2026-01-02T03:04:05Z'),
  type: 'deployment',
  environment: 'prod',
  releaseId: '11111111-1111-4111-8111-111111111111',
  deploymentId: 42,
  data: {},
  ...over,
});

describe('notificationsOf', () => {
  const cases: Array<[string, EventLogRow, string | undefined, string[]]> = [
    ['created pending', row({ data: { status: 'pending', created: true } }), undefined, []],
    [
      'break-glass creation',
      row({ data: { status: 'pending', created: true, breakGlassReason: 'hotfix' } }),
      undefined,
      ['freeze.overridden'],
    ],
    ['running after pending', row({ data: { status: 'running' } }), 'pending', ['promotion.started']],
    ['running after approval', row({ data: { status: 'running' } }), 'awaiting_approval', ['promotion.started']],
    ['running after a park (retry)', row({ data: { status: 'running' } }), 'awaiting_operator', []],
    ['step change while running', row({ data: { status: 'running', step: 'argocd-sync' } }), 'running', []],
    ['parked', row({ data: { status: 'awaiting_operator' } }), 'running', ['promotion.parked']],
    ['parked message change', row({ data: { status: 'awaiting_operator', message: 'x' } }), 'awaiting_operator', []],
    ['approval', row({ data: { status: 'awaiting_approval' } }), 'pending', ['approval.requested']],
    ['succeeded', row({ data: { status: 'succeeded' } }), 'running', ['promotion.succeeded']],
    ['failed', row({ data: { status: 'failed' } }), 'running', ['promotion.failed']],
    ['aborted', row({ data: { status: 'aborted' } }), 'awaiting_operator', ['promotion.aborted']],
    ['incident opened', row({ type: 'incident', data: { kind: 'drift', summary: 's' } }), undefined, ['incident.opened']],
    ['incident acted on', row({ type: 'incident', data: { kind: 'drift', action: 'alerted' } }), undefined, []],
    ['incident resolved', row({ type: 'incident', data: { resolvedAt: '2026-01-02T00:00:00Z' } }), undefined, ['incident.resolved']],
    ['rejection', row({ type: 'rejection', environment: null, data: { rejected: true, reason: 'cve' } }), undefined, ['release.rejected']],
    ['rejection lifted', row({ type: 'rejection', data: { rejected: false } }), undefined, []],
    ['pause', row({ type: 'pause', data: { paused: true, reason: 'r' } }), undefined, ['environment.paused']],
    ['resume', row({ type: 'pause', data: { paused: false } }), undefined, ['environment.resumed']],
    ['step rows', row({ type: 'step', data: { status: 'failed' } }), undefined, []],
  ];
  it.each(cases)('%s', (_name, r, previous, types) => {
    const ns = notificationsOf(r, previous);
    expect(ns.map((n) => n.type)).toEqual(types);
    for (const n of ns) expect(n.key).toBe(`10.7:${n.type}`);
  });
});

describe('filters', () => {
  it('selects by type and environment; global events match every environment filter', () => {
    const f = { environments: ['prod'], eventTypes: ['promotion.failed' as const, 'environment.paused' as const] };
    expect(matches(f, { type: 'promotion.failed', environment: 'prod' })).toBe(true);
    expect(matches(f, { type: 'promotion.failed', environment: 'dev' })).toBe(false);
    expect(matches(f, { type: 'promotion.succeeded', environment: 'prod' })).toBe(false);
    expect(matches(f, { type: 'environment.paused', environment: null })).toBe(true);
    expect(matches({ environments: null, eventTypes: ['promotion.failed'] }, { type: 'promotion.failed', environment: 'x' })).toBe(true);
  });
});

const ctx = { eventId: 'fcn_abc', publicUrl: 'https://fc.example/', subscriptionId: 'sub-1' };
const succeeded = notificationsOf(row({ data: { status: 'succeeded' } }), 'running')[0]!;

describe('bodies', () => {
  it('links to the UI deployment page', () => {
    expect(uiLinkOf('https://fc.example/', succeeded)).toBe('https://fc.example/ui/#/environments/prod/deployments/42');
    expect(webhookBody(succeeded, ctx)).toMatchObject({
      id: 'fcn_abc',
      type: 'promotion.succeeded',
      link: uiLinkOf(ctx.publicUrl, succeeded),
    });
  });

  it('Slack: a section, a context and a button to the deployment; mrkdwn escaped', () => {
    const parked = notificationsOf(row({ data: { status: 'awaiting_operator', message: '<!channel> & co' } }), 'running')[0]!;
    const body = slackBody(parked, ctx) as { text: string; blocks: Array<{ type: string; elements?: Array<Record<string, unknown>> }> };
    expect(body.text).not.toContain('<!channel>');
    expect(body.text).toContain('&lt;!channel&gt; &amp; co');
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'context', 'actions']);
    expect(body.blocks[2]!.elements![0]).toMatchObject({ type: 'button', url: 'https://fc.example/ui/#/environments/prod/deployments/42' });
  });

  it('CDEvents v0.4: context (version, id, source, type, timestamp) and subject per spec', () => {
    const body = cdeventBody(succeeded, ctx) as Record<string, Record<string, unknown>>;
    expect(body.context).toEqual({
      version: '0.4.1',
      id: 'fcn_abc',
      source: 'https://fc.example/',
      type: 'dev.cdevents.service.deployed.0.1.1',
      timestamp: '2026-01-02T03:04:05.000Z',
    });
    expect(body.subject).toMatchObject({
      type: 'service',
      content: { environment: { id: 'prod', source: 'https://fc.example/' }, artifactId: expect.stringMatching(/^pkg:generic\//) },
    });
    const rollback = notificationsOf(row({ data: { status: 'succeeded', isRollback: true } }), 'running')[0]!;
    expect((cdeventBody(rollback, ctx).context as { type: string }).type).toBe('dev.cdevents.service.rolledback.0.1.1');
    const failed = notificationsOf(row({ data: { status: 'failed' } }), 'running')[0]!;
    expect(cdeventBody(failed, ctx)).toMatchObject({
      context: { type: 'dev.cdevents.pipelinerun.finished.0.1.1' },
      subject: { type: 'pipelineRun', content: { outcome: 'failure' } },
    });
    const incident = notificationsOf(row({ type: 'incident', data: { kind: 'drift', summary: 'drifted' } }))[0]!;
    expect(cdeventBody(incident, ctx)).toMatchObject({
      context: { type: 'dev.cdevents.incident.detected.0.1.0' },
      subject: { type: 'incident', content: { description: expect.stringContaining('drifted') } },
    });
    const paused = notificationsOf(row({ type: 'pause', data: { paused: true } }))[0]!;
    expect((cdeventBody(paused, ctx).context as { type: string }).type).toBe('dev.cdeventsx.flowcontroller-environment.paused.0.1.0');
  });
});

describe('signature and idempotency key', () => {
  it('verifies the HMAC over "<t>.<body>", refuses tampering and stale timestamps', () => {
    const header = signatureOf('s3cret', 1_700_000_000, '{"a":1}');
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature({ secret: 's3cret', header, body: '{"a":1}', nowSeconds: 1_700_000_010 })).toBe(true);
    expect(verifySignature({ secret: 's3cret', header, body: '{"a":2}', nowSeconds: 1_700_000_010 })).toBe(false);
    expect(verifySignature({ secret: 'other', header, body: '{"a":1}', nowSeconds: 1_700_000_010 })).toBe(false);
    expect(verifySignature({ secret: 's3cret', header, body: '{"a":1}', nowSeconds: 1_700_001_000 })).toBe(false);
  });

  it('one key per subscription and notification', () => {
    expect(idempotencyKeyOf('a', '1.2:promotion.started')).toBe(idempotencyKeyOf('a', '1.2:promotion.started'));
    expect(idempotencyKeyOf('a', '1.2:promotion.started')).not.toBe(idempotencyKeyOf('b', '1.2:promotion.started'));
    expect(idempotencyKeyOf('a', '1.2:promotion.started')).toMatch(/^fcn_[0-9a-f]{32}$/);
  });

  it('redacts query strings, userinfo and secrets from delivery errors', () => {
    expect(redactDeliveryError('GET https://u:p@h.example/x?token=abc failed, key s3cret', ['s3cret'])).toBe(
      'GET https://***@h.example/x?[redacted] failed, key [redacted]',
    );
  });
});
