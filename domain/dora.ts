// The four DORA metrics of an environment (docs/operations.md, "DORA metrics"): the parameters of their
// definitions and the parsing of the query window. Pure; db/dora.ts computes the numbers in SQL.

/** A change counts as failed if a failure signal arrives within this long after it succeeded (capped by the next change). */
export const FAILURE_WINDOW_SECONDS = 24 * 3600;

export const WINDOW_MIN_SECONDS = 3600;
export const WINDOW_MAX_SECONDS = 365 * 86_400;
export const DEFAULT_WINDOW = '30d';

export const DORA_BUCKETS = ['day', 'week'] as const;
export type DoraBucket = (typeof DORA_BUCKETS)[number];

const UNIT_SECONDS: Record<string, number> = { h: 3600, d: 86_400, w: 7 * 86_400 };

/**
 * `12h`, `30d`, `4w` → seconds, or undefined when malformed or outside 1h..365d. Parsed by hand (digits then one
 * unit letter, at most 4 digits), so no input can make it slow.
 */
export function parseWindow(text: string): number | undefined {
  if (text.length < 2 || text.length > 5) return undefined;
  const unit = UNIT_SECONDS[text.slice(-1)];
  const digits = text.slice(0, -1);
  if (unit === undefined || digits[0] === '0') return undefined;
  for (const ch of digits) if (ch < '0' || ch > '9') return undefined;
  const seconds = Number(digits) * unit;
  return seconds >= WINDOW_MIN_SECONDS && seconds <= WINDOW_MAX_SECONDS ? seconds : undefined;
}
