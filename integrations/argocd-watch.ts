// Argo CD's application watch stream as a client reads it: `GET /api/v1/stream/applications?name=…` with
// `Accept: text/event-stream` answers Server-Sent Events, each `data: {"result":{"type","application"}}` (or
// `data: {"error":{…}}` when the server ends the stream with an error) followed by a blank line; lines starting with
// `:` are keepalives. The request itself (authentication, re-login on 401, TLS, the time allowed until the response
// headers) is the client's (integrations/argocd.ts `openStream`); this module turns the response body into
// events, with a bound on the size of one event so a broken or hostile peer cannot grow memory without limit.
import { z } from 'zod';
import { ArgoCdError, type ArgoClient } from './argocd.js';
import { Application } from './argocd-schema.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface ApplicationWatchEvent {
  type: WatchEventType;
  application: Application;
}

/** One event at most (Applications with large resource lists run into megabytes). */
export const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** One message of the stream, its application read with `application` (the full schema, or a lean one). */
const messageOf = <A extends z.ZodType>(application: A) =>
  z.union([
    z.object({ result: z.object({ type: z.enum(['ADDED', 'MODIFIED', 'DELETED']), application }) }),
    z.object({ error: z.looseObject({ code: z.number().optional(), message: z.string().optional() }) }),
  ]);
const Message = messageOf(Application);

/** The `data` of each Server-Sent Event of `body`; ends when the body ends, throws when an event exceeds the bound. */
export async function* serverSentData(body: ReadableStream<Uint8Array>, maxEventBytes: number): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const breaks = /\r\n|\r|\n/g;
  let line = ''; // the line read so far
  let afterCR = false; // the last chunk ended in \r: a \n starting the next one belongs to it
  let data: string[] = [];
  let dataChars = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      breaks.lastIndex = afterCR && text.startsWith('\n') ? 1 : 0;
      afterCR = false;
      for (let from = breaks.lastIndex; ;) {
        const m = breaks.exec(text);
        if (!m) {
          line += text.slice(from);
          break;
        }
        line += text.slice(from, m.index);
        from = breaks.lastIndex;
        afterCR = m[0] === '\r' && from === text.length;
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
          dataChars = 0;
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          if ((colon < 0 ? line : line.slice(0, colon)) === 'data') {
            const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            data.push(v);
            dataChars += v.length;
          }
        }
        line = '';
      }
      if (line.length + dataChars > maxEventBytes) {
        throw new ArgoCdError({ status: 200, message: `Argo CD watch event larger than ${maxEventBytes} bytes`, retryable: true });
      }
      if (done) return; // an unterminated last event is dropped, as EventSource does
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/**
 * The watch events of an opened stream response. Ends when the server ends the stream (reconnect: the ADDED replay
 * makes that safe); throws ArgoCdError on an error message, a malformed event or a broken connection, and ends
 * quietly when `signal` aborts.
 */
export function applicationWatchEvents(
  res: Response,
  opts: { path: string; signal: AbortSignal; maxEventBytes?: number },
): AsyncGenerator<ApplicationWatchEvent>;
/** The same, each application read with `schema` (argocd-observed.ts: the monitor's lean read). */
export function applicationWatchEvents<A extends z.ZodType>(
  res: Response,
  opts: { path: string; signal: AbortSignal; maxEventBytes?: number; schema: A },
): AsyncGenerator<{ type: WatchEventType; application: z.infer<A> }>;
export async function* applicationWatchEvents(
  res: Response,
  opts: { path: string; signal: AbortSignal; maxEventBytes?: number; schema?: z.ZodType },
): AsyncGenerator<{ type: WatchEventType; application: unknown }> {
  const message = opts.schema ? messageOf(opts.schema) : Message;
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new ArgoCdError({
      status: res.status,
      message: `Argo CD GET ${opts.path}: not an event stream (${type || 'no content type'})`,
      retryable: false,
    });
  }
  try {
    for await (const data of serverSentData(res.body, opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES)) {
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch (err) {
        throw new ArgoCdError({ status: 200, message: `Argo CD GET ${opts.path}: watch event is not JSON`, retryable: true, cause: err });
      }
      const parsed = message.safeParse(json);
      if (!parsed.success) {
        throw new ArgoCdError({ status: 200, message: `Argo CD GET ${opts.path}: unexpected watch event shape`, retryable: true });
      }
      if ('error' in parsed.data) {
        const e = parsed.data.error;
        throw new ArgoCdError({
          status: 200,
          code: e.code,
          message: `Argo CD GET ${opts.path}: ${e.message ?? 'stream error'}`,
          retryable: true,
        });
      }
      yield parsed.data.result;
    }
  } catch (err) {
    if (opts.signal.aborted) return;
    if (err instanceof ArgoCdError) throw err;
    throw new ArgoCdError({
      status: 0,
      message: `Argo CD GET ${opts.path}: stream broken: ${err instanceof Error ? err.message : String(err)}`,
      retryable: true,
      cause: err,
    });
  }
}

/**
 * GET /api/v1/stream/applications?name=…: the application's watch events, its current state first. Throws
 * ArgoCdError when the stream cannot be opened (404 from an older proxy, 401 after the re-login, …) or breaks; ends
 * when the server ends it (a proxy timeout: reconnect), and quietly when `signal` aborts.
 */
export async function* watchApplication(
  argo: Pick<ArgoClient, 'openStream'>,
  name: string,
  opts: { project?: string; signal: AbortSignal; maxEventBytes?: number },
): AsyncGenerator<ApplicationWatchEvent> {
  const q = new URLSearchParams({ name });
  if (opts.project) q.set('projects', opts.project);
  const path = `/api/v1/stream/applications?${q.toString()}`;
  let res: Response;
  try {
    res = await argo.openStream(path, opts.signal);
  } catch (err) {
    if (opts.signal.aborted) return;
    throw err;
  }
  yield* applicationWatchEvents(res, { path, signal: opts.signal, ...(opts.maxEventBytes ? { maxEventBytes: opts.maxEventBytes } : {}) });
}
