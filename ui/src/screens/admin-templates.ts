// Admin: release templates. Pick a key (GET /v1/templates), see its revisions (GET /v1/templates/:key/revisions),
// diff two of them as text (domain/text-diff.ts on the pretty-printed JSON), and edit the newest one: PUT
// /v1/templates/:key saves a new revision, and a refusal (422 TEMPLATE_INVALID, 400 …) is listed next to the text
// with the line each problem points at. Route: #/admin/templates?key=&from=&to=&saved=
import { api, get, qs } from '../api.js';
import { currentUser, navigate, type Ctx } from '../app.js';
import { adminError, adminNav, linkProblemLines, diffText, parseJson, pretty, problemList } from '../admin-kit.js';
import { shortId, time } from '../components.js';
import { $, html, mount, type SafeHtml } from '../html.js';
import { unifiedDiff } from '../../../domain/text-diff.js';
import type { TemplateKeys, TemplateRevision, TemplateRevisions } from '../types.js';

const base = '#/admin/templates';
const revisionPath = (key: string, rev: number | string) =>
  `/v1/templates/${encodeURIComponent(key)}/revisions/${encodeURIComponent(String(rev))}`;

function revisionsTable(key: string, revisions: TemplateRevisions['revisions']): SafeHtml {
  return html`<table class="card-table revisions">
    <caption>
      Revisions of ${key}, newest first
    </caption>
    <thead>
      <tr>
        <th scope="col">Revision</th>
        <th scope="col">Digest</th>
        <th scope="col">Saved by</th>
        <th scope="col">Saved</th>
      </tr>
    </thead>
    <tbody>
      ${revisions.map(
        (r) =>
          html`<tr data-revision="${r.revision}">
            <th scope="row">${r.revision}</th>
            <td class="mono small" title="${r.digest}">${shortId(r.digest.replace(/^sha256:/, ''))}</td>
            <td>${r.createdBy}</td>
            <td>${time(r.createdAt)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function revisionOptions(revisions: TemplateRevisions['revisions'], selected: number): SafeHtml {
  return html`${revisions.map((r) => html`<option value="${r.revision}" ${r.revision === selected ? html`selected` : ''}>revision ${r.revision}</option>`)}`;
}

export async function adminTemplatesScreen(ctx: Ctx): Promise<void> {
  const q = ctx.query;
  mount(
    ctx.root,
    html`<div class="page-head"><h1>Templates</h1></div>
      ${adminNav('templates')}
      <div id="templates"><p class="muted">Loading…</p></div>`,
  );
  const box = $('#templates', ctx.root);
  let keys: TemplateKeys['templates'];
  try {
    keys = (await get<TemplateKeys>('/v1/templates')).templates;
  } catch (err) {
    if (ctx.alive()) mount(box, adminError(err, 'Could not list the templates'));
    return;
  }
  if (!ctx.alive()) return;
  const key = q.get('key') ?? keys[0]?.key ?? 'default';
  let revisions: TemplateRevisions['revisions'] = [];
  let newest: TemplateRevision | null = null;
  try {
    if (keys.some((k) => k.key === key)) {
      revisions = (await get<TemplateRevisions>(`/v1/templates/${encodeURIComponent(key)}/revisions`)).revisions;
      const top = revisions[0];
      if (top) newest = await get<TemplateRevision>(revisionPath(key, top.revision));
    }
  } catch (err) {
    if (ctx.alive()) mount(box, adminError(err, `Could not read template ${key}`));
    return;
  }
  if (!ctx.alive()) return;
  const to = Number(q.get('to') ?? revisions[0]?.revision ?? 0);
  const from = Number(q.get('from') ?? revisions[1]?.revision ?? to);
  const saved = q.get('saved');
  mount(
    box,
    html`<form id="template-pick" class="inline-form card" aria-label="Template key">
        <label
          >Key
          <select name="key" id="template-key">
            ${keys.map((k) => html`<option value="${k.key}" ${k.key === key ? html`selected` : ''}>${k.key} (${k.revisions} rev.)</option>`)}
            ${keys.some((k) => k.key === key) ? '' : html`<option value="${key}" selected>${key} (new)</option>`}
          </select></label
        >
        <button type="submit" class="secondary">Show</button>
      </form>
      ${saved ? html`<p class="ok" role="status" id="template-saved">Saved revision ${saved} of ${key}.</p>` : ''}
      <div>
        <section class="card" aria-labelledby="revisions-h">
          <h2 id="revisions-h">Revisions</h2>
          ${revisions.length ? revisionsTable(key, revisions) : html`<p class="muted">No revision of ${key} yet.</p>`}
          ${
            revisions.length > 1
              ? html`<form id="diff-form" class="inline-form" aria-label="Compare two revisions">
                  <label
                    >From
                    <select name="from" id="diff-from">
                      ${revisionOptions(revisions, from)}
                    </select></label
                  >
                  <label
                    >To
                    <select name="to" id="diff-to">
                      ${revisionOptions(revisions, to)}
                    </select></label
                  >
                  <button type="submit" class="secondary">Compare</button>
                </form>`
              : ''
          }
          <div id="template-diff" aria-live="polite"></div>
        </section>
        <section class="card" aria-labelledby="edit-h">
          <h2 id="edit-h">Edit ${key}</h2>
          <form id="template-edit">
            ${currentUser()?.role === 'admin' ? '' : html`<p class="hint">You may read templates; saving one needs the admin role.</p>`}
            <div class="editor">
              <div class="field wide">
                <label for="template-text"
                  >Template JSON ${newest ? html`<span class="muted small">(revision ${newest.revision})</span>` : ''}</label
                >
                <textarea
                  id="template-text"
                  name="template"
                  rows="22"
                  wrap="off"
                  spellcheck="false"
                  aria-describedby="template-problems"
                ></textarea>
              </div>
              <div id="template-problems" class="editor-problems"></div>
            </div>
            <div class="buttons"><button type="submit">Save as a new revision</button></div>
            <p class="muted" role="status" aria-live="polite" id="template-status"></p>
          </form>
        </section>
      </div>`,
  );

  $('#template-pick', box).addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(base + qs({ key: ($('#template-key', box) as HTMLSelectElement).value }));
  });
  document.getElementById('diff-form')?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = ($('#diff-from', box) as HTMLSelectElement).value;
    const t = ($('#diff-to', box) as HTMLSelectElement).value;
    navigate(base + qs({ key, from: f, to: t }));
  });

  const text = $('#template-text', box) as HTMLTextAreaElement;
  text.value = pretty(newest?.template ?? {});
  const problems = $('#template-problems', box);
  const status = $('#template-status', box);
  linkProblemLines(problems, text);
  $('#template-edit', box).addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      text.removeAttribute('aria-invalid');
      mount(problems, html``);
      const parsed = parseJson(text.value);
      if (!parsed.ok) {
        text.setAttribute('aria-invalid', 'true');
        mount(problems, problemList('template-problem-list', parsed.error, text.value, 'Not saved'));
        return;
      }
      mount(status, html`Saving…`);
      try {
        const res = await api<TemplateRevision>('PUT', `/v1/templates/${encodeURIComponent(key)}`, parsed.value);
        if (!ctx.alive()) return;
        if (res.status === 200) {
          mount(status, html`Unchanged: identical to revision ${res.body.revision}.`);
          return;
        }
        const rev = res.body.revision;
        navigate(base + qs({ key, from: rev > 1 ? rev - 1 : rev, to: rev, saved: rev }));
      } catch (err) {
        if (!ctx.alive()) return;
        text.setAttribute('aria-invalid', 'true');
        mount(problems, problemList('template-problem-list', err, text.value, 'Not saved'));
        mount(status, html`Not saved: see the problems next to the text.`);
      }
    })();
  });

  if (revisions.length > 1 && from !== to) {
    const out = $('#template-diff', box);
    try {
      const [a, b] = await Promise.all([get<TemplateRevision>(revisionPath(key, from)), get<TemplateRevision>(revisionPath(key, to))]);
      if (!ctx.alive()) return;
      const diff = unifiedDiff(`${key}.json`, pretty(a.template), pretty(b.template))
        .replace(`--- a/${key}.json`, `--- ${key}@${from}`)
        .replace(`+++ b/${key}.json`, `+++ ${key}@${to}`);
      mount(out, diffText(diff, `Revision ${from} → ${to}`));
    } catch (err) {
      if (ctx.alive()) mount(out, adminError(err, 'Could not compare the revisions'));
    }
  }
}
