// Release details: identity (id, digest, template revision, creator, overrides), the descriptor as a
// services table (moves vs pinned against the template revision it used), the environments it passed
// through with a Promote button per environment, and a diff against another release.
import { api, get, qs } from '../api.js';
import { navigate, type Ctx } from '../app.js';
import { chip, deploymentLink, diffTable, errorBox, releaseLink, servicesTable, shortId, time, verificationChip } from '../components.js';
import { $, html, input, mount, route, type SafeHtml } from '../html.js';
import type {
  EnvironmentList,
  EnvironmentView,
  PromotionAccepted,
  ReleaseComparison,
  ReleaseDetails,
  ReleasePage,
  TemplateRevision,
} from '../types.js';

function environmentsTable(release: ReleaseDetails, envs: EnvironmentView[]): SafeHtml {
  return html`<table class="envs">
    <caption class="visually-hidden">
      Environments of release ${release.releaseId}
    </caption>
    <thead>
      <tr>
        <th scope="col">Environment</th>
        <th scope="col">This release there</th>
        <th scope="col">Deployment</th>
        <th scope="col">Started by</th>
        <th scope="col">Finished</th>
        <th scope="col">Current release</th>
        <th scope="col"><span class="visually-hidden">Action</span></th>
      </tr>
    </thead>
    <tbody>
      ${envs.map((env) => {
        const mine = release.environments.find((e) => e.environment === env.name); // newest first
        const isCurrent = env.currentReleaseId === release.releaseId;
        return html`<tr data-env="${env.name}">
          <th scope="row"><a href="${route('environments', env.name, 'history')}">${env.name}</a></th>
          <td>
            ${mine ? html`${chip(mine.status)}${mine.isRollback ? html` <span class="chip chip-warn">rollback</span>` : ''}` : html`<span class="muted">not promoted</span>`}
            ${isCurrent ? html` <span class="chip chip-ok">current</span>` : ''}
            ${verificationChip(release.verifications.find((v) => v.environment === env.name))}
          </td>
          <td>${mine ? deploymentLink(env.name, mine.deploymentId) : ''}</td>
          <td>${mine?.startedBy ?? ''}</td>
          <td>${mine ? time(mine.finishedAt) : ''}</td>
          <td>${isCurrent ? html`<span class="muted">this one</span>` : releaseLink(env.currentReleaseId)}</td>
          <td>
            ${
              isCurrent
                ? html`<button
                    type="button"
                    class="promote secondary"
                    data-env="${env.name}"
                    disabled
                    title="Already the current release of ${env.name}"
                  >
                    Current in ${env.name}
                  </button>`
                : html`<button type="button" class="promote" data-env="${env.name}">Promote to ${env.name}</button>`
            }
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export async function releaseScreen(ctx: Ctx): Promise<void> {
  const id = ctx.path[1] ?? '';
  const path = `/v2/releases/${encodeURIComponent(id)}`;
  const [release, envs] = await Promise.all([get<ReleaseDetails>(path), get<EnvironmentList>('/v1/environments?live=false')]);
  let template: unknown;
  try {
    template = (
      await get<TemplateRevision>(`/v1/templates/${encodeURIComponent(release.template.key)}/revisions/${release.template.revision}`)
    ).template;
  } catch {
    template = undefined; // the table still shows, without moves/pinned
  }
  if (!ctx.alive()) return;
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Release ${release.productVersion} <span class="mono muted small">${shortId(release.releaseId)}</span></h1>
      </div>
      <section class="card" aria-labelledby="identity-h">
        <h2 id="identity-h">Identity</h2>
        <dl class="kv wide">
          <dt>Release id</dt>
          <dd class="mono" id="release-id">${release.releaseId}</dd>
          <dt>Product version</dt>
          <dd>${release.productVersion}</dd>
          <dt>Digest</dt>
          <dd class="mono small">${release.digest}</dd>
          <dt>Template</dt>
          <dd><span class="mono">${release.template.key}</span> revision ${release.template.revision}</dd>
          <dt>Created by</dt>
          <dd>${release.createdBy.name} · ${time(release.createdAt)}</dd>
          ${
            release.idempotencyKey
              ? html`<dt>Idempotency key</dt>
                  <dd class="mono small">${release.idempotencyKey}</dd>`
              : ''
          }
          <dt>Acknowledged overrides</dt>
          <dd>
            ${
              release.acknowledgedOverrides.length === 0
                ? html`<span class="muted">none</span>`
                : html`<ul class="plain">
                    ${release.acknowledgedOverrides.map((o) => html`<li><span class="mono">${o.path}</span>: template <span class="mono">${o.templateValue}</span> → <span class="mono">${o.value}</span></li>`)}
                  </ul>`
            }
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="envs-h">
        <h2 id="envs-h">Environments</h2>
        <div class="field inline-form">
          <label for="promote-reason">Reason (optional)</label
          ><input id="promote-reason" maxlength="2000" autocomplete="off" placeholder="why this promotion" />
        </div>
        <div id="envs">${environmentsTable(release, envs.environments)}</div>
        <div id="promote-result" aria-live="polite"></div>
      </section>
      <section class="card" aria-labelledby="services-h">
        <h2 id="services-h">Services</h2>
        ${servicesTable(release.descriptor, { template, overrides: release.acknowledgedOverrides })}
      </section>
      <section class="card" aria-labelledby="diff-h">
        <h2 id="diff-h">Compare with another release</h2>
        <form id="diff-form" class="inline-form">
          <label for="diff-other">Other release</label>
          <input id="diff-other" list="diff-candidates" placeholder="release id" autocomplete="off" size="40" />
          <datalist id="diff-candidates"></datalist>
          <button type="submit" class="secondary">Show diff</button>
        </form>
        <div id="diff-result" aria-live="polite"></div>
      </section>`,
  );

  const envBox = $('#envs', ctx.root);
  envBox.addEventListener('click', (ev) => {
    const button = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.promote');
    if (!button) return;
    void promote(ctx, release.releaseId, button);
  });

  // Recent releases as diff suggestions (the field also takes any id).
  void get<ReleasePage>('/v2/releases' + qs({ limit: 50 }))
    .then(({ releases }) => {
      if (!ctx.alive()) return;
      mount(
        $('#diff-candidates', ctx.root),
        html`${releases.filter((r) => r.releaseId !== release.releaseId).map((r) => html`<option value="${r.releaseId}">${r.productVersion} · ${r.createdBy.name} · ${new Date(r.createdAt).toLocaleString()}</option>`)}`,
      );
    })
    .catch(() => undefined);
  const preset = ctx.query.get('diff');
  if (preset) input('#diff-other', ctx.root).value = preset;
  $('#diff-form', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    void showDiff(ctx, release.releaseId, input('#diff-other', ctx.root).value.trim());
  });
  if (preset) void showDiff(ctx, release.releaseId, preset);

  // Keep the rows fresh (a promotion started elsewhere, or one running); unchanged markup is not re-mounted.
  ctx.every(3000, async () => {
    const [r, e] = await Promise.all([get<ReleaseDetails>(path), get<EnvironmentList>('/v1/environments?live=false')]);
    if (!ctx.alive()) return false;
    mount(envBox, environmentsTable(r, e.environments));
    return true;
  });
}

async function promote(ctx: Ctx, releaseId: string, button: HTMLButtonElement): Promise<void> {
  const env = button.dataset.env ?? '';
  const out = $('#promote-result', ctx.root);
  const reason = input('#promote-reason', ctx.root).value.trim();
  button.disabled = true;
  mount(out, html`<p class="muted" role="status">Promoting to ${env}…</p>`);
  try {
    const res = await api<PromotionAccepted>('POST', `/v2/releases/${encodeURIComponent(releaseId)}/promote`, {
      environment: env,
      ...(reason ? { reason } : {}),
    });
    if (!ctx.alive()) return;
    navigate(route('environments', res.body.environment, 'deployments', res.body.deploymentId));
  } catch (err) {
    if (ctx.alive()) mount(out, errorBox(err, `Promotion to ${env} refused`));
  } finally {
    button.disabled = false;
  }
}

async function showDiff(ctx: Ctx, releaseId: string, other: string): Promise<void> {
  const out = $('#diff-result', ctx.root);
  if (!other) {
    mount(out, html`<div class="error" role="alert">Enter or pick the id of another release.</div>`);
    return;
  }
  try {
    const diff = await get<ReleaseComparison>(`/v2/releases/${encodeURIComponent(other)}/diff/${encodeURIComponent(releaseId)}`);
    if (ctx.alive())
      mount(
        out,
        html`<p>From ${releaseLink(diff.from)} to this release:</p>
          ${diffTable(diff, `changes from ${shortId(diff.from)} to ${shortId(diff.to)}`)}`,
      );
  } catch (err) {
    if (ctx.alive()) mount(out, errorBox(err, 'Could not compare'));
  }
}
