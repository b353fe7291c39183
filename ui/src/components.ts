// Shared pieces of markup: status chips, times, ids, the error box and the services table.
import { ApiFailure } from './api.js';
import { html, route, type SafeHtml } from './html.js';
import { ACTIVE_STATUSES as ACTIVE, PROMOTION_STATUSES } from '../../domain/promotion.js';
import type { DiffEntry, Override, ReleaseDiff } from './types.js';

const TONES: Record<string, string> = {
  succeeded: 'ok',
  Healthy: 'ok',
  Synced: 'ok',
  current: 'ok',
  skipped: 'muted',
  running: 'busy',
  pending: 'busy',
  Progressing: 'busy',
  awaiting_approval: 'wait',
  scheduled: 'wait',
  queued: 'wait',
  awaiting_operator: 'warn',
  OutOfSync: 'warn',
  Suspended: 'warn',
  Missing: 'warn',
  Unknown: 'muted',
  failed: 'bad',
  aborted: 'bad',
  Degraded: 'bad',
  ok: 'ok',
  warning: 'warn',
  error: 'bad',
  bad: 'bad',
  warn: 'warn',
  busy: 'busy',
  wait: 'wait',
  muted: 'muted',
};

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(ACTIVE);

/** A unified diff's lines, one text node each (for a <pre>), marked file/hunk/add/del/ctx for styling. */
export function diffLines(diff: string): { body: SafeHtml[]; count: number } {
  const lines = diff.replace(/\n$/, '').split('\n');
  const kind = (l: string): string =>
    l.startsWith('+++') || l.startsWith('---')
      ? 'file'
      : l.startsWith('@@')
        ? 'hunk'
        : l.startsWith('+')
          ? 'add'
          : l.startsWith('-')
            ? 'del'
            : 'ctx';
  return { body: lines.map((l) => html`<span class="diff-${kind(l)}">${l}</span>${'\n'}`), count: lines.length };
}

export function chip(status: string | null | undefined, label?: string): SafeHtml {
  const s = status ?? 'unknown';
  return html`<span class="chip chip-${TONES[s] ?? 'muted'}" data-status="${s}">${label ?? s.replace(/_/g, ' ')}</span>`;
}

/** `3 min ago`, `in 2 h`, `just now`: how far `ms` is from `now`. */
export function relative(ms: number, now = Date.now()): string {
  const s = Math.round((ms - now) / 1000);
  const a = Math.abs(s);
  if (a < 10) return 'just now';
  const [n, unit] =
    a < 60 ? [a, 's'] : a < 3600 ? [Math.round(a / 60), 'min'] : a < 86_400 ? [Math.round(a / 3600), 'h'] : [Math.round(a / 86_400), 'd'];
  return s < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** A moment shown relative to now ("3 min ago"), the absolute local time on hover. */
export function time(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const d = new Date(iso);
  return html`<time datetime="${iso}" title="${d.toLocaleString()} (${iso})">${relative(d.getTime())}</time>`;
}

export function duration(from: string | null, to: string | null): string {
  if (!from) return '';
  const ms = (to ? new Date(to).getTime() : Date.now()) - new Date(from).getTime();
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** How long until `iso`, e.g. `4 min 10 s` (`0 s` once past). */
export function remaining(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const VERIFICATION_TONE: Record<string, string> = { verified: 'ok', soaking: 'busy', verifying: 'busy', failed: 'bad', revoked: 'bad' };

/**
 * A release's verification state in an environment: `verified`, `soaking · 4 min left` (the countdown ticks with
 * every refresh; data-soak-until lets a page tick it faster), `revoked` / `failed` with the reason on hover.
 */
export function verificationChip(v: { state: string; soakUntil: string | null; reason: string | null } | null | undefined): SafeHtml {
  if (!v) return html``;
  const label = v.state === 'soaking' && v.soakUntil ? `soaking · ${remaining(v.soakUntil)} left` : v.state;
  return html`<span
    class="chip chip-${VERIFICATION_TONE[v.state] ?? 'muted'} verification"
    data-verification="${v.state}"
    data-soak-until="${v.soakUntil ?? ''}"
    title="${v.reason ?? (v.soakUntil ? `soak ends ${v.soakUntil}` : v.state)}"
    >${label}</span
  >`;
}

export function releaseLink(id: string | null | undefined, full = false): SafeHtml {
  if (!id) return html`<span class="muted">—</span>`;
  return html`<a class="mono" href="${route('releases', id)}" title="${id}">${full ? id : shortId(id)}</a>`;
}

export function deploymentLink(env: string, id: number, label?: string): SafeHtml {
  return html`<a href="${route('environments', env, 'deployments', id)}">${label ?? `#${id}`}</a>`;
}

export function errorBox(err: unknown, context?: string): SafeHtml {
  if (!(err instanceof ApiFailure)) {
    return html`<div class="error" role="alert"><strong>${context ?? 'Error'}:</strong> ${(err as Error)?.message ?? String(err)}</div>`;
  }
  const problems = err.problems;
  const missing = (err.details as { missing?: unknown } | undefined)?.missing;
  return html`<div class="error" role="alert" data-code="${err.code}">
    <div>
      <strong>${context ? `${context}: ` : ''}<span class="code">${err.code}</span></strong
      >${err.status ? html` <span class="muted">(HTTP ${err.status})</span>` : ''}
    </div>
    <div class="error-message">${err.message}</div>
    ${Array.isArray(missing) ? html`<div>Missing upstream: ${missing.map(String).join(', ')}</div>` : ''}
    ${
      problems.length > 0
        ? html`<table class="problems">
            <caption>
              ${err.problemCount > problems.length ? `first ${problems.length} of ` : ''}${err.problemCount}
              problem${err.problemCount === 1 ? '' : 's'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">Code</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              ${problems.map(
                (p) =>
                  html`<tr>
                    <td class="mono">${p.path}</td>
                    <td class="mono">${p.code}</td>
                    <td>${p.message}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
    ${err.code === 'UNAUTHENTICATED' ? html`<div><a href="#/signin">Sign in again</a></div>` : ''}
    <div class="muted small">requestId <span class="mono request-id">${err.requestId ?? 'n/a'}</span></div>
  </div>`;
}

export interface ServiceRow {
  group: string;
  service: string;
  kind: string;
  optional: boolean;
  container: string;
  repo: string;
  tag: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flattens a template or a descriptor (group → service → kind → containers → {repo, tag}). */
export function serviceRows(doc: unknown): ServiceRow[] {
  const rows: ServiceRow[] = [];
  if (!isObj(doc)) return rows;
  for (const group of Object.keys(doc).sort()) {
    const services = doc[group];
    if (!isObj(services)) continue;
    for (const service of Object.keys(services).sort()) {
      const kinds = services[service];
      if (!isObj(kinds)) continue;
      for (const [kind, workload] of Object.entries(kinds)) {
        if (!isObj(workload) || !isObj(workload.containers)) continue;
        for (const container of Object.keys(workload.containers).sort()) {
          const c = workload.containers[container];
          if (!isObj(c)) continue;
          rows.push({
            group,
            service,
            kind,
            optional: workload.optional === true,
            container,
            repo: String(c.repo ?? ''),
            tag: String(c.tag ?? ''),
          });
        }
      }
    }
  }
  return rows;
}

export const PLACEHOLDER = /<([A-Z][A-Z0-9_]*)>/g;
const HAS_PLACEHOLDER = /<[A-Z][A-Z0-9_]*>/;

export function placeholdersOf(doc: unknown): string[] {
  const names = new Set<string>();
  for (const r of serviceRows(doc)) for (const m of r.tag.matchAll(PLACEHOLDER)) if (m[1]) names.add(m[1]);
  return [...names].sort();
}

export function containerPath(r: ServiceRow): string {
  return `${r.group}.${r.service}.${r.kind}.containers.${r.container}`;
}

/**
 * The services table. With `template` (the template revision the release used), each tag says whether it
 * moves with the release (from a placeholder), is pinned by the template, or is an acknowledged override.
 */
export function servicesTable(doc: unknown, opts: { template?: unknown; overrides?: Override[]; caption?: string } = {}): SafeHtml {
  const rows = serviceRows(doc);
  const tpl = new Map(opts.template ? serviceRows(opts.template).map((r) => [containerPath(r), r]) : []);
  const overridden = new Set((opts.overrides ?? []).map((o) => o.path));
  const templateMode = opts.template === undefined && rows.some((r) => HAS_PLACEHOLDER.test(r.tag));
  const kindOf = (r: ServiceRow): SafeHtml => {
    const path = containerPath(r);
    if (overridden.has(`${path}.tag`)) return chip('warn', 'override');
    const t = opts.template === undefined ? r : tpl.get(path);
    if (!t) return html`<span class="muted">—</span>`;
    return HAS_PLACEHOLDER.test(t.tag)
      ? html`<span class="chip chip-busy" title="template tag ${t.tag}">moves</span>`
      : html`<span class="chip chip-muted" title="pinned by the template">pinned</span>`;
  };
  const showState = opts.template !== undefined || templateMode;
  return html`<table class="services">
    ${
      opts.caption
        ? html`<caption>
            ${opts.caption}
          </caption>`
        : ''
    }
    <thead>
      <tr>
        <th scope="col">Group</th>
        <th scope="col">Service</th>
        <th scope="col">Kind</th>
        <th scope="col">Container</th>
        <th scope="col">Repository</th>
        <th scope="col">Tag</th>
        ${showState ? html`<th scope="col">Moves / pinned</th>` : ''}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr data-service="${r.service}" data-container="${r.container}">
            <td>${r.group}</td>
            <td>${r.service}${r.optional ? html` <span class="chip chip-muted">optional</span>` : ''}</td>
            <td>${r.kind}</td>
            <td>${r.container}</td>
            <td class="mono">${r.repo}</td>
            <td class="mono tag">${r.tag}</td>
            ${showState ? html`<td>${kindOf(r)}</td>` : ''}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function change(c: { from: string; to: string } | null): SafeHtml {
  if (!c) return html`<span class="muted">unchanged</span>`;
  return html`<span class="mono">${c.from}</span> → <span class="mono">${c.to}</span>`;
}

function diffRow(e: DiffEntry): SafeHtml {
  switch (e.type) {
    case 'image-changed':
      return html`<tr>
        <td>${chip('busy', 'image changed')}</td>
        <td class="mono">${e.path}</td>
        <td>repo: ${change(e.repo)}<br />tag: ${change(e.tag)}</td>
      </tr>`;
    case 'workload-kind-changed':
      return html`<tr>
        <td>${chip('warn', 'kind changed')}</td>
        <td class="mono">${e.path}</td>
        <td>${change(e.kind)}</td>
      </tr>`;
    case 'service-added':
    case 'service-removed':
      return html`<tr>
        <td>${chip(e.type === 'service-added' ? 'ok' : 'bad', e.type.replace('-', ' '))}</td>
        <td class="mono">${e.path}</td>
        <td>${e.kind}</td>
      </tr>`;
    case 'container-added':
    case 'container-removed':
      return html`<tr>
        <td>${chip(e.type === 'container-added' ? 'ok' : 'bad', e.type.replace('-', ' '))}</td>
        <td class="mono">${e.path}</td>
        <td class="mono">${e.repo}:${e.tag}</td>
      </tr>`;
  }
}

export function diffTable(diff: ReleaseDiff, caption: string): SafeHtml {
  if (diff.identical) return html`<p class="muted">No component changes (${caption}).</p>`;
  return html`<table class="diff">
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Change</th>
        <th scope="col">Path</th>
        <th scope="col">Details</th>
      </tr>
    </thead>
    <tbody>
      ${diff.changes.map(diffRow)}${diff.overrides.map(
        (o) =>
          html`<tr>
            <td>${chip('warn', `override ${o.change}`)}</td>
            <td class="mono">${o.path}</td>
            <td>
              ${o.from ? html`<span class="mono">${o.from.value}</span>` : '—'} →
              ${o.to ? html`<span class="mono">${o.to.value}</span>` : '—'}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function statusOptions(selected: string): SafeHtml {
  const all = ['', ...PROMOTION_STATUSES];
  return html`${all.map((s) => html`<option value="${s}" ${s === selected ? html`selected` : ''}>${s === '' ? 'any status' : s.replace(/_/g, ' ')}</option>`)}`;
}
