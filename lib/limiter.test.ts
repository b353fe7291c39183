// The concurrency bound of the live view and the monitors (a pure unit): at most `n` tasks in flight, also when a
// finishing task hands its slot to a waiting one while new tasks arrive.
import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter.js';

describe('createLimiter', () => {
  it('never runs more than n tasks at once and runs every task', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const task = (i: number) =>
      limit(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise<void>((r) => release.push(r));
        active -= 1;
        return i;
      });
    const first = [0, 1, 2, 3].map(task);
    await Promise.resolve();
    expect(release).toHaveLength(2);
    // A slot frees while new tasks arrive in the same tick: the waiting task gets it, nobody jumps in.
    release.shift()?.();
    const late = [4, 5].map(task);
    for (let i = 0; i < 20 && (release.length > 0 || active > 0); i++) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
    expect(await Promise.all([...first, ...late])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
});
