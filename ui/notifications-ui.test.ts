// The Notifications page (ui/src/screens/notifications.ts) in Debian's Chromium on the real API: an admin sees the
// subscriptions and a subscription's delivery log, redelivers a dead delivery from the page; a viewer sees the
// API's refusal. No promotion is needed: the delivery row is written directly (the worker is not running).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { uniqueName, useTestDatabase } from '../test/harness.js';
import { ADMIN_TOKEN, apiHarness, type ApiHarness } from '../test/api-harness.js';
import { notificationDeliveries } from '../db/notification-schema.js';
import { openUi, type UiSession } from '../test/ui-kit.js';

const db = useTestDatabase();
let h: ApiHarness;
let ui: UiSession | undefined;
let base: string;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  // A task queue no worker polls: the redelivery's workflow must not reach another test file's worker.
  h = await apiHarness(db.database, { TEMPORAL_TASK_QUEUE: uniqueName('ui-notify') });
  ui = await openUi(h.app.fetch, pageErrors);
  ({ base, page } = ui);
});

afterAll(async () => {
  await ui?.close();
});

async function signIn(token: string): Promise<void> {
  await page.goto(`${base}/ui/#/signin`);
  await page.fill('#signin-token', token);
  await page.click('#signin-form button[type=submit]');
  await page.waitForURL(/#\/environments$/);
}

describe('notifications page', () => {
  it('lists subscriptions and a delivery log; an admin redelivers a dead delivery', async () => {
    const created = await h.call('POST', '/v1/notifications/subscriptions', {
      body: {
        name: 'ops hook',
        filters: { environments: null, eventTypes: ['promotion.failed'] },
        target: { kind: 'webhook', url: 'http://127.0.0.1:9/hook', secretRef: 'env:FC_SECRET_UI_HOOK' },
      },
    });
    expect(created.status).toBe(201);
    const [delivery] = await db.database.db
      .insert(notificationDeliveries)
      .values({
        subscriptionId: created.body.id,
        eventKey: '1.1:promotion.failed',
        idempotencyKey: 'fcn_0123456789abcdef0123456789abcdef',
        notification: {
          key: '1.1:promotion.failed',
          type: 'promotion.failed',
          at: new Date().toISOString(),
          environment: 'prod',
          releaseId: null,
          deploymentId: 7,
          summary: 'Promotion to prod failed (deployment #7)',
          details: {},
        },
        state: 'dead',
        attempts: 3,
        lastStatusCode: 500,
        lastError: 'receiver answered HTTP 500',
        eventAt: new Date(),
      })
      .returning();
    await signIn(ADMIN_TOKEN);
    await page.click('nav.primary >> text=Notifications');
    const sub = page.locator(`tr[data-subscription="${created.body.id}"]`);
    expect(await sub.innerText()).toContain('ops hook');
    expect(await sub.innerText()).toContain('webhook');
    await sub.locator('a').click();
    const row = page.locator(`tr[data-delivery="${delivery!.id}"]`);
    expect(await row.getAttribute('data-state')).toBe('dead');
    expect(await row.innerText()).toContain('receiver answered HTTP 500');
    await row.locator('button.redeliver').click();
    // No worker runs here: the redelivery is recorded (pending, one redelivery) and its workflow waits in the queue.
    await expect.poll(() => page.locator(`tr[data-delivery="${delivery!.id}"]`).getAttribute('data-state')).toBe('pending');
    expect(await page.locator(`tr[data-delivery="${delivery!.id}"]`).innerText()).toContain('1 redelivered');
    expect(pageErrors).toEqual([]);
  });

  it('a viewer sees the refusal', async () => {
    await signIn(h.tokens.viewer);
    await page.goto(`${base}/ui/#/notifications`);
    await expect.poll(() => page.locator('#subscriptions .error').getAttribute('data-code')).toBe('FORBIDDEN');
    expect(pageErrors).toEqual([]);
  });
});
