// The UI's only way to the server: the public API with the bearer token kept in sessionStorage.
// Every failure becomes ApiFailure with the API's code, message and requestId (or a synthetic code for
// network errors), so each screen shows errors the same way.

const TOKEN_KEY = 'fc.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export interface Problem {
  path: string;
  code: string;
  message: string;
}

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get problems(): Problem[] {
    const p = (this.details as { problems?: unknown } | undefined)?.problems;
    if (!Array.isArray(p)) return [];
    return p.filter((x): x is Problem => typeof x === 'object' && x !== null && 'path' in x && 'code' in x);
  }
  /** All problems of the report; the API lists only the first ones (details.problemCount counts them all). */
  get problemCount(): number {
    const n = (this.details as { problemCount?: unknown } | undefined)?.problemCount;
    return typeof n === 'number' && n > this.problems.length ? n : this.problems.length;
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), cache: 'no-store' });
  } catch (err) {
    throw new ApiFailure(0, 'NETWORK_ERROR', `The API did not answer: ${(err as Error).message}`, null);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } } | undefined)?.error;
    throw new ApiFailure(
      res.status,
      typeof e?.code === 'string' ? e.code : `HTTP_${res.status}`,
      typeof e?.message === 'string' ? e.message : res.statusText || 'Request failed',
      typeof e?.requestId === 'string' ? e.requestId : res.headers.get('x-request-id'),
      e?.details,
    );
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export const get = async <T>(path: string): Promise<T> => (await api<T>('GET', path)).body;

/** Query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
