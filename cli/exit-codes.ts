// flowctl's exit codes (docs/cli.md): distinct, so CI scripts can branch on them.
export const EXIT = {
  ok: 0,
  /** The promotion failed, or a request failed (not found, server error, network). */
  failed: 1,
  /** Bad command line: unknown command or option, missing argument, no login. */
  usage: 2,
  aborted: 3,
  /** `promote --wait`: the promotion parked (awaiting an operator). */
  parked: 4,
  /** The API refused by its rules: already current, upstream not promoted/verified, frozen, in progress, rejected. */
  rejected: 5,
  /** `--wait` gave up after `--timeout`; the promotion goes on. */
  timeout: 6,
} as const;

/** API error codes that mean "the rules said no" (exit 5). */
export const RULE_CODES = new Set([
  'ALREADY_CURRENT',
  'UPSTREAM_NOT_PROMOTED',
  'UPSTREAM_NOT_VERIFIED',
  'PROMOTION_IN_PROGRESS',
  'ENVIRONMENT_FROZEN',
  'ENVIRONMENT_PAUSED',
  'QUEUE_FULL',
  'RELEASE_REJECTED',
  'INVALID_ACTION',
]);

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
