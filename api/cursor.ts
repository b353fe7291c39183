// Opaque, signed pagination cursors. A cursor is base64url(JSON [list, ...position]) + "." + a truncated
// HMAC-SHA256 of that payload. The key is derived from the installation id (db/installation.ts), so cursors
// survive restarts and work on every API process of the installation, but a client can neither forge one
// nor carry one from one list to another: anything that does not verify is 400 INVALID_CURSOR.
// The position is the keyset of the list's order (e.g. the last row's id, or its (at, id)); it is not a
// secret, the signature only keeps the API's query inputs its own. The key is no secret either to whoever can
// read a GitOps repository (its commits carry the installation id), so a forged cursor must be harmless: every
// position element is validated (type, range, timestamp format) before it reaches a query, and any position is
// merely a page boundary of a list the caller may read anyway.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ApiError } from './errors.js';

export type CursorList = 'releases' | 'deployments' | 'audit' | 'incidents' | 'deliveries';
export type CursorPosition = Array<string | number>;

const MAX_CURSOR_LENGTH = 512;
const SIGNATURE_BYTES = 16;

export interface CursorCodec {
  encode(list: CursorList, position: CursorPosition): Promise<string>;
  /** The position of a cursor of `list`; throws 400 INVALID_CURSOR for anything else. */
  decode(list: CursorList, cursor: string): Promise<CursorPosition>;
}

function invalid(): ApiError {
  return new ApiError('INVALID_CURSOR', 'cursor is not one this list returned as nextCursor');
}

/** A codec whose key comes from `installationId()` (called once, on first use). */
export function createCursorCodec(installationId: () => Promise<string>): CursorCodec {
  // A KeyObject, made once: HMAC with a Buffer key imports the key on every call (~25 µs; ~4 µs with a KeyObject).
  let key: Promise<KeyObject> | undefined;
  const keyOf = () => {
    key ??= installationId()
      .then((id) => createSecretKey(createHmac('sha256', id).update('flow-controller pagination cursor v1').digest()))
      .catch((err: unknown) => {
        key = undefined; // a database hiccup must not poison the codec for good
        throw err;
      });
    return key;
  };
  const sign = (k: KeyObject, payload: string) => createHmac('sha256', k).update(payload).digest().subarray(0, SIGNATURE_BYTES);
  return {
    async encode(list, position) {
      const payload = Buffer.from(JSON.stringify([list, ...position])).toString('base64url');
      return `${payload}.${sign(await keyOf(), payload).toString('base64url')}`;
    },
    async decode(list, cursor) {
      if (cursor.length > MAX_CURSOR_LENGTH) throw invalid();
      const [payload, signature, extra] = cursor.split('.');
      if (!payload || !signature || extra !== undefined) throw invalid();
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(await keyOf(), payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (!Array.isArray(parsed) || parsed[0] !== list) throw invalid();
      const position = parsed.slice(1) as unknown[];
      if (!position.every((v) => typeof v === 'string' || typeof v === 'number')) throw invalid();
      return position as CursorPosition;
    },
  };
}

/** Reads one position element as a positive safe integer (an id or a sequence number). */
export function positionId(position: CursorPosition, index: number): number {
  const v = position[index];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalid();
  return v;
}

/** Reads one position element as a string. */
export function positionText(position: CursorPosition, index: number): string {
  const v = position[index];
  if (typeof v !== 'string') throw invalid();
  return v;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Reads one position element as a timestamp text PostgreSQL accepts (a real calendar date and time). */
export function positionTimestamp(position: CursorPosition, index: number): string {
  const v = positionText(position, index);
  const m = v.length <= 40 ? TIMESTAMP.exec(v) : null;
  if (!m) throw invalid();
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
  if (!real || h > 23 || mi > 59 || sec > 59 || y < 1) throw invalid();
  return v;
}
