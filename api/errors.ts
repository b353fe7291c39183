// The API's one error model. Every error leaves the API as
//   { "error": { "code": "<MACHINE_CODE>", "message": "<human text>", "requestId": "<id>", "details"?: … } }
// Codes form a closed set mapped to HTTP statuses here; handlers throw ApiError, app.onError renders it.
import { z } from '@hono/zod-openapi';
import { documentSize, MAX_DOCUMENT_BYTES, MAX_DOCUMENT_SERVICES } from '../domain/descriptor.js';

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 400,
  INVALID_PRODUCT_VERSION: 400,
  INVALID_CURSOR: 400,
  AMBIGUOUS_RELEASE_ID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TEMPLATE_NOT_FOUND: 404,
  RELEASE_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  ENVIRONMENT_NOT_FOUND: 404,
  DEPLOYMENT_NOT_FOUND: 404,
  FREEZE_NOT_FOUND: 404,
  SUBSCRIPTION_NOT_FOUND: 404,
  DELIVERY_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  ALREADY_CURRENT: 409,
  UPSTREAM_NOT_PROMOTED: 409,
  UPSTREAM_NOT_VERIFIED: 409,
  PROMOTION_IN_PROGRESS: 409,
  ENVIRONMENT_FROZEN: 409,
  ENVIRONMENT_PAUSED: 409,
  QUEUE_FULL: 409,
  INVALID_ACTION: 409,
  NO_CURRENT_RELEASE: 409,
  REVERIFY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  DOCUMENT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  TEMPLATE_INVALID: 422,
  RELEASE_INVALID: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  ENVIRONMENT_INVALID: 422,
  FREEZE_INVALID: 422,
  SUBSCRIPTION_INVALID: 422,
  RELEASE_REJECTED: 422,
  NO_VERIFICATION_CHECKS: 422,
  SERVICE_UNAVAILABLE: 503,
  GIT_UNAVAILABLE: 503,
  WORKER_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 405 | 409 | 410 | 412 | 413 | 415 | 422 | 428 | 429 | 500 | 502 | 503 | 504>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: ErrorStatus;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = ERROR_STATUS[code];
  }
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

export function errorBody(code: string, message: string, requestId: string, details?: unknown): ErrorBody {
  return { error: { code, message, requestId, ...(details === undefined ? {} : { details }) } };
}

/** OpenAPI response entries for the given statuses, all with the shared error shape. */
export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Malformed or invalid request',
    401: 'Missing or invalid bearer token',
    403: 'Token lacks the required role or scope',
    404: 'Not found',
    409: 'Conflict with the current state',
    413: 'Body too large',
    415: 'Content-Type must be application/json',
    422: 'Request is well-formed but violates the rules',
    503: 'A dependency did not answer',
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s] ?? 'Error', content: { 'application/json': { schema: ErrorBody } } }]),
  );
}

/**
 * How many entries a validation report carries at most. A huge bad document must not produce a huge
 * response: the first ones (in the report's stable order) are listed, the total is in a count field.
 */
export const MAX_REPORTED_PROBLEMS = 100;

/** A request that failed its zod schema: 400 VALIDATION_FAILED listing the first issues by path, and their count. */
export function validationError(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; code: string; message: string }>): ApiError {
  return new ApiError('VALIDATION_FAILED', 'Request validation failed', {
    issues: issues.slice(0, MAX_REPORTED_PROBLEMS).map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message })),
    issueCount: issues.length,
  });
}

/**
 * A 422 carrying a validation report: `details.problems` lists the first MAX_REPORTED_PROBLEMS `{ path, code,
 * message }` entries, `details.problemCount` counts them all and `details.problemsTruncated` says whether some
 * were left out.
 */
export function problemsError(
  code: 'TEMPLATE_INVALID' | 'RELEASE_INVALID',
  problems: Array<{ path: string; code: string; message: string }>,
  extra: Record<string, unknown> = {},
): ApiError {
  const noun = code === 'TEMPLATE_INVALID' ? 'Template' : 'Descriptor';
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const truncated = problems.length > MAX_REPORTED_PROBLEMS;
  const shown = truncated ? `; the first ${MAX_REPORTED_PROBLEMS} are listed` : '';
  return new ApiError(code, `${noun} is invalid: ${count}${shown}`, {
    problems: problems.slice(0, MAX_REPORTED_PROBLEMS),
    problemCount: problems.length,
    problemsTruncated: truncated,
    ...extra,
  });
}

/**
 * Templates and descriptors have a size cap of their own, below the request body limit: a document is stored
 * for good (the tables are append-only), so one request must not be able to add megabytes of policy or release
 * data. Checked before any validation walks the document: 413 DOCUMENT_TOO_LARGE.
 */
export function assertDocumentSize(what: 'template' | 'descriptor', document: unknown): void {
  const size = documentSize(document);
  if (size.bytes > MAX_DOCUMENT_BYTES || size.services > MAX_DOCUMENT_SERVICES) {
    throw new ApiError(
      'DOCUMENT_TOO_LARGE',
      `The ${what} is too large: ${size.services} services and ${size.bytes} bytes of JSON ` +
        `(at most ${MAX_DOCUMENT_SERVICES} services and ${MAX_DOCUMENT_BYTES} bytes)`,
      { ...size, maxServices: MAX_DOCUMENT_SERVICES, maxBytes: MAX_DOCUMENT_BYTES },
    );
  }
}
