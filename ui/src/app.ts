// The SPA's frame: hash router, per-screen context (auto-refresh timers that die with the screen), the
// header with who is signed in, and settings read from the page (Temporal UI base URL).
import { ApiFailure, clearToken, get, getToken } from './api.js';
import { errorBox } from './components.js';
import { html, mount, type SafeHtml } from './html.js';
import type { TokenSelf } from './types.js';

export interface Ctx {
  root: HTMLElement;
  /** Path segments after `#/`, decoded. */
  path: string[];
  query: URLSearchParams;
  /** False once the user navigated elsewhere: late answers must not touch the page. */
  alive(): boolean;
  /** Calls fn every ms (not while the tab is hidden) until the screen is left or fn returns false. */
  every(ms: number, fn: () => Promise<boolean | void>): void;
  /** Aborted when the screen is left (ends its event stream). */
  signal: AbortSignal;
}

export type Screen = (ctx: Ctx) => Promise<void>;

let generation = 0;
let timers: number[] = [];
let leaving = new AbortController();
let me: TokenSelf | null = null;

export function currentUser(): TokenSelf | null {
  return me;
}

/**
 * May the signed-in token run an environment's promoter actions (promote, preflight)? Admins everywhere, promoters
 * with the environment (or `*`) in scope: domain/roles.ts's rule, which the API enforces (403 otherwise). Only
 * decides what the UI offers.
 */
export function mayActOn(env: string): boolean {
  if (!me) return false;
  if (me.role === 'admin') return true;
  return me.role === 'promoter' && (me.scopes.includes('*') || me.scopes.includes(env));
}

export function navigate(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function meta(name: string): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || null;
}

/** Temporal Web UI link for a workflow (run): base from the server's meta tag, else this host on the UI port. */
export function temporalLink(workflowId: string, runId: string | null): string | null {
  let base = meta('fc-temporal-ui-url');
  if (!base) base = `${location.protocol}//${location.hostname}:${meta('fc-temporal-ui-port') ?? '8233'}`;
  if (!/^https?:\/\//i.test(base)) return null;
  const ns = encodeURIComponent(meta('fc-temporal-namespace') ?? 'default');
  const wf = `${base.replace(/\/+$/, '')}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${wf}/${encodeURIComponent(runId)}/history` : wf;
}

export async function refreshIdentity(): Promise<TokenSelf | null> {
  me = getToken() ? await get<TokenSelf>('/v1/tokens/self') : null;
  renderHeader();
  return me;
}

export function signOut(): void {
  clearToken();
  me = null;
  renderHeader();
  navigate('#/signin');
}

function renderHeader(): void {
  const who = document.getElementById('whoami');
  if (!who) return;
  mount(
    who,
    me
      ? html`<span
            >Signed in as <strong class="who-name">${me.name}</strong>
            <span class="chip chip-muted">${me.role}${me.scopes.length ? ` · ${me.scopes.join(', ')}` : ''}</span></span
          >
          <button type="button" class="link" id="signout">Sign out</button>`
      : html`<a href="#/signin">Sign in</a>`,
  );
  document.getElementById('signout')?.addEventListener('click', signOut);
  document.querySelectorAll<HTMLAnchorElement>('nav.primary a').forEach((a) => {
    const section = a.dataset.section ?? '';
    const hash = location.hash.replace(/^#\/?/, '');
    const current = hash.startsWith('releases/new') ? 'releases-new' : (hash.split(/[/?]/)[0] ?? '') || 'environments';
    // The admin section is offered to admins only (the API refuses everyone else: 403, shown by the screens).
    if (section === 'admin') a.hidden = me?.role !== 'admin';
    if (section === current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

let routes: Array<[RegExp, Screen]> = [];

export function start(table: Array<[RegExp, Screen]>): void {
  routes = table;
  window.addEventListener('hashchange', () => void render());
  void boot();
}

async function boot(): Promise<void> {
  if (getToken()) {
    try {
      await refreshIdentity();
    } catch (err) {
      // An expired/revoked token: forget it and ask again; anything else is shown by the screen itself.
      if (err instanceof ApiFailure && err.status === 401) clearToken();
    }
  }
  renderHeader();
  await render();
}

export async function render(): Promise<void> {
  const mine = ++generation;
  for (const t of timers) clearTimeout(t);
  timers = [];
  leaving.abort();
  leaving = new AbortController();
  const signal = leaving.signal;
  renderHeader();
  const root = document.getElementById('app');
  if (!root) return;
  const [pathPart = '', queryPart = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const path = pathPart
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  const key = '/' + path.join('/');
  if (!getToken() && path[0] !== 'signin') {
    navigate('#/signin');
    return;
  }
  const match = routes.find(([re]) => re.test(key));
  const ctx: Ctx = {
    root,
    path,
    query: new URLSearchParams(queryPart),
    alive: () => mine === generation,
    signal,
    every(ms, fn) {
      const tick = async (): Promise<void> => {
        if (mine !== generation) return;
        let again: boolean | void = true;
        if (!document.hidden) {
          try {
            again = await fn();
          } catch {
            again = true; // the screen shows its own errors; keep polling
          }
        }
        if (again !== false && mine === generation) timers.push(window.setTimeout(() => void tick(), ms));
      };
      timers.push(window.setTimeout(() => void tick(), ms));
    },
  };
  if (!match) {
    mount(
      root,
      html`<section class="card">
        <h1>Not found</h1>
        <p>No screen for <code>${key}</code>. <a href="#/">Environments</a></p>
      </section>`,
    );
    return;
  }
  mount(root, html`<p class="muted" role="status">Loading…</p>`);
  window.scrollTo(0, 0);
  try {
    await match[1](ctx);
    if (ctx.alive()) {
      // Screen readers and keyboards start at the new content (unless the screen focused a field itself).
      if (!root.contains(document.activeElement)) root.focus({ preventScroll: true });
      const h1 = root.querySelector('h1');
      document.title = `${h1?.textContent?.trim() ?? 'Flow Controller'} · Flow Controller`;
    }
  } catch (err) {
    if (ctx.alive()) mount(root, pageError(err));
  }
}

export function pageError(err: unknown): SafeHtml {
  return html`<section class="card">
    <h1>Something went wrong</h1>
    ${errorBox(err)}
  </section>`;
}
