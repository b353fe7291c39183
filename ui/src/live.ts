// Following the API's event stream (GET /v1/events, docs/events.md) from the browser: fetch with the bearer
// token (EventSource cannot send one), a small SSE parser, and reconnection with Last-Event-ID, until the
// screen is left. Screens refresh what an event touches instead of polling.
import { getToken } from './api.js';

export interface LiveEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export interface LiveFilter {
  environment?: string;
  releaseId?: string;
  deploymentId?: number;
}

/** Calls `onEvent` for every event matching `filter` until `signal` aborts; `onState` says whether it is connected. */
export async function follow(
  filter: LiveFilter,
  signal: AbortSignal,
  onEvent: (e: LiveEvent) => void,
  onState: (connected: boolean) => void = () => undefined,
): Promise<void> {
  let last: string | undefined;
  let delay = 1000;
  while (!signal.aborted) {
    const query = new URLSearchParams();
    if (filter.environment) query.set('environment', filter.environment);
    if (filter.releaseId) query.set('releaseId', filter.releaseId);
    if (filter.deploymentId !== undefined) query.set('deploymentId', String(filter.deploymentId));
    try {
      const token = getToken();
      const res = await fetch(`/v1/events?${query.toString()}`, {
        headers: {
          accept: 'text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(last ? { 'last-event-id': last } : {}),
        },
        signal,
      });
      // Signed out or not allowed: retrying cannot help (the page shows the API's answer on its next load).
      if (res.status === 401 || res.status === 403) return;
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      onState(true);
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(':');
            if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
          }
          // An id-only frame (the server's starting position) or an event: either is where to resume.
          last = fields.id ?? last;
          if (fields.data === undefined) continue;
          try {
            onEvent({ id: fields.id ?? '', type: fields.event ?? 'message', data: JSON.parse(fields.data) as Record<string, unknown> });
          } catch {
            /* not JSON: not one of ours */
          }
        }
        if (buffer.length > 1_000_000) throw new Error('event stream: frame too long');
      }
    } catch {
      if (signal.aborted) return;
    }
    onState(false);
    // Jittered backoff: many tabs reconnecting after an API restart do not all come back at once.
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 15_000);
  }
}

/** Runs `fn` once per burst of calls (the last call plus `ms`), e.g. one reload for the events of one transition. */
export function debounce(ms: number, fn: () => void): () => void {
  let t: number | undefined;
  return () => {
    window.clearTimeout(t);
    t = window.setTimeout(fn, ms);
  };
}
