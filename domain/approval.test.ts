import { describe, expect, it } from 'vitest';
import { approvalWaitRemainingMs, isEligibleApprover } from './approval.js';

describe('isEligibleApprover', () => {
  it('lets anyone decide when the environment lists nobody', () => {
    expect(isEligibleApprover([], 'alice', [])).toBe(true);
  });
  it('matches principals exactly and groups by the token groups', () => {
    const approvers = ['bob', 'group:release-managers'];
    expect(isEligibleApprover(approvers, 'bob', [])).toBe(true);
    expect(isEligibleApprover(approvers, 'alice', ['release-managers'])).toBe(true);
    expect(isEligibleApprover(approvers, 'alice', ['developers'])).toBe(false);
    // A principal named like a group entry is not a group member, and a group is not a principal.
    expect(isEligibleApprover(['group:ops'], 'group:ops', [])).toBe(false);
    expect(isEligibleApprover(['ops'], 'alice', ['ops'])).toBe(false);
  });
});

describe('approvalWaitRemainingMs', () => {
  const gate = new Date('2026-12-01T10:00:00Z');
  it('is zero without a timer or before the gate is known', () => {
    expect(approvalWaitRemainingMs(gate, 0, gate)).toBe(0);
    expect(approvalWaitRemainingMs(null, 60, gate)).toBe(0);
  });
  it('counts down from the gate', () => {
    expect(approvalWaitRemainingMs(gate, 60, new Date('2026-12-01T10:00:45Z'))).toBe(15_000);
    expect(approvalWaitRemainingMs(gate, 60, new Date('2026-12-01T10:01:00Z'))).toBe(0);
  });
});
