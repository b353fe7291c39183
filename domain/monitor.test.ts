// Table-driven rules of the monitor: an application's observation → live state and incidents, and when the
// policy acts on an incident.
import { describe, expect, it } from 'vitest';
import { dueAction, incidentsOf, judgeApplication, monitoringOf, type AppObservation } from './monitor.js';

const obs = (o: Partial<AppObservation>): AppObservation => ({
  application: 'api',
  sync: 'Synced',
  health: 'Healthy',
  mismatches: [],
  ...o,
});
const image = { workload: 'api', container: 'api', expected: 'org/api:2.4.8', running: 'org/api:hotfix' };

describe('judgeApplication', () => {
  const cases: Array<[string, Partial<AppObservation>, string, string[]]> = [
    ['in sync', {}, 'in sync', []],
    ['progressing (not ours)', { health: 'Progressing' }, 'progressing', []],
    ['image drift', { mismatches: [image] }, 'drifted', ['drift']],
    ['release drift', { mismatches: [{ ...image, container: '*', expected: 'release a', running: 'release b' }] }, 'drifted', ['drift']],
    ['out of sync', { sync: 'OutOfSync' }, 'out-of-sync', ['out-of-sync']],
    ['drift wins over out-of-sync', { sync: 'OutOfSync', mismatches: [image] }, 'drifted', ['out-of-sync', 'drift']],
    ['degraded health', { health: 'Degraded' }, 'degraded', ['degraded']],
    [
      'no Ready pod',
      { mismatches: [{ ...image, container: '*', expected: 'at least one Ready pod', running: 'no Ready pod' }] },
      'degraded',
      ['degraded'],
    ],
    ['missing app', { health: 'Missing' }, 'missing', ['missing']],
    [
      'workload missing',
      { mismatches: [{ ...image, container: '*', expected: 'Deployment api', running: 'workload missing from the application' }] },
      'missing',
      ['missing'],
    ],
  ];
  it.each(cases)('%s', (_name, o, state, kinds) => {
    const v = judgeApplication('staging', obs(o));
    expect(v.state).toBe(state);
    expect(v.problems.map((p) => p.kind)).toEqual(kinds);
  });

  it('writes evidence lines as <env>/<workload>/<container>: expected …, running …', () => {
    const v = judgeApplication('staging', obs({ mismatches: [image, image] }));
    expect(v.problems).toEqual([{ kind: 'drift', line: 'staging/api/api: expected org/api:2.4.8, running org/api:hotfix' }]);
    const [inc] = incidentsOf(v);
    expect(inc).toMatchObject({ kind: 'drift', lines: ['staging/api/api: expected org/api:2.4.8, running org/api:hotfix'] });
    expect(inc?.summary).toMatch(/^drift in api: staging\/api\/api/);
  });
});

describe('dueAction', () => {
  const now = new Date('2026-01-01T00:01:00Z');
  const config = { sustainSeconds: 60, policy: 'resync' as const };
  const inc = (o: Partial<Parameters<typeof dueAction>[0]>) => ({
    kind: 'drift' as const,
    firstSeenAt: new Date('2026-01-01T00:00:00Z'),
    resolvedAt: null,
    action: null,
    ...o,
  });
  it.each([
    ['sustained', inc({}), 'resync'],
    ['not yet sustained', inc({ firstSeenAt: new Date('2026-01-01T00:00:01Z') }), undefined],
    ['acted on already', inc({ action: 'resynced' }), undefined],
    ['resolved', inc({ resolvedAt: now }), undefined],
    ['failed verification: the policy, at once', inc({ kind: 'verification-failed', firstSeenAt: now }), 'resync'],
  ])('%s', (_name, i, want) => {
    expect(dueAction(i, config, now)).toBe(want);
  });

  it('defaults monitoring when the environment has no configuration', () => {
    expect(monitoringOf(null)).toMatchObject({ enabled: true, intervalSeconds: 15, sustainSeconds: 60, policy: 'alert' });
  });
});
