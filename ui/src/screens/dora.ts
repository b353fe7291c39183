// DORA metrics of an environment (docs/operations.md, "DORA metrics"): deployment frequency, lead time for changes,
// change failure rate and time to restore over a window, and a trend chart — deployments per day or week as bars,
// the failure rate as a line — drawn as inline SVG (no chart library). Environment, window and bucket are in the
// hash (`#/dora?environment=prod&window=30d&bucket=day`), so a view can be linked. Live: events reload it.
import { get, qs } from '../api.js';
import { navigate, type Ctx } from '../app.js';
import { errorBox } from '../components.js';
import { $, html, mount, type SafeHtml } from '../html.js';
import { debounce, follow } from '../live.js';
import type { DoraMetrics, EnvironmentList } from '../types.js';

const WINDOWS = ['7d', '30d', '90d', '365d'];
const BUCKETS = ['day', 'week'];

/** 5400 → "1.5 h"; null → "—". */
export function humanSeconds(s: number | null): string {
  if (s === null) return '—';
  const round = (x: number) => (x >= 10 ? Math.round(x).toString() : (Math.round(x * 10) / 10).toString());
  if (s < 90) return `${round(s)} s`;
  if (s < 5400) return `${round(s / 60)} min`;
  if (s < 2 * 86_400) return `${round(s / 3600)} h`;
  return `${round(s / 86_400)} d`;
}

const percent = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);

function tile(id: string, label: string, value: string, detail: SafeHtml | string): SafeHtml {
  return html`<div class="card dora-tile" data-metric="${id}">
    <div class="small muted">${label}</div>
    <div class="dora-value">${value}</div>
    <div class="small muted">${detail}</div>
  </div>`;
}

const W = 640;
const H = 160;
const PAD = { left: 30, right: 36, top: 10, bottom: 20 };

/** Bars: deployments per bucket (left axis); line: failure rate of the bucket's deployments (right axis, 0–100 %). */
export function trendChart(trend: DoraMetrics['trend'], bucket: string): SafeHtml {
  const n = Math.max(1, trend.length);
  const max = Math.max(1, ...trend.map((p) => p.deployments));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / n;
  const barW = Math.max(1, step * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const yRate = (r: number) => PAD.top + plotH - r * plotH;
  const x = (i: number) => PAD.left + i * step;
  const fixed = (v: number) => Math.round(v * 10) / 10;
  // The failure rate exists only for buckets with deployments: a dot each, joined only across adjacent buckets.
  const dots = trend.flatMap((p, i) =>
    p.failureRate === null ? [] : [{ i, cx: fixed(x(i) + step / 2), cy: fixed(yRate(p.failureRate)) }],
  );
  const runs: string[] = [];
  dots.forEach((d, k) => {
    const pair = `${d.cx},${d.cy}`;
    if (k > 0 && dots[k - 1]?.i === d.i - 1) runs[runs.length - 1] += ` ${pair}`;
    else runs.push(pair);
  });
  const first = trend[0]?.start.slice(0, 10) ?? '';
  const last = trend.at(-1)?.start.slice(0, 10) ?? '';
  return html`<svg
    class="dora-chart"
    viewBox="0 0 ${W} ${H}"
    width="100%"
    role="img"
    aria-label="Deployments per ${bucket} and failure rate, ${first} to ${last}"
  >
    <line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${W - PAD.right}" y2="${PAD.top + plotH}" class="axis" />
    <text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end" class="tick">${max}</text>
    <text x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end" class="tick">0</text>
    <text x="${W - PAD.right + 4}" y="${PAD.top + 8}" class="tick rate">100%</text>
    <text x="${W - PAD.right + 4}" y="${PAD.top + plotH}" class="tick rate">0%</text>
    <text x="${PAD.left}" y="${H - 4}" class="tick">${first}</text>
    <text x="${W - PAD.right}" y="${H - 4}" text-anchor="end" class="tick">${last}</text>
    ${trend.map(
      (p, i) =>
        html`<rect
          class="bar"
          data-start="${p.start}"
          data-deployments="${p.deployments}"
          x="${fixed(x(i) + (step - barW) / 2)}"
          y="${fixed(y(p.deployments))}"
          width="${fixed(barW)}"
          height="${fixed(PAD.top + plotH - y(p.deployments))}"
          ><title>${p.start.slice(0, 10)}: ${p.deployments} deployments, ${p.failed} failed</title></rect
        >`,
    )}
    ${runs.filter((r) => r.includes(' ')).map((r) => html`<polyline class="rate-line" fill="none" points="${r}" />`)}
    ${dots.map((d) => html`<circle class="rate-dot" cx="${d.cx}" cy="${d.cy}" r="3" />`)}
  </svg>`;
}

function body(m: DoraMetrics): SafeHtml {
  return html`<div class="dora-tiles">
      ${tile(
        'deployment-frequency',
        'Deployment frequency',
        `${Math.round(m.deploymentFrequency.perDay * 100) / 100} / day`,
        `${m.deploymentFrequency.count} successful promotions, rollbacks excluded`,
      )}
      ${tile(
        'lead-time',
        'Lead time for changes (p50)',
        humanSeconds(m.leadTime.p50Seconds),
        `p90 ${humanSeconds(m.leadTime.p90Seconds)} · release created → succeeded here`,
      )}
      ${tile(
        'change-failure-rate',
        'Change failure rate',
        percent(m.changeFailureRate.rate),
        `${m.changeFailureRate.failed} of ${m.changeFailureRate.deployments} followed by a rollback, revocation or incident within ${humanSeconds(m.definitions.failureWindowSeconds)}`,
      )}
      ${tile(
        'time-to-restore',
        'Time to restore (p50)',
        humanSeconds(m.timeToRestore.p50Seconds),
        `mean ${humanSeconds(m.timeToRestore.meanSeconds)} · ${m.timeToRestore.restored} of ${m.timeToRestore.failures} failures restored`,
      )}
    </div>
    <div class="card">
      <h2>Trend <span class="small muted">deployments per ${m.bucket} (bars) · failure rate (line)</span></h2>
      ${trendChart(m.trend, m.bucket)}
    </div>`;
}

export async function doraScreen(ctx: Ctx): Promise<void> {
  const { environments } = await get<EnvironmentList>('/v1/environments?live=false');
  if (!ctx.alive()) return;
  const names = environments.map((e) => e.name);
  const env = ctx.query.get('environment') ?? names.at(-1) ?? '';
  const window = WINDOWS.includes(ctx.query.get('window') ?? '') ? (ctx.query.get('window') ?? '30d') : '30d';
  const bucket = BUCKETS.includes(ctx.query.get('bucket') ?? '') ? (ctx.query.get('bucket') ?? 'day') : 'day';
  mount(
    ctx.root,
    html`<div class="page-head">
        <h1>DORA metrics</h1>
        <span class="muted small" role="status" id="dora-updated"></span>
      </div>
      <form id="dora-filter" class="inline-form card" role="search">
        <label
          >Environment
          <select name="environment">
            ${names.map((n) => html`<option value="${n}" ${n === env ? 'selected' : ''}>${n}</option>`)}
          </select></label
        >
        <label
          >Window
          <select name="window">
            ${WINDOWS.map((w) => html`<option value="${w}" ${w === window ? 'selected' : ''}>last ${w}</option>`)}
          </select></label
        >
        <label
          >Trend by
          <select name="bucket">
            ${BUCKETS.map((b) => html`<option value="${b}" ${b === bucket ? 'selected' : ''}>${b}</option>`)}
          </select></label
        >
      </form>
      <div id="dora"><p class="muted">${env ? 'Loading…' : 'No environments yet.'}</p></div>`,
  );
  const form = $('#dora-filter', ctx.root) as HTMLFormElement;
  form.addEventListener('change', () => {
    const data = new FormData(form);
    navigate(
      `#/dora${qs({ environment: String(data.get('environment') ?? ''), window: String(data.get('window') ?? ''), bucket: String(data.get('bucket') ?? '') })}`,
    );
  });
  if (!env) return;
  const load = async (): Promise<void> => {
    try {
      const m = await get<DoraMetrics>(`/v1/metrics/dora${qs({ environment: env, window, bucket })}`);
      if (!ctx.alive()) return;
      mount($('#dora', ctx.root), body(m));
      mount($('#dora-updated', ctx.root), html`updated ${new Date().toLocaleTimeString()}`);
    } catch (err) {
      if (ctx.alive()) mount($('#dora', ctx.root), errorBox(err, 'Could not load the DORA metrics'));
    }
  };
  await load();
  void follow(
    { environment: env },
    ctx.signal,
    debounce(1000, () => void load()),
  );
}
