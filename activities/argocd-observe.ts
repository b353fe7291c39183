// Where the convergence wait (activities/argocd-wait.ts) gets its observations from: Argo CD's application watch
// stream, one per application (integrations/argocd-watch.ts), while it is live — i.e. it has delivered the app's
// current state (the ADDED replay on connect) and has not ended since. A stream that ends (proxy timeout, server
// restart) or breaks is reopened (at once after one that delivered events, else with a backoff); while it is not
// live the wait reads the application with GET at its poll interval. An endpoint that is not there (404 from an
// older proxy) or refuses us for good (non-retryable, e.g. 403 or a 401 after the re-login; or any other error) is
// not tried again in this attempt: polling only. Every event wakes the wait at once; closing (the step's end, or the activity's
// cancellation through `signal`) aborts every stream.
import type { Application, ArgoClient } from '../integrations/argocd.js';
import { ArgoCdError } from '../integrations/argocd.js';
import { watchApplication } from '../integrations/argocd-watch.js';

export interface WatchedApp {
  /** The wait's key (`<cluster>/<name>` with several clusters). */
  label: string;
  name: string;
  project: string;
  argo: () => ArgoClient;
}

/** Longest pause between attempts to open a stream that keeps failing. */
const MAX_RETRY_MS = 30_000;
/** Pause before reopening a stream that ended after delivering events (a proxy that closes after each one). */
const REOPEN_MS = 100;

interface Entry {
  app: WatchedApp;
  /** The current state while the stream is live. */
  latest: Application | undefined;
  abort: AbortController;
}

export interface ApplicationStreams {
  /** The application's current state from its live stream; undefined while there is none (read it with GET). */
  latest(label: string): Application | undefined;
  /** Events received so far (all applications): `wait` returns at once when it moved since `seen`. */
  readonly events: number;
  /** Resolves on the next event after `seen`, or after `ms`; rejects with the signal's reason when it aborts. */
  wait(ms: number, seen: number): Promise<void>;
  /** Stops watching one application (it converged). */
  stop(label: string): void;
  close(): void;
}

export function openApplicationStreams(
  apps: WatchedApp[],
  opts: { enabled: boolean; signal: AbortSignal; retryMs: number; onError?: (label: string, err: unknown) => void },
): ApplicationStreams {
  const entries = new Map<string, Entry>();
  let events = 0;
  let wake: (() => void) | undefined;
  const bump = () => {
    events++;
    wake?.();
  };

  const pause = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });

  async function run(e: Entry): Promise<void> {
    const signal = e.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      let delivered = false;
      try {
        for await (const ev of watchApplication(e.app.argo(), e.app.name, { project: e.app.project, signal })) {
          delivered = true;
          failures = 0;
          e.latest = ev.type === 'DELETED' ? undefined : ev.application;
          bump();
        }
      } catch (err) {
        e.latest = undefined;
        opts.onError?.(e.app.label, err);
        // Not there (404), not for us (non-retryable: 403, 401 after the re-login, no credentials): poll only.
        if (!(err instanceof ArgoCdError) || !err.retryable || err.status === 404) return;
        failures++;
      }
      e.latest = undefined; // ended: not live until the replay of the next connection
      if (signal.aborted) return;
      await pause(delivered ? REOPEN_MS : Math.min(opts.retryMs * 2 ** Math.max(0, failures - 1), MAX_RETRY_MS), signal);
    }
  }

  const onAbort = () => {
    for (const e of entries.values()) e.abort.abort();
  };
  if (opts.enabled) {
    opts.signal.addEventListener('abort', onAbort, { once: true });
    for (const app of apps) {
      const e: Entry = { app, latest: undefined, abort: new AbortController() };
      entries.set(app.label, e);
      void run(e);
    }
  }

  return {
    latest: (label) => entries.get(label)?.latest,
    get events() {
      return events;
    },
    wait(ms, seen) {
      return new Promise<void>((resolve, reject) => {
        const signal = opts.signal;
        if (signal.aborted) return reject(signal.reason as Error);
        if (events !== seen || ms <= 0) return resolve();
        const done = (fn: () => void) => () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', aborted);
          wake = undefined;
          fn();
        };
        const aborted = done(() => reject(signal.reason as Error));
        const timer = setTimeout(done(resolve), ms);
        wake = done(resolve);
        signal.addEventListener('abort', aborted, { once: true });
      });
    },
    stop(label) {
      entries.get(label)?.abort.abort();
      entries.delete(label);
    },
    close() {
      opts.signal.removeEventListener('abort', onAbort);
      onAbort();
      entries.clear();
    },
  };
}
