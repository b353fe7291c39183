// Deployment history of one environment, newest first, filtered by status, keyset paging.
import { debounce, follow } from '../live.js';
import { get, qs } from '../api.js';
import { mayActOn, navigate, type Ctx } from '../app.js';
import { ACTIVE_STATUSES, chip, deploymentLink, errorBox, releaseLink, statusOptions, time } from '../components.js';
import { $, html, mount, route } from '../html.js';
import type { DeploymentPage } from '../types.js';

export async function historyScreen(ctx: Ctx): Promise<void> {
  const env = ctx.path[1] ?? '';
  const status = ctx.query.get('status') ?? '';
  const cursor = ctx.query.get('cursor');
  const base = route('environments', env, 'history');
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>History of ${env}</h1>
        ${mayActOn(env) ? html`<a class="preflight-link" href="${route('environments', env, 'preflight')}">Preflight</a>` : ''}
        <a href="#/environments">← Environments</a>
      </div>
      <form id="history-filter" class="inline-form card" role="search">
        <label for="history-status">Status</label>
        <select id="history-status" name="status">
          ${statusOptions(status)}
        </select>
        <button type="submit" class="secondary">Filter</button>
      </form>
      <div id="history"><p class="muted">Loading…</p></div>`,
  );
  $('#history-filter', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(base + qs({ status: ($('#history-status', ctx.root) as HTMLSelectElement).value }));
  });
  const box = $('#history', ctx.root);
  const load = async (): Promise<boolean> => {
    try {
      const page = await get<DeploymentPage>(
        `/v1/environments/${encodeURIComponent(env)}/deployment-history` + qs({ status, cursor, limit: 25 }),
      );
      if (!ctx.alive()) return false;
      mount(
        box,
        html`<table class="card-table">
            <caption class="visually-hidden">
              Deployments of ${env}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Status</th>
                <th scope="col">Release</th>
                <th scope="col">Previous</th>
                <th scope="col">Started by</th>
                <th scope="col">Created</th>
                <th scope="col">Finished</th>
                <th scope="col">Step / message</th>
              </tr>
            </thead>
            <tbody>
              ${
                page.deployments.length === 0
                  ? html`<tr>
                      <td colspan="8" class="muted">No deployments${status ? ` with status ${status}` : ''}.</td>
                    </tr>`
                  : page.deployments.map(
                      (d) =>
                        html`<tr data-deployment="${d.id}">
                          <td>${deploymentLink(env, d.id)}</td>
                          <td>${chip(d.status)}${d.isRollback ? html` <span class="chip chip-warn">rollback</span>` : ''}</td>
                          <td>${releaseLink(d.releaseId)}</td>
                          <td>${releaseLink(d.previousReleaseId)}</td>
                          <td>${d.startedBy}</td>
                          <td>${time(d.createdAt)}</td>
                          <td>${time(d.finishedAt)}</td>
                          <td class="small">${d.currentStep ?? ''}${d.message ? html`<div class="muted">${d.message}</div>` : ''}</td>
                        </tr>`,
                    )
              }
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            ${cursor ? html`<a href="${base + qs({ status })}">« Newest</a>` : ''}
            ${page.nextCursor ? html`<a href="${base + qs({ status, cursor: page.nextCursor })}">Older »</a>` : ''}
          </nav>`,
      );
      return !cursor || page.deployments.some((d) => ACTIVE_STATUSES.has(d.status));
    } catch (err) {
      if (ctx.alive()) mount(box, errorBox(err, 'Could not load the history'));
      return true;
    }
  };
  await load();
  // Live through the event stream (any transition in this environment); the timer is the fallback.
  void follow(
    { environment: env },
    ctx.signal,
    debounce(300, () => void load()),
  );
  ctx.every(15_000, load);
}
