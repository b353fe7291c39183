// Admin: API tokens. The list (GET /v1/tokens: never a hash or a secret), issuing one (POST /v1/tokens: the secret is
// in that answer only, shown here once with a copy button and kept nowhere), and revoking one after a confirmation
// (DELETE /v1/tokens/:id). A non-admin gets the API's 403, said plainly.
import { api, ApiFailure, get } from '../api.js';
import { currentUser, type Ctx } from '../app.js';
import { adminError, adminNav, problemItems, words } from '../admin-kit.js';
import { chip, errorBox, time } from '../components.js';
import { $, html, mount, type SafeHtml } from '../html.js';
import type { IssuedToken, TokenInfo, TokenList } from '../types.js';

const ROLES = ['viewer', 'releaser', 'promoter', 'admin'] as const;

function tokenRow(t: TokenInfo, selfId: string | undefined): SafeHtml {
  return html`<tr data-token="${t.id}" data-name="${t.name}" data-revoked="${t.revokedAt ? 'true' : 'false'}">
    <th scope="row">${t.name}</th>
    <td>${t.principal}</td>
    <td>${chip(t.role === 'admin' ? 'warn' : 'muted', t.role)}</td>
    <td>${t.scopes.length ? t.scopes.join(', ') : html`<span class="muted">—</span>`}</td>
    <td>${t.groups.length ? t.groups.join(', ') : html`<span class="muted">—</span>`}</td>
    <td>${time(t.createdAt)} <span class="muted small">by ${t.createdBy}</span></td>
    <td>${t.revokedAt ? html`${chip('bad', 'revoked')} ${time(t.revokedAt)}` : chip('ok', 'active')}</td>
    <td>
      ${
        t.revokedAt
          ? ''
          : t.id === selfId
            ? html`<span class="muted small">your token</span>`
            : html`<button type="button" class="danger revoke" data-token="${t.id}" aria-label="Revoke ${t.name}">Revoke</button>`
      }
    </td>
  </tr>`;
}

function tokensTable(tokens: TokenInfo[]): SafeHtml {
  const selfId = currentUser()?.id;
  return html`<table class="card-table tokens">
    <caption>
      ${tokens.length} token${tokens.length === 1 ? '' : 's'}, oldest first
    </caption>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Principal</th>
        <th scope="col">Role</th>
        <th scope="col">Scopes</th>
        <th scope="col">Groups</th>
        <th scope="col">Created</th>
        <th scope="col">State</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th>
      </tr>
    </thead>
    <tbody>
      ${tokens.map((t) => tokenRow(t, selfId))}
    </tbody>
  </table>`;
}

const FORM = html`<form id="token-form" class="card" novalidate>
  <h2>Issue a token</h2>
  <div class="form-grid">
    <div class="field">
      <label for="token-name">Name</label>
      <input id="token-name" name="name" required maxlength="100" autocomplete="off" aria-describedby="token-name-msg" />
      <span class="field-msg" id="token-name-msg"></span>
    </div>
    <div class="field">
      <label for="token-principal">Principal <span class="muted small">(person or system; default: the name)</span></label>
      <input id="token-principal" name="principal" maxlength="100" autocomplete="off" aria-describedby="token-principal-msg" />
      <span class="field-msg" id="token-principal-msg"></span>
    </div>
    <div class="field">
      <label for="token-role">Role</label>
      <select id="token-role" name="role" aria-describedby="token-role-msg">
        ${ROLES.map((r) => html`<option value="${r}" ${r === 'viewer' ? html`selected` : ''}>${r}</option>`)}
      </select>
      <span class="field-msg" id="token-role-msg"></span>
    </div>
    <div class="field">
      <label for="token-scopes">Scopes <span class="muted small">(promoters only: environments, or *)</span></label>
      <input id="token-scopes" name="scopes" autocomplete="off" placeholder="staging, prod" aria-describedby="token-scopes-msg" />
      <span class="field-msg" id="token-scopes-msg"></span>
    </div>
    <div class="field">
      <label for="token-groups">Groups <span class="muted small">(approver groups, comma separated)</span></label>
      <input id="token-groups" name="groups" autocomplete="off" aria-describedby="token-groups-msg" />
      <span class="field-msg" id="token-groups-msg"></span>
    </div>
  </div>
  <div class="buttons"><button type="submit">Issue token</button></div>
  <div id="token-form-result"></div>
</form>`;

/** The secret, once: a read-only field, a copy button and the warning. Nothing keeps it after the page is left. */
function secretBox(issued: IssuedToken): SafeHtml {
  return html`<div class="callout callout-warn" id="token-secret-box" role="status">
    <p>
      <strong>Token ${issued.name} issued (${issued.role}).</strong> Copy the secret now: it is shown this once and cannot be read again.
    </p>
    <div class="inline-form">
      <label for="token-secret">Secret</label>
      <input id="token-secret" class="mono secret" readonly value="${issued.token}" size="48" />
      <button type="button" id="token-copy" class="secondary">Copy</button>
      <button type="button" id="token-dismiss" class="secondary">Done, hide it</button>
    </div>
    <p class="muted small" id="token-copy-status" aria-live="polite"></p>
  </div>`;
}

export async function adminTokensScreen(ctx: Ctx): Promise<void> {
  mount(
    ctx.root,
    html`<div class="page-head"><h1>API tokens</h1></div>
      ${adminNav('tokens')}
      <div id="tokens-list"><p class="muted">Loading…</p></div>
      <div id="revoke-confirm"></div>
      <div id="token-secret-slot"></div>
      ${FORM}`,
  );
  const list = $('#tokens-list', ctx.root);
  const confirmBox = $('#revoke-confirm', ctx.root);
  const secretSlot = $('#token-secret-slot', ctx.root);
  const form = $('#token-form', ctx.root) as HTMLFormElement;
  const formResult = $('#token-form-result', ctx.root);

  const load = async (): Promise<boolean> => {
    try {
      const { tokens } = await get<TokenList>('/v1/tokens');
      if (!ctx.alive()) return false;
      mount(list, tokensTable(tokens));
      form.hidden = false;
      return true;
    } catch (err) {
      if (!ctx.alive()) return false;
      mount(list, adminError(err, 'Could not list the tokens'));
      form.hidden = err instanceof ApiFailure && err.status === 403;
      return false;
    }
  };

  list.addEventListener('click', (ev) => {
    const button = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.revoke');
    if (!button) return;
    const id = button.dataset.token ?? '';
    const name = button.closest('tr')?.dataset.name ?? id;
    mount(
      confirmBox,
      html`<div class="callout callout-warn" role="alertdialog" aria-labelledby="revoke-q" data-token="${id}">
        <p id="revoke-q">Revoke token <strong>${name}</strong>? Every request with it is refused from now on; this cannot be undone.</p>
        <div class="buttons">
          <button type="button" class="danger" id="revoke-yes">Revoke ${name}</button>
          <button type="button" class="secondary" id="revoke-no">Cancel</button>
        </div>
        <div id="revoke-result"></div>
      </div>`,
    );
    $('#revoke-yes', confirmBox).focus();
    $('#revoke-no', confirmBox).addEventListener('click', () => {
      mount(confirmBox, html``);
      button.focus();
    });
    $('#revoke-yes', confirmBox).addEventListener('click', () => {
      void (async () => {
        try {
          await api('DELETE', `/v1/tokens/${encodeURIComponent(id)}`);
          if (!ctx.alive()) return;
          mount(confirmBox, html`<p class="ok" role="status" id="revoke-done">Token ${name} revoked.</p>`);
          await load();
        } catch (err) {
          if (ctx.alive()) mount($('#revoke-result', confirmBox), errorBox(err, 'Revoke refused'));
        }
      })();
    });
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const role = String(data.get('role') ?? 'viewer');
    const principal = String(data.get('principal') ?? '').trim();
    const scopes = words(data.get('scopes'));
    const groups = words(data.get('groups'));
    const body = {
      name: String(data.get('name') ?? '').trim(),
      role,
      ...(principal ? { principal } : {}),
      ...(scopes.length ? { scopes } : {}),
      ...(groups.length ? { groups } : {}),
    };
    form.querySelectorAll('input, select').forEach((el) => el.removeAttribute('aria-invalid'));
    form.querySelectorAll('.field-msg').forEach((el) => (el.textContent = ''));
    mount(formResult, html``);
    void (async () => {
      try {
        const res = await api<IssuedToken>('POST', '/v1/tokens', body);
        if (!ctx.alive()) return;
        form.reset();
        mount(secretSlot, secretBox(res.body));
        const secret = $('#token-secret', secretSlot) as HTMLInputElement;
        $('#token-copy', secretSlot).addEventListener('click', () => void copy(secret));
        $('#token-dismiss', secretSlot).addEventListener('click', () => {
          mount(secretSlot, html``);
          $('#token-name', form).focus();
        });
        secret.focus();
        secret.select();
        await load();
      } catch (err) {
        if (!ctx.alive()) return;
        // Problems naming a field are shown next to it; the whole error below the form.
        for (const p of problemItems(err)) {
          const field = p.path.split('.')[0] ?? '';
          const input = form.querySelector<HTMLElement>(`[name="${CSS.escape(field)}"]`);
          const msg = form.querySelector(`#token-${CSS.escape(field)}-msg`);
          if (!input || !msg) continue;
          input.setAttribute('aria-invalid', 'true');
          msg.textContent = p.message;
        }
        mount(formResult, errorBox(err, 'Token not issued'));
      }
    })();
  });
  await load();
}

async function copy(secret: HTMLInputElement): Promise<void> {
  const status = document.getElementById('token-copy-status');
  try {
    await navigator.clipboard.writeText(secret.value);
    if (status) status.textContent = 'Copied to the clipboard.';
  } catch {
    secret.select();
    if (status) status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}
