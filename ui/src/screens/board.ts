// Environments board — the pipeline (the home page): environments as stages of the upstream graph (an
// environment sits one stage after the last of its upstreams), each with its current release (product version
// first), its verification state, what is moving into it right now (status and live step, or why it is parked
// or scheduled), its auto-promotion (what it follows, held or soaking), its freeze and pause state, the live Argo CD sync/health per application, and a "Promote to
// <next>" action for its current release on each downstream environment. Live: every event of the event
// stream (docs/events.md) reloads it; the Argo CD part, which has no events, is re-read every few seconds.
import { api, get } from '../api.js';
import { mayActOn, navigate, type Ctx } from '../app.js';
import { ACTIVE_STATUSES, chip, deploymentLink, errorBox, releaseLink, time, verificationChip } from '../components.js';
import { $, html, mount, route, type SafeHtml } from '../html.js';
import { debounce, follow } from '../live.js';
import type {
  AutoPromotion,
  EnvironmentList,
  EnvironmentStatus,
  EnvironmentView,
  LiveApp,
  PromotionAccepted,
  ReleaseSummary,
} from '../types.js';

const REFRESH_MS = 10_000;
/** The monitor's verdict per application (GET /v1/environments/:env/status), as a chip tone. */
const STATE_TONE: Record<string, string> = {
  'in sync': 'ok',
  progressing: 'busy',
  drifted: 'bad',
  degraded: 'bad',
  missing: 'warn',
  'out-of-sync': 'warn',
  unknown: 'muted',
};
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

interface Pause {
  environment: string | null;
  reason: string;
  pausedBy: string;
}
interface FreezeState {
  frozen: boolean;
  blocks: Array<{ reason: string }>;
  nextOpenAt: string | null;
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

/** Stage of each environment: 0 without upstream, else one after its furthest upstream (the graph has no cycle). */
export function stagesOf(envs: Array<{ name: string; config: { upstream?: string[] } }>): Map<string, number> {
  const byName = new Map(envs.map((e) => [e.name, e]));
  const stage = new Map<string, number>();
  const visit = (name: string, depth: number): number => {
    const known = stage.get(name);
    if (known !== undefined) return known;
    if (depth > envs.length) return 0; // a cycle cannot be stored; stay finite anyway
    const ups = (byName.get(name)?.config.upstream ?? []).filter((u) => byName.has(u));
    const s = ups.length === 0 ? 0 : 1 + Math.max(...ups.map((u) => visit(u, depth + 1)));
    stage.set(name, s);
    return s;
  };
  for (const e of envs) visit(e.name, 0);
  return stage;
}

function moving(env: EnvironmentView): SafeHtml {
  const last = env.lastDeployment;
  if (!last || !ACTIVE_STATUSES.has(last.status)) return html``;
  const why = last.status === 'scheduled' && last.scheduledFor ? html` · starts ${time(last.scheduledFor)}` : '';
  return html`<div class="moving" data-status="${last.status}">
    ${chip(last.status)} ${deploymentLink(env.name, last.id)} of
    ${releaseLink(last.releaseId)}${last.currentStep ? html` · <span class="mono">${last.currentStep}</span>` : ''}${why}
    ${last.message && last.status !== 'running' ? html`<div class="small park-reason">${last.message}</div>` : ''}
  </div>`;
}

/** Tone of each auto-promotion state (GET /v1/environments/:env/auto-promotion). */
const AUTO_TONE: Record<string, string> = {
  held: 'bad',
  paused: 'bad',
  blocked: 'warn',
  frozen: 'warn',
  soaking: 'wait',
  promoting: 'busy',
};

/** The environment's auto-promotion: what it follows, and what it waits for or promotes now (docs/governance.md). */
function autoPromotion(auto: AutoPromotion | null): SafeHtml {
  if (!auto?.config) return html``;
  const soak = auto.config.soakSeconds ? ` · soak ${auto.config.soakSeconds} s` : '';
  const eta = auto.state === 'soaking' && auto.candidate ? html` · eligible ${time(auto.candidate.eligibleAt)}` : '';
  return html`<div class="auto-promotion" data-state="${auto.state}">
    ${chip(AUTO_TONE[auto.state] ?? 'muted', auto.state)} from <span class="mono">${auto.config.from}</span> when
    ${auto.config.when}${soak}${eta}
    ${auto.hold ? html`<div class="small park-reason">held by ${auto.hold.heldBy} ${time(auto.hold.heldAt)}: ${auto.hold.reason}</div>` : ''}
    ${auto.message && !auto.hold ? html`<div class="small muted">${auto.message}</div>` : ''}
  </div>`;
}

function nextActions(env: EnvironmentView, all: EnvironmentView[], current: ReleaseSummary | null): SafeHtml {
  if (!env.currentReleaseId) return html``;
  const downstream = all.filter(
    (d) => (d.config.upstream ?? []).includes(env.name) && d.currentReleaseId !== env.currentReleaseId && mayActOn(d.name),
  );
  return html`${downstream.map(
    (d) =>
      html`<button type="button" class="promote-next secondary" data-release="${env.currentReleaseId ?? ''}" data-env="${d.name}">
        Promote ${current?.productVersion ?? 'current'} to ${d.name}
      </button>`,
  )}`;
}

async function column(
  env: EnvironmentView,
  all: EnvironmentView[],
  pauses: Pause[],
  freeze: FreezeState | null,
  status: EnvironmentStatus | null,
  auto: AutoPromotion | null,
): Promise<SafeHtml> {
  const incidents = status?.openIncidents ?? [];
  const current = env.currentReleaseId ? await releaseSummary(env.currentReleaseId) : null;
  const last = env.lastDeployment;
  const c = env.config;
  const paused = pauses.filter((p) => p.environment === null || p.environment === env.name);
  return html`<section class="card env-column" data-env="${env.name}" aria-labelledby="env-${env.name}">
    <header class="env-head">
      <h2 id="env-${env.name}"><a href="${route('environments', env.name, 'history')}">${env.name}</a></h2>
      <div class="chips">
        ${c.protected ? html`<span class="chip chip-wait">protected</span>` : ''}
        ${c.approvalsRequired ? html`<span class="chip chip-wait">${c.approvalsRequired} approval${c.approvalsRequired === 1 ? '' : 's'}</span>` : ''}
        ${
          env.queueLength
            ? html`<a
                class="chip chip-wait queue-length"
                href="${route('environments', env.name, 'history')}"
                title="promotions waiting in the queue"
                >${env.queueLength} queued</a
              >`
            : ''
        }
        ${paused.map((p) => html`<span class="chip chip-bad paused" title="paused by ${p.pausedBy}: ${p.reason}">paused</span>`)}
        ${
          incidents.length
            ? html`<a
                class="chip chip-bad incidents-badge"
                href="${route('environments', env.name, 'incidents')}"
                title="${incidents.map((i) => i.summary).join('\n')}"
                >${incidents.length} incident${incidents.length === 1 ? '' : 's'}</a
              >`
            : ''
        }
        ${
          freeze?.frozen
            ? html`<span
                class="chip chip-warn frozen"
                title="${freeze.blocks.map((b) => b.reason).join('; ')}${freeze.nextOpenAt ? ` · opens ${freeze.nextOpenAt}` : ''}"
                >frozen</span
              >`
            : ''
        }
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
      <dt>Moving in</dt>
      <dd class="moving-in">${moving(env)}</dd>
      ${
        auto?.config
          ? html`<dt>Auto-promotion</dt>
              <dd>${autoPromotion(auto)}</dd>`
          : ''
      }
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
    <div class="next-actions">${nextActions(env, all, current)}</div>
    ${
      status && status.applications.length
        ? html`<ul class="plain monitor-states small">
            ${status.applications.map(
              (a) =>
                html`<li data-app="${a.application}" data-state="${a.state}">
                  ${chip(STATE_TONE[a.state] ?? 'muted', a.state)} <span class="mono">${a.application}</span>
                  ${a.problems.length ? html`<div class="small muted">${a.problems.join('; ')}</div>` : ''}
                </li>`,
            )}
          </ul>`
        : ''
    }
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
      <a href="${route('environments', env.name, 'incidents')}">Incidents →</a>
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
        <a class="small" href="#/matrix">Release matrix →</a>
        <button type="button" class="secondary" id="board-refresh">Refresh</button>
      </div>
      <div id="board-error"></div>
      <div id="board" class="board pipeline" aria-live="off"><p class="muted">Loading…</p></div>`,
  );
  let connected = false;
  let updatedAt = '';
  const status = () => {
    if (ctx.alive() && updatedAt)
      mount($('#board-updated', ctx.root), html`updated ${updatedAt} · ${connected ? 'live' : `every ${REFRESH_MS / 1000} s`}`);
  };
  const load = async (): Promise<void> => {
    try {
      const [{ environments }, { pauses }] = await Promise.all([
        get<EnvironmentList>('/v1/environments?live=true'),
        get<{ pauses: Pause[] }>('/v1/pauses'),
      ]);
      const one = <T>(e: { name: string }, what: string) =>
        get<T>(`/v1/environments/${encodeURIComponent(e.name)}/${what}`).catch(() => null);
      const [freezes, statuses, autos] = await Promise.all([
        Promise.all(environments.map((e) => one<FreezeState>(e, 'freeze'))),
        Promise.all(environments.map((e) => one<EnvironmentStatus>(e, 'status'))),
        Promise.all(environments.map((e) => (e.config.autoPromote ? one<AutoPromotion>(e, 'auto-promotion') : null))),
      ]);
      const stage = stagesOf(environments);
      const stages = [...new Set(environments.map((e) => stage.get(e.name) ?? 0))].sort((a, b) => a - b);
      const columns = await Promise.all(
        environments.map((e, i) => column(e, environments, pauses, freezes[i] ?? null, statuses[i] ?? null, autos[i] ?? null)),
      );
      if (!ctx.alive()) return;
      mount(
        $('#board', ctx.root),
        environments.length
          ? html`${stages.map(
              (s, i) =>
                html`${i > 0 ? html`<div class="stage-arrow" aria-hidden="true">→</div>` : ''}
                  <div class="stage" data-stage="${s}">${environments.map((e, j) => (stage.get(e.name) === s ? columns[j] : ''))}</div>`,
            )}`
          : html`<p class="card">No environments are configured (<code>PUT /v1/environments/:env</code>).</p>`,
      );
      mount($('#board-error', ctx.root), html``);
      updatedAt = new Date().toLocaleTimeString();
      status();
    } catch (err) {
      if (ctx.alive()) mount($('#board-error', ctx.root), errorBox(err, 'Could not load environments'));
    }
  };
  $('#board-refresh', ctx.root).addEventListener('click', () => void load());
  $('#board', ctx.root).addEventListener('click', (ev) => {
    const button = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.promote-next');
    if (!button) return;
    void promoteNext(ctx, button);
  });
  await load();
  const reload = debounce(250, () => void load());
  void follow({}, ctx.signal, reload, (on) => {
    connected = on;
    status();
  });
  ctx.every(REFRESH_MS, load);
}

async function promoteNext(ctx: Ctx, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const res = await api<PromotionAccepted>('POST', `/v2/releases/${encodeURIComponent(button.dataset.release ?? '')}/promote`, {
      environment: button.dataset.env,
    });
    navigate(route('environments', res.body.environment, 'deployments', res.body.deploymentId));
  } catch (err) {
    button.disabled = false;
    if (ctx.alive()) mount($('#board-error', ctx.root), errorBox(err, `Could not promote to ${button.dataset.env ?? ''}`));
  }
}
