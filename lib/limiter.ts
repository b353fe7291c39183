// A bound on concurrent async work: the live view's Argo CD reads (api/services/live-status.ts) and the monitors'
// observations (activities/monitor-watch.ts).

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `n` tasks run at once; the others wait in arrival order. */
export function createLimiter(n: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active < n) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
