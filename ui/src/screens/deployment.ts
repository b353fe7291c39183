// Deployment details: where the promotion is, what step it waits on, Git vs Argo CD vs workload health.
// Status, release → environment, previous release, rollback, people and times, commit, a step timeline
// with the last Argo CD observation, component changes, and the operator actions approve / retry / abort.
import { debounce, follow } from '../live.js';
import { api, get } from '../api.js';
import { temporalLink, type Ctx } from '../app.js';
import { ACTIVE_STATUSES, chip, diffTable, duration, errorBox, releaseLink, time } from '../components.js';
import { isAborting, validActions } from '../../../domain/promotion.js';
import { $, html, input, mount, route, type SafeHtml } from '../html.js';
import type { DeploymentDetails, DeploymentSummary, OperatorActionResult, Step } from '../types.js';

const ACTIVE_REFRESH_MS = 1000;
const IDLE_REFRESH_MS = 10_000;

const VALID_WHEN: Record<string, string> = {
  approve: 'awaiting approval (an allowed approver, never the initiator; after the wait timer if there is one)',
  reject: 'awaiting approval (an allowed approver): ends it, the comment is the reason',
  retry: 'awaiting operator: runs the failed step again',
  abort: 'any active state; reverts a pushed commit unless "leave Git as is"',
};

function observation(obs: Record<string, unknown> | null): SafeHtml {
  if (!obs || Object.keys(obs).length === 0) return html``;
  return html`<details class="observation">
    <summary>Observation</summary>
    <pre>${JSON.stringify(obs, null, 2)}</pre>
  </details>`;
}

function stepItem(s: Step, current: string | null): SafeHtml {
  return html`<li
    class="step step-${s.status}"
    data-step="${s.name}"
    data-attempts="${s.attempts}"
    ${s.name === current ? html`aria-current="step"` : ''}
  >
    <div class="step-head">
      <span class="step-name">${s.name}</span> ${chip(s.status)}
      <span class="small muted"
        >${s.attempts} attempt${s.attempts === 1 ? '' : 's'}${s.startedAt ? ` · ${duration(s.startedAt, s.finishedAt)}` : ''}</span
      >
    </div>
    <div class="small muted">
      ${s.startedAt ? html`started ${time(s.startedAt)}` : 'not started'}${s.finishedAt ? html` · finished ${time(s.finishedAt)}` : ''}
    </div>
    ${s.message ? html`<div class="step-message">${s.message}</div>` : ''} ${observation(s.observation)}
  </li>`;
}

function summary(d: DeploymentDetails): SafeHtml {
  const temporal = temporalLink(d.workflowId, d.runId);
  return html`<dl class="kv wide">
    <dt>Release → environment</dt>
    <dd>${releaseLink(d.releaseId, true)} → <a href="${route('environments', d.environment, 'history')}">${d.environment}</a></dd>
    <dt>Previous release</dt>
    <dd>${d.previousReleaseId ? releaseLink(d.previousReleaseId, true) : html`<span class="muted">none (first deployment)</span>`}</dd>
    <dt>Rollback</dt>
    <dd class="rollback">${d.isRollback ? html`<span class="chip chip-warn">yes, an older release</span>` : 'no'}</dd>
    <dt>Started by</dt>
    <dd>${d.startedBy}${d.reason ? html` — <q class="reason">${d.reason}</q>` : ''}</dd>
    <dt>Created</dt>
    <dd>${time(d.createdAt)}</dd>
    <dt>Started / finished</dt>
    <dd>${time(d.startedAt)} / ${time(d.finishedAt)}${d.startedAt ? ` (${duration(d.startedAt, d.finishedAt)})` : ''}</dd>
    <dt>Current step</dt>
    <dd>${d.currentStep ?? html`<span class="muted">—</span>`}</dd>
    <dt>Message</dt>
    <dd class="deployment-message">${d.message ?? html`<span class="muted">—</span>`}</dd>
    <dt>Commit</dt>
    <dd class="mono commit-sha">${d.commitSha ?? html`<span class="muted">not pushed</span>`}</dd>
    ${
      d.revertSha
        ? html`<dt>Revert commit</dt>
            <dd class="mono">${d.revertSha}</dd>`
        : ''
    }
    <dt>Workflow</dt>
    <dd>
      <span class="mono">${d.workflowId}</span
      >${temporal ? html` · <a href="${temporal}" target="_blank" rel="noopener noreferrer" class="temporal-link">Open in Temporal UI ↗</a>` : ''}
    </dd>
  </dl>`;
}

/** What the operator is being asked for, in one line, when the promotion waits on a person. */
function callout(d: DeploymentDetails): SafeHtml {
  if (isAborting(d)) {
    return html`<div class="callout callout-busy" role="note">
      <strong>Aborting…</strong> The promotion is being ended${d.commitSha ? ': reverting its commit and waiting for Argo CD' : ''}.
    </div>`;
  }
  if (d.parkReason === 'sync-window') {
    // The message says which window blocks, when it should open, and that the promotion resumes on its own.
    return html`<div class="callout callout-wait" role="note">
      <strong>Waiting for a sync window at ${d.currentStep ?? 'a step'}</strong>${d.message ? html`: ${d.message}` : ''}.
    </div>`;
  }
  if (d.status === 'awaiting_operator') {
    return html`<div class="callout callout-warn" role="note">
      <strong>Parked at ${d.currentStep ?? 'a step'}</strong>${d.message ? html`: ${d.message}` : ''}. Fix the cause, then
      <em>Retry</em> the step, or <em>Abort</em>.
    </div>`;
  }
  if (d.status === 'awaiting_approval') {
    return html`<div class="callout callout-wait" role="note">
      <strong>Waiting for approval.</strong> An allowed approver other than ${d.startedBy} can <em>Approve</em>; <em>Abort</em> ends it.
    </div>`;
  }
  return html``;
}

function actionsLog(d: DeploymentSummary): SafeHtml {
  if (d.actions.length === 0) return html`<p class="muted small">No operator actions.</p>`;
  return html`<ul class="plain">
    ${d.actions.map(
      (a) =>
        html`<li>
          <strong>${a.action}</strong> by ${a.by} ·
          ${time(a.at)}${a.step ? ` · step ${a.step}` : ''}${a.comment ? html` — <q>${a.comment}</q>` : ''}
        </li>`,
    )}
  </ul>`;
}

export async function deploymentScreen(ctx: Ctx): Promise<void> {
  const env = ctx.path[1] ?? '';
  const id = ctx.path[3] ?? '';
  const path = `/v1/environments/${encodeURIComponent(env)}/deployment-history/${encodeURIComponent(id)}`;
  const first = await get<DeploymentDetails>(path);
  if (!ctx.alive()) return;
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Deployment #${first.id} <span class="muted">in ${first.environment}</span></h1>
        <span id="deployment-status" role="status" aria-live="polite"></span>
        <span class="muted small" id="deployment-updated"></span>
      </div>
      <div id="deployment-error"></div>
      <div id="deployment-callout"></div>
      <div class="columns">
        <div class="col-main">
          <section class="card" aria-labelledby="summary-h">
            <h2 id="summary-h">Summary</h2>
            <div id="deployment-summary"></div>
          </section>
          <section class="card" aria-labelledby="steps-h">
            <h2 id="steps-h">Steps</h2>
            <ol class="timeline" id="steps"></ol>
          </section>
          <section class="card" aria-labelledby="changes-h">
            <h2 id="changes-h">Component changes</h2>
            <div id="changes"></div>
          </section>
        </div>
        <div class="col-side">
          <section class="card" aria-labelledby="ops-h">
            <h2 id="ops-h">Operator actions</h2>
            <form id="ops-form">
              <div class="field">
                <label for="op-comment">Comment (optional)</label><input id="op-comment" maxlength="2000" autocomplete="off" />
              </div>
              <div class="buttons">
                <button type="button" data-action="approve" aria-describedby="hint-approve">Approve</button>
                <button type="button" data-action="reject" class="danger" aria-describedby="hint-reject">Reject</button>
                <button type="button" data-action="retry" aria-describedby="hint-retry">Retry</button>
                <button type="button" data-action="abort" class="danger" aria-describedby="hint-abort">Abort</button>
              </div>
              <label class="check"><input type="checkbox" id="op-leave-git" /> Leave Git as is (abort without a revert commit)</label>
              <ul class="hints small muted">
                ${Object.entries(VALID_WHEN).map(([a, t]) => html`<li id="hint-${a}"><strong>${a}</strong>: ${t}</li>`)}
              </ul>
            </form>
            <div id="op-result" aria-live="polite"></div>
            <h3 class="sub">History of actions</h3>
            <div id="actions-log"></div>
          </section>
        </div>
      </div>`,
  );

  let last = first;
  const paint = (d: DeploymentDetails): void => {
    last = d;
    mount($('#deployment-status', ctx.root), chip(d.status));
    mount($('#deployment-summary', ctx.root), summary(d));
    mount($('#deployment-callout', ctx.root), callout(d));
    mount(
      $('#steps', ctx.root),
      d.steps.length
        ? html`${d.steps.map((s) => stepItem(s, ACTIVE_STATUSES.has(d.status) ? d.currentStep : null))}`
        : html`<li class="muted">No step has started yet${d.status === 'awaiting_approval' ? ' (waiting for approval)' : ''}.</li>`,
    );
    mount(
      $('#changes', ctx.root),
      d.changes
        ? diffTable(d.changes, 'from the previous release')
        : html`<p class="muted">First deployment in this environment: every component is new.</p>`,
    );
    mount($('#actions-log', ctx.root), actionsLog(d));
    // Only the actions that are valid now are enabled (the API refuses the others with 409 INVALID_ACTION).
    const valid = new Set<string>(validActions({ status: d.status, step: d.currentStep, aborting: isAborting(d) }));
    ctx.root.querySelectorAll<HTMLButtonElement>('#ops-form button[data-action]').forEach((b) => {
      b.disabled = !valid.has(b.dataset.action ?? '');
    });
    mount(
      $('#deployment-updated', ctx.root),
      html`updated ${new Date().toLocaleTimeString()}${ACTIVE_STATUSES.has(d.status) ? ' · live' : ''}`,
    );
  };
  const load = async (): Promise<void> => {
    try {
      const d = await get<DeploymentDetails>(path);
      if (!ctx.alive()) return;
      paint(d);
      mount($('#deployment-error', ctx.root), html``);
    } catch (err) {
      if (ctx.alive()) mount($('#deployment-error', ctx.root), errorBox(err, 'Could not refresh'));
    }
  };
  paint(first);

  $('#ops-form', ctx.root).addEventListener('click', (ev) => {
    const button = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (!button) return;
    void act(ctx, path, button, load);
  });

  // Live: every event of this deployment (status, step, operator action) reloads it. The timer is the fallback
  // while the stream is down: fast while the promotion is active, slow afterwards (an operator elsewhere may act).
  let live = false;
  const deploymentId = Number(id);
  if (Number.isSafeInteger(deploymentId)) {
    void follow(
      { deploymentId },
      ctx.signal,
      debounce(150, () => void load()),
      (on) => {
        live = on;
      },
    );
  }
  let sinceIdle = 0;
  ctx.every(ACTIVE_REFRESH_MS, async () => {
    if (live || !ACTIVE_STATUSES.has(last.status)) {
      sinceIdle += ACTIVE_REFRESH_MS;
      if (sinceIdle < IDLE_REFRESH_MS) return true;
    }
    sinceIdle = 0;
    await load();
    return true;
  });
}

async function act(ctx: Ctx, path: string, button: HTMLButtonElement, reload: () => Promise<void>): Promise<void> {
  const action = button.dataset.action ?? '';
  const out = $('#op-result', ctx.root);
  const comment = input('#op-comment', ctx.root).value.trim();
  const leaveGit = input('#op-leave-git', ctx.root).checked;
  if (action === 'reject' && !comment) {
    mount(out, html`<p class="error" role="alert">A rejection needs a reason: write it in the comment.</p>`);
    return;
  }
  if (
    action === 'abort' &&
    !window.confirm(leaveGit ? 'Abort this promotion and leave Git as it is?' : 'Abort this promotion? A pushed commit will be reverted.')
  )
    return;
  const body: Record<string, unknown> = {};
  if (comment) body.comment = comment;
  if (action === 'abort' && leaveGit) body.leaveGit = true;
  const buttons = ctx.root.querySelectorAll<HTMLButtonElement>('#ops-form button');
  buttons.forEach((b) => (b.disabled = true));
  mount(out, html`<p class="muted" role="status">Sending ${action}…</p>`);
  try {
    const res = await api<OperatorActionResult>('POST', `${path}/${action}`, body);
    if (!ctx.alive()) return;
    mount(
      out,
      html`<p class="ok" role="status">
        <strong>${action}</strong> accepted: now
        ${chip(res.body.status)}${res.body.approvals !== undefined ? ` · ${res.body.approvals} approval(s)` : ''}
      </p>`,
    );
    input('#op-comment', ctx.root).value = '';
  } catch (err) {
    if (ctx.alive()) mount(out, errorBox(err, `${action[0]?.toUpperCase() ?? ''}${action.slice(1)} refused`));
  }
  // The reload repaints the buttons from the new state (paint enables only the valid actions).
  await reload();
}
