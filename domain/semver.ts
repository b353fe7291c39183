// Product versions and template keys, and the semver fallback that resolves one to the other.
//
// Template keys are `default` or a strict semver without build metadata (`2.4.1`, `2.5.0-rc.1`).
// A product version is a strict semver (a leading `v` or `=` is not accepted); `default` also names the
// default template directly. Resolution tries, in order, and takes the newest revision of the first key
// that exists:
//   1. the exact version without build metadata      2.4.1-rc.1+b7 → 2.4.1-rc.1
//   2. for a pre-release, its release version        → 2.4.1
//   3. the `.0` patch of the same minor              → 2.4.0
//   4. `default`
// Build metadata never selects a template (semver gives it no precedence meaning); a pre-release may have a
// template of its own (prepared ahead of an RC) but otherwise ships the topology of the version it precedes.
import { SemVer } from 'semver';

export const DEFAULT_TEMPLATE_KEY = 'default';

/** Parses a strict semver; null for anything else (including `v1.2.3`, `1.2`, `default`). */
export function parseSemver(value: string): SemVer | null {
  if (value.length > 256 || !/^\d/.test(value)) return null;
  try {
    const v = new SemVer(value, { loose: false });
    const build = v.build.length > 0 ? `+${v.build.join('.')}` : '';
    return `${v.version}${build}` === value ? v : null;
  } catch {
    return null;
  }
}

export function isProductVersion(value: string): boolean {
  return value === DEFAULT_TEMPLATE_KEY || parseSemver(value) !== null;
}

/** A key a template may be saved under: `default` or a semver without build metadata. */
export function isTemplateKey(value: string): boolean {
  if (value === DEFAULT_TEMPLATE_KEY) return true;
  const v = parseSemver(value);
  return v !== null && v.build.length === 0;
}

/** Template keys to try for a product version, most specific first; null if the version is not valid. */
export function resolutionChain(productVersion: string): string[] | null {
  if (productVersion === DEFAULT_TEMPLATE_KEY) return [DEFAULT_TEMPLATE_KEY];
  const v = parseSemver(productVersion);
  if (!v) return null;
  const chain = [v.version, `${v.major}.${v.minor}.${v.patch}`, `${v.major}.${v.minor}.0`, DEFAULT_TEMPLATE_KEY];
  return [...new Set(chain)];
}

/** Sort order for listings: newest semver first, `default` last. */
export function compareTemplateKeysDesc(a: string, b: string): number {
  if (a === b) return 0;
  if (a === DEFAULT_TEMPLATE_KEY) return 1;
  if (b === DEFAULT_TEMPLATE_KEY) return -1;
  const va = parseSemver(a);
  const vb = parseSemver(b);
  if (!va || !vb) return a < b ? -1 : 1;
  return vb.compare(va);
}
