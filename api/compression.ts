// Response compression: gzip for responses of at least COMPRESS_MIN_BYTES whose type compresses well, when the
// request's Accept-Encoding allows it. Written here rather than with hono/compress: that middleware streams
// every body through a web CompressionStream, which costs more CPU per request than one zlib call on a body
// that is already complete in memory (every JSON response of this API is), and it has no notion of a body the
// route compressed itself (sendJson in ./http-cache.ts does, to avoid materializing the string twice).
import { gzip as gzipAsync, gzipSync, constants } from 'node:zlib';
import { promisify } from 'node:util';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';

export const COMPRESS_MIN_BYTES = 2048;
/** Above this, compress on the libuv thread pool instead of the event loop. */
const SYNC_MAX_BYTES = 64 * 1024;
const LEVEL = 5;
const gzipPool = promisify(gzipAsync);
const COMPRESSIBLE = /^(application\/(json|[a-z0-9.+-]+\+json|javascript)|text\/)/i;

/** Whether the client takes gzip (an explicit `gzip;q=0` refuses it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== 'gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

export async function gzip(body: Uint8Array | string): Promise<Uint8Array<ArrayBuffer>> {
  const input = typeof body === 'string' ? Buffer.from(body) : body;
  if (input.byteLength <= SYNC_MAX_BYTES) return new Uint8Array(gzipSync(input, { level: LEVEL }));
  return new Uint8Array(await gzipPool(input, { level: LEVEL, strategy: constants.Z_DEFAULT_STRATEGY }));
}

export function compression(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    // A response that varies on Accept-Encoding already chose its encoding (sendJson in ./http-cache.ts). Checked
    // before `res.body`: reading the body of @hono/node-server's light response turns it into a web stream.
    if (res.headers.has('content-encoding') || /accept-encoding/i.test(res.headers.get('vary') ?? '')) return;
    if (!res.body || c.req.method === 'HEAD') return;
    const type = res.headers.get('content-type') ?? '';
    // A stream (GET /v1/events) is never buffered: its events must reach the client as they happen.
    if (!COMPRESSIBLE.test(type) || type.startsWith('text/event-stream')) return;
    res.headers.append('vary', 'Accept-Encoding');
    if (!acceptsGzip(c.req.header('accept-encoding'))) return;
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(length) && length < COMPRESS_MIN_BYTES) return;
    const body = new Uint8Array(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    if (body.byteLength < COMPRESS_MIN_BYTES) {
      c.res = new Response(body.slice(), { status: res.status, headers });
      return;
    }
    const zipped = await gzip(body);
    headers.set('content-encoding', 'gzip');
    headers.set('content-length', String(zipped.byteLength));
    c.res = new Response(zipped, { status: res.status, headers });
  };
}
