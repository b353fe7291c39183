// Release × environment matrix: rows are recent releases (version, age, creator; rejected ones marked), columns
// the environments in display order, each cell what that release did there — current, verified / soaking /
// revoked, succeeded, failed, aborted, running — from the release's own history and verification rows. Filter
// by product version. Live: events reload it.
import { get, qs } from '../api.js';
import { navigate, type Ctx } from '../app.js';
import { chip, deploymentLink, errorBox, releaseLink, time, verificationChip } from '../components.js';
import { $, html, mount, route, type SafeHtml } from '../html.js';
import { debounce, follow } from '../live.js';
import type { EnvironmentList, EnvironmentView, ReleaseDetails, ReleasePage } from '../types.js';

const ROWS = 20;

function cell(release: ReleaseDetails, env: EnvironmentView): SafeHtml {
  const mine = release.environments.find((e) => e.environment === env.name); // newest first
  const verification = release.verifications.find((v) => v.environment === env.name);
  const current = env.currentReleaseId === release.releaseId;
  if (!mine) return html`<td class="cell" data-env="${env.name}"><span class="muted">—</span></td>`;
  return html`<td class="cell" data-env="${env.name}" data-status="${mine.status}">
    ${current ? html`<span class="chip chip-ok current">current</span>` : ''}
    ${mine.status === 'succeeded' && verification ? verificationChip(verification) : chip(mine.status)}
    <div class="small">${deploymentLink(env.name, mine.deploymentId)}</div>
  </td>`;
}

export async function matrixScreen(ctx: Ctx): Promise<void> {
  const productVersion = ctx.query.get('productVersion') ?? '';
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Release matrix</h1>
        <span class="muted small" role="status" id="matrix-updated"></span>
      </div>
      <form id="matrix-filter" class="inline-form card" role="search">
        <label>Product version <input name="productVersion" value="${productVersion}" placeholder="2.4.1" /></label>
        <button type="submit" class="secondary">Filter</button>
      </form>
      <div id="matrix-error"></div>
      <div id="matrix"><p class="muted">Loading…</p></div>`,
  );
  $('#matrix-filter', ctx.root).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(ev.target as HTMLFormElement);
    navigate(`#/matrix${qs({ productVersion: String(data.get('productVersion') ?? '').trim() })}`);
  });
  const load = async (): Promise<void> => {
    try {
      const [{ environments }, page] = await Promise.all([
        get<EnvironmentList>('/v1/environments?live=false'),
        get<ReleasePage>(`/v2/releases${qs({ limit: ROWS, productVersion })}`),
      ]);
      const details = await Promise.all(page.releases.map((r) => get<ReleaseDetails>(`/v2/releases/${encodeURIComponent(r.releaseId)}`)));
      if (!ctx.alive()) return;
      mount(
        $('#matrix', ctx.root),
        details.length === 0
          ? html`<p class="card muted">No releases${productVersion ? ` with product version ${productVersion}` : ''}.</p>`
          : html`<table class="matrix">
              <thead>
                <tr>
                  <th scope="col">Release</th>
                  ${environments.map((e) => html`<th scope="col"><a href="${route('environments', e.name, 'history')}">${e.name}</a></th>`)}
                </tr>
              </thead>
              <tbody>
                ${details.map(
                  (r) =>
                    html`<tr data-release="${r.releaseId}" class="${r.rejection ? 'rejected' : ''}">
                      <th scope="row">
                        <span class="version">${r.productVersion}</span> ${releaseLink(r.releaseId)}
                        ${r.rejection ? html`<span class="chip chip-bad" title="${r.rejection.reason}">rejected</span>` : ''}
                        <div class="small muted">${r.createdBy.name} · ${time(r.createdAt)}</div>
                      </th>
                      ${environments.map((e) => cell(r, e))}
                    </tr>`,
                )}
              </tbody>
            </table>`,
      );
      mount($('#matrix-error', ctx.root), html``);
      mount($('#matrix-updated', ctx.root), html`updated ${new Date().toLocaleTimeString()}`);
    } catch (err) {
      if (ctx.alive()) mount($('#matrix-error', ctx.root), errorBox(err, 'Could not load the matrix'));
    }
  };
  await load();
  void follow(
    {},
    ctx.signal,
    debounce(400, () => void load()),
  );
}
