// Shared pieces of the admin screens (tokens, audit log, templates, environment edit): the admin sub-navigation,
// the refusal of a non-admin, validation problems shown next to a JSON text (with the line each one points at),
// and a unified diff drawn line by line. Everything from the API is text (html`` escapes it).
import { ApiFailure } from './api.js';
import { currentUser } from './app.js';
import { diffLines, errorBox } from './components.js';
import { html, type SafeHtml } from './html.js';

const SECTIONS: Array<[string, string]> = [
  ['tokens', 'Tokens'],
  ['audit', 'Audit log'],
  ['templates', 'Templates'],
  ['environments', 'Environments'],
];

export function adminNav(current: string): SafeHtml {
  return html`<nav class="subnav" aria-label="Administration">
    ${SECTIONS.map(([id, label]) => html`<a href="#/admin/${id}" ${id === current ? html`aria-current="page"` : ''}>${label}</a>`)}
  </nav>`;
}

/** A 403 from an admin endpoint, said plainly (who you are, what is needed), then the API's error itself. */
export function adminError(err: unknown, context: string): SafeHtml {
  if (err instanceof ApiFailure && err.status === 403) {
    const me = currentUser();
    return html`<div class="callout callout-warn admin-only">
        <strong>Administrators only.</strong> This page needs a token with the <code>admin</code> role${
          me ? html`; you are signed in as <strong>${me.name}</strong> (${me.role})` : ''
        }.
        Ask an administrator, or <a href="#/signin">sign in</a> with another token.
      </div>
      ${errorBox(err, context)}`;
  }
  return errorBox(err, context);
}

export interface ProblemItem {
  path: string;
  code: string;
  message: string;
}

/**
 * Every problem an API error names: `details.problems` ({path, code, message} or plain sentences, as
 * ENVIRONMENT_INVALID sends), `details.issues` (VALIDATION_FAILED), else the message itself.
 */
export function problemItems(err: unknown): ProblemItem[] {
  if (!(err instanceof ApiFailure)) return [{ path: '', code: 'ERROR', message: (err as Error)?.message ?? String(err) }];
  const details = (err.details ?? {}) as { problems?: unknown; issues?: unknown };
  const out: ProblemItem[] = [];
  for (const list of [details.problems, details.issues]) {
    if (!Array.isArray(list)) continue;
    for (const p of list as unknown[]) {
      if (typeof p === 'string') out.push({ path: '', code: err.code, message: p });
      else if (typeof p === 'object' && p !== null) {
        const o = p as Record<string, unknown>;
        out.push({ path: String(o.path ?? ''), code: String(o.code ?? err.code), message: String(o.message ?? '') });
      }
    }
  }
  return out.length > 0 ? out : [{ path: '', code: err.code, message: err.message }];
}

/**
 * The 1-based line of a JSON text where a dotted path (`core.api.Deployment.containers.api.tag`) is written, found
 * by looking for each key after the previous one; null when a key is not found. Good enough for the pretty-printed
 * documents the editors show; array indexes are skipped.
 */
export function lineOfPath(text: string, path: string): number | null {
  if (!path) return null;
  let at = 0;
  for (const key of path.split('.')) {
    if (/^\d+$/.test(key)) continue;
    const found = text.indexOf(`${JSON.stringify(key)}:`, at);
    if (found < 0) return null;
    at = found + key.length;
  }
  return text.slice(0, at).split('\n').length;
}

/** The problems of a refused save, as a list next to the text it is about (`id` is the list's id for aria-describedby). */
export function problemList(id: string, err: unknown, text: string, heading: string): SafeHtml {
  const items = problemItems(err);
  const code = err instanceof ApiFailure ? err.code : 'ERROR';
  const status = err instanceof ApiFailure && err.status ? ` (HTTP ${err.status})` : '';
  const requestId = err instanceof ApiFailure ? err.requestId : null;
  return html`<div class="error problems-inline" role="alert" id="${id}" data-code="${code}">
    <strong>${heading}: <span class="code">${code}</span>${status}</strong>
    <ul>
      ${items.map((p) => {
        const line = lineOfPath(text, p.path);
        return html`<li data-path="${p.path}" data-line="${line ?? ''}">
          ${p.path ? html`<span class="mono">${p.path}</span>` : ''}
          ${line ? html`<button type="button" class="goto-line" data-line="${line}">line ${line}</button>` : ''}
          ${p.path || line ? html`<br />` : ''}${p.message} <span class="muted small">${p.code}</span>
        </li>`;
      })}
    </ul>
    ${requestId ? html`<div class="muted small">requestId <span class="mono request-id">${requestId}</span></div>` : ''}
  </div>`;
}

/** "line N" buttons of a problem list select that line of the text (and scroll it into view). */
export function linkProblemLines(list: HTMLElement, text: HTMLTextAreaElement): void {
  list.addEventListener('click', (ev) => {
    const line = Number((ev.target as HTMLElement).closest<HTMLElement>('button.goto-line')?.dataset.line);
    if (!line) return;
    const lines = text.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    const height = parseFloat(getComputedStyle(text).lineHeight) || 18;
    text.scrollTop = Math.max(0, (line - 4) * height);
  });
}

/** A JSON text typed by the user, parsed; a syntax error becomes the same inline problem list as the API's. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: Error } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: new Error(`Not valid JSON: ${(err as Error).message}`) };
  }
}

export const pretty = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** A unified diff (domain/text-diff.ts), one text node per line inside <pre>, marked for styling. */
export function diffText(diff: string, label: string): SafeHtml {
  if (diff === '') return html`<p class="muted" id="diff-empty">${label}: identical.</p>`;
  const { body } = diffLines(diff);
  return html`<figure class="text-diff">
    <figcaption>${label}</figcaption>
    <pre class="diff-text" tabindex="0">${body}</pre>
  </figure>`;
}

/** Comma- or space-separated words of a form field, trimmed, without empties. */
export function words(value: FormDataEntryValue | null): string[] {
  return String(value ?? '')
    .split(/[\s,]+/)
    .filter((w) => w.length > 0);
}
