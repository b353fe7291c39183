// Admin: environments. #/admin/environments lists them with an edit link; #/admin/environments/:env edits one's
// configuration as JSON (GET /v1/environments/:env, PUT to save; credentials are references, never secrets). A
// refusal (400 VALIDATION_FAILED, 422 ENVIRONMENT_INVALID, 503 GIT_UNAVAILABLE) is listed next to the text; after a
// save the preflight runs (POST …/preflight) and its report is shown as on the preflight page. "Check without saving"
// is PUT ?dryRun=true: the preflight of the text as typed, nothing stored.
import { api, get } from '../api.js';
import type { Ctx } from '../app.js';
import { adminError, adminNav, linkProblemLines, parseJson, pretty, problemList } from '../admin-kit.js';
import { releaseLink, time } from '../components.js';
import { $, html, mount, route } from '../html.js';
import { preflightReport } from './preflight.js';
import type { EnvironmentList, EnvironmentView, PreflightReport } from '../types.js';

export async function adminEnvironmentsScreen(ctx: Ctx): Promise<void> {
  mount(
    ctx.root,
    html`<div class="page-head"><h1>Environments</h1></div>
      ${adminNav('environments')}
      <div id="admin-envs"><p class="muted">Loading…</p></div>`,
  );
  const box = $('#admin-envs', ctx.root);
  try {
    const { environments } = await get<EnvironmentList>('/v1/environments?live=false');
    if (!ctx.alive()) return;
    mount(
      box,
      html`<table class="card-table">
        <caption>
          Environments in display order
        </caption>
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Upstream</th>
            <th scope="col">Current release</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          ${environments.map(
            (e) =>
              html`<tr data-env="${e.name}">
                <th scope="row"><a href="${route('admin', 'environments', e.name)}">Edit ${e.name}</a></th>
                <td>${(e.config.upstream ?? []).join(', ') || html`<span class="muted">—</span>`}</td>
                <td>${releaseLink(e.currentReleaseId)}</td>
                <td>${time(e.updatedAt)}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
    );
  } catch (err) {
    if (ctx.alive()) mount(box, adminError(err, 'Could not list the environments'));
  }
}

export async function adminEnvironmentScreen(ctx: Ctx): Promise<void> {
  const env = ctx.path[2] ?? '';
  const path = `/v1/environments/${encodeURIComponent(env)}`;
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Edit environment ${env}</h1>
        <a href="${route('environments', env, 'history')}">History</a>
      </div>
      ${adminNav('environments')}
      <div id="env-edit"><p class="muted">Loading…</p></div>`,
  );
  const box = $('#env-edit', ctx.root);
  let view: EnvironmentView;
  try {
    view = await get<EnvironmentView>(`${path}?live=false`);
  } catch (err) {
    if (ctx.alive()) mount(box, adminError(err, `Could not read ${env}`));
    return;
  }
  if (!ctx.alive()) return;
  mount(
    box,
    html`<form id="env-form" class="card">
        <p class="hint">
          The stored configuration (<code>EnvironmentConfig</code>, docs/configuration.md). Credentials are references
          (<code>env:NAME</code>, <code>file:/path</code>); a literal secret is refused. Last saved ${time(view.updatedAt)}.
        </p>
        <div class="editor">
          <div class="field wide">
            <label for="env-config">Configuration of ${env} (JSON)</label>
            <textarea id="env-config" name="config" rows="24" wrap="off" spellcheck="false" aria-describedby="env-problems"></textarea>
          </div>
          <div id="env-problems" class="editor-problems"></div>
        </div>
        <div class="buttons">
          <button type="submit" id="env-save">Save and run the preflight</button>
          <button type="button" class="secondary" id="env-dry-run">Check without saving</button>
        </div>
        <p class="muted" role="status" aria-live="polite" id="env-status"></p>
      </form>
      <section aria-labelledby="env-preflight-h">
        <h2 id="env-preflight-h" class="visually-hidden">Preflight</h2>
        <div id="env-preflight"></div>
      </section>`,
  );
  const text = $('#env-config', box) as HTMLTextAreaElement;
  text.value = pretty(view.config);
  const problems = $('#env-problems', box);
  const status = $('#env-status', box);
  linkProblemLines(problems, text);
  const out = $('#env-preflight', box);
  const buttons = [$('#env-save', box), $('#env-dry-run', box)] as HTMLButtonElement[];

  const refuse = (err: unknown, heading: string): void => {
    text.setAttribute('aria-invalid', 'true');
    mount(problems, problemList('env-problem-list', err, text.value, heading));
  };

  const submit = async (dryRun: boolean): Promise<void> => {
    text.removeAttribute('aria-invalid');
    mount(problems, html``);
    const parsed = parseJson(text.value);
    if (!parsed.ok) return refuse(parsed.error, 'Not sent');
    buttons.forEach((b) => (b.disabled = true));
    mount(status, html`${dryRun ? 'Checking' : 'Saving'} ${env}…`);
    try {
      if (dryRun) {
        const res = await api<PreflightReport>('PUT', `${path}?dryRun=true`, parsed.value);
        if (!ctx.alive()) return;
        mount(out, preflightReport(res.body));
        mount(status, html`Checked without saving: preflight ${res.body.status}.`);
        return;
      }
      const saved = await api<EnvironmentView>('PUT', path, parsed.value);
      if (!ctx.alive()) return;
      text.value = pretty(saved.body.config);
      mount(status, html`Saved ${env}${saved.status === 201 ? ' (created)' : ''}. Running the preflight…`);
      try {
        const report = await api<PreflightReport>('POST', `${path}/preflight`);
        if (!ctx.alive()) return;
        mount(out, preflightReport(report.body));
        mount(status, html`Saved ${env}. Preflight finished: ${report.body.status}.`);
      } catch (err) {
        if (!ctx.alive()) return;
        mount(out, adminError(err, 'Preflight refused'));
        mount(status, html`Saved ${env}; the preflight did not run.`);
      }
    } catch (err) {
      if (!ctx.alive()) return;
      refuse(err, dryRun ? 'Not checked' : 'Not saved');
      mount(status, html`${dryRun ? 'Not checked' : 'Not saved'}: see the problems next to the text.`);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  };
  $('#env-form', box).addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submit(false);
  });
  $('#env-dry-run', box).addEventListener('click', () => void submit(true));
}
