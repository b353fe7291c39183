// Hostile inputs over the API (security audit findings 2 and 14, docs/security-notes/inputs.md): a moving tag
// built to make a backtracking matcher explode is answered at once, validation reports are capped, templates
// are policy (admin only) and documents have a size cap.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, type ApiHarness } from '../../test/api-harness.js';
import { saveTemplateRevision } from '../../db/templates.js';
import { digestOf } from '../../domain/digest.js';

const db = useTestDatabase();
let h: ApiHarness;

const doc = (tag: string, repo = 'org/api') => ({ core: { api: { Deployment: { containers: { api: { repo, tag } } } } } });

/** The best of three: one slow answer on a loaded machine proves nothing, three slow ones do. */
async function fastestMs(call: () => Promise<{ status: number }>, status: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await call();
    best = Math.min(best, performance.now() - started);
    expect(res.status).toBe(status);
  }
  return best;
}

beforeAll(async () => {
  h = await apiHarness(db.database);
});

describe('tag patterns cannot stall the API (finding 2)', () => {
  it('a tag of the most placeholders allowed (8), adjacent, against a tag that almost fits: answered in < 50 ms', async () => {
    // The old regex (one (.+) per placeholder) took seconds on this: C(43, 7) ways to split 44 characters.
    const template = doc(`${'<A>'.repeat(8)}x`);
    expect((await h.call('PUT', '/v1/templates/9.1.0', { body: template, token: h.tokens.admin })).status).toBe(201);
    const ms = await fastestMs(
      () => h.call('POST', '/v2/releases/validate/9.1.0', { body: doc('a'.repeat(44)), token: h.tokens.releaser }),
      422,
    );
    expect(ms).toBeLessThan(50);
    const res = await h.call('POST', '/v2/releases/validate/9.1.0', { body: doc('a'.repeat(44)), token: h.tokens.releaser });
    expect(errorOf(res.body).details.problems).toEqual([
      expect.objectContaining({ path: 'core.api.Deployment.containers.api.tag', code: 'PINNED_VALUE_OVERRIDDEN' }),
    ]);
    const ok = await h.call('POST', '/v2/releases/validate/9.1.0', { body: doc(`${'a'.repeat(43)}x`), token: h.tokens.releaser });
    expect(ok.status).toBe(200);
  });

  it('a template with more placeholders than allowed is refused with TOO_MANY_PLACEHOLDERS', async () => {
    const res = await h.call('PUT', '/v1/templates/9.2.0', { body: doc(`${'<A>'.repeat(60)}x`), token: h.tokens.admin });
    expect(res.status).toBe(422);
    expect(errorOf(res.body).details.problems).toEqual([
      expect.objectContaining({ path: 'core.api.Deployment.containers.api.tag', code: 'TOO_MANY_PLACEHOLDERS' }),
    ]);
  });

  it('a 60-placeholder template stored before the cap is still answered in < 50 ms', async () => {
    const document = doc(`${'<A>'.repeat(60)}x`);
    await db.database.db.transaction((tx) =>
      saveTemplateRevision(tx, { key: '9.3.0', document, digest: digestOf(document), createdBy: 'legacy', createdByTokenId: null }),
    );
    const ms = await fastestMs(
      () => h.call('POST', '/v2/releases/validate/9.3.0', { body: doc('a'.repeat(128)), token: h.tokens.releaser }),
      422,
    );
    expect(ms).toBeLessThan(50);
    // and it still constrains descriptors: its pinned literal part is kept
    const fits = await h.call('POST', '/v2/releases/validate/9.3.0', { body: doc(`${'a'.repeat(127)}x`), token: h.tokens.releaser });
    expect(fits.status).toBe(200);
  });
});

describe('validation reports are capped (finding 2)', () => {
  it('returns the first 100 problems, sorted, with the total count', async () => {
    expect((await h.call('PUT', '/v1/templates/9.4.0', { body: doc('<T>'), token: h.tokens.admin })).status).toBe(201);
    const descriptor: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) descriptor[`g${String(i).padStart(3, '0')}`] = { api: { Deployment: { containers: {} } } };
    const res = await h.call('POST', '/v2/releases/validate/9.4.0', { body: descriptor, token: h.tokens.releaser });
    expect(res.status).toBe(422);
    const error = errorOf(res.body);
    expect(error.code).toBe('RELEASE_INVALID');
    expect(error.details.problems).toHaveLength(100);
    expect(error.details.problemCount).toBeGreaterThan(500);
    expect(error.details.problemsTruncated).toBe(true);
    expect(error.message).toContain(`${error.details.problemCount} problems`);
    expect(error.details.problems[0].path < error.details.problems[99].path).toBe(true);
    const small = await h.call('POST', '/v2/releases/validate/9.4.0', { body: doc('1', 'org/web'), token: h.tokens.releaser });
    expect(errorOf(small.body).details).toMatchObject({ problemCount: 1, problemsTruncated: false });
  });

  it('a request that fails its schema lists at most 100 issues with the total count', async () => {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) values[`V${i}`] = i; // numbers: every value breaks the schema
    expect((await h.call('PUT', '/v1/templates/default', { body: doc('<T>'), token: h.tokens.admin })).status).toBe(201);
    const res = await h.call('POST', '/v1/releases/template/1.0.0/render', { body: { values }, token: h.tokens.releaser });
    expect(res.status).toBe(400);
    const error = errorOf(res.body);
    expect(error.details.issues.length).toBeLessThanOrEqual(100);
    expect(error.details.issueCount).toBeGreaterThanOrEqual(error.details.issues.length);
  });
});

describe('templates are policy (finding 14)', () => {
  it('a releaser cannot save a template; an admin can', async () => {
    const res = await h.call('PUT', '/v1/templates/9.5.0', { body: doc('<T>', 'evil.example/backdoor'), token: h.tokens.releaser });
    expect(res.status).toBe(403);
    expect(errorOf(res.body).code).toBe('FORBIDDEN');
    expect((await h.call('GET', '/v1/templates/9.5.0', { token: h.tokens.viewer })).status).toBe(404);
    expect((await h.call('PUT', '/v1/templates/9.5.0', { body: doc('<T>'), token: h.tokens.admin })).status).toBe(201);
  });

  it('a template or descriptor over the per-document cap is 413 DOCUMENT_TOO_LARGE, before any validation', async () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 1001; i++) big[`s${i}`] = { Deployment: { containers: { api: { repo: 'org/api', tag: '1' } } } };
    const put = await h.call('PUT', '/v1/templates/9.6.0', { body: { core: big }, token: h.tokens.admin });
    expect(put.status).toBe(413);
    expect(errorOf(put.body)).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', details: { services: 1001, maxServices: 1000 } });
    const create = await h.call('POST', '/v2/releases/create/9.5.0', { body: { core: big }, token: h.tokens.releaser });
    expect(create.status).toBe(413);
    expect(errorOf(create.body).code).toBe('DOCUMENT_TOO_LARGE');
    const wide = { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1', pad: 'x'.repeat(1_100_000) } } } } } };
    const bytes = await h.call('PUT', '/v1/templates/9.6.0', { body: wide, token: h.tokens.admin });
    expect(bytes.status).toBe(413);
    expect(errorOf(bytes.body).code).toBe('DOCUMENT_TOO_LARGE');
    expect((await h.call('GET', '/v1/templates/9.6.0', { token: h.tokens.viewer })).status).toBe(404);
  });
});
