// Conditional reads: an entity tag for a JSON body, 304 Not Modified for a matching If-None-Match, and the
// Cache-Control each kind of resource can honestly promise (docs/api-auth.md, "Caching"):
//   IMMUTABLE  a representation that can never change (a diff of two releases, a template revision)
//   REVALIDATE a representation that can change (a release read lists its deployments): cache, but ask first
// Both are `private`: every response depends on the caller's token, so shared caches must not keep it.
import { hash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from './context.js';
import { acceptsGzip, COMPRESS_MIN_BYTES, gzip } from './compression.js';

export const IMMUTABLE = 'private, max-age=31536000, immutable';
export const REVALIDATE = 'private, no-cache';

/** A weak tag (the same JSON may be sent gzipped or not) from the SHA-1 of the body. */
export function etagOf(body: string): string {
  return `W/"${hash('sha1', body, 'base64url')}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const wanted = etag.slice(2);
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === wanted || tag.replace(/^W\//, '') === wanted;
  });
}

/**
 * Sends a serialized JSON body with its ETag and Cache-Control, or 304 when the client holds it already;
 * gzipped here (not by the compression middleware) when large enough and accepted.
 */
export async function sendJson(c: Context<AppEnv>, body: string, cacheControl: string): Promise<Response> {
  const etag = etagOf(body);
  const headers: Record<string, string> = { etag, 'cache-control': cacheControl, vary: 'Accept-Encoding' };
  if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
  headers['content-type'] = 'application/json';
  if (body.length >= COMPRESS_MIN_BYTES && acceptsGzip(c.req.header('accept-encoding'))) {
    headers['content-encoding'] = 'gzip';
    const cache = c.get('deps').reads.gzipped;
    let zipped = cache.get(etag);
    if (!zipped) {
      zipped = await gzip(body);
      cache.set(etag, zipped);
    }
    return c.body(zipped, 200, headers);
  }
  return c.body(body, 200, headers);
}
