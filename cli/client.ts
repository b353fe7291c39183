// The API client: openapi-fetch over the types generated from the API's own OpenAPI document
// (ui/src/api-types.ts, `npm run gen:api-types`), so every request and response here is checked against the API
// by `tsc` — no hand-written request types.
import createClient from 'openapi-fetch';
import type { paths } from '../ui/src/api-types.js';
import { CliError, EXIT, RULE_CODES } from './exit-codes.js';
import type { Connection } from './config.js';

export type Api = ReturnType<typeof createClient<paths>>;

export function apiClient(c: Connection, fetchImpl: typeof fetch = fetch): Api {
  return createClient<paths>({
    baseUrl: c.server,
    headers: { authorization: `Bearer ${c.token}`, 'user-agent': 'flowctl' },
    fetch: fetchImpl,
  });
}

interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

/** The data of a response, or a CliError carrying the API's code and message and the matching exit code. */
export function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.error === undefined && r.response.ok) return r.data as T;
  const body = (r.error ?? {}) as ApiErrorBody;
  const code = body.error?.code ?? `HTTP_${r.response.status}`;
  const message = body.error?.message ?? r.response.statusText;
  throw new CliError(`${code}: ${message}`, RULE_CODES.has(code) ? EXIT.rejected : EXIT.failed);
}

/** Wraps network failures (server down, DNS) into a readable CliError. */
export async function call<T>(request: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await request();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new CliError(`cannot reach the Flow Controller API: ${cause ?? (err as Error).message}`, EXIT.failed);
  }
  return unwrap(r);
}
