// Unit tests of the Argo CD client's wire format and error mapping, with a recording fetchImpl
// (the behaviour against a server is covered by sim/*.test.ts).
import { describe, expect, it } from 'vitest';
import { ArgoCdError, createArgoClient, type FetchLike } from './argocd.js';

const APP = { metadata: { name: 'dev-core' }, spec: { destination: { namespace: 'dev' } } };

function recorder(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl: FetchLike = async (url, init = {}) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  return { calls, fetchImpl };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('createArgoClient', () => {
  it('sends the sync body exactly as the contract says, with exact Content-Type and bearer token', async () => {
    const r = recorder(() => json(200, APP));
    const argo = createArgoClient({ baseUrl: 'https://argo.example/', token: 'tok-123', fetchImpl: r.fetchImpl, timeoutMs: 1000 });
    await argo.sync('dev-core', {
      revision: 'a'.repeat(40),
      prune: true,
      infos: [{ name: 'promotion', value: 'p1' }],
      syncOptions: ['ApplyOutOfSyncOnly=true'],
    });
    const call = r.calls[0];
    expect(call?.url).toBe('https://argo.example/api/v1/applications/dev-core/sync');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.headers).toMatchObject({ 'Content-Type': 'application/json', Authorization: 'Bearer tok-123' });
    expect(JSON.parse(String(call?.init.body))).toEqual({
      revision: 'a'.repeat(40),
      prune: true,
      dryRun: false,
      strategy: { hook: {} },
      syncOptions: { items: ['ApplyOutOfSyncOnly=true'] },
      infos: [{ name: 'promotion', value: 'p1' }],
    });
    await argo.terminateOperation('dev-core');
    expect(r.calls[1]?.init).toMatchObject({ method: 'DELETE', headers: { 'Content-Type': 'application/json' } });
    await argo.getApplication('dev-core', { refresh: 'hard', project: 'p' });
    expect(r.calls[2]?.url).toBe('https://argo.example/api/v1/applications/dev-core?refresh=hard&project=p');
    expect((r.calls[2]?.init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  const errorCases: { name: string; res: () => Response; status: number; code?: number; retryable: boolean }[] = [
    { name: '503', res: () => json(503, { error: 'x', code: 14, message: 'x' }), status: 503, code: 14, retryable: true },
    {
      name: '400 another operation',
      res: () =>
        json(400, { error: 'another operation is already in progress', code: 9, message: 'another operation is already in progress' }),
      status: 400,
      code: 9,
      retryable: true,
    },
    { name: '400 other', res: () => json(400, { error: 'bad', code: 3, message: 'bad' }), status: 400, code: 3, retryable: false },
    {
      name: '401',
      res: () => json(401, { error: 'no session information', code: 16, message: 'no session information' }),
      status: 401,
      code: 16,
      retryable: false,
    },
    {
      name: '403',
      res: () => json(403, { error: 'permission denied', code: 7, message: 'permission denied' }),
      status: 403,
      code: 7,
      retryable: false,
    },
    { name: '404', res: () => json(404, { error: 'nf', code: 5, message: 'nf' }), status: 404, code: 5, retryable: false },
    { name: '415 plain text', res: () => new Response('Invalid content type', { status: 415 }), status: 415, retryable: false },
  ];
  it.each(errorCases)('maps $name', async ({ res, status, code, retryable }) => {
    const r = recorder(res);
    const argo = createArgoClient({ baseUrl: 'http://argo', token: 'tok', fetchImpl: r.fetchImpl, timeoutMs: 1000 });
    const err = await argo.getApplication('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgoCdError);
    expect(err).toMatchObject({ name: 'ArgoCdError', status, code, retryable });
  });

  it('network errors are retryable and never leak the token', async () => {
    const secret = 'super-secret-token';
    const argo = createArgoClient({
      baseUrl: 'http://argo',
      token: secret,
      fetchImpl: () => Promise.reject(new TypeError(`fetch failed for Bearer ${secret}`)),
      timeoutMs: 1000,
    });
    const err = (await argo.listApplications().catch((e: unknown) => e)) as ArgoCdError;
    expect(err).toMatchObject({ status: 0, retryable: true });
    expect(err.message).not.toContain(secret);
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it('logs in with credentials, then retries once on 401', async () => {
    let tokens = 0;
    const r = recorder((url, init) => {
      if (url.endsWith('/session')) return json(200, { token: `t${++tokens}` });
      const auth = (init.headers as Record<string, string>).Authorization;
      return auth === 'Bearer t2'
        ? json(200, APP)
        : json(401, { error: 'invalid session: token is expired', code: 16, message: 'invalid session: token is expired' });
    });
    const argo = createArgoClient({ baseUrl: 'http://argo', username: 'admin', password: 'pw', fetchImpl: r.fetchImpl, timeoutMs: 1000 });
    await expect(argo.getApplication('dev-core')).resolves.toMatchObject({ metadata: { name: 'dev-core' } });
    expect(r.calls.map((c) => c.url.replace('http://argo', ''))).toEqual([
      '/api/v1/session',
      '/api/v1/applications/dev-core',
      '/api/v1/session',
      '/api/v1/applications/dev-core',
    ]);
  });
});
