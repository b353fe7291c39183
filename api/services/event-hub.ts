// The per-process fan-out of the event log's notifications (channel fc_events, sent by the triggers of
// migration 0011): one LISTEN connection while at least one stream is open, and a timer (EVENTS_POLL_MS) that
// wakes the streams too, since events can be held back by an older transaction still running (db/events.ts)
// and nothing notifies when that one ends without events of its own. Streams read the table themselves.
import type { Database } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';

export interface EventHub {
  /** Calls `wake` on every notification (and every poll tick) until the returned function is called. */
  subscribe(wake: () => void): () => void;
  /** Streams open now. */
  size(): number;
}

export function createEventHub(database: Database, logger: Logger, opts: { pollMs: number }): EventHub {
  const subscribers = new Set<() => void>();
  let listening: Promise<{ unlisten: () => Promise<void> } | undefined> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const wakeAll = () => {
    for (const wake of subscribers) wake();
  };
  const start = () => {
    listening = database.sql.listen('fc_events', wakeAll).catch((err: unknown) => {
      // Streams still see every event through the poll tick; only the latency grows.
      logger.warn({ err }, 'event stream: LISTEN failed, polling only');
      return undefined;
    });
    timer = setInterval(wakeAll, opts.pollMs);
    timer.unref();
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
    const l = listening;
    listening = undefined;
    void l?.then((x) => x?.unlisten()).catch(() => undefined);
  };
  return {
    subscribe(wake) {
      subscribers.add(wake);
      if (subscribers.size === 1) start();
      return () => {
        if (subscribers.delete(wake) && subscribers.size === 0) stop();
      };
    },
    size: () => subscribers.size,
  };
}
