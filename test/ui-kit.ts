// Support for the Chromium UI tests (ui/*.test.ts): screenshots saved as test artifacts, and a small in-page
// accessibility check (no dependency): names of form controls, buttons and links; images and icons; heading levels;
// the keyboard focus order; and text contrast from computed styles (WCAG 2 relative luminance).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (the UI tests never download a browser). */
export const CHROMIUM = '/usr/bin/chromium';
export const MISSING_CHROMIUM = `The UI tests need Debian's Chromium at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium); it is missing.`;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface UiSession {
  /** `http://127.0.0.1:<port>`: the app served on loopback. */
  base: string;
  page: Page;
  close(): Promise<void>;
}

/**
 * Serves `fetch` (an API app) on a loopback port and opens a headless Chromium page on it; page errors are pushed to
 * `pageErrors`. close() closes the browser and the server.
 */
export async function openUi(
  fetch: (request: Request) => Response | Promise<Response>,
  pageErrors: string[],
  viewport = { width: 1360, height: 900 },
): Promise<UiSession> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let browser: Browser | undefined;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await (await browser.newContext({ viewport })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const b = browser;
    return {
      base,
      page,
      close: async () => {
        await b.close();
        await closeServer();
      },
    };
  } catch (err) {
    await browser?.close();
    await closeServer();
    throw err;
  }
}

/** Where screenshots go: UI_ARTIFACTS_DIR, else test-artifacts/ui at the repository root (gitignored). */
export const UI_ARTIFACTS_DIR = process.env.UI_ARTIFACTS_DIR || join(fileURLToPath(new URL('..', import.meta.url)), 'test-artifacts', 'ui');

/** Saves a full-page PNG of the page as `<UI_ARTIFACTS_DIR>/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(UI_ARTIFACTS_DIR, { recursive: true });
  const path = join(UI_ARTIFACTS_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// The static checks, run in the page as plain JavaScript (a string, so no transpiler helper leaks into it).
const STATIC_CHECKS = String.raw`(() => {
  const out = [];
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + id + cls + (text ? ' "' + text + '"' : '');
  };
  const rendered = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !el.closest('[aria-hidden="true"]');
  const byIds = (ids) => ids.split(/\s+/).map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
  const nameOf = (el) => {
    const aria = (el.getAttribute('aria-label') || '').trim();
    if (aria) return aria;
    const by = el.getAttribute('aria-labelledby');
    if (by && byIds(by)) return byIds(by);
    if (el.labels && el.labels.length) return Array.from(el.labels).map((l) => l.textContent || '').join(' ').trim();
    return '';
  };
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (rendered(el) && !nameOf(el)) out.push('form control without a label: ' + describe(el));
  }
  for (const el of document.querySelectorAll('button, [role=button], a[href], summary')) {
    if (!rendered(el)) continue;
    const name = (el.getAttribute('aria-label') || '').trim() || (el.innerText || '').trim() || (el.getAttribute('title') || '').trim();
    if (!name) out.push(el.tagName.toLowerCase() + ' without text: ' + describe(el));
  }
  for (const el of document.querySelectorAll('img')) if (!el.hasAttribute('alt')) out.push('image without alt: ' + describe(el));
  for (const el of document.querySelectorAll('svg')) {
    if (el.closest('[aria-hidden="true"]') || el.parentElement?.closest('svg')) continue;
    const named = el.getAttribute('role') === 'img' && ((el.getAttribute('aria-label') || '').trim() || el.querySelector('title'));
    if (!named) out.push('svg neither aria-hidden nor role=img with a name: ' + describe(el));
  }
  let previous = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    if (!h.checkVisibility()) continue;
    const level = Number(h.tagName[1]);
    if (previous === 0 && level !== 1) out.push('first heading is not h1: ' + describe(h));
    else if (level > previous + 1 && previous !== 0) out.push('heading skips a level (h' + previous + ' → h' + level + '): ' + describe(h));
    previous = level;
  }
  if (previous === 0) out.push('no heading on the page');
  // Contrast of every text node's element against the background behind it.
  const parse = (c) => {
    const m = /^rgba?\(([\d.]+),?\s*([\d.]+),?\s*([\d.]+)(?:,?\s*\/?\s*([\d.]+%?))?\)$/.exec(c.trim());
    if (!m) return null;
    const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number(m[4].slice(0, -1)) / 100 : Number(m[4]);
    return [Number(m[1]), Number(m[2]), Number(m[3]), a];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== 'none') return null;
      const c = parse(s.backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const x = v / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || seen.has(el) || !(node.textContent || '').trim()) continue;
    seen.add(el);
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION', 'TITLE'].includes(el.tagName) || !rendered(el)) continue;
    if (el.closest(':disabled, svg')) continue; // inactive controls are exempt; the chart has its own labels
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue; // visually hidden (screen-reader text)
    const s = getComputedStyle(el);
    const fg = parse(s.color);
    const bg = background(el);
    if (!fg || !bg) continue;
    const text = over(fg, bg);
    const [l1, l2] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (ratio < needed) out.push('contrast ' + ratio.toFixed(2) + ':1 < ' + needed + ':1 (' + s.color + ' on rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')): ' + describe(el));
  }
  return Array.from(new Set(out));
})()`;

const TABBABLES = String.raw`(() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const list = Array.from(document.querySelectorAll(sel)).filter((el) => {
    if (el.disabled || el.tabIndex < 0 || el.closest('[inert]')) return false;
    const details = el.parentElement && el.parentElement.closest('details:not([open])');
    if (details && !(el.tagName === 'SUMMARY' && el.parentElement === details)) return false;
    if (el.type === 'radio' && !el.checked) return false;
    return el.classList.contains('skip') || el.checkVisibility({ checkVisibilityCSS: true });
  });
  window.__fcFocusPrev = null;
  if (list[0]) list[0].focus();
  return list.length;
})()`;

const FOCUS_STEP = String.raw`(() => {
  const a = document.activeElement;
  const p = window.__fcFocusPrev;
  window.__fcFocusPrev = a;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '') + ' "' + (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
  if (p && !p.isConnected) return 'RERENDER';
  if (!a || a === document.body || a === document.documentElement) return 'focus lost to the page body after ' + (p ? describe(p) : 'the start');
  const r = a.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || !a.checkVisibility({ checkVisibilityCSS: true })) return 'focus on an invisible element: ' + describe(a);
  // The same control again: a date/time input moves through its own fields first.
  if (p && p !== a && !(p.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING)) return 'focus moved backwards: ' + describe(p) + ' → ' + describe(a);
  return null;
})()`;

/**
 * Tabs through the page from its first focusable element: focus must move forward in document order through
 * visible elements and never fall back to the body. At most `max` steps. A region re-rendered by a live refresh
 * during the walk restarts it (twice at most).
 */
async function focusOrder(page: Page, max = 60): Promise<string[]> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const count = (await page.evaluate(TABBABLES)) as number;
    let rerendered = false;
    const problems: string[] = [];
    for (let i = 0; i < Math.min(count, max); i += 1) {
      if (i > 0) await page.keyboard.press('Tab');
      const problem = (await page.evaluate(FOCUS_STEP)) as string | null;
      if (problem === 'RERENDER') {
        rerendered = true;
        break;
      }
      if (problem) {
        problems.push(problem);
        break;
      }
    }
    if (!rerendered) return problems;
  }
  return ['the page re-rendered under the focus three times in a row'];
}

/** Every accessibility problem found on the page as it is now (empty: none). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const found = (await page.evaluate(STATIC_CHECKS)) as string[];
  return [...found, ...(await focusOrder(page))];
}

/** A main page's artifacts: the screenshot, then the accessibility problems (the caller expects none). */
export async function checkPage(page: Page, name: string): Promise<string[]> {
  await screenshot(page, name);
  return accessibilityProblems(page);
}
