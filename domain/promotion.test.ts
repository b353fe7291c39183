import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATUSES,
  canTransition,
  isAborting,
  isActive,
  isTerminal,
  parkReasonOf,
  PROMOTION_STATUSES,
  syncWindowParkMessage,
  TERMINAL_STATUSES,
  validActions,
  type PromotionStatus,
} from './promotion.js';

// Every pair of statuses and whether the lifecycle allows it (the table is the specification).
const ALLOWED: Array<[PromotionStatus, PromotionStatus]> = [
  // Queued (`queue: true`, docs/governance.md "Queues"): starts, is superseded (newest-wins), cancelled, or fails a rule.
  ['queued', 'pending'],
  ['queued', 'superseded'],
  ['queued', 'aborted'],
  ['queued', 'failed'],
  ['pending', 'scheduled'],
  ['pending', 'awaiting_approval'],
  ['pending', 'running'],
  // Waiting for a freeze window (whenOpen), at start or after the approval gate (docs/governance.md).
  ['scheduled', 'awaiting_approval'],
  ['scheduled', 'running'],
  ['scheduled', 'failed'],
  ['scheduled', 'aborted'],
  ['pending', 'failed'],
  ['pending', 'aborted'],
  ['awaiting_approval', 'running'],
  ['awaiting_approval', 'failed'],
  ['awaiting_approval', 'aborted'],
  ['running', 'scheduled'],
  ['running', 'awaiting_operator'],
  ['running', 'succeeded'],
  ['running', 'failed'],
  ['running', 'aborted'],
  ['awaiting_operator', 'running'],
  ['awaiting_operator', 'failed'],
  ['awaiting_operator', 'aborted'],
];

describe('canTransition', () => {
  const key = (from: string, to: string) => `${from} → ${to}`;
  const allowed = new Set(ALLOWED.map(([f, t]) => key(f, t)));
  for (const from of PROMOTION_STATUSES) {
    for (const to of PROMOTION_STATUSES) {
      const expected = allowed.has(key(from, to));
      it(`${key(from, to)} is ${expected ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(expected);
      });
    }
  }

  it('no terminal status ever changes, and every active status can fail', () => {
    for (const t of TERMINAL_STATUSES) for (const to of PROMOTION_STATUSES) expect(canTransition(t, to)).toBe(false);
    for (const a of ACTIVE_STATUSES) expect(canTransition(a, 'failed')).toBe(true);
  });

  it('queued, active and terminal partition the statuses', () => {
    for (const s of PROMOTION_STATUSES) expect([s === 'queued', isActive(s), isTerminal(s)].filter(Boolean)).toHaveLength(1);
  });
});

describe('validActions', () => {
  const cases: Array<[string, Parameters<typeof validActions>[0], string[]]> = [
    ['queued: only abort (it leaves the queue)', { status: 'queued' }, ['abort']],
    ['superseded', { status: 'superseded' }, []],
    ['pending: only abort', { status: 'pending' }, ['abort']],
    ['awaiting approval', { status: 'awaiting_approval', step: 'approval' }, ['approve', 'reject', 'abort']],
    ['running', { status: 'running', step: 'argocd-wait' }, ['abort']],
    ['running the record step: nothing', { status: 'running', step: 'record' }, []],
    ['parked', { status: 'awaiting_operator', step: 'argocd-wait' }, ['retry', 'abort']],
    ['parked while an abort is under way', { status: 'awaiting_operator', step: 'argocd-wait', aborting: true }, []],
    ['succeeded', { status: 'succeeded' }, []],
    ['failed', { status: 'failed' }, []],
    ['aborted', { status: 'aborted' }, []],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(validActions(input)).toEqual(expected));
  }

  it('an abort in the actions of an active promotion means it is aborting; once ended it is not', () => {
    expect(isAborting({ status: 'running', actions: [{ action: 'start' }, { action: 'abort' }] })).toBe(true);
    expect(isAborting({ status: 'running', actions: [{ action: 'start' }] })).toBe(false);
    expect(isAborting({ status: 'aborted', actions: [{ action: 'abort' }] })).toBe(false);
  });
});

describe('park reasons', () => {
  const reason = 'blocked by sync window 0 22 * * * (deny 1h): prod-core may sync at 2025-06-02T23:00:01.000Z';
  const cases: Array<[string, { status: PromotionStatus; message: string | null }, string | null]> = [
    ['not parked', { status: 'running', message: syncWindowParkMessage(reason) }, null],
    ['a failed step', { status: 'awaiting_operator', message: 'prod-core: application Degraded' }, 'step-failed'],
    ['no message', { status: 'awaiting_operator', message: null }, 'step-failed'],
    ['waiting for a sync window', { status: 'awaiting_operator', message: syncWindowParkMessage(reason) }, 'sync-window'],
    [
      'waiting for a sync window of one cluster',
      { status: 'awaiting_operator', message: syncWindowParkMessage(`cluster eu-2: ${reason}`) },
      'sync-window',
    ],
    [
      'a failed step whose reason quotes a window',
      { status: 'awaiting_operator', message: `prod-core: Argo CD: ${reason} (HTTP 403)` },
      'step-failed',
    ],
    [
      'blocked, but no longer waiting on its own',
      { status: 'awaiting_operator', message: `${reason}; no longer waiting on its own` },
      'step-failed',
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(parkReasonOf(input)).toBe(expected));
  }
  it('the sync-window message begins with the window and says the promotion resumes by itself', () => {
    expect(syncWindowParkMessage(reason)).toMatch(
      /^blocked by sync window 0 22 \* \* \* \(deny 1h\): .*; resumes on its own when the window opens/,
    );
  });
});
