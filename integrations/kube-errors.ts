// The Kubernetes client's errors: every failure is a KubeApiError carrying the HTTP status and the Kubernetes
// `Status.reason` (`NotFound`, `Forbidden`, `Unauthorized`, …); network failures and timeouts have status 0. No
// message ever carries the token.
import { scrubUrlCredentials } from '../lib/secrets.js';

/** A failed Kubernetes API call. `reason` is the Status reason (`NotFound`, `Forbidden`, `Unauthorized`, …). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly status: number;
  readonly reason: string;
  readonly retryable: boolean;
  constructor(init: { status: number; reason: string; message: string; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.reason = init.reason;
    this.retryable = init.status === 0 || init.status === 429 || init.status >= 500;
  }

  /** The error of an answer with an error status; `body` is the API server's Status object (or any text). */
  static fromStatus(status: number, body: unknown, what: string): KubeApiError {
    const parsed = parseStatusBody(body);
    const reason = parsed.reason ?? REASON_BY_STATUS[status] ?? 'Unknown';
    return new KubeApiError({ status, reason, message: `${what}: ${status} ${parsed.message ?? reason}` });
  }
}

const REASON_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function parseStatusBody(body: unknown): { reason?: string; message?: string } {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim() } : {};
    }
  }
  if (value && typeof value === 'object') {
    const o = value as { reason?: unknown; message?: unknown };
    return {
      reason: typeof o.reason === 'string' ? o.reason : undefined,
      message: typeof o.message === 'string' ? o.message : undefined,
    };
  }
  return {};
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError' || isAbort(err.cause));
}

/** Maps anything a call threw (network, TLS, abort) to KubeApiError (the token is never in the message). */
export function toKubeApiError(err: unknown, what: string, timeoutMs?: number): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (isAbort(err)) {
    const after = timeoutMs === undefined ? '' : ` after ${timeoutMs}ms`;
    return new KubeApiError({ status: 0, reason: 'Timeout', message: `${what}: timed out${after}`, cause: err });
  }
  const message = scrubUrlCredentials(err instanceof Error ? err.message : String(err));
  return new KubeApiError({ status: 0, reason: 'NetworkError', message: `${what}: ${message}`, cause: err });
}
