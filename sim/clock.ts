// Injectable time for the simulator. Every timed transition (operation start, apply, pod steps,
// health lag) goes through a Scheduler, so tests can use ManualScheduler and move time explicitly
// (`advance(ms)`) instead of sleeping, while `npm run sim` and the sandbox use real timers.

export interface Scheduler {
  now(): number;
  /** Runs `fn` after `delayMs` (0 = as soon as possible, after the current call stack). Returns a cancel function. */
  schedule(delayMs: number, fn: () => void): () => void;
  /** Cancels everything still pending (used by reset and close). */
  cancelAll(): void;
}

/** A clock that tests can move forward (sync windows, token expiry): ManualScheduler, or real timers shifted. */
export interface AdjustableScheduler extends Scheduler {
  /** Moves the clock forward by `ms`. Real timers: pending timers still fire after their real delays. */
  advanceClock(ms: number): void;
}

/**
 * Real timers; delay 0 still runs asynchronously, like a controller's work queue. `advanceClock` shifts what
 * `now()` answers (the cluster's and Argo CD's clock), so a test can jump to the end of a sync window while the
 * rest of the system keeps running on real time.
 */
export function createRealScheduler(): AdjustableScheduler {
  const timers = new Set<NodeJS.Timeout>();
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advanceClock(ms) {
      offsetMs += Math.max(0, ms);
    },
    schedule(delayMs, fn) {
      const t = setTimeout(
        () => {
          timers.delete(t);
          fn();
        },
        Math.max(0, delayMs),
      );
      timers.add(t);
      return () => {
        clearTimeout(t);
        timers.delete(t);
      };
    },
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

interface Task {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Virtual time for deterministic tests: nothing runs until `advance()` (or `flush()`) is called, and
 * then tasks run in time order, including tasks they schedule that fall within the advanced window.
 */
export class ManualScheduler implements AdjustableScheduler {
  private current: number;
  private seq = 0;
  private tasks: Task[] = [];

  constructor(startMs = Date.parse('2025-01-01T00:00:00Z')) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const task: Task = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }

  cancelAll(): void {
    this.tasks = [];
  }

  /** Number of tasks not yet run. */
  get pending(): number {
    return this.tasks.length;
  }

  /** Moves time forward by `ms`, running every task due on the way. */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      let next: Task | undefined;
      for (const t of this.tasks) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.tasks = this.tasks.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  advanceClock(ms: number): void {
    this.advance(ms);
  }

  /** Runs what is due now (zero-delay work) without moving time. */
  flush(): void {
    this.advance(0);
  }

  /** Advances until nothing is pending or `maxMs` has passed; returns the time advanced. */
  runUntilIdle(maxMs = 3_600_000): number {
    const start = this.current;
    while (this.tasks.length > 0 && this.current - start < maxMs) {
      const nextAt = Math.min(...this.tasks.map((t) => t.at));
      this.advance(Math.max(0, nextAt - this.current));
    }
    return this.current - start;
  }
}

/** Argo CD and Kubernetes serialise times as RFC 3339 with second precision. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
