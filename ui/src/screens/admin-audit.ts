// Admin: the audit log (GET /v1/audit, newest first). The filters of the route's query (action, actor, subject type
// and id, a time range) live in the URL; "Older" follows the API's opaque cursor and appends the next page. Each
// event's details open in place (JSON, as text).
import { get, qs } from '../api.js';
import { navigate, type Ctx } from '../app.js';
import { adminError, adminNav } from '../admin-kit.js';
import { time } from '../components.js';
import { $, html, mount, type SafeHtml } from '../html.js';
import type { AuditEvent, AuditPage } from '../types.js';

const PAGE = 50; // events per page; ?limit= (1-500) changes it
const TEXT_FILTERS: Array<[string, string, string]> = [
  ['action', 'Action', 'token.create'],
  ['actor', 'Actor', 'token name'],
  ['subjectType', 'Subject type', 'release'],
  ['subjectId', 'Subject id', ''],
];

/** `<input type="datetime-local">` value (local time) ↔ the ISO instant the API takes. */
function toIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
function toLocal(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function eventRow(e: AuditEvent): SafeHtml {
  const detailCount = Object.keys(e.details).length;
  return html`<tr data-audit="${e.id}" data-action="${e.action}" data-subject="${e.subjectId}">
    <td>${time(e.at)}</td>
    <td>${e.actor}</td>
    <td class="mono">${e.action}</td>
    <td><span class="muted">${e.subjectType}</span> <span class="mono">${e.subjectId}</span></td>
    <td>
      ${
        detailCount === 0
          ? html`<span class="muted">—</span>`
          : html`<details class="audit-details">
              <summary>${detailCount} field${detailCount === 1 ? '' : 's'}</summary>
              <pre class="mono small">${JSON.stringify(e.details, null, 2)}</pre>
            </details>`
      }
      ${e.requestId ? html`<div class="muted small">request <span class="mono">${e.requestId}</span></div>` : ''}
    </td>
  </tr>`;
}

export async function adminAuditScreen(ctx: Ctx): Promise<void> {
  const q = ctx.query;
  const filters: Record<string, string> = {};
  for (const [name] of TEXT_FILTERS) filters[name] = q.get(name) ?? '';
  filters.since = q.get('since') ?? '';
  filters.until = q.get('until') ?? '';
  const active = Object.values(filters).some((v) => v !== '');
  const limit = Math.min(500, Math.max(1, Number(q.get('limit')) || PAGE));
  mount(
    ctx.root,
    html`<div class="page-head"><h1>Audit log</h1></div>
      ${adminNav('audit')}
      <form id="audit-filter" class="inline-form card" role="search" aria-label="Filter the audit log">
        ${TEXT_FILTERS.map(
          ([name, label, placeholder]) =>
            html`<label
              >${label} <input name="${name}" value="${filters[name] ?? ''}" placeholder="${placeholder}" maxlength="256"
            /></label>`,
        )}
        <label>Since <input type="datetime-local" name="since" value="${toLocal(filters.since)}" /></label>
        <label>Until <input type="datetime-local" name="until" value="${toLocal(filters.until)}" /></label>
        <button type="submit" class="secondary">Filter</button>
        ${active ? html`<a href="#/admin/audit">Clear filters</a>` : ''}
      </form>
      <div id="audit"><p class="muted">Loading…</p></div>`,
  );
  $('#audit-filter', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(ev.target as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const [name] of TEXT_FILTERS) next[name] = String(data.get(name) ?? '').trim();
    next.since = toIso(String(data.get('since') ?? ''));
    next.until = toIso(String(data.get('until') ?? ''));
    navigate('#/admin/audit' + qs({ ...next, limit: q.get('limit') }));
  });
  const box = $('#audit', ctx.root);
  const events: AuditEvent[] = [];
  let cursor: string | null = null;

  const paint = (): void => {
    mount(
      box,
      html`<table class="card-table audit">
          <caption>
            ${events.length} event${events.length === 1 ? '' : 's'}${active ? ' matching the filters' : ''}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            ${
              events.length === 0
                ? html`<tr>
                    <td colspan="5" class="muted">No audit events${active ? ' match the filters' : ''}.</td>
                  </tr>`
                : events.map(eventRow)
            }
          </tbody>
        </table>
        <div class="pager">${cursor ? html`<button type="button" class="secondary" id="audit-older">Older events</button>` : ''}</div>
        <div id="audit-more" aria-live="polite"></div>`,
    );
    document.getElementById('audit-older')?.addEventListener('click', () => void more());
  };

  const fetchPage = async (): Promise<void> => {
    const page = await get<AuditPage>('/v1/audit' + qs({ ...filters, limit, cursor }));
    events.push(...page.events);
    cursor = page.nextCursor;
  };

  const more = async (): Promise<void> => {
    const button = document.getElementById('audit-older') as HTMLButtonElement | null;
    if (button) button.disabled = true;
    const first = events.length;
    try {
      await fetchPage();
      if (!ctx.alive()) return;
      paint();
      // Keyboard users continue at the first appended row.
      const row = box.querySelectorAll<HTMLElement>('tbody tr')[first];
      row?.querySelector<HTMLElement>('summary')?.focus();
    } catch (err) {
      if (!ctx.alive()) return;
      if (button) button.disabled = false;
      mount($('#audit-more', box), adminError(err, 'Could not load older events'));
    }
  };

  try {
    await fetchPage();
    if (ctx.alive()) paint();
  } catch (err) {
    if (ctx.alive()) mount(box, adminError(err, 'Could not read the audit log'));
  }
}
