import { describe, expect, it } from 'vitest';
import { MAX_SOAK_CHECKS, soakCheckSeconds } from './soak.js';

describe('soak check interval', () => {
  it('follows the monitoring interval, a quarter of short soaks, and bounds the checks of long soaks (history size)', () => {
    expect(soakCheckSeconds(3, undefined)).toBe(1);
    expect(soakCheckSeconds(600, undefined)).toBe(15);
    expect(soakCheckSeconds(600, 5)).toBe(5);
    // 30 days at a 15 s interval would be 172,800 checks: bounded to MAX_SOAK_CHECKS.
    const month = 30 * 86_400;
    expect(Math.ceil(month / soakCheckSeconds(month, 15))).toBeLessThanOrEqual(MAX_SOAK_CHECKS);
    expect(Math.ceil(86_400 / soakCheckSeconds(86_400, 15))).toBeLessThanOrEqual(MAX_SOAK_CHECKS);
  });
});
