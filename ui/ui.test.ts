// The web UI end to end: Debian's Chromium (never a downloaded browser) driven by playwright-core against a
// real HTTP server of the API on loopback, with this run's Postgres and Temporal, a real worker, a bare
// GitOps repository and the Argo CD/Kubernetes simulator (test/promotion-fixture.ts).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { simpleGit } from 'simple-git';
import { useTestDatabase } from '../test/harness.js';
import { escapeHtml, html, raw, route } from './src/html.js';
import { createPromotionFixture, type PromotionFixture } from '../test/promotion-fixture.js';
import { commitFiles } from '../sim/gitops-repo.js';
import { openOrTouchIncident, resolveIncidents } from '../db/incidents.js';
import { checkPage, CHROMIUM, MISSING_CHROMIUM, openUi, screenshot, type UiSession } from '../test/ui-kit.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

const db = useTestDatabase();
let f: PromotionFixture;
let ui: UiSession | undefined;
let base: string;
let page: Page;
const pageErrors: string[] = [];
let releaseId = '';

describe('rendering helpers', () => {
  it('escape every interpolated value, nest safely and encode route segments', () => {
    const evil = `<img src=x onerror="alert('x')">&\``;
    expect(escapeHtml(evil)).toBe('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;&#96;');
    const inner = html`<b>${evil}</b>`;
    expect(html`<p title="${evil}">${inner}${[html`<i>${1}</i>`, null, undefined, false]}</p>`.value).toBe(
      `<p title="${escapeHtml(evil)}"><b>${escapeHtml(evil)}</b><i>1</i></p>`,
    );
    expect(html`${raw('<hr>')}`.value).toBe('<hr>');
    expect(route('environments', 'a/b?c#d', 'deployments', 7)).toBe('#/environments/a%2Fb%3Fc%23d/deployments/7');
  });
});

describe('browser', () => {
  it(`Debian's Chromium is installed at ${CHROMIUM}`, () => {
    expect(existsSync(CHROMIUM), MISSING_CHROMIUM).toBe(true);
  });
});

describe('web UI on the public API', () => {
  beforeAll(async () => {
    f = await createPromotionFixture(db.database, { envs: [{ key: 'dev' }, { key: 'staging', upstream: ['dev'] }] });
    await f.startWorker({ syncWindowRecheckMs: 500 }); // a promotion waiting for a sync window checks it twice a second
    ui = await openUi(f.h.app.fetch, pageErrors);
    ({ base, page } = ui);
  });

  afterAll(async () => {
    await ui?.close();
    await f?.close();
  });

  it('redirects / to the UI, refuses a bad token with the API error, signs in and shows who you are', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(/\/ui\/#\/signin$/);
    await page.fill('#signin-token', 'fct_not-a-real-token-000000000000');
    await page.click('#signin-form button[type=submit]');
    const refused = page.locator('#signin-result .error');
    await expect.poll(() => refused.getAttribute('data-code')).toBe('UNAUTHENTICATED');
    expect(await refused.locator('.request-id').innerText()).toMatch(UUID);

    await page.fill('#signin-token', f.tokens.promoter);
    await page.click('#signin-form button[type=submit]');
    await page.waitForURL(/#\/environments$/);
    expect(await page.locator('#whoami .who-name').innerText()).toMatch(/^promoter-/);
    expect(await page.content()).not.toContain(f.tokens.promoter); // the token is never displayed
  });

  it('shows the environments board in display order', async () => {
    await page.locator('.env-column').nth(1).waitFor();
    expect(await page.locator('.env-column').evaluateAll((els) => els.map((e) => e.getAttribute('data-env')))).toEqual([
      f.env.dev,
      f.env.staging,
    ]);
    expect(await page.locator('.env-column .current-release').first().innerText()).toContain('none yet');
  });

  it('creates a release from the template through the form, showing a validation problem inline', async () => {
    await page.click('nav.primary >> text=New release');
    await page.fill('#pv', '1.0.0');
    await page.click('#pv-form button[type=submit]');
    await expect.poll(() => page.locator('.template-ref').innerText()).toBe('default@1');
    await page.fill('#value-RELEASE_TAG', 'bad tag!');
    await page.click('#values-form button[type=submit]');
    const problem = page.locator('#render-result .error');
    await expect.poll(() => problem.getAttribute('data-code')).toBe('RELEASE_INVALID');
    expect(await problem.locator('table.problems').innerText()).toContain('INVALID_TAG');
    expect(await problem.innerText()).toContain('core.api.Deployment.containers.api.tag');
    expect(await problem.locator('.request-id').innerText()).toMatch(UUID);
    expect(await page.getAttribute('#value-RELEASE_TAG', 'aria-invalid')).toBe('true');
    expect(await checkPage(page, 'new-release')).toEqual([]);

    await page.fill('#value-RELEASE_TAG', '1.4.2');
    await page.click('#values-form button[type=submit]');
    await page.click('#create-release');
    await page.waitForURL(/#\/releases\/[0-9a-f-]{36}$/);
    releaseId = (await page.locator('#release-id').innerText()).trim();
    expect(releaseId).toMatch(UUID);
    const api = page.locator('table.services tr[data-container="api"]');
    expect(await api.locator('.tag').innerText()).toBe('1.4.2');
    expect(await api.innerText()).toContain('moves');
    expect(await page.locator('table.services tr[data-container="gateway"]').innerText()).toContain('pinned');
  });

  it('promotes to the first environment from the release page and follows the deployment to succeeded', async () => {
    // The downstream environment first: the rule's refusal is shown with its code.
    await page.click(`button.promote[data-env="${f.env.staging}"]`);
    await expect.poll(() => page.locator('#promote-result .error').getAttribute('data-code')).toBe('UPSTREAM_NOT_PROMOTED');

    await page.fill('#promote-reason', '<img src=x onerror="window.__xss=1">ship it');
    await page.click(`button.promote[data-env="${f.env.dev}"]`);
    await page.waitForURL(/#\/environments\/[^/]+\/deployments\/\d+$/);
    await page.locator('#deployment-status [data-status="succeeded"]').waitFor({ timeout: 45_000 });
    await expect.poll(() => page.locator('ol.timeline li.step').count()).toBe(8);
    const steps = await page
      .locator('ol.timeline li.step')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.querySelector('.chip')?.getAttribute('data-status')]));
    expect(steps.map((s) => s[0])).toEqual([
      'render-values',
      'git-commit-push',
      'argocd-refresh',
      'argocd-sync',
      'argocd-wait',
      'verify-images',
      'verify',
      'record',
    ]);
    // No verification checks configured: the verify step is skipped.
    expect(steps.find((s) => s[0] === 'verify')?.[1]).toBe('skipped');
    for (const [, status] of steps) expect(['succeeded', 'skipped']).toContain(status);
    expect(await page.locator('.commit-sha').innerText()).toMatch(/^[0-9a-f]{40}$/);
    expect(await page.locator('#deployment-summary').innerText()).toContain(releaseId);
    // Free text from the API stays text.
    expect(await page.locator('q.reason').innerText()).toBe('<img src=x onerror="window.__xss=1">ship it');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.getAttribute('a.temporal-link', 'href')).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:8233/namespaces/default/workflows/promote%3A${f.env.dev}(/[^/]+/history)?$`),
    );
  });

  it('offers no operator action on an ended deployment, and shows a refusal by the workflow', async () => {
    for (const action of ['approve', 'retry', 'abort']) {
      expect(await page.locator(`#ops-form button[data-action="${action}"]`).isDisabled(), action).toBe(true);
    }
    // A page that raced a state change still sends the action: the API's refusal is shown as it came.
    await page.evaluate(() => {
      const b = document.querySelector<HTMLButtonElement>('#ops-form button[data-action="retry"]');
      if (b) b.disabled = false;
    });
    await page.click('#ops-form button[data-action="retry"]');
    const error = page.locator('#op-result .error');
    await expect.poll(() => error.getAttribute('data-code')).toBe('INVALID_ACTION');
    expect(await error.innerText()).toContain('HTTP 409');
    expect(await error.locator('.request-id').innerText()).toMatch(UUID);
    expect(await checkPage(page, 'deployment')).toEqual([]);
  });

  it('shows a parked promotion and retries it from the page once the cause is fixed', async () => {
    f.sim.faults.degradeWorkload(f.env.staging as string, 'api');
    await page.goto(`${base}/ui/#/releases/${releaseId}`);
    await page.click(`button.promote[data-env="${f.env.staging}"]`);
    await page.waitForURL(/#\/environments\/[^/]+\/deployments\/\d+$/);
    await page.locator('#deployment-status [data-status="awaiting_operator"]').waitFor({ timeout: 45_000 });
    expect(await page.locator('#deployment-callout').innerText()).toContain('Parked at argocd-wait');
    expect(await page.locator('li.step[data-step="argocd-wait"] .chip').getAttribute('data-status')).toBe('failed');
    // Parked: retry and abort are offered, approve is not.
    expect(await page.locator('#ops-form button[data-action="approve"]').isDisabled()).toBe(true);
    expect(await page.locator('#ops-form button[data-action="retry"]').isEnabled()).toBe(true);
    expect(await page.locator('#ops-form button[data-action="abort"]').isEnabled()).toBe(true);
    await screenshot(page, 'parked');
    f.sim.faults.clearWorkload(f.env.staging as string, 'api');
    await page.click('#ops-form button[data-action="retry"]');
    await expect.poll(() => page.locator('#op-result').innerText()).toContain('retry accepted');
    await page.locator('#deployment-status [data-status="succeeded"]').waitFor({ timeout: 45_000 });
    expect(await page.locator('#actions-log').innerText()).toContain('retry by promoter-');
    expect(Number(await page.locator('li.step[data-step="argocd-wait"]').getAttribute('data-attempts'))).toBeGreaterThan(1);
  });

  it('shows the result on the board, the release page, a diff and the history', async () => {
    await page.click('nav.primary >> text=Environments');
    const dev = page.locator(`.env-column[data-env="${f.env.dev}"]`);
    await expect.poll(() => dev.locator('.current-release').innerText()).toContain(releaseId.slice(0, 8));
    await expect.poll(() => dev.locator('.live-app [data-status="Healthy"]').count()).toBe(2);
    expect(await dev.locator('.live-app [data-status="Synced"]').count()).toBe(2);
    // No soak configured: the release is verified there as soon as it is current.
    await expect.poll(() => dev.locator('.current-release .verification').getAttribute('data-verification')).toBe('verified');
    // The pipeline: staging is a stage after dev; dev offers staging nothing, since staging runs the same release now.
    expect(await page.locator(`.stage[data-stage="1"] .env-column[data-env="${f.env.staging}"]`).count()).toBe(1);
    expect(await page.locator(`.env-column[data-env="${f.env.staging}"] .current-release`).innerText()).toContain(releaseId.slice(0, 8));
    expect(await dev.locator('button.promote-next').count()).toBe(0);
    // The board follows the event stream.
    await expect.poll(() => page.locator('#board-updated').innerText()).toContain('live');
    expect(await checkPage(page, 'board')).toEqual([]);

    await page.click('nav.primary >> text=Matrix');
    const cell = page.locator(`table.matrix tr[data-release="${releaseId}"] td.cell[data-env="${f.env.dev}"]`);
    await expect.poll(() => cell.getAttribute('data-status')).toBe('succeeded');
    expect(await cell.locator('[data-verification="verified"]').count()).toBe(1);
    expect(await cell.locator('.current').count()).toBe(1);
    expect(await checkPage(page, 'matrix')).toEqual([]);

    const next = await f.createRelease('1.4.3');
    await page.goto(`${base}/ui/#/releases/${next}?diff=${releaseId}`);
    await expect.poll(() => page.locator('#diff-result table.diff').innerText()).toContain('1.4.2');
    expect(await page.locator('#diff-result table.diff').innerText()).toContain('1.4.3');
    await page.goto(`${base}/ui/#/releases/${releaseId}`);
    const row = page.locator(`table.envs tr[data-env="${f.env.dev}"]`);
    await expect.poll(() => row.innerText()).toContain('current');
    expect(await row.locator('[data-status="succeeded"]').count()).toBe(1);
    expect(await row.locator('[data-verification="verified"]').count()).toBe(1);
    expect(await row.locator('button.promote').isDisabled()).toBe(true); // already current there
    expect(await checkPage(page, 'release')).toEqual([]);

    await page.goto(`${base}/ui/#/environments/${f.env.dev}/history?status=failed`);
    await expect.poll(() => page.locator('#history tbody').innerText()).toContain('No deployments with status failed');
    await page.selectOption('#history-status', 'succeeded');
    await page.click('#history-filter button[type=submit]');
    await expect.poll(() => page.locator('#history tbody tr[data-deployment]').count()).toBe(1);
    expect(await checkPage(page, 'history')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('shows an open incident on the board and on the environment’s incidents page, with its evidence', async () => {
    const staging = f.env.staging as string;
    const { incident } = await openOrTouchIncident(db.database.db, {
      environment: staging,
      application: `${staging}-core`,
      kind: 'drift',
      releaseId,
      deploymentId: null,
      summary: 'images differ from the release',
      evidence: { lines: [`${staging}/api/api: expected org/api:1.4.2, running org/api:hotfix`] },
    });
    await page.click('nav.primary >> text=Environments');
    const column = page.locator(`.env-column[data-env="${staging}"]`);
    await expect.poll(() => column.locator('.incidents-badge').innerText()).toBe('1 incident');
    await column.locator('.incidents-badge').click();
    await page.waitForURL(/#\/environments\/[^/]+\/incidents$/);
    const row = page.locator(`tr[data-incident="${incident.id}"]`);
    await expect.poll(() => row.getAttribute('data-open')).toBe('true');
    expect(await row.locator('.evidence').innerText()).toContain('running org/api:hotfix');
    expect(await checkPage(page, 'incidents')).toEqual([]);
    await resolveIncidents(db.database.db, { environment: staging, stillOpen: [] });
    await expect.poll(() => row.getAttribute('data-open')).toBe('false');
    expect(pageErrors).toEqual([]);
  });

  it('runs the preflight of an environment from the board and shows every check, with the pending diff as text', async () => {
    // A hand edit the next promotion would revert: the preflight shows it in git.diff, as text.
    const file = `environments/${f.env.dev}/core/values.yaml`;
    const current = await simpleGit(f.repoPath).show([`main:${file}`]);
    const evil = 'tag: "<img src=x onerror=window.__xss2=1>"';
    expect(current).toContain('tag: "1.4.2"');
    await commitFiles(f.repoPath, { [file]: current.replace('tag: "1.4.2"', evil) }, 'hand edit');

    await page.click('nav.primary >> text=Environments');
    const dev = page.locator(`.env-column[data-env="${f.env.dev}"]`);
    await dev.locator('a.preflight-link').click();
    await page.waitForURL(/#\/environments\/[^/]+\/preflight$/);
    await expect.poll(() => page.locator('#preflight-status').innerText(), { timeout: 30_000 }).toContain('Preflight finished: warning');
    const row = (id: string) => page.locator(`tr[data-check="${id}"]`);
    for (const id of ['git.reachable', 'git.branch', 'argocd.authenticated', `argocd.source:${f.env.dev}-core`, 'kubernetes.workloads']) {
      expect(await row(id).getAttribute('data-status'), id).toBe('ok');
      expect(await row(id).locator('.chip').getAttribute('data-status')).toBe('ok');
    }
    expect(await row('git.diff').getAttribute('data-status')).toBe('warning');
    expect(await row('git.diff').locator('.check-message').innerText()).toContain(file);
    const diff = row('git.diff').locator('.diff-text');
    const text = await diff.innerText();
    expect(text.split('\n')).toContain(
      `-${current
        .split('\n')
        .find((l) => l.includes('tag: "1.4.2"'))
        ?.replace('tag: "1.4.2"', evil)}`,
    );
    expect(text).toMatch(/^\+ +tag: "1\.4\.2"$/m);
    expect(await diff.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss2?: number }).__xss2)).toBeUndefined();
    expect(await page.locator('#preflight-counts').innerText()).toMatch(/^\d+ checks · 0 errors · 1 warning$/);
    expect(await page.locator('table.preflight-checks').evaluateAll((ts) => ts.map((t) => t.getAttribute('data-target')))).toEqual([
      'git',
      'argocd',
      'kubernetes',
    ]);
    expect(await page.content()).not.toContain(f.sim.argoAdmin.password);
    expect(await checkPage(page, 'preflight')).toEqual([]);

    // Run again: the same endpoint, the report repainted.
    await page.click('#preflight-run');
    await expect.poll(() => page.locator('#preflight-status').innerText(), { timeout: 30_000 }).toContain('Preflight finished');
    expect(await row('git.diff').getAttribute('data-status')).toBe('warning');
    expect(pageErrors).toEqual([]);
  });

  it('shows a promotion waiting for a sync window, which then resumes on its own', async () => {
    // A deny window on the simulator's clock (Argo CD's) that began a minute ago, for an hour, on dev's applications.
    const start = new Date(Math.floor(f.sim.now() / 60_000) * 60_000 - 60_000);
    const schedule = `${start.getUTCMinutes()} ${start.getUTCHours()} * * *`;
    f.sim.setSyncWindows('default', [{ kind: 'deny', schedule, duration: '1h', applications: [`${f.env.dev}-*`] }]);
    try {
      const later = await f.createRelease('1.4.4');
      await page.goto(`${base}/ui/#/releases/${later}`);
      await page.click(`button.promote[data-env="${f.env.dev}"]`);
      await page.waitForURL(/#\/environments\/[^/]+\/deployments\/\d+$/);
      await page.locator('#deployment-status [data-status="awaiting_operator"]').waitFor({ timeout: 45_000 });
      const callout = await page.locator('#deployment-callout').innerText();
      expect(callout).toContain(`Waiting for a sync window at argocd-sync: blocked by sync window ${schedule} (deny 1h)`);
      expect(callout).toContain('resumes on its own when the window opens (Retry checks now, Abort ends the promotion)');
      expect(await page.locator('li.step[data-step="argocd-sync"] .chip').getAttribute('data-status')).toBe('pending');
      expect(await page.locator('#ops-form button[data-action="retry"]').isEnabled()).toBe(true);
      expect(await page.locator('#ops-form button[data-action="abort"]').isEnabled()).toBe(true);
      await screenshot(page, 'sync-window');
      f.sim.advanceClock(3_600_000);
      await page.locator('#deployment-status [data-status="succeeded"]').waitFor({ timeout: 45_000 });
      expect(await page.locator('#actions-log').innerText()).toContain('retry by system');
      expect(pageErrors).toEqual([]);
    } finally {
      f.sim.setSyncWindows('default', []);
    }
  });

  it('offers no preflight to a viewer, and shows the API’s refusal when one is asked for', async () => {
    await page.goto(`${base}/ui/#/signin`);
    await page.fill('#signin-token', f.h.tokens.viewer);
    await page.click('#signin-form button[type=submit]');
    await page.waitForURL(/#\/environments$/);
    await page.locator('.env-column').nth(1).waitFor();
    expect(await page.locator('a.preflight-link').count()).toBe(0);
    await page.goto(`${base}/ui/#/environments/${f.env.dev}/preflight`);
    await expect.poll(() => page.locator('#preflight-result .error').getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await page.locator('#preflight-result .error').innerText()).toContain('HTTP 403');
    expect(pageErrors).toEqual([]);
  });
});
