// Argo CD's sync window rules, as argo-cd evaluates them (pkg/apis/application/v1alpha1/types.go: SyncWindows
// Matches, Active, InactiveAllows, CanSync; robfig/cron's five-field parser; Go's time.ParseDuration), with no
// I/O. The simulator judges syncs with them, and the Argo CD client predicts from them when a blocked sync may
// run: the next moment CanSync turns true. Cron expressions are evaluated by `cron-parser` (in UTC, as Argo does)
// after a grammar check that refuses what robfig/cron refuses (six fields, descriptors, `L`, `#`, `H`, day 7).
//
// Argo's quirks kept on purpose: a window is active strictly inside (start, start + duration) of one of its
// starts; the time zone is a fixed offset taken at the moment of evaluation (Argo shifts "now" by the zone's
// current offset and reads the cron in UTC); a window naming no application, namespace or cluster applies to
// nothing; deny wins over allow, and while allow windows exist but none is active syncs are blocked.
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { SyncWindow } from './argocd-schema.js';
import { zoneOffsetMs } from '../domain/time-zone.js';

/** A project's window that cannot be evaluated: Argo refuses syncs with `invalid sync windows: …`. */
export class InvalidSyncWindowError extends Error {
  override readonly name = 'InvalidSyncWindowError';
}

const GO_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds (`1h`, `30m`, `1h30m`, `1.5h`, `-5m`), with Go's error messages. */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)?.[0] ?? '';
    if (!/\d/.test(num)) throw new Error(`time: invalid duration ${quoted}`);
    s = s.slice(num.length);
    const unit = /^[^\d.]*/.exec(s)?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const ms = GO_UNITS_MS[unit];
    if (ms === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(num.endsWith('.') ? num.slice(0, -1) : num) * ms;
    s = s.slice(unit.length);
  }
  return sign * total;
}

/** Parsed cron schedules kept to this many entries: schedules come from Argo CD, so they are not ours to bound. */
const MAX_CACHED = 1000;
const ATOM = /^(?:\*|\?|\d+|[a-z]{3})(?:-(?:\d+|[a-z]{3}))?(?:\/\d+)?$/i;
const schedules = new Map<string, CronExpression | Error>();

/** robfig/cron's standard parser (minute, hour, day of month, month, day of week), evaluated by cron-parser. */
function cronOf(schedule: string): CronExpression {
  let parsed = schedules.get(schedule);
  if (parsed === undefined) {
    try {
      const fields = schedule.trim().split(/\s+/);
      if (schedule.trim().startsWith('@')) throw new Error(`parser does not accept descriptors: ${schedule}`);
      if (fields.length !== 5)
        throw new Error(`expected exactly 5 fields, found ${schedule.trim() === '' ? 0 : fields.length}: [${fields.join(' ')}]`);
      for (const field of fields) {
        const bad = field.split(',').find((atom) => !ATOM.test(atom));
        if (bad !== undefined) throw new Error(`failed to parse ${JSON.stringify(bad)} in ${JSON.stringify(field)}`);
      }
      const dow = fields[4] ?? '';
      if (/(^|[,-])7(?!\d)/.test(dow)) throw new Error(`end of range (7) above maximum (6): ${dow}`);
      parsed = CronExpressionParser.parse(fields.join(' '), { tz: 'UTC', currentDate: 0 });
    } catch (err) {
      parsed = err instanceof Error ? err : new Error(String(err));
    }
    if (schedules.size >= MAX_CACHED) schedules.clear();
    schedules.set(schedule, parsed);
  }
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

/** The first start of the schedule strictly after `ms` (robfig's Schedule.Next), read in UTC. */
function nextStart(cron: CronExpression, ms: number): number {
  cron.reset(new Date(ms));
  return cron.next().getTime();
}

/** The last start strictly before `ms`. */
function prevStart(cron: CronExpression, ms: number): number {
  cron.reset(new Date(ms));
  return cron.prev().getTime();
}

interface Parsed {
  cron: CronExpression;
  durationMs: number;
}

function parse(w: SyncWindow): Parsed {
  const schedule = w.schedule ?? '';
  let cron: CronExpression;
  try {
    cron = cronOf(schedule);
  } catch (err) {
    throw new InvalidSyncWindowError(`cannot parse schedule '${schedule}': ${(err as Error).message}`, { cause: err });
  }
  let durationMs: number;
  try {
    durationMs = parseGoDuration(w.duration ?? '');
  } catch (err) {
    throw new InvalidSyncWindowError(`cannot parse duration '${w.duration ?? ''}': ${(err as Error).message}`, { cause: err });
  }
  return { cron, durationMs };
}

/** Argo's Validate: kind, schedule and duration must be usable (the time zone falls back to UTC). */
export function validateSyncWindow(w: SyncWindow): void {
  if (w.kind !== 'allow' && w.kind !== 'deny')
    throw new InvalidSyncWindowError(`kind '${w.kind ?? ''}' mismatch: can only be allow or deny`);
  parse(w);
  if ((w.description ?? '').length > 255) throw new InvalidSyncWindowError('description must not exceed 255 characters');
}

/** SyncWindow.Active at `atMs`: a start lies strictly inside (atMs - duration, atMs), in the zone's wall time. */
export function isWindowActive(w: SyncWindow, atMs: number): boolean {
  const { cron, durationMs } = parse(w);
  const shifted = atMs + zoneOffsetMs(w.timeZone, atMs);
  return nextStart(cron, shifted - durationMs) < shifted;
}

export function activeWindows(windows: readonly SyncWindow[], atMs: number): SyncWindow[] {
  return windows.filter((w) => isWindowActive(w, atMs));
}

/** The allow windows that are not active at `atMs`. */
export function inactiveAllows(windows: readonly SyncWindow[], atMs: number): SyncWindow[] {
  return windows.filter((w) => w.kind === 'allow' && !isWindowActive(w, atMs));
}

/** gobwas/glob without separators, as Argo matches window selectors: `*`, `?`, `[a-z]`, `[!x]`, `{a,b}`, `\` escapes. */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  let re = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i] as string);
    else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false; // gobwas refuses to compile it; Argo then matches nothing
      const body = pattern.slice(i + 1, end);
      re += body.startsWith('!') ? `[^${body.slice(1).replace(/[\\\]^]/g, '\\$&')}]` : `[${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  try {
    return new RegExp(`^${re}$`).test(value);
  } catch {
    return false;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export interface WindowTarget {
  /** The Application's name. */
  name: string;
  /** `spec.destination.namespace`. */
  namespace: string;
  /** `spec.destination.server` and/or `spec.destination.name`. */
  server?: string;
  clusterName?: string;
}

/** SyncWindows.Matches: the windows that apply to one application (OR of the selectors, or AND with `andOperator`). */
export function matchWindows(windows: readonly SyncWindow[], app: WindowTarget): SyncWindow[] {
  return windows.filter((w) => {
    const and = w.andOperator === true;
    let matched = false;
    let isSet = false;
    if ((w.applications ?? []).length > 0) {
      isSet = true;
      matched = (w.applications ?? []).some((p) => globMatch(p, app.name));
    }
    if (and && isSet && !matched) return false;
    if (!and && matched) return true;
    if ((w.clusters ?? []).length > 0) {
      isSet = true;
      matched = (w.clusters ?? []).some(
        (p) => (!!app.clusterName && globMatch(p, app.clusterName)) || (!!app.server && globMatch(p, app.server)),
      );
    }
    if (and && isSet && !matched) return false;
    if (!and && matched) return true;
    if ((w.namespaces ?? []).length > 0) matched = (w.namespaces ?? []).some((p) => globMatch(p, app.namespace));
    return matched;
  });
}

export interface CanSyncQuery {
  /** A manual sync (a user's request) rather than an automated one: `manualSync` windows let it through. */
  manual: boolean;
  atMs: number;
  /** A running operation's start: with `syncOverrun`, it may finish inside a window that blocks new syncs. */
  operationStartedAtMs?: number;
}

function blockedAt(
  windows: readonly SyncWindow[],
  manual: boolean,
  atMs: number,
): { deny: SyncWindow[]; allows: SyncWindow[] } | undefined {
  const active = activeWindows(windows, atMs);
  const deny = active.filter((w) => w.kind === 'deny');
  if (deny.length > 0) return manual && deny.every((w) => w.manualSync === true) ? undefined : { deny, allows: [] };
  if (active.some((w) => w.kind === 'allow')) return undefined;
  const allows = inactiveAllows(windows, atMs);
  if (allows.length > 0 && !(manual && allows.every((w) => w.manualSync === true))) return { deny: [], allows };
  return undefined;
}

/**
 * SyncWindows.CanSync over the windows that apply to the application (matchWindows first). Throws
 * InvalidSyncWindowError (`invalid sync windows: …`) when one cannot be evaluated: Argo then blocks the sync.
 */
export function canSync(windows: readonly SyncWindow[], q: CanSyncQuery): boolean {
  if (windows.length === 0) return true;
  try {
    const blocked = blockedAt(windows, q.manual, q.atMs);
    if (!blocked) return true;
    const started = q.operationStartedAtMs;
    if (started === undefined || started <= 0) return false;
    // Overrun: every blocking window (the active deny ones, or the inactive allow ones) allows it, and the sync
    // was allowed when it started.
    const blocking = blocked.deny.length > 0 ? blocked.deny : blocked.allows;
    if (!blocking.every((w) => w.syncOverrun === true)) return false;
    return blockedAt(windows, q.manual, started) === undefined;
  } catch (err) {
    if (err instanceof InvalidSyncWindowError) throw new InvalidSyncWindowError(`invalid sync windows: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The windows that block a sync at `atMs` (the active deny windows, else the allow windows none of which is active). */
export function blockingWindows(windows: readonly SyncWindow[], manual: boolean, atMs: number): SyncWindow[] {
  const blocked = blockedAt(windows, manual, atMs);
  return blocked ? [...blocked.deny, ...blocked.allows] : [];
}

const DAY_MS = 86_400_000;
/** How far ahead nextSyncAllowed looks by default. */
export const SYNC_WINDOW_HORIZON_MS = 7 * DAY_MS;
const MAX_INTERVALS_PER_DAY = 2000;

/** One window's active stretches overlapping [fromMs, toMs), merged, in real (not zone-shifted) time. */
function activeStretches(w: SyncWindow, fromMs: number, toMs: number): Array<[number, number]> {
  const { cron, durationMs } = parse(w);
  if (durationMs <= 0) return [];
  const offset = zoneOffsetMs(w.timeZone, fromMs);
  const end = toMs + offset;
  const out: Array<[number, number]> = [];
  let start = nextStart(cron, fromMs + offset - durationMs);
  while (start < end && out.length < MAX_INTERVALS_PER_DAY) {
    let stop = start + durationMs;
    // Starts before the stretch ends extend it (`* * * * *` for 1h is one long stretch, cut after `end`).
    for (let last = prevStart(cron, stop); last + durationMs > stop && stop <= end; last = prevStart(cron, stop)) stop = last + durationMs;
    out.push([start - offset, stop - offset]);
    start = nextStart(cron, Math.max(stop - 1, start));
  }
  return out;
}

/**
 * The first moment after `fromMs` at which CanSync turns true for these (matched) windows: the end of the
 * blocking deny windows or the start of an allow window, whichever first lets a sync through; `fromMs` itself
 * when nothing blocks now; undefined when no such moment exists within `horizonMs` (default 7 days). Checked
 * with canSync itself one second after every window boundary, so the answer never contradicts the rules.
 */
export function nextSyncAllowed(
  windows: readonly SyncWindow[],
  q: { manual: boolean; fromMs: number; horizonMs?: number },
): number | undefined {
  if (canSync(windows, { manual: q.manual, atMs: q.fromMs })) return q.fromMs;
  const horizon = q.fromMs + (q.horizonMs ?? SYNC_WINDOW_HORIZON_MS);
  for (let day = q.fromMs; day < horizon; day += DAY_MS) {
    const until = Math.min(day + DAY_MS, horizon);
    const boundaries = new Set<number>();
    for (const w of windows) {
      for (const [a, b] of activeStretches(w, day, until)) for (const t of [a, b]) if (t > q.fromMs && t <= until) boundaries.add(t);
    }
    for (const t of [...boundaries].sort((x, y) => x - y)) {
      const at = t + 1000;
      if (canSync(windows, { manual: q.manual, atMs: at })) return at;
    }
  }
  return undefined;
}

/** `0 22 * * * (deny 1h, Europe/Berlin)`: how a window is named in messages. */
export function describeWindow(w: SyncWindow): string {
  const extra = [w.timeZone && w.timeZone !== 'UTC' ? w.timeZone : '', w.manualSync ? 'manual syncs allowed' : ''].filter(Boolean);
  return `${w.schedule ?? '?'} (${w.kind ?? '?'} ${w.duration ?? '?'}${extra.length > 0 ? `, ${extra.join(', ')}` : ''})`;
}
