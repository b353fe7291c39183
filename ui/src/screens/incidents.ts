// Incidents of an environment (docs/verification-and-monitoring.md): what the monitor (or a failed verification
// gate) found — drift, degraded, missing, out-of-sync, verification-failed — with the evidence lines, when it was
// first and last seen, whether it is resolved, and the one automatic action taken (alerted, resynced, rolled back,
// rollback refused). Filter open/resolved and by kind; live through the event stream.
import { get, qs } from '../api.js';
import { navigate, type Ctx } from '../app.js';
import { chip, deploymentLink, errorBox, releaseLink, time } from '../components.js';
import { $, html, mount, route, type SafeHtml } from '../html.js';
import { debounce, follow } from '../live.js';
import type { Incident, IncidentPage } from '../types.js';

const KINDS = ['drift', 'degraded', 'missing', 'out-of-sync', 'verification-failed'];

function evidenceLines(i: Incident): string[] {
  const lines = (i.evidence as { lines?: unknown }).lines;
  return Array.isArray(lines) ? lines.map(String).slice(0, 20) : [];
}

function row(env: string, i: Incident): SafeHtml {
  return html`<tr data-incident="${i.id}" data-kind="${i.kind}" data-open="${i.resolvedAt ? 'false' : 'true'}">
    <td>#${i.id}</td>
    <td>
      ${chip(i.resolvedAt ? 'succeeded' : 'failed', i.kind)}${i.resolvedAt ? html` <span class="chip chip-muted">resolved</span>` : ''}
    </td>
    <td class="mono">${i.application || '—'}</td>
    <td>
      ${i.summary}
      ${
        evidenceLines(i).length
          ? html`<ul class="plain small mono evidence">
              ${evidenceLines(i).map((l) => html`<li>${l}</li>`)}
            </ul>`
          : ''
      }
    </td>
    <td>${releaseLink(i.releaseId)}</td>
    <td class="small">
      ${time(i.firstSeenAt)}<br />${time(i.lastSeenAt)}${i.resolvedAt ? html`<br />resolved ${time(i.resolvedAt)}` : ''}
    </td>
    <td class="small">
      ${i.action ? html`${chip(i.action === 'rollback-refused' ? 'warn' : 'ok', i.action)}` : html`<span class="muted">—</span>`}
      ${i.actionDeploymentId ? html` ${deploymentLink(env, i.actionDeploymentId)}` : ''}
      ${i.actionMessage ? html`<div class="muted">${i.actionMessage}</div>` : ''}
    </td>
  </tr>`;
}

export async function incidentsScreen(ctx: Ctx): Promise<void> {
  const env = ctx.path[1] ?? '';
  const open = ctx.query.get('open') ?? '';
  const kind = ctx.query.get('kind') ?? '';
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Incidents of ${env}</h1>
        <a class="small" href="${route('environments', env, 'history')}">History →</a>
      </div>
      <form id="incident-filter" class="inline-form card" role="search">
        <label
          >State
          <select name="open">
            <option value="" ${open === '' ? 'selected' : ''}>all</option>
            <option value="true" ${open === 'true' ? 'selected' : ''}>open</option>
            <option value="false" ${open === 'false' ? 'selected' : ''}>resolved</option>
          </select></label
        >
        <label
          >Kind
          <select name="kind">
            <option value="">any</option>
            ${KINDS.map((k) => html`<option value="${k}" ${kind === k ? 'selected' : ''}>${k}</option>`)}
          </select></label
        >
        <button type="submit" class="secondary">Filter</button>
      </form>
      <div id="incidents"><p class="muted">Loading…</p></div>`,
  );
  $('#incident-filter', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(ev.target as HTMLFormElement);
    navigate(
      `${route('environments', env, 'incidents')}${qs({ open: String(data.get('open') ?? ''), kind: String(data.get('kind') ?? '') })}`,
    );
  });
  const load = async (): Promise<void> => {
    try {
      const page = await get<IncidentPage>(`/v1/environments/${encodeURIComponent(env)}/incidents${qs({ open, kind, limit: 100 })}`);
      if (!ctx.alive()) return;
      mount(
        $('#incidents', ctx.root),
        page.incidents.length === 0
          ? html`<p class="card muted">No incidents${open || kind ? ' match the filter' : ''}.</p>`
          : html`<table class="incidents">
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Application</th>
                  <th scope="col">What</th>
                  <th scope="col">Release</th>
                  <th scope="col">First / last seen</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                ${page.incidents.map((i) => row(env, i))}
              </tbody>
            </table>`,
      );
    } catch (err) {
      if (ctx.alive()) mount($('#incidents', ctx.root), errorBox(err, 'Could not load incidents'));
    }
  };
  await load();
  void follow(
    { environment: env },
    ctx.signal,
    debounce(300, () => void load()),
  );
}
