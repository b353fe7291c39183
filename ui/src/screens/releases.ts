// Releases: the list (GET /v2/releases, newest first, keyset paging) and "new release" from a template:
// resolve the template for a product version, fill its placeholders, render, review, create.
import { api, ApiFailure, get, qs } from '../api.js';
import { navigate, type Ctx } from '../app.js';
import { errorBox, placeholdersOf, releaseLink, servicesTable, shortId, time } from '../components.js';
import { $, html, input, mount, route } from '../html.js';
import type { CreatedRelease, ReleasePage, RenderResult } from '../types.js';

export async function releasesScreen(ctx: Ctx): Promise<void> {
  const q = ctx.query;
  const filters = { productVersion: q.get('productVersion') ?? '', createdBy: q.get('createdBy') ?? '' };
  const cursor = q.get('cursor');
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Releases</h1>
        <a class="button" href="#/releases/new">New release</a>
      </div>
      <form id="release-filter" class="inline-form card" role="search">
        <label>Product version <input name="productVersion" value="${filters.productVersion}" placeholder="2.4.1" /></label>
        <label>Created by <input name="createdBy" value="${filters.createdBy}" placeholder="token name or id" /></label>
        <button type="submit" class="secondary">Filter</button>
      </form>
      <div id="releases"><p class="muted">Loading…</p></div>`,
  );
  $('#release-filter', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(ev.target as HTMLFormElement);
    navigate(
      '#/releases' +
        qs({ productVersion: String(data.get('productVersion') ?? '').trim(), createdBy: String(data.get('createdBy') ?? '').trim() }),
    );
  });
  const box = $('#releases', ctx.root);
  try {
    const page = await get<ReleasePage>('/v2/releases' + qs({ ...filters, limit: 25, cursor }));
    if (!ctx.alive()) return;
    mount(
      box,
      html`<table class="card-table">
          <caption class="visually-hidden">
            Releases, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Release</th>
              <th scope="col">Product version</th>
              <th scope="col">Template</th>
              <th scope="col">Digest</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            ${
              page.releases.length === 0
                ? html`<tr>
                    <td colspan="6" class="muted">
                      No releases${filters.productVersion || filters.createdBy ? ' match the filter' : ' yet'}.
                    </td>
                  </tr>`
                : page.releases.map(
                    (r) =>
                      html`<tr data-release="${r.releaseId}">
                        <td>${releaseLink(r.releaseId)}</td>
                        <td>${r.productVersion}</td>
                        <td>${r.template.key}@${r.template.revision}</td>
                        <td class="mono small" title="${r.digest}">${r.digest.slice(0, 19)}…</td>
                        <td>${r.createdBy.name}</td>
                        <td>${time(r.createdAt)}</td>
                      </tr>`,
                  )
            }
          </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
          ${cursor ? html`<a href="${'#/releases' + qs(filters)}">« Newest</a>` : ''}
          ${page.nextCursor ? html`<a href="${'#/releases' + qs({ ...filters, cursor: page.nextCursor })}">Older »</a>` : ''}
        </nav>`,
    );
  } catch (err) {
    if (ctx.alive()) mount(box, errorBox(err, 'Could not list releases'));
  }
}

function problemsFor(err: unknown): Set<string> {
  return new Set(err instanceof ApiFailure ? err.problems.map((p) => p.path) : []);
}

export async function newReleaseScreen(ctx: Ctx): Promise<void> {
  mount(
    ctx.root,
    html`<h1>New release</h1>
      <section class="card" aria-labelledby="step1">
        <h2 id="step1">1. Product version</h2>
        <form id="pv-form" class="inline-form">
          <label for="pv">Product version (semver)</label>
          <input id="pv" name="pv" required placeholder="2.4.1" value="${ctx.query.get('pv') ?? ''}" aria-describedby="pv-hint" />
          <button type="submit">Load template</button>
        </form>
        <p id="pv-hint" class="hint">The template is resolved as X.Y.Z → X.Y.0 → default.</p>
        <div id="pv-result" aria-live="polite"></div>
      </section>
      <section class="card" id="values-card" hidden aria-labelledby="step2"></section>
      <section class="card" id="review-card" hidden aria-labelledby="step3"></section>`,
  );
  const pvInput = input('#pv', ctx.root);
  pvInput.focus();
  $('#pv-form', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    void loadTemplate(ctx, pvInput.value.trim());
  });
  return Promise.resolve();
}

async function loadTemplate(ctx: Ctx, pv: string): Promise<void> {
  const result = $('#pv-result', ctx.root);
  const valuesCard = $('#values-card', ctx.root);
  const reviewCard = $('#review-card', ctx.root);
  valuesCard.hidden = true;
  reviewCard.hidden = true;
  if (!pv) {
    mount(result, html`<div class="error" role="alert">Enter a product version.</div>`);
    return;
  }
  mount(result, html`<p class="muted">Resolving…</p>`);
  let template: unknown;
  let key: string | null;
  let revision: string | null;
  try {
    const res = await api<unknown>('GET', `/v1/releases/template/${encodeURIComponent(pv)}`);
    template = res.body;
    key = res.headers.get('x-template-key');
    revision = res.headers.get('x-template-revision');
  } catch (err) {
    if (ctx.alive()) mount(result, errorBox(err, 'Could not resolve a template'));
    return;
  }
  if (!ctx.alive()) return;
  mount(
    result,
    html`<p role="status">Template <strong class="template-ref">${key ?? '?'}@${revision ?? '?'}</strong> resolved for ${pv}.</p>`,
  );
  const names = placeholdersOf(template);
  valuesCard.hidden = false;
  mount(
    valuesCard,
    html`<h2 id="step2">2. Placeholder values</h2>
      ${servicesTable(template, { caption: `Template ${key ?? ''}@${revision ?? ''}` })}
      <form id="values-form">
        ${names.length === 0 ? html`<p class="muted">This template has no placeholders: every tag is pinned.</p>` : ''}
        ${names.map(
          (n) =>
            html`<div class="field">
              <label for="value-${n}">&lt;${n}&gt;</label>
              <input
                id="value-${n}"
                name="${n}"
                data-placeholder="${n}"
                required
                value="${n === 'RELEASE_TAG' ? pv.replace(/\+.*$/, '') : ''}"
                autocomplete="off"
              />
            </div>`,
        )}
        <button type="submit">Render descriptor</button>
      </form>
      <div id="render-result" aria-live="polite"></div>`,
  );
  const first = valuesCard.querySelector<HTMLInputElement>('input');
  first?.focus();
  $('#values-form', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const values: Record<string, string> = {};
    valuesCard.querySelectorAll<HTMLInputElement>('input[data-placeholder]').forEach((i) => {
      values[i.dataset.placeholder ?? i.name] = i.value;
    });
    void render(ctx, pv, values);
  });
}

async function render(ctx: Ctx, pv: string, values: Record<string, string>): Promise<void> {
  const out = $('#render-result', ctx.root);
  const reviewCard = $('#review-card', ctx.root);
  reviewCard.hidden = true;
  ctx.root.querySelectorAll('input[data-placeholder]').forEach((i) => i.removeAttribute('aria-invalid'));
  let rendered: RenderResult;
  try {
    rendered = (await api<RenderResult>('POST', `/v1/releases/template/${encodeURIComponent(pv)}/render`, { values })).body;
  } catch (err) {
    if (!ctx.alive()) return;
    mount(out, errorBox(err, 'The descriptor is not valid'));
    for (const path of problemsFor(err)) {
      const name = path.startsWith('values.') ? path.slice('values.'.length) : null;
      if (name) ctx.root.querySelector(`input[data-placeholder="${CSS.escape(name)}"]`)?.setAttribute('aria-invalid', 'true');
    }
    if (problemsFor(err).size > 0 && [...problemsFor(err)].every((p) => !p.startsWith('values.'))) {
      ctx.root.querySelectorAll('input[data-placeholder]').forEach((i) => i.setAttribute('aria-invalid', 'true'));
    }
    return;
  }
  if (!ctx.alive()) return;
  mount(
    out,
    html`<p role="status" class="ok">Rendered and valid against template ${rendered.template.key}@${rendered.template.revision}.</p>`,
  );
  reviewCard.hidden = false;
  const idempotencyKey = randomKey();
  mount(
    reviewCard,
    html`<h2 id="step3">3. Review and create</h2>
      ${rendered.unusedValues.length ? html`<p class="warn-text">Unused values: ${rendered.unusedValues.join(', ')}</p>` : ''}
      ${servicesTable(rendered.descriptor, { caption: `Descriptor for ${pv}` })}
      <form id="create-form">
        <details>
          <summary>Advanced: edit the descriptor or acknowledge overrides</summary>
          <div class="field">
            <label for="descriptor-json">Descriptor (JSON)</label>
            <textarea id="descriptor-json" rows="12" spellcheck="false">${JSON.stringify(rendered.descriptor, null, 2)}</textarea>
          </div>
          <div class="field">
            <label for="ack">Acknowledged overrides (paths, comma-separated)</label>
            <input id="ack" placeholder="infra.gateway.Deployment.containers.gateway.tag" autocomplete="off" />
          </div>
        </details>
        <button type="submit" id="create-release">Create release ${pv}</button>
      </form>
      <div id="create-result" aria-live="polite"></div>`,
  );
  $('#create-form', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    void create(ctx, pv, idempotencyKey);
  });
  $('#create-release', ctx.root).focus();
}

async function create(ctx: Ctx, pv: string, idempotencyKey: string): Promise<void> {
  const out = $('#create-result', ctx.root);
  const button = $('#create-release', ctx.root) as HTMLButtonElement;
  let descriptor: unknown;
  try {
    descriptor = JSON.parse((document.getElementById('descriptor-json') as HTMLTextAreaElement).value);
  } catch (err) {
    mount(out, html`<div class="error" role="alert">The descriptor is not valid JSON: ${(err as Error).message}</div>`);
    return;
  }
  const acks = input('#ack', ctx.root)
    .value.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const query = acks.length ? '?' + acks.map((a) => `acknowledgeOverride=${encodeURIComponent(a)}`).join('&') : '';
  button.disabled = true;
  try {
    const res = await api<CreatedRelease>('POST', `/v2/releases/create/${encodeURIComponent(pv)}${query}`, descriptor, {
      'idempotency-key': idempotencyKey,
    });
    if (!ctx.alive()) return;
    mount(out, html`<p class="ok" role="status">Release ${shortId(res.body.releaseId)} created.</p>`);
    navigate(route('releases', res.body.releaseId));
  } catch (err) {
    if (ctx.alive()) mount(out, errorBox(err, 'The release was not created'));
  } finally {
    button.disabled = false;
  }
}

/** crypto.randomUUID needs a secure context; getRandomValues works on plain http too. */
function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'ui-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
