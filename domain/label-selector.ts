// Kubernetes label selectors as they appear in `?labelSelector=`: equality (`a=b`, `a==b`, `a!=b`),
// set-based (`a in (x,y)`, `a notin (x)`) and existence (`a`, `!a`), comma-separated (AND).
// Also used for Argo's `?selector=` on the applications list (an environment's `argocd.applicationSelector`
// is validated with it on save) and by the simulator. Pure: no I/O.

export type Requirement = { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | 'notexists' };

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
/** A label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric. */
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function checkValue(value: string): string {
  if (!VALUE.test(value)) throw new SelectorError(`invalid label value "${value}"`);
  return value;
}

export function parseSelector(selector: string | undefined | null): Requirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map((part): Requirement => {
    let m = /^(\S+?)\s+(in|notin)\s+\((.*)\)$/.exec(part);
    if (m) {
      const [, key = '', op, values = ''] = m;
      if (!KEY.test(key)) throw new SelectorError(`invalid label key "${key}"`);
      return {
        key,
        op: op === 'in' ? 'in' : 'notin',
        values: values
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '')
          .map(checkValue),
      };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      const [, key = '', op, value = ''] = m;
      if (!KEY.test(key)) throw new SelectorError(`invalid label key "${key}"`);
      return { key, op: op === '!=' ? 'notin' : 'in', values: [checkValue(value)] };
    }
    m = /^(!?)\s*([^=!\s(),]+)$/.exec(part);
    if (m) {
      const [, bang, key = ''] = m;
      if (!KEY.test(key)) throw new SelectorError(`invalid label key "${key}"`);
      return { key, op: bang ? 'notexists' : 'exists' };
    }
    throw new SelectorError(`unable to parse requirement: "${part}"`);
  });
}

export function matches(requirements: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key] ?? '');
      case 'notin':
        return !has || !r.values.includes(l[r.key] ?? '');
      default: {
        const never: never = r;
        return never;
      }
    }
  });
}
