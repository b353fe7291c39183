// Notifications (docs/operations.md, "Notifications"), admins only (the API answers 403 to anyone else):
//   #/notifications       subscriptions: name, enabled, filters, target kind
//   #/notifications/:id   one subscription's delivery log (newest first) with state, attempts, last status and
//                         redacted error, and a Redeliver button per delivery
// Subscriptions are created and changed through the API (`/v1/notifications/subscriptions`); the page reads them.
import { api, get, qs } from '../api.js';
import type { Ctx } from '../app.js';
import { chip, deploymentLink, errorBox, time } from '../components.js';
import { $, html, mount, route, type SafeHtml } from '../html.js';
import type { Delivery, DeliveryPage, Subscription, SubscriptionList } from '../types.js';

const STATE_CHIP: Record<string, string> = { delivered: 'succeeded', pending: 'pending', 'failed-retrying': 'warn', dead: 'failed' };

function subscriptionRow(s: Subscription): SafeHtml {
  return html`<tr data-subscription="${s.id}">
    <td><a href="${route('notifications', s.id)}">${s.name}</a></td>
    <td>${s.enabled ? chip('succeeded', 'enabled') : chip('muted', 'disabled')}</td>
    <td class="mono">${s.target.kind}</td>
    <td class="small">${s.filters.environments === null ? 'all environments' : s.filters.environments.join(', ')}</td>
    <td class="small mono">${s.filters.eventTypes.join(', ')}</td>
    <td class="small">${s.createdBy}, ${time(s.createdAt)}</td>
  </tr>`;
}

function deliveryRow(d: Delivery): SafeHtml {
  return html`<tr data-delivery="${d.id}" data-state="${d.state}">
    <td>#${d.id}</td>
    <td class="mono small">${d.type}</td>
    <td>${d.summary}${d.environment && d.deploymentId !== null ? html` ${deploymentLink(d.environment, d.deploymentId)}` : ''}</td>
    <td>${chip(STATE_CHIP[d.state] ?? 'muted', d.state)}</td>
    <td>${d.attempts}${d.redeliveries ? html` <span class="muted">(${d.redeliveries} redelivered)</span>` : ''}</td>
    <td class="small">${d.lastStatusCode ?? '—'}${d.lastError ? html`<div class="muted">${d.lastError}</div>` : ''}</td>
    <td class="small">${time(d.eventAt)}</td>
    <td><button type="button" class="secondary redeliver" data-id="${d.id}">Redeliver</button></td>
  </tr>`;
}

export async function notificationsScreen(ctx: Ctx): Promise<void> {
  mount(
    ctx.root,
    html`<div class="page-head"><h1>Notifications</h1></div>
      <div id="subscriptions"><p class="muted">Loading…</p></div>`,
  );
  try {
    const { subscriptions } = await get<SubscriptionList>('/v1/notifications/subscriptions');
    if (!ctx.alive()) return;
    mount(
      $('#subscriptions', ctx.root),
      subscriptions.length === 0
        ? html`<p class="card muted">No subscriptions. Admins create them with <code>POST /v1/notifications/subscriptions</code>.</p>`
        : html`<table class="subscriptions">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Target</th>
                <th scope="col">Environments</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              ${subscriptions.map(subscriptionRow)}
            </tbody>
          </table>`,
    );
  } catch (err) {
    if (ctx.alive()) mount($('#subscriptions', ctx.root), errorBox(err, 'Could not load subscriptions (admins only)'));
  }
}

export async function deliveriesScreen(ctx: Ctx): Promise<void> {
  const id = ctx.path[1] ?? '';
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>Delivery log</h1>
        <a class="small" href="${route('notifications')}">← Subscriptions</a>
      </div>
      <div id="deliveries"><p class="muted">Loading…</p></div>`,
  );
  const load = async (): Promise<void> => {
    try {
      const page = await get<DeliveryPage>(`/v1/notifications/subscriptions/${encodeURIComponent(id)}/deliveries${qs({ limit: 100 })}`);
      if (!ctx.alive()) return;
      mount(
        $('#deliveries', ctx.root),
        page.deliveries.length === 0
          ? html`<p class="card muted">No deliveries yet.</p>`
          : html`<table class="deliveries">
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Event</th>
                  <th scope="col">What</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">At</th>
                  <th scope="col"></th>
                </tr>
              </thead>
              <tbody>
                ${page.deliveries.map(deliveryRow)}
              </tbody>
            </table>`,
      );
      ctx.root.querySelectorAll<HTMLButtonElement>('button.redeliver').forEach((b) =>
        b.addEventListener('click', () => {
          b.disabled = true;
          void api('POST', `/v1/notifications/deliveries/${b.dataset.id ?? ''}/redeliver`)
            .then(load)
            .catch((err: unknown) => ctx.alive() && mount($('#deliveries', ctx.root), errorBox(err, 'Could not redeliver')));
        }),
      );
    } catch (err) {
      if (ctx.alive()) mount($('#deliveries', ctx.root), errorBox(err, 'Could not load the delivery log (admins only)'));
    }
  };
  await load();
}
