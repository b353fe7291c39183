// The DORA page end to end, in the style of ui/ui.test.ts: Debian's Chromium driven by playwright-core against a
// real HTTP server of the API on loopback and this file's Postgres, with a deployment history seeded relative to
// now (test/dora-seed.ts; no promotions, so no worker). Checks the four numbers, the trend chart's bars, and that
// the pickers change the view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../test/harness.js';
import { apiHarness, type ApiHarness } from '../test/api-harness.js';
import { doraSeeder } from '../test/dora-seed.js';
import { checkPage, openUi, type UiSession } from '../test/ui-kit.js';

const db = useTestDatabase();
let h: ApiHarness;
let ui: UiSession | undefined;
let page: Page;
let base = '';
const pageErrors: string[] = [];
const BASE = Date.now();
const ago = (hours: number) => new Date(BASE - hours * 3600_000);

beforeAll(async () => {
  h = await apiHarness(db.database);
  await doraSeeder(db.database.sql, 'qa');
  const s = await doraSeeder(db.database.sql, 'prod');
  // Last 7 days: 4 changes with leads 1 h, 2 h, 3 h, 5 h; the first followed by an incident resolved in 30 min,
  // the third by a rollback. 20 days ago: one more change (lead 10 h).
  const leads = [1, 2, 3, 5];
  const finished = [150, 100, 50, 10];
  const ids: number[] = [];
  for (const [i, lead] of leads.entries()) {
    const r = await s.release(ago((finished[i] ?? 0) + lead));
    ids.push(await s.promotion({ releaseId: r, status: 'succeeded', finishedAt: ago(finished[i] ?? 0) }));
  }
  await s.incident({ deploymentId: ids[0] ?? null, firstSeenAt: ago(149), resolvedAt: ago(148.5) });
  const back = await s.release(ago(200));
  await s.promotion({ releaseId: back, status: 'succeeded', isRollback: true, createdAt: ago(49), finishedAt: ago(48) });
  const old = await s.release(ago(490));
  await s.promotion({ releaseId: old, status: 'succeeded', finishedAt: ago(480) });

  ui = await openUi(h.app.fetch, pageErrors, { width: 1280, height: 900 });
  ({ base, page } = ui);
});

afterAll(async () => {
  await ui?.close();
});

const metric = (id: string) => page.locator(`[data-metric="${id}"]`);

describe('DORA page', () => {
  it('is in the navigation and shows the four numbers of the chosen environment over 7 days', async () => {
    await page.goto(`${base}/ui/#/signin`);
    await page.fill('#signin-token', h.tokens.viewer);
    await page.click('#signin-form button[type=submit]');
    await page.waitForURL(/#\/environments$/);
    await page.click('nav.primary >> text=DORA');
    await page.waitForURL(/#\/dora$/);
    const envPicker = page.locator('#dora-filter select[name=environment]');
    await envPicker.waitFor();
    if ((await envPicker.inputValue()) !== 'prod') {
      await envPicker.selectOption('prod');
      await page.waitForURL(/environment=prod/);
    }
    await page.selectOption('#dora-filter select[name=window]', '7d');
    await page.waitForURL(/window=7d/);
    await expect.poll(() => metric('deployment-frequency').locator('.dora-value').innerText()).toBe('0.57 / day'); // 4 / 7
    expect(await metric('deployment-frequency').innerText()).toContain('4 successful promotions');
    expect(await metric('lead-time').locator('.dora-value').innerText()).toBe('2.5 h'); // (2 h + 3 h) / 2
    expect(await metric('lead-time').innerText()).toContain('p90 4.4 h'); // 3 h + 0.7 × 2 h
    expect(await metric('change-failure-rate').locator('.dora-value').innerText()).toBe('50 %');
    expect(await metric('change-failure-rate').innerText()).toContain('2 of 4');
    expect(await metric('time-to-restore').locator('.dora-value').innerText()).toBe('30 min');
    expect(await metric('time-to-restore').innerText()).toContain('1 of 1 failures restored');
    expect(await page.locator('#dora-filter select[name=environment]').inputValue()).toBe('prod');
  });

  it('draws one bar per day with the deployments of that day, and the failure rate as dots', async () => {
    const bars = page.locator('svg.dora-chart rect.bar');
    await expect.poll(() => bars.count()).toBeGreaterThanOrEqual(7);
    const counts = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-deployments'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    // The failure rate: a dot per day with deployments (1, 0, 1, 0 — never on adjacent days here, so no line).
    const dots = await page.locator('svg.dora-chart circle.rate-dot').evaluateAll((els) => els.map((e) => Number(e.getAttribute('cy'))));
    expect(dots).toHaveLength(4);
    expect(new Set(dots).size).toBe(2);
    expect(await page.locator('svg.dora-chart').getAttribute('aria-label')).toMatch(/^Deployments per day and failure rate/);
    expect(await checkPage(page, 'dora')).toEqual([]);
  });

  it('follows the window and bucket pickers, and shows an empty environment as zeros and dashes', async () => {
    await page.selectOption('#dora-filter select[name=window]', '30d');
    await expect.poll(() => metric('deployment-frequency').innerText()).toContain('5 successful promotions');
    await page.selectOption('#dora-filter select[name=bucket]', 'week');
    await page.waitForURL(/bucket=week/);
    await expect.poll(() => page.locator('svg.dora-chart').getAttribute('aria-label')).toMatch(/per week/);
    const weeks = await page.locator('svg.dora-chart rect.bar').count();
    expect(weeks).toBeGreaterThanOrEqual(5);
    expect(weeks).toBeLessThanOrEqual(6);
    await page.selectOption('#dora-filter select[name=environment]', 'qa');
    await expect.poll(() => metric('deployment-frequency').locator('.dora-value').innerText()).toBe('0 / day');
    expect(await metric('lead-time').locator('.dora-value').innerText()).toBe('—');
    expect(await metric('change-failure-rate').locator('.dora-value').innerText()).toBe('—');
    expect(pageErrors).toEqual([]);
  });
});
