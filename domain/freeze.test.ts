import { describe, expect, it } from 'vitest';
import { checkFreezeSchedule, freezeStateAt, nextOpenAt, openOccurrence, type FreezeWindow } from './freeze.js';

const at = (iso: string) => Date.parse(iso);
let n = 0;
const win = (w: Omit<FreezeWindow, 'id' | 'environment' | 'reason'> & Partial<FreezeWindow>): FreezeWindow => ({
  id: `w${++n}`,
  environment: null,
  reason: 'test',
  ...w,
});

describe('freeze schedules', () => {
  it('cron + duration in an IANA zone, across a DST change', () => {
    // Fridays 18:00 Paris for 62 hours (the weekend freeze).
    const w = win({ kind: 'deny', schedule: { type: 'cron', cron: '0 18 * * 5', durationSeconds: 62 * 3600, timeZone: 'Europe/Paris' } });
    // Winter (UTC+1): Friday 2026-12-04 18:00 Paris = 17:00Z.
    expect(openOccurrence(w, at('2026-12-04T16:59:00Z'))).toBeUndefined();
    expect(openOccurrence(w, at('2026-12-04T17:00:00Z'))).toEqual({ start: at('2026-12-04T17:00:00Z'), end: at('2026-12-07T07:00:00Z') });
    // Summer (UTC+2): Friday 2026-07-03 18:00 Paris = 16:00Z.
    expect(openOccurrence(w, at('2026-07-03T16:00:00Z'))?.start).toBe(at('2026-07-03T16:00:00Z'));
    expect(nextOpenAt([w], at('2026-12-05T12:00:00Z'))).toBe(at('2026-12-07T07:00:00Z'));
  });

  it('RRULE on the zone wall clock (floating), with start and COUNT', () => {
    const w = win({
      kind: 'deny',
      schedule: {
        type: 'rrule',
        rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0;BYSECOND=0',
        durationSeconds: 3600,
        timeZone: 'America/New_York',
      },
    });
    // Friday 2026-12-04 16:00 New York (UTC-5) = 21:00Z.
    expect(openOccurrence(w, at('2026-12-04T21:30:00Z'))).toEqual({ start: at('2026-12-04T21:00:00Z'), end: at('2026-12-04T22:00:00Z') });
    expect(openOccurrence(w, at('2026-12-04T22:00:00Z'))).toBeUndefined();
    // Summer (UTC-4): 20:00Z.
    expect(openOccurrence(w, at('2026-07-03T20:10:00Z'))?.start).toBe(at('2026-07-03T20:00:00Z'));
    const counted = win({
      kind: 'allow',
      schedule: { type: 'rrule', rrule: 'FREQ=DAILY;COUNT=2;BYHOUR=9', start: '2026-12-01T00:00', durationSeconds: 3600, timeZone: 'UTC' },
    });
    expect(nextOpenAt([counted], at('2026-12-01T08:00:00Z'))).toBe(at('2026-12-01T09:00:00Z'));
    // After the last occurrence an allow-only scope never opens again.
    expect(nextOpenAt([counted], at('2026-12-03T00:00:00Z'))).toBeNull();
  });

  it('one-off freezes, allow windows, deny wins, overlapping windows chain', () => {
    const once = win({
      kind: 'deny',
      schedule: { type: 'once', from: '2026-12-24T00:00:00Z', until: '2026-12-27T00:00:00Z' },
      reason: 'holidays',
    });
    const weekdays = win({ kind: 'allow', schedule: { type: 'cron', cron: '0 9 * * 1-5', durationSeconds: 8 * 3600, timeZone: 'UTC' } });
    // Thursday 2026-12-24 10:00: inside an allow window but frozen by the one-off; opens Sunday → next allow Monday 09:00.
    const state = freezeStateAt([once, weekdays], at('2026-12-24T10:00:00Z'));
    expect(state.frozen).toBe(true);
    expect(state.blocks.map((b) => b.reason)).toEqual(['holidays']);
    expect(nextOpenAt([once, weekdays], at('2026-12-24T10:00:00Z'))).toBe(at('2026-12-28T09:00:00Z'));
    // Outside the allow windows: frozen until the next one opens.
    const evening = freezeStateAt([weekdays], at('2026-12-01T18:00:00Z'));
    expect(evening.blocks).toEqual([expect.objectContaining({ kind: 'allow', until: at('2026-12-02T09:00:00Z') })]);
    expect(freezeStateAt([weekdays], at('2026-12-01T10:00:00Z')).frozen).toBe(false);
    expect(freezeStateAt([], at('2026-12-01T10:00:00Z'))).toEqual({ frozen: false, blocks: [] });
  });

  it('refuses what cannot be evaluated, fast', () => {
    const bad = (s: Parameters<typeof checkFreezeSchedule>[1], kind: 'deny' | 'allow' = 'deny') => checkFreezeSchedule(kind, s);
    expect(bad({ type: 'cron', cron: '0 18 * *', durationSeconds: 60, timeZone: 'UTC' })[0]).toMatch(/5 fields/);
    expect(bad({ type: 'cron', cron: '99 18 * * *', durationSeconds: 60, timeZone: 'UTC' })[0]).toMatch(/cannot parse cron/);
    expect(bad({ type: 'rrule', rrule: 'FREQ=MINUTELY', durationSeconds: 60, timeZone: 'UTC' })[0]).toMatch(/FREQ=DAILY/);
    expect(bad({ type: 'rrule', rrule: 'FREQ=DAILY;DTSTART=20200101T000000Z', durationSeconds: 60, timeZone: 'UTC' })[0]).toMatch(/start/);
    expect(bad({ type: 'rrule', rrule: 'NOPE=1', durationSeconds: 60, timeZone: 'UTC' })[0]).toMatch(/cannot parse RRULE/);
    expect(bad({ type: 'once', from: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' })[0]).toMatch(/after/);
    expect(bad({ type: 'once', from: '2026-12-01T00:00:00Z', until: '2026-12-02T00:00:00Z' }, 'allow')[0]).toMatch(/deny/);
    expect(bad({ type: 'cron', cron: '*/5 * * * *', durationSeconds: 60, timeZone: 'UTC' })).toEqual([]);
    // Evaluation cost stays bounded: no BYSECOND, few BYMINUTE values, a start at most a year old.
    const rrule = (r: string, start?: string) =>
      bad({ type: 'rrule', rrule: r, durationSeconds: 60, timeZone: 'UTC', ...(start ? { start } : {}) });
    expect(rrule('FREQ=DAILY;BYSECOND=1,2,3')[0]).toMatch(/BYSECOND/);
    expect(rrule('FREQ=DAILY;BYMINUTE=1,2,3,4,5')[0]).toMatch(/BYMINUTE/);
    expect(rrule('FREQ=DAILY;BYHOUR=9', '0001-01-01T00:00')[0]).toMatch(/days ago/);
    expect(rrule('FREQ=DAILY;BYHOUR=9', new Date().toISOString().slice(0, 16))).toEqual([]);
  });
});
