// Freeze windows (issue 11, docs/governance.md): when promotions may not start. Per environment or global:
// `deny` windows (frozen while one is open), `allow` windows (when a scope has any, promotions start only inside
// one), each on a cron expression + duration or an RFC 5545 RRULE + duration in an IANA time zone, and one-off
// freezes (`from`/`until`). Pure: the schedules are evaluated with cron-parser (time-zone and DST aware) and
// rrule (in the zone's wall-clock time, "floating", converted to instants here).
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import * as rruleModule from 'rrule';
import type { Options as RRuleOptions } from 'rrule';
import { z } from 'zod';
import { zoneOffsetMs } from './time-zone.js';

// rrule ships CommonJS to Node (whose named exports Node cannot detect) and ESM to bundlers and vitest: take
// the namespace that holds RRule.
type RRuleLib = typeof rruleModule;
const cjsDefault = (rruleModule as unknown as { default?: RRuleLib }).default;
const rrule: RRuleLib = cjsDefault?.RRule ? cjsDefault : rruleModule;
const { Frequency, RRule } = rrule;
type RRule = InstanceType<typeof RRule>;

const DAY_S = 86_400;

/** An IANA time zone the runtime knows (`Europe/Paris`, `UTC`). */
export const TimeZone = z.string().min(1).max(64).refine(isTimeZone, { message: 'an IANA time zone, e.g. Europe/Paris or UTC' });

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const Duration = z
  .number()
  .int()
  .min(60)
  .max(31 * DAY_S);

/** Local date-time in the window's zone, without offset: where an RRULE starts counting (default 2020-01-01T00:00). */
const LocalDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'a local date-time YYYY-MM-DDTHH:MM[:SS]');

export const FreezeSchedule = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('cron'),
      /** Five fields (minute hour day-of-month month day-of-week), read in `timeZone`. */
      cron: z.string().min(9).max(200),
      durationSeconds: Duration,
      timeZone: TimeZone,
    })
    .strict(),
  z
    .object({
      type: z.literal('rrule'),
      /** RRULE properties (`FREQ=WEEKLY;BYDAY=FR;BYHOUR=16`), FREQ DAILY, WEEKLY, MONTHLY or YEARLY. */
      rrule: z.string().min(6).max(500),
      /** Local start of the recurrence (default 2020-01-01T00:00 in `timeZone`). */
      start: LocalDateTime.optional(),
      durationSeconds: Duration,
      timeZone: TimeZone,
    })
    .strict(),
  z
    .object({
      type: z.literal('once'),
      from: z.iso.datetime({ offset: true }),
      until: z.iso.datetime({ offset: true }),
    })
    .strict(),
]);
export type FreezeSchedule = z.infer<typeof FreezeSchedule>;

/** Windows in force per scope (an environment, or global) at most. */
export const MAX_FREEZE_WINDOWS = 100;

export const FREEZE_KINDS = ['deny', 'allow'] as const;
export type FreezeKind = (typeof FREEZE_KINDS)[number];

/** A window as stored: `environment` null = every environment. */
export interface FreezeWindow {
  id: string;
  environment: string | null;
  kind: FreezeKind;
  schedule: FreezeSchedule;
  reason: string;
}

export class FreezeScheduleError extends Error {
  override readonly name = 'FreezeScheduleError';
}

/** How far back an RRULE's `start` may lie when the window is saved: evaluating a rule iterates from its start. */
export const MAX_RRULE_START_AGE_DAYS = 366;

/**
 * The schedule's problems, empty when it can be evaluated (checked on save: 422 FREEZE_INVALID). Evaluation cost
 * is bounded here: an RRULE starts at most a year before it is saved and yields at most 96 starts a day (no
 * BYSECOND, at most 4 BYMINUTE values), so finding an occurrence stays a few thousand iterations per year of age.
 */
export function checkFreezeSchedule(kind: FreezeKind, s: FreezeSchedule, nowMs: number = Date.now()): string[] {
  try {
    if (s.type === 'once') {
      if (kind !== 'deny') return ['a one-off window is a freeze (kind deny)'];
      if (Date.parse(s.until) <= Date.parse(s.from)) return ['until must be after from'];
      return [];
    }
    if (s.type === 'rrule' && s.start !== undefined) {
      const start = Date.parse(`${s.start.length === 16 ? `${s.start}:00` : s.start}Z`);
      if (!(start >= nowMs - MAX_RRULE_START_AGE_DAYS * DAY_S * 1000))
        return [`start must be at most ${MAX_RRULE_START_AGE_DAYS} days ago`];
    }
    compiled(s);
    return [];
  } catch (err) {
    if (err instanceof FreezeScheduleError) return [err.message];
    throw err;
  }
}

interface Recurrence {
  /** Last start at or before `ms`, if any. */
  prev(ms: number): number | undefined;
  /** First start strictly after `ms`, if any. */
  next(ms: number): number | undefined;
  durationMs: number;
}

const MAX_CACHED = 500;
const cache = new Map<string, Recurrence>();

function compiled(s: Exclude<FreezeSchedule, { type: 'once' }>): Recurrence {
  const key = JSON.stringify(s);
  let r = cache.get(key);
  if (!r) {
    r = s.type === 'cron' ? cronRecurrence(s) : rruleRecurrence(s);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, r);
  }
  return r;
}

function cronRecurrence(s: { cron: string; durationSeconds: number; timeZone: string }): Recurrence {
  const fields = s.cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new FreezeScheduleError(`a cron expression has 5 fields, found ${fields.length}`);
  let cron: CronExpression;
  try {
    cron = CronExpressionParser.parse(fields.join(' '), { tz: s.timeZone, currentDate: 0, strict: false });
  } catch (err) {
    throw new FreezeScheduleError(`cannot parse cron "${s.cron}": ${(err as Error).message}`);
  }
  const at = (ms: number, dir: 'prev' | 'next'): number | undefined => {
    cron.reset(new Date(ms));
    try {
      return (dir === 'prev' ? cron.prev() : cron.next()).getTime();
    } catch {
      return undefined; // no occurrence (e.g. 30 February)
    }
  };
  // cron-parser's prev() is strictly before: one second later includes a start exactly at `ms` (minute granularity).
  return { prev: (ms) => at(ms + 1000, 'prev'), next: (ms) => at(ms, 'next'), durationMs: s.durationSeconds * 1000 };
}

const FREQUENCIES = new Set([Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY, Frequency.YEARLY]);

function rruleRecurrence(s: { rrule: string; start?: string | undefined; durationSeconds: number; timeZone: string }): Recurrence {
  let options: Partial<RRuleOptions>;
  try {
    options = RRule.parseString(s.rrule.replace(/^RRULE:/i, ''));
  } catch (err) {
    throw new FreezeScheduleError(`cannot parse RRULE "${s.rrule}": ${(err as Error).message}`);
  }
  if (options.freq === undefined || !FREQUENCIES.has(options.freq)) {
    throw new FreezeScheduleError('RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY');
  }
  if (options.dtstart || options.tzid)
    throw new FreezeScheduleError('give the start as `start` and the zone as `timeZone`, not in the RRULE');
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
  if (list(options.bysecond).some((x) => x !== 0)) throw new FreezeScheduleError('BYSECOND is not supported (windows start on a minute)');
  if (list(options.byminute).length > 4) throw new FreezeScheduleError('at most 4 BYMINUTE values');
  const startText = s.start ?? '2020-01-01T00:00';
  const startWall = Date.parse(`${startText.length === 16 ? `${startText}:00` : startText}Z`);
  if (Number.isNaN(startWall)) throw new FreezeScheduleError(`invalid start ${startText}`);
  let rule: RRule;
  try {
    // Floating time: the rule runs on the zone's wall clock written as UTC; converted to instants below.
    rule = new RRule({ ...options, dtstart: new Date(startWall), tzid: null });
  } catch (err) {
    throw new FreezeScheduleError(`invalid RRULE "${s.rrule}": ${(err as Error).message}`);
  }
  const toWall = (ms: number) => ms + zoneOffsetMs(s.timeZone, ms);
  const toInstant = (wall: number) => {
    const guess = wall - zoneOffsetMs(s.timeZone, wall);
    return wall - zoneOffsetMs(s.timeZone, guess);
  };
  return {
    prev: (ms) => {
      const d = rule.before(new Date(toWall(ms)), true);
      return d ? toInstant(d.getTime()) : undefined;
    },
    next: (ms) => {
      const d = rule.after(new Date(toWall(ms)), false);
      return d ? toInstant(d.getTime()) : undefined;
    },
    durationMs: s.durationSeconds * 1000,
  };
}

/** The occurrence of a window that contains `ms` (start ≤ ms < end), if one does. */
export function openOccurrence(w: Pick<FreezeWindow, 'schedule'>, ms: number): { start: number; end: number } | undefined {
  const s = w.schedule;
  if (s.type === 'once') {
    const start = Date.parse(s.from);
    const end = Date.parse(s.until);
    return start <= ms && ms < end ? { start, end } : undefined;
  }
  const r = compiled(s);
  const start = r.prev(ms);
  return start !== undefined && ms < start + r.durationMs ? { start, end: start + r.durationMs } : undefined;
}

/** The next start of a window strictly after `ms`, if any. */
export function nextOpening(w: Pick<FreezeWindow, 'schedule'>, ms: number): number | undefined {
  const s = w.schedule;
  if (s.type === 'once') return Date.parse(s.from) > ms ? Date.parse(s.from) : undefined;
  return compiled(s).next(ms);
}

export interface FreezeBlock {
  windowId: string;
  kind: FreezeKind;
  environment: string | null;
  reason: string;
  /** When this block ends (a deny occurrence's end, or the next allow window's start); null = never. */
  until: number | null;
}

export interface FreezeState {
  frozen: boolean;
  blocks: FreezeBlock[];
}

/**
 * Whether promotions are frozen at `ms` under `windows` (those of the environment and the global ones): a deny
 * window open, or allow windows configured and none open (allow windows of the environment and global ones
 * count together).
 */
export function freezeStateAt(windows: readonly FreezeWindow[], ms: number): FreezeState {
  const blocks: FreezeBlock[] = [];
  for (const w of windows) {
    if (w.kind !== 'deny') continue;
    const occ = openOccurrence(w, ms);
    if (occ) blocks.push({ windowId: w.id, kind: 'deny', environment: w.environment, reason: w.reason, until: occ.end });
  }
  const allows = windows.filter((w) => w.kind === 'allow');
  if (allows.length > 0 && !allows.some((w) => openOccurrence(w, ms))) {
    const starts = allows.map((w) => nextOpening(w, ms)).filter((t): t is number => t !== undefined);
    const first = starts.length ? Math.min(...starts) : null;
    const w = allows.find((a) => nextOpening(a, ms) === first) ?? allows[0];
    blocks.push({
      windowId: w?.id ?? '',
      kind: 'allow',
      environment: w?.environment ?? null,
      reason: `outside the allowed windows${w ? ` (${w.reason})` : ''}`,
      until: first,
    });
  }
  return { frozen: blocks.length > 0, blocks };
}

/** Steps the search for the next open moment takes at most (overlapping windows chain). */
const MAX_STEPS = 200;

/** The first moment at or after `ms` when nothing freezes promotions; null when none is found (never opens). */
export function nextOpenAt(windows: readonly FreezeWindow[], ms: number): number | null {
  let t = ms;
  for (let i = 0; i < MAX_STEPS; i++) {
    const state = freezeStateAt(windows, t);
    if (!state.frozen) return t;
    if (state.blocks.some((b) => b.until === null)) return null;
    t = Math.max(...state.blocks.map((b) => b.until as number));
  }
  return null;
}
