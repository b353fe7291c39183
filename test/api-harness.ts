// Test support for the API route tests: an app on the file's own database, the bootstrap admin token and
// one token per role issued through the API, and a small request helper.
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app.js';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, BaseAppDeps } from '../api/context.js';
import { apiRouters } from '../api/routes/index.js';
import { apiClientInterceptors } from '../api/server.js';
import type { Database } from '../db/client.js';
import { silentLogger, testConfig } from './harness.js';
import { SAMPLE_TEMPLATE, sampleDescriptor } from '../sim/rig.js';

export const ADMIN_TOKEN = 'fct_test-bootstrap-admin-token-0123456789';

/** The sample product of sim/rig.ts: its template, and a descriptor of it at 1.4.2. */
export const SEED_TEMPLATE = SAMPLE_TEMPLATE;
export const SEED_DESCRIPTOR = sampleDescriptor('1.4.2');

/** Response bodies in tests: asserted field by field, so untyped on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  app: ReturnType<typeof createApp>;
  tokens: { admin: string; viewer: string; releaser: string; promoter: string };
  call(method: string, path: string, opts?: CallOptions): Promise<{ status: number; body: Loose; headers: Headers }>;
}

/** Builds the app; the token for each role is issued through POST /v1/tokens by the bootstrap admin. */
export async function apiHarness(
  database: Database,
  env: Record<string, string> = {},
  extraRouters: Array<[string, OpenAPIHono<AppEnv>]> = [],
): Promise<ApiHarness> {
  const connection = Connection.lazy({ address: inject('temporalAddress') });
  const config = testConfig({ FLOW_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
  const deps: BaseAppDeps = {
    config,
    database,
    temporal: {
      connection,
      client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: apiClientInterceptors() }),
    },
    logger: silentLogger,
  };
  const app = createApp(deps, [...apiRouters(), ...extraRouters]);
  const call: ApiHarness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const issue = async (name: string, role: string, scopes?: string[]) => {
    const res = await call('POST', '/v1/tokens', { body: { name, role, ...(scopes ? { scopes } : {}) } });
    if (res.status !== 201) throw new Error(`could not issue ${role} token: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { token: string }).token;
  };
  const tokens = {
    admin: ADMIN_TOKEN,
    viewer: await issue('viewer-1', 'viewer'),
    releaser: await issue('releaser-1', 'releaser'),
    promoter: await issue('promoter-1', 'promoter', ['staging']),
  };
  return { app, tokens, call };
}

/** Asserts the shared error shape and returns the error. */
export function errorOf(body: unknown): { code: string; message: string; requestId: string; details?: Loose } {
  const error = (body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined)?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || typeof error.requestId !== 'string') {
    throw new Error(`not the error shape: ${JSON.stringify(body)}`);
  }
  return error as { code: string; message: string; requestId: string; details?: Loose };
}

/**
 * An environment configuration that validates but points nowhere (loopback port 9): for API tests that store
 * environments and records without running a promotion.
 */
export function unreachableEnvironmentConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    displayOrder: 1,
    gitops: { repoUrl: 'http://127.0.0.1:9/org/gitops.git' },
    argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:FC_SECRET_ARGOCD_TOKEN' },
    kubernetes: { server: 'https://127.0.0.1:9', namespace: 'dev', tokenRef: 'file:/run/secrets/k8s' },
    ...over,
  };
}

/** A promoter token scoped to `environments` (the harness's own promoter is scoped to the fixed name `staging`). */
export async function scopedPromoter(h: ApiHarness, environments: string[]): Promise<string> {
  const res = await h.call('POST', '/v1/tokens', {
    body: { name: `promoter-${environments.join('-')}`.slice(0, 100), role: 'promoter', scopes: environments },
  });
  if (res.status !== 201) throw new Error(`could not issue a promoter token: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { token: string }).token;
}
