// The admin screens end to end, in the style of ui/ui.test.ts: Debian's Chromium driven by playwright-core against a
// real HTTP server of the API on loopback, this file's Postgres, a bare GitOps repository and the Argo CD/Kubernetes
// simulator (test/promotion-fixture.ts, no worker: nothing is promoted). Tokens (issue with the secret shown once,
// revoke), the audit log's filters and paging, a template diff and edit, an environment edit and its preflight, and
// a viewer's refusal. Each screen is saved as a screenshot and passes the accessibility checks of test/ui-kit.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../test/harness.js';
import { createPromotionFixture, type PromotionFixture } from '../test/promotion-fixture.js';
import { accessibilityProblems, checkPage, openUi, type UiSession } from '../test/ui-kit.js';

const db = useTestDatabase();
let f: PromotionFixture;
let ui: UiSession | undefined;
let page: Page;
let base = '';
const pageErrors: string[] = [];
const tokenName = `ci-bot-${Date.now().toString(36)}`;
let tokenId = '';

beforeAll(async () => {
  f = await createPromotionFixture(db.database, { envs: [{ key: 'dev' }] });
  ui = await openUi(f.h.app.fetch, pageErrors);
  ({ base, page } = ui);
});

afterAll(async () => {
  await ui?.close();
  await f?.close();
});

async function signIn(token: string): Promise<void> {
  await page.goto(`${base}/ui/#/signin`);
  await page.fill('#signin-token', token);
  await page.click('#signin-form button[type=submit]');
  await page.waitForURL(/#\/environments$/);
}

const selfWith = async (token: string) => (await f.h.call('GET', '/v1/tokens/self', { token })).status;

describe('admin screens', () => {
  it('offers the admin section to an admin, issues a token showing its secret once, and revokes it', async () => {
    await signIn(f.h.tokens.admin);
    await page.click('nav.primary >> text=Admin');
    await page.waitForURL(/#\/admin\/tokens$/);
    await page.locator('table.tokens tbody tr').first().waitFor();
    expect(await checkPage(page, 'admin-tokens')).toEqual([]);

    // A promoter without scopes: the API's refusal is shown next to the field.
    await page.fill('#token-name', tokenName);
    await page.selectOption('#token-role', 'promoter');
    await page.click('#token-form button[type=submit]');
    await expect.poll(() => page.locator('#token-form-result .error').getAttribute('data-code')).toBe('VALIDATION_FAILED');
    expect(await page.getAttribute('#token-scopes', 'aria-invalid')).toBe('true');
    expect(await page.locator('#token-scopes-msg').innerText()).toContain('at least one environment scope');

    await page.fill('#token-scopes', f.env.dev as string);
    await page.fill('#token-groups', 'release-managers');
    await page.click('#token-form button[type=submit]');
    const secret = page.locator('#token-secret');
    await secret.waitFor();
    const value = await secret.inputValue();
    expect(value).toMatch(/^fct_/);
    expect(await page.locator('#token-secret-box').innerText()).toContain('shown this once');
    expect(await selfWith(value)).toBe(200);
    const row = page.locator(`table.tokens tr[data-name="${tokenName}"]`);
    await expect.poll(() => row.innerText()).toContain('release-managers');
    expect(await row.innerText()).toContain(f.env.dev);
    tokenId = (await row.getAttribute('data-token')) ?? '';
    expect(await checkPage(page, 'admin-tokens-issued')).toEqual([]);
    await page.click('#token-dismiss');
    expect(await page.content()).not.toContain(value); // gone from the page: never shown again

    // Revoke, after a confirmation; Cancel first leaves it active.
    await row.locator('button.revoke').click();
    await page.click('#revoke-no');
    expect(await row.getAttribute('data-revoked')).toBe('false');
    await row.locator('button.revoke').click();
    expect(await page.locator('#revoke-q').innerText()).toContain(tokenName);
    await page.click('#revoke-yes');
    await expect.poll(() => row.getAttribute('data-revoked')).toBe('true');
    expect(await page.locator('#revoke-done').innerText()).toContain('revoked');
    expect(await row.locator('button.revoke').count()).toBe(0);
    expect(await selfWith(value)).toBe(401);
    expect(pageErrors).toEqual([]);
  });

  it('finds the token.create event through the audit filters, with its details, and pages to older events', async () => {
    await page.click('nav.subnav >> text=Audit log');
    await page.waitForURL(/#\/admin\/audit$/);
    await page.locator('table.audit tbody tr[data-audit]').first().waitFor();
    await page.fill('#audit-filter input[name=action]', 'token.create');
    await page.fill('#audit-filter input[name=subjectId]', tokenId);
    await page.click('#audit-filter button[type=submit]');
    await page.waitForURL(/action=token\.create/);
    const rows = page.locator('table.audit tbody tr[data-audit]');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-action')).toBe('token.create');
    await rows.first().locator('summary').click();
    const details = await rows.first().locator('.audit-details pre').innerText();
    expect(JSON.parse(details)).toMatchObject({ name: tokenName, role: 'promoter', scopes: [f.env.dev], groups: ['release-managers'] });
    expect(await checkPage(page, 'admin-audit')).toEqual([]);

    // Two per page: "Older events" appends the next page through the API's cursor, newest first throughout.
    await page.goto(`${base}/ui/#/admin/audit?action=token.create&limit=2`);
    await expect.poll(() => rows.count()).toBe(2);
    await page.click('#audit-older');
    await expect.poll(() => rows.count()).toBe(4);
    const ids = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-audit'))));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
    // A filter nothing matches says so.
    await page.goto(`${base}/ui/#/admin/audit?action=no.such.action`);
    await expect.poll(() => page.locator('table.audit tbody').innerText()).toContain('No audit events match the filters');
    expect(pageErrors).toEqual([]);
  });

  it('refuses a template edit with the problem next to the text, then saves it and diffs the two revisions', async () => {
    await page.click('nav.subnav >> text=Templates');
    await page.waitForURL(/#\/admin\/templates$/);
    const text = page.locator('#template-text');
    await expect.poll(() => text.inputValue()).toContain('"org/gateway"');
    const original = await text.inputValue();
    await text.fill(original.replace('"tag": "stable"', '"tag": "not a tag!"'));
    await page.click('#template-edit button[type=submit]');
    const problems = page.locator('#template-problems .error');
    await expect.poll(() => problems.getAttribute('data-code')).toBe('TEMPLATE_INVALID');
    const item = problems.locator('li[data-path="infra.gateway.Deployment.containers.gateway.tag"]');
    expect(await item.count()).toBe(1);
    const line = Number(await item.getAttribute('data-line'));
    expect((await text.inputValue()).split('\n')[line - 1]).toContain('"tag": "not a tag!"'); // the line it points at
    await item.locator('button.goto-line').click(); // selects that line in the text
    const selected = await text.evaluate((t: HTMLTextAreaElement) => t.value.slice(t.selectionStart, t.selectionEnd));
    expect(selected.trim()).toBe('"tag": "not a tag!",');
    expect(await text.getAttribute('aria-invalid')).toBe('true');
    expect(await checkPage(page, 'admin-template-refused')).toEqual([]);

    // Not JSON at all: said before anything is sent.
    await text.fill('{ "core": ');
    await page.click('#template-edit button[type=submit]');
    await expect.poll(() => problems.innerText()).toContain('Not valid JSON');

    await text.fill(original.replace('"tag": "stable"', '"tag": "2.0.1"'));
    await page.click('#template-edit button[type=submit]');
    await page.waitForURL(/saved=2/);
    expect(await page.locator('#template-saved').innerText()).toContain('Saved revision 2 of default');
    await expect.poll(() => page.locator('table.revisions tbody tr').count()).toBe(2);
    const diff = page.locator('#template-diff .diff-text');
    await expect.poll(() => diff.innerText()).toContain('+++ default@2');
    const diffLines = (await diff.innerText()).split('\n');
    expect(diffLines).toContain('--- default@1');
    expect(diffLines.filter((l) => /^-\s+"tag": "stable",?$/.test(l))).toHaveLength(1);
    expect(diffLines.filter((l) => /^\+\s+"tag": "2\.0\.1",?$/.test(l))).toHaveLength(1);
    expect(await checkPage(page, 'admin-templates')).toEqual([]);
    // The same revision twice: identical.
    await page.selectOption('#diff-from', '2');
    await page.click('#diff-form button[type=submit]');
    await page.waitForURL(/from=2&to=2/);
    expect(await page.locator('#template-diff .diff-text').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('refuses an environment edit with the validation error inline, then saves it and shows the preflight', async () => {
    const env = f.env.dev as string;
    await page.click('nav.subnav >> text=Environments');
    await page.click(`tr[data-env="${env}"] a`);
    await page.waitForURL(new RegExp(`#/admin/environments/${env}$`));
    const text = page.locator('#env-config');
    await expect.poll(() => text.inputValue()).toContain('"displayOrder"');
    const original = await text.inputValue();
    const config = JSON.parse(original) as { displayOrder: number };
    await text.fill(original.replace(/"displayOrder": \d+/, '"displayOrder": "first"'));
    await page.click('#env-save');
    const problems = page.locator('#env-problems .error');
    await expect.poll(() => problems.getAttribute('data-code')).toBe('VALIDATION_FAILED');
    const item = problems.locator('li[data-path="displayOrder"]');
    expect(await item.count()).toBe(1);
    expect((await text.inputValue()).split('\n')[Number(await item.getAttribute('data-line')) - 1]).toContain('"displayOrder": "first"');
    expect(await page.locator('#env-status').innerText()).toContain('Not saved');
    expect((await f.h.call('GET', `/v1/environments/${env}?live=false`)).body.config.displayOrder).toBe(config.displayOrder);
    expect(await checkPage(page, 'admin-environment-refused')).toEqual([]);

    await text.fill(original.replace(/"displayOrder": \d+/, '"displayOrder": 42'));
    await page.click('#env-save');
    await expect.poll(() => page.locator('#env-status').innerText(), { timeout: 30_000 }).toMatch(/Preflight finished: (ok|warning)/);
    expect((await f.h.call('GET', `/v1/environments/${env}?live=false`)).body.config.displayOrder).toBe(42);
    expect(await page.locator('#env-problems .error').count()).toBe(0);
    expect(await page.locator('tr[data-check="git.reachable"]').getAttribute('data-status')).toBe('ok');
    expect(await page.locator('table.preflight-checks').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-target')))).toEqual([
      'git',
      'argocd',
      'kubernetes',
    ]);
    expect(await page.content()).not.toContain(f.sim.argoAdmin.password);
    expect(await checkPage(page, 'admin-environment')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('hides the admin section from a viewer and shows the API’s refusal plainly when one is opened', async () => {
    await signIn(f.h.tokens.viewer);
    expect(await page.locator('nav.primary a[data-section="admin"]').isHidden()).toBe(true);
    await page.goto(`${base}/ui/#/admin/audit`);
    await expect.poll(() => page.locator('.admin-only').count()).toBe(1);
    expect(await page.locator('.error').getAttribute('data-code')).toBe('FORBIDDEN');
    await page.goto(`${base}/ui/#/admin/tokens`);
    await expect.poll(() => page.locator('.admin-only').count()).toBe(1);
    expect(await page.locator('.admin-only').innerText()).toContain('viewer-1 (viewer)');
    expect(await page.locator('.error').getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await page.locator('#token-form').isHidden()).toBe(true);
    // Templates are readable by anyone; saving one is the API's to refuse.
    await page.goto(`${base}/ui/#/admin/templates`);
    await expect.poll(() => page.locator('#template-text').inputValue()).toContain('"org/gateway"');
    expect(await page.locator('#template-edit .hint').innerText()).toContain('needs the admin role');
    await page.click('#template-edit button[type=submit]');
    await expect.poll(() => page.locator('#template-problems .error').getAttribute('data-code')).toBe('FORBIDDEN');
    expect(pageErrors).toEqual([]);
  });

  it('has an accessibility check that finds each kind of problem it looks for', async () => {
    // A blank page of its own: the UI's Content-Security-Policy would drop the inline styles.
    const blank = await page.context().browser()!.newPage();
    await blank.setContent(`<!doctype html><html lang="en"><body style="background:#fff;color:#111">
      <h1>Title</h1><h3>Skipped a level</h3>
      <input id="nameless" />
      <label for="named">Named</label><input id="named" />
      <button id="empty"></button>
      <img src="data:," />
      <svg width="10" height="10"><rect width="10" height="10" /></svg>
      <p style="color:#aaa">too light</p>
      <p style="color:#767676">just enough</p>
      <a href="#a" id="late" tabindex="1">jumps first</a>
    </body></html>`);
    const problems = await accessibilityProblems(blank);
    await blank.close();
    const has = (re: RegExp) =>
      expect(
        problems.some((p) => re.test(p)),
        `${re} in ${JSON.stringify(problems)}`,
      ).toBe(true);
    has(/^form control without a label: input#nameless/);
    has(/^button without text: button#empty/);
    has(/^image without alt/);
    has(/^svg neither aria-hidden/);
    has(/^heading skips a level \(h1 → h3\)/);
    has(/^contrast 2\.\d+:1 < 4\.5:1 .*"too light"/);
    has(/^focus (moved backwards|lost to the page body)/); // the tabindex="1" link is first in the tab order
    expect(problems.filter((p) => p.includes('just enough') || p.includes('input#named'))).toEqual([]);
    expect(problems).toHaveLength(7);
  });
});
