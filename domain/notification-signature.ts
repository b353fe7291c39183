// Signing and idempotency of notification requests (docs/operations.md, "Notifications"). Kept apart from
// domain/notifications.ts because it needs node:crypto, which Temporal workflow code must not import.
//   X-Flow-Event-Id:  fcn_<32 hex>  sha256 of "<subscription id>:<notification key>": the same for every attempt
//                     and every redelivery of one notification to one subscription (receivers dedupe on it)
//   X-Flow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the subscription's secret>
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from './digest.js';

export const EVENT_ID_HEADER = 'X-Flow-Event-Id';
export const SIGNATURE_HEADER = 'X-Flow-Signature';

export function idempotencyKeyOf(subscriptionId: string, notificationKey: string): string {
  return `fcn_${sha256Hex(`${subscriptionId}:${notificationKey}`).slice(0, 32)}`;
}

export function signatureOf(secret: string, timestamp: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/**
 * What a receiver does (also used by the tests): parse the header, recompute the HMAC over `<t>.<raw body>`,
 * compare in constant time, and refuse timestamps older than `toleranceSeconds` (replays).
 */
export function verifySignature(input: {
  secret: string;
  header: string;
  body: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(input.header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(input.nowSeconds - t) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(input.secret, t, input.body).slice(-64), 'hex');
  const given = Buffer.from(m[2] as string, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
