// The engine's waiting: one queue per repository and branch inside this process (so one worker's promotions
// do not race each other), and the jittered backoff between attempts against writers in other processes.

/** Tails of the per-repository queues of this process (see `serializeInProcess`). */
const queues = new Map<string, Promise<void>>();

export async function withLock<T>(key: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  if (key === undefined) return fn();
  const previous = queues.get(key) ?? Promise.resolve();
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  try {
    await abortable(previous, signal);
    return await fn();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/** `p`, or a rejection with the signal's reason as soon as it aborts (`p` itself goes on). */
export function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Full jitter over an exponential cap (50 ms, 100 ms, … 1 s): concurrent writers spread out instead of colliding again. */
export function backoffMs(attempt: number): number {
  const cap = Math.min(1000, 25 * 2 ** attempt);
  return Math.round(cap / 4 + (Math.random() * (cap * 3)) / 4);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
