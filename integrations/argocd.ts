// Argo CD REST client: the one Flow Controller uses against a real Argo CD (and, in tests and the
// sandbox, against the simulator in sim/). Plain `fetch` on Argo's public /api/v1 paths, following
// docs/argocd-contract.md: exact `Content-Type: application/json` on every non-GET, bearer
// tokens from POST /api/v1/session, grpc-gateway error bodies mapped to one ArgoCdError whose
// `retryable` flag tells Temporal activities whether to retry.
import { z } from 'zod';
import { scrubUrlCredentials } from '../lib/secrets.js';
import { argocdRequestDuration, argocdRequestErrors, timedCall } from '../lib/metrics.js';
import { argoEndpointClass } from './argocd-endpoints.js';
import {
  AppProject,
  Application,
  ApplicationList,
  ApplicationTree,
  ManagedResourcesResponse,
  SyncWindowsResponse,
  type Info,
  type SyncWindow,
  type SyncRequestBody,
} from './argocd-schema.js';
import { ObservedApplication } from './argocd-observed.js';
import { argoFetch, type FetchLike } from './argocd-fetch.js';

export * from './argocd-schema.js';

export type { FetchLike } from './argocd-fetch.js';

export interface ArgoClientOptions {
  /** e.g. `https://argocd.example.com` (no trailing path). */
  baseUrl: string;
  /** A static API token (account token). Mutually usable with username/password: credentials win on 401. */
  token?: string;
  username?: string;
  password?: string;
  fetchImpl?: FetchLike;
  /** Per-request timeout. A refresh GET blocks until Argo has reconciled, so keep this generous. */
  timeoutMs: number;
}

export type RefreshType = 'normal' | 'hard';

export interface SyncOptions {
  /** Full 40-hex commit SHA (or a branch; Argo resolves it). */
  revision: string;
  /**
   * Multi-source apps: the 1-based positions in `spec.sources` that sync to `revision` (sent as `revisions` +
   * `sourcePositions`); Argo resolves the other sources to their targetRevision. Absent: a single-source sync.
   */
  sourcePositions?: number[];
  prune: boolean;
  infos: Info[];
  /** Argo sync options, e.g. `['ApplyOutOfSyncOnly=true']`. */
  syncOptions: string[];
  dryRun?: boolean;
}

export interface ArgoClient {
  login(): Promise<void>;
  getApplication(name: string, opts?: { refresh?: RefreshType; project?: string }): Promise<Application>;
  /** The same GET parsed leanly (argocd-observed.ts: sync, health, resources), for the monitor. Fakes may omit it. */
  observeApplication?(name: string, opts?: { project?: string }): Promise<ObservedApplication>;
  sync(name: string, opts: SyncOptions): Promise<Application>;
  terminateOperation(name: string): Promise<void>;
  resourceTree(name: string): Promise<ApplicationTree>;
  managedResources(name: string): Promise<ManagedResourcesResponse>;
  listApplications(selector?: string): Promise<ApplicationList>;
  /** GET /api/v1/applications/{name}/syncwindows: the project's windows that apply and whether a sync may run now. */
  syncWindows(name: string, opts?: { project?: string }): Promise<SyncWindowsResponse>;
  /**
   * The same, with the time Argo CD answered at (its `Date` header, second precision): windows are judged on Argo
   * CD's clock, which may differ from this process's.
   */
  syncWindowsNow(name: string, opts?: { project?: string }): Promise<{ windows: SyncWindowsResponse; serverTimeMs: number | undefined }>;
  /** GET /api/v1/projects/{name}: the AppProject (its sync windows with their time zones and selectors). */
  getProject(name: string): Promise<AppProject>;
  /**
   * Opens a streaming GET (`Accept: text/event-stream`) with the session token, one re-login on 401 like every call;
   * `timeoutMs` bounds only the wait for the response headers, `signal` ends it. Throws ArgoCdError unless 2xx.
   * integrations/argocd-watch.ts reads Argo's watch streams with it.
   */
  openStream(path: string, signal: AbortSignal): Promise<Response>;
}

/** grpc status codes Argo CD's gateway puts in `code`. */
export const GrpcCode = {
  OK: 0,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  PermissionDenied: 7,
  FailedPrecondition: 9,
  Aborted: 10,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;

const ANOTHER_OPERATION = 'another operation is already in progress';
/** argo-cd server/application Sync: 403 (PermissionDenied) while a sync window blocks manual syncs. */
export const SYNC_WINDOW_BLOCKED = 'cannot sync: blocked by sync window';

/**
 * Every failure of an Argo CD call. `status` is the HTTP status (0 for network errors and timeouts),
 * `code` the grpc code from the body when there was one. The token is never part of the message.
 */
export class ArgoCdError extends Error {
  override readonly name: string = 'ArgoCdError';
  readonly status: number;
  readonly code: number | undefined;
  readonly retryable: boolean;
  constructor(init: { status: number; code?: number; message: string; retryable: boolean; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
  }
  /** True for the 400 Argo answers when an operation (ours or someone else's) is still running. */
  get isOperationInProgress(): boolean {
    return this.status === 400 && this.message.includes(ANOTHER_OPERATION);
  }
}

/**
 * A sync refused because a sync window of the application's AppProject blocks it (403
 * `cannot sync: blocked by sync window`), with the windows that block it as the syncwindows endpoint showed them
 * right after (the active deny windows, else the allow windows none of which is active). Not retryable as such:
 * the sync may run once the window opens (integrations/argocd-sync-windows.ts computes when).
 */
export class SyncWindowBlockedError extends ArgoCdError {
  override readonly name = 'SyncWindowBlockedError';
  readonly application: string;
  readonly windows: SyncWindow[];
  constructor(init: { application: string; windows: SyncWindow[]; status: number; code?: number; message: string; cause?: unknown }) {
    super({ ...init, retryable: false });
    this.application = init.application;
    this.windows = init.windows;
  }
  /** The cron schedules of the blocking windows (empty when they could not be read). */
  get schedules(): string[] {
    return [...new Set(this.windows.map((w) => w.schedule ?? '').filter((s) => s !== ''))];
  }
}

/** The windows that block now, from the syncwindows endpoint's answer. */
function blockingOf(w: SyncWindowsResponse): SyncWindow[] {
  const deny = (w.activeWindows ?? []).filter((x) => x.kind === 'deny');
  if (deny.length > 0) return deny;
  if ((w.activeWindows ?? []).some((x) => x.kind === 'allow')) return [];
  return (w.assignedWindows ?? []).filter((x) => x.kind === 'allow');
}

function isRetryable(status: number, message: string): boolean {
  if (status === 0 || status >= 500 || status === 429) return true;
  if (status === 400 && message.includes(ANOTHER_OPERATION)) return true;
  return false;
}

const ErrorBody = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  code: z.number().optional(),
});

const ARGO_METRICS = { duration: argocdRequestDuration, errors: argocdRequestErrors };

/** A request's timer, running until its body has been read (then cleared: an expiring timer builds an error and an abort event). */
const bodyDeadlines = new WeakMap<Response, NodeJS.Timeout>();
const bodyRead = (res: Response) => clearTimeout(bodyDeadlines.get(res));

export function createArgoClient(options: ArgoClientOptions): ArgoClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetchImpl ?? argoFetch;
  let token = options.token;
  const canLogin = options.username !== undefined && options.password !== undefined;

  const redact = (text: string): string => {
    let out = text;
    for (const secret of [token, options.token, options.password]) {
      if (secret) out = out.split(secret).join('***');
    }
    // fetch quotes a URL with credentials in its error ("…includes credentials: https://user:pw@…").
    return scrubUrlCredentials(out);
  };

  /** One request, timed by endpoint class (lib/metrics.ts); a stream until its response headers. */
  function raw(method: string, path: string, body?: unknown, auth = true, stream?: AbortSignal): Promise<Response> {
    return timedCall(
      ARGO_METRICS,
      argoEndpointClass(method, path),
      () => rawUntimed(method, path, body, auth, stream),
      (o) => ('result' in o ? o.result.status : 0),
    );
  }

  /** One request; with `stream` an event stream whose timeout ends once the response headers are in. */
  async function rawUntimed(method: string, path: string, body?: unknown, auth = true, stream?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { Accept: stream ? 'text/event-stream' : 'application/json' };
    // Argo's server answers 415 to any non-GET without exactly this header, bodies or not.
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    if (auth && token) headers.Authorization = `Bearer ${token}`;
    // A stream's timeout covers the wait for its headers only; any other request's covers reading its body too
    // (its timer runs until bodyRead), so a server that stalls mid-body cannot hang a caller.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException('timed out', 'TimeoutError')), options.timeoutMs).unref();
    let res: Response | undefined;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body),
        signal: stream ? AbortSignal.any([stream, timeout.signal]) : timeout.signal,
      });
      if (!stream) bodyDeadlines.set(res, timer);
      return res;
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new ArgoCdError({
        status: 0,
        code: timedOut ? GrpcCode.DeadlineExceeded : GrpcCode.Unavailable,
        message: timedOut
          ? `Argo CD ${method} ${path} timed out after ${options.timeoutMs}ms`
          : `Argo CD ${method} ${path} failed: ${redact(err instanceof Error ? err.message : String(err))}`,
        retryable: true,
        cause: err,
      });
    } finally {
      if (stream || !res) clearTimeout(timer);
    }
  }

  async function toError(res: Response, method: string, path: string): Promise<ArgoCdError> {
    const text = await res.text().catch(() => '');
    bodyRead(res);
    let message = text.trim() || res.statusText;
    let code: number | undefined;
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(text));
      if (parsed.success) {
        message = parsed.data.message ?? parsed.data.error ?? message;
        code = parsed.data.code;
      }
    } catch {
      // plain-text body (e.g. 415 "Invalid content type"): keep the text
    }
    message = redact(message);
    return new ArgoCdError({
      status: res.status,
      code,
      message: `Argo CD ${method} ${path}: ${res.status} ${message}`,
      retryable: isRetryable(res.status, message),
    });
  }

  // One login at a time: concurrent calls that find no token (or the same expired one) share it.
  let loggingIn: Promise<void> | undefined;

  async function freshLogin(): Promise<void> {
    if (!canLogin) {
      throw new ArgoCdError({ status: 0, message: 'Argo CD login needs username and password', retryable: false });
    }
    const path = '/api/v1/session';
    const res = await raw('POST', path, { username: options.username, password: options.password }, false);
    if (!res.ok) throw await toError(res, 'POST', path);
    const body = z.object({ token: z.string().min(1) }).safeParse(await res.json());
    if (!body.success) {
      throw new ArgoCdError({ status: res.status, message: 'Argo CD session response carried no token', retryable: false });
    }
    token = body.data.token;
  }

  function login(): Promise<void> {
    loggingIn ??= freshLogin().finally(() => {
      loggingIn = undefined;
    });
    return loggingIn;
  }

  /** A request with the session token; on 401 one re-login and retry. Throws ArgoCdError unless 2xx. */
  async function authorized(method: string, path: string, body?: unknown, stream?: AbortSignal): Promise<Response> {
    // The session token is reused across calls until Argo answers 401 (expired or revoked).
    if (!token && canLogin) await login();
    const sent = token;
    let res = await raw(method, path, body, true, stream);
    // Session tokens expire; with credentials we log in again once, exactly like the argocd CLI (unless a
    // concurrent call already did: then its new token is used).
    if (res.status === 401 && canLogin) {
      await res.body?.cancel();
      if (token === sent) await login();
      res = await raw(method, path, body, true, stream);
    }
    if (!res.ok) throw await toError(res, method, path);
    return res;
  }

  /** The parsed answer and the time Argo CD answered at (its `Date` header, when it sent a valid one). */
  async function exchange<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ data: z.infer<S>; serverTimeMs: number | undefined }> {
    const res = await authorized(method, path, body);
    const json: unknown = await res.json().catch((err: unknown) => {
      throw new ArgoCdError({
        status: res.status,
        message: `Argo CD ${method} ${path}: response is not JSON`,
        retryable: true,
        cause: err,
      });
    });
    bodyRead(res);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ArgoCdError({
        status: res.status,
        message: `Argo CD ${method} ${path}: unexpected response shape: ${z.prettifyError(parsed.error)}`,
        retryable: false,
        cause: parsed.error,
      });
    }
    const date = Date.parse(res.headers.get('date') ?? '');
    return { data: parsed.data, serverTimeMs: Number.isNaN(date) ? undefined : date };
  }

  async function call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.infer<S>> {
    return (await exchange(schema, method, path, body)).data;
  }

  const appPath = (name: string) => `/api/v1/applications/${encodeURIComponent(name)}`;

  return {
    login,
    getApplication(name, opts = {}) {
      const q = new URLSearchParams();
      if (opts.refresh) q.set('refresh', opts.refresh);
      if (opts.project) q.set('project', opts.project);
      const qs = q.size > 0 ? `?${q.toString()}` : '';
      return call(Application, 'GET', `${appPath(name)}${qs}`);
    },
    observeApplication(name, opts = {}) {
      const qs = opts.project ? `?${new URLSearchParams({ project: opts.project }).toString()}` : '';
      return call(ObservedApplication, 'GET', `${appPath(name)}${qs}`);
    },
    async sync(name, opts) {
      const positions = opts.sourcePositions;
      const body: SyncRequestBody = {
        ...(positions ? { revisions: positions.map(() => opts.revision), sourcePositions: [...positions] } : { revision: opts.revision }),
        prune: opts.prune,
        dryRun: opts.dryRun ?? false,
        strategy: { hook: {} },
        syncOptions: { items: opts.syncOptions },
        infos: opts.infos,
      };
      try {
        return await call(Application, 'POST', `${appPath(name)}/sync`, body);
      } catch (err) {
        if (!(err instanceof ArgoCdError) || err.status !== 403 || !err.message.includes(SYNC_WINDOW_BLOCKED)) throw err;
        // The refusal names no window: ask which ones block (best effort, the refusal stands either way).
        const windows = await call(SyncWindowsResponse, 'GET', `${appPath(name)}/syncwindows`).then(blockingOf, () => []);
        throw new SyncWindowBlockedError({
          application: name,
          windows,
          status: err.status,
          code: err.code,
          message: err.message,
          cause: err,
        });
      }
    },
    async terminateOperation(name) {
      await call(z.unknown(), 'DELETE', `${appPath(name)}/operation`);
    },
    resourceTree(name) {
      return call(ApplicationTree, 'GET', `${appPath(name)}/resource-tree`);
    },
    managedResources(name) {
      return call(ManagedResourcesResponse, 'GET', `${appPath(name)}/managed-resources`);
    },
    listApplications(selector) {
      const qs = selector ? `?${new URLSearchParams({ selector }).toString()}` : '';
      return call(ApplicationList, 'GET', `/api/v1/applications${qs}`);
    },
    syncWindows(name, opts = {}) {
      const qs = opts.project ? `?${new URLSearchParams({ project: opts.project }).toString()}` : '';
      return call(SyncWindowsResponse, 'GET', `${appPath(name)}/syncwindows${qs}`);
    },
    async syncWindowsNow(name, opts = {}) {
      const qs = opts.project ? `?${new URLSearchParams({ project: opts.project }).toString()}` : '';
      const { data, serverTimeMs } = await exchange(SyncWindowsResponse, 'GET', `${appPath(name)}/syncwindows${qs}`);
      return { windows: data, serverTimeMs };
    },
    getProject(name) {
      return call(AppProject, 'GET', `/api/v1/projects/${encodeURIComponent(name)}`);
    },
    openStream(path, signal) {
      return authorized('GET', path, undefined, signal);
    },
  };
}
