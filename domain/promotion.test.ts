import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATUSES,
  canTransition,
  isActive,
  isTerminal,
  PROMOTION_STATUSES,
  TERMINAL_STATUSES,
  type PromotionStatus,
} from './promotion.js';

// Every pair of statuses and whether the lifecycle allows it (the table is the specification).
const ALLOWED: Array<[PromotionStatus, PromotionStatus]> = [
  ['pending', 'awaiting_approval'],
  ['pending', 'running'],
  ['pending', 'failed'],
  ['pending', 'aborted'],
  ['awaiting_approval', 'running'],
  ['awaiting_approval', 'failed'],
  ['awaiting_approval', 'aborted'],
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

  it('active and terminal partition the statuses', () => {
    for (const s of PROMOTION_STATUSES) expect(isActive(s) !== isTerminal(s)).toBe(true);
  });
});
