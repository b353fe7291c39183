// Property-based fuzzing of the create and template endpoints, in-process against the real database.
// Random JSON, mutated valid documents, random product versions, acknowledgements and idempotency keys,
// and random raw bodies must produce only 2xx/4xx, every 4xx in the error shape, and a rejected request
// must leave releases, templates and the audit trail exactly as they were.
// Bounded (about 1,500 requests in total) so the file runs in seconds on two cores.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useTestDatabase } from '../../test/harness.js';
import { apiHarness, errorOf, SEED_DESCRIPTOR, SEED_TEMPLATE, type ApiHarness } from '../../test/api-harness.js';

const db = useTestDatabase();
let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness(db.database);
  expect((await h.call('PUT', '/v1/templates/default', { body: SEED_TEMPLATE, token: h.tokens.admin })).status).toBe(201);
});

async function fingerprint() {
  const [row] = await db.database.sql`
    select (select count(*) from releases)::int as releases, (select coalesce(max(seq), 0) from releases)::int as seq,
           (select count(*) from templates)::int as templates, (select count(*) from audit_events)::int as audit`;
  return row;
}

type Mutation = { op: 'replace' | 'delete' | 'add' | 'rename'; at: number; value: unknown; key: string };

/** Applies one mutation at the `at`-th object member (depth-first) of a clone of `doc`. */
function mutate(doc: unknown, m: Mutation): unknown {
  const clone = structuredClone(doc) as Record<string, unknown>;
  const slots: Array<[Record<string, unknown>, string]> = [];
  const walk = (o: unknown) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
    for (const k of Object.keys(o)) {
      slots.push([o as Record<string, unknown>, k]);
      walk((o as Record<string, unknown>)[k]);
    }
  };
  walk(clone);
  const slot = slots[m.at % slots.length];
  if (!slot) return clone;
  const [parent, key] = slot;
  if (m.op === 'replace') parent[key] = m.value;
  else if (m.op === 'delete') delete parent[key];
  else if (m.op === 'add') parent[m.key] = m.value;
  else {
    parent[m.key] = parent[key];
    delete parent[key];
  }
  return clone;
}

const mutation = fc.record({
  op: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const, 'rename' as const),
  at: fc.nat(),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.string(),
    fc.constantFrom('<RELEASE_TAG>', 'sha256:abc', 'org/other', 'Deployment', '', 'a'.repeat(200)),
  ),
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'optional', 'CronJob', 'api', 'core', 'extra')),
});

const body = (doc: unknown) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce((d, m) => mutate(d, m), doc)) },
  );

const productVersion = fc.oneof(
  fc.constantFrom(
    '1.0.0',
    '2.4.1',
    '2.4.1-rc.1',
    '1.0.0+b.1',
    'default',
    'v1.0.0',
    '1.0',
    'latest',
    '%20',
    '..',
    '1.0.0-',
    '999999999999999999999.0.0',
  ),
  fc.string({ minLength: 1, maxLength: 20 }),
);

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?acknowledgeOverride=infra.gateway.Deployment.containers.gateway.tag',
    '?acknowledgeOverride=&acknowledgeOverride=,,',
    '?acknowledgeOverride=a&acknowledgeOverride=b',
  ),
  fc.string({ maxLength: 30 }).map((s) => `?acknowledgeOverride=${encodeURIComponent(s)}`),
);

function expectClientOrSuccess(res: { status: number; body: unknown }, label: string) {
  expect(res.status, label).toBeGreaterThanOrEqual(200);
  expect(res.status, `${label}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) errorOf(res.body);
}

describe('fuzz: POST /v2/releases/create/:productVersion', () => {
  it('answers only 2xx/4xx, in the error shape, and a rejection changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        body(SEED_DESCRIPTOR),
        productVersion,
        query,
        fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
        async (doc, version, q, key) => {
          const before = await fingerprint();
          const res = await h.call('POST', `/v2/releases/create/${encodeURIComponent(version)}${q}`, {
            body: doc,
            token: h.tokens.releaser,
            headers: key === undefined ? {} : { 'idempotency-key': key },
          });
          expectClientOrSuccess(res, `${version}${q}`);
          const after = await fingerprint();
          if (res.status === 201) expect(after?.releases).toBe((before?.releases ?? 0) + 1);
          else expect(after).toEqual(before);
        },
      ),
      { numRuns: 700 },
    );
  });

  it('random raw bodies (not necessarily JSON) are 4xx and change nothing', async () => {
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.constantFrom('application/json', 'text/plain', 'application/merge-patch+json'),
        async (raw, type) => {
          const res = await h.call('POST', '/v2/releases/create/1.0.0', {
            rawBody: raw,
            headers: { 'content-type': type },
            token: h.tokens.releaser,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) errorOf(res.body);
        },
      ),
      { numRuns: 200 },
    );
    expect(await fingerprint()).toEqual(before);
  });
});

describe('fuzz: PUT /v1/templates/:key and the render helper', () => {
  it('answers only 2xx/4xx, in the error shape, and a rejection changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(body(SEED_TEMPLATE), productVersion, async (doc, key) => {
        const before = await fingerprint();
        const res = await h.call('PUT', `/v1/templates/${encodeURIComponent(key)}`, { body: doc, token: h.tokens.admin });
        expectClientOrSuccess(res, key);
        const after = await fingerprint();
        if (res.status === 201) expect(after?.templates).toBe((before?.templates ?? 0) + 1);
        else expect(after).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it('render answers only 2xx/4xx and never writes', async () => {
    const before = await fingerprint();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), productVersion, async (values, version) => {
        const res = await h.call('POST', `/v1/releases/template/${encodeURIComponent(version)}/render`, {
          body: { values },
          token: h.tokens.releaser,
        });
        expectClientOrSuccess(res, version);
      }),
      { numRuns: 200 },
    );
    expect(await fingerprint()).toEqual(before);
  });
});
