// In-process caches of the read path: token lookups (short TTL, dropped at once when this process revokes a
// token) and the immutable part of release reads (bounded by bytes, least recently used evicted first).
// Nothing here is shared between processes: another API process honours a revocation after at most
// TOKEN_CACHE_TTL_MS (docs/api-auth.md).
import type { TokenRow } from '../db/tokens.js';

const MAX_TOKENS = 10_000;

export interface TokenCache {
  get(tokenHash: string): TokenRow | undefined;
  /** Taken before a database lookup: a revocation after it makes the lookup's `set` a no-op. */
  stamp(): number;
  set(tokenHash: string, row: TokenRow, stamp: number): void;
  /** Forget a token (revoked, or changed in any way) so the next request reads the database. */
  invalidate(tokenId: string): void;
}

export function createTokenCache(ttlMs: number, now: () => number = Date.now): TokenCache {
  const entries = new Map<string, { row: TokenRow; expires: number }>();
  // Bumped by every invalidation, so a lookup that read the row before a revocation cannot cache it after.
  let generation = 0;
  return {
    stamp: () => generation,
    get(tokenHash) {
      const hit = entries.get(tokenHash);
      if (!hit) return undefined;
      if (hit.expires <= now()) {
        entries.delete(tokenHash);
        return undefined;
      }
      return hit.row;
    },
    set(tokenHash, row, stamp) {
      if (ttlMs <= 0 || stamp !== generation) return;
      if (entries.size >= MAX_TOKENS) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(tokenHash, { row, expires: now() + ttlMs });
    },
    invalidate(tokenId) {
      generation++;
      for (const [hash, entry] of entries) if (entry.row.id === tokenId) entries.delete(hash);
    },
  };
}

/**
 * A cache bounded by the summed size of its values (strings: UTF-16 length, ≈ bytes for the ASCII-heavy JSON
 * they hold; byte arrays: their length), least recently used evicted first.
 */
export interface ByteLru<V extends string | Uint8Array = string> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  readonly size: number;
}

export function createByteLru<V extends string | Uint8Array = string>(maxBytes: number): ByteLru<V> {
  const entries = new Map<string, V>();
  const sizeOf = (v: V) => (typeof v === 'string' ? v.length : v.byteLength);
  let bytes = 0;
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      entries.delete(key); // re-insert: Map order is the recency order
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      if (sizeOf(value) > maxBytes) return;
      const previous = entries.get(key);
      if (previous !== undefined) {
        bytes -= sizeOf(previous);
        entries.delete(key);
      }
      entries.set(key, value);
      bytes += sizeOf(value);
      for (const [k, v] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(k);
        bytes -= sizeOf(v);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
