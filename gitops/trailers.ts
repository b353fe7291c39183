// Commit-message format and trailer matching: how the engine writes its `Key: value` trailers and later
// recognises its own commits by them (the idempotency check of a push or revert). Pure functions.
import { GitPermanentError } from './errors.js';

export interface TrailerMatch {
  /** Every key must be present with this value (keys case-insensitive, as git treats them). */
  required: Record<string, string>;
  /** Commits carrying any of these keys never match. */
  forbidden?: string[];
}

/** `subject`, blank line, optional body, blank line, `Key: value` trailer lines (git interpret-trailers format). */
export function commitMessage(message: { subject: string; body?: string }, trailers: Record<string, string>): string {
  const subject = message.subject.trim();
  if (subject === '' || /[\r\n]/.test(subject)) throw new GitPermanentError('commit subject must be one non-empty line');
  const parts = [subject];
  const body = message.body?.trim();
  if (body) parts.push(body);
  const lines = Object.entries(trailers).map(([k, v]) => `${k}: ${v.trim()}`);
  if (lines.length > 0) parts.push(lines.join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/** Parses `%(trailers:only,unfold,separator=%x1e)` output into `[lower-cased key, value]` pairs. */
export function parseTrailers(raw: string): Array<[string, string]> {
  return raw
    .split('\x1e')
    .map((line) => {
      const i = line.indexOf(':');
      return i < 0 ? undefined : ([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()] as [string, string]);
    })
    .filter((t): t is [string, string] => t !== undefined);
}

export function trailersMatch(trailers: Array<[string, string]>, match: TrailerMatch): boolean {
  const forbidden = new Set((match.forbidden ?? []).map((k) => k.toLowerCase()));
  if (trailers.some(([k]) => forbidden.has(k))) return false;
  return Object.entries(match.required).every(([k, v]) => trailers.some(([tk, tv]) => tk === k.toLowerCase() && tv === v));
}
