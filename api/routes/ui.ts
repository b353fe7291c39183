// The web UI: a framework-free single-page app built on the public API only (docs/ui.md).
//   GET /             → 302 /ui/
//   GET /ui           → 302 /ui/
//   GET /ui/          ui/index.html (with the Temporal UI settings as <meta> tags)
//   GET /ui/app.js    ui/src/main.ts bundled by esbuild on first request, then served from memory (the compiled
//                     build ships it pre-bundled: build/ui/app.js)
//   GET /ui/styles.css
// No auth here: these are static assets; the app sends the user's token with each API call. Not part of
// the OpenAPI document (plain routes, not .openapi()).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';
import { createRouter } from '../app.js';
import type { AppEnv } from '../context.js';

const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/** Defence in depth on top of escaping every value: no inline script, nothing loaded from elsewhere. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  body: string;
  etag: string;
  type: string;
}

const cache = new Map<string, Promise<Asset>>();

function asset(name: string, type: string, produce: () => Promise<string>): Promise<Asset> {
  let p = cache.get(name);
  if (!p) {
    p = produce().then((body) => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }));
    // A failed build is not cached: the next request tries again (and shows the error meanwhile).
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return p;
}

/** The compiled build (`npm run build`) ships ui/app.js pre-bundled; from the sources it is bundled on first request. */
async function bundle(): Promise<string> {
  const prebuilt = await readFile(`${UI_DIR}app.js`, 'utf8').catch(() => undefined);
  return prebuilt ?? bundleUi();
}

/** ui/src/main.ts bundled for the browser (esbuild, a build-time tool: the image never runs it). */
export async function bundleUi(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(UI_DIR, 'src', 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  return out.text;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Temporal Web UI base URL for links to promotion workflows: TEMPORAL_UI_URL when configured, else the
 * browser uses the page's host on TEMPORAL_UI_PORT.
 */
function temporalUiUrl(c: Context<AppEnv>): string | null {
  const value = c.var.deps.config.TEMPORAL_UI_URL;
  return value && /^https?:\/\/[^\s"<>]+$/i.test(value) ? value : null;
}

async function indexHtml(c: Context<AppEnv>): Promise<Response> {
  const page = await asset('index.html', 'text/html; charset=utf-8', () => readFile(`${UI_DIR}index.html`, 'utf8'));
  const config = c.var.deps.config;
  const url = temporalUiUrl(c);
  const meta = [
    `<meta name="fc-temporal-ui-port" content="${escapeAttr(String(config.TEMPORAL_UI_PORT))}">`,
    `<meta name="fc-temporal-namespace" content="${escapeAttr(config.TEMPORAL_NAMESPACE)}">`,
    ...(url ? [`<meta name="fc-temporal-ui-url" content="${escapeAttr(url)}">`] : []),
  ].join('\n  ');
  return c.body(page.body.replace('<!--FC_META-->', meta), 200, {
    'content-type': page.type,
    'cache-control': 'no-cache',
    ...SECURITY_HEADERS,
  });
}

async function serveAsset(c: Context<AppEnv>, a: Promise<Asset>): Promise<Response> {
  let file: Asset;
  try {
    file = await a;
  } catch (err) {
    c.var.logger.error({ err }, 'ui asset build failed');
    return c.text(`UI asset unavailable: ${(err as Error).message}`, 500, { 'cache-control': 'no-store' });
  }
  const headers = { 'content-type': file.type, etag: file.etag, 'cache-control': 'no-cache', ...SECURITY_HEADERS };
  if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, headers);
  return c.body(file.body, 200, headers);
}

export const uiRoutes = createRouter();
uiRoutes.get('/', (c) => c.redirect('/ui/', 302));
uiRoutes.get('/ui', (c) => c.redirect('/ui/', 302));
uiRoutes.get('/ui/', (c) => indexHtml(c));
uiRoutes.get('/ui/index.html', (c) => indexHtml(c));
uiRoutes.get('/ui/app.js', (c) => serveAsset(c, asset('app.js', 'text/javascript; charset=utf-8', bundle)));
uiRoutes.get('/ui/styles.css', (c) =>
  serveAsset(
    c,
    asset('styles.css', 'text/css; charset=utf-8', () => readFile(`${UI_DIR}styles.css`, 'utf8')),
  ),
);
