// SHA-256 digests over canonical JSON. Kept apart from the rest of domain/ because it needs node:crypto,
// which Temporal workflow code must not import.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/** `sha256:<hex>` of the canonical JSON form of `value`. */
export function digestOf(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
