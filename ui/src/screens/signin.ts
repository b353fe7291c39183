// Sign-in: paste an API token; it is kept in this tab's sessionStorage and checked with GET /v1/tokens/self.
import { ApiFailure, clearToken, getToken, setToken } from '../api.js';
import { currentUser, navigate, refreshIdentity, signOut, type Ctx } from '../app.js';
import { errorBox } from '../components.js';
import { $, html, input, mount } from '../html.js';

export async function signInScreen(ctx: Ctx): Promise<void> {
  const me = currentUser();
  mount(
    ctx.root,
    html`<section class="card narrow">
      <h1>Sign in</h1>
      ${
        me && getToken()
          ? html`<p>
              You are signed in as <strong>${me.name}</strong> (${me.role}${me.scopes.length ? `, scopes ${me.scopes.join(', ')}` : ''}).
              <button type="button" id="signin-out" class="secondary">Sign out</button>
            </p>`
          : ''
      }
      <form id="signin-form" novalidate>
        <label for="signin-token">API token</label>
        <input
          id="signin-token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck="false"
          required
          aria-describedby="signin-hint"
          placeholder="fct_…"
        />
        <p id="signin-hint" class="hint">
          A token issued with <code>POST /v1/tokens</code> (or the development admin token printed by <code>npm start</code>). It stays in
          this browser tab (sessionStorage) and is sent only to this API.
        </p>
        <button type="submit">Sign in</button>
      </form>
      <div id="signin-result" aria-live="polite"></div>
    </section>`,
  );
  document.getElementById('signin-out')?.addEventListener('click', signOut);
  const form = $('#signin-form', ctx.root) as HTMLFormElement;
  const field = input('#signin-token', ctx.root);
  const result = $('#signin-result', ctx.root);
  field.focus();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      const token = field.value.trim();
      if (!token) {
        mount(result, html`<div class="error" role="alert">Paste a token first.</div>`);
        return;
      }
      setToken(token);
      try {
        const who = await refreshIdentity();
        field.value = '';
        mount(result, html`<p class="ok" role="status">Signed in as <strong>${who?.name ?? '?'}</strong>.</p>`);
        navigate('#/environments');
      } catch (err) {
        clearToken();
        mount(result, errorBox(err, err instanceof ApiFailure && err.status === 401 ? 'This token was refused' : 'Sign-in failed'));
      }
    })();
  });
  return Promise.resolve();
}
