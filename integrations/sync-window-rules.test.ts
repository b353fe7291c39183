// Argo CD's sync window rules, table by table, from argo-cd's own tests (pkg/apis/application/v1alpha1/
// types_test.go: TestSyncWindow_Active, TestSyncWindows_Active, TestSyncWindows_CanSync, TestSyncWindows_Matches,
// TestSyncWindows_SyncOverrun) at a fixed instant, plus the boundaries, time zones, globs, invalid windows and
// the prediction of when a blocked sync may run.
import { zoneOffsetMs } from '../domain/time-zone.js';
import { describe, expect, it } from 'vitest';
import type { SyncWindow } from './argocd-schema.js';
import {
  blockingWindows,
  canSync,
  globMatch,
  InvalidSyncWindowError,
  isWindowActive,
  matchWindows,
  nextSyncAllowed,
  parseGoDuration,
  validateSyncWindow,
} from './sync-window-rules.js';

/** Monday 2 June 2025, midnight UTC (New York is on EDT, UTC-4; Dhaka UTC+6). */
const DAY = Date.parse('2025-06-02T00:00:00Z');
const at = (hhmm: string) => Date.parse(`2025-06-02T${hhmm}Z`);
const w = (kind: string, schedule: string, duration: string, more: Partial<SyncWindow> = {}): SyncWindow => ({
  kind,
  schedule,
  duration,
  applications: ['*'],
  ...more,
});
/** argo-cd's builders: active = `* * * * *` for 1h, inactive = the hour ten hours from now. */
const NOW = at('12:00:00');
const active = (kind: string, manualSync = false) => w(kind, '* * * * *', '1h', { manualSync });
const inactive = (kind: string, manualSync = false) => w(kind, '0 22 * * *', '1h', { manualSync });

describe('isWindowActive (SyncWindow.Active)', () => {
  const cases: Array<[string, SyncWindow, number, boolean]> = [
    ['allow active', w('allow', '* 10 * * *', '2h'), at('11:00:00'), true],
    ['allow inactive', w('allow', '* 10 * * *', '2h'), at('13:00:00'), false],
    ['deny active', w('deny', '* 10 * * *', '2h'), at('11:00:00'), true],
    ['deny inactive', w('deny', '* 10 * * *', '2h'), at('13:00:00'), false],
    ['`* 10` for 2h lasts until 12:59 (the last start is 10:59)', w('deny', '* 10 * * *', '2h'), at('12:58:59'), true],
    ['not active at the very start instant (Argo: next start strictly before now)', w('deny', '0 10 * * *', '1h'), at('10:00:00'), false],
    ['active one second after the start', w('deny', '0 10 * * *', '1h'), at('10:00:01'), true],
    ['not active at the very end instant', w('deny', '0 10 * * *', '1h'), at('11:00:00'), false],
    ['seconds in durations', w('deny', '0 10 * * *', '1h0m30s'), at('11:00:20'), true],
    [
      'time zone: 10:00 in New York is 14:00 UTC in June',
      w('allow', '* 10 * * *', '2h', { timeZone: 'America/New_York' }),
      at('16:00:00'),
      true,
    ],
    [
      'time zone: New York window closed at 22:00 UTC',
      w('allow', '* 10 * * *', '2h', { timeZone: 'America/New_York' }),
      at('22:00:00'),
      false,
    ],
    ['positive offset: 08:00 in Dhaka is 02:00 UTC', w('allow', '* 8 * * *', '2h', { timeZone: 'Asia/Dhaka' }), at('03:00:00'), true],
    ['an unknown zone counts as UTC', w('allow', '* 10 * * *', '2h', { timeZone: 'Mars/Olympus' }), at('11:00:00'), true],
    ['day of week: Monday only', w('deny', '0 9 * * MON', '8h'), at('12:00:00'), true],
    ['day of week: Sunday only (0)', w('deny', '0 9 * * 0', '8h'), at('12:00:00'), false],
    ['day of month and day of week restricted: either matches (Vixie/robfig OR)', w('deny', '0 9 15 * MON', '8h'), at('12:00:00'), true],
  ];
  it.each(cases)('%s', (_name, window, now, want) => {
    expect(isWindowActive(window, now)).toBe(want);
  });
});

describe('invalid windows (argo-cd refuses them: robfig/cron, time.ParseDuration)', () => {
  const cases: Array<[string, SyncWindow, RegExp]> = [
    ['day of week 7', w('allow', '* 10 * * 7', '1h'), /cannot parse schedule '\* 10 \* \* 7': end of range \(7\) above maximum \(6\)/],
    ['six fields', w('allow', '0 0 10 * * *', '1h'), /expected exactly 5 fields, found 6/],
    ['descriptor', w('allow', '@hourly', '1h'), /parser does not accept descriptors/],
    ['L (cron-parser only)', w('allow', '0 0 L * *', '1h'), /cannot parse schedule/],
    ['# (cron-parser only)', w('allow', '0 0 * * 1#1', '1h'), /cannot parse schedule/],
    ['H (cron-parser only)', w('allow', 'H * * * *', '1h'), /cannot parse schedule/],
    ['out of range', w('allow', '0 25 * * *', '1h'), /cannot parse schedule/],
    ['not cron', w('allow', 'invalid-cron-schedule', '1h'), /expected exactly 5 fields, found 1/],
    ['duration unit', w('allow', '* 10 * * *', '3a'), /cannot parse duration '3a': time: unknown unit "a" in duration "3a"/],
    ['duration without unit', w('allow', '* 10 * * *', '30'), /time: missing unit in duration "30"/],
    ['empty duration', w('allow', '* 10 * * *', ''), /time: invalid duration ""/],
  ];
  it.each(cases)('%s', (_name, window, message) => {
    expect(() => isWindowActive(window, NOW)).toThrow(message);
    expect(() => canSync([window], { manual: true, atMs: NOW })).toThrow(/^invalid sync windows: cannot parse/);
  });
  it('kind must be allow or deny', () => {
    expect(() => validateSyncWindow(w('block', '* * * * *', '1h'))).toThrow("kind 'block' mismatch: can only be allow or deny");
    expect(() => validateSyncWindow(w('deny', '* * * * *', '1h'))).not.toThrow();
  });
  it('an invalid window blocks even next to valid ones (argo-cd: "will deny and return error with invalid windows")', () => {
    expect(() => canSync([active('allow'), w('deny', '* 10 * * 7', '1h')], { manual: false, atMs: NOW })).toThrow(InvalidSyncWindowError);
  });
});

describe('canSync (SyncWindows.CanSync): deny wins, allow windows that exist must be active, manualSync', () => {
  const cases: Array<[string, SyncWindow[], { manual: boolean }, boolean]> = [
    ['no windows', [], { manual: false }, true],
    ['inactive deny (manual on): manual', [inactive('deny', true)], { manual: true }, true],
    ['inactive deny (manual off): manual', [inactive('deny')], { manual: true }, true],
    ['two inactive allows, one without manualSync: manual', [inactive('allow', true), inactive('allow')], { manual: true }, false],
    ['active allow (manual on): manual', [active('allow', true)], { manual: true }, true],
    ['active allow: manual', [active('allow')], { manual: true }, true],
    ['active allow: automated', [active('allow')], { manual: false }, true],
    ['active allow, inactive deny: manual', [active('allow'), inactive('deny')], { manual: true }, true],
    ['active allow, inactive deny: automated', [active('allow'), inactive('deny')], { manual: false }, true],
    ['inactive allow: manual', [inactive('allow')], { manual: true }, false],
    ['inactive allow: automated', [inactive('allow')], { manual: false }, false],
    ['inactive allow with manualSync: manual', [inactive('allow', true)], { manual: true }, true],
    ['inactive allow with manualSync: automated', [inactive('allow', true)], { manual: false }, false],
    ['inactive allow and inactive deny: manual', [inactive('allow'), inactive('deny')], { manual: true }, false],
    ['inactive allow and inactive deny: automated', [inactive('allow'), inactive('deny')], { manual: false }, false],
    ['active allow and inactive allow: automated', [active('allow'), inactive('allow')], { manual: false }, true],
    ['active deny: manual', [active('deny')], { manual: true }, false],
    ['active deny: automated', [active('deny')], { manual: false }, false],
    ['active deny with manualSync: manual', [active('deny', true)], { manual: true }, true],
    ['active deny with manualSync: automated', [active('deny', true)], { manual: false }, false],
    [
      'several active denies, one without manualSync: manual',
      [active('deny', true), active('deny', true), active('deny', true), active('deny')],
      { manual: true },
      false,
    ],
    ['active deny and active allow: deny wins', [active('allow'), active('deny')], { manual: true }, false],
    ['active deny with manualSync and active allow: manual', [active('allow'), active('deny', true)], { manual: true }, true],
    ['active deny with manualSync and active allow: automated', [active('allow'), active('deny', true)], { manual: false }, false],
  ];
  it.each(cases)('%s', (_name, windows, q, want) => {
    expect(canSync(windows, { ...q, atMs: NOW })).toBe(want);
  });

  it('names the windows that block', () => {
    expect(blockingWindows([active('deny'), inactive('allow')], false, NOW).map((x) => x.kind)).toEqual(['deny']);
    expect(blockingWindows([inactive('allow'), inactive('deny')], false, NOW).map((x) => x.kind)).toEqual(['allow']);
    expect(blockingWindows([active('allow')], false, NOW)).toEqual([]);
  });

  it('sync overrun: an operation started while allowed may go on when every blocking window allows it', () => {
    const deny = w('deny', '0 12 * * *', '1h', { syncOverrun: true });
    const started = at('11:59:00');
    expect(canSync([deny], { manual: false, atMs: at('12:30:00') })).toBe(false);
    expect(canSync([deny], { manual: false, atMs: at('12:30:00'), operationStartedAtMs: started })).toBe(true);
    expect(canSync([{ ...deny, syncOverrun: false }], { manual: false, atMs: at('12:30:00'), operationStartedAtMs: started })).toBe(false);
    // Started inside the deny window: not allowed when it started.
    expect(canSync([deny], { manual: false, atMs: at('12:30:00'), operationStartedAtMs: at('12:10:00') })).toBe(false);
    const allow = w('allow', '0 10 * * *', '1h', { syncOverrun: true });
    expect(canSync([allow], { manual: false, atMs: at('11:30:00'), operationStartedAtMs: at('10:30:00') })).toBe(true);
    expect(canSync([allow], { manual: false, atMs: at('11:30:00'), operationStartedAtMs: at('09:30:00') })).toBe(false);
  });
});

describe('matchWindows (SyncWindows.Matches): globs over applications, clusters and namespaces', () => {
  const app = { name: 'test-app', namespace: 'default', server: 'cluster1', clusterName: 'clusterName' };
  const sel = (s: Partial<SyncWindow>): SyncWindow => ({ kind: 'deny', schedule: '* * * * *', duration: '1h', ...s });
  const cases: Array<[string, Partial<SyncWindow>, boolean]> = [
    ['namespace', { namespaces: ['default'] }, true],
    ['cluster server', { clusters: ['cluster1'] }, true],
    ['cluster name', { clusters: ['clusterName'] }, true],
    ['application', { applications: ['test-app'] }, true],
    ['application and namespace', { applications: ['test-app'], namespaces: ['default'] }, true],
    ['wildcard application', { applications: ['test-*'] }, true],
    ['wildcard application and cluster', { applications: ['test-*'], clusters: ['clusterN*'] }, true],
    ['OR: application misses, namespace matches', { applications: ['other'], namespaces: ['default'] }, true],
    ['no match', { applications: ['other'], namespaces: ['prod'] }, false],
    ['no selector at all applies to nothing', {}, false],
    ['AND: application and namespace match', { applications: ['test-*'], namespaces: ['default'], andOperator: true }, true],
    ['AND: application matches, namespace does not', { applications: ['test-*'], namespaces: ['prod'], andOperator: true }, false],
    ['AND: cluster misses', { applications: ['test-app'], clusters: ['other'], andOperator: true }, false],
    ['AND: only namespaces, matching', { namespaces: ['def*'], andOperator: true }, true],
    ['glob ?', { applications: ['test-ap?'] }, true],
    ['glob class', { applications: ['test-[a-c]pp'] }, true],
    ['glob negated class', { applications: ['test-[!a]pp'] }, false],
    ['glob alternatives', { applications: ['{prod,test}-app'] }, true],
  ];
  it.each(cases)('%s', (_name, s, want) => {
    expect(matchWindows([sel(s)], app)).toHaveLength(want ? 1 : 0);
  });
  it('globs match whole names, dots and slashes included', () => {
    expect(globMatch('prod-*', 'prod-core')).toBe(true);
    expect(globMatch('prod-*', 'staging-prod-core')).toBe(false);
    expect(globMatch('https://*.example.com', 'https://k8s.example.com')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });
});

describe('nextSyncAllowed: when a blocked sync may run', () => {
  it('now, when nothing blocks', () => {
    expect(nextSyncAllowed([inactive('deny')], { manual: true, fromMs: NOW })).toBe(NOW);
  });
  it('the end of the active deny window (plus a second)', () => {
    expect(nextSyncAllowed([w('deny', '0 11 * * *', '2h')], { manual: true, fromMs: NOW })).toBe(at('13:00:01'));
  });
  it('a deny window repeating every minute for an hour ends an hour after its last start', () => {
    const deny = w('deny', '* 11 * * *', '1h');
    expect(nextSyncAllowed([deny], { manual: false, fromMs: NOW })).toBe(at('12:59:01'));
  });
  it('the start of the next allow window, tomorrow if need be', () => {
    expect(nextSyncAllowed([w('allow', '0 2 * * *', '2h')], { manual: false, fromMs: NOW })).toBe(Date.parse('2025-06-03T02:00:01Z'));
  });
  it('an allow window that opens while a deny window still holds waits for both', () => {
    const windows = [w('allow', '0 13 * * *', '4h'), w('deny', '0 11 * * *', '3h')];
    expect(nextSyncAllowed(windows, { manual: false, fromMs: NOW })).toBe(at('14:00:01'));
  });
  it('manualSync lets a manual sync through at once, not an automated one', () => {
    const windows = [w('deny', '0 11 * * *', '2h', { manualSync: true })];
    expect(nextSyncAllowed(windows, { manual: true, fromMs: NOW })).toBe(NOW);
    expect(nextSyncAllowed(windows, { manual: false, fromMs: NOW })).toBe(at('13:00:01'));
  });
  it('in the window’s time zone', () => {
    // 02:00 in Berlin (CEST, UTC+2) is 00:00 UTC.
    expect(nextSyncAllowed([w('allow', '0 2 * * *', '1h', { timeZone: 'Europe/Berlin' })], { manual: false, fromMs: NOW })).toBe(
      Date.parse('2025-06-03T00:00:01Z'),
    );
    expect(zoneOffsetMs('Europe/Berlin', NOW)).toBe(2 * 3600_000);
    expect(zoneOffsetMs('Europe/Berlin', Date.parse('2025-01-15T00:00:00Z'))).toBe(3600_000);
  });
  it('never, within the horizon, for a deny window that never closes', () => {
    expect(nextSyncAllowed([w('deny', '* * * * *', '1h')], { manual: false, fromMs: NOW })).toBeUndefined();
    expect(nextSyncAllowed([w('allow', '0 0 1 1 *', '1h')], { manual: false, fromMs: NOW, horizonMs: 86_400_000 })).toBeUndefined();
  });
  it('stays fast on frequent short windows over the whole horizon', () => {
    const started = performance.now();
    expect(
      nextSyncAllowed([w('deny', '* * * * *', '1h'), w('allow', '*/2 * * * *', '30s')], { manual: false, fromMs: DAY }),
    ).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('parseGoDuration (time.ParseDuration)', () => {
  const cases: Array<[string, number]> = [
    ['1h', 3_600_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['500ms', 500],
    ['0', 0],
    ['-5m', -300_000],
    ['2h45m10s', 9_910_000],
  ];
  it.each(cases)('%s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
  it.each(['', 'h', '1', '1d', '.h', '1h-5m'])('refuses %j', (text) => {
    expect(() => parseGoDuration(text)).toThrow(/^time: /);
  });
});
