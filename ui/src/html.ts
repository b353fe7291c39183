// Tiny, framework-free rendering helpers. `html` is a tagged template that escapes EVERY interpolated
// value unless it is already SafeHtml (the output of another `html` call or of `raw` on a constant).
// All API data reaches the DOM only through it, so a release reason like `<img onerror=…>` stays text.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] ?? ch);
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function renderPart(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(renderPart).join('');
  return escapeHtml(part);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += renderPart(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Only for markup written in this code base, never for data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A path under the SPA's hash router; every segment is URI-encoded. */
export function route(...segments: Array<string | number>): string {
  return '#/' + segments.map((s) => encodeURIComponent(String(s))).join('/');
}

const mounted = new WeakMap<Element, string>();

/** Replaces el's content, unless it is the same markup as last time (keeps focus and selection on refresh). */
export function mount(el: Element, content: SafeHtml): void {
  if (mounted.get(el) === content.value && el.innerHTML !== '') return;
  mounted.set(el, content.value);
  el.innerHTML = content.value;
}

export function $(selector: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

export function input(selector: string, root: ParentNode = document): HTMLInputElement {
  return $(selector, root) as HTMLInputElement;
}
