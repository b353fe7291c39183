// The live event stream (docs/events.md): GET /v1/events, Server-Sent Events of every transition in the event
// log (promotions, steps, operator actions, verifications, incidents, freeze windows), filtered by
// environment, release or deployment, resumable with Last-Event-ID (or ?after=). It is the one source the UI
// and flowctl follow instead of polling. Each stream reads the log at its own pace (bounded batches): a slow
// client only lags behind, it never holds a writer up.
import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { createRouter } from '../app.js';
import { ApiError } from '../errors.js';
import { protectedRoute } from '../openapi.js';
import { EnvironmentName } from '../../domain/environment.js';
import {
  currentPosition,
  formatPosition,
  parsePosition,
  readEvents,
  type EventFilter,
  type EventPosition,
  type EventRow,
} from '../../db/events.js';

const BATCH = 500;
const KEEPALIVE_MS = 15_000;

const streamRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/events',
  tags: ['events'],
  summary: 'Live event stream (Server-Sent Events)',
  description:
    'Every transition, in order: `deployment` (status, step, message), `step` (a step row changed), `operator-action`, ' +
    '`verification`, `incident`, `freeze`, `rejection`, `pause`. Each event has `id: <position>`; reconnect with `Last-Event-ID` (or `?after=`) to ' +
    'resume exactly after it. Without one, the stream starts now. A stream ends after EVENTS_MAX_STREAM_SECONDS; clients ' +
    'reconnect and resume. Keep-alive comments every 15 s.',
  request: {
    query: z.object({
      environment: EnvironmentName.optional(),
      releaseId: z.guid().optional(),
      deploymentId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      after: z.string().max(40).optional().meta({ description: 'A position (an event id) to resume after' }),
    }),
  },
  responses: {
    200: { description: 'The stream', content: { 'text/event-stream': { schema: z.string() } } },
  },
  errors: [400, 503],
});

/** What a client sees of an event: its position, type, time, subjects and the change. */
function view(e: EventRow): Record<string, unknown> {
  return {
    id: formatPosition(e),
    type: e.type,
    at: e.at.toISOString(),
    environment: e.environment,
    releaseId: e.releaseId,
    deploymentId: e.deploymentId,
    ...e.data,
  };
}

export const eventRoutes = createRouter().openapi(streamRoute, async (c) => {
  const q = c.req.valid('query');
  const { database, events: hub, config, logger } = c.var.deps;
  const resumeText = c.req.header('last-event-id') ?? q.after;
  const resume = resumeText === undefined ? undefined : parsePosition(resumeText);
  if (resumeText !== undefined && resume === undefined) {
    throw new ApiError('BAD_REQUEST', 'Last-Event-ID / after is not an event id of this stream (<tx>.<id>)');
  }
  const filter: EventFilter = {
    ...(q.environment !== undefined ? { environment: q.environment } : {}),
    ...(q.releaseId !== undefined ? { releaseId: q.releaseId } : {}),
    ...(q.deploymentId !== undefined ? { deploymentId: q.deploymentId } : {}),
  };
  // The slot is taken with the check (no await between): a burst of requests cannot overshoot the cap.
  if (hub.size() >= config.EVENTS_MAX_STREAMS) {
    throw new ApiError('SERVICE_UNAVAILABLE', `too many event streams open (${config.EVENTS_MAX_STREAMS}); retry later`);
  }
  let wakeUp: (() => void) | undefined;
  let woken = true;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const unsubscribe = hub.subscribe(wake);
  let position: EventPosition;
  try {
    position = resume ?? (await currentPosition(database.sql));
  } catch (err) {
    unsubscribe();
    throw err;
  }
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    stream.onAbort(wake);
    const endAt = Date.now() + config.EVENTS_MAX_STREAM_SECONDS * 1000;
    try {
      // The starting position as an id-only frame: a client that reconnects before any event matched its filter
      // resumes from here (Last-Event-ID) instead of "now", so nothing committed in between is lost.
      await stream.write(`retry: 2000\nid: ${formatPosition(position)}\n\n`);
      while (!stream.aborted && !stream.closed && Date.now() < endAt) {
        if (woken) {
          woken = false;
          let rows: EventRow[];
          do {
            rows = await readEvents(database.sql, { after: position, filter, limit: BATCH });
            for (const e of rows) {
              await stream.writeSSE({ id: formatPosition(e), event: e.type, data: JSON.stringify(view(e)) });
              position = e;
            }
          } while (rows.length === BATCH && !stream.aborted);
          continue;
        }
        const waited = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), Math.min(KEEPALIVE_MS, Math.max(0, endAt - Date.now())));
          wakeUp = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        wakeUp = undefined;
        if (!waited && !stream.aborted) await stream.write(': keep-alive\n\n');
      }
    } catch (err) {
      if (!stream.aborted) logger.warn({ err }, 'event stream ended by an error');
    } finally {
      unsubscribe();
    }
  });
});
