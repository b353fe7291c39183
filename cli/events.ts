// Following GET /v1/events (Server-Sent Events) from the CLI: a bounded line parser over fetch's body, and a
// reconnecting reader that resumes with Last-Event-ID when the server ends a stream or the connection drops.
import type { Connection } from './config.js';
import { CliError, EXIT } from './exit-codes.js';

export interface StreamEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** A line longer than this is not an event of ours: the stream is refused rather than buffered without end. */
const MAX_LINE = 1024 * 1024;

export interface FollowOptions {
  filter: { environment?: string; releaseId?: string; deploymentId?: number };
  signal: AbortSignal;
  /** Called once the first stream is established (the server has fixed its starting position). */
  onOpen?: () => void;
  fetchImpl?: typeof fetch;
}

/** Yields events until `signal` aborts; reconnects (resuming after the last event) when a stream ends. */
export async function* follow(c: Connection, opts: FollowOptions): AsyncGenerator<StreamEvent> {
  let last: string | undefined;
  let opened = false;
  let failures = 0;
  while (!opts.signal.aborted) {
    const query = new URLSearchParams();
    if (opts.filter.environment) query.set('environment', opts.filter.environment);
    if (opts.filter.releaseId) query.set('releaseId', opts.filter.releaseId);
    if (opts.filter.deploymentId !== undefined) query.set('deploymentId', String(opts.filter.deploymentId));
    let res: Response;
    try {
      res = await (opts.fetchImpl ?? fetch)(`${c.server}/v1/events?${query.toString()}`, {
        headers: { authorization: `Bearer ${c.token}`, accept: 'text/event-stream', ...(last ? { 'last-event-id': last } : {}) },
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal.aborted) return;
      if (++failures > 5) throw new CliError(`event stream unreachable: ${(err as Error).message}`, EXIT.failed);
      await pause(500 * failures, opts.signal);
      continue;
    }
    if (res.status === 503 && ++failures <= 10) {
      // Too many streams on that API process: wait and try again.
      await res.body?.cancel().catch(() => undefined);
      await pause(1000 * failures, opts.signal);
      continue;
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      throw new CliError(`event stream refused: HTTP ${res.status} ${text.slice(0, 300)}`, EXIT.failed);
    }
    failures = 0;
    try {
      for await (const e of parse(res.body)) {
        if (typeof e === 'object' && 'position' in e) {
          // The server's starting position (an id-only frame): resume from it even if no event matches.
          last = e.position;
          if (!opened) {
            opened = true;
            opts.onOpen?.();
          }
          continue;
        }
        if (!opened) {
          opened = true;
          opts.onOpen?.();
        }
        if (e === 'open') continue;
        last = e.id;
        yield e;
      }
    } catch (err) {
      if (opts.signal.aborted) return;
      if (err instanceof CliError) throw err;
      // A dropped connection: resume after the last event.
    }
  }
}

/** Parses an SSE body; yields 'open' at the first chunk, `{ position }` for an id-only frame, then each event. */
async function* parse(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent | 'open' | { position: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  let fields: Record<string, string> = {};
  let first = true;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    if (first) {
      first = false;
      yield 'open';
    }
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (fields.data === undefined && fields.id !== undefined) yield { position: fields.id };
        if (fields.data !== undefined) {
          let data: Record<string, unknown>;
          try {
            data = JSON.parse(fields.data) as Record<string, unknown>;
          } catch {
            data = { raw: fields.data };
          }
          yield { id: fields.id ?? '', type: fields.event ?? 'message', data };
        }
        fields = {};
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const key = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      fields[key] = key === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
    }
    if (buffer.length > MAX_LINE) throw new CliError('event stream: line too long', EXIT.failed);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
