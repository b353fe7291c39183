// Environments board: one column per environment in display order with its current release, last
// deployment and live Argo CD sync/health per application; refreshed every few seconds.
import { get } from '../api.js';
import { mayActOn, type Ctx } from '../app.js';
import { chip, deploymentLink, errorBox, releaseLink, time, verificationChip } from '../components.js';
import { $, html, mount, route, type SafeHtml } from '../html.js';
import type { EnvironmentList, EnvironmentView, LiveApp, ReleaseSummary } from '../types.js';

const REFRESH_MS = 5000;
const releaseCache = new Map<string, Promise<ReleaseSummary | null>>();

/** Releases are immutable: each is fetched once per page load. */
export function releaseSummary(id: string): Promise<ReleaseSummary | null> {
  let p = releaseCache.get(id);
  if (!p) {
    p = get<ReleaseSummary>(`/v2/releases/${encodeURIComponent(id)}`).catch(() => {
      releaseCache.delete(id);
      return null;
    });
    releaseCache.set(id, p);
  }
  return p;
}

function liveRow(app: LiveApp): SafeHtml {
  const match =
    app.matchesCurrentRelease === true
      ? html`<span class="chip chip-ok" title="workloads carry the current release id">release ✓</span>`
      : app.matchesCurrentRelease === false
        ? html`<span class="chip chip-bad" title="workloads run release ${app.releaseId ?? '?'}">drift</span>`
        : '';
  // An environment spanning several clusters lists each application once per cluster.
  return html`<li class="live-app" data-app="${app.name}" data-cluster="${app.cluster ?? ''}">
    <span class="app-name mono">${app.cluster ? `${app.cluster}/` : ''}${app.name}</span>
    <span class="chips"
      >${chip(app.sync ?? 'Unknown', app.sync ?? 'sync ?')} ${chip(app.health ?? 'Unknown', app.health ?? 'health ?')} ${match}</span
    >
    ${app.error ? html`<div class="small error-text">${app.error}</div>` : ''}
  </li>`;
}

async function column(env: EnvironmentView): Promise<SafeHtml> {
  const current = env.currentReleaseId ? await releaseSummary(env.currentReleaseId) : null;
  const last = env.lastDeployment;
  const c = env.config;
  return html`<section class="card env-column" data-env="${env.name}" aria-labelledby="env-${env.name}">
    <header class="env-head">
      <h2 id="env-${env.name}"><a href="${route('environments', env.name, 'history')}">${env.name}</a></h2>
      <div class="chips">
        ${c.protected ? html`<span class="chip chip-wait">protected</span>` : ''}
        ${c.approvalsRequired ? html`<span class="chip chip-wait">${c.approvalsRequired} approval${c.approvalsRequired === 1 ? '' : 's'}</span>` : ''}
      </div>
      ${c.upstream && c.upstream.length ? html`<div class="small muted">after ${c.upstream.join(', ')}</div>` : ''}
    </header>
    <dl class="kv">
      <dt>Current release</dt>
      <dd class="current-release">
        ${
          env.currentReleaseId
            ? html`${current ? html`<span class="version">${current.productVersion}</span>` : ''} ${releaseLink(env.currentReleaseId)}
              ${verificationChip(env.verification)}`
            : html`<span class="muted">none yet</span>`
        }
      </dd>
      <dt>Last deployment</dt>
      <dd class="last-deployment">
        ${
          last
            ? html`${chip(last.status)} ${deploymentLink(env.name, last.id)} of
                ${releaseLink(last.releaseId)}${last.isRollback ? html` <span class="chip chip-warn">rollback</span>` : ''}
                <div class="small muted">
                  ${last.startedBy} ·
                  ${time(last.finishedAt ?? last.createdAt)}${last.currentStep && last.status !== 'succeeded' ? ` · step ${last.currentStep}` : ''}
                </div>`
            : html`<span class="muted">never deployed</span>`
        }
      </dd>
    </dl>
    <h3 class="sub">Argo CD applications</h3>
    ${
      env.live === null
        ? html`<p class="muted small">live status not requested</p>`
        : env.live.length === 0
          ? html`<p class="muted small">no applications yet (nothing deployed)</p>`
          : html`<ul class="live">
              ${env.live.map(liveRow)}
            </ul>`
    }
    <p class="small env-links">
      <a href="${route('environments', env.name, 'history')}">History →</a>
      ${mayActOn(env.name) ? html`<a class="preflight-link" href="${route('environments', env.name, 'preflight')}">Preflight →</a>` : ''}
    </p>
  </section>`;
}

export async function boardScreen(ctx: Ctx): Promise<void> {
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Environments</h1>
        <span class="muted small" role="status" id="board-updated"></span>
        <button type="button" class="secondary" id="board-refresh">Refresh</button>
      </div>
      <div id="board-error"></div>
      <div id="board" class="board" aria-live="off"><p class="muted">Loading…</p></div>`,
  );
  const load = async (): Promise<void> => {
    try {
      const { environments } = await get<EnvironmentList>('/v1/environments?live=true');
      const columns = await Promise.all(environments.map(column));
      if (!ctx.alive()) return;
      mount(
        $('#board', ctx.root),
        environments.length
          ? html`${columns}`
          : html`<p class="card">No environments are configured (<code>PUT /v1/environments/:env</code>).</p>`,
      );
      mount($('#board-error', ctx.root), html``);
      mount($('#board-updated', ctx.root), html`updated ${new Date().toLocaleTimeString()} · every ${REFRESH_MS / 1000} s`);
    } catch (err) {
      if (ctx.alive()) mount($('#board-error', ctx.root), errorBox(err, 'Could not load environments'));
    }
  };
  $('#board-refresh', ctx.root).addEventListener('click', () => void load());
  await load();
  ctx.every(REFRESH_MS, load);
}
