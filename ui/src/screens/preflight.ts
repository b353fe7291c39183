// Preflight of one environment: runs POST /v1/environments/:env/preflight (read-only checks of Git, Argo CD and
// Kubernetes; admins and promoters with the environment in scope) when opened and on "Run again", and shows every
// check with its status and message, grouped by target, and the pending Git diff when there is one. Everything
// from the report is text (html`` escapes it); the API never puts a secret in it.
import { api } from '../api.js';
import { mayActOn, type Ctx } from '../app.js';
import { chip, diffLines, errorBox, releaseLink, time } from '../components.js';
import { $, html, mount, route, type SafeHtml } from '../html.js';
import type { PreflightCheck, PreflightReport } from '../types.js';

const TARGETS: Array<{ target: PreflightCheck['target']; title: string }> = [
  { target: 'git', title: 'Git' },
  { target: 'argocd', title: 'Argo CD' },
  { target: 'kubernetes', title: 'Kubernetes' },
];

/** A unified diff, one line each, marked added/removed/hunk for styling; every line is text. */
function diffBlock(diff: string): SafeHtml {
  // One text node per line inside <pre>: no formatting whitespace may reach it.
  const { body, count } = diffLines(diff);
  return html`<details class="preflight-diff" open>
    <summary>Pending change (${count} line${count === 1 ? '' : 's'})</summary>
    <pre class="diff-text">${body}</pre>
  </details>`;
}

function checkRow(c: PreflightCheck): SafeHtml {
  return html`<tr data-check="${c.id}" data-status="${c.status}">
    <td>${chip(c.status)}</td>
    <td class="mono small">${c.id}</td>
    <td>
      <div class="check-message">${c.message}</div>
      ${c.diff ? diffBlock(c.diff) : ''}
    </td>
  </tr>`;
}

/** The report: the summary card, then one table of checks per target (also shown by the environment editor). */
export function preflightReport(r: PreflightReport): SafeHtml {
  const count = (s: string) => r.checks.filter((c) => c.status === s).length;
  const errors = count('error');
  const warnings = count('warning');
  return html`<section class="card" aria-labelledby="preflight-summary-h">
      <h2 id="preflight-summary-h">Result ${chip(r.status)}</h2>
      <dl class="kv">
        <dt>Checks</dt>
        <dd id="preflight-counts">
          ${r.checks.length} checks · ${errors} error${errors === 1 ? '' : 's'} · ${warnings} warning${warnings === 1 ? '' : 's'}
        </dd>
        <dt>Compared with</dt>
        <dd>
          ${r.releaseId ? html`current release ${releaseLink(r.releaseId)}` : html`<span class="muted">no current release yet</span>`}
        </dd>
        <dt>Groups</dt>
        <dd>${r.groups.length ? r.groups.join(', ') : html`<span class="muted">none known</span>`}</dd>
        <dt>Checked</dt>
        <dd>${time(r.checkedAt)} <span class="muted small">in ${r.durationMs} ms</span></dd>
      </dl>
    </section>
    ${TARGETS.map(({ target, title }) => {
      const checks = r.checks.filter((c) => c.target === target);
      return html`<table class="card-table preflight-checks" data-target="${target}">
        <caption>
          ${title}${checks.length === 0 ? ' — not checked (an earlier check failed)' : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Check</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          ${checks.map(checkRow)}
        </tbody>
      </table>`;
    })}`;
}

export async function preflightScreen(ctx: Ctx): Promise<void> {
  const env = ctx.path[1] ?? '';
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Preflight of ${env}</h1>
        <a href="${route('environments', env, 'history')}">History</a>
        <a href="#/environments">← Environments</a>
      </div>
      <p class="muted small">
        Read-only checks of the environment's configuration against Git, Argo CD and Kubernetes: nothing is written anywhere.
      </p>
      <div class="buttons"><button type="button" id="preflight-run">Run again</button></div>
      <p class="muted" role="status" aria-live="polite" id="preflight-status"></p>
      <div id="preflight-result"></div>`,
  );
  const button = $('#preflight-run', ctx.root) as HTMLButtonElement;
  const status = $('#preflight-status', ctx.root);
  const out = $('#preflight-result', ctx.root);
  if (!mayActOn(env)) {
    mount(status, html`Your token may not run the preflight of ${env} (admin, or promoter with ${env} in scope); the API will refuse it.`);
  }
  const run = async (): Promise<void> => {
    button.disabled = true;
    mount(status, html`Running the preflight of ${env}…`);
    try {
      const res = await api<PreflightReport>('POST', `/v1/environments/${encodeURIComponent(env)}/preflight`);
      if (!ctx.alive()) return;
      mount(out, preflightReport(res.body));
      mount(status, html`Preflight finished: ${res.body.status}`);
    } catch (err) {
      if (!ctx.alive()) return;
      mount(out, errorBox(err, 'Preflight refused'));
      mount(status, html`Preflight did not run`);
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => void run());
  await run();
}
